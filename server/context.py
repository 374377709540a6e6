"""The request context shared by /graphql and the pages: who is calling, in which language,
and a per-request DataLoader registry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from strawberry.dataloader import DataLoader

from server.config import Settings
from server.i18n import LANG_COOKIE, pick_language


class Loaders:
    """One DataLoader per batch function per request: `ctx.loaders.get(fn).load(key)`."""

    def __init__(self) -> None:
        self._loaders: dict[Callable, DataLoader] = {}

    def get(self, batch: Callable[[list[Any]], Awaitable[list[Any]]]) -> DataLoader:
        loader = self._loaders.get(batch)
        if loader is None:
            loader = self._loaders[batch] = DataLoader(load_fn=batch)
        return loader


@dataclass
class Context:
    settings: Settings
    lang: str
    request: Request | None = None
    session: Any = None  # server.models.accounts.Session, with .account loaded
    via_cookie: bool = False
    loaders: Loaders = field(default_factory=Loaders)
    # What a mutation asks the page layer to do to the browser (set or clear the cookie).
    set_session_token: str | None = None
    clear_session: bool = False

    @property
    def account(self):
        return self.session.account if self.session else None

    @property
    def ip(self) -> str:
        if self.request is None or self.request.client is None:
            return ""
        return self.request.client.host

    @property
    def user_agent(self) -> str:
        return (self.request.headers.get("user-agent", "") if self.request else "")[:200]


def session_cookie_name(settings: Settings) -> str:
    return f"{settings.cookie_prefix}sid"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def build_context(request: Request) -> Context:
    from server.resolvers.accounts.sessions import find_session

    settings: Settings = request.app.state.settings
    lang = pick_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))
    token = bearer_token(request)
    via_cookie = False
    if token is None:
        token = request.cookies.get(session_cookie_name(settings))
        via_cookie = token is not None
    session = await find_session(token) if token else None
    if session is not None and session.account.language in ("ar", "en") and not request.cookies.get(
        LANG_COOKIE
    ):
        lang = session.account.language
    return Context(settings=settings, lang=lang, request=request, session=session,
                   via_cookie=via_cookie)
