"""``validation_details`` (arportal/api/errors.py) turns every pydantic / Powertools error shape into
``{"field", "reason"}``: field errors, nested list positions, query and path parameters, model-level validators
(empty ``loc``), Powertools' own entries, and entries missing parts; and every request model of the three API
functions, given any JSON, either validates or yields such details, never an exception."""

from __future__ import annotations

import importlib
import json
from typing import Annotated, Any, Literal, Self

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from arportal.api.errors import validation_details


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Annotated[int, Field(gt=0)]


class Payment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["card", "ach"]
    lines: list[Line]
    note: Annotated[str, Field(max_length=5)] | None = None
    exp_month: int | None = None
    exp_year: int | None = None

    @field_validator("note")
    @classmethod
    def _no_x(cls, value: str | None) -> str | None:
        if value == "x":
            raise PydanticCustomError("no_x", "not {what}", {"what": "x"})
        return value

    @model_validator(mode="after")
    def _expiry(self) -> Self:
        if (self.exp_month is None) != (self.exp_year is None):
            raise ValueError("exp_month and exp_year go together")
        return self


def _errors(payload: Any) -> list[Any]:
    with pytest.raises(ValidationError) as caught:
        Payment.model_validate(payload)
    return [{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()]  # as Powertools locates body fields


def test_field_errors_name_the_field_and_nested_positions():
    details = validation_details(_errors({"kind": "cash", "lines": [{"amount": 0}, {"amount": 1, "x": 1}]}))
    assert {d["field"] for d in details} == {"kind", "lines.0.amount", "lines.1.x"}
    assert all(isinstance(d["reason"], str) and d["reason"] for d in details)


def test_a_model_level_validator_with_an_empty_loc_names_the_body():
    details = validation_details(_errors({"kind": "card", "lines": [], "exp_year": 2030}))
    assert details == [{"field": "body", "reason": "exp_month and exp_year go together"}]
    raw = [{"type": "value_error", "loc": (), "msg": "Value error, whole body", "input": {}}]
    assert validation_details(raw) == [{"field": "body", "reason": "whole body"}]


def test_custom_errors_and_the_input_is_never_repeated():
    errors = _errors({"kind": "card", "lines": [], "note": "x"})
    assert validation_details(errors) == [{"field": "note", "reason": "not x"}]
    secret = "4954692227382654"
    details = validation_details(_errors({"kind": secret, "lines": "nope", "note": secret}))
    assert secret not in json.dumps(details)


def test_query_path_and_powertools_own_shapes():
    raw = [
        {"type": "int_parsing", "loc": ("query", "limit"), "msg": "Input should be a valid integer"},
        {"type": "string_pattern_mismatch", "loc": ("path", "customerId"), "msg": "String should match pattern"},
        {"type": "json_invalid", "loc": ("body", 17), "msg": "JSON decode error", "ctx": {"error": "x"}},
        {"type": "missing", "loc": ("body",), "msg": "Field required"},
    ]
    assert validation_details(raw) == [
        {"field": "query.limit", "reason": "Input should be a valid integer"},
        {"field": "path.customerId", "reason": "String should match pattern"},
        {"field": "body", "reason": "JSON decode error"},
        {"field": "body", "reason": "Field required"},
    ]


@pytest.mark.parametrize(
    "entry",
    [{}, {"loc": None}, {"loc": "body"}, {"loc": ["body", "a"], "msg": None}, {"msg": 12}, "not a mapping", None],
)
def test_entries_missing_parts_still_give_a_field_and_a_reason(entry):
    (detail,) = validation_details([entry])
    assert set(detail) == {"field", "reason"} and all(isinstance(v, str) and v for v in detail.values())


def test_nothing_gives_nothing_and_duplicates_collapse():
    assert validation_details(None) == [] and validation_details([]) == []
    twice = [{"loc": ("body", "a"), "msg": "bad"}] * 2
    assert validation_details(twice) == [{"field": "a", "reason": "bad"}]


def _request_models() -> list[type[BaseModel]]:
    models: list[type[BaseModel]] = []
    for function in ("public_api", "portal_api", "staff_api"):
        app = importlib.import_module(f"{function}.handler").app
        for route in app._static_routes + app._dynamic_routes:
            for param in route.dependant.body_params:
                annotation = param.field_info.annotation
                if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in models:
                    models.append(annotation)
    return models


MODELS = _request_models()
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)


def _bodies_for(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    names = st.sampled_from(sorted(model.model_fields) or ["x"])
    return json_values | st.dictionaries(names, json_values, max_size=len(model.model_fields) + 1)


def test_request_models_were_found():
    assert len(MODELS) >= 10, MODELS


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@given(data=st.data())
def test_every_request_model_given_any_json_validates_or_yields_details(model, data):
    body = data.draw(_bodies_for(model))
    try:
        model.model_validate(body)
    except ValidationError as error:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
        details = validation_details(errors)
        assert details and all(set(d) == {"field", "reason"} for d in details)
        json.dumps(details)
