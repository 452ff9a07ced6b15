from django.db import migrations, models


def remind_of_the_time_booked(apps, schema_editor):
    """Reminders sent before this migration reminded of the appointment's time as it stands."""
    Reminder = apps.get_model("scheduling", "Reminder")
    for reminder in Reminder.objects.select_related("appointment").filter(starts_at__isnull=True):
        reminder.starts_at = reminder.appointment.starts_at
        reminder.save(update_fields=["starts_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0001_clinic_week"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="cancel_reason",
            field=models.TextField(blank=True),
        ),
        migrations.RemoveConstraint(
            model_name="reminder",
            name="reminder_once",
        ),
        migrations.AddField(
            model_name="reminder",
            name="starts_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(remind_of_the_time_booked, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reminder",
            name="starts_at",
            field=models.DateTimeField(),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(
                fields=("appointment", "kind", "to_patient", "starts_at"), name="reminder_once"
            ),
        ),
    ]
