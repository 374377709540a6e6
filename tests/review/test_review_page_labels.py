"""Issue 21, points 3 and 9 on a reviewer's application page: labels in the reviewer's
language instead of codes, the documents' real kinds, system reasons in the reader's language,
a reviewer's text isolated (<bdi>) so its full stop stays with it in Arabic, and times in
Riyadh's time, never UTC."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from server.models.applications import ApplicationDocument, ApplicationEvent
from server.models.documents import Document
from tests.review.test_review import staff_browser, submitted


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_the_application_page_speaks_the_reviewers_language(browser_like, settings, lang):
    await staff_browser(browser_like, settings, email=f"staff-reports-{lang}@sijil.example",
                        lang=lang)
    with time_machine.travel(dt.datetime(2026, 12, 3, 22, 30, tzinfo=dt.UTC), tick=False):
        application = await submitted("RECLASSIFICATION", data={
            "targetRank": "CONSULTANT", "targetSpecialty": "INTERNAL_MEDICINE"})
        await ApplicationEvent.create(application=application, from_status="AWAITING_PAYMENT",
                                      to_status="SUBMITTED", reason="payment confirmed")
        await ApplicationEvent.create(application=application, from_status="SUBMITTED",
                                      to_status="RETURNED", reason="The scan is unreadable.")
    bls = await Document.create(owner_id=application.applicant_id, kind="BLS_CERTIFICATE",
                                content_type="application/pdf", size=10, sha256="0" * 64,
                                storage_key="p-bls", original_name="bls.pdf")
    await ApplicationDocument.create(application=application, document=bls, kind="EVIDENCE")
    page = (await browser_like.get(f"/review/{application.id}")).text
    main = page[page.index("<main"):]
    for code in ("PHYSICIAN", "INTERNAL_MEDICINE", ">CONSULTANT<", "payment confirmed", "UTC"):
        assert code not in main, code
    assert "2026-12-04 01:30" in main  # 22:30 UTC is 01:30 the next day in Riyadh
    assert "<bdi>The scan is unreadable.</bdi>" in main
    if lang == "ar":
        assert "تأكّد الدفع" in main and "شهادة دعم الحياة الأساسي" in main
        assert "الطب الباطني" in main  # the specialty's Arabic name
        assert "مستند داعم" not in main
    else:
        assert "Payment confirmed" in main and "BLS certificate" in main
        assert "Internal" in main and "Supporting evidence" not in main
