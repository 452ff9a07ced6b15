"""Two coordinators act on one enquiry at the same moment: the enquiry is locked before its
status is checked, so exactly one conversion succeeds and one patient is made."""

import datetime as dt
import threading

import pytest
from django.db import connection

from osseo.errors import Conflict
from osseo.patients.models import Patient
from osseo.portal import actions
from osseo.portal.models import Enquiry
from tests.portal.conftest import make_enquiry

PATIENT = {
    "given_name": "Tomos",
    "family_name": "Penhallow",
    "birth_date": dt.date(1979, 8, 14),
    "sex": "male",
}
LIMB = {"site": "femur", "side": "left", "amputation_date": dt.date(2012, 6, 1), "cause": "trauma"}


# Threads share an in-memory SQLite test database through its shared cache, whose table locks
# fail at once ("database table is locked") instead of waiting as a database file's do: there
# the test says nothing about Osseo. It runs on PostgreSQL, and on SQLite with a test file.
@pytest.fixture(autouse=True)
def _lock_waits(transactional_db):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite test database cannot make threads wait for a lock")


def at_once(*calls):
    """Run each call in its own thread (its own database connection), released together;
    return what each returned or raised."""
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            start.wait()
            outcomes[i] = call()
        except Exception as exc:  # the outcome under test
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_conversions_at_once_make_one_patient_and_one_conflict(world):
    enquiry = make_enquiry(world.clinic)
    coordinator, admin = world.users["coordinator"], world.users["clinic_admin"]

    def convert(actor):
        return lambda: actions.convert_enquiry(
            actor=actor,
            enquiry=Enquiry.objects.get(pk=enquiry.pk),  # each read it before either wrote
            patient_data=PATIENT,
            limb_data=LIMB,
        )

    outcomes = at_once(convert(coordinator), convert(admin))
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "Enquiry"], outcomes
    refused = next(o for o in outcomes if isinstance(o, Conflict))
    assert str(refused) == "This enquiry is converted already."
    assert Patient.objects.filter(family_name="Penhallow").count() == 1
    assert Enquiry.objects.get(pk=enquiry.pk).status == "converted"


@pytest.mark.django_db(transaction=True)
def test_a_close_and_a_conversion_at_once_leave_one_outcome(world):
    enquiry = make_enquiry(world.clinic)
    outcomes = at_once(
        lambda: actions.set_status(
            actor=world.users["clinic_admin"],
            enquiry=Enquiry.objects.get(pk=enquiry.pk),
            status="closed",
            reason="Moved abroad.",
        ),
        lambda: actions.convert_enquiry(
            actor=world.users["coordinator"],
            enquiry=Enquiry.objects.get(pk=enquiry.pk),
            patient_data=PATIENT,
            limb_data=LIMB,
        ),
    )
    assert [isinstance(o, Conflict) for o in outcomes].count(True) == 1, outcomes
    final = Enquiry.objects.get(pk=enquiry.pk)
    made = Patient.objects.filter(family_name="Penhallow").count()
    assert (final.status, made) in {("closed", 0), ("converted", 1)}
