"""The Moyasar gateway (production): a hosted payment page per payment, Moyasar's webhooks as
callbacks, and a server-side fetch before anything is applied.

What this relies on in Moyasar's public documentation (docs.moyasar.com, API v1):

- Authentication: HTTP Basic with the secret key as the user name and an empty password.
  Amounts are integers in the smallest unit (100 halalas = 1 SAR), minimum 100.
- Invoices (the hosted payment page, "Create Invoice"): `POST /invoices` with `amount`,
  `currency`, `description`, `success_url` (where the payer lands once paid), `back_url`
  (the page's back button), `expired_at` (ISO 8601; no payment attempt after it),
  `metadata` (string → string) and an optional `callback_url`; answered `201` with the
  invoice: `id`, `status`, `amount`, `currency`, `url` (the checkout page to send the payer
  to), `metadata`, `payments` (the payment attempts made against it).
  `GET /invoices/{id}` returns the same object. Invoice statuses: initiated, paid, failed,
  refunded, canceled, on_hold, expired, voided.
- Payments: each attempt on an invoice is a payment whose object carries `invoice_id`
  ("ID of the invoice this payment was initiated for"), `status`, `amount`, `currency`,
  `metadata`. Payment statuses: initiated, paid, failed, authorized, captured, refunded,
  voided, verified. `POST /payments/{id}/refund` with `amount` refunds it.
- Idempotency: `given_id` (a client-chosen UUID) is documented for *payment* creation
  (`POST /payments`) only. Invoice creation documents no `given_id` and no idempotency
  header, so none is sent (an unknown field risks a 400). A retried invoice creation could
  at worst leave a second, unpaid invoice whose URL nobody was ever given: an invoice is a
  request for money, not a charge, and it expires after INVOICE_LIFETIME. Our idempotency
  key travels in the invoice's `metadata` for reconciliation, and `create` never retries.
- Webhooks (dashboard → Settings → Webhooks, or the webhooks API): a JSON POST shaped
  `{"id", "type", "created_at", "secret_token", "account_name", "data"}` (the envelope as
  the "Verify Webhook" page shows it); for payment events (`payment_paid`, `payment_failed`
  — spelled `payment_faild` on one page —, `payment_refunded`, `payment_voided`,
  `payment_authorized`, `payment_captured`, `payment_verified`) `data` is the payment object.
  `secret_token` is the password entered when the webhook was added: ours is
  PAYMENT_WEBHOOK_SECRET. There is no signature over the body, so the token is the only
  proof of origin, and the server-side fetch is what we act on.
- The invoice's own `callback_url` gets "a POST request with the invoice object when the
  invoice is paid" and no `secret_token` is documented for it, so it is not set: we could
  only refuse that POST. Payments are confirmed by the dashboard webhook (which does carry
  the token) and a fetch.
- SADAD: the current API documents card, Apple Pay, Samsung Pay, Google Pay and STC Pay
  sources, and no SADAD bill source (an old `sadad` source was SADAD's account-login
  redirect, not a bill number). `create` refuses SADAD with GatewayError.

Identifiers: we store the *invoice* id as Payment.provider_payment_id (the id we have when
the payer is sent away). A webhook's `data` is a payment, so `verify_callback` reports its
`invoice_id` as the provider id, and `fetch` reads the invoice. A payment not made through
one of our invoices has no `invoice_id`; its own id is reported and matches no Payment.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
from urllib.parse import quote

import httpx

from server import clock
from server.config import Settings
from server.integrations.payments import (
    CallbackEvent,
    CallbackRejected,
    CreatedPayment,
    GatewayError,
    GatewayPayment,
    NewPayment,
)

log = logging.getLogger("sijil.payments.moyasar")

TIMEOUT_SECONDS = 10.0
TOLERANCE_SECONDS = 300
# The hosted page stops taking payments after this: the same lifetime the resolver gives a
# card payment before treating it as abandoned.
INVOICE_LIFETIME = dt.timedelta(hours=1)
HOSTED_METHODS = ("MADA", "CARD", "APPLE_PAY")

# A payment object's status, from a webhook. Anything unknown changes nothing.
PAYMENT_STATUSES = {
    "paid": "PAID", "captured": "PAID",
    "failed": "FAILED",
    "expired": "EXPIRED",
    "refunded": "REFUNDED", "voided": "REFUNDED",
    "initiated": "INITIATED", "authorized": "INITIATED", "verified": "INITIATED",
}
# An invoice's status, from a fetch. A failed attempt leaves an invoice `initiated` (the
# payer may try again on the same page), so only the invoice's own status decides.
INVOICE_STATUSES = {
    "paid": "PAID",
    "failed": "FAILED",
    "expired": "EXPIRED", "canceled": "EXPIRED",
    "refunded": "REFUNDED", "voided": "REFUNDED",
    "initiated": "INITIATED", "on_hold": "INITIATED",
}


def _status(table: dict[str, str], value: object, what: str) -> str:
    status = table.get(str(value).lower())
    if status is None:
        log.warning("Moyasar %s status %r is not known here; treated as not yet paid", what,
                    value)
        return "INITIATED"
    return status


def _metadata(value: object) -> dict:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


class MoyasarGateway:
    name = "moyasar"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base_url = settings.moyasar_api_url.rstrip("/")
        self.timeout = TIMEOUT_SECONDS

    # ------------------------------------------------------------------ HTTP

    async def _request(self, method: str, path: str, body: dict | None = None) -> dict:
        """One call to Moyasar. Anything but a 2xx with a JSON object is a GatewayError."""
        if not self.settings.moyasar_secret_key:
            raise GatewayError("MOYASAR_SECRET_KEY is not set")
        try:
            async with httpx.AsyncClient(
                    base_url=self.base_url, auth=(self.settings.moyasar_secret_key, ""),
                    timeout=self.timeout, headers={"accept": "application/json"}) as client:
                response = await client.request(method, path, json=body)
        except httpx.HTTPError as error:
            raise GatewayError(f"Moyasar {method} {path}: {type(error).__name__}") from error
        if not response.is_success:
            raise GatewayError(f"Moyasar {method} {path}: HTTP {response.status_code} "
                               f"{_error_of(response)}")
        try:
            data = response.json()
        except ValueError as error:
            raise GatewayError(f"Moyasar {method} {path}: the answer is not JSON") from error
        if not isinstance(data, dict):
            raise GatewayError(f"Moyasar {method} {path}: the answer is not an object")
        return data

    # ------------------------------------------------------------------ the protocol

    async def create(self, request: NewPayment) -> CreatedPayment:
        if request.method not in HOSTED_METHODS:
            # See the module's docstring: Moyasar documents no SADAD bill source.
            raise GatewayError(f"{request.method} not available: Moyasar's API documents no "
                               "SADAD bill source")
        expires_at = clock.now().replace(microsecond=0) + INVOICE_LIFETIME
        metadata = {**{str(k): str(v) for k, v in request.metadata.items()},
                    "payment_id": request.payment_id,
                    "idempotency_key": request.idempotency_key}
        invoice = await self._request("POST", "/invoices", {
            "amount": request.amount_halalas,
            "currency": request.currency,
            "description": request.description,
            "success_url": request.return_url,
            "back_url": request.return_url,
            "expired_at": expires_at.isoformat().replace("+00:00", "Z"),
            "metadata": metadata,
        })
        invoice_id, url = invoice.get("id"), invoice.get("url")
        if not invoice_id or not isinstance(url, str) \
                or not url.startswith(("https://", "http://")):
            raise GatewayError("Moyasar created an invoice without an id or a URL")
        if invoice.get("amount") not in (None, request.amount_halalas):
            raise GatewayError("Moyasar created an invoice for another amount")
        return CreatedPayment(provider_payment_id=str(invoice_id), redirect_url=url,
                              expires_at=expires_at)

    def verify_callback(self, headers: dict[str, str], raw_body: bytes) -> CallbackEvent:
        try:
            data = json.loads(raw_body.decode())
        except (UnicodeDecodeError, ValueError) as error:
            raise CallbackRejected(400, "body is not JSON") from error
        if not isinstance(data, dict):
            raise CallbackRejected(400, "body is not a JSON object")
        expected = self.settings.payment_webhook_secret
        given = data.get("secret_token")
        if not expected or not isinstance(given, str) \
                or not hmac.compare_digest(given.encode(), expected.encode()):
            raise CallbackRejected(401, "secret_token does not match")
        _check_created_at(data.get("created_at"))
        # The shared secret is not kept with the event in our database.
        payload = {k: v for k, v in data.items() if k != "secret_token"}
        if data.get("type") == "webhook_verification":
            _log_verification(data.get("data"))
            raise CallbackRejected(202, "webhook verification event: code logged")
        try:
            event_id = data["id"]
            payment = data["data"]
            if not isinstance(event_id, str | int) or not str(event_id) \
                    or not isinstance(payment, dict):
                raise TypeError("id or data")
            provider_id = payment.get("invoice_id") or payment["id"]
            amount = payment["amount"]
            if isinstance(amount, bool) or not isinstance(amount, int):
                raise TypeError("amount")
            return CallbackEvent(event_id=str(event_id), payload=payload, payment=GatewayPayment(
                provider_payment_id=str(provider_id),
                status=_status(PAYMENT_STATUSES, payment["status"], "payment"),
                amount_halalas=amount, currency=str(payment["currency"]).upper(),
                metadata=_metadata(payment.get("metadata"))))
        except (KeyError, TypeError, ValueError) as error:
            raise CallbackRejected(400, "malformed callback") from error

    async def fetch(self, provider_payment_id: str) -> GatewayPayment:
        """The invoice's true state, from Moyasar itself (provider ids are invoice ids)."""
        invoice = await self._request("GET", f"/invoices/{quote(provider_payment_id, safe='')}")
        try:
            if str(invoice["id"]) != provider_payment_id:
                raise ValueError("another invoice")
            amount = invoice["amount"]
            if isinstance(amount, bool) or not isinstance(amount, int):
                raise TypeError("amount")
            return GatewayPayment(
                provider_payment_id=provider_payment_id,
                status=_status(INVOICE_STATUSES, invoice["status"], "invoice"),
                amount_halalas=amount, currency=str(invoice["currency"]).upper(),
                metadata=_metadata(invoice.get("metadata")))
        except (KeyError, TypeError, ValueError) as error:
            raise GatewayError("Moyasar answered with a malformed invoice") from error

    async def refund(self, provider_payment_id: str, amount_halalas: int) -> None:
        """Refunds are made on the invoice's paid payment, found by reading the invoice."""
        invoice = await self._request("GET", f"/invoices/{quote(provider_payment_id, safe='')}")
        paid = [p.get("id") for p in invoice.get("payments") or []
                if isinstance(p, dict) and p.get("status") in ("paid", "captured")]
        payment_id = paid[0] if paid else invoice.get("payment_id")
        if not payment_id:
            raise GatewayError("the Moyasar invoice has no paid payment to refund")
        await self._request("POST", f"/payments/{quote(str(payment_id), safe='')}/refund",
                            {"amount": amount_halalas})


def _error_of(response: httpx.Response) -> str:
    """Moyasar's error `type` and `message`, short, for the log (never the request)."""
    try:
        data = response.json()
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    return f"{data.get('type') or ''}: {data.get('message') or ''}"[:200]


def _check_created_at(value: object) -> None:
    """An event older (or newer) than 5 minutes is refused. Events without `created_at` are
    accepted: the documented envelope has it, and a replay is harmless anyway (event ids are
    unique and the state applied comes from a fetch, not from the callback)."""
    if value in (None, ""):
        return
    try:
        created = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise CallbackRejected(400, "created_at is not a timestamp") from error
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    if abs((clock.now() - created).total_seconds()) > TOLERANCE_SECONDS:
        raise CallbackRejected(401, "event created_at outside 5 minutes")


def _log_verification(data: object) -> None:
    """Moyasar may ask to verify a new webhook by sending a one-time code (valid 30 minutes)
    to it, once; an operator needs it to finish setting the webhook up."""
    data = data if isinstance(data, dict) else {}
    log.warning("Moyasar webhook %s asks to be verified with code %s (POST "
                "/v1/webhooks/{id}/verify)", data.get("webhook_id"), data.get("verification_code"))
