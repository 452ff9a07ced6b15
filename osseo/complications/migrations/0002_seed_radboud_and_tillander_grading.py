"""Seed the two verified infection grading schemes, in their published wording, with sources.

Frozen here (not imported from app code) so the migration means the same thing forever.
Source of the facts: docs/sources.md#infection-grading, both marked verified [V].
The Al Muderis classification is NOT seeded: its grades were not checked against the primary
paper (docs/sources.md#infection-grading); a clinic adds it as data once checked.
"""

from django.db import migrations

INFECTION = ["infection_soft_tissue", "infection_bone", "infection_implant"]

SYSTEMS = [
    {
        "code": "radboud-infection",
        "name": "Radboud 4-grade infection classification",
        "source": (
            "Radboud (Atallah) scheme, as reported in PLOS ONE 2020;15(3):e0230027 and "
            "J Bone Joint Surg Am 2020;102(15):1329-1335."
        ),
        "applies_to": INFECTION,
        "grades": [
            ("1", "Grade 1: low-grade soft-tissue infection"),
            ("2", "Grade 2: high-grade soft-tissue infection"),
            ("3", "Grade 3: deep bone infection"),
            ("4", "Grade 4: septic implant failure (septic loosening)"),
        ],
    },
    {
        "code": "tillander-implant-infection",
        "name": "Tillander implant infection (definite / probable / possible)",
        "source": (
            "Tillander et al. (Sahlgrenska), Clin Orthop Relat Res 2010;468(10):2781-2788, "
            "doi 10.1007/s11999-010-1370-0: implant infection graded definite, probable or "
            "possible on clinical, radiological and microbiological evidence."
        ),
        "applies_to": ["infection_implant"],
        "grades": [
            ("definite", "Definite implant infection"),
            ("probable", "Probable implant infection"),
            ("possible", "Possible implant infection"),
        ],
    },
]


def seed(apps, schema_editor):
    GradingSystem = apps.get_model("complications", "GradingSystem")
    Grade = apps.get_model("complications", "Grade")
    for data in SYSTEMS:
        system, _ = GradingSystem.objects.update_or_create(
            code=data["code"],
            defaults={
                "name": data["name"],
                "source": data["source"],
                "applies_to": data["applies_to"],
                "organisation": None,
            },
        )
        for rank, (code, label) in enumerate(data["grades"], start=1):
            Grade.objects.update_or_create(
                system=system, code=code, defaults={"label": label, "rank": rank}
            )


class Migration(migrations.Migration):
    dependencies = [("complications", "0001_adverse_events_grades_treatments_death")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
