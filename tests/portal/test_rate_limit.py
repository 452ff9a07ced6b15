"""Rate limits per client address, shared by the page and the API: over the limit, 429."""

from django.test import Client

from osseo.portal.models import Enquiry
from tests.portal.conftest import BODY, FORM, post_json

PAGE = "/enquire/clinic/"
API = "/api/v1/enquiries"


def test_the_sixth_enquiry_in_an_hour_is_refused_with_a_clear_message(world, settings):
    settings.OSSEO_ENQUIRY_RATE = "5/h"
    client = Client()
    for _ in range(5):
        assert client.post(PAGE, FORM).status_code == 302
    response = client.post(PAGE, FORM)
    assert response.status_code == 429
    assert "Too many enquiries have come from your network recently" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert Enquiry.objects.count() == 5


def test_the_page_and_the_api_share_the_limit(world, settings):
    settings.OSSEO_ENQUIRY_RATE = "2/h"
    assert Client().post(PAGE, FORM).status_code == 302
    assert post_json(Client(), API, BODY).status_code == 201
    response = post_json(Client(), API, BODY)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Too many requests"
    assert int(response["Retry-After"]) > 0
    assert Client().post(PAGE, FORM).status_code == 429
    assert Enquiry.objects.count() == 2


def test_the_limit_is_per_client_address(world, settings):
    settings.OSSEO_ENQUIRY_RATE = "1/h"
    assert Client(REMOTE_ADDR="192.0.2.1").post(PAGE, FORM).status_code == 302
    assert Client(REMOTE_ADDR="192.0.2.1").post(PAGE, FORM).status_code == 429
    assert Client(REMOTE_ADDR="192.0.2.2").post(PAGE, FORM).status_code == 302


def test_honeypot_catches_count_as_sent(world, settings):
    settings.OSSEO_ENQUIRY_RATE = "2/h"
    for _ in range(2):
        Client().post(PAGE, {**FORM, "website": "spam"})
    assert Client().post(PAGE, FORM).status_code == 429
    assert not Enquiry.objects.exists()


def test_a_few_corrections_pass_but_hammering_with_bad_data_is_stopped(world, settings):
    settings.OSSEO_ENQUIRY_ATTEMPT_RATE = "4/h"
    for _ in range(3):
        assert Client().post(PAGE, {**FORM, "email": "", "phone": ""}).status_code == 422
    assert Client().post(PAGE, FORM).status_code == 302
    assert Client().post(PAGE, FORM).status_code == 429
    assert post_json(Client(), API, {"junk": True}).status_code == 429
    assert Client().post(API, "{", content_type="application/json").status_code == 429


def test_reading_the_page_is_not_limited(world, settings):
    settings.OSSEO_ENQUIRY_RATE = "1/h"
    Client().post(PAGE, FORM)
    assert Client().get(PAGE).status_code == 200


def test_requests_without_a_client_address_share_one_limit(world, settings):
    settings.OSSEO_ENQUIRY_RATE = "1/h"
    assert Client(REMOTE_ADDR="").post(PAGE, FORM).status_code == 302
    assert post_json(Client(REMOTE_ADDR=""), API, BODY).status_code == 429
