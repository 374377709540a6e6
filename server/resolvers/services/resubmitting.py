"""Answering a return for correction, for every kind of application: an answer to each of
the reviewer's points, what the applicant changed on the application itself, documents
added; back to the reviewers as SUBMITTED, with no second fee (it was paid once). The record
is frozen again, so the reviewer compares it with the one frozen at the return."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from server import clock
from server.domain.errors import DomainError, Problems
from server.i18n import N_
from server.models.applications import Application, ApplicationDocument
from server.models.practitioners import Registration
from server.resolvers.kernel import audit, documents, lifecycle
from server.resolvers.kernel.access import require_account
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.corrections import EDITABLE, open_correction
from server.resolvers.kernel.snapshot import freeze
from server.resolvers.kernel.status_notices import notify_status

MAX_ANSWER_CHARS = 2000
MAX_DOCUMENTS = 10
MAX_CHANGE_CHARS = 1000


async def resubmit(ctx: Caller, application_id: str, answers: list[str],
                   document_ids: list[str], changes: dict[str, str]) -> Application:
    account = require_account(ctx)
    application = await lifecycle.mine(account.id, application_id)
    if application.status != "RETURNED":
        raise DomainError("INVALID_STATE", None, N_(
            "Only an application returned to you for correction can be sent back."))
    correction = open_correction(application.data) or {"points": []}
    points = correction.get("points") or []
    problems = Problems()
    answers = [str(a or "").strip() for a in answers or []]
    for n, _point in enumerate(points):
        given = answers[n] if n < len(answers) else ""
        if not given:
            problems.add("REQUIRED", f"answers.{n}", N_(
                "Answer point %(n)s: say what you corrected."), n=n + 1)
        elif len(given) > MAX_ANSWER_CHARS:
            problems.add("INVALID", f"answers.{n}", N_("Use at most %(limit)s characters."),
                         limit=MAX_ANSWER_CHARS)
    allowed = EDITABLE.get(application.kind, {})
    data_changes = {}
    for field, value in (changes or {}).items():
        if field not in allowed:
            problems.add("INVALID", field, N_("This detail cannot be changed here."))
            continue
        value = str(value or "").strip()
        if not value and allowed[field] != "note":
            problems.add("REQUIRED", field)
        elif len(value) > MAX_CHANGE_CHARS:
            problems.add("INVALID", field, N_("Use at most %(limit)s characters."),
                         limit=MAX_CHANGE_CHARS)
        else:
            data_changes[allowed[field]] = value
    if len(document_ids or []) > MAX_DOCUMENTS:
        problems.add("INVALID", "documentIds", N_("Attach at most %(limit)s documents."),
                     limit=MAX_DOCUMENTS)
    problems.raise_if_any()
    added = await documents.owned_documents(account, document_ids or [], "documentIds")
    async with in_transaction():
        if application.practitioner_id:
            await lifecycle.lock_practitioner(application.practitioner_id)
        already = set(await ApplicationDocument.filter(application_id=application.id)
                      .values_list("document_id", flat=True))
        fresh = [d for d in added if d.id not in already]
        for document in fresh:
            await ApplicationDocument.create(application_id=application.id,
                                             document_id=document.id, kind="EVIDENCE")
        await documents.mark_attached([d.id for d in fresh])
        data = dict(application.data or {})
        before = {key: data.get(key) for key in data_changes}
        data.update(data_changes)
        rounds = list(data.get("corrections") or [])
        answered = {**correction, "answers": answers[:len(points)],
                    "added_documents": [str(d.id) for d in fresh],
                    "changed": {k: {"before": before[k], "after": v}
                                for k, v in data_changes.items() if before[k] != v},
                    "resubmitted_at": clock.now().isoformat()}
        if rounds and rounds[-1] is not None and not rounds[-1].get("resubmitted_at"):
            rounds[-1] = answered
        else:
            rounds.append(answered)
        data["corrections"] = rounds
        snapshot = application.snapshot
        if application.practitioner_id:
            practitioner = await lifecycle.practitioner_of(application)
            registration = await Registration.get_or_none(practitioner_id=practitioner.id)
            snapshot = await freeze(practitioner, registration, data.get("answers")
                                    if isinstance(data.get("answers"), dict) else None)
        moved = await lifecycle.transition(application, "SUBMITTED", actor_id=account.id,
                                           actor_kind="APPLICANT", data=data,
                                           snapshot=snapshot)
        await audit.record("application.resubmitted", actor=account, ip=ctx.ip,
                           target_type="application", target_id=application.id,
                           kind=application.kind, documents=len(fresh))
        await notify_status(ctx.settings, moved)
    return moved
