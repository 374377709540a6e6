"""Payment gateways behind one interface: `sandbox` (built in, development and tests) and
`moyasar` (production). A gateway creates payments, verifies callbacks and fetches a
payment's true state server-side; it never decides what a payment does to an application."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from server.config import Settings


class CallbackRejected(Exception):
    """A callback that is not from the gateway, or not well-formed: answered with a 4xx."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class NewPayment:
    """What we ask the gateway for. `idempotency_key` is saved before the call."""

    payment_id: str
    idempotency_key: str
    amount_halalas: int
    currency: str
    method: str  # MADA | CARD | APPLE_PAY | SADAD
    description: str
    callback_url: str
    return_url: str
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CreatedPayment:
    provider_payment_id: str
    redirect_url: str | None
    sadad_bill_number: str | None = None
    expires_at: dt.datetime | None = None


@dataclass(frozen=True)
class GatewayPayment:
    """A payment's state as the gateway reports it (from a callback or a fetch)."""

    provider_payment_id: str
    status: str  # PAID | FAILED | INITIATED | EXPIRED | REFUNDED
    amount_halalas: int
    currency: str
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CallbackEvent:
    event_id: str
    payment: GatewayPayment
    payload: dict


class Gateway(Protocol):
    name: str

    async def create(self, request: NewPayment) -> CreatedPayment: ...

    def verify_callback(self, headers: dict[str, str], raw_body: bytes) -> CallbackEvent: ...

    async def fetch(self, provider_payment_id: str) -> GatewayPayment: ...

    async def refund(self, provider_payment_id: str, amount_halalas: int) -> None: ...


class GatewayError(Exception):
    """The gateway could not be reached or refused the request; nothing was charged."""


def gateway_for(settings: Settings, name: str | None = None) -> Gateway:
    name = name or settings.payment_provider
    if name == "sandbox":
        if settings.production:
            raise CallbackRejected(404, "the sandbox gateway is off in production")
        from server.integrations.payments.sandbox import SandboxGateway

        return SandboxGateway(settings)
    if name == "moyasar":
        from server.integrations.payments.moyasar import MoyasarGateway

        return MoyasarGateway(settings)
    raise CallbackRejected(404, f"unknown payment provider {name!r}")
