"""A coordinator invites a patient from the patient's record; the patient opens the e-mailed
link, sets a password, lands on their own record, signs out and signs in again; the used link
is then refused."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHOSEN = "Kestrel-orchard-lantern-47"


def test_an_invited_patient_sets_a_password_and_signs_in(world, live_server, page):
    patient = make_patient(world.users["coordinator"], given_name="Nell", email="nell@example.org")
    sign_in(page, live_server, "coordinator", PASSWORD)
    page.goto(f"{live_server.url}/patients/{patient.uuid}/")
    page.get_by_role("link", name="Patient's own account").click()
    expect(page.get_by_text("No account yet.")).to_be_visible()
    assert_accessible(page, "patient-account-invite")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent to nell@example.org")).to_be_visible()
    page.screenshot(path="test-artifacts/screenshots/invitation-sent.png", full_page=True)
    page.get_by_role("button", name="Sign out").click()

    (message,) = mail.outbox
    link = re.search(r"(http://\S+/accounts/invitation/\S+/)", message.body).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", name="Set up your account")).to_be_visible()
    assert_accessible(page, "invitation-set-password")
    page.locator("#id_new_password1").fill("short")
    page.locator("#id_new_password2").fill("short")
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.locator("#id_new_password1").fill(CHOSEN)
    page.locator("#id_new_password2").fill(CHOSEN)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", name="Hello, Nell")).to_be_visible()
    assert page.url.endswith("/me/")
    page.screenshot(path="test-artifacts/screenshots/invitation-own-record.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "nell@example.org", CHOSEN)
    assert page.url.endswith("/me/")
    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    expect(page.get_by_text("This invitation link cannot be used")).to_be_visible()
    assert_accessible(page, "invitation-used")
    page.screenshot(path="test-artifacts/screenshots/invitation-used.png", full_page=True)
