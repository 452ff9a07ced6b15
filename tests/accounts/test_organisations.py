"""Organisations are made without the Django shell: `osseo organisation create|list`, and the
installation administrator's screen; both through `add_organisation`, audited."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from osseo.accounts.models import Organisation, User
from osseo.accounts.organisation_actions import add_organisation
from osseo.audit.models import AuditEntry
from tests.conftest import client_for


def _osseo(*args):
    out = io.StringIO()
    call_command("organisation", *args, stdout=out)
    return out.getvalue()


def test_the_command_creates_a_partner_with_its_contact_details(world):
    out = _osseo(
        "create",
        "north-rehab",
        "--kind",
        "rehab_partner",
        "--name",
        "North Rehabilitation",
        "--telephone",
        "+44 161 496 0000",
    )
    assert out.strip() == "created north-rehab (Rehabilitation partner: North Rehabilitation)"
    org = Organisation.objects.get(slug="north-rehab")
    assert (org.kind, org.name, org.telephone) == (
        "rehab_partner",
        "North Rehabilitation",
        "0161 496 0000",
    )
    entry = AuditEntry.objects.get(action="accounts.organisation.created")
    assert entry.actor is None and entry.actor_label.startswith("cli: ")


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["clinic", "--kind", "oi_clinic", "--name", "Again"], "slug: Another organisation"),
        (["Bad Slug", "--kind", "oi_clinic", "--name", "X"], "slug: Enter a short name"),
        (["fine", "--kind", "oi_clinic", "--name", "X", "--telephone", "12"], "telephone: "),
    ],
)
def test_the_command_refuses_bad_input_and_says_why(world, args, problem):
    before = Organisation.objects.count()
    with pytest.raises(CommandError) as caught:
        _osseo("create", *args)
    assert problem in str(caught.value)
    assert Organisation.objects.count() == before


def test_the_command_lists_every_organisation(world):
    assert _osseo("list").splitlines() == [
        "clinic\toi_clinic\tTest Clinic",
        "other\toi_clinic\tOther Clinic",
        "rehab\trehab_partner\tTest Rehab",
    ]


@pytest.fixture
def operator(db):
    return User.objects.create_superuser("operator", "operator@example.org", "a long pass 92x")


def test_the_installation_administrator_lists_and_adds_organisations(world, operator):
    client = client_for(operator)
    page = client.get("/accounts/organisations/")
    assert page.status_code == 200
    assert "Test Rehab" in page.content.decode()
    bad = client.post(
        "/accounts/organisations/", {"name": "X", "slug": "clinic", "kind": "oi_clinic"}
    )
    assert bad.status_code == 422
    assert "Another organisation has that short name." in bad.content.decode()
    added = client.post(
        "/accounts/organisations/",
        {"name": "South Rehab", "slug": "south-rehab", "kind": "rehab_partner"},
    )
    assert added.status_code == 302
    assert Organisation.objects.get(slug="south-rehab").kind == "rehab_partner"
    entry = AuditEntry.objects.get(action="accounts.organisation.created")
    assert entry.actor == operator


@pytest.mark.parametrize("persona", ["clinic_admin", "coordinator", "surgeon", "patient"])
def test_clinic_roles_do_not_add_organisations(world, persona):
    user = world.users[persona]
    assert client_for(user).get("/accounts/organisations/").status_code == 403
    with pytest.raises(PermissionDenied):
        add_organisation(actor=user, name="Mine", slug="mine", kind="oi_clinic")
    assert not Organisation.objects.filter(slug="mine").exists()


def test_the_new_organisation_gets_its_first_administrator_with_a_one_time_password(
    world, operator
):
    client = client_for(operator)
    taken = client.post(
        "/accounts/organisations/",
        {
            "name": "West Clinic",
            "slug": "west",
            "kind": "oi_clinic",
            "admin_username": "surgeon",  # taken by the world's surgeon
        },
    )
    assert taken.status_code == 422
    assert taken.context["form"].errors["admin_username"] == ["That username is taken."]
    assert not Organisation.objects.filter(slug="west").exists()  # neither is kept
    made = client.post(
        "/accounts/organisations/",
        {
            "name": "West Clinic",
            "slug": "west",
            "kind": "oi_clinic",
            "admin_username": "west-admin",
            "admin_email": "admin@west.example.org",
        },
    )
    assert made.status_code == 200
    issued = made.context["issued"]
    admin = User.objects.get(username="west-admin")
    assert admin.check_password(issued["password"])
    assert (admin.membership.role, admin.membership.organisation.slug) == ("clinic_admin", "west")
    assert admin.must_change_password
    assert issued["password"] in made.content.decode()
