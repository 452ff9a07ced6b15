"""The shipped questionnaires, re-installable at any time (idempotent; see the loader)."""

from __future__ import annotations

from .loader import sync_questionnaires


def ensure_questionnaires() -> None:
    from .models import Questionnaire

    sync_questionnaires(Questionnaire)
