"""Settings, read once from the environment (names in docs/contract/README.md)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
# Relative paths (DATA_DIR, a relative SQLite DATABASE_URL) are relative to the checkout when
# running from one, whatever the working directory; an installed package has no checkout,
# and its relative paths are relative to the working directory, as an operator expects.
BASE_DIR = ROOT if (ROOT / "pyproject.toml").is_file() else Path.cwd()
# Templates, static files, the pages' operations and translations: web/ at the top of the
# repository, shipped inside the package as server/web (a symlink to ../web in a checkout).
WEB_DIR = Path(str(files("server").joinpath("web"))).resolve()
ENVIRONMENTS = ("development", "test", "production")
SMS_BACKENDS = ("console", "taqnyat")
PAYMENT_PROVIDERS = ("sandbox", "moyasar")


class SettingsError(Exception):
    """The environment asks for something the app cannot run with; the message says what."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = "sqlite://var/sijil.sqlite3"
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    data_dir: Path = BASE_DIR / "var"
    smtp_url: str = ""
    mail_from: str = "no-reply@localhost"
    sms_backend: str = "console"
    sms_api_url: str = ""
    sms_api_token: str = ""
    sms_sender: str = ""
    payment_provider: str = "sandbox"
    payment_webhook_secret: str = ""
    moyasar_secret_key: str = ""
    moyasar_publishable_key: str = ""
    moyasar_api_url: str = "https://api.moyasar.com/v1"
    captcha_cost: int = 5000  # PBKDF2 iterations a proof-of-work try: ~0.5 s in a phone browser
    # GraphQL mutations a minute, per account and per address (sign-ins have stricter ones).
    mutations_per_minute: int = 120
    # "" = DATA_DIR/documents on disk; else file://PATH or s3://BUCKET/PREFIX.
    storage_url: str = ""
    s3_endpoint_url: str = ""
    aws_region: str = ""
    aws_access_key_id: str = ""
    aws_secret_access_key: str = ""
    # The reverse proxies whose X-Forwarded-* headers are believed (addresses, or "*").
    forwarded_allow_ips: tuple[str, ...] = ()
    web_concurrency: int = 1
    metrics_token: str = ""  # production serves /metrics only with it (404 without)
    # Origins whose browser apps may call /graphql with a bearer token (CORS_ALLOW_ORIGINS).
    cors_allow_origins: tuple[str, ...] = ()
    # Public register searches (GraphQL, /verify and FHIR together) a minute, per address:
    # with the cap on pages a query, what keeps the register from being dumped by search.
    register_searches_per_minute: int = 60

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def cookie_prefix(self) -> str:
        # Browsers accept "__Host-" only on Secure cookies; plain-http development uses a
        # neutral prefix instead.
        return "__Host-" if self.secure_cookies else "sijil-"

    @property
    def embedded_mailbox(self) -> bool:
        """Development without SMTP_URL: an aiosmtpd server inside `sijil serve`."""
        return not self.smtp_url and not self.production


def _secret_from_file(data_dir: Path, name: str) -> str:
    """Development secrets are generated once and kept under var/ so restarts keep sessions."""
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise SettingsError(f"{name}={value!r} is not one of: {', '.join(choices)}")


def _check_url(name: str, value: str, schemes: tuple[str, ...]) -> None:
    scheme = urlsplit(value).scheme
    if scheme not in schemes:
        raise SettingsError(f"{name}={value!r} must start with one of: {', '.join(schemes)}://")


def _proxies(value: str) -> tuple[str, ...]:
    """Addresses or networks (CIDR) of the trusted proxies, or "*" for any peer (only when
    the app's port is reachable from the proxy alone)."""
    found = tuple(item.strip() for item in value.split(",") if item.strip())
    for item in found:
        if item != "*":
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise SettingsError(f"FORWARDED_ALLOW_IPS: {item!r} is not an IP address or "
                                    "network (10.0.0.10, 10.0.0.0/24)") from None
    return found


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env_vars = os.environ if environ is None else environ
    get = lambda name, default="": env_vars.get(name, default).strip()  # noqa: E731

    env = get("SIJIL_ENV", "development")
    _check_choice("SIJIL_ENV", env, ENVIRONMENTS)
    data_dir = Path(get("DATA_DIR") or BASE_DIR / "var")
    if not data_dir.is_absolute():
        data_dir = BASE_DIR / data_dir
    database_url = get("DATABASE_URL") or "sqlite://var/sijil.sqlite3"
    _check_url("DATABASE_URL", database_url, ("sqlite", "postgres", "postgresql", "asyncpg"))
    sms_backend = get("SMS_BACKEND", "console")
    _check_choice("SMS_BACKEND", sms_backend, SMS_BACKENDS)
    payment_provider = get("PAYMENT_PROVIDER", "sandbox")
    _check_choice("PAYMENT_PROVIDER", payment_provider, PAYMENT_PROVIDERS)
    smtp_url = get("SMTP_URL")
    if smtp_url:
        _check_url("SMTP_URL", smtp_url, ("smtp", "smtps"))
    base_url = get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    _check_url("BASE_URL", base_url, ("http", "https"))

    storage_url = get("STORAGE_URL")
    if storage_url:
        _check_url("STORAGE_URL", storage_url, ("file", "s3"))
        if storage_url.startswith("s3://") and not urlsplit(storage_url).netloc:
            raise SettingsError(f"STORAGE_URL={storage_url!r} names no bucket: "
                                "s3://BUCKET/PREFIX")
    concurrency = get("WEB_CONCURRENCY", "1")
    if not concurrency.isdigit() or int(concurrency) < 1:
        raise SettingsError(f"WEB_CONCURRENCY={concurrency!r} must be a whole number, 1 or more")

    if env == "production":
        _require_production(env_vars, sms_backend, payment_provider)

    secret_key = get("SECRET_KEY") or _secret_from_file(data_dir, "secret_key")
    webhook_secret = get("PAYMENT_WEBHOOK_SECRET") or _secret_from_file(
        data_dir, "payment_webhook_secret"
    )
    return Settings(
        env=env,
        database_url=database_url,
        secret_key=secret_key,
        base_url=base_url,
        data_dir=data_dir,
        smtp_url=smtp_url,
        mail_from=get("MAIL_FROM", "no-reply@localhost"),
        sms_backend=sms_backend,
        sms_api_url=get("SMS_API_URL"),
        sms_api_token=get("SMS_API_TOKEN"),
        sms_sender=get("SMS_SENDER"),
        payment_provider=payment_provider,
        payment_webhook_secret=webhook_secret,
        moyasar_secret_key=get("MOYASAR_SECRET_KEY"),
        moyasar_publishable_key=get("MOYASAR_PUBLISHABLE_KEY"),
        moyasar_api_url=get("MOYASAR_API_URL", "https://api.moyasar.com/v1").rstrip("/"),
        storage_url=storage_url,
        s3_endpoint_url=get("S3_ENDPOINT_URL"),
        aws_region=get("AWS_REGION"),
        aws_access_key_id=get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=get("AWS_SECRET_ACCESS_KEY"),
        forwarded_allow_ips=_proxies(get("FORWARDED_ALLOW_IPS")),
        web_concurrency=int(concurrency),
        metrics_token=get("METRICS_TOKEN"),
        cors_allow_origins=_origins(get("CORS_ALLOW_ORIGINS")),
        register_searches_per_minute=_positive_int(
            "REGISTER_SEARCHES_PER_MINUTE", get("REGISTER_SEARCHES_PER_MINUTE", "60")),
    )


def _origins(raw: str) -> tuple[str, ...]:
    """Origins as browsers send them in `Origin`: scheme://host[:port], no path."""
    found = []
    for item in filter(None, (part.strip().rstrip("/") for part in raw.split(","))):
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise SettingsError(f"CORS_ALLOW_ORIGINS: {item!r} is not an origin "
                                "(scheme://host[:port])")
        found.append(f"{parts.scheme}://{parts.netloc}".lower())
    return tuple(found)


def _positive_int(name: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{name}={value!r} must be a whole number above 0")
    return int(value)


def _require_production(env_vars, sms_backend: str, payment_provider: str) -> None:
    """Production never falls back to a generated secret, the console SMS or the sandbox."""
    required = ["SECRET_KEY", "BASE_URL", "DATABASE_URL", "SMTP_URL", "MAIL_FROM"]
    problems = [f"{name} is not set" for name in required if not env_vars.get(name, "").strip()]
    if sms_backend == "console":
        problems.append("SMS_BACKEND must be 'taqnyat' (the console backend is for development)")
    else:
        problems += [
            f"{name} is not set"
            for name in ("SMS_API_URL", "SMS_API_TOKEN", "SMS_SENDER")
            if not env_vars.get(name, "").strip()
        ]
    if payment_provider == "sandbox":
        problems.append("PAYMENT_PROVIDER must be 'moyasar' (the sandbox is for development)")
    else:
        problems += [
            f"{name} is not set"
            for name in ("MOYASAR_SECRET_KEY", "MOYASAR_PUBLISHABLE_KEY", "PAYMENT_WEBHOOK_SECRET")
            if not env_vars.get(name, "").strip()
        ]
    if len(env_vars.get("SECRET_KEY", "").strip()) < 32 and env_vars.get("SECRET_KEY"):
        problems.append("SECRET_KEY must be at least 32 characters")
    if env_vars.get("BASE_URL", "").strip().startswith("http://"):
        problems.append("BASE_URL must use https:// in production")
    if problems:
        raise SettingsError(
            "SIJIL_ENV=production refuses to start: " + "; ".join(problems) + "."
        )
