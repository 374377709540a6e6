"""Paying an application's fee over GraphQL: PayApplication, and the Payment type the
applications and the admin console show."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry
from strawberry import Info

from server.domain.errors import DomainError
from server.models.applications import Application as ApplicationModel
from server.models.payments import Payment as PaymentModel
from server.resolvers.kernel.access import require_account
from server.resolvers.payments import checkout
from server.schema.applications import Application
from server.schema.base import Money, UserError, mutation_payload


@strawberry.enum
class PaymentMethod(Enum):
    MADA = "MADA"
    CARD = "CARD"
    APPLE_PAY = "APPLE_PAY"
    SADAD = "SADAD"


@strawberry.enum
class PaymentStatus(Enum):
    INITIATED = "INITIATED"
    PAID = "PAID"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"
    REFUNDED = "REFUNDED"


@strawberry.type
class Payment:
    model: strawberry.Private[PaymentModel]
    id: strawberry.ID
    status: PaymentStatus
    method: PaymentMethod
    amount: Money
    redirect_url: str | None = strawberry.field(description="The gateway's hosted page; null "
                                                            "for SADAD.")
    sadad_bill_number: str | None
    expires_at: dt.datetime | None
    created_at: dt.datetime
    paid_at: dt.datetime | None

    @classmethod
    def of(cls, row: PaymentModel) -> Payment:
        return cls(model=row, id=strawberry.ID(str(row.id)), status=PaymentStatus(row.status),
                   method=PaymentMethod(row.method), amount=Money.sar(row.amount),
                   redirect_url=row.redirect_url or None,
                   sadad_bill_number=row.sadad_bill_number or None, expires_at=row.expires_at,
                   created_at=row.created_at, paid_at=row.paid_at)


    @strawberry.field(description="The application this payment is for.")
    async def application(self) -> Application:
        row = self.model.application if isinstance(
            self.model.application, ApplicationModel) else \
            await ApplicationModel.get(id=self.model.application_id)
        return Application.of(row)


@strawberry.input
class PayApplicationInput:
    application_id: strawberry.ID | None = None
    method: PaymentMethod | None = None


@strawberry.type
class PaymentPayload:
    errors: list[UserError]
    payment: Payment | None = None


@strawberry.type
class Query:
    @strawberry.field(description="One of the signed-in account's payments; null when it is "
                                  "unknown or not theirs.")
    async def my_payment(self, info: Info, id: strawberry.ID) -> Payment | None:
        require_account(info.context)
        try:
            return Payment.of(await checkout.mine(info.context, str(id)))
        except DomainError:
            return None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Pays any application that awaits payment; the "
                                     "application moves on only when the gateway confirms.")
    async def pay_application(self, info: Info, input: PayApplicationInput) -> PaymentPayload:
        async def run():
            method = input.method.value if input.method else ""
            row = await checkout.pay_application(info.context, str(input.application_id or ""),
                                                 method)
            return {"payment": Payment.of(row)}
        return await mutation_payload(info, PaymentPayload, run)
