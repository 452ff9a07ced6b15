"""The patient's own pages on a 390 px phone: nothing scrolls sideways (measured in the page),
axe finds nothing, the menu opens from the keyboard; screenshots are kept to look at."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SHOTS, assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/me/",
    "/me/plan/",
    "/me/guide/",
    "/me/appointments/",
    "/me/implant/",
    "/me/diary/",
    "/me/questionnaires/",
    "/me/activity/",
    "/me/details/",
    "/me/contact/",
]


def _every_page(page, live_server, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, username, password)
    assert page.url == f"{live_server.url}/me/"
    for path in PAGES:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{username} {path} is {width}px wide"
        assert_accessible(page, f"{username}-" + (path.strip("/").replace("/", "-")))


def test_each_patient_page_fits_a_phone_and_is_accessible(world, live_server, page):
    _every_page(page, live_server, "patient", PASSWORD)


def test_the_demo_patients_pages_fit_a_phone_at_each_point_of_the_pathway(live_server, page):
    from django.core.management import call_command

    call_command("demo", verbosity=0)
    for username in ("patient-rehab", "patient-follow", "patient-plan"):
        _every_page(page, live_server, username, "osseo-demo-2026")


def test_the_menu_opens_from_the_keyboard_on_a_phone(world, live_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "patient", PASSWORD)
    toggle = page.get_by_role("button", name="My care")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My guide").click()
    page.wait_for_load_state()
    assert page.url.endswith("/me/guide/")
    page.screenshot(path=str(SHOTS / "me-menu-open.png"), full_page=True)


@pytest.mark.parametrize("width", [640, 320])
def test_each_patient_page_reflows_when_zoomed(world, live_server, page, width):
    """200 % zoom on a 1280 px screen is a 640 px wide page; WCAG 1.4.10 (reflow) asks for
    320 px (400 %): nothing scrolls sideways at either."""
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, "patient", PASSWORD)
    for path in PAGES:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= width, f"{path} is {scrolled}px wide at {width}px"


def test_the_pages_of_a_bilateral_patient_with_one_implant_taken_out_fit_a_phone(
    world, live_server, page
):
    """Two limbs at two points (one staged between its operations, one explanted): every page
    fits 390 px and axe finds nothing."""
    import datetime as dt

    from osseo.surgery import actions
    from tests.gates import advance
    from tests.scheduling.conftest import staged_hand
    from tests.surgery.conftest import days_ago, operation

    operation(world, on=days_ago(900))
    advance(world.users, world.episode, "rehabilitation", "follow_up")
    explantation = operation(
        world, "explantation", on=days_ago(10), parts=(), sign=False, indication="infection"
    )
    actions.sign_operative_record(actor=world.users["surgeon"], procedure=explantation)
    staged_hand(world, dt.date.today() - dt.timedelta(days=20))
    _every_page(page, live_server, "patient", PASSWORD)
    page.goto(live_server.url + "/me/")
    page.screenshot(path=str(SHOTS / "me-home-explanted-and-staged-390.png"), full_page=True)
