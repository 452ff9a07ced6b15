"""`osseo organisation create SLUG --kind oi_clinic|rehab_partner --name NAME` and
`osseo organisation list`: the operator's way to add and see organisations (the installation's
administrator has the same on the organisations screen)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from osseo.accounts.models import Organisation, OrganisationKind
from osseo.accounts.organisation_actions import add_organisation
from osseo.audit.context import acting_as


class Command(BaseCommand):
    help = "Add an organisation (create) or list them (list)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        create = sub.add_parser("create", help="add a clinic or a rehabilitation partner")
        create.add_argument("slug", help="short name: lower-case letters, digits, hyphens")
        create.add_argument("--kind", required=True, choices=OrganisationKind.values)
        create.add_argument("--name", required=True)
        create.add_argument("--telephone", default="")
        create.add_argument("--email", default="")
        create.add_argument("--address", default="", help="lines separated by newlines")
        create.add_argument("--out-of-hours", default="", help="the out-of-hours telephone line")
        sub.add_parser("list", help="every organisation: slug, kind, name")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "list":
            for org in Organisation.objects.order_by("slug"):
                demo = " (demonstration)" if org.demonstration else ""
                self.stdout.write(f"{org.slug}\t{org.kind}\t{org.name}{demo}")
            return
        try:
            with acting_as(label="cli: " + " ".join(sys.argv)[:280]):
                org = add_organisation(
                    actor=None,
                    name=options["name"],
                    slug=options["slug"],
                    kind=options["kind"],
                    contact={
                        "telephone": options["telephone"],
                        "email": options["email"],
                        "address": options["address"],
                        "out_of_hours": options["out_of_hours"],
                    },
                )
        except ValidationError as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError(problems) from exc
        self.stdout.write(f"created {org.slug} ({org.get_kind_display()}: {org.name})")
