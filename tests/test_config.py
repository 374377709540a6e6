import pytest

from server.config import SettingsError, load_settings

PRODUCTION_OK = {
    "SIJIL_ENV": "production",
    "SECRET_KEY": "k" * 48,
    "BASE_URL": "https://sijil.example",
    "DATABASE_URL": "postgres://sijil@db/sijil",
    "SMTP_URL": "smtp://mail.example:587?starttls=1",
    "MAIL_FROM": "no-reply@sijil.example",
    "SMS_BACKEND": "taqnyat",
    "SMS_API_URL": "https://sms.example/v1/messages",
    "SMS_API_TOKEN": "t",
    "SMS_SENDER": "SIJIL",
    "PAYMENT_PROVIDER": "moyasar",
    "MOYASAR_SECRET_KEY": "sk_live_x",
    "MOYASAR_PUBLISHABLE_KEY": "pk_live_x",
    "PAYMENT_WEBHOOK_SECRET": "w" * 32,
}


def test_development_defaults_generate_and_keep_a_secret_key(tmp_path):
    first = load_settings({"DATA_DIR": str(tmp_path)})
    second = load_settings({"DATA_DIR": str(tmp_path)})
    assert first.env == "development"
    assert first.database_url == "sqlite://var/sijil.sqlite3"
    assert first.sms_backend == "console" and first.payment_provider == "sandbox"
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key


def test_production_with_every_setting_starts():
    settings = load_settings(PRODUCTION_OK)
    assert settings.production and settings.secure_cookies
    assert settings.cookie_prefix == "__Host-"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "BASE_URL", "SMTP_URL", "SMS_API_TOKEN",
                                     "MOYASAR_SECRET_KEY", "PAYMENT_WEBHOOK_SECRET"])
def test_production_names_each_missing_setting(missing):
    environ = {k: v for k, v in PRODUCTION_OK.items() if k != missing}
    with pytest.raises(SettingsError, match=f"{missing} is not set"):
        load_settings(environ)


def test_production_refuses_the_development_backends():
    environ = {**PRODUCTION_OK, "SMS_BACKEND": "console", "PAYMENT_PROVIDER": "sandbox"}
    with pytest.raises(SettingsError) as error:
        load_settings(environ)
    assert "SMS_BACKEND must be 'taqnyat'" in str(error.value)
    assert "PAYMENT_PROVIDER must be 'moyasar'" in str(error.value)


def test_production_refuses_plain_http():
    with pytest.raises(SettingsError, match="https"):
        load_settings({**PRODUCTION_OK, "BASE_URL": "http://sijil.example"})


@pytest.mark.parametrize(("name", "value"), [
    ("SIJIL_ENV", "staging"), ("SMS_BACKEND", "carrier-pigeon"), ("PAYMENT_PROVIDER", "cash"),
    ("DATABASE_URL", "mysql://x"), ("SMTP_URL", "http://mail"),
])
def test_unknown_values_are_named(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({"DATA_DIR": str(tmp_path), name: value})


def test_cli_says_what_is_wrong_without_a_traceback(monkeypatch, capsys):
    from server.cli import main

    monkeypatch.setenv("SIJIL_ENV", "production")
    for name in ("SECRET_KEY", "SMTP_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert "refuses to start" in err and "SECRET_KEY is not set" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("url", [
    "postgres://sijil:s3cret@127.0.0.1:1/sijil",  # nothing listens on port 1
    "sqlite:///proc/no-such-dir/sijil.sqlite3",    # a directory that cannot be made
])
def test_an_unreachable_database_is_named_without_a_traceback_or_the_password(
        tmp_path, url):
    # A process of its own: `migrate` initialises and closes the ORM globally, which would
    # pull the connection from under the rest of the suite.
    import os
    import subprocess
    import sys

    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SIJIL_", "SMTP_"))},
           "DATABASE_URL": url, "DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "server.cli", "migrate"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "cannot reach the database" in done.stderr and "Check DATABASE_URL" in done.stderr
    assert "Traceback" not in done.stderr and "s3cret" not in done.stderr
