"""Starlette routes for browsers: one package or module per domain, each exposing `ROUTES`;
the modules at this level are what every domain's pages share (plumbing, forms, labels,
errors, documents and uploads)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from server.config import Settings


def routes(settings: Settings) -> list[BaseRoute]:
    from server.pages import (
        applications,
        dev,
        documents,
        gallery,
        home,
        payments,
        review,
        review_workflow,
        services,
    )
    from server.pages import my_documents as my_documents
    from server.pages.accounts import export, passkeys, password, security, signin, signup
    from server.pages.accounts import notifications as inbox
    from server.pages.admin import approvals as admin_approvals
    from server.pages.admin import canned_reasons as admin_canned
    from server.pages.admin import console, employers, records
    from server.pages.admin import exports as admin_exports
    from server.pages.admin import holidays as admin_holidays
    from server.pages.admin import reports as admin_reports
    from server.pages.record import entries, profile
    from server.pages.register import cards, certificates, credentials, fhir, lookup
    from server.pages.renewals import documents as renewal_documents
    from server.pages.renewals import renewing

    # The public register first: a card's QR code opens /verify/{number}, the busiest page,
    # and Starlette tries the routes in order (it was 46 tries; no other path has the shape
    # /verify or /verify/<one segment>).
    found: list[BaseRoute] = [
        *lookup.ROUTES,
        *home.ROUTES, *signup.ROUTES, *signin.ROUTES, *security.ROUTES, *passkeys.ROUTES,
        *password.ROUTES,
        *documents.ROUTES,
        *cards.ROUTES, *profile.ROUTES, *entries.ROUTES, *applications.ROUTES,
        *payments.ROUTES, *review_workflow.ROUTES, *review.ROUTES, *certificates.ROUTES,
        *services.ROUTES,
        *renewing.ROUTES, *renewal_documents.ROUTES, *credentials.ROUTES,
        *admin_approvals.ROUTES, *console.ROUTES, *employers.ROUTES, *records.ROUTES,
        *export.ROUTES, *fhir.ROUTES, *my_documents.ROUTES, *inbox.ROUTES,
        *admin_exports.ROUTES, *admin_reports.ROUTES, *admin_canned.ROUTES,
        *admin_holidays.ROUTES,
    ]
    if settings.development:
        found += dev.ROUTES + gallery.ROUTES
    return found
