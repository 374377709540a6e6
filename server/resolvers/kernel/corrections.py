"""A return for correction, and its answer: when a reviewer returns an application, the
points to correct (one a line of "what to correct") and the record and documents as they
were are kept in the application's data under "corrections"; the applicant's resubmission
adds an answer per point and the documents added. The reviewer then sees what changed
since the return."""

from __future__ import annotations

import re

from server import clock
from server.models.applications import Application, ApplicationDocument
from server.models.practitioners import Practitioner, Registration
from server.resolvers.kernel.snapshot import freeze

MAX_POINTS = 20
# What an applicant may change on the application itself, per kind (input name → data
# key); everything else they change on their record, which is frozen again.
EDITABLE = {
    "TRAINING_CERTIFICATE": {"programme": "programme", "institution": "institution"},
    "RECLASSIFICATION": {"note": "note"},
    "CLASSIFICATION": {"examReference": "exam_reference"},
    "QUALIFICATION_EVALUATION": {"degree": "degree"},
    "PERSONAL_DATA_CHANGE": {"note": "note"},
}
_BULLET = re.compile(r"^\s*(?:[-*•–]|\(?\d{1,2}[.)\-]|\(?[\u0660-\u0669]{1,2}[.)\-])\s*")


def points_of(what_to_fix: str) -> list[str]:
    """The points to correct: one a line, list marks ("-", "•", "1.", "١.") taken off."""
    points = [_BULLET.sub("", line).strip() for line in (what_to_fix or "").splitlines()]
    points = [p for p in points if p]
    if len(points) > MAX_POINTS:  # a long text is not 40 points: the rest stays in the last
        points = [*points[:MAX_POINTS - 1], " ".join(points[MAX_POINTS - 1:])]
    return points


async def opened(application: Application, reason: str, what_to_fix: str) -> None:
    """Inside the returning transaction."""
    record = None
    if application.practitioner_id is not None:
        practitioner = await Practitioner.get(id=application.practitioner_id)
        registration = await Registration.get_or_none(practitioner_id=practitioner.id)
        record = await freeze(practitioner, registration)
    attached = await ApplicationDocument.filter(application_id=application.id) \
        .values_list("document_id", flat=True)
    data = dict(application.data or {})
    data["corrections"] = [*corrections_of(data), {
        "returned_at": clock.now().isoformat(), "reason": reason,
        "points": points_of(what_to_fix) or ([reason] if reason else []),
        "record": record, "documents": [str(d) for d in attached],
        "answers": None, "added_documents": [], "resubmitted_at": None}]
    await Application.filter(id=application.id).update(data=data)
    application.data = data


def corrections_of(data: dict | None) -> list[dict]:
    value = (data or {}).get("corrections") if isinstance(data, dict) else None
    return [c for c in value if isinstance(c, dict)] if isinstance(value, list) else []


def open_correction(data: dict | None) -> dict | None:
    """The latest return not answered yet, else None."""
    rounds = corrections_of(data)
    return rounds[-1] if rounds and not rounds[-1].get("resubmitted_at") else None


def latest_answered(data: dict | None) -> dict | None:
    rounds = corrections_of(data)
    return rounds[-1] if rounds and rounds[-1].get("resubmitted_at") else None
