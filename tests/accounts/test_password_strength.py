"""Passwords: at least 12 characters, not common, not guessable (zxcvbn), not like the name."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from osseo.accounts.models import User


@pytest.mark.parametrize(
    "password",
    [
        " " * 10,
        " " * 14,  # long enough, but no better than nothing
        "Summer2026!",
        "password1234",
        "morwennahale1",
        "123456789012",
    ],
)
def test_a_weak_password_is_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password, User(username="mhale", first_name="Morwenna", last_name="Hale"))


@pytest.mark.parametrize(
    "password", ["a long pass phrase 9", "correct-horse-battery-42", "tidal quartz lantern"]
)
def test_a_long_unguessable_password_is_accepted(password):
    validate_password(password, User(username="mhale", first_name="Morwenna", last_name="Hale"))
