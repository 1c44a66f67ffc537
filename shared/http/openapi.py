"""Each service's OpenAPI 3.1 document, built from its router, served at GET /openapi.json.

Every route of the router appears with its method, path and path parameters, so a service gets a
usable document without writing one. Handlers may add what the router cannot know:

    @routes.post("/api/vehicles")
    @documented(summary="Create a vehicle", body=VehicleInput, responses={201: None, 409: "Duplicate VIN"})
    async def create_vehicle(request): ...

Models become JSON Schemas (pydantic, by alias: the camelCase the wire speaks) under
components/schemas. The document is built once, at the first request, when the router is final.
The edge merges the services' documents at /api/docs.

`links` are OpenAPI links from an answer to the operations that can use what it returned (a new
vehicle's id -> reading, changing or deleting it, a fill-up for it), so a client or a stateful
fuzzer can follow them. Operation ids are "<service>.<handler name>", unique across the suite, so
a link may name another service's operation: it resolves in the edge's merged document, which is
the API clients see; a service's own document drops such links (cross_service=False).
"""

from __future__ import annotations

import re
from decimal import Decimal
from http import HTTPStatus
from typing import Any, Callable, Mapping

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema
from pydantic_core import core_schema

from ..models import DECIMAL_STRING_PATTERN
from ..paging import CURSOR, CURSOR_PATTERN, LIMIT, MAX_CURSOR_CHARS, MAX_LIMIT, MIN_LIMIT

from .json import json_response
from .middleware import PUBLIC_PATHS

OPENAPI_PATH = "/openapi.json"
# What the edge asks for when it merges: the document with its links to other services' operations.
MERGE_QUERY = {"links": "all"}
OPENAPI_VERSION = "3.1.0"
SCHEMA_REF = "#/components/schemas/{model}"
METADATA_ATTRIBUTE = "__openapi__"
# Added to every HEAD-less GET by aiohttp, or matching any method (a proxy): not API operations.
SKIPPED_METHODS = frozenset({"HEAD", "*"})
_PATH_PARAMETER = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")

ResponseSpec = type[BaseModel] | list | str | None
# A route's success status when its handler documents none: what the suite's handlers answer.
DEFAULT_SUCCESS = {"post": 201, "delete": 204}


class ApiJsonSchema(GenerateJsonSchema):
    """Pydantic's JSON Schema with what the API checks beyond it: a decimal's string form is plain
    decimal notation (shared.models.PlainDecimal), and its places bound both forms."""

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> dict[str, Any]:
        json_schema = super().decimal_schema(schema)
        for option in json_schema.get("anyOf", []):
            if option.get("type") == "string":
                option["pattern"] = decimal_string_pattern(schema)
            elif option.get("type") == "number" and schema.get("decimal_places") is not None:
                # 12.345 but not 12.3456 for three places. Without it a fuzzer's numbers were mostly
                # floats of many places, which the service refuses rather than round.
                option["multipleOf"] = float(Decimal(1).scaleb(-schema["decimal_places"]))
        return json_schema


def decimal_string_pattern(schema: core_schema.DecimalSchema) -> str:
    """DECIMAL_STRING_PATTERN narrowed by the field's digits and sign: what the string form of a
    NUMERIC(max_digits, decimal_places) with a lower bound of 0 can be."""
    places, digits = schema.get("decimal_places"), schema.get("max_digits")
    bounds = [schema.get(name) for name in ("ge", "gt")]
    if places is None or digits is None or not any(bound is not None and bound >= 0 for bound in bounds):
        return DECIMAL_STRING_PATTERN
    whole_digits = digits - places
    if schema.get("le") is not None:  # 99999 is at most five whole digits, whatever NUMERIC allows
        whole_digits = min(whole_digits, len(str(int(schema["le"]))))
    if schema.get("gt") == 0:
        return _positive_decimal_pattern(whole_digits, places)
    whole = f"[0-9]{{1,{whole_digits}}}"
    return f"^{whole}(\\.[0-9]{{1,{places}}})?$" if places else f"^{whole}$"


def _positive_decimal_pattern(whole_digits: int, places: int) -> str:
    """Above zero (a fill-up's volume, a trip): a non-zero whole part, or a zero one and a fraction
    with a non-zero digit among its places. Without it, a fuzzer's strings are mostly "0" and
    nearly every fill-up it generates is refused (before, the stateful phase never made one)."""
    non_zero_whole = f"0*[1-9][0-9]{{0,{whole_digits - 1}}}" + (f"(\\.[0-9]{{1,{places}}})?" if places else "")
    if not places:
        return f"^{non_zero_whole}$"
    fractions = "|".join(f"0{{{zeros}}}[1-9][0-9]{{0,{places - 1 - zeros}}}" for zeros in range(places))
    return f"^({non_zero_whole}|0+\\.({fractions}))$"


def documented(
    *,
    summary: str | None = None,
    description: str | None = None,
    body: type[BaseModel] | None = None,
    body_required: bool = True,
    query: type[BaseModel] | None = None,
    path: Mapping[str, dict[str, Any]] | None = None,
    responses: Mapping[int, ResponseSpec] | None = None,
    links: Mapping[int, Mapping[str, dict[str, Any]]] | None = None,
    tags: list[str] | None = None,
    paged: bool = False,
) -> Callable:
    """Attach OpenAPI metadata to a handler. path: a path parameter's JSON Schema beyond a string
    (an enum, a pattern), where the handler takes less than any string. responses: status ->
    model, [model] (a list of it), a description string, or None (no body described). links:
    status -> name -> link(). paged: a list route taking `limit` and `cursor` (shared/paging.py),
    answering Link rel=next."""

    def mark(handler: Callable) -> Callable:
        setattr(handler, METADATA_ATTRIBUTE, {
            "summary": summary, "description": description, "body": body, "body_required": body_required,
            "query": query, "path": dict(path or {}),
            "responses": dict(responses or {}), "links": dict(links or {}), "tags": tags, "paged": paged,
        })
        return handler

    return mark


def link(operation_id: str, *, parameters: Mapping[str, str] | None = None,
         body: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An OpenAPI link to `operation_id` ("<service>.<handler name>"). parameters: target parameter
    -> runtime expression ("$response.body#/id", "$request.path.id"); body: fields of the target's
    request body filled from expressions, the rest of the body left to the caller."""
    definition: dict[str, Any] = {"operationId": operation_id}
    if parameters:
        definition["parameters"] = dict(parameters)
    if body:
        definition["requestBody"] = dict(body)
    return definition


# The answer's id as the `id` path parameter of the operation a link names.
NEW_ID = {"id": "$response.body#/id"}


def links_by_new_id(**operations: str) -> dict[str, dict[str, Any]]:
    """Links, by name, from an answer that created something to the operations taking its id:
    links_by_new_id(GetRecord="maintenance.get_record", DeleteRecord="maintenance.delete_record")."""
    return {name: link(operation_id, parameters=NEW_ID) for name, operation_id in operations.items()}


def _metadata(handler: Any) -> dict[str, Any]:
    return getattr(handler, METADATA_ATTRIBUTE, None) or {
        "summary": None, "description": None, "body": None, "body_required": True, "query": None, "path": {},
        "responses": {}, "links": {}, "tags": None, "paged": False,
    }


def _operations(app: web.Application, skip_paths: frozenset[str]):
    """(path template, method, handler) of every API route, in router order."""
    for resource in app.router.resources():
        path = resource.canonical
        if not path or path in skip_paths:
            continue
        for route in resource:
            if route.method in SKIPPED_METHODS:
                continue
            yield _PATH_PARAMETER.sub(r"{\1}", path), route.method.lower(), route.handler


def _models_of(metadata: dict[str, Any]):
    if metadata["body"] is not None:
        yield metadata["body"], "validation"
    if metadata["query"] is not None:
        yield metadata["query"], "validation"
    for spec in metadata["responses"].values():
        model = spec[0] if isinstance(spec, list) and spec else spec
        if isinstance(model, type) and issubclass(model, BaseModel):
            yield model, "serialization"


def openapi_document(app: web.Application, title: str, *, version: str = "1.0.0",
                     skip_paths: frozenset[str] = frozenset(), cross_service: bool = False) -> dict[str, Any]:
    # Probes, metrics and this document are the platform's, not part of the API.
    operations = list(_operations(app, skip_paths | PUBLIC_PATHS))
    wanted = {pair for _, _, handler in operations for pair in _models_of(_metadata(handler))}
    refs: dict[tuple[type[BaseModel], str], dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    if wanted:
        ordered = sorted(wanted, key=lambda pair: (pair[0].__module__, pair[0].__qualname__, pair[1]))
        refs, definitions = models_json_schema(ordered, by_alias=True, ref_template=SCHEMA_REF,
                                               schema_generator=ApiJsonSchema)
        schemas = definitions.get("$defs", {})
    schemas["Error"] = ERROR_SCHEMA

    paths: dict[str, dict[str, Any]] = {}
    for path, method, handler in operations:
        paths.setdefault(path, {})[method] = _operation(path, method, handler, title, refs)
    if not cross_service:
        _drop_links_elsewhere(paths)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _operation(path: str, method: str, handler: Any, service: str, refs) -> dict[str, Any]:
    metadata = _metadata(handler)
    name = getattr(handler, "__name__", "handler")
    doc = (getattr(handler, "__doc__", None) or "").strip()
    operation: dict[str, Any] = {
        "operationId": f"{service}.{name}",
        "summary": metadata["summary"] or (doc.splitlines()[0] if doc else name.replace("_", " ").capitalize()),
        "tags": metadata["tags"] or [service],
    }
    if metadata["description"]:
        operation["description"] = metadata["description"]
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "string", **metadata["path"].get(name, {})}}
                  for name in _PATH_PARAMETER.findall(path)]
    if metadata["query"] is not None:
        parameters += _query_parameters(metadata["query"])
    if metadata["paged"]:
        parameters = [p for p in parameters if p["name"] not in PAGING_NAMES] + PAGING_PARAMETERS
    if parameters:
        operation["parameters"] = parameters
    if metadata["body"] is not None:
        operation["requestBody"] = {"required": metadata["body_required"], "content": {
            "application/json": {"schema": refs[(metadata["body"], "validation")]}}}
    operation["responses"] = _responses(method, metadata["responses"], refs, metadata["links"])
    if metadata["paged"]:
        operation["responses"]["200"]["headers"] = {LINK_HEADER: NEXT_PAGE_LINK}
    return operation


def _drop_links_elsewhere(paths: dict[str, dict[str, Any]]) -> None:
    """Keep only the links to this document's own operations."""
    own = {operation["operationId"] for operations in paths.values() for operation in operations.values()}
    for operations in paths.values():
        for operation in operations.values():
            for response in operation["responses"].values():
                if "links" in response:
                    response["links"] = {name: target for name, target in response["links"].items()
                                         if target["operationId"] in own}
                    if not response["links"]:
                        del response["links"]


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    # One parameter per field: a query model is flat, its nested $refs (enums) are in components.
    schema = model.model_json_schema(by_alias=True, ref_template=SCHEMA_REF, schema_generator=ApiJsonSchema)
    required = set(schema.get("required", []))
    return [{"name": name, "in": "query", "required": name in required, "schema": field_schema}
            for name, field_schema in schema.get("properties", {}).items()]


def _responses(method: str, specs: Mapping[int, ResponseSpec], refs,
               links: Mapping[int, Mapping[str, dict[str, Any]]]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if not any(200 <= status < 300 for status in specs):
        specs = {DEFAULT_SUCCESS.get(method, 200): None, **specs}
    specs = {**{status: None for status in links}, **specs}
    for status, spec in sorted(specs.items()):
        description = spec if isinstance(spec, str) else _phrase(status)
        response: dict[str, Any] = {"description": description}
        schema = _response_schema(spec, refs)
        if schema is not None:
            response["content"] = {"application/json": {"schema": schema}}
        elif status >= 400:
            response["content"] = {"application/json": {"schema": {"$ref": SCHEMA_REF.format(model="Error")}}}
        if links.get(status):
            response["links"] = dict(links[status])
        responses[str(status)] = response
    responses["default"] = {"description": "Error",
                            "content": {"application/json": {"schema": {"$ref": SCHEMA_REF.format(model="Error")}}}}
    return responses


def _response_schema(spec: ResponseSpec, refs) -> dict[str, Any] | None:
    if isinstance(spec, list) and spec:
        return {"type": "array", "items": refs[(spec[0], "serialization")]}
    if isinstance(spec, type) and issubclass(spec, BaseModel):
        return refs[(spec, "serialization")]
    return None


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Response"


# The query parameters and answer header of a paged list (shared/paging.py, shared/http/paging.py).
PAGING_PARAMETERS: list[dict[str, Any]] = [
    {"name": LIMIT, "in": "query", "required": False,
     "description": "Page size; without it the whole list is answered",
     "schema": {"type": "integer", "minimum": MIN_LIMIT, "maximum": MAX_LIMIT}},
    {"name": CURSOR, "in": "query", "required": False,
     "description": "Opaque position from the previous page's Link header (needs limit)",
     "schema": {"type": "string", "maxLength": MAX_CURSOR_CHARS, "pattern": CURSOR_PATTERN}},
]
PAGING_NAMES = frozenset({LIMIT, CURSOR})
LINK_HEADER = "Link"
NEXT_PAGE_LINK: dict[str, Any] = {
    "description": 'With limit, when more rows follow: `</same/path?...&cursor=...>; rel="next"` (RFC 8288, relative)',
    "schema": {"type": "string"},
}


# The error shape of shared.http.errors.error_body, which every service answers with.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["statusCode", "error", "message"],
    "properties": {
        "statusCode": {"type": "integer"},
        "error": {"type": "string"},
        "message": {"type": "string"},
        "requestId": {"type": ["string", "null"]},
        "details": {"type": "array", "items": {"type": "object"}},
    },
}


def add_openapi(app: web.Application, title: str) -> None:
    """Serve GET /openapi.json, built at the first request (routes are added after base_app).
    `?links=all` keeps the links to other services' operations: the edge asks for it to merge."""
    built: dict[str, Any] = {}

    async def openapi_json(request: web.Request) -> web.Response:
        cross_service = request.query.get("links") == MERGE_QUERY["links"]
        if cross_service not in built:
            built[cross_service] = openapi_document(request.app, title, cross_service=cross_service)
        return json_response(built[cross_service])

    app.router.add_get(OPENAPI_PATH, openapi_json)
