"""Print the API's OpenAPI schema as committed in docs/openapi.json."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osseo.settings")

import django

django.setup()

from osseo.api import api  # noqa: E402

sys.stdout.write(json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True) + "\n")
