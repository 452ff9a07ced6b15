"""Scored questionnaires (PROMs) as plain data and pure functions; no Django here.

``INSTRUMENTS`` maps an instrument's code (as in ``/api/v1/questionnaires/<code>/score``) to an
:class:`Instrument` with ``.questionnaire`` (a FHIR-R4-shaped Questionnaire dict), ``.scales``
(ordered ``(code, label, higher_is_better)``) and ``.score(answers)``.

The registered Q-TFA has neither wording nor scoring rules (see ``qtfa``): its ``score`` raises
:class:`ScoringNotConfigured` until the app builds one with ``qtfa.instrument(rules=...)``.
"""

from osseo.outcomes.instruments import qtfa, rand36
from osseo.outcomes.instruments.instrument import (
    Instrument,
    Scale,
    ScoringError,
    ScoringNotConfigured,
)

INSTRUMENTS: dict[str, Instrument] = {
    "rand-36": rand36.INSTRUMENT,
    "q-tfa": qtfa.instrument(),
}

__all__ = ["INSTRUMENTS", "Instrument", "Scale", "ScoringError", "ScoringNotConfigured"]
