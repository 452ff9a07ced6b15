"""Passwords expire after the clinic's `password_max_age_days` (off until the clinic sets it):
then the account changes its password before anything else (frozen time)."""

import datetime as dt

import time_machine
from django.test import Client
from django.utils import timezone

from osseo.accounts.actions import issue_api_token, set_clinic_setting
from osseo.accounts.clinic_settings import resolve
from tests.conftest import client_for

NEW = "granite-lantern-orbit-97"


def test_passwords_do_not_expire_until_the_clinic_sets_a_period(world):
    setting = resolve(world.clinic, "password_max_age_days")
    assert (setting.value, setting.label) == (0, "not validated")
    with time_machine.travel(timezone.now() + dt.timedelta(days=3650), tick=False):
        assert client_for(world.users["surgeon"]).get("/patients/").status_code == 200


def test_an_expired_password_is_changed_before_anything_else(world):
    surgeon = world.users["surgeon"]
    set_clinic_setting(actor=world.users["clinic_admin"], key="password_max_age_days", value=90)
    chosen = surgeon.password_changed_at
    with time_machine.travel(chosen + dt.timedelta(days=89, hours=23), tick=False):
        assert client_for(surgeon).get("/patients/").status_code == 200
    with time_machine.travel(chosen + dt.timedelta(days=90, minutes=1), tick=False):
        client = client_for(surgeon)
        page = client.get("/patients/", follow=True)
        assert page.redirect_chain[-1][0] == "/accounts/password/"
        assert b"expired" in page.content
        api = Client(headers={"Authorization": f"Bearer {issue_api_token(user=surgeon)}"})
        assert api.get("/api/v1/patients").json()["type"] == "/problems/password-change-required"
        from tests.conftest import PASSWORD

        changed = client.post(
            "/accounts/password/",
            {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        )
        assert changed.status_code == 302
        assert client.get("/patients/").status_code == 200
        assert api.get("/api/v1/patients").status_code == 200
