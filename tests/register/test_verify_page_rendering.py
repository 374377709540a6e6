"""The pages' templates translate their constant messages when they compile
(server/templating.py, `CatalogueEnvironment`): the public entry, and every other page, must
come out byte for byte as the plain environment renders them, calling gettext each time."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from jinja2 import DictLoader

from server import templating
from server.clock import today
from server.context import session_cookie_name
from server.i18n import translations
from server.resolvers.accounts.sessions import open_session
from tests.register.helpers import registered
from tests.register.test_public_register import account, practitioner

ENTRIES = {"25-R-0000101": {}, "25-R-0000102": {"suspended": True},
           "25-R-0000103": {"valid_until": dt.date(2024, 1, 31)}}
# A masked CSRF token differs on every render: compared without it. (The sign-up page is
# left out: its captcha challenge differs too.)
TOKEN = re.compile(r'(name="csrf_token" value="|"X-CSRF-Token": ")[^"]*"')


def uncompiled(monkeypatch) -> None:
    """Pages rendered as before: one environment, gettext called on every render."""
    monkeypatch.setattr(templating, "page_environment",
                        lambda lang, reload=True: templating.environment())


async def both_ways(client, monkeypatch, path: str, headers: dict) -> tuple:
    compiled = await client.get(path, headers=headers)
    with monkeypatch.context() as patch:
        uncompiled(patch)
        plain = await client.get(path, headers=headers)
    return compiled, plain


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_entries_render_as_the_plain_environment_renders_them(client, clean_db,
                                                                    monkeypatch, lang):
    for number, state in ENTRIES.items():
        await registered(number=number, **state)
    headers = {"accept": "text/html", "cookie": f"lang={lang}"}
    seen = set()
    for number in [*ENTRIES, "25-R-0009999"]:
        compiled, plain = await both_ways(client, monkeypatch, f"/verify/{number}", headers)
        assert compiled.status_code == plain.status_code
        assert compiled.text == plain.text
        assert compiled.headers["etag"] == plain.headers["etag"]
        seen.add(compiled.status_code)
        assert f'<html lang="{lang}"' in compiled.text
    assert seen == {200, 404}


async def test_the_three_verdicts_are_each_in_their_language(client, clean_db):
    for number, state in ENTRIES.items():
        await registered(number=number, **state)
    wanted = {"ar": ["هذا التسجيل ساري المفعول", "هذا التسجيل موقوف", "انتهت صلاحية هذا التسجيل"],
              "en": ["This registration is active", "This registration is suspended",
                     "This registration has expired"]}
    for lang, verdicts in wanted.items():
        for number, verdict in zip(ENTRIES, verdicts, strict=True):
            page = await client.get(f"/verify/{number}",
                                    headers={"accept": "text/html", "cookie": f"lang={lang}"})
            assert verdict in page.text, (lang, number)


async def test_other_pages_render_as_the_plain_environment_renders_them(
        client, clean_db, monkeypatch, settings):
    await practitioner()
    owner = await account("owner@example.com")
    await registered(number="25-R-0000104", valid_until=today() + dt.timedelta(days=30))
    session = await open_session(owner)
    for cookie in ("", f"{session_cookie_name(settings)}={session}"):
        for lang in ("ar", "en"):
            headers = {"accept": "text/html", "cookie": f"lang={lang}; {cookie}"}
            for path in ("/verify", "/verify?q=محمد", "/verify?q=a", "/login",
                         "/", "/verify/25-R-0004321"):
                compiled, plain = await both_ways(client, monkeypatch, path, headers)
                assert compiled.status_code == plain.status_code, path
                assert TOKEN.sub("", compiled.text) == TOKEN.sub("", plain.text), path


def test_a_message_renders_as_the_call_would_escaped_formatted_and_with_percent_signs():
    source = ('{{ _("Sign in") }}|{{ _("100%% of <b>%(n)s</b>", n="<i>") }}|'
              '{% trans n="<x>" %}Hello {{ n }} 5%%{% endtrans %}|{{ _(name) }}|'
              '{{ _("50% off") if name == "x" else "" }}')
    values = {"lang": "en", "name": "Sign in"}
    plain = templating.environment().from_string(source).render(**values)
    compiled = templating.page_environment("en").from_string(source).render(**values)
    assert compiled == plain
    assert "100% of <b>&lt;i&gt;</b>" in compiled and "Hello &lt;x&gt;" in compiled
    # The constants are in the compiled code; only `_(name)` and the message that cannot be
    # formatted ("50% off") keep their calls.
    code = templating.page_environment("en").compile(source, raw=True)
    assert "yield 'Sign in|100% of <b>&lt;i&gt;</b>|'" in code
    assert code.count("context.call(") == 2
    assert templating.environment().compile(source, raw=True).count("context.call(") == 5


def test_a_reloaded_catalogue_gives_a_new_page_environment():
    first = templating.page_environment("ar")
    assert templating.page_environment("ar") is first
    translations.cache_clear()
    again = templating.page_environment("ar")
    assert again is not first and again.catalogue is translations("ar")


def test_a_template_that_rebinds_the_gettext_name_keeps_its_calls():
    env = templating.page_environment("en")
    source = '{% set _ = gettext %}{{ _("Sign in") }}'
    assert "gettext" in env.compile(source, raw=True).split("def root", 1)[1]
    # Called at render time, so it follows the render's language, as before.
    assert env.from_string(source).render(lang="ar") == translations("ar").gettext("Sign in")


def test_components_that_read_nothing_from_the_context_are_imported_once():
    env = templating.page_environment("en")
    code = env.compile(env.loader.get_source(env, "register/_details.html")[0], raw=True)
    assert "make_module" not in code and "_get_default_module" in code
    # The form components read the page's CSRF token: still imported with the context.
    form_user = '{% from "components/form.html" import csrf with context %}'
    assert "make_module" in env.compile(form_user, raw=True)


def test_a_context_free_import_follows_a_change_of_the_imported_template():
    sources = {"parts.html": "{% macro hello() %}{{ _('Sign in') }}{% endmacro %}",
               "page.html": '{% from "parts.html" import hello with context %}{{ hello() }}'}
    env = templating._configured(templating.CatalogueEnvironment("en", translations("en")))
    env.loader = DictLoader(sources)
    assert env.get_template("page.html").render(lang="en") == "Sign in"
    sources["parts.html"] = "{% macro hello() %}{{ lang }}: {{ _('Sign in') }}{% endmacro %}"
    assert env.get_template("page.html").render(lang="en") == "en: Sign in"
    env.auto_reload = False  # production: the files do not change, nobody looks
    sources["parts.html"] = "{% macro hello() %}changed{% endmacro %}"
    assert env.get_template("page.html").render(lang="en") == "en: Sign in"
