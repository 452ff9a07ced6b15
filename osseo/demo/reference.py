"""All reference data shipped by migrations, restored idempotently (a flushed database loses it)."""

from osseo.complications.reference import ensure_grading_systems
from osseo.outcomes.reference import ensure_questionnaires
from osseo.rehab.reference import ensure_reference_protocols


def ensure_reference_data() -> None:
    ensure_grading_systems()
    ensure_questionnaires()
    ensure_reference_protocols()
