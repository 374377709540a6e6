"""Passkeys over GraphQL: add one (signed in), list and remove them, and sign in with one
alone. The WebAuthn options and responses travel as JSON strings, in the shapes of
PublicKeyCredential.parseCreationOptionsFromJSON()/parseRequestOptionsFromJSON() and of
PublicKeyCredential.toJSON(), so that a browser or an app passes them through untouched.
The use cases are in server/resolvers/accounts/passkeys.py."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import Info

from server.models.accounts import Passkey as PasskeyModel
from server.resolvers.accounts import passkeys
from server.schema.accounts.schema import DonePayload, VerifyLoginPayload, _account, _text
from server.schema.base import UserError, mutation_payload


@strawberry.type
class Passkey:
    id: strawberry.ID
    name: str = strawberry.field(description="The name the person gave it; may be empty.")
    transports: list[str]
    created_at: dt.datetime
    last_used_at: dt.datetime | None

    @classmethod
    def of(cls, row: PasskeyModel) -> Passkey:
        return cls(id=strawberry.ID(str(row.id)), name=row.name,
                   transports=[t for t in row.transports.split(",") if t],
                   created_at=row.created_at, last_used_at=row.last_used_at)


@strawberry.type
class PasskeyOptionsPayload:
    errors: list[UserError]
    challenge_id: strawberry.ID | None = strawberry.field(
        default=None, description="Send it back with the response; it works once, for 5 "
                                  "minutes.")
    options: str | None = strawberry.field(
        default=None, description="The WebAuthn options as JSON, for navigator.credentials.")
    expires_at: dt.datetime | None = None


@strawberry.type
class PasskeyPayload:
    errors: list[UserError]
    passkey: Passkey | None = None


@strawberry.input
class FinishPasskeyRegistrationInput:
    challenge_id: strawberry.ID | None = None
    name: str | None = strawberry.field(default=None,
                                        description="A name to recognise it by (at most 60).")
    credential: str | None = strawberry.field(
        default=None, description="navigator.credentials.create()'s result, as JSON.")


@strawberry.input
class FinishPasskeySignInInput:
    challenge_id: strawberry.ID | None = None
    credential: str | None = strawberry.field(
        default=None, description="navigator.credentials.get()'s result, as JSON.")


@strawberry.input
class RemovePasskeyInput:
    passkey_id: strawberry.ID | None = None
    password: str | None = None


def _options(row, options: str) -> dict:
    return {"challenge_id": strawberry.ID(str(row.id)), "options": options,
            "expires_at": row.expires_at}


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in account's passkeys, oldest first.")
    async def my_passkeys(self, info: Info) -> list[Passkey]:
        return [Passkey.of(row) for row in await passkeys.my_passkeys(info.context)]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Options to create a passkey for the signed-in account.")
    async def start_passkey_registration(self, info: Info) -> PasskeyOptionsPayload:
        async def run():
            return _options(*await passkeys.start_registration(info.context))
        return await mutation_payload(info, PasskeyOptionsPayload, run)

    @strawberry.mutation
    async def finish_passkey_registration(
            self, info: Info, input: FinishPasskeyRegistrationInput) -> PasskeyPayload:
        async def run():
            row = await passkeys.finish_registration(
                info.context, _text(input.challenge_id), _text(input.name),
                _text(input.credential))
            return {"passkey": Passkey.of(row)}
        return await mutation_payload(info, PasskeyPayload, run)

    @strawberry.mutation(description="Needs the account's password.")
    async def remove_passkey(self, info: Info, input: RemovePasskeyInput) -> DonePayload:
        async def run():
            await passkeys.remove_passkey(info.context, _text(input.passkey_id),
                                          _text(input.password))
            return {"done": True}
        return await mutation_payload(info, DonePayload, run)

    @strawberry.mutation(description="Options to sign in with a passkey; names no account.")
    async def start_passkey_sign_in(self, info: Info) -> PasskeyOptionsPayload:
        async def run():
            return _options(*await passkeys.start_sign_in(info.context))
        return await mutation_payload(info, PasskeyOptionsPayload, run)

    @strawberry.mutation(description="Signs in with a passkey alone, as verifyLogin does: "
                                     "the token for client apps, the cookie for pages.")
    async def finish_passkey_sign_in(self, info: Info,
                                     input: FinishPasskeySignInInput) -> VerifyLoginPayload:
        async def run():
            token, account = await passkeys.finish_sign_in(
                info.context, _text(input.challenge_id), _text(input.credential))
            return {"token": token, **_account(account)}
        return await mutation_payload(info, VerifyLoginPayload, run)


SIGN_IN_FIELDS = frozenset({"finishPasskeyRegistration", "removePasskey",
                            "startPasskeySignIn", "finishPasskeySignIn"})
