"""The chain head, and the move of an existing unkeyed chain onto the keyed chain (once)."""

from django.conf import settings
from django.db import migrations, models

from osseo.audit.rekey import rechain_with_key

TRIGGER = "audit_entry_append_only"


def rechain(apps, schema_editor):
    entry = apps.get_model("audit", "AuditEntry")
    head = apps.get_model("audit", "ChainHead")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:  # migrations run as the table's owner, who alone may lift the trigger
        schema_editor.execute(f"ALTER TABLE audit_auditentry DISABLE TRIGGER {TRIGGER}")
    rechain_with_key(entry, head, settings.OSSEO_AUDIT_KEY)
    if postgresql:
        schema_editor.execute(f"ALTER TABLE audit_auditentry ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):

    dependencies = [("audit", "0002_refuse_update_delete_on_postgresql")]

    operations = [
        migrations.CreateModel(
            name='ChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveBigIntegerField()),
                ('hash', models.CharField(max_length=64)),
                ('mark', models.CharField(max_length=64)),
                ('at', models.DateTimeField()),
            ],
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
    ]
