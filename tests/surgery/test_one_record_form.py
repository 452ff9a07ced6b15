"""One operative record form (issue 18): signing validates and saves what is on the screen first;
a signed record reads as a document with its amendments, not as a disabled form."""

import datetime as dt

from osseo.surgery.actions import place_device, start_procedure
from osseo.surgery.models import Procedure
from tests.conftest import client_for, opened_form_data
from tests.surgery.conftest import DUALCONE_GTIN, IMPLANT_GTIN, operation, post

TYPED = {
    "anaesthesia__given": "general_epidural",
    "bone_preparation__reamed_diameter_mm": "16",
    "implant_insertion__fixation": "press_fit",
    "closure__stoma_created": "true",
}


def _draft_with_parts(world):
    surgeon = world.users["surgeon"]
    operation(world, sign=False, parts=())  # moves the episode to surgery
    procedure = start_procedure(
        actor=surgeon,
        episode=world.episode,
        kind="single_stage",
        performed_on=dt.date.today() - dt.timedelta(days=3),
    )
    for kind, gtin in (("implant", IMPLANT_GTIN), ("dualcone", DUALCONE_GTIN)):
        place_device(
            actor=surgeon, procedure=procedure, kind=kind, data={"gtin": gtin, "lot": "L1"}
        )
    return procedure


def test_signing_saves_what_was_typed_then_signs_it(world):
    procedure = _draft_with_parts(world)
    me = client_for(world.users["surgeon"])
    data = opened_form_data(me.get(f"/procedures/{procedure.uuid}/").context["record_form"])
    signed = me.post(f"/procedures/{procedure.uuid}/", {**data, **TYPED, "sign": "1"})
    assert signed.status_code == 302, signed.content.decode()[:2000]
    procedure = Procedure.objects.get(pk=procedure.pk)
    assert procedure.status == "signed"
    assert procedure.current.data["anaesthesia"] == {"given": "general_epidural"}
    assert procedure.current.data["closure"] == {"stoma_created": True}


def test_a_refused_sign_off_keeps_what_was_typed_and_names_only_what_is_still_missing(world):
    procedure = _draft_with_parts(world)
    me = client_for(world.users["surgeon"])
    data = opened_form_data(me.get(f"/procedures/{procedure.uuid}/").context["record_form"])
    typed = {k: v for k, v in TYPED.items() if k != "closure__stoma_created"}
    refused = me.post(f"/procedures/{procedure.uuid}/", {**data, **typed, "sign": "1"}, follow=True)
    page = refused.content.decode()
    assert "This record cannot be signed yet: Record the stoma (closure)." in page
    assert "Record the anaesthesia given." not in page
    procedure = Procedure.objects.get(pk=procedure.pk)
    assert procedure.status == "draft"
    assert procedure.current.data["anaesthesia"] == {"given": "general_epidural"}


def test_a_signed_record_reads_as_a_document_with_its_amendments(world):
    procedure = operation(world)
    post(
        client_for(world.users["surgeon"]),
        f"/api/v1/procedures/{procedure.uuid}/amendments",
        {"data": {"extras": {"blood_loss_ml": 450}}, "reason": "Re-measured"},
    )
    page = client_for(world.users["surgeon"]).get(f"/procedures/{procedure.uuid}/")
    html = page.content.decode()
    assert "Operative record (signed, amended 1 time)" in html
    assert "<dt>Anaesthesia given</dt><dd>" in html
    assert "<dt>Blood loss</dt><dd>450 ml</dd>" in html
    assert "Re-measured" in html
    assert "disabled" not in html
