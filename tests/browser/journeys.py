"""What browser journeys need besides the browser: the development mailbox and SMS inbox
of the running app, and records seeded into its database with the `sijil` command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from server import clock
from server.config import load_settings
from server.context import session_cookie_name
from server.i18n import LANG_COOKIE
from server.integrations import devmailbox

ROOT = Path(__file__).resolve().parent.parent.parent


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


def last_email(app, to: str, subject_contains: str = ""):
    """The newest email to `to`, waiting for the outbox worker to deliver it."""
    def find():
        for mail in devmailbox.read(app.data_dir / "mailbox"):
            if mail.to == to and subject_contains in mail.subject:
                return mail
        return None
    return wait_for(find)


def emails_to(app, to: str) -> list:
    return [m for m in devmailbox.read(app.data_dir / "mailbox") if m.to == to]


def last_sms_code(app, to_e164: str, after: float = 0.0) -> str:
    def find():
        for path in sorted((app.data_dir / "sms").glob("*.json"), reverse=True):
            message = json.loads(path.read_text())
            if message["to"] == to_e164 and message["at"] >= after:
                return re.search(r"(\d{6})", message["body"]).group(1)
        return None
    return wait_for(find)


def seed(app, script: str) -> str:
    """Runs Python against the app's database (a separate process, as an operator would)."""
    code = (
        "import asyncio\n"
        "from server import clock, db\n"
        "from server.config import load_settings\n"
        "async def main():\n"
        "    settings = load_settings()\n"
        "    await db.connect(settings.database_url)\n"
        "    try:\n"
        + "".join(f"        {line}\n" for line in script.strip().splitlines())
        + "    finally:\n"
        "        await db.close()\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=app.env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def submit_cpd_activity(page, title: str, provider: str, hours: int, certificate: str,
                        activity_type: str = "CONFERENCE") -> str:
    """On /record/cpd (already open): an activity completed 30 days ago, with its
    certificate (a file path); returns the id of the recognition application it opens.
    Hours above what the type usually gives are confirmed when the form asks."""
    import datetime as dt

    completed = clock.today() - dt.timedelta(days=30)
    page.fill("#field-title", title)
    page.fill("#field-provider", provider)
    page.select_option("#field-activityType", activity_type)
    page.fill("#field-hours", str(hours))
    page.fill("#field-completedOn", str(completed.day))
    page.fill("#field-completedOn-month", str(completed.month))
    page.fill("#field-completedOn-year", str(completed.year))
    page.set_input_files("#field-certificate", certificate)
    page.click("main form[action='/record/cpd'] button[type=submit]")
    # Either the application page or the hours question, polled from here: the pages' CSP
    # forbids the eval a string predicate of wait_for_function needs.
    for _ in range(300):
        if "new=1" in page.url or page.locator("#field-confirmHours").count():
            break
        page.wait_for_timeout(100)
    confirm = page.locator("#field-confirmHours")
    if "new=1" not in page.url and confirm.count():
        confirm.check()  # the certificate uploaded is kept by the form
        page.click("main form[action='/record/cpd'] button[type=submit]")
    page.wait_for_url(re.compile(r"/applications/[0-9a-f-]{36}\?new=1$"))
    return re.search(r"/applications/([0-9a-f-]{36})", page.url).group(1)


def seeded_sessions(base_url, script: str) -> dict:
    """What a seed script printed last (a JSON object of session tokens and ids), with the
    name of the session cookie those tokens go in."""
    values = json.loads(seed(base_url, script).strip().splitlines()[-1])
    return {**values, "cookie": session_cookie_name(load_settings(
        {"DATA_DIR": str(base_url.data_dir)}))}


def open_as(new_page, base_url, seeded, token: str, lang: str, width: int = 1280):
    """A new page signed in with `token` (from `seeded_sessions`) in `lang`."""
    page = new_page(width=width)
    page.context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": base_url},
                              {"name": seeded["cookie"], "value": token, "url": base_url}])
    return page
