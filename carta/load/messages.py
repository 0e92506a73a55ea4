"""Turn pydantic's validation errors into messages an editor can act on."""

from __future__ import annotations

import difflib
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that holds the last key of ``loc``, if it can be found."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _inner(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner(annotation: Any) -> Any:
    """Unwrap Optional[...] and list[...] to the item type."""
    for _ in range(4):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        origin = typing.get_origin(annotation)
        if origin is list or (origin is not None and len(args) == 1):
            annotation = args[0]
        else:
            break
    return annotation


def friendly(err: dict, model: type[BaseModel], loc: tuple) -> str:
    """One clear sentence for a pydantic error dictionary."""
    kind = err["type"]
    value = err.get("input")
    shown = repr(value) if isinstance(value, str) else None
    if kind == "missing":
        return "required: add this key"
    if kind == "extra_forbidden":
        holder = _model_at(model, loc[:-1])
        allowed = sorted(holder.model_fields) if holder else []
        allowed = [a for a in allowed if a != "slug" or holder.__name__ != "Service"]
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        msg = "unknown key"
        if hint:
            msg += f"; did you mean {hint[0]!r}?"
        if allowed:
            msg += " Allowed here: " + ", ".join(allowed)
        return msg
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number, got {shown or _what(value)}"
    if kind in ("decimal_parsing", "decimal_type", "float_parsing", "float_type"):
        return f"expected a number like 18.42 (a dot for decimals, no € sign), got {shown or _what(value)}"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type", "date_from_datetime_inexact"):
        return f"expected a date written YYYY-MM-DD, like 2011-01-01, got {shown or _what(value)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected yes or no (true/false), got {shown or _what(value)}"
    if kind == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        return f"expected one of {expected}, got {shown or _what(value)}"
    if kind == "string_type":
        return f"expected text, got {_what(value)}"
    if kind == "list_type":
        return f"expected a list (lines starting with '- '), got {_what(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys, got {_what(value)}"
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        if "a-z0-9" in pattern:
            return (f"{shown or _what(value)} is not a valid identifier: use lowercase letters, "
                    "digits and hyphens, like telesoccorso")
        if "#" in pattern:
            return f"{shown} is not a colour: write #RRGGBB, like #1B6E3A"
        if "@" in pattern:
            return f"{shown} is not an e-mail address, like ufficio@comune.example.it"
        if "0-9" in pattern:
            return f"{shown} is not a phone number, like 081 878 55 42"
        return f"{shown} does not have the expected form"
    if kind == "string_too_long":
        return f"text too long (at most {err.get('ctx', {}).get('max_length')} characters)"
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return err["msg"].lower()
    return err["msg"]


def _what(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, Enum):
        return repr(value.value)
    return repr(value)
