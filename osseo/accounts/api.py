from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError, Throttled

from osseo.accounts import lockout, twofactor
from osseo.accounts.actions import change_password, issue_api_token, revoke_api_token
from osseo.accounts.backends import attempt_of, failed
from osseo.accounts.models import ApiToken
from osseo.accounts.queries import live_tokens, token_for, tokens_owner_for
from osseo.problem import errors, write_errors

router = Router(tags=["auth"])


class Credentials(Schema):
    # No NUL characters: no account can have them, and PostgreSQL text refuses them.
    username: str = Field(..., min_length=1, max_length=150, pattern=r"^[^\x00]*$")
    password: str = Field(..., min_length=1, max_length=4096, pattern=r"^[^\x00]*$")
    otp: str | None = Field(
        None,
        max_length=16,
        pattern=r"^[0-9A-Za-z ]*$",
        description="With two-factor sign-in: the code from the authenticator app, or a "
        "recovery code. Missing or wrong, it counts as a failed attempt (401).",
    )


class Token(Schema):
    token: str


@router.post(
    "/token",
    auth=None,
    response={200: Token, **errors(401, 429)},
    operation_id="issue_token",
    summary="Exchange a username and password for a bearer token",
)
def issue_token(request: HttpRequest, credentials: Credentials) -> dict[str, str]:
    """Each call counts as a sign-in attempt before the password is checked (the lockout):
    over the account's or the address's limit the answer is 429 with Retry-After."""
    user = authenticate(request, username=credentials.username, password=credentials.password)
    attempt = attempt_of(request)
    if attempt is not None and attempt.refused:
        raise Throttled(attempt.retry_after)
    if user is None or getattr(user, "membership", None) is None:
        raise AuthenticationError()
    if twofactor.has_second_factor(user):  # type: ignore[arg-type]
        if not credentials.otp or twofactor.verify(user, credentials.otp) is None:  # type: ignore[arg-type]
            failed(credentials.username, "otp")  # the attempt stays counted
            raise AuthenticationError()
    elif twofactor.required_for(user):  # type: ignore[arg-type]
        raise HttpError(
            401,
            "Your clinic requires two-factor sign-in for your role: enrol first, on your "
            "account page.",
        )
    try:
        token = issue_api_token(user=user)  # type: ignore[arg-type]
    except PermissionDenied as exc:  # deactivated between the password check and the token
        raise AuthenticationError() from exc
    if attempt is not None:
        lockout.succeeded(attempt)
    return {"token": token}


class PasswordChangeIn(Schema):
    current_password: str = Field(..., min_length=1, max_length=4096, pattern=r"^[^\x00]*$")
    new_password: str = Field(..., min_length=1, max_length=4096, pattern=r"^[^\x00]*$")


@router.post(
    "/password",
    response={204: None, **errors(403, 429)},
    operation_id="change_password",
    summary="Change the signed-in account's password",
)
def change_own_password(request: HttpRequest, payload: PasswordChangeIn) -> Status[None]:
    """Also the way out of a temporary or expired password, which every other endpoint refuses
    (403, type `/problems/password-change-required`) until it is changed. The new password
    meets the same rules as everywhere (422 names `new_password`). The current one is checked
    through the sign-in lockout: a wrong one counts as a failed attempt."""
    user: Any = request.user
    checked = authenticate(request, username=user.username, password=payload.current_password)
    attempt = attempt_of(request)
    if attempt is not None and attempt.refused:
        raise Throttled(attempt.retry_after)
    if checked is None or checked.pk != user.pk:
        raise ValidationError({"current_password": ["That is not your current password."]})
    if attempt is not None:
        lockout.succeeded(attempt)
    try:
        change_password(user=checked, new_password=payload.new_password)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ValidationError(
            {
                ("new_password" if k == "new_password2" else k): v
                for k, v in exc.message_dict.items()
            }
        ) from exc
    return Status(204, None)


class TokenOut(Schema):
    id: uuid.UUID
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    current: bool = Field(description="Whether this request was made with this token.")


class TokenList(Schema):
    items: list[TokenOut]
    count: int


class TokenFilter(Schema):
    account: uuid.UUID | None = Field(
        None, description="A colleague's account (clinic administrators); yours if not given."
    )


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else ""


@router.get(
    "/tokens",
    response={200: TokenList, **errors(403, 404)},
    operation_id="list_tokens",
    summary="List API tokens: the signed-in account's, or (a clinic administrator's) a colleague's",
)
def list_tokens(request: HttpRequest, params: Query[TokenFilter]) -> dict[str, Any]:
    """Unexpired tokens, newest first, with when each was issued, last used and expires. Only
    their ids are shown: a token's value is given once, when it is issued."""
    owner = tokens_owner_for(request.user, params.account)  # type: ignore[arg-type]
    used = ApiToken.digest_of(_bearer(request)) if _bearer(request) else ""
    items = [
        {
            "id": token.uuid,
            "created_at": token.created_at,
            "expires_at": token.expires_at,
            "last_used_at": token.last_used_at,
            "current": token.digest == used,
        }
        for token in live_tokens(owner)
    ]
    return {"items": items, "count": len(items)}


@router.delete(
    "/tokens/{token_id}",
    response={204: None, **write_errors()},
    operation_id="revoke_token",
    summary="Revoke an API token at once",
)
def revoke_token(request: HttpRequest, token_id: uuid.UUID) -> Status[None]:
    """The owner revokes their own token; a clinic administrator, a colleague's. Another
    organisation's token, or one that does not exist, is a 404."""
    token = token_for(request.user, token_id)  # type: ignore[arg-type]
    revoke_api_token(actor=request.user, token=token)  # type: ignore[arg-type]
    return Status(204, None)
