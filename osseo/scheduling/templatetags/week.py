from typing import Any

from django import template

from osseo.accounts.permissions import has_permission

register = template.Library()


@register.inclusion_tag("scheduling/_week_links.html", takes_context=True)
def week_links(context: dict[str, Any]) -> dict[str, Any]:
    """The clinic's week (theatre, meetings, appointments) for the roles that read them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "theatre": has_permission(user, "theatre.view"),
        "meetings": has_permission(user, "mdt.view"),
        "appointments": has_permission(user, "appointment.view"),
        "calendar": has_permission(user, "calendar.subscribe"),
    }
