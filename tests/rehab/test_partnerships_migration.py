"""Migration 0009 keeps an installation's referrals working once referrals need a partnership:
each (referring clinic, partner) pair already referred to becomes one, from its first referral."""

import importlib

from django.apps import apps

from osseo.accounts.models import Partnership
from osseo.patients.models import Referral
from osseo.rehab.actions import refer_patient

migration = importlib.import_module("osseo.accounts.migrations.0009_partnerships_from_referrals")


def test_existing_referrals_become_partnerships_once(operated):
    world = operated
    refer_patient(actor=world.users["coordinator"], patient=world.patient, organisation=world.rehab)
    referral = Referral.objects.get()
    Partnership.objects.all().delete()  # as before partnerships existed

    migration.partnerships_from_referrals(apps, None)
    migration.partnerships_from_referrals(apps, None)  # a second run adds nothing

    (made,) = Partnership.objects.all()
    assert (made.clinic, made.partner, made.since, made.added_by) == (
        world.clinic,
        world.rehab,
        referral.referred_at,
        None,
    )
