"""Booked appointments leave with the patient's record as FHIR R4 Appointments (issue 23): the
kind in Osseo's own code system, the status mapped (booked, fulfilled, cancelled, noshow), start
and end, the patient and clinician as participants; valid (fhir.resources, required bindings,
app-1..app-4); in `$everything`, and de-identified (no reason in words, dates shifted)."""

import datetime as dt

from django.utils import timezone

from osseo.interop import everything, validate
from osseo.interop.deidentify import date_shift
from osseo.interop.systems import APPOINTMENT_KIND
from osseo.scheduling import actions
from tests.conftest import api_client


def _book(world, days, kind="rehab"):
    when = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return actions.book_appointment(
        actor=world.users["coordinator"],
        patient=world.patient,
        data={
            "kind": kind,
            "starts_at": when,
            "minutes": 45,
            "place": "Gym 2",
            "clinician": world.users["surgeon"],
        },
    )


def test_booked_and_cancelled_appointments_export_as_valid_appointments(world):
    booked = _book(world, 3)
    cancelled = _book(world, 5)
    actions.cancel_appointment(
        actor=world.users["coordinator"], appointment=cancelled, reason="Patient unwell."
    )
    out = {
        r["id"]: r
        for r in everything.resources(world.patient)
        if r["resourceType"] == "Appointment"
    }
    assert set(out) == {str(booked.uuid), str(cancelled.uuid)}
    for resource in out.values():
        assert validate.check(resource) == [], resource
    first = out[str(booked.uuid)]
    assert first["status"] == "booked"
    assert first["appointmentType"]["coding"] == [
        {"system": APPOINTMENT_KIND, "code": "rehab", "display": "Rehabilitation session"}
    ]
    start = dt.datetime.fromisoformat(first["start"])
    assert dt.datetime.fromisoformat(first["end"]) - start == dt.timedelta(minutes=45)
    actors = [p["actor"] for p in first["participant"]]
    assert {"reference": f"Patient/{world.patient.uuid}"} in actors
    assert any(a.get("reference") == f"Practitioner/{world.users['surgeon'].uuid}" for a in actors)
    assert {"display": "Gym 2"} in actors
    second = out[str(cancelled.uuid)]
    assert (second["status"], second["cancelationReason"]) == (
        "cancelled",
        {"text": "Patient unwell."},
    )
    # app-4: a reason only on a cancelled (or no-show) appointment.
    assert validate.check({**first, "cancelationReason": {"text": "x"}}) != []


def test_the_everything_bundle_carries_them_with_their_clinician(world):
    booked = _book(world, 2)
    client = api_client(world.users["surgeon"])
    bundle = client.get(f"/api/v1/fhir/Patient/{world.patient.uuid}/$everything").json()
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert "Appointment" in kinds
    assert validate.bundle_problems(bundle) == []
    ids = {e["resource"]["id"] for e in bundle["entry"]}
    assert str(booked.uuid) in ids and str(world.users["surgeon"].uuid) in ids


def test_a_deidentified_appointment_loses_its_reason_and_moves_with_the_patient(world):
    from osseo.interop.deidentify import Deidentifier

    cancelled = _book(world, 4)
    actions.cancel_appointment(
        actor=world.users["coordinator"], appointment=cancelled, reason="Patient unwell."
    )
    resource = next(
        r for r in everything.resources(world.patient) if r["resourceType"] == "Appointment"
    )
    key = str(world.patient.uuid)
    from osseo.patients.models import Patient

    cleaner = Deidentifier(
        Patient.objects.filter(pk=world.patient.pk),
        key=b"k" * 32,
        threshold=1,
        today=timezone.localdate(),
    )
    cleaner.prepare([world.patient], keep=True)
    out = cleaner.apply(key, resource)
    assert "cancelationReason" not in out
    shift = dt.timedelta(days=date_shift(key, b"k" * 32))
    assert (
        dt.datetime.fromisoformat(out["start"])
        == dt.datetime.fromisoformat(resource["start"]) + shift
    )
