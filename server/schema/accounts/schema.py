"""Accounts: registration, sign-in, the signed-in account and its security settings.

The inputs are in accounts_inputs.py."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import segno
import strawberry
from strawberry import Info

from server.domain.identity import normalize_digits
from server.models.accounts import Account as AccountModel
from server.resolvers.accounts import security, signin, signup
from server.schema.accounts.inputs import (
    ChangePasswordInput,
    CodeInput,
    ConfirmEmailInput,
    EndSessionInput,
    LoginInput,
    PasswordInput,
    RegisterAccountInput,
    RequestEmailChangeInput,
    RequestMobileChangeInput,
    RequestPasswordResetInput,
    ResendConfirmationEmailInput,
    ResendMobileCodeInput,
    ResetPasswordInput,
    SetLanguageInput,
    VerifyLoginInput,
    VerifyMobileInput,
)
from server.schema.base import UserError, mutation_payload
from server.schema.record.types import Practitioner, practitioners_of_accounts


@strawberry.enum
class Role(Enum):
    PRACTITIONER = "PRACTITIONER"
    REVIEWER = "REVIEWER"
    SUPERVISOR = "SUPERVISOR"
    ADMIN = "ADMIN"


@strawberry.enum
class ChallengeChannel(Enum):
    SMS = "SMS"
    TOTP = "TOTP"


@strawberry.type
class Account:
    id: strawberry.ID
    email: str
    mobile: str
    roles: list[Role]
    email_verified: bool
    mobile_verified: bool
    authenticator_enabled: bool
    language: str
    model: strawberry.Private[AccountModel]

    @strawberry.field(description="A staff account made with a temporary password: it must "
                                  "choose its own (changePassword) first.")
    def must_change_password(self) -> bool:
        return bool(self.model.must_change_password)

    @strawberry.field(description="The registry record this account has claimed, or null.")
    async def practitioner(self, info: Info) -> Practitioner | None:
        row = await info.context.loaders.get(practitioners_of_accounts).load(self.model.id)
        return Practitioner.of(row) if row else None

    @classmethod
    def from_model(cls, account: AccountModel) -> Account:
        return cls(
            id=strawberry.ID(str(account.id)),
            email=account.email,
            mobile=account.mobile,
            roles=[Role(r) for r in account.role_list],
            email_verified=account.email_verified_at is not None,
            mobile_verified=account.mobile_verified_at is not None,
            authenticator_enabled=bool(account.totp_secret),
            language=account.language,
            model=account,
        )


@strawberry.type
class SignInChallenge:
    id: strawberry.ID
    channel: ChallengeChannel
    expires_at: dt.datetime


@strawberry.type
class ActiveSession:
    id: strawberry.ID
    created_at: dt.datetime
    last_seen_at: dt.datetime
    ip: str
    user_agent: str
    current: bool


# ------------------------------------------------------------------ payloads (inputs:
# server/schema/accounts/inputs.py)

@strawberry.type
class AccountPayload:
    errors: list[UserError]
    account: Account | None = None


@strawberry.type
class DonePayload:
    """`done` is true on success; the answer is the same whether or not an account exists
    where that would otherwise reveal it."""

    errors: list[UserError]
    done: bool = False


@strawberry.type
class ResendMobileCodePayload:
    errors: list[UserError]
    sent: bool = False


@strawberry.type
class LoginPayload:
    errors: list[UserError]
    challenge: SignInChallenge | None = None


@strawberry.type
class VerifyLoginPayload:
    errors: list[UserError]
    token: str | None = None
    account: Account | None = None


@strawberry.type
class LogoutPayload:
    errors: list[UserError]


@strawberry.type
class TotpEnrolmentPayload:
    errors: list[UserError]
    secret: str | None = None
    otpauth_uri: str | None = None
    qr_svg: str | None = strawberry.field(default=None,
                                          description="The otpauth URI as an SVG QR code.")


def _text(value: str | None) -> str:
    return value or ""


def _digits(value: str | None) -> str:
    """Codes, mobiles and identity numbers typed in Arabic-Indic digits mean the same."""
    return normalize_digits(value or "")


def _account(model: AccountModel) -> dict:
    return {"account": Account.from_model(model)}


@strawberry.type
class SignUpProgress:
    account_id: strawberry.ID
    mobile: str = strawberry.field(description="Where the registration SMS code was sent.")
    email_verified: bool
    mobile_verified: bool


@strawberry.type
class Query:
    @strawberry.field(description="A new account's progress through sign-up (the pages of "
                                  "registerAccount show it); null once the account is active, "
                                  "or for an unknown id.")
    async def sign_up_progress(self, info: Info, account_id: strawberry.ID
                               ) -> SignUpProgress | None:
        account = await signup.pending_account(str(account_id))
        if account is None:
            return None
        return SignUpProgress(account_id=strawberry.ID(str(account.id)), mobile=account.mobile,
                              email_verified=account.email_verified_at is not None,
                              mobile_verified=account.mobile_verified_at is not None)

    @strawberry.field(description="The signed-in account, or null.")
    def me(self, info: Info) -> Account | None:
        account = info.context.account
        return Account.from_model(account) if account else None

    @strawberry.field(description="The signed-in account's active sessions.")
    async def my_sessions(self, info: Info) -> list[ActiveSession]:
        rows = await security.my_sessions(info.context)
        current = info.context.session.id
        return [ActiveSession(id=strawberry.ID(str(s.id)), created_at=s.created_at,
                              last_seen_at=s.last_seen_at, ip=s.ip, user_agent=s.user_agent,
                              current=s.id == current) for s in rows]


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register_account(self, info: Info, input: RegisterAccountInput) -> AccountPayload:
        async def run():
            return _account(await signup.register_account(
                info.context, strawberry.asdict(input)))
        return await mutation_payload(info, AccountPayload, run)

    @strawberry.mutation
    async def confirm_email(self, info: Info, input: ConfirmEmailInput) -> AccountPayload:
        async def run():
            return _account(await signup.confirm_email(info.context, _text(input.token)))
        return await mutation_payload(info, AccountPayload, run)

    @strawberry.mutation(description="Sends a new confirmation link, if the address has an "
                                     "unconfirmed account.")
    async def resend_confirmation_email(self, info: Info,
                                        input: ResendConfirmationEmailInput) -> DonePayload:
        async def run():
            await signup.resend_confirmation_email(info.context, _text(input.email))
            return {"done": True}
        return await mutation_payload(info, DonePayload, run)

    @strawberry.mutation
    async def verify_mobile(self, info: Info, input: VerifyMobileInput) -> AccountPayload:
        async def run():
            return _account(await signup.verify_mobile(
                info.context, _text(input.account_id), _digits(input.code)))
        return await mutation_payload(info, AccountPayload, run)

    @strawberry.mutation
    async def resend_mobile_code(self, info: Info,
                                 input: ResendMobileCodeInput) -> ResendMobileCodePayload:
        async def run():
            await signup.resend_mobile_code(info.context, _text(input.account_id))
            return {"sent": True}
        return await mutation_payload(info, ResendMobileCodePayload, run)

    @strawberry.mutation
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        async def run():
            row = await signin.login(info.context, _digits(input.identifier),
                                     _text(input.password))
            return {"challenge": SignInChallenge(id=strawberry.ID(str(row.id)),
                                                 channel=ChallengeChannel(row.channel),
                                                 expires_at=row.expires_at)}
        return await mutation_payload(info, LoginPayload, run)

    @strawberry.mutation
    async def verify_login(self, info: Info, input: VerifyLoginInput) -> VerifyLoginPayload:
        async def run():
            token, account = await signin.verify_login(
                info.context, _text(input.challenge_id), _digits(input.code))
            return {"token": token, **_account(account)}
        return await mutation_payload(info, VerifyLoginPayload, run)

    @strawberry.mutation(description="Ends the current session on the server.")
    async def logout(self, info: Info) -> LogoutPayload:
        async def run():
            await signin.logout(info.context)
            return {}
        return await mutation_payload(info, LogoutPayload, run)

    @strawberry.mutation
    async def request_password_reset(self, info: Info,
                                     input: RequestPasswordResetInput) -> DonePayload:
        async def run():
            await signin.request_password_reset(info.context, _text(input.email))
            return {"done": True}
        return await mutation_payload(info, DonePayload, run)

    @strawberry.mutation
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> AccountPayload:
        async def run():
            return _account(await signin.reset_password(
                info.context, _text(input.token), _text(input.password),
                _text(input.password_confirmation)))
        return await mutation_payload(info, AccountPayload, run)

    @strawberry.mutation
    async def change_password(self, info: Info, input: ChangePasswordInput) -> AccountPayload:
        async def run():
            return _account(await security.change_password(
                info.context, _text(input.current_password), _text(input.new_password),
                _text(input.new_password_confirmation)))
        return await mutation_payload(info, AccountPayload, run)

    @strawberry.mutation
    async def start_totp_enrolment(self, info: Info) -> TotpEnrolmentPayload:
        async def run():
            secret, uri = await security.start_totp_enrolment(info.context)
            svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#0b2e2b")
            return {"secret": secret, "otpauth_uri": uri, "qr_svg": svg}
        return await mutation_payload(info, TotpEnrolmentPayload, run)

    @strawberry.mutation
    async def confirm_totp_enrolment(self, info: Info, input: CodeInput) -> AccountPayload:
        async def run():
            return _account(await security.confirm_totp_enrolment(info.context,
                                                                  _digits(input.code)))
        return await mutation_payload(info, AccountPayload, run)

    @strawberry.mutation
    async def remove_totp(self, info: Info, input: PasswordInput) -> AccountPayload:
        async def run():
            return _account(await security.remove_totp(info.context, _text(input.password)))
        return await mutation_payload(info, AccountPayload, run)

    @strawberry.mutation
    async def request_email_change(self, info: Info,
                                   input: RequestEmailChangeInput) -> DonePayload:
        async def run():
            await security.request_email_change(info.context, _text(input.new_email),
                                                _text(input.password))
            return {"done": True}
        return await mutation_payload(info, DonePayload, run)

    @strawberry.mutation
    async def confirm_email_change(self, info: Info, input: ConfirmEmailInput) -> AccountPayload:
        async def run():
            return _account(await security.confirm_email_change(info.context,
                                                                _text(input.token)))
        return await mutation_payload(info, AccountPayload, run)

    @strawberry.mutation
    async def request_mobile_change(self, info: Info,
                                    input: RequestMobileChangeInput) -> DonePayload:
        async def run():
            await security.request_mobile_change(info.context, _digits(input.new_mobile),
                                                 _text(input.password))
            return {"done": True}
        return await mutation_payload(info, DonePayload, run)

    @strawberry.mutation
    async def confirm_mobile_change(self, info: Info, input: CodeInput) -> AccountPayload:
        async def run():
            return _account(await security.confirm_mobile_change(info.context,
                                                                 _digits(input.code)))
        return await mutation_payload(info, AccountPayload, run)

    @strawberry.mutation
    async def end_session(self, info: Info, input: EndSessionInput) -> DonePayload:
        async def run():
            await security.end_session(info.context, _text(input.session_id))
            return {"done": True}
        return await mutation_payload(info, DonePayload, run)

    @strawberry.mutation(description="The signed-in account's language (`ar` or `en`), which "
                                     "its emails and SMS follow.")
    async def set_language(self, info: Info, input: SetLanguageInput) -> DonePayload:
        async def run():
            await security.set_language(info.context, _text(input.language))
            return {"done": True}
        return await mutation_payload(info, DonePayload, run)


SIGN_IN_FIELDS = frozenset({
    "registerAccount", "confirmEmail", "resendConfirmationEmail", "verifyMobile",
    "resendMobileCode", "login", "verifyLogin", "requestPasswordReset", "resetPassword",
    "changePassword", "confirmTotpEnrolment", "removeTotp", "requestEmailChange",
    "confirmEmailChange", "requestMobileChange", "confirmMobileChange",
})
