"""Starlette routes for browsers. Each domain module exposes `ROUTES`."""

from __future__ import annotations

from starlette.routing import BaseRoute

from server.config import Settings


def routes(settings: Settings) -> list[BaseRoute]:
    from server.pages import dev, home

    found: list[BaseRoute] = [*home.ROUTES]
    if settings.development:
        found += dev.ROUTES
    return found
