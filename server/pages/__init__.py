"""Starlette routes for browsers. Each domain module exposes `ROUTES`."""

from __future__ import annotations

from starlette.routing import BaseRoute

from server.config import Settings


def routes(settings: Settings) -> list[BaseRoute]:
    from server.pages import (
        account_security,
        applications,
        certificates,
        dev,
        documents,
        gallery,
        home,
        payments,
        public,
        record,
        record_entries,
        register,
        signin,
    )

    found: list[BaseRoute] = [
        *home.ROUTES, *register.ROUTES, *signin.ROUTES, *account_security.ROUTES,
        *documents.ROUTES,
        *public.ROUTES, *record.ROUTES, *record_entries.ROUTES, *applications.ROUTES,
        *payments.ROUTES, *certificates.ROUTES,
    ]
    if settings.development:
        found += dev.ROUTES + gallery.ROUTES
    return found
