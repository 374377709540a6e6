"""The Moyasar gateway against a local stand-in that answers as Moyasar's documentation
describes (invoices as the hosted page, payments, refunds, Basic auth with the secret key),
and the renewal journey paid through it: the payer is sent to the invoice's URL, the
stand-in "pays", a Moyasar-shaped webhook reaches /payments/webhook/moyasar and the resolver
asks the stand-in for the invoice before applying anything."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime as dt
import json
import socket
import uuid

import httpx
import pytest
import pytest_asyncio

from server.domain.applications import registration_valid_until
from server.integrations.payments import (
    CallbackRejected,
    GatewayError,
    NewPayment,
    gateway_for,
)
from server.integrations.payments.moyasar import MoyasarGateway
from server.models.applications import Application
from server.models.payments import Payment, PaymentEvent
from server.models.practitioners import Registration
from tests.conftest import gql, serving
from tests.renewals.test_renewal import (
    assert_card_and_register,
    op,
    ready_practitioner,
    start_answer_attach,
)

SECRET_KEY = "sk_test_x"
WEBHOOK_SECRET = "test-webhook-secret"  # PAYMENT_WEBHOOK_SECRET in conftest's settings


# ------------------------------------------------------------------ the stand-in

class MoyasarStandIn:
    """Answers like api.moyasar.com/v1 for what the gateway uses, and keeps every request."""

    def __init__(self) -> None:
        self.url = ""
        self.requests: list[dict] = []
        self.invoices: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.fail_next = 0
        self.delay = 0.0

    def calls(self, method: str, path: str | None = None) -> list[dict]:
        return [r for r in self.requests
                if r["method"] == method and (path is None or r["path"] == path)]

    def app(self):
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        expected_auth = "Basic " + base64.b64encode(f"{SECRET_KEY}:".encode()).decode()

        async def guard(request):
            body = await request.body()
            self.requests.append({"method": request.method, "path": request.url.path,
                                  "auth": request.headers.get("authorization"),
                                  "json": json.loads(body) if body else None})
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.fail_next:
                self.fail_next -= 1
                return JSONResponse({"type": "api_error", "message": "unavailable"}, 503)
            if request.headers.get("authorization") != expected_auth:
                return JSONResponse({"type": "authentication_error",
                                     "message": "Invalid authorization credentials"}, 401)
            return None

        async def create_invoice(request):
            if refused := await guard(request):
                return refused
            data = self.requests[-1]["json"] or {}
            amount = data.get("amount")
            if not isinstance(amount, int) or amount < 100 or not data.get("description"):
                return JSONResponse({"type": "invalid_request_error",
                                     "message": "Validation Failed", "errors": {}}, 400)
            invoice_id = str(uuid.uuid4())
            now = dt.datetime.now(dt.UTC).isoformat()
            self.invoices[invoice_id] = invoice = {
                "id": invoice_id, "status": "initiated", "amount": amount,
                "currency": data.get("currency", "SAR"), "description": data["description"],
                "logo_url": None, "amount_format": f"{amount / 100:.2f} SAR",
                "url": f"{self.url}/checkout/invoices/{invoice_id}",
                "callback_url": data.get("callback_url"), "expired_at": data.get("expired_at"),
                "created_at": now, "updated_at": now, "back_url": data.get("back_url"),
                "success_url": data.get("success_url"), "payments": [],
                "metadata": data.get("metadata")}
            return JSONResponse(invoice, 201)

        async def show_invoice(request):
            if refused := await guard(request):
                return refused
            invoice = self.invoices.get(request.path_params["id"])
            if invoice is None:
                return JSONResponse({"type": "record_not_found", "message": "Not found"}, 404)
            return JSONResponse(invoice)

        async def show_payment(request):
            if refused := await guard(request):
                return refused
            payment = self.payments.get(request.path_params["id"])
            if payment is None:
                return JSONResponse({"type": "record_not_found", "message": "Not found"}, 404)
            return JSONResponse(payment)

        async def refund_payment(request):
            if refused := await guard(request):
                return refused
            payment = self.payments.get(request.path_params["id"])
            if payment is None:
                return JSONResponse({"type": "record_not_found", "message": "Not found"}, 404)
            amount = (self.requests[-1]["json"] or {}).get("amount", payment["amount"])
            payment.update(status="refunded", refunded=amount)
            if payment.get("invoice_id"):
                self.invoices[payment["invoice_id"]]["status"] = "refunded"
            return JSONResponse(payment)

        return Starlette(routes=[
            Route("/v1/invoices", create_invoice, methods=["POST"]),
            Route("/v1/invoices/{id}", show_invoice, methods=["GET"]),
            Route("/v1/payments/{id}", show_payment, methods=["GET"]),
            Route("/v1/payments/{id}/refund", refund_payment, methods=["POST"]),
        ])

    def pay(self, invoice_id: str, outcome: str = "paid") -> dict:
        """The payer completes (or fails) a payment attempt on the invoice's page."""
        invoice = self.invoices[invoice_id]
        now = dt.datetime.now(dt.UTC).isoformat()
        payment = {
            "id": str(uuid.uuid4()), "status": outcome, "amount": invoice["amount"], "fee": 0,
            "currency": invoice["currency"], "refunded": 0, "refunded_at": None,
            "captured": 0, "captured_at": None, "voided_at": None,
            "description": invoice["description"], "invoice_id": invoice_id,
            "ip": "127.0.0.1", "callback_url": invoice["url"], "created_at": now,
            "updated_at": now, "metadata": invoice["metadata"],
            "source": {"type": "creditcard", "company": "mada", "name": "Sara Alqahtani",
                       "number": "4201-32XX-XXXX-1010", "message": "APPROVED"}}
        self.payments[payment["id"]] = payment
        invoice["payments"].append(payment)
        if outcome == "paid":
            invoice["status"] = "paid"
        return payment


def webhook(payment: dict, secret: str | None = WEBHOOK_SECRET, event_type: str | None = None,
            created_at: dt.datetime | None = None, **changes) -> bytes:
    """A Moyasar webhook delivery: the documented envelope around the payment object."""
    body = {"id": str(uuid.uuid4()),
            "type": event_type or f"payment_{payment['status']}",
            "created_at": (created_at or dt.datetime.now(dt.UTC)).isoformat()
            .replace("+00:00", "Z"),
            "secret_token": secret, "account_name": "Sijil", "live": False,
            "data": {**payment, **changes}}
    if secret is None:
        del body["secret_token"]
    return json.dumps(body).encode()


@pytest_asyncio.fixture
async def moyasar_api():
    import uvicorn

    standin = MoyasarStandIn()
    server = uvicorn.Server(uvicorn.Config(standin.app(), host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes only this flag
        await asyncio.sleep(0.01)
    standin.url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    yield standin
    server.should_exit = True
    await task


def moyasar_settings(settings, api: MoyasarStandIn, **more):
    return dataclasses.replace(settings, payment_provider="moyasar",
                               moyasar_api_url=f"{api.url}/v1", moyasar_secret_key=SECRET_KEY,
                               moyasar_publishable_key="pk_test_x", **more)


@pytest_asyncio.fixture
async def moyasar_live(settings, clean_db, moyasar_api):
    """Like conftest's `live`, with PAYMENT_PROVIDER=moyasar against the stand-in."""
    async with serving(lambda url: moyasar_settings(settings, moyasar_api, base_url=url)) \
            as running:
        running.api = moyasar_api
        yield running


async def awaiting_payment(live, deliver, smtp_server, sms_gateway) -> tuple[str, str]:
    """(token, renewal id): a renewal that meets every rule, submitted, waiting for payment."""
    _, token, _ = await ready_practitioner(live, deliver, smtp_server, sms_gateway)
    renewal_id = await start_answer_attach(live, token, years=1)
    submitted = (await gql(live.client, op("SubmitRenewal"), {"input": {
        "renewalId": renewal_id}}, token=token))["data"]["submitRenewal"]
    assert submitted["errors"] == []
    assert submitted["renewal"]["status"] == "AWAITING_PAYMENT"
    return token, renewal_id


async def pay_application(live, token, renewal_id, method="MADA") -> dict:
    return (await gql(live.client, op("PayApplication"), {"input": {
        "applicationId": renewal_id, "method": method}}, token=token, lang="en")
    )["data"]["payApplication"]


async def post_webhook(live, body: bytes) -> httpx.Response:
    return await live.client.post("/payments/webhook/moyasar", content=body,
                                  headers={"content-type": "application/json"})


# ------------------------------------------------------------------ the journey

async def test_a_renewal_paid_on_moyasars_hosted_page_is_approved(
        moyasar_live, deliver, smtp_server, sms_gateway):
    live, api = moyasar_live, moyasar_live.api
    token, renewal_id = await awaiting_payment(live, deliver, smtp_server, sms_gateway)
    before = await Registration.get(practitioner_id=(await Application.get(id=renewal_id))
                                    .practitioner_id)

    paid = await pay_application(live, token, renewal_id)
    assert paid["errors"] == [], paid["errors"]
    payment_id = paid["payment"]["id"]
    [created] = api.calls("POST", "/v1/invoices")
    [invoice_id] = api.invoices
    # The payer is sent to the stand-in's hosted page for that invoice.
    assert paid["payment"]["redirectUrl"] == f"{api.url}/checkout/invoices/{invoice_id}"
    assert paid["payment"]["sadadBillNumber"] is None
    assert created["auth"] == "Basic " + base64.b64encode(b"sk_test_x:").decode()
    sent = created["json"]
    assert sent["amount"] == 25000 and isinstance(sent["amount"], int)  # 250.00 SAR
    assert sent["currency"] == "SAR"
    return_url = f"{live.url}/applications/{renewal_id}/payment/{payment_id}"
    assert sent["success_url"] == return_url and sent["back_url"] == return_url
    assert sent["metadata"] == {"payment_id": payment_id, "application_id": renewal_id,
                                "idempotency_key": f"sijil-{payment_id}"}
    # No invoice callback (it would carry no secret_token); no undocumented given_id.
    assert "callback_url" not in sent and "given_id" not in sent
    expires = dt.datetime.fromisoformat(sent["expired_at"].replace("Z", "+00:00"))
    assert dt.timedelta(minutes=55) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=1)

    stored = await Payment.get(id=payment_id)
    assert (stored.provider, stored.provider_payment_id, stored.status) == (
        "moyasar", invoice_id, "INITIATED")
    assert stored.expires_at == expires

    # The payer pays; Moyasar's webhook names the payment, whose invoice_id is ours.
    moyasar_payment = api.pay(invoice_id)
    assert moyasar_payment["id"] != invoice_id
    body = webhook(moyasar_payment)
    response = await post_webhook(live, body)
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "applied"
    # Applied only after asking Moyasar for the invoice, with the secret key.
    [asked] = api.calls("GET", f"/v1/invoices/{invoice_id}")
    assert asked["auth"] == created["auth"]

    assert (await Payment.get(id=payment_id)).status == "PAID"
    renewal = await Application.get(id=renewal_id)
    assert renewal.status == "APPROVED"
    after = await Registration.get(practitioner_id=renewal.practitioner_id)
    assert after.valid_from == before.valid_until + dt.timedelta(days=1)
    assert after.valid_until == registration_valid_until(after.valid_from, 1)

    [event] = await PaymentEvent.filter(provider="moyasar")
    assert event.event_id == json.loads(body)["id"] and event.payment_id == stored.id
    assert "secret_token" not in event.payload  # the shared secret is not stored
    assert event.payload["data"]["invoice_id"] == invoice_id

    again = await post_webhook(live, body)  # Moyasar retries the same event
    assert again.json()["outcome"] == "duplicate"
    await deliver()
    # The new card, by email and by download, and the public register, at once.
    await assert_card_and_register(live, smtp_server, token, after)


async def test_a_callback_without_the_shared_secret_is_refused(
        moyasar_live, deliver, smtp_server, sms_gateway):
    live, api = moyasar_live, moyasar_live.api
    token, renewal_id = await awaiting_payment(live, deliver, smtp_server, sms_gateway)
    paid = await pay_application(live, token, renewal_id)
    [invoice_id] = api.invoices
    moyasar_payment = api.pay(invoice_id)
    for secret in ("wrong-secret", WEBHOOK_SECRET[:-1], "", None):
        response = await post_webhook(live, webhook(moyasar_payment, secret=secret))
        assert response.status_code == 401, (secret, response.text)
    assert api.calls("GET") == []  # refused before anything else
    assert await PaymentEvent.all().count() == 0
    assert (await Payment.get(id=paid["payment"]["id"])).status == "INITIATED"
    assert (await Application.get(id=renewal_id)).status == "AWAITING_PAYMENT"


@pytest.mark.parametrize(("invoice_status", "outcome", "payment_status"), [
    ("failed", "payment failed", "FAILED"),
    ("initiated", "no change", "INITIATED"),  # "paid" with the secret, but nothing was paid
])
async def test_a_paid_callback_the_invoice_does_not_confirm_is_not_applied(
        moyasar_live, deliver, smtp_server, sms_gateway, invoice_status, outcome,
        payment_status):
    live, api = moyasar_live, moyasar_live.api
    token, renewal_id = await awaiting_payment(live, deliver, smtp_server, sms_gateway)
    paid = await pay_application(live, token, renewal_id)
    [invoice_id] = api.invoices
    attempt = api.pay(invoice_id, outcome="failed")
    api.invoices[invoice_id]["status"] = invoice_status
    response = await post_webhook(live, webhook(attempt, status="paid",
                                                event_type="payment_paid"))
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == outcome
    assert len(api.calls("GET", f"/v1/invoices/{invoice_id}")) == 1
    assert (await Payment.get(id=paid["payment"]["id"])).status == payment_status
    assert (await Application.get(id=renewal_id)).status == "AWAITING_PAYMENT"


async def test_an_invoice_for_another_amount_is_refused(moyasar_live, deliver, smtp_server,
                                                        sms_gateway):
    live, api = moyasar_live, moyasar_live.api
    token, renewal_id = await awaiting_payment(live, deliver, smtp_server, sms_gateway)
    paid = await pay_application(live, token, renewal_id)
    [invoice_id] = api.invoices
    moyasar_payment = api.pay(invoice_id)
    api.invoices[invoice_id]["amount"] = 100  # what Moyasar says was paid: 1.00 SAR
    response = await post_webhook(live, webhook(moyasar_payment))
    assert response.status_code == 422
    assert (await Payment.get(id=paid["payment"]["id"])).status == "INITIATED"
    assert (await Application.get(id=renewal_id)).status == "AWAITING_PAYMENT"


async def test_a_callback_that_cannot_be_confirmed_yet_is_applied_on_moyasars_retry(
        moyasar_live, deliver, smtp_server, sms_gateway):
    live, api = moyasar_live, moyasar_live.api
    token, renewal_id = await awaiting_payment(live, deliver, smtp_server, sms_gateway)
    await pay_application(live, token, renewal_id)
    [invoice_id] = api.invoices
    body = webhook(api.pay(invoice_id))
    api.fail_next = 1  # Moyasar cannot be asked for the invoice just now
    first = await post_webhook(live, body)
    assert first.status_code == 503  # so that Moyasar sends it again
    retry = await post_webhook(live, body)
    assert retry.json().get("outcome") == "applied"
    assert (await Application.get(id=renewal_id)).status == "APPROVED"


@pytest.mark.parametrize("down", ["503", "unreachable"])
async def test_moyasar_down_at_creation_is_a_clear_error_and_charges_nothing(
        moyasar_live, deliver, smtp_server, sms_gateway, down):
    live, api = moyasar_live, moyasar_live.api
    token, renewal_id = await awaiting_payment(live, deliver, smtp_server, sms_gateway)
    if down == "503":
        api.fail_next = 1
    else:
        with socket.socket() as s:  # a port nothing listens on
            s.bind(("127.0.0.1", 0))
            closed = s.getsockname()[1]
        live.app.state.settings = dataclasses.replace(
            live.app.state.settings, moyasar_api_url=f"http://127.0.0.1:{closed}/v1")
    refused = await pay_application(live, token, renewal_id)
    assert refused["payment"] is None
    [error] = refused["errors"]
    assert error["code"] == "PAYMENT_FAILED"
    assert "Nothing was charged" in error["message"]
    assert api.invoices == {}
    assert [p.status for p in await Payment.filter(application_id=renewal_id)] == ["FAILED"]
    assert (await Application.get(id=renewal_id)).status == "AWAITING_PAYMENT"

    live.app.state.settings = moyasar_settings(live.app.state.settings, api)
    retried = await pay_application(live, token, renewal_id)  # Moyasar is back
    assert retried["errors"] == [] and len(api.invoices) == 1


async def test_sadad_is_refused_because_moyasar_documents_no_sadad_bills(
        moyasar_live, deliver, smtp_server, sms_gateway):
    live, api = moyasar_live, moyasar_live.api
    token, renewal_id = await awaiting_payment(live, deliver, smtp_server, sms_gateway)
    refused = await pay_application(live, token, renewal_id, method="SADAD")
    [error] = refused["errors"]
    assert (error["field"], error["code"]) == ("method", "NOT_ALLOWED")
    assert "SADAD is not available" in error["message"]
    assert api.requests == []  # Moyasar was not even asked
    assert await Payment.filter(application_id=renewal_id).count() == 0
    card = await pay_application(live, token, renewal_id, method="CARD")
    assert card["errors"] == [] and card["payment"]["redirectUrl"].startswith(api.url)


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'"text"', b"\xff\xfe"])
async def test_malformed_callbacks_are_refused_without_a_500(moyasar_live, body):
    response = await post_webhook(moyasar_live, body)
    assert response.status_code == 400


# ------------------------------------------------------------------ the gateway itself

@pytest.fixture
def gateway(settings, moyasar_api) -> MoyasarGateway:
    found = gateway_for(moyasar_settings(settings, moyasar_api))
    assert isinstance(found, MoyasarGateway)
    return found


def new_payment(method: str = "CARD", amount: int = 25000) -> NewPayment:
    payment_id = str(uuid.uuid4())
    return NewPayment(payment_id=payment_id, idempotency_key=f"sijil-{payment_id}",
                      amount_halalas=amount, currency="SAR", method=method,
                      description="Sijil RENEWAL x", callback_url="https://sijil.example/cb",
                      return_url="https://sijil.example/back",
                      metadata={"payment_id": payment_id, "application_id": "a-1"})


@pytest.mark.parametrize(("invoice_status", "expected"), [
    ("initiated", "INITIATED"), ("on_hold", "INITIATED"), ("paid", "PAID"),
    ("failed", "FAILED"), ("expired", "EXPIRED"), ("canceled", "EXPIRED"),
    ("refunded", "REFUNDED"), ("voided", "REFUNDED"), ("something_new", "INITIATED"),
])
async def test_fetch_reads_the_invoice(gateway, moyasar_api, invoice_status, expected):
    created = await gateway.create(new_payment())
    moyasar_api.invoices[created.provider_payment_id]["status"] = invoice_status
    fetched = await gateway.fetch(created.provider_payment_id)
    assert (fetched.provider_payment_id, fetched.status, fetched.amount_halalas,
            fetched.currency) == (created.provider_payment_id, expected, 25000, "SAR")
    assert fetched.metadata["application_id"] == "a-1"


async def test_fetch_and_create_fail_as_gateway_errors(gateway, moyasar_api, settings):
    with pytest.raises(GatewayError):
        await gateway.fetch(str(uuid.uuid4()))  # 404
    with pytest.raises(GatewayError):
        await gateway.create(new_payment(amount=50))  # Moyasar's 400
    unauthorised = MoyasarGateway(dataclasses.replace(gateway.settings,
                                                      moyasar_secret_key="sk_test_wrong"))
    with pytest.raises(GatewayError, match="HTTP 401"):
        await unauthorised.create(new_payment())
    unset = MoyasarGateway(dataclasses.replace(gateway.settings, moyasar_secret_key=""))
    with pytest.raises(GatewayError, match="MOYASAR_SECRET_KEY"):
        await unset.create(new_payment())
    assert moyasar_api.invoices == {}


async def test_a_slow_moyasar_times_out_as_a_gateway_error(gateway, moyasar_api):
    assert gateway.timeout == 10.0
    gateway.timeout = 0.1
    moyasar_api.delay = 0.5
    with pytest.raises(GatewayError, match="Timeout"):
        await gateway.create(new_payment())


async def test_refund_refunds_the_invoices_paid_payment(gateway, moyasar_api):
    created = await gateway.create(new_payment())
    moyasar_api.pay(created.provider_payment_id, outcome="failed")  # a declined first try
    paid = moyasar_api.pay(created.provider_payment_id)
    await gateway.refund(created.provider_payment_id, 10000)
    [refund] = moyasar_api.calls("POST", f"/v1/payments/{paid['id']}/refund")
    assert refund["json"] == {"amount": 10000}
    assert refund["auth"] == "Basic " + base64.b64encode(b"sk_test_x:").decode()
    assert (await gateway.fetch(created.provider_payment_id)).status == "REFUNDED"

    unpaid = await gateway.create(new_payment())
    with pytest.raises(GatewayError, match="no paid payment"):
        await gateway.refund(unpaid.provider_payment_id, 25000)


def moyasar_payment(**changes) -> dict:
    return {"id": "pay-1", "status": "paid", "amount": 25000, "currency": "SAR",
            "invoice_id": "inv-1", "metadata": {"payment_id": "p-1"}, **changes}


@pytest.mark.parametrize(("status", "expected"), [
    ("paid", "PAID"), ("captured", "PAID"), ("failed", "FAILED"), ("expired", "EXPIRED"),
    ("refunded", "REFUNDED"), ("voided", "REFUNDED"), ("initiated", "INITIATED"),
    ("authorized", "INITIATED"), ("verified", "INITIATED"), ("unheard_of", "INITIATED"),
])
def test_verify_callback_maps_statuses_and_ids(gateway, status, expected):
    body = webhook(moyasar_payment(status=status))
    event = gateway.verify_callback({}, body)
    assert event.event_id == json.loads(body)["id"]
    assert event.payment.status == expected
    assert event.payment.provider_payment_id == "inv-1"  # the invoice, as we stored it
    assert (event.payment.amount_halalas, event.payment.currency) == (25000, "SAR")
    assert event.payment.metadata == {"payment_id": "p-1"}
    assert "secret_token" not in event.payload


def test_a_payment_not_made_on_an_invoice_keeps_its_own_id(gateway):
    event = gateway.verify_callback({}, webhook(moyasar_payment(invoice_id=None)))
    assert event.payment.provider_payment_id == "pay-1"


def rejection(gateway, body: bytes) -> int:
    with pytest.raises(CallbackRejected) as caught:
        gateway.verify_callback({}, body)
    return caught.value.status


def test_verify_callback_refuses_bad_secrets_stale_events_and_malformed_payloads(gateway):
    now = dt.datetime.now(dt.UTC)
    assert rejection(gateway, webhook(moyasar_payment(), secret="nope")) == 401
    assert rejection(gateway, webhook(moyasar_payment(), secret=None)) == 401
    stale = webhook(moyasar_payment(), created_at=now - dt.timedelta(minutes=6))
    assert rejection(gateway, stale) == 401
    future = webhook(moyasar_payment(), created_at=now + dt.timedelta(minutes=6))
    assert rejection(gateway, future) == 401
    assert gateway.verify_callback({}, webhook(
        moyasar_payment(), created_at=now - dt.timedelta(minutes=4))).payment.status == "PAID"

    def envelope(**fields) -> bytes:
        return json.dumps({"id": "evt-1", "type": "payment_paid",
                           "secret_token": WEBHOOK_SECRET, **fields}).encode()

    # No created_at at all: accepted (see _check_created_at).
    assert gateway.verify_callback({}, envelope(data=moyasar_payment())).event_id == "evt-1"
    for broken in (envelope(),
                   envelope(data="x"),
                   envelope(data=moyasar_payment(amount="25000")),
                   envelope(data=moyasar_payment(amount=True)),
                   envelope(data={k: v for k, v in moyasar_payment().items() if k != "status"}),
                   envelope(data={"invoice_id": None, "status": "paid", "amount": 1,
                                  "currency": "SAR"}),
                   envelope(id=None, data=moyasar_payment()),
                   envelope(created_at="yesterday", data=moyasar_payment())):
        assert rejection(gateway, broken) == 400, broken


def test_no_configured_secret_refuses_every_callback(gateway):
    bare = MoyasarGateway(dataclasses.replace(gateway.settings, payment_webhook_secret=""))
    assert rejection(bare, webhook(moyasar_payment(), secret="")) == 401


def test_a_webhook_verification_event_is_answered_2xx_and_its_code_logged(gateway, caplog):
    body = json.dumps({"id": "7a1f", "type": "webhook_verification",
                       "created_at": dt.datetime.now(dt.UTC).isoformat(),
                       "secret_token": WEBHOOK_SECRET, "account_name": "Sijil",
                       "data": {"webhook_id": "c4bc", "verification_code": "482913"}}).encode()
    with caplog.at_level("WARNING", logger="sijil.payments.moyasar"):
        assert rejection(gateway, body) == 202
    assert "482913" in caplog.text and "c4bc" in caplog.text
