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
    # A client system's API key (server.models.employers.ApiKey), beside sessions; a bearer
    # token shaped like a key that matches no live key makes every operation UNAUTHENTICATED.
    api_key: Any = None
    api_key_refused: bool = False
    loaders: Loaders = field(default_factory=Loaders)
    # What a mutation asks the page layer to do to the browser (set or clear the cookie).
    set_session_token: str | None = None
    clear_session: bool = False
    # What /graphql tells the client about its limits (server.graphql_view): the mutation
    # rate as (limit, remaining, seconds to reset), and the longest wait a refusal asked for.
    rate_limit: tuple[int, int, int] | None = None
    retry_after: int | None = None

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
    from server.resolvers.employers.keys import find_api_key, is_api_key

    settings: Settings = request.app.state.settings
    lang = pick_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))
    token = bearer_token(request)
    if token is not None and is_api_key(token):
        key = await find_api_key(token)
        return Context(settings=settings, lang=lang, request=request, api_key=key,
                       api_key_refused=key is None)
    via_cookie = False
    if token is None:
        token = request.cookies.get(session_cookie_name(settings))
        via_cookie = token is not None
    session = await find_session(token) if token else None
    if session is not None and session.account.language in ("ar", "en") and \
            not _chose_language(request, via_cookie):
        lang = session.account.language
    return Context(settings=settings, lang=lang, request=request, session=session,
                   via_cookie=via_cookie)


def _chose_language(request: Request, via_cookie: bool) -> bool:
    """The request's own choice wins over the account's saved language: the language
    cookie (set by the switcher), or for a client app (bearer token) an Accept-Language
    naming Arabic or English. A browser's Accept-Language is the device's default, not a
    choice, so a signed-in browser keeps the account's language until it switches."""
    if request.cookies.get(LANG_COOKIE) in ("ar", "en"):
        return True
    if via_cookie:
        return False
    prefs = {part.split(";")[0].strip().lower()[:2]
             for part in request.headers.get("accept-language", "").split(",")}
    return bool(prefs & {"ar", "en"})
