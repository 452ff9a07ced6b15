"""Ship the Radboud loading programmes as reference protocols (data and sources: rehab/reference.py)."""

from django.db import migrations


def ship(apps, schema_editor):
    from osseo.rehab.reference import ship as ship_protocols

    ship_protocols(apps.get_model("rehab", "LoadingProtocol"), apps.get_model("rehab", "ProtocolPhase"))


class Migration(migrations.Migration):
    dependencies = [("rehab", "0001_protocols_plans_logs_tests_follow_ups")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
