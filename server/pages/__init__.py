"""Starlette routes for browsers. Each domain module exposes `ROUTES`."""

from __future__ import annotations

from starlette.routing import BaseRoute

from server.config import Settings


def routes(settings: Settings) -> list[BaseRoute]:
    from server.pages import (
        account_security,
        admin,
        admin_records,
        applications,
        certificates,
        dev,
        documents,
        export,
        gallery,
        home,
        payments,
        public,
        record,
        record_entries,
        register,
        register_fhir,
        renewal_documents,
        renewals,
        review,
        services,
        signin,
    )

    found: list[BaseRoute] = [
        *home.ROUTES, *register.ROUTES, *signin.ROUTES, *account_security.ROUTES,
        *documents.ROUTES,
        *public.ROUTES, *record.ROUTES, *record_entries.ROUTES, *applications.ROUTES,
        *payments.ROUTES, *review.ROUTES, *certificates.ROUTES, *services.ROUTES, *renewals.ROUTES,
        *renewal_documents.ROUTES,
        *admin.ROUTES, *admin_records.ROUTES, *export.ROUTES, *register_fhir.ROUTES,
    ]
    if settings.development:
        found += dev.ROUTES + gallery.ROUTES
    return found
