"""The models and enums the API documents, found by walking the API's operations."""

from __future__ import annotations

import enum
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from osseo.api import api


def operations() -> Iterator[Any]:
    # The same routers, bound to the API, that ninja walks to write the OpenAPI document.
    for bound_router in api._get_bound_routers():
        for path_view in bound_router.path_operations.values():
            yield from path_view.operations


def types_in(annotation: Any) -> Iterator[type]:
    """The classes an annotation names, through list[...], X | None, Annotated[...], dict[...]."""
    if isinstance(annotation, type) and not typing.get_args(annotation):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from types_in(argument)


def documented_types() -> set[type]:
    """Every model and enum an operation's body, parameters or responses reach."""
    roots: list[Any] = []
    for operation in operations():
        # ninja's own parameter holders (one per source: path, query, body) are never named in
        # the document; the types of their fields are.
        for holder in operation.models:
            roots.extend(field.annotation for field in holder.model_fields.values())
        for response in operation.response_models.values():
            if isinstance(response, type) and issubclass(response, BaseModel):
                roots.append(response.model_fields["response"].annotation)
    seen: set[type] = set()
    pending = [cls for root in roots for cls in types_in(root)]
    while pending:
        cls = pending.pop()
        if cls in seen or not issubclass(cls, BaseModel | enum.Enum):
            continue
        seen.add(cls)
        if issubclass(cls, BaseModel):
            for field in cls.model_fields.values():
                pending.extend(types_in(field.annotation))
    return seen
