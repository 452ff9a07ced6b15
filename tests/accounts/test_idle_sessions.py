"""A signed-in session with no activity for the clinic's `session_idle_minutes` ends (frozen
time); activity keeps it going."""

import datetime as dt

import time_machine
from django.utils import timezone

from osseo.accounts.actions import set_clinic_setting
from osseo.accounts.clinic_settings import resolve
from osseo.audit.models import AuditEntry
from tests.conftest import client_for


def test_a_session_idle_past_the_clinics_limit_ends(world):
    limit = resolve(world.clinic, "session_idle_minutes").value
    assert limit == 30
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = client_for(world.users["surgeon"])
        assert client.get("/patients/").status_code == 200
        clock.shift(dt.timedelta(minutes=limit - 1))
        assert client.get("/patients/").status_code == 200  # activity: the clock starts again
        clock.shift(dt.timedelta(minutes=limit - 1))
        assert client.get("/patients/").status_code == 200
        clock.shift(dt.timedelta(minutes=limit + 1))
        ended = client.get("/patients/")
        assert ended.status_code == 302
        assert ended.url == "/accounts/sign-in/?next=%2Fpatients%2F"
        assert client.get("/patients/").url.startswith("/accounts/sign-in/")  # signed out
    assert AuditEntry.objects.filter(action="accounts.session.idle_ended").count() == 1


def test_the_clinic_sets_the_limit_and_it_applies_to_the_api_session_too(world):
    set_clinic_setting(actor=world.users["clinic_admin"], key="session_idle_minutes", value=5)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = client_for(world.users["surgeon"])
        assert client.get("/api/v1/patients").status_code == 200
        clock.shift(dt.timedelta(minutes=6))
        assert client.get("/api/v1/patients").status_code == 401
