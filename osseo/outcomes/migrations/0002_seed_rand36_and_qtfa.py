"""Seed the RAND-36 and the Q-TFA structure from the instruments package (idempotent loader)."""

from django.db import migrations


def seed(apps, schema_editor):
    from osseo.outcomes.loader import sync_questionnaires

    sync_questionnaires(apps.get_model("outcomes", "Questionnaire"))


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_questionnaires_responses_scores")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
