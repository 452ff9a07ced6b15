"""Amending a signed operative record (issue 18): a merge of the fields named, with a reason, the
same sign-off checks as signing, and a field-by-field difference in the history."""

from osseo.audit.models import AuditEntry
from osseo.surgery.models import OperativeRecordVersion
from tests.conftest import api_client, client_for
from tests.surgery.conftest import operation, post


def _amend(world, procedure, data, reason="Blood loss re-measured"):
    return post(
        api_client(world.users["surgeon"]),
        f"/api/v1/procedures/{procedure.uuid}/amendments",
        {"data": data, "reason": reason},
    )


def test_an_amendment_naming_one_field_keeps_every_other_field_of_the_signed_record(world):
    procedure = operation(world)
    response = _amend(world, procedure, {"extras": {"blood_loss_ml": 450}})
    assert response.status_code == 201, response.content
    first, second = OperativeRecordVersion.objects.filter(procedure=procedure).order_by("number")
    assert second.data == {**first.data, "extras": {**first.data["extras"], "blood_loss_ml": 450}}
    assert second.data["anaesthesia"] == {"given": "general_epidural"}
    assert second.data["closure"]["stoma_created"] is True
    entry = AuditEntry.objects.get(action="surgery.record.amended")
    assert entry.changes == {
        "version": [1, 2],
        "extras.blood_loss_ml": ["300", "450"],
        "reason": [None, "Blood loss re-measured"],
    }


def test_an_amendment_that_would_leave_the_record_unsignable_is_refused_naming_what(world):
    procedure = operation(world)
    response = _amend(world, procedure, {"anaesthesia": {"given": None}}, reason="Typo")
    assert response.status_code == 409
    assert [m["code"] for m in response.json()["missing"]] == ["anaesthesia_given"]
    assert OperativeRecordVersion.objects.filter(procedure=procedure).count() == 1


def test_an_amendment_needs_a_reason_and_a_change(world):
    procedure = operation(world)
    no_reason = _amend(world, procedure, {"extras": {"blood_loss_ml": 450}}, reason="   ")
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["reason"]
    same = _amend(world, procedure, {"extras": {"blood_loss_ml": 300}})
    assert same.status_code == 422
    assert same.json()["errors"] == [
        {"field": "data", "message": "The amendment changes nothing in the signed record."}
    ]
    assert OperativeRecordVersion.objects.filter(procedure=procedure).count() == 1


def test_the_history_shows_each_amendment_field_by_field_with_its_reason(world):
    procedure = operation(world)
    _amend(world, procedure, {"extras": {"blood_loss_ml": 450}})
    page = client_for(world.users["surgeon"]).get(f"/procedures/{procedure.uuid}/")
    html = page.content.decode()
    assert "Blood loss re-measured" in html
    assert "Cultures, antibiotics, blood loss, complications and team: Blood loss" in html
    assert "300" in html and "450" in html
