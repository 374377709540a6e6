"""Sessions are database rows holding a hash of a 256-bit token, so that signing out and
staff revocation really end them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from server import clock
from server.models.accounts import Account, Session

# (idle, absolute) lifetimes per kind of account, from docs/security.md.
PRACTITIONER_LIFETIME = (dt.timedelta(minutes=30), dt.timedelta(hours=12))
STAFF_LIFETIME = (dt.timedelta(minutes=15), dt.timedelta(hours=8))
# Writing last_seen_at on every request would turn every read into a write.
TOUCH_EVERY = dt.timedelta(seconds=60)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(account: Account) -> tuple[dt.timedelta, dt.timedelta]:
    return STAFF_LIFETIME if account.is_staff else PRACTITIONER_LIFETIME


async def open_session(account: Account, ip: str = "", user_agent: str = "") -> str:
    """A new token at every sign-in; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    _, absolute = lifetime(account)
    moment = clock.now()
    await Session.create(token_hash=hash_token(token), account=account, last_seen_at=moment,
                         expires_at=moment + absolute, ip=ip[:45], user_agent=user_agent[:200])
    return token


async def find_session(token: str) -> Session | None:
    if len(token) > 200:
        return None
    session = await Session.get_or_none(token_hash=hash_token(token)).select_related("account")
    if session is None:
        return None
    moment = clock.now()
    idle, _ = lifetime(session.account)
    if moment >= session.expires_at or moment - session.last_seen_at >= idle \
            or session.account.status == "DISABLED":
        await Session.filter(id=session.id).delete()
        return None
    if moment - session.last_seen_at >= TOUCH_EVERY:
        await Session.filter(id=session.id).update(last_seen_at=moment)
        session.last_seen_at = moment
    return session


async def end_session(session: Session) -> None:
    await Session.filter(id=session.id).delete()
