"""A patient's appointment reminder tells them how to reach the clinic: its contact details."""

import datetime as dt

from django.core import mail

from osseo.accounts.organisation_actions import update_organisation_contact
from tests.scheduling.test_reminders import _book, _worker_at


def test_the_patients_reminder_gives_the_clinics_telephone_and_e_mail(
    world, django_capture_on_commit_callbacks
):
    update_organisation_contact(
        actor=world.users["clinic_admin"],
        organisation=world.clinic,
        data={
            "telephone": "0113 496 0000",
            "email": "desk@example.org",
            "address": "1 Road\nLeeds",
        },
    )
    _book(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 5, 7, 30, tzinfo=dt.UTC))
    patient = next(m for m in mail.outbox if m.to == ["ada@example.org"])
    assert patient.body.endswith(
        "please contact the clinic.\n\n"
        "Telephone: 0113 496 0000\nE-mail: desk@example.org\nAddress: 1 Road, Leeds\n"
    )


def test_without_contact_details_the_reminder_says_only_to_contact_the_clinic(
    world, django_capture_on_commit_callbacks
):
    _book(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 5, 7, 30, tzinfo=dt.UTC))
    patient = next(m for m in mail.outbox if m.to == ["ada@example.org"])
    assert patient.body.endswith("please contact the clinic.\n")
