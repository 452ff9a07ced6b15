"""Pure rules of the clinic's week: what a follow-up visit carries, and when reminders go.

Plain values in, plain values out; the ORM layer (actions, queries) calls them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

# The follow-up schedule's own source: outcomes and adverse events are recorded at every visit
# (docs/sources.md#follow-up-schedule).
FOLLOW_UP_SOURCE = (
    "OGA records outcomes and adverse events at 3, 6 and 12 months, then yearly "
    "(docs/sources.md#follow-up-schedule)"
)


@dataclass(frozen=True)
class DueItem:
    code: str  # "questionnaire:q-tfa", "test:six_minute_walk", "xray", "complication_review"
    label: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "label": self.label, "source": self.source}


def due_at_follow_up(
    *,
    questionnaires: Sequence[tuple[str, str]],
    questionnaires_source: str,
    tests: Sequence[tuple[str, str]],
    tests_source: str,
    xray: bool,
    xray_source: str,
) -> list[DueItem]:
    """What a follow-up visit carries: the questionnaires and function tests of the limb's site
    profile, a radiograph when the clinic takes one, and the review of adverse events the
    follow-up schedule's source records at each visit. `questionnaires` and `tests` are
    (code, label) pairs; a source of "" reads "not validated"."""
    items = [
        DueItem(f"questionnaire:{code}", label, questionnaires_source or "not validated")
        for code, label in questionnaires
    ]
    items += [
        DueItem(f"test:{code}", label, tests_source or "not validated") for code, label in tests
    ]
    if xray:
        items.append(
            DueItem(
                "xray",
                "Radiograph of the implant",
                f"Clinic setting: {xray_source}"
                if xray_source
                else "Clinic setting, not validated",
            )
        )
    items.append(DueItem("complication_review", "Review of complications", FOLLOW_UP_SOURCE))
    return items


@dataclass(frozen=True)
class ReminderTime:
    kind: str  # "day_before" or "lead"
    send_from: dt.datetime  # the first moment it may go


def reminder_times(
    starts_at: dt.datetime, lead_hours: int, *, local: dt.tzinfo
) -> list[ReminderTime]:
    """When an appointment's reminders are due: from 08:00 local time on the day before, and
    `lead_hours` before it (the clinic's setting). The worker sends each once, when it runs at or
    after its time and before the appointment."""
    day_before = starts_at.astimezone(local).date() - dt.timedelta(days=1)
    morning = dt.datetime.combine(day_before, dt.time(8, 0), tzinfo=local)
    return [
        ReminderTime("day_before", morning),
        ReminderTime("lead", starts_at - dt.timedelta(hours=lead_hours)),
    ]


def reminders_due(
    starts_at: dt.datetime, lead_hours: int, now: dt.datetime, *, local: dt.tzinfo
) -> list[str]:
    """The kinds of reminder whose time has come at `now` for an appointment at `starts_at`
    (none once it has begun)."""
    if now >= starts_at:
        return []
    return [
        t.kind for t in reminder_times(starts_at, lead_hours, local=local) if t.send_from <= now
    ]
