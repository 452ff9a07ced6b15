"""One error vocabulary: 413 for a body over the limit, as problem+json, with nothing saved."""

import json

from osseo.patients.models import Patient
from tests.conftest import api_client


def test_a_body_over_the_limit_is_refused_with_413_and_nothing_is_saved(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000
    before = Patient.objects.count()
    body = {
        "given_name": "x" * 1_200_000,
        "family_name": "Y",
        "birth_date": "1970-01-01",
        "sex": "male",
    }
    response = api_client(world.users["coordinator"]).post(
        "/api/v1/patients", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == (
        "The request body is larger than the 1 MB accepted; nothing was saved."
    )
    assert Patient.objects.count() == before
