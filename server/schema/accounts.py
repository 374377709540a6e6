from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import Info

from server.models.accounts import Account as AccountModel


@strawberry.enum
class Role(Enum):
    PRACTITIONER = "PRACTITIONER"
    REVIEWER = "REVIEWER"
    ADMIN = "ADMIN"


@strawberry.type
class Account:
    id: strawberry.ID
    email: str
    mobile: str
    roles: list[Role]
    email_verified: bool
    mobile_verified: bool

    @classmethod
    def from_model(cls, account: AccountModel) -> Account:
        return cls(
            id=strawberry.ID(str(account.id)),
            email=account.email,
            mobile=account.mobile,
            roles=[Role(r) for r in account.role_list],
            email_verified=account.email_verified_at is not None,
            mobile_verified=account.mobile_verified_at is not None,
        )


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in account, or null.")
    def me(self, info: Info) -> Account | None:
        account = info.context.account
        return Account.from_model(account) if account else None
