"""The base of every input and output model: camelCase on the wire, snake_case in Python.

Pydantic only: domain modules build their inputs on it without depending on the HTTP layer.
"""

import re
from decimal import Decimal
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def not_nullable(*fields: str) -> Callable[[dict[str, Any]], None]:
    """A model's `json_schema_extra` for a partial update whose `fields` may be left out but not
    cleared: their JSON Schema loses the null option and the null default that `X | None = None`
    gives them (the model still reads a null, which the domain refuses with a clear 400)."""

    def edit(schema: dict[str, Any]) -> None:
        for name in fields:
            field_schema = schema["properties"][to_camel(name)]
            field_schema.pop("default", None)
            options = [option for option in field_schema.pop("anyOf", []) if option.get("type") != "null"]
            if len(options) == 1:
                field_schema.update(options[0])
            elif options:
                field_schema["anyOf"] = options

    return edit


def omitted(**constraints: Any) -> Any:
    """A field of an answer model that the answer leaves out rather than sending null: not
    required, and not nullable either. (A None default alone would put `"default": null` in the
    JSON Schema, which says the opposite.)"""
    return Field(default=None, json_schema_extra=_without_default, **constraints)


# A Decimal in an answer model. shared/http/json.py writes a Decimal as a JSON number (its float's
# shortest repr), not as the string pydantic would serialize it to, so the schema says number.
AnswerDecimal = float


# A decimal as the wire carries it: a JSON number, or a string of plain decimal notation ("3.459",
# "-12"). Python's Decimal() also reads " 5", "5_000", "1e3" and other scripts' digits; the API
# takes only what its JSON Schema says (shared/http/openapi.py puts the pattern there), so
# generated clients and fuzzers agree with it.
DECIMAL_STRING_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
_DECIMAL_STRING = re.compile(DECIMAL_STRING_PATTERN)


def plain_decimal_string(value: Any) -> Any:
    """A `mode="before"` field validator for decimal fields (see DECIMAL_STRING_PATTERN). It hands
    on a Decimal, as strict validation after a before-validator expects: a JSON number by its
    shortest repr (0.1 stays 0.1), a string only in plain notation."""
    if isinstance(value, str):
        if not _DECIMAL_STRING.match(value):
            raise ValueError('a decimal string is plain digits with an optional sign and fraction, e.g. "3.459"')
        return Decimal(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


# The whole numbers a JSON answer can carry (orjson writes 64-bit integers, no more).
_WHOLE_NUMBER_RANGE = (-(2**63), 2**64 - 1)


def within_json_range(value: Any) -> Any:
    """Free-form JSON a model keeps as it came (an `extra="allow"` model's extra fields): a whole
    number beyond 64 bits is refused, since no answer could carry it back."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not _WHOLE_NUMBER_RANGE[0] <= value <= _WHOLE_NUMBER_RANGE[1]:
        raise ValueError("a whole number must fit in 64 bits")
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        within_json_range(item)
    return value
