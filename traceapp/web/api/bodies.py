"""JSON request bodies checked against the OpenAPI document's schemas."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from functools import cache
from typing import Any

from flask import request
from jsonschema import Draft202012Validator, FormatChecker

from traceapp.errors import DomainError, InvalidInput, Term
from traceapp.web.json_input import parse_json
from traceapp.web.openapi import SCHEMAS


class UnsupportedMediaType(DomainError):
    status = 415
    title = "Unsupported Media Type"


@cache
def _validator(schema_name: str) -> Draft202012Validator:
    return Draft202012Validator(SCHEMAS[schema_name], format_checker=FormatChecker())


def json_body(schema_name: str) -> dict[str, Any]:
    """The request's JSON object, valid under SCHEMAS[schema_name]; else 415 or 422."""
    if not request.is_json:
        raise UnsupportedMediaType("send the body as application/json")
    try:
        data = parse_json(request.get_data())
    except ValueError as exc:  # not JSON, or refused by web/json_input.py
        raise InvalidInput(
            "the body is not usable JSON: %(reason)s", field="body", reason=str(exc)
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object", field="body")
    error = next(
        iter(
            sorted(_validator(schema_name).iter_errors(data), key=lambda e: list(map(str, e.path)))
        ),
        None,
    )
    if error is not None:
        raise _refusal(error)
    return _whole_numbers(SCHEMAS[schema_name], data)


def _whole_numbers(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    # JSON Schema counts 3.0 as an integer; the domain wants a real int.
    properties = schema.get("properties", {})
    return {
        name: int(value)
        if isinstance(value, float) and "integer" in _types(properties.get(name, {}))
        else value
        for name, value in data.items()
    }


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def base64_field(data: dict[str, Any], name: str) -> bytes | None:
    """The bytes of a base64 member (its syntax is checked by the schema), or None."""
    value = data.get(name)
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(
            "%(name)s must be base64", field=name, name=Term("field_name", name)
        ) from exc


def date_field(data: dict[str, Any], name: str) -> date | None:
    """The date in an optional member, or None."""
    value = data.get(name)
    if value is None:
        return None
    return required_date_field(data, name)


def required_date_field(data: dict[str, Any], name: str) -> date:
    """The date in a member the schema requires."""
    value = data[name]
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(
            "%(name)s must be a date as YYYY-MM-DD", field=name, name=Term("field_name", name)
        ) from exc


def _field(error) -> str:
    if error.path:
        return str(error.path[0])
    if error.validator == "required":
        missing = [p for p in error.validator_value if p not in error.instance]
        return missing[0] if missing else "body"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return extra[0] if extra else "body"
    return "body"


def _refusal(error) -> InvalidInput:
    field = _field(error)
    name = Term("field_name", field)
    if error.validator == "required":
        return InvalidInput("%(name)s is required", field=field, name=name)
    if error.validator == "additionalProperties":
        return InvalidInput("%(name)s is not a known field", field=field, name=name)
    # The schema's reason (jsonschema's words) is for the API client's developer.
    return InvalidInput("%(name)s: %(reason)s", field=field, name=name, reason=error.message[:300])


def int_query(name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high], else 422 naming it."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(
            "%(name)s must be a whole number", field=name, name=Term("field_name", name)
        ) from None
    if not low <= value <= high:
        raise InvalidInput(
            "%(name)s must be between %(low)s and %(high)s",
            field=name,
            name=Term("field_name", name),
            low=low,
            high=high,
        )
    return value
