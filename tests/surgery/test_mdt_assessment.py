"""The MDT that decides eligibility (NICE IPG270, docs/sources.md#nice-ipg270) and the flags its sources name
(docs/sources.md#eligibility), each at its threshold."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from osseo.accounts.actions import set_clinic_setting
from osseo.pathway.actions import open_episode
from osseo.patients.actions import add_limb
from osseo.surgery.actions import record_assessment
from osseo.surgery.models import Assessment
from tests.conftest import client_for
from tests.gates import OUTSIDE_REHAB_PHYSICIAN, advance, mdt_participants


def _data(world, **extra):
    return {
        "participants": mdt_participants(world.users),
        "decided_by": world.users["surgeon"],
        "prior_socket_use": True,
        "prosthetic_rehab_months": 24,
        "decision": "defer",
        "decision_reason": "Awaiting imaging.",
        **extra,
    }


@pytest.fixture
def assessing(world):
    advance(world.users, world.episode, "assessment")
    return world


@pytest.mark.parametrize("absent", ["surgeon", "prosthetist", "rehabilitation_physician"])
def test_an_mdt_without_a_required_discipline_is_refused_naming_it(assessing, absent):
    world = assessing
    participants = [p for p in mdt_participants(world.users) if p["discipline"] != absent]
    data = _data(world, participants=participants)
    if absent == "surgeon":
        data["decided_by"] = None
    with pytest.raises(ValidationError) as refused:
        record_assessment(actor=world.users["coordinator"], episode=world.episode, data=data)
    (message,) = refused.value.message_dict["participants"]
    assert message.startswith("The MDT lacks: ")
    assert absent.replace("_", " ").split()[0] in message
    assert "NICE IPG270" in message
    assert not Assessment.objects.exists()


def test_the_issues_one_person_mdt_with_reason_ok_is_refused(assessing):
    world = assessing
    with pytest.raises(ValidationError) as refused:
        record_assessment(
            actor=world.users["coordinator"],
            episode=world.episode,
            data=_data(
                world,
                participants=[{"user": world.users["coordinator"], "discipline": "coordinator"}],
                decided_by=world.users["coordinator"],
                decision="eligible",
                decision_reason="ok",
            ),
        )
    errors = refused.value.message_dict
    assert errors["participants"] == [
        "The MDT lacks: surgeon (amputation and reconstruction), rehabilitation physician, "
        "prosthetist (NICE IPG270 §1 (docs/sources.md#nice-ipg270): selection by a "
        "multidisciplinary team)."
    ]
    assert not Assessment.objects.exists()


def test_a_coordinator_cannot_be_listed_as_the_surgeon(assessing):
    world = assessing
    participants = [
        {"user": world.users["coordinator"], "discipline": "surgeon"},
        {"user": world.users["prosthetist"], "discipline": "prosthetist"},
        OUTSIDE_REHAB_PHYSICIAN,
    ]
    with pytest.raises(ValidationError) as refused:
        record_assessment(
            actor=world.users["coordinator"],
            episode=world.episode,
            data=_data(world, participants=participants),
        )
    assert refused.value.message_dict["participants"] == [
        "Participant 1: coordinator is a coordinator and cannot take part as surgeon "
        "(amputation and reconstruction)."
    ]


def test_a_user_of_another_clinic_is_not_a_participant(assessing):
    world = assessing
    participants = [*mdt_participants(world.users)]
    participants.append({"user": world.users["outsider"], "discipline": "surgeon"})
    with pytest.raises(ValidationError) as refused:
        record_assessment(
            actor=world.users["coordinator"],
            episode=world.episode,
            data=_data(world, participants=participants),
        )
    assert "Participant 4: not a colleague" in refused.value.message_dict["participants"][0]


def test_the_decision_is_made_by_a_surgeon_who_took_part_and_recorded_by_whoever(assessing):
    world = assessing
    with pytest.raises(ValidationError) as refused:
        record_assessment(
            actor=world.users["coordinator"],
            episode=world.episode,
            data=_data(world, decided_by=world.users["coordinator"]),
        )
    assert list(refused.value.message_dict) == ["decided_by"]
    assessment = record_assessment(
        actor=world.users["coordinator"], episode=world.episode, data=_data(world)
    )
    assert (assessment.decided_by, assessment.recorded_by) == (
        world.users["surgeon"],
        world.users["coordinator"],
    )
    assert sorted(assessment.participants.values_list("discipline", "name", "organisation")) == [
        ("prosthetist", "", ""),
        ("rehabilitation_physician", "Dr Rhiannon Test", "Test Rehabilitation Partner"),
        ("surgeon", "", ""),
    ]


def test_a_clinic_can_add_a_discipline_to_its_mdt(assessing):
    world = assessing
    set_clinic_setting(
        actor=world.users["clinic_admin"],
        key="mdt_disciplines",
        value=["surgeon", "rehabilitation_physician", "prosthetist", "anaesthetist"],
    )
    with pytest.raises(ValidationError) as refused:
        record_assessment(
            actor=world.users["coordinator"], episode=world.episode, data=_data(world)
        )
    assert refused.value.message_dict["participants"] == [
        "The MDT lacks: anaesthetist (Clinic setting: MDT disciplines)."
    ]
    participants = [
        *mdt_participants(world.users),
        {"user": world.users["anaesthetist"], "discipline": "anaesthetist"},
    ]
    record_assessment(
        actor=world.users["coordinator"],
        episode=world.episode,
        data=_data(world, participants=participants),
    )


def test_a_clinic_cannot_remove_a_discipline_nice_requires(world):
    with pytest.raises(ValidationError) as refused:
        set_clinic_setting(
            actor=world.users["clinic_admin"],
            key="mdt_disciplines",
            value=["surgeon", "prosthetist"],
        )
    assert "not remove these: rehabilitation_physician" in refused.value.message_dict["value"][0]


def test_the_page_records_colleagues_and_an_outside_professional(assessing):
    world = assessing
    surgeon = world.users["surgeon"]
    page = client_for(surgeon).post(
        f"/episodes/{world.episode.uuid}/assessment/new/",
        {
            "assessed_on": timezone.localdate().isoformat(),
            "team": [f"{surgeon.uuid}:surgeon", f"{world.users['prosthetist'].uuid}:prosthetist"],
            "outside_1_name": "Dr Rhiannon Test",
            "outside_1_discipline": "rehabilitation_physician",
            "outside_1_organisation": "Test Rehab",
            "decided_by": str(surgeon.uuid),
            "prior_socket_use": "true",
            "prosthetic_rehab_months": "24",
            "decision": "eligible",
        },
    )
    assert page.status_code == 302, page.content.decode()[:3000]
    assessment = Assessment.objects.get()
    assert assessment.decision == "eligible" and assessment.flags == []
    assert assessment.participants.count() == 3


# --- Flags, each from its source's threshold --------------------------------------------------


def _flags(world, *, birth=None, amputated=None, cause="trauma", **findings):
    """The flags an assessment today raises for a patient and limb made for the case."""
    from tests.conftest import make_patient

    today = timezone.localdate()
    patient = make_patient(
        world.users["coordinator"], birth_date=birth or dt.date(today.year - 40, 1, 1)
    )
    limb = add_limb(
        actor=world.users["coordinator"],
        patient=patient,
        data={
            "site": "femur",
            "side": "left",
            "amputation_date": amputated or dt.date(today.year - 5, 1, 1),
            "cause": cause,
        },
    )
    episode = open_episode(actor=world.users["coordinator"], limb=limb)
    advance(world.users, episode, "assessment")
    assessment = record_assessment(
        actor=world.users["surgeon"],
        episode=episode,
        data=_data(world, decision="eligible", decision_reason="Weighed (test).", **findings),
    )
    return [f["code"] for f in assessment.flags]


def _years_ago(years, days=0):
    today = timezone.localdate()
    if (today.month, today.day) == (2, 29):  # the same birthday exists every year
        today -= dt.timedelta(days=1)
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


def _months_ago(months):
    today = timezone.localdate()
    month = today.month - months
    year = today.year + (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, min(today.day, 28))


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({"birth": lambda: _years_ago(18, days=-1)}, ["under_18"]),  # 18 tomorrow: still 17
        ({"birth": lambda: _years_ago(18)}, []),  # 18 today
        ({"cause": "vascular"}, ["dysvascular"]),  # from the limb's cause alone
        ({"dysvascular": True}, ["dysvascular"]),  # from the history
        ({"amputated": lambda: _months_ago(5)}, ["recent_amputation"]),
        ({"amputated": lambda: _months_ago(7)}, []),
        ({"prior_socket_use": False}, ["socket_use"]),
        ({"prior_socket_use": None}, ["socket_use"]),  # not recorded is not a yes
        ({"prosthetic_rehab_months": 5}, ["socket_use"]),
        ({"prosthetic_rehab_months": 6}, []),
        ({"active_infection": True}, ["active_infection"]),
        ({"short_or_poor_bone": True}, ["short_or_poor_bone"]),
    ],
)
def test_each_flag_is_raised_at_its_sources_threshold(world, case, expected):
    # Dates are made when the test runs, not when it is collected: a run crossing midnight would
    # otherwise compare yesterday's "18 tomorrow" with today's assessment.
    case = {key: value() if callable(value) else value for key, value in case.items()}
    assert _flags(world, **case) == expected


def test_eligible_over_a_flag_needs_the_deciding_surgeons_own_reason(world):
    from tests.conftest import make_patient

    patient = make_patient(world.users["coordinator"], birth_date=_years_ago(17))
    limb = add_limb(
        actor=world.users["coordinator"],
        patient=patient,
        data={
            "site": "tibia",
            "side": "right",
            "amputation_date": _months_ago(2),
            "cause": "vascular",
        },
    )
    episode = open_episode(actor=world.users["coordinator"], limb=limb)
    advance(world.users, episode, "assessment")
    data = _data(world, decision="eligible", decision_reason="")
    with pytest.raises(ValidationError) as refused:
        record_assessment(actor=world.users["surgeon"], episode=episode, data=data)
    assert refused.value.message_dict["decision_reason"] == [
        "Record a reason for deciding eligible despite the flags: under_18, dysvascular, "
        "recent_amputation."
    ]
    data["decision_reason"] = "ok"
    with pytest.raises(ValidationError) as refused:
        record_assessment(actor=world.users["coordinator"], episode=episode, data=data)
    assert "written by the deciding surgeon" in refused.value.message_dict["decision_reason"][0]
    assert not Assessment.objects.filter(episode=episode).exists()


def test_the_clinic_admin_adds_a_discipline_on_the_mdt_settings_page(world):
    from osseo.accounts.clinic_settings import resolve

    page = client_for(world.users["clinic_admin"]).post(
        "/mdt/settings/", {"extra": ["anaesthetist"]}
    )
    assert page.status_code == 302
    assert resolve(world.clinic, "mdt_disciplines").value == [
        "surgeon",
        "rehabilitation_physician",
        "prosthetist",
        "anaesthetist",
    ]
    assert client_for(world.users["coordinator"]).get("/mdt/settings/").status_code == 403
