"""The demo's three patient accounts show the patient's own pages at three points of the pathway,
and `osseo demo` prints them with the other sign-ins."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from osseo.accounts.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(seeded_demo):
    """What `osseo demo` prints when the demo is already there: the sign-ins."""
    from io import StringIO

    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def _page(username, url):
    response = client_for(User.objects.get(username=username)).get(url)
    assert response.status_code == 200, (username, url)
    return response.content.decode()


def test_the_demo_prints_the_three_patient_accounts(demo):
    for username in ("patient-rehab", "patient-follow", "patient-plan"):
        assert f"  {username} " in demo


def test_the_rehabilitation_patient_has_a_questionnaire_due_and_a_diary(demo):
    home = _page("patient-rehab", "/me/")
    assert 'aria-current="step">Rehabilitation' in home
    assert "Answer the questionnaire" in home
    assert _page("patient-rehab", "/me/diary/")


def test_the_follow_up_patient_has_a_part_due_for_a_service_soon(demo):
    home = _page("patient-follow", "/me/")
    assert 'aria-current="step">Follow-up' in home
    implant = _page("patient-follow", "/me/implant/")
    assert "Dualcone adaptor" in implant and "due for a service around" in implant
    for internal in ("cycles", "Palmgren", "not validated"):
        assert internal not in implant


def test_the_waiting_patient_has_a_plan_and_a_guide(demo):
    plan = _page("patient-plan", "/me/plan/")
    assert "One operation or more" in plan
    guide = _page("patient-plan", "/me/guide/")
    assert "Your surgical plan has not been made yet" not in guide
    pdf = client_for(User.objects.get(username="patient-plan")).get("/me/guide/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
