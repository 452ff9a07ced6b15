import uuid

from django.db import migrations, models


def drop_tokens(apps, schema_editor):
    # Tokens live 12 hours and are re-issued by signing in again; the ones made before tokens
    # had public ids are dropped so each token can be given a unique one.
    apps.get_model("accounts", "ApiToken").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_organisation_demonstration")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="must_change_password",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="user",
            name="password_changed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(drop_tokens, migrations.RunPython.noop),
        migrations.AddField(
            model_name="apitoken",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="last_used_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
