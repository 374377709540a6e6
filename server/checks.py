"""`sijil check`: the configuration, then every dependency reached the way the app reaches
it (database, migrations, document store, SMTP, SMS gateway, payment gateway's settings).
One line per check; the exit status is non-zero when any fails, and the last line names
them, so a deployment script or a person can tell at once what to fix."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiosmtplib
import httpx

from server.config import Settings

TIMEOUT = 10.0


@dataclass
class Result:
    name: str
    ok: bool | None  # None: not checked, because what it needs failed first
    detail: str

    def line(self) -> str:
        mark = {True: "ok", False: "FAIL", None: "skip"}[self.ok]
        return f"{mark:<5}{self.name:<17}{self.detail}"


async def run_checks(settings: Settings, masked) -> list[Result]:
    from server import db

    results = [Result("config", True, f"SIJIL_ENV={settings.env}")]
    url = masked(settings.database_url)
    try:
        await asyncio.wait_for(db.connect(settings.database_url), TIMEOUT)
        await asyncio.wait_for(db.ping(), TIMEOUT)
        results.append(Result("database", True, url))
        database_ok = True
    except Exception as error:
        results.append(Result("database", False, f"{url}: {_reason(error)}"))
        database_ok = False
    finally:
        await db.close()
    if database_ok:
        pending = await db.pending_migrations(settings.database_url)
        results.append(Result("migrations", not pending,
                              f"{len(pending)} not applied ({', '.join(pending)}): run "
                              "`sijil migrate`" if pending else "all applied"))
    else:
        results.append(Result("migrations", None, "the database does not answer"))
    results += await asyncio.gather(_documents(settings), _smtp(settings), _sms(settings))
    results.append(_payments(settings))
    return results


def _reason(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return text or type(error).__name__


async def _documents(settings: Settings) -> Result:
    from server.integrations.storage import storage_for

    where = settings.storage_url or f"file://{settings.data_dir / 'documents'}"
    try:
        await asyncio.wait_for(storage_for(settings).check(), TIMEOUT)
    except Exception as error:
        return Result("document store", False, _reason(error))
    return Result("document store", True, where)


async def _smtp(settings: Settings) -> Result:
    from server.integrations.mail import SmtpTarget

    if not settings.smtp_url:
        return Result("smtp", True, "the development mailbox inside `sijil serve`")
    target = SmtpTarget.from_url(settings.smtp_url)
    where = f"{target.host}:{target.port}"
    client = aiosmtplib.SMTP(hostname=target.host, port=target.port, use_tls=target.use_tls,
                             start_tls=target.start_tls, timeout=TIMEOUT,
                             username=target.username, password=target.password)
    try:
        await client.connect()  # greets, says EHLO, starts TLS and signs in as configured
        await client.quit()
    except Exception as error:
        return Result("smtp", False, f"{where}: {_reason(error)}")
    return Result("smtp", True, where + (" (signed in)" if target.username else ""))


async def _sms(settings: Settings) -> Result:
    if settings.sms_backend == "console":
        return Result("sms gateway", True, "console (development inbox)")
    # No message is sent: any HTTP answer shows the gateway is reachable from here.
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            answer = await client.get(settings.sms_api_url)
    except httpx.HTTPError as error:
        return Result("sms gateway", False, f"{settings.sms_api_url}: {_reason(error)}")
    return Result("sms gateway", True, f"{settings.sms_api_url} answers (HTTP "
                                       f"{answer.status_code})")


def _payments(settings: Settings) -> Result:
    if settings.payment_provider == "sandbox":
        return Result("payment gateway", True, "sandbox (development)")
    problems = []
    secret, public = settings.moyasar_secret_key, settings.moyasar_publishable_key
    if not secret.startswith(("sk_live_", "sk_test_")):
        problems.append("MOYASAR_SECRET_KEY does not look like a secret key (sk_…)")
    if not public.startswith(("pk_live_", "pk_test_")):
        problems.append("MOYASAR_PUBLISHABLE_KEY does not look like a publishable key (pk_…)")
    if not problems and secret.split("_")[1] != public.split("_")[1]:
        problems.append("the secret and publishable keys are of different modes (live/test)")
    if settings.production and secret.startswith("sk_test_"):
        problems.append("production uses a test key")
    if urlsplit(settings.moyasar_api_url).scheme != "https" and settings.production:
        problems.append("MOYASAR_API_URL must use https:// in production")
    if problems:
        return Result("payment gateway", False, "; ".join(problems))
    return Result("payment gateway", True, f"moyasar ({secret.split('_')[1]} keys)")
