"""Turn request bodies and query strings into validated models, or a 400 with field details."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from ..errors import field_problems
from .errors import BadRequest, NotFound, PayloadTooLarge, UnsupportedMediaType
from .json import JSON_TYPE, loads

M = TypeVar("M", bound=BaseModel)
MALFORMED_JSON = "Malformed JSON in request body"


def field_details(exc: ValidationError) -> list[dict[str, Any]]:
    return [asdict(problem) for problem in field_problems(exc)]


def validate(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadRequest("Invalid input", details=field_details(exc)) from None


async def read_json_bytes(request: web.Request) -> bytes:
    """The raw JSON body. Size is capped by the app's client_max_size, which answers 413."""
    if request.content_type != JSON_TYPE:
        raise UnsupportedMediaType(f"Expected {JSON_TYPE}, got {request.content_type or 'nothing'}")
    body = await request.read()
    if not body:
        raise BadRequest("Request body is empty")
    return body


async def read_json(request: web.Request) -> Any:
    try:
        return loads(await read_json_bytes(request))
    except ValueError:
        raise BadRequest(MALFORMED_JSON) from None


async def parse_body(request: web.Request, model: type[M]) -> M:
    """The body validated strictly as JSON: a value of the wrong JSON type ("yes" for a boolean,
    "3" for an integer) is a 400 naming the field, never coerced. Decimals still take a number or
    a numeric string, and dates and UUIDs their JSON string forms. Text holds no NUL character."""
    body = await read_json_bytes(request)
    try:
        parsed = model.model_validate_json(body, strict=True)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors(include_url=False)):
            raise BadRequest(MALFORMED_JSON) from None
        raise BadRequest("Invalid input", details=field_details(exc)) from None
    if NUL_ESCAPE in body:  # a raw NUL byte is not valid JSON, so only the escape can carry one
        _refuse_nul(loads(body))
    return parsed


def parse_query(request: web.Request, model: type[M]) -> M:
    query = dict(request.query)
    _refuse_nul(query)
    return validate(model, query)


# PostgreSQL's text types cannot hold U+0000: a NUL in any string a caller sends is a 400 naming
# where it is, never an error from the database.
NUL_ESCAPE = b"\\u0000"
NUL_MESSAGE = "text cannot contain NUL (U+0000) characters"


def _refuse_nul(data: Any) -> None:
    where = _nul_path(data, ())
    if where is not None:
        field = ".".join(str(part) for part in where) or "body"
        raise BadRequest("Invalid input", details=[{"field": field, "message": NUL_MESSAGE, "type": "string_nul"}])


def _nul_path(value: Any, path: tuple) -> tuple | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return (*path, key)
        found = _nul_path(item, (*path, key))
        if found is not None:
            return found
    return None


def path_uuid(request: web.Request, name: str, what: str) -> uuid.UUID:
    """A UUID path parameter; a malformed one names nothing of the caller's, so it is a 404."""
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError:
        raise NotFound(f"{what} not found") from None


# What spreadsheet apps and browsers send a CSV file as.
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


def csv_upload_text(request: web.Request, raw: bytes, max_bytes: int) -> str:
    """An uploaded CSV file's text. The handler reads `raw` (request.read()) before anything can
    refuse the request: an unread body left on a keep-alive connection stalls the server's
    shutdown (seen with aiohttp 3.14)."""
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"An import file may have at most {max_bytes} bytes")
    if request.content_type not in CSV_TYPES:
        raise UnsupportedMediaType(f"Expected text/csv, got {request.content_type or 'nothing'}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("The CSV file must be UTF-8") from None
