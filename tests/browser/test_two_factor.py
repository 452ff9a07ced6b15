"""Two-factor sign-in in a real browser: a surgeon enrols by the page's key (as an app would by
the QR code), keeps the recovery codes, signs out and signs in again with a code."""

import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_surgeon_enrols_an_authenticator_and_signs_in_with_a_code(world, live_server, page):
    sign_in(page, live_server, "surgeon", PASSWORD)
    page.goto(f"{live_server.url}/accounts/two-factor/")
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page, "two-factor-enrol")
    secret = page.locator("code").first.inner_text()
    key = base64.b32decode(secret.replace(" ", ""))
    page.get_by_label("Code from the app").fill(f"{TOTP(key).token():06d}")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Your authenticator is set up.")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z0-9]+", c) for c in codes)

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Username").fill("surgeon")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    assert_accessible(page, "two-factor-code")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code is not right.", exact=True)).to_be_visible()
    page.get_by_label("Code").fill(totp_code("surgeon"))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert "/accounts/sign-in" not in page.url


def test_the_clinic_admin_signs_in_with_password_and_code(world, live_server, page):
    sign_in(page, live_server, "admin", PASSWORD)  # the helper answers the code step
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Clinic").click()
    expect(page.get_by_role("link", name="Settings")).to_be_visible()
