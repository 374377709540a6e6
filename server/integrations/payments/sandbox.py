"""The sandbox gateway: a hosted page at /sandbox/pay/{paymentId} where the payer chooses
success or failure; the page then sends our webhook an HMAC-signed callback through the
outbox, over HTTP, as a real gateway would. Development and tests only."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time

from server import clock
from server.config import Settings
from server.integrations.payments import (
    CallbackEvent,
    CallbackRejected,
    CreatedPayment,
    GatewayPayment,
    NewPayment,
)

SIGNATURE_HEADER = "x-sandbox-signature"
TOLERANCE_SECONDS = 300
SADAD_VALIDITY = dt.timedelta(days=29)


def sign(secret: str, timestamp: int, raw_body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{raw_body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


class SandboxGateway:
    name = "sandbox"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def create(self, request: NewPayment) -> CreatedPayment:
        provider_id = f"sbx_{request.payment_id}"
        if request.method == "SADAD":
            bill = "".join(str(secrets.randbelow(10)) for _ in range(11))
            return CreatedPayment(
                provider_payment_id=provider_id, redirect_url=None, sadad_bill_number=bill,
                expires_at=clock.now() + SADAD_VALIDITY)
        return CreatedPayment(provider_payment_id=provider_id,
                              redirect_url=f"{self.settings.base_url}/sandbox/pay/"
                                           f"{request.payment_id}")

    def callback(self, provider_payment_id: str, outcome: str, amount_halalas: int,
                 currency: str, metadata: dict) -> tuple[str, dict[str, str]]:
        """The raw body and headers the sandbox sends to our webhook."""
        body = json.dumps({
            "id": f"evt_{secrets.token_hex(12)}",
            "type": "payment_paid" if outcome == "paid" else "payment_failed",
            "data": {"id": provider_payment_id, "status": outcome, "amount": amount_halalas,
                     "currency": currency, "metadata": metadata},
        }, separators=(",", ":"))
        signature = sign(self.settings.payment_webhook_secret, int(time.time()), body)
        return body, {SIGNATURE_HEADER: signature, "content-type": "application/json"}

    def verify_callback(self, headers: dict[str, str], raw_body: bytes) -> CallbackEvent:
        header = headers.get(SIGNATURE_HEADER, "")
        try:
            parts = dict(item.split("=", 1) for item in header.split(","))
            timestamp = int(parts["t"])
            given = parts["v1"]
        except (ValueError, KeyError) as error:
            raise CallbackRejected(401, "missing or malformed signature") from error
        if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
            raise CallbackRejected(401, "signature timestamp outside 5 minutes")
        try:
            text = raw_body.decode()
        except UnicodeDecodeError as error:
            raise CallbackRejected(400, "body is not UTF-8") from error
        expected = sign(self.settings.payment_webhook_secret, timestamp, text).split("v1=")[1]
        if not hmac.compare_digest(expected, given):
            raise CallbackRejected(401, "signature does not match")
        try:
            data = json.loads(text)
            payment = data["data"]
            status = {"paid": "PAID", "failed": "FAILED"}[payment["status"]]
            return CallbackEvent(event_id=str(data["id"]), payload=data, payment=GatewayPayment(
                provider_payment_id=str(payment["id"]), status=status,
                amount_halalas=int(payment["amount"]), currency=str(payment["currency"]),
                metadata=dict(payment.get("metadata") or {})))
        except (ValueError, KeyError, TypeError) as error:
            raise CallbackRejected(400, "malformed callback") from error

    async def fetch(self, provider_payment_id: str) -> GatewayPayment:
        """The sandbox keeps no state of its own: the signed callback is its word."""
        raise NotImplementedError("the sandbox confirms by signed callback only")

    async def refund(self, provider_payment_id: str, amount_halalas: int) -> None:
        return None  # the sandbox refunds everything it is asked to
