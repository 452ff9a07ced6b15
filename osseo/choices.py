"""API fields over a model's choices, so that their codes stay defined once, in the model.

A schema field typed with a model's `TextChoices` takes every choice and documents them as an
enum (`sex: Sex`). Two annotations cover what a bare choices class cannot say:

- `OneOf`: the endpoint takes only some of the choices. Annotate the choices class with the
  allowed members instead of copying their codes into a `Literal`:

      participants: list[Annotated[Role, OneOf(STAFF_ROLES)]]

  The field validates, and the OpenAPI document lists, the allowed members only, in the order
  the choices class declares them. The listed subset carries no title: it is not the choices
  class, whose name the document gives to the full list.

- `OrBlank`: a choice, or "" for "not given" (the model's `blank=True`):

      cause: Annotated[Cause | Literal[""], OrBlank()] = ""

  A refused value gets one error on the field, naming every code as a `Literal` would, instead
  of one error per member of the union under pydantic's names for them (`cause.str-enum[Cause]`).
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema


def _expected(codes: list[str]) -> str:
    """The codes as pydantic's own enum error lists them: 'a', 'b' or 'c'."""
    quoted = [repr(code) for code in codes]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


class OneOf:
    def __init__(self, members: Iterable[enum.Enum]) -> None:
        self.members = frozenset(members)

    def __get_pydantic_core_schema__(
        self, source: type[enum.Enum], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        allowed = [member for member in source if member in self.members]
        expected = _expected([member.value for member in allowed])

        def check(value: enum.Enum) -> enum.Enum:
            # pydantic's enum validator alone would still take any member of `source`.
            if value not in self.members:
                raise PydanticCustomError(
                    "enum", "Input should be {expected}", {"expected": expected}
                )
            return value

        return core_schema.no_info_after_validator_function(
            check, core_schema.enum_schema(source, allowed, sub_type="str")
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.pop("title", None)
        return json_schema


class OrBlank:
    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        codes: list[str] = []
        for member in typing.get_args(source):
            if isinstance(member, type) and issubclass(member, enum.Enum):
                codes += [choice.value for choice in member]
            else:  # Literal[""]
                codes += list(typing.get_args(member))
        schema = handler(source)
        if schema["type"] != "union":
            raise TypeError(f"OrBlank annotates a union of choices and Literal[''], not {source}")
        union = typing.cast(core_schema.UnionSchema, schema)
        # pydantic's own enum error, with its own words, for the union as a whole.
        union["custom_error_type"] = "enum"
        union["custom_error_context"] = {"expected": _expected(codes)}
        return union
