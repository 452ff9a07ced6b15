"""Every schema the API documents has a name of its own.

django-ninja files each operation's models under `components/schemas/<class name>`; two classes
with one name overwrite each other there, and the loser's endpoints are documented with the
winner's shape (the surgical plan was once documented with the rehabilitation plan's).
"""

from __future__ import annotations

from collections import defaultdict

from tests.api.documented import documented_types


def test_the_walk_reaches_nested_schemas_and_the_model_choices():
    names = {cls.__name__ for cls in documented_types()}
    # A response (PatientDetail), a schema nested in it (LimbOut), a body (PatientIn) and the
    # model's choices one of its fields takes (Sex).
    assert {"PatientDetail", "LimbOut", "PatientIn", "Sex"} <= names


def test_no_two_documented_schemas_share_a_name():
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in documented_types():
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(classes) for name, classes in by_name.items() if len(classes) > 1}
    assert shared == {}
