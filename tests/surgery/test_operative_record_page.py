"""The operative record page under the action contract: a sign-off refused says why with a 409
and signs nothing."""

import datetime as dt

import pytest

from osseo.surgery.actions import start_procedure
from osseo.surgery.models import Procedure
from tests.conftest import client_for


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
