"""From CDK context to a validated config model: CDK's own keys set aside, every other key must be the model's
(a misspelt one is refused with the nearest known key), JSON given as a ``-c`` string is parsed, and every problem
is told as key, reason and fix.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from infrastructure.config_values import nearest

Model = TypeVar("Model", bound=BaseModel)
DOCS = "docs/configuration.md"
# Keys the CDK CLI itself keeps in cdk.context.json (notices acknowledged, telemetry opt-out).
CDK_CLI_KEYS = frozenset({"acknowledged-issue-numbers", "cli-telemetry"})


def is_cdk_key(key: str) -> bool:
    """Feature flags (``@aws-cdk/...``), the CLI's ``aws:cdk:*`` settings and context-provider caches
    (``availability-zones:account=...:region=...``) belong to CDK; the config's own keys are plain camelCase."""
    return key.startswith("@") or ":" in key or key in CDK_CLI_KEYS


def context_keys(model: type[BaseModel]) -> dict[str, str]:
    """Each context key of the model (its alias, else its name) and the field it sets."""
    return {field.alias or name: name for name, field in model.model_fields.items()}


def validate(model: type[Model], context: Mapping[str, Any]) -> tuple[Model | None, list[str]]:
    """The model built from all of the context, or None and every problem found (unknown keys and invalid values)."""
    keys = context_keys(model)
    values: dict[str, Any] = {}
    problems: list[str] = []
    built: Model | None
    for key, given in context.items():
        if is_cdk_key(key):
            continue
        if key not in keys:
            problems.append(_unknown(key, list(keys), top_level=True))
        elif given is not None:
            value = given
            if isinstance(given, str) and _takes_json(model.model_fields[keys[key]].annotation):
                try:
                    value = json.loads(given)  # `-c bankAccounts='{"operating": {...}}'`
                except ValueError as exc:
                    problems.append(f"{key}: not JSON ({exc}); fix: quote the whole value, e.g. -c {key}='{{...}}'")
                    continue
            values[key] = value
    try:
        built = model.model_validate(values)
    except ValidationError as exc:
        problems += [_describe(error, model) for error in exc.errors()]
        built = None
    return (None if problems else built), problems


def _describe(error: Any, model: type[BaseModel]) -> str:
    loc = tuple(part for part in error["loc"] if part != "[key]")  # a dict key's error: the key is the last part
    path = ".".join(str(part) for part in loc)
    reason = str(error["msg"]).removeprefix("Value error, ")
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown(path, _keys_at(model, loc[:-1]), top_level=False)
    if kind == "missing":
        where = f"in cdk.json's context or with -c {path}=VALUE" if len(loc) == 1 else f"in {path.rsplit('.', 1)[0]}"
        return f"{path}: missing, and it has no default; fix: set it {where} ({DOCS})"
    if kind in ("literal_error", "enum"):
        allowed = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        close = nearest(str(error["input"]), allowed)
        fix = f"did you mean {close!r}?" if close else "one of " + ", ".join(map(repr, allowed))
        return f"{path}: {error['input']!r} is not one of the choices; fix: {fix}"
    if not path:  # a check across keys: its message starts with the keys it is about
        return reason if "fix:" in reason else f"{reason}; fix: see {DOCS}"
    if "fix:" in reason:
        return f"{path}: {reason}"
    bound = next((f"{_BOUNDS[name]} {value}" for name, value in error.get("ctx", {}).items() if name in _BOUNDS), None)
    return f"{path}: {reason} (got {error['input']!r}); fix: {bound or _FIXES.get(kind, 'see ' + DOCS)}"


_BOUNDS = {"ge": "a value of at least", "gt": "a value above", "le": "a value of at most", "lt": "a value below"}
_FIXES = {
    "int_parsing": "a whole number (amounts are in minor units: 500.00 is 50000)",
    "int_from_float": "a whole number (amounts are in minor units: 500.00 is 50000)",
    "string_pattern_mismatch": f"write it in the form {DOCS} describes",
    "too_short": "give at least one",
}


def _unknown(path: str, known: list[str], *, top_level: bool) -> str:
    key = path.rsplit(".", 1)[-1]
    close = nearest(key, known)
    if close is not None:
        fix = f"did you mean {close!r}? rename it"
    elif known:
        fix = f"remove it; the keys here are {', '.join(sorted(known))}"
    else:
        fix = "remove it"
    where = "not a key of this app" if top_level else "not a key here"
    return f"{path}: {where}, so it would be ignored; fix: {fix} ({DOCS})"


def _unwrap(annotation: Any) -> Any:
    """``X``, from ``Annotated[X, ...]`` or ``X | None``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
        else:
            return annotation


def _takes_json(annotation: Any) -> bool:
    inner = _unwrap(annotation)
    return typing.get_origin(inner) in (dict, list) or (isinstance(inner, type) and issubclass(inner, BaseModel))


def _keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the model accepts at ``loc`` (an error's location less its last part), to suggest the nearest."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = {alias: annotation.model_fields[name] for alias, name in context_keys(annotation).items()}
            if str(part) not in fields:
                return []
            annotation = fields[str(part)].annotation
        elif typing.get_origin(annotation) in (dict, list):
            annotation = typing.get_args(annotation)[-1]
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(context_keys(annotation))
    return []
