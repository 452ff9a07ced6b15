"""Reads of accounts and their API tokens, scoped to who asks."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from .models import ApiToken, Organisation, Partnership, User
from .permissions import has_permission


def live_tokens(owner: User) -> QuerySet[ApiToken]:
    """The owner's unexpired API tokens, newest first."""
    return ApiToken.objects.filter(user=owner, expires_at__gt=timezone.now()).order_by(
        "-created_at", "-pk"
    )


def _manages(actor: User, account: User) -> bool:
    """Whether `actor` is a clinic administrator of `account`'s organisation."""
    return (
        has_permission(actor, "accounts.manage")
        and account.membership.organisation_id == actor.membership.organisation_id
    )


def tokens_owner_for(actor: User, account: uuid.UUID | None) -> User:
    """Whose tokens `actor` may list: their own, or a colleague's if they manage accounts in the
    colleague's organisation; anything else is a 404 (no hint that the account exists)."""
    if account is None or account == actor.uuid:
        return actor
    owner = User.objects.select_related("membership").filter(uuid=account).first()
    if owner is None or getattr(owner, "membership", None) is None or not _manages(actor, owner):
        raise Http404("No such account.")
    return owner


def token_for(actor: User, token_id: uuid.UUID) -> ApiToken:
    """A token `actor` may revoke: their own, or a colleague's as their administrator."""
    token = ApiToken.objects.select_related("user__membership").filter(uuid=token_id).first()
    if token is None or (token.user_id != actor.pk and not _manages(actor, token.user)):
        raise Http404("No such token.")
    return token


def partnerships_of(clinic: Organisation) -> QuerySet[Partnership]:
    """The clinic's active partnerships, by partner name."""
    return (
        Partnership.objects.filter(clinic=clinic, ended_at__isnull=True)
        .select_related("partner")
        .order_by("partner__name", "pk")
    )


def is_partner_of(clinic: Organisation, partner: Organisation) -> bool:
    return Partnership.objects.filter(
        clinic=clinic, partner=partner, ended_at__isnull=True
    ).exists()
