"""What the employers' tests share: an admin, an organisation with keys made through the
contract's mutations, and a real HTTP receiver on 127.0.0.1 that keeps what it gets and
drops duplicates by webhook-id, as the Standard Webhooks specification asks receivers to."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json

from server.models.accounts import Account
from server.resolvers.accounts.sessions import open_session
from tests.conftest import ROOT_CONTRACT, gql


def identity(i: int) -> str:
    """A valid Saudi national identity number, different for each i."""
    from server.domain.identity import saudi_id_check_digit

    first_nine = f"1{i:08d}"
    return first_nine + saudi_id_check_digit(first_nine)


def op(name: str) -> str:
    return ROOT_CONTRACT.operation(name)


async def admin_token(language: str = "en") -> str:
    account = await Account.create(
        email=f"admin-{language}@sijil.example", mobile="", first_name="Admin", family_name="Staff",
        password_hash="-", status="ACTIVE", roles="ADMIN", language=language,
        email_verified_at=dt.datetime.now(dt.UTC), totp_secret="JBSWY3DPEHPK3PXP")
    return await open_session(account)


async def organization(client, admin: str, name: str = "King Fahd Hospital") -> str:
    body = await gql(client, op("CreateOrganization"), {"input": {
        "nameAr": "مستشفى الملك فهد", "nameEn": name, "contactEmail": "hr@kfh.example"}},
        token=admin)
    payload = body["data"]["createOrganization"]
    assert payload["errors"] == [], payload
    return payload["organization"]["id"]


async def api_key(client, admin: str, organization_id: str,
                  scopes=("WATCH", "REGISTER_READ")) -> tuple[str, str]:
    """(key id, secret)"""
    body = await gql(client, op("CreateApiKey"), {"input": {
        "organizationId": organization_id, "name": "HR system", "scopes": list(scopes)}},
        token=admin)
    payload = body["data"]["createApiKey"]
    assert payload["errors"] == [], payload
    return payload["apiKey"]["id"], payload["secret"]


class Receiver:
    """An employer's endpoint. `answers` are the status codes of the next requests (200
    once they run out); `hold` keeps a request open until it is set."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.processed: dict[str, dict] = {}  # webhook-id -> event, each handled once
        self.answers: list[int] = []
        self.hold: asyncio.Event | None = None
        self.arrived = asyncio.Event()

    def app(self):
        from starlette.applications import Starlette
        from starlette.responses import Response
        from starlette.routing import Route

        async def hook(request):
            body = (await request.body()).decode()
            self.requests.append({"headers": dict(request.headers), "body": body})
            self.arrived.set()
            if self.hold is not None:
                await self.hold.wait()
            status = self.answers.pop(0) if self.answers else 200
            if 200 <= status < 300:
                self.processed.setdefault(request.headers["webhook-id"], json.loads(body))
            return Response(status_code=status)

        return Starlette(routes=[Route("/hooks", hook, methods=["POST"])])

    def types(self) -> list[str]:
        return [json.loads(r["body"])["type"] for r in self.requests]


@contextlib.asynccontextmanager
async def receiving():
    import uvicorn

    receiver = Receiver()
    server = uvicorn.Server(uvicorn.Config(receiver.app(), host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes only this flag
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    receiver.url = f"http://127.0.0.1:{port}/hooks"
    try:
        yield receiver
    finally:
        if receiver.hold is not None:
            receiver.hold.set()
        server.should_exit = True
        await task
