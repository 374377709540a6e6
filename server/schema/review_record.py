"""The record's lists (qualifications, experience, licences, CPD) as a reviewer compares
them: each entry frozen at submission (or at a return) against now."""

from __future__ import annotations

import datetime as dt

import strawberry


@strawberry.type(description="One qualification, experience, licence or CPD activity of the "
                             "record: whether it was there when submitted and is there now.")
class RecordEntryComparison:
    section: str = strawberry.field(description="QUALIFICATIONS, EXPERIENCES, LICENCES or "
                                                "CPD.")
    title: str = strawberry.field(description="The degree, workplace, authority or "
                                              "activity's title.")
    place: str | None = strawberry.field(description="The institution, city, licence "
                                                     "reference or provider.")
    country: str | None = strawberry.field(description="An ISO 3166 code.")
    from_date: dt.date | None = strawberry.field(description="Awarded, started, completed.")
    to_date: dt.date | None = strawberry.field(description="Ended, or a licence's expiry.")
    detail: str | None = strawberry.field(description="A verification outcome (PENDING, "
                                                      "POSITIVE, DISCREPANCY, "
                                                      "UNABLE_TO_VERIFY), or CPD hours.")
    reference: str | None = strawberry.field(description="A verification or licence "
                                                         "reference.")
    before: bool | None = strawberry.field(description="On the record when submitted (or "
                                                       "returned); null when that snapshot "
                                                       "did not freeze this section.")
    after: bool = strawberry.field(description="On the record now (or when resubmitted).")


_ENTRY_SHAPE = {  # section → (title, place, country, from, to, detail, reference) keys
    "qualifications": ("degree", "institution", "country", "awarded_on", None,
                       "verification_outcome", "verification_reference"),
    "experiences": ("workplace", "city", "country", "start_date", "end_date", None, None),
    "licences": ("authority", None, "country", None, "expiry_date", None, "reference_number"),
    "cpd": ("title", "provider", None, "completed_on", None, "hours", None),
}


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def entry_rows(rows: list[dict]) -> list[RecordEntryComparison]:
    shaped = []
    for row in rows:
        keys, entry = _ENTRY_SHAPE[row["section"]], row["entry"]

        def value(key, entry=entry):
            return str(entry.get(key)) if key and entry.get(key) not in (None, "") else None

        shaped.append(RecordEntryComparison(
            section=row["section"].upper(), title=value(keys[0]) or "", place=value(keys[1]),
            country=value(keys[2]), from_date=_date(entry.get(keys[3] or "")),
            to_date=_date(entry.get(keys[4] or "")), detail=value(keys[5]),
            reference=value(keys[6]),
            before=row["before"], after=row["after"]))
    return shaped
