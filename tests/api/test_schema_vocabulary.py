"""One vocabulary per concept: the API takes a model's codes through the model's own choices.

A `Literal[...]` copy of a model's codes drifts from the model (a code added to the choices is
refused by the API, or a code dropped from them is still taken); the choices class, or
`osseo.choices.OneOf` for some of its members, keeps them defined once.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any, Literal

from django.apps import apps
from pydantic import BaseModel, TypeAdapter, ValidationError

from osseo.accounts.models import STAFF_ROLES, Role
from osseo.choices import OneOf, OrBlank
from osseo.patients.models import Cause
from tests.api.documented import documented_types


def _literal_codes(annotation: Any) -> Iterator[frozenset[str]]:
    """The codes of each Literal of plain strings in an annotation ("" stands for "not given")."""
    if typing.get_origin(annotation) is Literal:
        codes = {v for v in typing.get_args(annotation) if type(v) is str and v != ""}
        if codes:
            yield frozenset(codes)
        return
    for argument in typing.get_args(annotation):
        yield from _literal_codes(argument)


def _model_choices() -> dict[str, frozenset[str]]:
    choices = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "choices", None):
                codes = frozenset(str(code) for code, _ in field.flatchoices if code != "")
                choices[f"{model._meta.label}.{field.name}"] = codes
    return choices


def test_no_documented_field_copies_a_models_choices_into_a_literal():
    choices = _model_choices()
    copies = []
    for cls in documented_types():
        if not issubclass(cls, BaseModel):
            continue
        for name, field in cls.model_fields.items():
            for codes in _literal_codes(field.annotation):
                copies += [
                    (f"{cls.__name__}.{name}", sorted(codes), source)
                    for source, model_codes in choices.items()
                    if len(codes) > 1 and codes <= model_codes
                ]
    assert copies == []


StaffRole = TypeAdapter(typing.Annotated[Role, OneOf(STAFF_ROLES)])


def test_one_of_takes_the_allowed_members_as_plain_codes():
    assert StaffRole.validate_python("surgeon") is Role.SURGEON
    assert StaffRole.dump_json(Role.SURGEON) == b'"surgeon"'


def test_one_of_refuses_the_other_members_of_the_choices_and_names_the_allowed_ones():
    for code in ("patient", "nurse"):
        try:
            StaffRole.validate_python(code)
        except ValidationError as error:
            assert error.errors()[0]["msg"] == (
                "Input should be 'surgeon', 'anaesthetist', 'rehab_specialist', 'prosthetist', "
                "'coordinator' or 'clinic_admin'"
            )
        else:
            raise AssertionError(f"{code!r} was taken")


def test_one_of_documents_the_allowed_members_in_the_choices_order_without_the_class_name():
    assert StaffRole.json_schema() == {
        "description": Role.__doc__,
        "enum": [
            "surgeon",
            "anaesthetist",
            "rehab_specialist",
            "prosthetist",
            "coordinator",
            "clinic_admin",
        ],
        "type": "string",
    }


CauseOrBlank = TypeAdapter(typing.Annotated[Cause | Literal[""], OrBlank()])


def test_or_blank_takes_a_choice_or_the_empty_code():
    assert CauseOrBlank.validate_python("trauma") is Cause.TRAUMA
    assert CauseOrBlank.validate_python("") == ""


def test_or_blank_refuses_anything_else_with_one_error_on_the_field_naming_every_code():
    try:
        CauseOrBlank.validate_python("fall")
    except ValidationError as error:
        assert [(e["loc"], e["msg"]) for e in error.errors()] == [
            (
                (),
                "Input should be 'trauma', 'tumour', 'vascular', 'infection', 'congenital', "
                "'other' or ''",
            )
        ]
    else:
        raise AssertionError("'fall' was taken")


def test_or_blank_documents_the_choices_class_and_the_empty_code():
    assert CauseOrBlank.json_schema(ref_template="#/components/schemas/{model}") == {
        "$defs": {
            "Cause": {
                "enum": [c.value for c in Cause],
                "title": "Cause",
                "type": "string",
            }
        },
        "anyOf": [{"$ref": "#/components/schemas/Cause"}, {"const": "", "type": "string"}],
    }
