"""The patient page, built from panels the apps register: the patients app imports none of them.

An app shows something on the patient page by registering a panel once, in its own
``AppConfig.ready()`` (or a ``panels.py`` that ``ready()`` imports)::

    from osseo.patients import panels

    panels.register(
        "complications",            # a unique name; registering it again replaces it
        order=40,                   # panels show in this order within their slot
        template="complications/_patient_panel.html",
        context=complications_panel,  # (Page, obj) -> dict of the template's context, or None
        prefetch=("complications__treatments",),  # lookups from Patient, added to the page's query
        permission="patient.view",  # who sees it: a permission code (accounts.permissions)
    )

The panel's template receives the page's context (``patient``, ``can``, ``page``, ``request``)
plus what its ``context`` function returns; returning ``None`` leaves the panel out (nothing to
say to this user). The context function must read through the ``Page`` it is given (``page.user``
is the reader, whose access to ``page.patient`` is already checked and audited) and through the
prefetched relations, so that the page's number of queries does not grow with the record.

Slots: a panel belongs to one slot. ``"patient"`` (the default) is a section of the page;
``"actions"`` is a link in the page's header; other slots are places inside another panel, named
by the app that renders them (``"limb"`` inside each residual limb, ``"episode"`` inside each
episode of care); the panel that owns a slot renders it with ``{% panels "slot" obj %}`` (from
``{% load patient_panels %}``), and each panel there gets that object as ``obj``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from osseo.accounts.models import User
from osseo.accounts.permissions import has_permission

from .models import Patient


@dataclass(frozen=True)
class Page:
    """Who reads which patient's page, today: what every panel's context function is given."""

    user: User
    patient: Patient
    today: dt.date
    # Shared between panels for the page's lifetime (e.g. one query's result that two panels use).
    memo: dict[str, Any] = field(default_factory=dict, compare=False)

    def may(self, permission: str) -> bool:
        return has_permission(self.user, permission)


Context = Callable[[Page, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    name: str
    order: int
    template: str
    context: Context | None
    prefetch: tuple[str, ...]
    permission: str | None
    slot: str


@dataclass(frozen=True)
class Shown:
    """A panel to render: its template and its own context."""

    name: str
    template: str
    context: dict[str, Any]


_panels: dict[str, Panel] = {}


def register(
    name: str,
    *,
    order: int,
    template: str,
    context: Context | None = None,
    prefetch: Iterable[str] = (),
    permission: str | None = "patient.view",
    slot: str = "patient",
) -> None:
    """Add (or replace, by name) a panel of the patient page. See the module's docstring."""
    _panels[name] = Panel(
        name=name,
        order=order,
        template=template,
        context=context,
        prefetch=tuple(prefetch),
        permission=permission,
        slot=slot,
    )


def unregister(name: str) -> None:
    """Remove a panel (a test's own, for instance); an unknown name is ignored."""
    _panels.pop(name, None)


def registered(slot: str | None = None) -> list[Panel]:
    """The registered panels (of one slot), in their order."""
    chosen = [p for p in _panels.values() if slot is None or p.slot == slot]
    return sorted(chosen, key=lambda p: (p.order, p.name))


def prefetches() -> list[str]:
    """Every registered panel's prefetch lookups, once each, in a stable order."""
    return list(dict.fromkeys(lookup for p in registered() for lookup in p.prefetch))


def shown(page: Page, slot: str, obj: Any = None) -> list[Shown]:
    """The panels of `slot` that this page's reader may see and that have something to say."""
    result = []
    for p in registered(slot):
        if p.permission is not None and not page.may(p.permission):
            continue
        own = {} if p.context is None else p.context(page, obj)
        if own is None:
            continue
        result.append(Shown(name=p.name, template=p.template, context=own))
    return result


def patient_page(patient: Patient) -> Patient:
    """The patient with every panel's relations loaded for the patient page (no N+1)."""
    return Patient.objects.prefetch_related(*prefetches()).get(pk=patient.pk)
