from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled

from osseo.accounts import lockout, twofactor
from osseo.accounts.actions import issue_api_token
from osseo.accounts.backends import attempt_of, failed
from osseo.problem import errors

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
