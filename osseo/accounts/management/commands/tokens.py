"""`osseo tokens purge`: remove the API tokens past their expiry (run it from cron, daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from osseo.accounts.actions import purge_expired_tokens
from osseo.audit.context import acting_as


class Command(BaseCommand):
    help = "Manage API tokens: `purge` removes the expired ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["purge"])

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(label="cli: osseo tokens purge"):
            count = purge_expired_tokens()
        self.stdout.write(f"removed {count} expired API token{'' if count == 1 else 's'}")
