from django.http import HttpRequest

from .permissions import TABLE, has_permission


def membership(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "membership": getattr(user, "membership", None),
        "can": {code.replace(".", "_"): has_permission(user, code) for code in TABLE},  # type: ignore[arg-type]
    }
