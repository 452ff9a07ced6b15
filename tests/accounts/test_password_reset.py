"""A forgotten password is reset through Django's flow, by a one-time link e-mailed through the
configured mail backend; the mail names neither the account nor any patient."""

import datetime as dt
import re

import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from osseo.accounts.actions import issue_api_token
from osseo.accounts.models import ApiToken
from osseo.audit.models import AuditEntry
from tests.conftest import PASSWORD

NEW = "granite-lantern-orbit-97"


def _ask(client, email):
    return client.post("/accounts/password/reset/", {"email": email})


def _link(message):
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)


def test_a_user_resets_a_forgotten_password_by_the_emailed_link(world):
    surgeon = world.users["surgeon"]
    surgeon.email = "surgeon@clinic.example"
    surgeon.save()
    issue_api_token(user=surgeon)
    client = Client()
    assert _ask(client, "surgeon@clinic.example").url == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["surgeon@clinic.example"]
    form_page = client.get(_link(mail.outbox[0]), follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
    )
    assert done.url == "/accounts/password/reset/done/"
    surgeon.refresh_from_db()
    assert surgeon.check_password(NEW)
    assert not ApiToken.objects.filter(user=surgeon).exists()  # tokens stop with the old password
    assert AuditEntry.objects.filter(action="accounts.password.reset").count() == 1
    # The link works once.
    again = client.get(_link(mail.outbox[0]), follow=True)
    assert again.context["validlink"] is False


def test_the_mail_names_no_patient_and_no_account(world):
    patient_account = world.users["patient"]
    patient_account.email = "patient@home.example"
    patient_account.save()
    _ask(Client(), "patient@home.example")
    (message,) = mail.outbox
    text = f"{message.subject}\n{message.body}"
    for name in (world.patient.family_name, world.patient.given_name, patient_account.username):
        assert name.lower() not in text.lower()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(world):
    response = _ask(Client(), "nobody@nowhere.example")
    assert response.url == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_the_link_expires(world, settings):
    surgeon = world.users["surgeon"]
    surgeon.email = "surgeon@clinic.example"
    surgeon.save()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _ask(Client(), "surgeon@clinic.example")
    late = start + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(late, tick=False):
        page = Client().get(_link(mail.outbox[0]), follow=True)
    assert page.context["validlink"] is False
    surgeon.refresh_from_db()
    assert surgeon.check_password(PASSWORD)
