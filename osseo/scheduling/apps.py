from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "osseo.scheduling"
    label = "scheduling"
    verbose_name = "The clinic's week"

    def ready(self) -> None:
        from osseo.patients import worklist

        from . import (
            actions,  # registers the audit labels; its _death_recorded is connected below
            panels,
        )
        from . import worklist as week

        panels.register()

        # A death recorded cancels the patient's appointments to come (actions._death_recorded).
        from django.db.models.signals import post_save

        from osseo.complications.models import Death

        post_save.connect(actions._death_recorded, sender=Death, dispatch_uid="scheduling-death")

        # A staged plan's next stage, due by the end of its window, in the patient list's column.
        from osseo.patients import due

        due.register("next_stage", week.next_stage_due)

        # Booked appointments go out with the patient's record as FHIR (osseo/interop/extra.py).
        from osseo.interop import extra

        from . import fhir

        extra.register("appointments", fhir.appointments)

        # Each role's own work first (a provider answers None for the roles it is not for).
        worklist.register(1, "plans_to_agree", week.plans_to_agree)
        worklist.register(2, "records_to_sign", week.records_to_sign)
        worklist.register(3, "stages_due", week.stages_due)
        worklist.register(4, "overload_flags", week.overload_flags)
        worklist.register(6, "mdt_agenda", week.mdt_agenda)
        worklist.register(7, "enquiries", week.enquiries)
        worklist.register(7, "bookings_to_make", week.bookings_to_make)
        worklist.register(8, "missing_logs", week.missing_logs)
        worklist.register(9, "tests_due", week.tests_due)
