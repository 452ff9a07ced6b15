"""The operative record page under the action contract: its form writes only what the surgeon
changed and keeps a colleague's change; a sign-off refused, or read before a change, says why
with a 409 and signs nothing."""

import datetime as dt

import pytest

from osseo.surgery.actions import (
    place_device,
    save_operative_record,
    sign_operative_record,
    start_procedure,
)
from osseo.surgery.models import Procedure
from tests.conftest import client_for, opened_form_data
from tests.surgery.conftest import COMPLETE_RECORD, DUALCONE_GTIN, IMPLANT_GTIN


@pytest.fixture
def procedure(in_surgery):
    return start_procedure(
        actor=in_surgery.users["surgeon"],
        episode=in_surgery.episode,
        kind="single_stage",
        performed_on=dt.date.today() - dt.timedelta(days=7),
    )


def _page(client, procedure):
    page = client.get(f"/procedures/{procedure.uuid}/")
    assert page.status_code == 200
    return page


def _draft(procedure):
    return Procedure.objects.get(pk=procedure.pk).current.data


def test_signing_an_incomplete_record_is_a_409_listing_what_is_missing(in_surgery, procedure):
    me = client_for(in_surgery.users["surgeon"])
    assert "<li>Record the anaesthesia given.</li>" in _page(me, procedure).content.decode()
    refused = me.post(f"/procedures/{procedure.uuid}/", {"sign": "1", "version": "1"})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert (
        "This record cannot be signed yet: Record the anaesthesia given. Record the reamed "
        "diameter (bone preparation). Record the implant&#x27;s fixation."
    ) in page
    assert Procedure.objects.get(pk=procedure.pk).status == "draft"


def test_a_sign_off_from_a_page_read_before_a_colleagues_change_signs_nothing(
    in_surgery, procedure
):
    me = client_for(in_surgery.users["surgeon"])
    assert 'name="version" value="1"' in _page(me, procedure).content.decode()
    save_operative_record(
        actor=in_surgery.users["surgeon"], procedure=procedure, data=COMPLETE_RECORD
    )
    refused = me.post(f"/procedures/{procedure.uuid}/", {"sign": "1", "version": "1"})
    assert refused.status_code == 409
    assert "The record was changed by someone else since you opened it; nothing was signed." in (
        refused.content.decode()
    )
    assert Procedure.objects.get(pk=procedure.pk).status == "draft"
    assert 'name="version" value="2"' in refused.content.decode()


def test_a_record_form_opened_before_a_colleagues_change_keeps_it(in_surgery, procedure):
    me = client_for(in_surgery.users["surgeon"])
    data = opened_form_data(_page(me, procedure).context["record_form"])
    save_operative_record(
        actor=in_surgery.users["surgeon"],
        procedure=procedure,
        data={"extras": {"blood_loss_ml": 300}},
    )

    data["bone_preparation__reamed_diameter_mm"] = "16"
    saved = me.post(f"/procedures/{procedure.uuid}/", {**data, "save_record": "1"}, follow=True)
    assert saved.redirect_chain, saved.content
    assert _draft(procedure) == {
        "bone_preparation": {"reamed_diameter_mm": 16.0},
        "extras": {"blood_loss_ml": 300.0},
    }
    assert "someone else changed Blood loss (ml); their changes were kept." in (
        saved.content.decode()
    )


def test_a_record_form_changing_the_same_field_as_a_colleague_shows_theirs_and_saves_nothing(
    in_surgery, procedure
):
    me = client_for(in_surgery.users["surgeon"])
    data = opened_form_data(_page(me, procedure).context["record_form"])
    save_operative_record(
        actor=in_surgery.users["surgeon"],
        procedure=procedure,
        data={"extras": {"blood_loss_ml": 300}},
    )

    data["extras__blood_loss_ml"] = "450"
    refused = me.post(f"/procedures/{procedure.uuid}/", {**data, "save_record": "1"})
    assert refused.status_code == 409
    assert "it was (empty), it is now 300. Your value is still here" in refused.content.decode()
    assert _draft(procedure) == {"extras": {"blood_loss_ml": 300}}
    form = refused.context["record_form"]
    assert form["extras__blood_loss_ml"].value() == "450"

    again = me.post(
        f"/procedures/{procedure.uuid}/", {**dict(form.data.items()), "save_record": "1"}
    )
    assert again.status_code == 302
    assert _draft(procedure) == {"extras": {"blood_loss_ml": 450.0}}


def test_a_field_cleared_on_the_form_is_cleared_in_the_draft(in_surgery, procedure):
    save_operative_record(
        actor=in_surgery.users["surgeon"],
        procedure=procedure,
        data={"extras": {"blood_loss_ml": 300, "antibiotics": "Cefazolin"}},
    )
    me = client_for(in_surgery.users["surgeon"])
    data = opened_form_data(_page(me, procedure).context["record_form"])
    data["extras__antibiotics"] = ""
    assert me.post(f"/procedures/{procedure.uuid}/", {**data, "save_record": "1"}).status_code == (
        302
    )
    assert _draft(procedure) == {"extras": {"blood_loss_ml": 300}}


def test_an_amendment_on_the_page_writes_what_the_surgeon_changed_over_the_signed_version(
    in_surgery, procedure
):
    surgeon = in_surgery.users["surgeon"]
    save_operative_record(actor=surgeon, procedure=procedure, data=COMPLETE_RECORD)
    place_device(
        actor=surgeon, procedure=procedure, kind="implant", data={"gtin": IMPLANT_GTIN, "lot": "I"}
    )
    place_device(
        actor=surgeon,
        procedure=procedure,
        kind="dualcone",
        data={"gtin": DUALCONE_GTIN, "lot": "D"},
    )
    sign_operative_record(actor=surgeon, procedure=procedure)
    me = client_for(surgeon)
    data = opened_form_data(_page(me, procedure).context["record_form"])
    data["extras__blood_loss_ml"] = "450"
    amended = me.post(
        f"/procedures/{procedure.uuid}/",
        {**data, "amend": "1", "reason": "Blood loss re-measured"},
    )
    assert amended.status_code == 302
    versions = list(Procedure.objects.get(pk=procedure.pk).versions.all())
    assert [(v.number, v.amendment_reason) for v in versions] == [
        (1, ""),
        (2, "Blood loss re-measured"),
    ]
    assert versions[1].data == {
        **COMPLETE_RECORD,
        "extras": {**COMPLETE_RECORD["extras"], "blood_loss_ml": 450.0},
    }
