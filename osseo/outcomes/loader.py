"""Keep the Questionnaire rows in step with the instruments package (idempotent).

Used by the data migration and safe to run again: a row is created or its definition updated.
"""

from __future__ import annotations

from typing import Any

from osseo.outcomes.instruments import INSTRUMENTS


def questionnaire_rows() -> list[dict[str, Any]]:
    rows = []
    for code, instrument in INSTRUMENTS.items():
        definition = instrument.questionnaire
        rows.append(
            {
                "code": code,
                "url": definition["url"],
                "version": definition.get("version", ""),
                "title": definition["title"],
                "definition": definition,
                "scales": [
                    {"code": s.code, "label": s.label, "higher_is_better": s.higher_is_better}
                    for s in instrument.scales
                ],
                "sites": list(instrument.sites),
            }
        )
    return rows


def sync_questionnaires(model: Any) -> None:
    """`model` is the Questionnaire model (the historical one inside a migration)."""
    for row in questionnaire_rows():
        code = row.pop("code")
        model.objects.update_or_create(code=code, defaults=row)
