"""The shipped grading schemes, re-installable at any time (idempotent).

Migration 0002 installs them; a database that was flushed (the transactional browser tests, a
demo reset) gets them back from the same frozen definitions through `ensure_grading_systems()`.
"""

from __future__ import annotations

import importlib

from django.apps import apps as django_apps

_SEED = "osseo.complications.migrations.0002_seed_radboud_and_tillander_grading"
_KINDS = "osseo.complications.migrations.0004_grade_kinds"


def ensure_grading_systems() -> None:
    importlib.import_module(_SEED).seed(django_apps, None)
    importlib.import_module(_KINDS).grade_kinds(django_apps, None)
