"""The inputs of the account mutations (server/schema/accounts/schema.py). Their fields are
nullable so that a missing value is answered as a REQUIRED UserError on its field, never as
a top-level GraphQL error."""

from __future__ import annotations

import strawberry


@strawberry.input
class RegisterAccountInput:
    first_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    email_confirmation: str | None = None
    password: str | None = None
    password_confirmation: str | None = None
    mobile: str | None = None
    accept_terms: bool | None = None
    captcha: str | None = strawberry.field(
        default=None, description="The ALTCHA widget's payload (GET /captcha/challenge).")


@strawberry.input
class ConfirmEmailInput:
    token: str | None = None


@strawberry.input
class ResendConfirmationEmailInput:
    email: str | None = None


@strawberry.input
class VerifyMobileInput:
    account_id: strawberry.ID | None = None
    code: str | None = None


@strawberry.input
class ResendMobileCodeInput:
    account_id: strawberry.ID | None = None


@strawberry.input
class LoginInput:
    identifier: str | None = strawberry.field(
        default=None, description="An email, a national ID or an Iqama number.")
    password: str | None = None


@strawberry.input
class VerifyLoginInput:
    challenge_id: strawberry.ID | None = None
    code: str | None = None


@strawberry.input
class RequestPasswordResetInput:
    email: str | None = None


@strawberry.input
class ResetPasswordInput:
    token: str | None = None
    password: str | None = None
    password_confirmation: str | None = None


@strawberry.input
class ChangePasswordInput:
    current_password: str | None = None
    new_password: str | None = None
    new_password_confirmation: str | None = None


@strawberry.input
class CodeInput:
    code: str | None = None


@strawberry.input
class PasswordInput:
    password: str | None = None


@strawberry.input
class RequestEmailChangeInput:
    new_email: str | None = None
    password: str | None = None


@strawberry.input
class RequestMobileChangeInput:
    new_mobile: str | None = None
    password: str | None = None


@strawberry.input
class EndSessionInput:
    session_id: strawberry.ID | None = None


@strawberry.input
class SetLanguageInput:
    language: str | None = None
