"""Referrals now go only to a clinic's listed partners: each pair (referring clinic, partner) that
already has a referral becomes a partnership, dated from its first referral, so that nothing an
installation did before stops working. The reverse keeps them (a no-op)."""

from django.db import migrations


def partnerships_from_referrals(apps, schema_editor):
    Referral = apps.get_model("patients", "Referral")
    Partnership = apps.get_model("accounts", "Partnership")
    first: dict[tuple[int, int], object] = {}
    for clinic_id, partner_id, at in Referral.objects.filter(
        referred_by__membership__organisation__kind="oi_clinic"
    ).values_list("referred_by__membership__organisation_id", "organisation_id", "referred_at"):
        key = (clinic_id, partner_id)
        if key not in first or at < first[key]:
            first[key] = at
    for (clinic_id, partner_id), since in sorted(first.items()):
        if not Partnership.objects.filter(
            clinic_id=clinic_id, partner_id=partner_id, ended_at__isnull=True
        ).exists():
            Partnership.objects.create(clinic_id=clinic_id, partner_id=partner_id, since=since)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_organisation_contacts_and_partnerships"),
        ("patients", "0003_referral_protocol_and_people"),
    ]

    operations = [migrations.RunPython(partnerships_from_referrals, migrations.RunPython.noop)]
