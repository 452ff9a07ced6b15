from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from osseo.api import api
from osseo.interop import views as fhir_views


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    # FHIR (osseo/interop): application/fhir+json with OperationOutcome errors, before the API.
    path("api/v1/fhir", fhir_views.transaction),
    path("api/v1/fhir/", include("osseo.interop.urls")),
    path("api/v1/", api.urls),
    path("accounts/", include("osseo.accounts.urls")),
    path("me/", include("osseo.me.urls")),  # the patient's own pages
    path("healthz", healthz),
    path("", include("osseo.pathway.urls")),
    path("", include("osseo.surgery.urls")),
    path("", include("osseo.registry.urls")),
    path("", include("osseo.portal.urls")),
    path("", include("osseo.complications.urls")),
    path("", include("osseo.outcomes.urls")),
    path("", include("osseo.rehab.urls")),
    path("", include("osseo.connectors.urls")),
    path("", include("osseo.scheduling.urls")),
    path("", include("osseo.patients.urls")),
]

# Under /api/, Django's own errors are problem+json too (osseo/api.py).
handler400 = "osseo.api.bad_request"
handler403 = "osseo.api.forbidden"
handler404 = "osseo.api.not_found"
handler500 = "osseo.api.server_error"
