"""Turn request bodies and query strings into validated models, or a 400 with field details."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from .errors import BadRequest, NotFound, UnsupportedMediaType
from .json import JSON_TYPE, loads

M = TypeVar("M", bound=BaseModel)


def field_details(exc: ValidationError) -> list[dict[str, Any]]:
    details = []
    for error in exc.errors(include_url=False, include_input=False):
        # Aliases are camelCase already; positions inside lists stay numeric ("subtypes.1").
        field = ".".join(str(part) for part in error["loc"]) or "body"
        details.append({"field": field, "message": error["msg"], "type": error["type"]})
    return details


def validate(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadRequest("Invalid input", details=field_details(exc)) from None


async def read_json(request: web.Request) -> Any:
    """The body as JSON. Size is capped by the app's client_max_size, which answers 413."""
    if request.content_type != JSON_TYPE:
        raise UnsupportedMediaType(f"Expected {JSON_TYPE}, got {request.content_type or 'nothing'}")
    body = await request.read()
    if not body:
        raise BadRequest("Request body is empty")
    try:
        return loads(body)
    except ValueError:
        raise BadRequest("Malformed JSON in request body") from None


async def parse_body(request: web.Request, model: type[M]) -> M:
    return validate(model, await read_json(request))


def parse_query(request: web.Request, model: type[M]) -> M:
    return validate(model, dict(request.query))


def path_uuid(request: web.Request, name: str, what: str) -> uuid.UUID:
    """A UUID path parameter; a malformed one names nothing of the caller's, so it is a 404."""
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError:
        raise NotFound(f"{what} not found") from None
