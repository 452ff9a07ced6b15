"""Password strength beyond Django's validators: zxcvbn's estimate of how guessable it is.

zxcvbn (Wheeler, USENIX Security 2016) scores 0-4; 3 is "safely unguessable: moderate
protection from an offline slow-hash scenario" (its documented meaning), the floor here.
Passwords are stored with Argon2, a slow hash. OWASP ASVS 4 V2.1.7 asks for a check against
breached or common passwords; Django's CommonPasswordValidator does that part.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

MAX_CHECKED = 200  # zxcvbn's time grows with length; a longer password is long enough anyway


class StrengthValidator:
    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        inputs = [
            str(getattr(user, name, "") or "")
            for name in ("username", "first_name", "last_name", "email")
        ]
        result = zxcvbn(password[:MAX_CHECKED], user_inputs=[i for i in inputs if i])
        if result["score"] < self.min_score:
            feedback = result.get("feedback") or {}
            hint = feedback.get("warning") or "It is too easy to guess."
            suggestions = " ".join(feedback.get("suggestions") or [])
            raise ValidationError(
                f"This password is too easy to guess: {hint} {suggestions}".strip(),
                code="password_too_guessable",
            )

    def get_help_text(self) -> str:
        return "Your password must not be easy to guess: a few unrelated words work well."
