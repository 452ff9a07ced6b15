"""Errors are Osseo pages with a way back, not the server's bare text; none leaks details."""

from django.test import Client

from tests.conftest import client_for


def test_a_record_outside_the_users_care_is_a_not_found_page_with_a_way_back(world):
    response = client_for(world.users["outsider"]).get(f"/patients/{world.patient.uuid}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Not found</h1>" in page
    assert "Back to your dashboard" in page
    assert "Quarrell" not in page


def test_a_role_without_the_permission_is_told_why(world):
    response = client_for(world.users["surgeon"]).get("/accounts/settings/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Not allowed</h1>" in page
    assert "ask your clinic administrator" in page


def test_the_not_allowed_page_says_it_in_words_without_the_permission_s_code(world):
    # The access history needs audit.view, which a surgeon does not hold: the page says so in
    # words; the API's problem detail says the same.
    url = f"/patients/{world.patient.uuid}/access/"
    page = client_for(world.users["surgeon"]).get(url)
    assert page.status_code == 403
    assert "<p>Your role may not do this.</p>" in page.content.decode()
    assert "audit.view" not in page.content.decode()


def test_signed_out_the_not_found_page_offers_to_sign_in(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "Sign in" in response.content.decode()


def test_the_server_error_page_needs_no_context_and_says_nothing_was_saved():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")  # Django renders it with an empty context
    assert "Something went wrong" in page
    assert "was not saved" in page
    assert "/static/osseo/osseo.css" in page


def test_an_expired_form_says_nothing_was_saved_and_what_to_do(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["surgeon"])
    response = client.post(f"/patients/{world.patient.uuid}/edit/", {"given_name": "X"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>The form expired</h1>" in page
    assert "Nothing was saved." in page
    world.patient.refresh_from_db()
    assert world.patient.given_name == "Ada"
