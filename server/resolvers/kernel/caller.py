"""Who is calling a use case, as the use cases see it. `server.context.Context` (built for
every GraphQL request and page) is one; so is anything else with these attributes (the CLI,
a test). Use cases import this, never the web layer's Context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from server.config import Settings
    from server.models.accounts import Account


class Caller(Protocol):
    settings: Settings
    lang: str
    session: Any  # server.models.accounts.Session with .account loaded, or None
    loaders: Any

    @property
    def account(self) -> Account | None: ...

    @property
    def ip(self) -> str: ...

    @property
    def user_agent(self) -> str: ...
