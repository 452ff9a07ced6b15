from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import AuthenticationError

from osseo.accounts.actions import issue_api_token
from osseo.problem import errors

router = Router(tags=["auth"])


class Credentials(Schema):
    # No NUL characters: no account can have them, and PostgreSQL text refuses them.
    username: str = Field(..., min_length=1, max_length=150, pattern=r"^[^\x00]*$")
    password: str = Field(..., min_length=1, max_length=4096, pattern=r"^[^\x00]*$")


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
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None or getattr(user, "membership", None) is None:
        raise AuthenticationError()
    try:
        return {"token": issue_api_token(user=user)}  # type: ignore[arg-type]
    except PermissionDenied as exc:  # deactivated between the password check and the token
        raise AuthenticationError() from exc
