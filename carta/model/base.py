"""Shared configuration and small types of the charter model."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_SLUG = re.compile(SLUG_PATTERN)


class Model(BaseModel):
    """Frozen, strict about keys; lax about text-to-number since YAML values arrive as text."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True,
                              use_enum_values=False, validate_default=False)


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ./\-]{3,30}$")]


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError(f"{value} is negative")
    return value


Amount = Annotated[Decimal, AfterValidator(_non_negative)]


def is_slug(value: str) -> bool:
    """Whether ``value`` is a lowercase-hyphenated identifier like ``telesoccorso``."""
    return bool(_SLUG.match(value))
