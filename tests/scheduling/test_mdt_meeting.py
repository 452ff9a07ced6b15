"""An MDT meeting from agenda to decisions (issue 22): the coordinator arranges it, names who
attends, puts the patients whose assessment is due on its agenda; at the meeting each patient gets
its eligibility decision, with the attendees present as its participants, through the eligibility
action and its composition rule; agenda and minutes print."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from osseo.errors import Conflict
from osseo.scheduling import actions
from osseo.surgery.models import Assessment
from tests.conftest import api_client, client_for
from tests.scheduling.conftest import in_assessment

OUTSIDE = {
    "name": "Dr Rhiannon Test",
    "organisation": "Test Rehabilitation Partner",
    "discipline": "rehabilitation_physician",
}


def _meeting(world, **data):
    return actions.create_meeting(
        actor=world.users["coordinator"],
        data={
            "starts_at": timezone.now(),
            "place": "Seminar room 2",
            "attendees": [
                {"user": world.users["surgeon"], "discipline": "surgeon"},
                {"user": world.users["prosthetist"], "discipline": "prosthetist"},
                OUTSIDE,
            ],
            **data,
        },
    )


def test_a_meeting_goes_from_agenda_to_decisions(world):
    coordinator, surgeon = world.users["coordinator"], world.users["surgeon"]
    first, second = in_assessment(world), in_assessment(world, "Dewi", "Second")
    meeting = _meeting(world)
    one = actions.add_to_agenda(actor=coordinator, meeting=meeting, episode=first)
    two = actions.add_to_agenda(actor=coordinator, meeting=meeting, episode=second)
    assert [i.position for i in meeting.agenda.all()] == [1, 2]

    actions.decide(
        actor=surgeon,
        meeting=meeting,
        item=one,
        data={
            "decision": "eligible",
            "decided_by": surgeon,
            "decision_reason": "Weighed at the MDT.",
            "prior_socket_use": True,
            "prosthetic_rehab_months": 24,
        },
    )
    one.refresh_from_db()
    assessment = one.assessment
    assert assessment.episode == first
    assert assessment.decision == "eligible"
    assert assessment.decided_by == surgeon
    assert assessment.assessed_on == timezone.localtime(meeting.starts_at).date()
    assert sorted(
        (p.user.username if p.user else p.name, p.discipline) for p in assessment.participants.all()
    ) == [
        ("Dr Rhiannon Test", "rehabilitation_physician"),
        ("prosthetist", "prosthetist"),
        ("surgeon", "surgeon"),
    ]
    # Deciding again is refused; the second patient is still to decide.
    with pytest.raises(Conflict):
        actions.decide(actor=surgeon, meeting=meeting, item=one, data={"decision": "defer"})
    two.refresh_from_db()
    assert two.assessment is None


def test_the_attendees_present_must_make_the_mdt_the_clinic_requires(world):
    surgeon = world.users["surgeon"]
    episode = in_assessment(world)
    meeting = _meeting(world)
    item = actions.add_to_agenda(actor=world.users["coordinator"], meeting=meeting, episode=episode)
    surgeon_only = [a.pk for a in meeting.attendees.all() if a.discipline == "surgeon"]
    with pytest.raises(ValidationError) as refused:
        actions.decide(
            actor=surgeon,
            meeting=meeting,
            item=item,
            data={
                "present": surgeon_only,
                "decision": "defer",
                "decided_by": surgeon,
            },
        )
    assert refused.value.message_dict["participants"] == [
        "The MDT lacks: rehabilitation physician, prosthetist (NICE IPG270 §1 "
        "(docs/sources.md#nice-ipg270): selection by a multidisciplinary team)."
    ]
    item.refresh_from_db()
    assert item.assessment is None
    assert not Assessment.objects.filter(episode=episode).exists()


def test_only_an_episode_in_assessment_goes_on_the_agenda_once(world):
    coordinator = world.users["coordinator"]
    meeting = _meeting(world)
    with pytest.raises(Conflict):
        actions.add_to_agenda(actor=coordinator, meeting=meeting, episode=world.episode)
    episode = in_assessment(world)
    actions.add_to_agenda(actor=coordinator, meeting=meeting, episode=episode)
    with pytest.raises(Conflict):
        actions.add_to_agenda(actor=coordinator, meeting=meeting, episode=episode)


def test_the_screen_records_a_decision_and_prints_agenda_and_minutes(world):
    surgeon = world.users["surgeon"]
    episode = in_assessment(world)
    meeting = _meeting(world)
    client = client_for(surgeon)
    url = f"/mdt/meetings/{meeting.uuid}/"
    response = client.post(url, {"op": "agenda", "a-episode": str(episode.uuid)})
    assert response.status_code == 302
    item = meeting.agenda.get()
    page = client.get(url).content.decode()
    assert "1. <a href" in page and "Cai Assessed" in page
    attendees = [str(a.pk) for a in meeting.attendees.all()]
    response = client.post(
        url,
        {
            "op": "decide",
            "item": item.pk,
            f"d{item.pk}-present": attendees,
            f"d{item.pk}-decision": "not_eligible",
            f"d{item.pk}-decided_by": str(surgeon.uuid),
            f"d{item.pk}-decision_reason": "Bone too short.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(url).content.decode()
    assert "Decision: Not eligible" in page
    assert "Dr Rhiannon Test (Rehabilitation physician)" in page
    for doc in ("agenda", "minutes"):
        pdf = client.get(url, {"format": "pdf", "doc": doc})
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")


def test_a_decision_the_rules_refuse_shows_beside_its_form(world):
    surgeon = world.users["surgeon"]
    episode = in_assessment(world)
    meeting = _meeting(world)
    item = actions.add_to_agenda(actor=world.users["coordinator"], meeting=meeting, episode=episode)
    response = client_for(surgeon).post(
        f"/mdt/meetings/{meeting.uuid}/",
        {
            "op": "decide",
            "item": item.pk,
            f"d{item.pk}-present": [str(a.pk) for a in meeting.attendees.all()],
            f"d{item.pk}-decision": "not_eligible",
            f"d{item.pk}-decided_by": str(surgeon.uuid),
        },
    )
    assert response.status_code == 422
    assert "Record the reasons for the decision." in response.content.decode()
    item.refresh_from_db()
    assert item.assessment is None


def test_meetings_over_the_api(world):
    episode = in_assessment(world)
    coordinator = api_client(world.users["coordinator"])
    body = {
        "starts_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
        "place": "Seminar room 2",
        "attendees": [
            {"user": str(world.users["surgeon"].uuid), "discipline": "surgeon"},
            OUTSIDE,
        ],
        "agenda": [str(episode.uuid)],
    }
    created = coordinator.post(
        "/api/v1/mdt-meetings", json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    out = created.json()
    assert [a["discipline"] for a in out["attendees"]] == ["surgeon", "rehabilitation_physician"]
    assert out["agenda"] == [
        {
            "position": 1,
            "episode": str(episode.uuid),
            "patient": str(episode.patient.uuid),
            "decision": None,
            "assessment": None,
        }
    ]
    listed = api_client(world.users["anaesthetist"]).get("/api/v1/mdt-meetings").json()
    assert listed["count"] == 1
    assert api_client(world.users["outsider"]).get("/api/v1/mdt-meetings").json()["count"] == 0
    denied = api_client(world.users["anaesthetist"]).post(
        "/api/v1/mdt-meetings", json.dumps(body), content_type="application/json"
    )
    assert denied.status_code == 403
    assert api_client(world.users["patient"]).get("/api/v1/mdt-meetings").status_code == 403


def test_an_undecided_patient_can_be_taken_off_the_agenda_and_a_decided_one_stays(world):
    coordinator = world.users["coordinator"]
    first, second = in_assessment(world), in_assessment(world, "Dewi", "Second")
    meeting = _meeting(world)
    one = actions.add_to_agenda(actor=coordinator, meeting=meeting, episode=first)
    two = actions.add_to_agenda(actor=coordinator, meeting=meeting, episode=second)
    client = client_for(coordinator)
    url = f"/mdt/meetings/{meeting.uuid}/"
    assert client.post(url, {"op": "remove_item", "item": two.pk}).status_code == 302
    assert list(meeting.agenda.values_list("episode", flat=True)) == [first.pk]
    actions.decide(
        actor=world.users["surgeon"],
        meeting=meeting,
        item=one,
        data={"decision": "defer", "decided_by": world.users["surgeon"]},
    )
    client.post(url, {"op": "remove_item", "item": one.pk})
    assert meeting.agenda.count() == 1


def test_only_the_clinics_own_rehab_partners_staff_may_attend(world):
    from osseo.accounts.actions import create_organisation
    from osseo.accounts.organisation_actions import add_partnership
    from tests.conftest import make_user

    elsewhere = create_organisation(name="Unrelated Rehab", slug="elsewhere", kind="rehab_partner")
    stranger = make_user("stranger", "rehab_specialist", elsewhere)
    with pytest.raises(ValidationError) as refused:
        _meeting(world, attendees=[{"user": stranger, "discipline": "physiotherapist"}])
    assert "attendees" in refused.value.message_dict
    meeting = _meeting(world)
    page = client_for(world.users["coordinator"]).get(f"/mdt/meetings/{meeting.uuid}/")
    html = page.content.decode()
    assert str(world.users["rehab_specialist"].uuid) in html  # the clinic's partner's
    assert str(stranger.uuid) not in html
    # Once the clinic works with them, their staff may attend.
    add_partnership(clinic=world.clinic, partner=elsewhere)
    actions.set_attendees(
        actor=world.users["coordinator"],
        meeting=meeting,
        attendees=[{"user": stranger, "discipline": "physiotherapist"}],
    )
    assert [a.user for a in meeting.attendees.all()] == [stranger]
