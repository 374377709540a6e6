"""S8: a full renewal over GraphQL against the running server, as a client app does it
(tests/test_renewal.py): StartRenewal → AnswerRenewalQuestions → AttachDocuments →
SubmitRenewal → PayApplication → the sandbox's signed callback POSTed to
/payments/webhook/sandbox → the renewal is APPROVED. Each request's duration is measured
at the client on loopback; the documents are uploaded first (timed separately, not part
of the total).

    BASE=http://127.0.0.1:P python -m bench.renewal_flow SEED.json   # prints RENEWJSON {...}
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx
from bench.common import NoCookies, operation, settings_from_env

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
STEPS = ["StartRenewal", "AnswerRenewalQuestions", "AttachDocuments", "SubmitRenewal",
         "PayApplication", "webhook"]


async def one(client: httpx.AsyncClient, token: str, gateway) -> dict:
    auth = {"authorization": f"Bearer {token}"}
    times: dict[str, float] = {}

    async def gql(name: str, variables: dict) -> dict:
        started = time.perf_counter()
        r = await client.post("/graphql", json={"query": operation(name),
                                                "variables": variables}, headers=auth)
        times[name] = (time.perf_counter() - started) * 1000
        data = r.json()
        assert r.status_code == 200 and not data.get("errors"), (name, r.text)
        return data["data"]

    upload_ms = 0.0
    documents = []
    for kind in ("EMPLOYER_LETTER", "BLS_CERTIFICATE"):
        started = time.perf_counter()
        r = await client.post("/api/documents", headers=auth, data={"kind": kind},
                              files={"file": ("letter.pdf", PDF, "application/pdf")})
        upload_ms += (time.perf_counter() - started) * 1000
        assert r.status_code == 201, r.text
        documents.append({"kind": kind, "documentId": r.json()["id"]})

    started = (await gql("StartRenewal", {"input": {"years": 1}}))["startRenewal"]
    assert not started["errors"], started
    renewal_id = started["renewal"]["id"]
    answered = (await gql("AnswerRenewalQuestions", {"input": {"renewalId": renewal_id, "answers": [
        {"code": "PRACTISING_IN_KINGDOM", "answer": "YES"},
        {"code": "DISCIPLINARY_ACTION", "answer": "NO"},
        {"code": "VALID_BLS", "answer": "YES"}]}}))["answerRenewalQuestions"]
    assert not answered["errors"], answered
    attached = (await gql("AttachDocuments", {"input": {
        "applicationId": renewal_id, "documents": documents}}))["attachDocuments"]
    assert not attached["errors"], attached
    submitted = (await gql("SubmitRenewal", {"input": {"renewalId": renewal_id}})
                 )["submitRenewal"]
    assert not submitted["errors"], submitted
    paid = (await gql("PayApplication", {"input": {"applicationId": renewal_id,
                                                   "method": "MADA"}}))["payApplication"]
    assert not paid["errors"], paid
    payment = paid["payment"]
    halalas = int(Decimal(payment["amount"]["amount"]) * 100)
    raw, headers = gateway.callback(f"sbx_{payment['id']}", "paid", halalas,
                                    payment["amount"]["currency"], {"payment_id": payment["id"]})
    t = time.perf_counter()
    r = await client.post("/payments/webhook/sandbox", content=raw.encode(), headers=headers)
    times["webhook"] = (time.perf_counter() - t) * 1000
    assert r.status_code == 200, r.text
    view = await client.post("/graphql", headers=auth, json={
        "query": operation("Renewal"), "variables": {"id": renewal_id}})
    status = view.json()["data"]["renewal"]["status"]
    return {"steps_ms": {k: round(v, 1) for k, v in times.items()},
            "total_ms": round(sum(times.values()), 1), "upload_ms": round(upload_ms, 1),
            "final_status": status, "webhook_outcome": r.json().get("outcome")}


async def main_async(seed: dict, base: str) -> dict:
    from server.integrations.payments.sandbox import SandboxGateway

    gateway = SandboxGateway(settings_from_env())
    runs = []
    async with httpx.AsyncClient(base_url=base, timeout=60, cookies=NoCookies()) as client:
        for ready in seed["renewals"]:
            runs.append(await one(client, ready["token"], gateway))
    totals = [r["total_ms"] for r in runs]
    per_step = {s: round(statistics.median(r["steps_ms"][s] for r in runs), 1) for s in STEPS}
    return {"runs": runs, "median_total_ms": round(statistics.median(totals), 1),
            "max_total_ms": max(totals), "median_step_ms": per_step,
            "all_approved": all(r["final_status"] == "APPROVED" for r in runs)}


def main() -> None:
    seed = json.loads(Path(sys.argv[1]).read_text())
    result = asyncio.run(main_async(seed, os.environ["BASE"]))
    print("RENEWJSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
