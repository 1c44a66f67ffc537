"""Turn request bodies and query strings into validated models, or a 400 with field details."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from ..errors import field_problems
from .errors import BadRequest, NotFound, UnsupportedMediaType
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
    a numeric string, and dates and UUIDs their JSON string forms."""
    body = await read_json_bytes(request)
    try:
        return model.model_validate_json(body, strict=True)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors(include_url=False)):
            raise BadRequest(MALFORMED_JSON) from None
        raise BadRequest("Invalid input", details=field_details(exc)) from None


def parse_query(request: web.Request, model: type[M]) -> M:
    return validate(model, dict(request.query))


def path_uuid(request: web.Request, name: str, what: str) -> uuid.UUID:
    """A UUID path parameter; a malformed one names nothing of the caller's, so it is a 404."""
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError:
        raise NotFound(f"{what} not found") from None
