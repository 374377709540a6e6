"""The signed registration credential (MyCredential): what the card's QR code carries."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import Info

from server.resolvers.register import credentials


@strawberry.type(description="A compact JWS (ES256) over the public register entry; verify "
                             "it with the keys at /.well-known/jwks.json.")
class RegistrationCredential:
    jws: str
    key_id: str = strawberry.field(description="The `kid` of the signing key.")
    issued_at: dt.datetime
    expires_at: dt.datetime = strawberry.field(
        description="The end of the registration's last valid day (Kingdom time).")


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in practitioner's registration credential; "
                                  "null without an active registration.")
    async def my_credential(self, info: Info) -> RegistrationCredential | None:
        found = await credentials.my_credential(info.context)
        if found is None:
            return None
        return RegistrationCredential(jws=found.jws, key_id=found.key_id,
                                      issued_at=found.issued_at, expires_at=found.expires_at)
