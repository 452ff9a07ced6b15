import io
import sys

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from osseo.accounts.models import User
from osseo.audit.models import AuditEntry


def _adduser(monkeypatch, stdin, *args):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("adduser", *args, stdout=out)
    return out.getvalue()


def test_it_provisions_a_staff_account_reading_one_line_of_password(world, monkeypatch):
    out = _adduser(
        monkeypatch,
        "a long pass phrase 9\nignored\n",
        "newsurgeon",
        "--role",
        "surgeon",
        "--organisation",
        "clinic",
        "--password-stdin",
    )
    assert out.strip() == "created newsurgeon (surgeon at clinic)"
    user = User.objects.get(username="newsurgeon")
    assert check_password("a long pass phrase 9", user.password)
    assert (user.membership.role, user.membership.organisation.slug) == ("surgeon", "clinic")
    entry = AuditEntry.objects.get(action="accounts.user.created", object_id=str(user.uuid))
    assert entry.actor is None
    assert entry.actor_label.startswith("cli: ")


def test_the_patient_role_links_to_the_patient_record(world, monkeypatch):
    from tests.conftest import make_patient

    patient = make_patient(world.users["coordinator"], given_name="Pat")
    _adduser(
        monkeypatch,
        "another long phrase 7\n",
        "pat",
        "--role",
        "patient",
        "--organisation",
        "clinic",
        "--patient",
        str(patient.uuid),
        "--password-stdin",
    )
    assert User.objects.get(username="pat").membership.patient == patient


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["x1", "--role", "patient", "--organisation", "clinic"],
            "patient: A patient account must be linked",
        ),
        (
            ["x2", "--role", "surgeon", "--organisation", "nowhere"],
            "no organisation with slug 'nowhere'",
        ),
        (
            ["surgeon", "--role", "surgeon", "--organisation", "clinic"],
            "username: That username is taken.",
        ),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message_and_create_nothing(
    world, monkeypatch, args, message
):
    count = User.objects.count()
    with pytest.raises(CommandError, match=message):
        _adduser(monkeypatch, "a long pass phrase 9\n", *args, "--password-stdin")
    assert User.objects.count() == count


def test_a_weak_password_is_refused(world, monkeypatch):
    with pytest.raises(CommandError, match="password"):
        _adduser(
            monkeypatch,
            "123\n",
            "weak",
            "--role",
            "surgeon",
            "--organisation",
            "clinic",
            "--password-stdin",
        )
    assert not User.objects.filter(username="weak").exists()
