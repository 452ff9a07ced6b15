from typing import Any

from django import template

from osseo.portal.queries import new_enquiry_count

register = template.Library()


@register.inclusion_tag("portal/_dashboard_link.html", takes_context=True)
def enquiries_link(context: dict[str, Any]) -> dict[str, Any]:
    """'Enquiries (N new)' for those who may triage them; nothing for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"new_count": new_enquiry_count(user) if user is not None else None}
