"""An imported registry record, and a signed-in practitioner who has claimed it."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from server.models.practitioners import Practitioner, Registration
from tests.conftest import gql
from tests.journeys import signed_in_practitioner

MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")

CLAIM = """mutation ClaimPractitionerRecord($input: ClaimPractitionerRecordInput!) {
  claimPractitionerRecord(input: $input) {
    practitioner { id registrationNumber }
    errors { field code message }
  }
}"""


async def imported_record(number: str = "24-R-0000101", identity: str = "1000000008",
                          born: dt.date = dt.date(1985, 4, 12), valid_for_days: int = 60,
                          category: str = "PHYSICIAN", rank: str = "CONSULTANT",
                          specialty: str = "INTERNAL_MEDICINE") -> Practitioner:
    """A registry record as the regulator loads it: one CSV row through
    `import-practitioners` (server.resolvers.registry_import), so every journey that starts
    from it starts where a real practitioner does."""
    from server.resolvers.registry_import import COLUMNS, import_practitioners

    today = dt.date.today()
    valid_until = today + dt.timedelta(days=valid_for_days)
    row = {
        "registration_number": number,
        "identity_type": "NATIONAL_ID" if identity.startswith("1") else "IQAMA",
        "identity_number": identity, "first_name_ar": "سارة", "father_name_ar": "محمد",
        "grandfather_name_ar": "علي", "family_name_ar": "القحطاني", "first_name_en": "Sara",
        "father_name_en": "Mohammed", "grandfather_name_en": "Ali",
        "family_name_en": "Alqahtani", "date_of_birth": born.isoformat(), "gender": "F",
        "nationality": "SA", "category": category, "specialty": specialty, "rank": rank,
        "registration_valid_from": (valid_until - dt.timedelta(days=3 * 365)).isoformat(),
        "registration_valid_until": valid_until.isoformat(),
    }
    with tempfile.TemporaryDirectory(prefix="sijil-registry-") as folder:
        path = Path(folder) / "registry.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerow(row)
        summary = await import_practitioners(path, today=today)
        rejected = summary.rejected_path.read_text() if summary.rejected_path else ""
    assert summary.created + summary.updated + summary.unchanged == 1, rejected
    return await Practitioner.get(identity_number=identity)


async def upload(client, token: str, kind: str = "EXPERIENCE_CERTIFICATE",
                 content: bytes = MINIMAL_PDF, name: str = "certificate.pdf") -> str:
    response = await client.post("/api/documents", headers={"authorization": f"Bearer {token}"},
                                 files={"file": (name, content, "application/pdf")},
                                 data={"kind": kind})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def claimed_practitioner(client, deliver, smtp_server, sms_gateway, **record):
    """(account, token, practitioner): signed in and linked to an imported record."""
    practitioner = await imported_record(**record)
    account, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    registration = await Registration.get(practitioner_id=practitioner.id)
    claimed = await gql(client, CLAIM, {"input": {
        "registrationNumber": registration.number,
        "identityNumber": practitioner.identity_number,
        "dateOfBirth": practitioner.date_of_birth.isoformat()}}, token=token)
    assert claimed["data"]["claimPractitionerRecord"]["errors"] == []
    return account, token, practitioner
