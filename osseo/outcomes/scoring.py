"""The instrument a clinic scores with: the shipped one, or one built with the clinic's rules.

RAND-36 is scored with RAND's published table (shipped). The Q-TFA is scored only with rules the
clinic supplies (``InstrumentConfig``); until then it has no scorer and responses are stored
without scores, never with invented values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from osseo.accounts.models import Organisation

from .instruments import INSTRUMENTS, Instrument, ScoringError, ScoringNotConfigured, qtfa
from .models import InstrumentConfig, Questionnaire

# Instruments whose wording and scoring rules the clinic supplies.
CONFIGURABLE = {"q-tfa"}

SHIPPED_SOURCES = {
    "rand-36": "RAND 36-Item Health Survey 1.0 scoring rules, Tables 1 and 2 (RAND)",
}


@dataclass(frozen=True)
class Scoring:
    instrument: Instrument
    configured: bool  # whether scores can be computed
    source: str  # where the scoring rules come from
    validated: bool  # False when a clinic's rules have not been checked by a clinician
    item_text: dict[str, str]

    @property
    def note(self) -> str:
        if not self.configured:
            return "Scoring not configured: the clinic has not supplied the scoring rules."
        return "" if self.validated else "Scoring rules supplied by the clinic: not validated."


def config_for(organisation: Organisation | None, questionnaire: Questionnaire) -> Any:
    if organisation is None:
        return None
    return InstrumentConfig.objects.filter(
        organisation=organisation, questionnaire=questionnaire
    ).first()


def scoring_for(organisation: Organisation | None, questionnaire: Questionnaire) -> Scoring:
    code = questionnaire.code
    if code not in INSTRUMENTS:
        raise ValidationError({"questionnaire": [f"No scorer for {code!r}."]})
    if code not in CONFIGURABLE:
        return Scoring(INSTRUMENTS[code], True, SHIPPED_SOURCES.get(code, ""), True, {})
    config = config_for(organisation, questionnaire)
    item_text = dict(config.item_text) if config else {}
    if config is None or not config.rules:
        return Scoring(qtfa.instrument(item_text=item_text), False, "", False, item_text)
    rules = qtfa.QtfaRules.from_mapping(config.rules)
    return Scoring(
        qtfa.instrument(rules=rules, item_text=item_text),
        True,
        rules.source,
        rules.validated,
        item_text,
    )


def score(scoring: Scoring, answers: Mapping[Any, Any]) -> dict[str, float | None]:
    """The scores, or a ValidationError naming the item (`answers.<item>`)."""
    try:
        return scoring.instrument.score(dict(answers))
    except ScoringError as exc:
        raise ValidationError({f"answers.{exc.item}": [str(exc)]}) from exc
    except ScoringNotConfigured as exc:
        raise ValidationError({"questionnaire": [str(exc)]}) from exc
