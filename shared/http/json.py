"""Fast JSON in and out (orjson), with the types our handlers return."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from aiohttp import web

JSON_TYPE = "application/json"


def _default(value: Any) -> Any:
    # Decimals carry money; the float's shortest repr prints the same digits for amounts
    # of up to 15 significant digits, so clients see the exact value.
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_default)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


def json_response(
    data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(body=dumps(data), status=status, content_type=JSON_TYPE, headers=headers)
