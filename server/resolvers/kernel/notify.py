"""Emails and SMS in the recipient's language, rendered now and queued in the outbox (so
they commit or roll back with the change that causes them)."""

from __future__ import annotations

import base64

from server.config import Settings
from server.domain.names import greeting_name
from server.i18n import direction, gettext, ltr
from server.models.practitioners import Practitioner
from server.resolvers.kernel.outbox import enqueue_email, enqueue_sms
from server.templating import environment, render_block

# Emails whose link is a secret (it proves the address, or resets the password): the inbox
# lists them without their text.
PRIVATE_TEMPLATES = frozenset({"confirm_email", "confirm_email_change", "reset_password"})


async def email(settings: Settings, to: str, lang: str, template: str,
                dedupe_key: str | None = None, attachments: list[dict] | None = None,
                **values) -> None:
    """web/templates/email/<template>.html defines the blocks subject, text and body.
    `attachments`: [{"filename", "content_type", "data": bytes}], or "card": a registration
    number whose card the worker draws when it sends."""
    name = f"email/{template}.html"
    if "name" in values:
        values["name"] = await _greeted(to, lang, values["name"] or "")
    data = {"lang": lang, "dir": direction(lang), "base_url": settings.base_url, **values}
    env = environment()
    subject = " ".join(render_block(name, "subject", **data).split())
    text = render_block(name, "text", **data).strip() + "\n"
    html = env.get_template(name).render(**data)
    await enqueue_email(to, subject, text, html, dedupe_key=dedupe_key,
                        private=template in PRIVATE_TEMPLATES, attachments=[
        {"filename": a["filename"], "content_type": a["content_type"],
         **({"card": a["card"]} if "card" in a
            else {"data_b64": base64.b64encode(a["data"]).decode()})}
        for a in attachments or []])


async def _greeted(to: str, lang: str, account_name: str) -> str:
    """The name in the email's language: the record's, when the address has one."""
    names = await Practitioner.filter(account__email=to).first().values(
        "first_name_ar", "first_name_en")
    return greeting_name(lang, account_name, **(
        {"name_ar": names["first_name_ar"], "name_en": names["first_name_en"]}
        if names else {}))


async def sms(to: str, lang: str, msgid: str, dedupe_key: str | None = None,
              private: bool = False, reference: str | None = None, **values) -> None:
    """`private`: a one-time code, not shown in the inbox. `reference`: the application's,
    quoted after the message (isolated left to right, so "A-2026-000123" reads the same in
    an Arabic SMS)."""
    text = gettext(lang, msgid, **values)
    if reference:
        text += " " + gettext(lang, "Reference: %(reference)s", reference=ltr(reference))
    await enqueue_sms(to, text, dedupe_key=dedupe_key, private=private)
