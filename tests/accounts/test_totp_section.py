"""The authenticator section of the security page answers a set-up or a removal with the
state it now has and the matching message, in place (htmx) and as a whole page (no JS):
the page read the caller's account before the mutation changed it, so it showed the
opposite state and the opposite message until a reload."""

import time

import pytest

from server.context import session_cookie_name
from server.domain import otp
from server.i18n import gettext
from tests.conftest import csrf_of
from tests.journeys import PASSWORD, signed_in_practitioner

SET_UP = "Your authenticator app is set up."
REMOVED = "The authenticator app is removed. Codes now come by SMS."
REMOVE_FORM = 'action="/account/security/totp/remove"'
START_FORM = 'action="/account/security/totp"'


def says(text: str, msgid: str) -> bool:
    """In the page's language, whichever the account chose."""
    return msgid in text or gettext("ar", msgid) in text


async def _post(client, path, data, htmx):
    return await client.post(path, data={"csrf_token": csrf_of(client), **data},
                             headers={"hx-request": "true"} if htmx else {})


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
async def test_setting_up_and_removing_the_app_shows_the_new_state_and_its_own_message(
        htmx, browser_like, client, deliver, smtp_server, sms_gateway):
    _, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    browser_like.cookies.set(session_cookie_name(browser_like._transport.app.state.settings),
                             token)
    started = await _post(browser_like, "/account/security/totp", {}, htmx)
    assert started.status_code == 200
    secret = started.text.split('<code dir="ltr">')[1].split("</code>")[0]

    code = otp.hotp(secret, otp.totp_step(time.time()))
    confirmed = await _post(browser_like, "/account/security/totp/confirm", {"code": code}, htmx)
    assert confirmed.status_code == 200
    assert says(confirmed.text, SET_UP)
    assert not says(confirmed.text, REMOVED)
    assert REMOVE_FORM in confirmed.text and START_FORM + " " not in confirmed.text

    removed = await _post(browser_like, "/account/security/totp/remove",
                          {"password": PASSWORD}, htmx)
    assert removed.status_code == 200
    assert says(removed.text, REMOVED)
    assert not says(removed.text, SET_UP)
    assert START_FORM + " " in removed.text and REMOVE_FORM not in removed.text
