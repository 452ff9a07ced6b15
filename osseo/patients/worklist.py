"""The dashboard's worklist: what needs doing, gathered from the apps without importing them.

Each app that has work to show registers a provider (in its ``AppConfig.ready``); a provider
takes the user and today's date and returns a :class:`Panel`, or ``None`` when the user's role
does not see that work. Providers read only the patients the user may see (``patients_for``).

Below the worklist, an app may add a section of its own (``register_section``): a template and a
function of the user giving its context, or ``None`` to leave it out (the pathway's patients by
phase).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

# Items listed on a panel; the rest are counted ("and 4 more") with a link to the full list.
SHOWN = 5


@dataclass(frozen=True)
class WorkItem:
    """One thing to do, for one patient (or for none: new enquiries, a meeting to prepare)."""

    patient: Any  # a Patient, or None
    text: str
    url: str
    urgent: bool = False  # overdue, failed: shown first and marked


@dataclass(frozen=True)
class Panel:
    title: str
    items: list[WorkItem]
    count: int  # all of them, of which `items` are the first SHOWN
    empty: str  # what to say when there is nothing to do
    more_url: str = ""
    more_label: str = ""
    note: str = ""
    kind: str = ""  # the name its provider was registered under (the API's key)

    @property
    def patients(self) -> list[Any]:
        """Every patient the panel names (an audited read)."""
        return [item.patient for item in self.items if item.patient is not None]

    @property
    def hidden(self) -> int:
        return self.count - len(self.items)


Provider = Callable[[Any, dt.date], Panel | None]
_providers: list[tuple[int, str, Provider]] = []


def register(order: int, name: str, provider: Provider) -> None:
    """Add (or replace, by name) a provider; panels show in `order`."""
    _providers[:] = [p for p in _providers if p[1] != name]
    _providers.append((order, name, provider))
    _providers.sort(key=lambda p: (p[0], p[1]))


def panel(
    title: str,
    items: list[WorkItem],
    *,
    empty: str,
    more_url: str = "",
    more_label: str = "",
    note: str = "",
    count: int | None = None,
) -> Panel:
    """A panel of the urgent items first (in their order), then the rest; the first SHOWN.
    `count` is the whole number when `items` holds only the first ones (a sliced query)."""
    ordered = [i for i in items if i.urgent] + [i for i in items if not i.urgent]
    return Panel(
        title=title,
        items=ordered[:SHOWN],
        count=len(ordered) if count is None else count,
        empty=empty,
        more_url=more_url,
        more_label=more_label,
        note=note,
    )


def panels_for(user: Any, today: dt.date) -> list[Panel]:
    return [
        replace(p, kind=name)
        for _, name, provider in _providers
        if (p := provider(user, today)) is not None
    ]


SectionContext = Callable[[Any], dict[str, Any] | None]
_sections: dict[str, tuple[int, str, SectionContext]] = {}


def register_section(order: int, name: str, template: str, context: SectionContext) -> None:
    """Add (or replace, by name) a section shown below the worklist, in `order`."""
    _sections[name] = (order, template, context)


def sections_for(user: Any) -> list[tuple[str, dict[str, Any]]]:
    """The (template, context) of each section this user sees, in order."""
    shown = []
    for _order, template, context in sorted(_sections.values(), key=lambda s: (s[0], s[1])):
        own = context(user)
        if own is not None:
            shown.append((template, own))
    return shown
