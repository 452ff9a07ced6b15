"""A clinic's own loading protocol carries a version: the API's ETag/If-Match and the editor's
version keep a colleague's change from being silently undone."""

import json

from osseo.audit.models import AuditEntry
from osseo.rehab.actions import copy_protocol
from osseo.rehab.models import LoadingProtocol
from tests.conftest import api_client, client_for, make_user
from tests.rehab.conftest import SLOW, protocol

PHASES = [
    {"start_day": 1, "end_day": 10, "target_percent_body_weight": 25, "pain_gate_nrs": 5},
    {"start_day": 11, "end_day": 40, "target_percent_body_weight": 50},
]


def _own(world):
    """The clinic's copy of the slow programme, at version 1."""
    return copy_protocol(actor=world.users["clinic_admin"], protocol=protocol(SLOW))


def _put(client, own, body, **headers):
    return client.put(
        f"/api/v1/protocols/{own.uuid}",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def _phases(own):
    return list(
        LoadingProtocol.objects.get(pk=own.pk).phases.values_list(
            "start_day", "end_day", "target_percent_body_weight"
        )
    )


def test_a_read_carries_the_version_as_etag_and_a_change_raises_it(world):
    own = _own(world)
    client = api_client(world.users["clinic_admin"])
    read = client.get(f"/api/v1/protocols/{own.uuid}")
    assert (read["ETag"], read.json()["version"]) == ('"1"', 1)
    changed = _put(client, own, {"name": "Slow, ours", "phases": PHASES}, **{"If-Match": '"1"'})
    assert changed.status_code == 200, changed.content
    assert (changed["ETag"], changed.json()["version"]) == ('"2"', 2)
    assert client.get(f"/api/v1/protocols/{own.uuid}")["ETag"] == '"2"'


def test_a_stale_if_match_is_refused_with_412_and_nothing_changes(world):
    own = _own(world)
    client = api_client(world.users["clinic_admin"])
    assert _put(client, own, {"name": "Slow, ours", "phases": PHASES}).status_code == 200
    before = _phases(own)
    entries = AuditEntry.objects.count()

    stale = _put(client, own, {"name": "Stale", "phases": PHASES[:1]}, **{"If-Match": '"1"'})

    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert (stale["ETag"], stale.json()["title"]) == ('"2"', "Precondition failed")
    own = LoadingProtocol.objects.get(pk=own.pk)
    assert (own.name, own.version, _phases(own)) == ("Slow, ours", 2, before)
    assert AuditEntry.objects.count() == entries


def test_the_same_protocol_sent_again_is_no_change(world):
    own = _own(world)
    client = api_client(world.users["clinic_admin"])
    body = client.get(f"/api/v1/protocols/{own.uuid}").json()
    again = _put(client, own, {k: body[k] for k in ("name", "source", "notes", "phases")})
    assert (again.status_code, again["ETag"]) == (200, '"1"')
    assert not AuditEntry.objects.filter(action="rehab.protocol.updated").exists()


def test_a_reference_protocol_is_not_edited_even_with_its_current_etag(world):
    slow = protocol(SLOW)
    response = _put(
        api_client(world.users["clinic_admin"]),
        slow,
        {"name": "Mine now", "phases": PHASES},
        **{"If-Match": '"1"'},
    )
    assert response.status_code == 403
    assert LoadingProtocol.objects.get(pk=slow.pk).name == SLOW


def _editor(client, own):
    """The editor's form as a browser would send it back unchanged."""
    page = client.get(f"/protocols/{own.uuid}/edit/")
    assert page.status_code == 200
    form, phases = page.context["form"], page.context["phases"]
    data = {}
    for name in form.fields:
        value = form.initial.get(name, "")
        data[name] = "" if value is None else str(value)
        if name != "version":
            data[f"initial-{name}"] = data[name]
    data.update({f"phases-{k}": str(v) for k, v in phases.management_form.initial.items()})
    for i, phase in enumerate(phases.forms):
        for name in phase.fields:
            value = phase.initial.get(name)
            if isinstance(value, bool):
                if value:
                    data[f"phases-{i}-{name}"] = "on"
            elif value is not None:
                data[f"phases-{i}-{name}"] = str(value)
    return data


def test_an_editor_opened_before_a_colleagues_phase_change_keeps_it(world):
    own = _own(world)
    colleague = make_user("physio", "rehab_specialist", world.clinic)
    me = client_for(world.users["clinic_admin"])
    data = _editor(me, own)
    assert _put(api_client(colleague), own, {"name": own.name, "phases": PHASES}).status_code == 200

    data["name"] = "Slow, our clinic"
    saved = me.post(f"/protocols/{own.uuid}/edit/", data, follow=True)

    assert saved.redirect_chain, saved.content
    own = LoadingProtocol.objects.get(pk=own.pk)
    assert (own.name, own.version) == ("Slow, our clinic", 3)
    assert _phases(own) == [(1, 10, 25), (11, 40, 50)]
    assert "their changes were kept" in saved.content.decode()


def test_an_editor_changing_the_phases_a_colleague_changed_shows_theirs_and_saves_nothing(world):
    own = _own(world)
    colleague = make_user("physio", "rehab_specialist", world.clinic)
    me = client_for(world.users["clinic_admin"])
    data = _editor(me, own)
    kept = {"name": own.name, "source": own.source, "phases": PHASES}
    assert _put(api_client(colleague), own, kept).status_code == 200
    theirs = _phases(own)

    data["phases-0-target_percent_body_weight"] = "30"
    refused = me.post(f"/protocols/{own.uuid}/edit/", data)

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Changed by someone else since you opened this form (physio," in page
    assert "it is now 2 phases: days 1-10 at 25.0 % body weight; days 11-40 at 50.0 % body" in page
    assert _phases(own) == theirs
    # Mine stays in the editor; sending it again is a deliberate choice, and it is saved.
    again = dict(refused.context["form"].data.items())
    again.update({k: v for k, v in data.items() if k.startswith("phases-")})
    assert me.post(f"/protocols/{own.uuid}/edit/", again).status_code == 302
    assert _phases(own)[0][2] == 30


def test_a_refused_editor_shows_the_colleagues_phases_when_only_they_changed_them(world):
    own = _own(world)
    colleague = make_user("physio", "rehab_specialist", world.clinic)
    me = client_for(world.users["clinic_admin"])
    data = _editor(me, own)
    assert _put(api_client(colleague), own, {"name": "Theirs", "phases": PHASES}).status_code == 200

    data["name"] = "Mine"
    refused = me.post(f"/protocols/{own.uuid}/edit/", data)

    assert refused.status_code == 409
    shown = refused.context["phases"]
    assert [(f.initial["start_day"], f.initial["end_day"]) for f in shown.forms[:2]] == [
        (1, 10),
        (11, 40),
    ]
    again = _editor(me, LoadingProtocol.objects.get(pk=own.pk))
    again.update(
        {k: v for k, v in refused.context["form"].data.items() if not k.startswith("phases-")}
    )
    assert me.post(f"/protocols/{own.uuid}/edit/", again).status_code == 302
    own = LoadingProtocol.objects.get(pk=own.pk)
    assert (own.name, _phases(own)) == ("Mine", [(1, 10, 25), (11, 40, 50)])
