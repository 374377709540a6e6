"""Demonstration data for `sijil demo` (and `make run`): documented accounts to try the
product with. Idempotent: running it again changes nothing."""

from __future__ import annotations

from server.config import Settings
from server.demo_accounts import load_accounts_demo
from server.demo_registry import load_registry_demo


async def load_demo(settings: Settings) -> list[str]:
    lines: list[str] = []
    for loader in LOADERS:
        lines += await loader(settings)
    return lines or ["No demonstration data to load yet."]


LOADERS: list = [load_registry_demo, load_accounts_demo]
