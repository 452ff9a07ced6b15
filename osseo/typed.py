"""Typed input, validated once: a form adapts the API's schema for the same write.

A screen and the API take the same values for the same write, so the rules live in one place:
the API schema (its field types, bounds and validators). A `SchemaForm` names that schema; its
fields take their bounds from it (so the browser's `maxlength`, `min` and `max` say the same as
the API document), and each field's value is validated by the schema's own type, with the
schema's message, instead of by a second copy of the bounds in the form. The action then checks
the state the write needs (409), not the shape of the input.
"""

from __future__ import annotations

import copy
import functools
from decimal import Decimal
from typing import Annotated, Any, ClassVar

import annotated_types as at
from django import forms
from django.core import validators as dj
from django.forms.forms import DeclarativeFieldsMetaclass
from ninja import Schema
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError
from pydantic.fields import FieldInfo

_BOUND_VALIDATORS = (
    dj.MaxLengthValidator,
    dj.MinLengthValidator,
    dj.MaxValueValidator,
    dj.MinValueValidator,
)


def bounds_of(info: FieldInfo) -> dict[str, Any]:
    """The bounds a schema field declares: max_length, min_length, ge, gt, le, lt."""
    found: dict[str, Any] = {}
    for meta in info.metadata:
        for name in ("max_length", "min_length", "ge", "gt", "le", "lt"):
            value = getattr(meta, name, None)
            if value is not None and isinstance(
                meta, (at.MaxLen, at.MinLen, at.Ge, at.Gt, at.Le, at.Lt)
            ):
                found[name] = value
    return found


@functools.cache
def _adapter(schema: type[Schema], name: str) -> TypeAdapter[Any]:
    info = schema.model_fields[name]
    return TypeAdapter(Annotated[info.annotation, info])  # type: ignore[arg-type]


def _message(error: dict[str, Any]) -> str:
    text = str(error.get("msg", "Enter a valid value."))
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    return text if text.endswith(".") else text + "."


def _adapt(field: forms.Field, info: FieldInfo) -> None:
    """Give a form field the schema's bounds (in place of any of its own), so the browser's
    attributes and the form's messages say what the API document says."""
    bounds = bounds_of(info)
    field.validators = [v for v in field.validators if not isinstance(v, _BOUND_VALIDATORS)]
    attrs = field.widget.attrs
    if isinstance(field, forms.CharField):
        field.max_length = bounds.get("max_length")  # type: ignore[assignment]
        field.min_length = bounds.get("min_length")  # type: ignore[assignment]
        for attr in ("maxlength", "minlength"):
            attrs.pop(attr, None)
        if field.max_length is not None:
            field.validators.append(dj.MaxLengthValidator(field.max_length))
            attrs["maxlength"] = str(field.max_length)
        if field.min_length is not None:
            field.validators.append(dj.MinLengthValidator(field.min_length))
            if field.required:
                attrs["minlength"] = str(field.min_length)
    elif isinstance(field, (forms.IntegerField, forms.FloatField, forms.DecimalField)):
        # ge/le are Django's min/max; a strict gt/lt is left to the schema's own check.
        field.min_value = bounds.get("ge")  # type: ignore[attr-defined]
        field.max_value = bounds.get("le")  # type: ignore[attr-defined]
        if field.min_value is not None:  # type: ignore[attr-defined]
            field.validators.append(dj.MinValueValidator(field.min_value))  # type: ignore[attr-defined]
        if field.max_value is not None:  # type: ignore[attr-defined]
            field.validators.append(dj.MaxValueValidator(field.max_value))  # type: ignore[attr-defined]
        low = bounds.get("ge", bounds.get("gt"))
        high = bounds.get("le", bounds.get("lt"))
        for attr in ("min", "max"):
            attrs.pop(attr, None)
        if low is not None:
            attrs["min"] = str(low)
        if high is not None:
            attrs["max"] = str(high)


class _AdaptsSchema(DeclarativeFieldsMetaclass):
    """Adapt the class's fields to its schema once, as the class is made (each form instance
    then deep-copies them, as Django forms do)."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        cls: Any = super().__new__(mcs, name, bases, attrs)
        schema = getattr(cls, "schema", None)
        if schema is not None:
            exclude = getattr(cls, "schema_exclude", ())
            for field_name, field in list(cls.base_fields.items()):
                if field_name in schema.model_fields and field_name not in exclude:
                    own = copy.deepcopy(field)  # a parent class's field is shared: adapt a copy
                    _adapt(own, schema.model_fields[field_name])
                    cls.base_fields[field_name] = own
        return cls


class SchemaForm(forms.Form, metaclass=_AdaptsSchema):
    """A form for a write whose input type is the API schema `schema`."""

    schema: ClassVar[type[Schema]]
    # Form fields that share a name with the schema's but carry something else (e.g. a
    # formset's digest where the schema takes the list itself).
    schema_exclude: ClassVar[tuple[str, ...]] = ()

    def schema_fields(self) -> list[str]:
        """The form's fields that the schema also has: validated by the schema's types."""
        return [
            name
            for name in self.fields
            if name in self.schema.model_fields and name not in self.schema_exclude
        ]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        for name in self.schema_fields():
            if name not in self.cleaned_data:
                continue  # the form already refused its shape (e.g. not a number)
            value = self.cleaned_data[name]
            if value in ("", None) and not self.fields[name].required:
                continue  # left blank, and the form allows it
            if isinstance(value, Decimal):
                value = float(value) if _is_float(self.schema, name) else value
            try:
                _adapter(self.schema, name).validate_python(value)
            except PydanticError as exc:
                for error in exc.errors():
                    self.add_error(name, _message(dict(error)))


def _is_float(schema: type[Schema], name: str) -> bool:
    return "float" in repr(schema.model_fields[name].annotation)


__all__ = ["SchemaForm", "bounds_of"]
