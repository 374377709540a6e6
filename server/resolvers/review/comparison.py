"""What a reviewer compares: the record frozen at submission beside the record as it is now,
the answers given, and a personal-data change's values (before, now, asked for)."""

from __future__ import annotations

import datetime as dt

from server.domain import codes
from server.domain.application_details import LEVEL_LABELS
from server.i18n import gettext
from server.models.applications import Application
from server.models.practitioners import Practitioner, Registration
from server.resolvers.kernel.snapshot import COMPARED, record_values, snapshot_values
from server.resolvers.record.personal_data import COLUMNS
from server.resolvers.renewals.renewing import current_questions


def comparison(snapshot: dict | None, practitioner: Practitioner | None,
               registration: Registration | None, lang: str) -> list[dict]:
    """[{field, snapshot, current, changed}]: codes shown as labels in `lang`, compared as
    codes; `changed` only when there is a snapshot to compare with."""
    return _compared(snapshot_values(snapshot), record_values(practitioner, registration),
                     lang)


def comparison_of_snapshots(then: dict | None, now: dict | None, lang: str) -> list[dict]:
    """The same, between two frozen records (at a return, and at the resubmission)."""
    return _compared(snapshot_values(then), snapshot_values(now), lang)


def _compared(then: dict, current: dict, lang: str) -> list[dict]:
    rows = []
    for field, code_kind in COMPARED:
        old, new = then.get(field), current.get(field)

        def shown(value, code_kind=code_kind):
            if value is None or code_kind is None:
                return value
            return codes.label(code_kind, value, lang) or value

        rows.append({"field": field, "snapshot": shown(old), "current": shown(new),
                     "changed": bool(then) and (old or None) != (new or None)})
    return rows


async def answers(kind: str, data: dict | None, lang: str) -> list[dict]:
    """[{code, question, answer}]: a renewal's questions with the applicant's answers; for
    other kinds the plain values of `data` (internal ids and nested values left out)."""
    data = data if isinstance(data, dict) else {}
    if kind == "RENEWAL":
        given = data.get("answers") if isinstance(data.get("answers"), dict) else {}
        asked = await current_questions()
        known = {q.code for q in asked}
        # Answers to questions no longer asked are still shown, by their code.
        return [{"code": q.code, "question": q.text(lang), "answer": given.get(q.code)}
                for q in asked] + [{"code": code, "question": None, "answer": str(answer)}
                                   for code, answer in given.items() if code not in known]
    return [{"code": key, "question": None,
             "answer": None if value is None else _label(key, str(value), lang)}
            for key, value in data.items()
            if key not in ("answers", "changes", "before") and not key.endswith("_id")
            and (value is None or isinstance(value, str | int | float | bool))]


# Coded values of a (re)classification's data: shown to the reviewer by their labels.
CODED = {"category": "category", "rank": "rank", "proposed_rank": "rank",
          "from_rank": "rank", "specialty": "specialty", "from_specialty": "specialty"}


def _label(key: str, value: str, lang: str) -> str:
    if key == "level" and value in LEVEL_LABELS:
        return gettext(lang, LEVEL_LABELS[value])
    kind = CODED.get(key)
    return (codes.label(kind, value, lang) or value) if kind else value


def requested_changes(application: Application, practitioner: Practitioner | None
                      ) -> list[dict]:
    """A personal-data change: per field, the value when asked, now, and the one asked
    for. `current` differing from `before` means the record changed since."""
    if not isinstance(application.data, dict):
        return []
    if application.kind in ("CLASSIFICATION", "RECLASSIFICATION"):
        return _rank_change(application.data, practitioner)
    if application.kind != "PERSONAL_DATA_CHANGE":
        return []
    changes = application.data.get("changes") or {}
    before = application.data.get("before") or {}
    rows = []
    for field, requested in changes.items():
        current = None
        if practitioner is not None and field in COLUMNS:
            value = getattr(practitioner, COLUMNS[field])
            current = value.isoformat() if isinstance(value, dt.date) else str(value)
        rows.append({"field": field, "before": before.get(field), "current": current,
                     "requested": str(requested)})
    return rows


def _rank_change(data: dict, practitioner: Practitioner | None) -> list[dict]:
    """A (re)classification: the rank (and specialty) held when asked, now, and the one
    proposed or set by the reviewer."""
    rows = []
    for field, before_key in (("category", "from_category"), ("rank", "from_rank"),
                              ("specialty", "from_specialty")):
        if not data.get(field):
            continue
        current = getattr(practitioner, field, None) if practitioner is not None else None
        rows.append({"field": field, "before": data.get(before_key) or current,
                     "current": current, "requested": str(data[field])})
    return rows
