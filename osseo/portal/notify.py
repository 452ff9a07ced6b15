"""The emails an enquiry sends once it is saved: an acknowledgement and the clinic's notice.

Sent after the transaction commits (`transaction.on_commit`), through Django's mail API and the
configured backend (the console by default, SMTP by settings). A mail server that is down must not
lose the enquiry or show the enquirer an error: the failure is logged and the enquiry stays.
Neither email repeats what the enquirer typed: health details do not belong in email, and an
acknowledgement carrying the sender's words would let the form mail strangers a robot's text.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import Enquiry
from .queries import notify_address

log = logging.getLogger(__name__)


def send_receipt_emails(enquiry_id: int, base_url: str) -> None:
    enquiry = Enquiry.objects.select_related("organisation").filter(pk=enquiry_id).first()
    if enquiry is None:
        return
    clinic = enquiry.organisation
    context = {"enquiry": enquiry, "clinic": clinic, "base_url": base_url.rstrip("/")}
    if enquiry.email:
        _send(
            f"{clinic.name}: we have received your enquiry",
            render_to_string("portal/email/acknowledgement.txt", context),
            [enquiry.email],
        )
    clinic_address = notify_address(clinic)
    if clinic_address:
        _send(
            f"Osseo: a new enquiry for {clinic.name}",
            render_to_string("portal/email/clinic_notification.txt", context),
            [clinic_address],
        )


def _send(subject: str, body: str, to: list[str]) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except Exception:  # a mail server down must not undo or hide a saved enquiry
        log.exception("Could not send the email %r", subject)
