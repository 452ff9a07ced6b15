"""`osseo purge-enquiries`: delete unconverted enquiries past their clinic's retention period."""

from django.core.management.base import BaseCommand, CommandParser

from osseo.audit.context import acting_as
from osseo.portal.actions import purge_expired_enquiries
from osseo.portal.queries import expired_enquiries


class Command(BaseCommand):
    help = (
        "Delete enquiries never converted into a patient once their clinic's retention period "
        "has passed; prints how many went, and their ids (never names)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be deleted, delete nothing"
        )

    def handle(self, *args: object, **options: object) -> None:
        from django.utils import timezone

        if options["dry_run"]:
            due = expired_enquiries(timezone.now())
            self.stdout.write(f"Would remove {len(due)} expired enquiries.")
            for enquiry in due:
                self.stdout.write(f"  {enquiry.organisation.slug} {enquiry.uuid}")
            return
        with acting_as(label="osseo purge-enquiries"):
            purged = purge_expired_enquiries()
        total = sum(len(p.ids) for p in purged)
        self.stdout.write(f"Removed {total} expired enquir{'y' if total == 1 else 'ies'}.")
        for batch in purged:
            for enquiry_id in batch.ids:
                self.stdout.write(f"  {batch.clinic} {enquiry_id}")
