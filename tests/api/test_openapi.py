import json
from pathlib import Path

from osseo.api import api

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_schema_matches_the_code():
    """Regenerate with `make schema` after a deliberate API change."""
    current = json.loads(json.dumps(api.get_openapi_schema(), sort_keys=True))
    assert current == json.loads(COMMITTED.read_text())


def test_every_operation_has_a_stable_id_and_declares_422_as_a_problem():
    schema = json.loads(json.dumps(api.get_openapi_schema()))
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["operationId"], (path, method)
            assert "422" in operation["responses"], (path, method)
            assert "application/problem+json" in operation["responses"]["422"]["content"]
