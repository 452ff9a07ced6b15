"""The clinic administrator sets the sign-in and account policy on the clinic settings screen:
which roles must use two-factor sign-in, the idle limit, password expiry, token lifetime."""

from osseo.accounts.clinic_settings import resolve
from osseo.audit.models import AuditEntry
from tests.conftest import client_for

PAGE = "/accounts/settings/"


def _opened(client, key):
    """The policy form for `key` as the page showed it, with its opened values."""
    form = {spec.key: f for spec, f in client.get(PAGE).context["policy_forms"]}[key]
    data = {"key": key}
    for name in form.fields:
        value = form.initial.get(name, "")
        values = value if isinstance(value, list) else [value]
        values = ["on" if v is True else "" if v is False else str(v) for v in values]
        data[f"{key}-{name}"] = values
        if name != "version":
            data[f"initial-{key}-{name}"] = values
    return data


def test_the_admin_chooses_which_roles_must_use_two_factor_sign_in(world):
    client = client_for(world.users["clinic_admin"])
    data = _opened(client, "two_factor_roles")
    assert data["two_factor_roles-value"] == ["clinic_admin"]
    data["two_factor_roles-value"] = ["clinic_admin", "surgeon"]
    data["two_factor_roles-source"] = ["Clinic security policy 2026"]
    data["two_factor_roles-validated"] = ["on"]
    assert client.post(PAGE, data).status_code == 302
    setting = resolve(world.clinic, "two_factor_roles")
    assert (setting.value, setting.validated) == (["clinic_admin", "surgeon"], True)
    # The surgeon, with no authenticator, is now sent to enrol before anything else.
    assert client_for(world.users["surgeon"]).get("/patients/").url == "/accounts/two-factor/"


def test_an_unknown_role_or_an_out_of_range_number_is_a_field_error(world):
    client = client_for(world.users["clinic_admin"])
    data = _opened(client, "two_factor_roles")
    data["two_factor_roles-value"] = ["clinic_admin", "janitor"]
    refused = client.post(PAGE, data)
    assert refused.status_code == 422
    forms = {spec.key: f for spec, f in refused.context["policy_forms"]}
    assert "value" in forms["two_factor_roles"].errors
    data = _opened(client, "session_idle_minutes")
    data["session_idle_minutes-value"] = ["0"]
    refused = client.post(PAGE, data)
    assert refused.status_code == 422
    assert resolve(world.clinic, "session_idle_minutes").is_default
    assert not AuditEntry.objects.filter(action="accounts.setting.changed").exists()


def test_the_admin_sets_the_idle_limit_expiry_and_token_lifetime(world):
    client = client_for(world.users["clinic_admin"])
    for key, value in (
        ("session_idle_minutes", "15"),
        ("password_max_age_days", "365"),
        ("api_token_hours", "8"),
    ):
        data = _opened(client, key)
        data[f"{key}-value"] = [value]
        assert client.post(PAGE, data).status_code == 302, key
        assert resolve(world.clinic, key).value == int(value)
    assert AuditEntry.objects.filter(action="accounts.setting.changed").count() == 3


def test_only_the_clinic_admin_sees_the_policy(world):
    for persona in ("surgeon", "coordinator", "patient", "rehab_specialist"):
        assert client_for(world.users[persona]).get(PAGE).status_code == 403
