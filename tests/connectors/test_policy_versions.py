"""A clinic's service policy carries a version: the API's ETag/If-Match and the policies form keep a
colleague's change from being silently undone."""

import json

from osseo.audit.models import AuditEntry
from osseo.connectors.models import ServicePolicy
from tests.conftest import api_client, client_for, make_user
from tests.connectors.conftest import policy

BODY = {
    "time_limit_months": 12,
    "activity_limit_cycles": 1.5e6,
    "reference_load_n": 800,
    "sn_exponent_m": 4,
}
URL = "/api/v1/connectors/policies/dualcone"


def _put(client, body, **headers):
    return client.put(URL, json.dumps(body), content_type="application/json", headers=headers)


def test_a_read_carries_the_version_as_etag_and_a_change_raises_it(world):
    client = api_client(world.users["clinic_admin"])
    assert client.get(URL).status_code == 404
    assert _put(client, BODY)["ETag"] == '"1"'
    read = client.get(URL)
    assert (read["ETag"], read.json()["version"]) == ('"1"', 1)
    changed = _put(client, {**BODY, "time_limit_months": 9}, **{"If-Match": '"1"'})
    assert changed.status_code == 200, changed.content
    assert (changed["ETag"], changed.json()["version"]) == ('"2"', 2)
    assert [p["version"] for p in client.get("/api/v1/connectors/policies").json()] == [2]


def test_a_stale_if_match_is_refused_with_412_and_nothing_changes(world):
    policy(world)
    client = api_client(world.users["clinic_admin"])
    assert _put(client, {**BODY, "time_limit_months": 9}).status_code == 200
    entries = AuditEntry.objects.count()

    stale = _put(client, {**BODY, "time_limit_months": 6}, **{"If-Match": '"1"'})

    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert (stale["ETag"], stale.json()["title"]) == ('"2"', "Precondition failed")
    held = ServicePolicy.objects.get()
    assert (held.time_limit_months, held.version) == (9, 2)
    assert AuditEntry.objects.count() == entries


def test_if_match_on_a_kind_with_no_policy_yet_is_refused_with_412(world):
    response = _put(api_client(world.users["clinic_admin"]), BODY, **{"If-Match": "*"})
    assert response.status_code == 412
    assert "ETag" not in response
    assert response.json()["detail"] == (
        "No dualcone policy is set yet, so it has no version *: send it without If-Match to set it."
    )
    assert not ServicePolicy.objects.exists()


def test_the_same_policy_sent_again_is_no_change(world):
    client = api_client(world.users["clinic_admin"])
    assert _put(client, BODY).status_code == 200
    again = _put(client, BODY)
    assert (again.status_code, again["ETag"]) == (200, '"1"')
    assert AuditEntry.objects.filter(action="connectors.policy.set").count() == 1


def _opened(client):
    page = client.get("/connectors/policies/?kind=dualcone")
    assert page.status_code == 200
    form = page.context["form"]
    data = {"kind": "dualcone"}
    for name, field in form.fields.items():
        bound = form[name]
        sent = field.hidden_widget().format_value(field.prepare_value(bound.initial)) or ""
        if name != "version":
            data[f"initial-{name}"] = sent
        if name == "validated":
            if bound.initial:
                data[name] = "on"
        else:
            data[name] = sent
    return data


def test_a_policy_form_opened_before_a_colleagues_change_keeps_it(world):
    policy(world)
    me = client_for(world.users["clinic_admin"])
    data = _opened(me)
    colleague = api_client(make_user("admin2", "clinic_admin", world.clinic))
    assert _put(colleague, {**BODY, "overload_threshold_n": 1400}).status_code == 200

    data["time_limit_months"] = "10"
    saved = me.post("/connectors/policies/", data, follow=True)

    assert saved.redirect_chain, saved.content
    held = ServicePolicy.objects.get()
    assert (held.time_limit_months, held.overload_threshold_n, held.version) == (10, 1400, 3)
    assert "their changes were kept" in saved.content.decode()


def test_a_policy_form_changing_the_field_a_colleague_changed_shows_theirs(world):
    policy(world)
    me = client_for(world.users["clinic_admin"])
    data = _opened(me)
    colleague = api_client(make_user("admin2", "clinic_admin", world.clinic))
    assert _put(colleague, {**BODY, "time_limit_months": 9}).status_code == 200

    data["time_limit_months"] = "10"
    refused = me.post("/connectors/policies/", data)

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Changed by someone else since you opened this form (admin2," in page
    assert "it was 12, it is now 9" in page
    assert ServicePolicy.objects.get().time_limit_months == 9
    again = dict(refused.context["form"].data.items())
    assert me.post("/connectors/policies/", again).status_code == 302
    assert ServicePolicy.objects.get().time_limit_months == 10


def test_a_new_policy_form_sent_after_a_colleague_set_the_policy_shows_theirs(world):
    me = client_for(world.users["clinic_admin"])
    opened = me.get("/connectors/policies/?kind=dualcone")
    assert "version" not in opened.context["form"].fields
    assert '<input type="hidden" name="unset" value="1">' in opened.content.decode()
    policy(world)  # a colleague sets it meanwhile

    refused = me.post(
        "/connectors/policies/",
        {"kind": "dualcone", "unset": "1", "time_limit_months": "10", "steps_basis": "body_weight"},
    )

    assert refused.status_code == 409
    assert "Someone else set this policy since you opened the form" in refused.content.decode()
    assert ServicePolicy.objects.get().time_limit_months == 12
