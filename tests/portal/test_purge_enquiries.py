"""`osseo purge-enquiries` deletes unconverted enquiries past the clinic's retention period."""

import datetime as dt

import time_machine
from django.core.management import call_command

from osseo.audit.models import AuditEntry
from osseo.portal import actions
from osseo.portal.models import Enquiry, EnquiryNote
from tests.portal.conftest import make_enquiry

T0 = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
CONVERT = {
    "given_name": "Tomos",
    "family_name": "Penhallow",
    "birth_date": dt.date(1979, 8, 14),
    "sex": "male",
}
LIMB = {"site": "femur", "side": "left", "amputation_date": dt.date(2012, 6, 1), "cause": "trauma"}


def _purge(capsys):
    call_command("purge-enquiries")
    return capsys.readouterr().out


def test_unconverted_enquiries_go_after_the_retention_period_and_converted_ones_stay(world, capsys):
    coordinator = world.users["coordinator"]
    with time_machine.travel(T0, tick=False):
        new = make_enquiry(world.clinic)
        contacted = make_enquiry(world.clinic, name="Second Person")
        closed = make_enquiry(world.clinic, name="Third Person")
        converted = make_enquiry(world.clinic, name="Tomos Penhallow")
        actions.add_note(actor=coordinator, enquiry=new, text="Rang.")
        actions.set_status(actor=coordinator, enquiry=contacted, status="contacted")
        actions.set_status(actor=coordinator, enquiry=closed, status="closed", reason="No.")
        actions.convert_enquiry(
            actor=coordinator, enquiry=converted, patient_data=CONVERT, limb_data=LIMB
        )
    with time_machine.travel(T0 + dt.timedelta(days=179, hours=23), tick=False):
        assert _purge(capsys) == "Removed 0 expired enquiries.\n"
    assert Enquiry.objects.count() == 4
    with time_machine.travel(T0 + dt.timedelta(days=180), tick=False):
        out = _purge(capsys)
    ids = sorted(str(e.uuid) for e in (new, contacted, closed))
    assert out.splitlines()[0] == "Removed 3 expired enquiries."
    assert sorted(line.split()[1] for line in out.splitlines()[1:]) == ids
    assert "Person" not in out and "Tomos" not in out  # ids, never names
    assert list(Enquiry.objects.all()) == [converted]
    assert EnquiryNote.objects.count() == 0
    entry = AuditEntry.objects.get(action="portal.enquiry.purged")
    assert entry.changes["count"] == 3
    assert sorted(entry.changes["enquiries"]) == ids
    assert entry.actor_label == "osseo purge-enquiries"


def test_the_clinics_own_period_applies_to_its_enquiries_only(world, capsys):
    admin = world.users["clinic_admin"]
    with time_machine.travel(T0, tick=False):
        actions.set_enquiry_settings(actor=admin, data={"retention_days": 30})
        ours = make_enquiry(world.clinic)
        theirs = make_enquiry(world.other_clinic)
    with time_machine.travel(T0 + dt.timedelta(days=31), tick=False):
        out = _purge(capsys)
    assert out == f"Removed 1 expired enquiry.\n  clinic {ours.uuid}\n"
    assert list(Enquiry.objects.all()) == [theirs]


def test_an_enquiry_is_never_kept_longer_than_the_enquirer_was_told(world, capsys):
    admin = world.users["clinic_admin"]
    with time_machine.travel(T0, tick=False):
        actions.set_enquiry_settings(actor=admin, data={"retention_days": 30})
        told_30 = make_enquiry(world.clinic)
        actions.set_enquiry_settings(actor=admin, data={"retention_days": 365})
    assert told_30.retention_days == 30
    with time_machine.travel(T0 + dt.timedelta(days=30), tick=False):
        _purge(capsys)
    assert not Enquiry.objects.exists()


def test_a_dry_run_lists_and_deletes_nothing(world, capsys):
    with time_machine.travel(T0, tick=False):
        enquiry = make_enquiry(world.clinic)
    with time_machine.travel(T0 + dt.timedelta(days=400), tick=False):
        call_command("purge-enquiries", "--dry-run")
    assert (
        capsys.readouterr().out == f"Would remove 1 expired enquiries.\n  clinic {enquiry.uuid}\n"
    )
    assert Enquiry.objects.count() == 1
