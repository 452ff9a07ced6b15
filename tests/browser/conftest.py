from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-4.14.1.min.js"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def assert_accessible(page, name: str) -> None:
    """axe-core (WCAG 2.0/2.1/2.2 A and AA rules) finds no violation; a screenshot is kept."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    violations = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]
    assert violations == [], f"{name}: {violations}"


def sign_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/accounts/sign-in/code/" in page.url:  # an account with two-factor sign-in
        from tests.conftest import totp_code

        page.get_by_label("Code").fill(totp_code(username))
        page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def browser_context_args(browser_context_args):
    # bypass_csp lets the test inject axe-core; the pages themselves keep their strict CSP.
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "bypass_csp": True}
