"""The one home of the suite's builders: an imported registry record, a signed-in
practitioner who has claimed it, staff accounts, and the helpers that read GraphQL answers."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from server import clock
from server.models.accounts import Account
from server.models.practitioners import Practitioner, Registration
from server.resolvers.accounts.sessions import open_session
from server.resolvers.accounts.staff import create_staff
from tests.conftest import ROOT_CONTRACT, gql
from tests.journeys import signed_in_practitioner

STAFF_PASSWORD = "quiet meadow lantern 9"


def op(name: str) -> str:
    """A contract operation's document, by name."""
    return ROOT_CONTRACT.operation(name)


def errors_of(payload) -> dict:
    """field → code of a payload's UserErrors."""
    return {e["field"]: e["code"] for e in payload["errors"]}


async def staff_session(role: str = "reviewer", email: str | None = None
                        ) -> tuple[Account, str]:
    """A staff account with a session open, as after its TOTP sign-in: (account, bearer
    token). Without `email`, a fresh address each time."""
    account, _ = await create_staff(email or f"{role}-{uuid.uuid4().hex[:6]}@sijil.example",
                                    role, STAFF_PASSWORD)
    return account, await open_session(account)


async def staff_secret(role: str = "reviewer", email: str = "reviewer@sijil.example"
                       ) -> tuple[Account, str]:
    """A staff account and its authenticator secret, to sign in as staff do."""
    account, uri = await create_staff(email, role, STAFF_PASSWORD)
    return account, parse_qs(urlsplit(uri).query)["secret"][0]


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
    `import-practitioners` (server.resolvers.register.csv_import), so every journey that starts
    from it starts where a real practitioner does."""
    from server.resolvers.register.csv_import import COLUMNS, import_practitioners

    today = clock.today()
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
