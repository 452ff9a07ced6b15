"""Every schema the API documents has a name of its own.

django-ninja files each operation's models under `components/schemas/<class name>`; two classes
with one name overwrite each other there, and the loser's endpoints are documented with the
winner's shape (the surgical plan was once documented with the rehabilitation plan's).
"""

from __future__ import annotations

import enum
import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from osseo.api import api


def _operations() -> Iterator[Any]:
    # The same routers, bound to the API, that ninja walks to write the OpenAPI document.
    for bound_router in api._get_bound_routers():
        for path_view in bound_router.path_operations.values():
            yield from path_view.operations


def _types_in(annotation: Any) -> Iterator[type]:
    """The classes an annotation names, through list[...], X | None, Annotated[...], dict[...]."""
    if isinstance(annotation, type) and not typing.get_args(annotation):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _types_in(argument)


def _documented_types() -> set[type]:
    """Every model and enum an operation's body, parameters or responses reach."""
    roots: list[Any] = []
    for operation in _operations():
        # ninja's own parameter holders (one per source: path, query, body) are never named in
        # the document; the types of their fields are.
        for holder in operation.models:
            roots.extend(field.annotation for field in holder.model_fields.values())
        for response in operation.response_models.values():
            if isinstance(response, type) and issubclass(response, BaseModel):
                roots.append(response.model_fields["response"].annotation)
    seen: set[type] = set()
    pending = [cls for root in roots for cls in _types_in(root)]
    while pending:
        cls = pending.pop()
        if cls in seen or not issubclass(cls, BaseModel | enum.Enum):
            continue
        seen.add(cls)
        if issubclass(cls, BaseModel):
            for field in cls.model_fields.values():
                pending.extend(_types_in(field.annotation))
    return seen


def test_the_walk_reaches_nested_schemas_and_the_model_choices():
    names = {cls.__name__ for cls in _documented_types()}
    # A response (PatientDetail), a schema nested in it (LimbOut) and a body (PatientIn).
    assert {"PatientDetail", "LimbOut", "PatientIn"} <= names


def test_no_two_documented_schemas_share_a_name():
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _documented_types():
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(classes) for name, classes in by_name.items() if len(classes) > 1}
    assert shared == {}
