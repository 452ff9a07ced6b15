"""`{% panels "slot" obj %}`: render the panels the apps registered for a slot of the patient page.

The page's view puts the :class:`osseo.patients.panels.Page` in the context as ``page``; each
panel's template sees the surrounding context, its context function's result, and ``obj``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..panels import shown

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context: template.Context, slot: str, obj: Any = None) -> SafeString:
    page = context["page"]
    engine = context.template.engine  # type: ignore[union-attr]
    parts = []
    for panel in shown(page, slot, obj):
        with context.push(obj=obj, **panel.context):
            parts.append(engine.get_template(panel.template).render(context))
    return mark_safe("".join(parts))  # noqa: S308  (rendered by the templates, auto-escaped)
