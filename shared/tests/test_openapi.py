"""Each service's OpenAPI document: every route from the router, plus the handlers' metadata."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import pytest
from aiohttp import web
from pydantic import Field

from shared.http.app import base_app
from shared.http.openapi import MERGE_QUERY, documented, link, openapi_document
from shared.models import ApiModel
from shared.testing.infra import IDENTITY_SECRET, free_port
from shared.settings import ServiceSettings


class ThingInput(ApiModel):
    display_name: str = Field(min_length=1)
    price: Decimal
    kind: Literal["a", "b"] = "a"


class ThingView(ApiModel):
    thing_id: str


class ThingsQuery(ApiModel):
    vehicle_id: str
    limit: int = 10


def small_app() -> web.Application:
    app = base_app("things", ServiceSettings(identity_secret=IDENTITY_SECRET, port=free_port()))
    routes = web.RouteTableDef()

    @routes.post("/api/things")
    @documented(summary="Create a thing", body=ThingInput, responses={201: ThingView, 409: "Duplicate"}, links={201: {
        "DeleteThing": link("things.delete_thing", parameters={"id": "$response.body#/thingId"}),
        "LabelThing": link("labels.create_label", body={"thingId": "$response.body#/thingId"}),
    }})
    async def create_thing(request):
        return web.json_response({}, status=201)

    @routes.get("/api/things")
    @documented(query=ThingsQuery, responses={200: [ThingView]})
    async def list_things(request):
        return web.json_response([])

    @routes.get("/api/things/{id}/parts/{partId:[0-9]+}")
    async def get_part(request):
        """The part of a thing."""
        return web.json_response({})

    @routes.delete("/api/things/{id}")
    async def delete_thing(request):
        return web.Response(status=204)

    app.add_routes(routes)
    return app


def test_every_route_is_listed_with_its_path_parameters():
    document = openapi_document(small_app(), "things")
    assert document["openapi"].startswith("3.1")
    assert {path: set(ops) for path, ops in document["paths"].items()} == {
        "/api/things": {"post", "get"},
        "/api/things/{id}/parts/{partId}": {"get"},  # the regex is not part of the template
        "/api/things/{id}": {"delete"},
    }
    part = document["paths"]["/api/things/{id}/parts/{partId}"]["get"]
    assert [(p["name"], p["in"], p["required"]) for p in part["parameters"]] == [("id", "path", True), ("partId", "path", True)]
    assert part["summary"] == "The part of a thing."  # the docstring when no summary is given
    assert "head" not in document["paths"]["/api/things"]  # aiohttp's implicit HEAD is not an operation
    # Probes and the document itself are not part of the API.
    assert not {"/health", "/ready", "/metrics", "/openapi.json"} & set(document["paths"])


def test_documented_models_become_schemas_by_alias():
    document = openapi_document(small_app(), "things")
    create = document["paths"]["/api/things"]["post"]
    assert create["summary"] == "Create a thing" and create["operationId"] == "things.create_thing"
    body_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schemas = document["components"]["schemas"]
    body = schemas[body_ref.rsplit("/", 1)[1]]
    assert set(body["properties"]) == {"displayName", "price", "kind"}  # camelCase on the wire
    assert set(body["required"]) == {"displayName", "price"}
    created = create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    assert "thingId" in schemas[created.rsplit("/", 1)[1]]["properties"]
    assert create["responses"]["409"]["description"] == "Duplicate"
    assert create["responses"]["409"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"

    listing = document["paths"]["/api/things"]["get"]
    assert listing["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    query = {p["name"]: p for p in listing["parameters"]}
    assert query["vehicleId"]["required"] is True and query["limit"]["required"] is False
    assert query["limit"]["in"] == "query"
    # Undocumented handlers still get a success and an error response: a DELETE's is a 204 without
    # a body (the fuzzer found the 200 it claimed, tests/fuzz).
    delete = document["paths"]["/api/things/{id}"]["delete"]
    assert set(delete["responses"]) == {"204", "default"} and "content" not in delete["responses"]["204"]


def test_links_to_other_services_are_kept_only_for_the_merged_document():
    created = openapi_document(small_app(), "things")["paths"]["/api/things"]["post"]["responses"]["201"]
    assert created["links"] == {"DeleteThing": {"operationId": "things.delete_thing",
                                                "parameters": {"id": "$response.body#/thingId"}}}
    merged = openapi_document(small_app(), "things", cross_service=True)["paths"]["/api/things"]["post"]
    assert merged["responses"]["201"]["links"]["LabelThing"] == {
        "operationId": "labels.create_label", "requestBody": {"thingId": "$response.body#/thingId"}}


async def test_the_document_is_served_without_an_identity_assertion(serve):
    client = await serve(small_app())
    response = await client.get("/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["info"]["title"] == "things" and "/api/things" in document["paths"]
    assert (await client.get("/api/things")).status == 401  # the API itself still needs the assertion
    own = document["paths"]["/api/things"]["post"]["responses"]["201"]["links"]
    for_merging = await (await client.get("/openapi.json", params=MERGE_QUERY)).json()
    assert set(own) == {"DeleteThing"}
    assert set(for_merging["paths"]["/api/things"]["post"]["responses"]["201"]["links"]) == {"DeleteThing", "LabelThing"}


def _settings(module: str, cls: str, values: dict):
    settings_module = __import__(f"services.{module}.settings", fromlist=[cls])
    return getattr(settings_module, cls)(**values)


@pytest.mark.parametrize("service, settings_class, expected", [
    ("vehicles", "VehiclesSettings", {("post", "/api/vehicles"), ("get", "/api/vehicles/{id}"),
                                      ("delete", "/api/vehicles/{id}/documents/{documentId}")}),
    ("fuel_logs", "FuelLogsSettings", {("post", "/api/fuel-logs"), ("get", "/api/fuel-logs/{id}"),
                                       ("post", "/api/fuel-logs/{id}/receipt")}),
    ("stations", "StationsSettings", {("post", "/api/stations/search"), ("post", "/api/stations/save"),
                                      ("get", "/api/stations/photo/{reference}")}),
    ("maintenance", "MaintenanceSettings", {("post", "/api/maintenance/records"),
                                            ("post", "/api/maintenance/schedules"),
                                            ("get", "/api/maintenance/upcoming/{vehicleId}")}),
])
async def test_each_service_documents_its_routes(service, settings_class, expected, backed_settings):
    create_app = __import__(f"services.{service}.app", fromlist=["create_app"]).create_app
    app = create_app(_settings(service, settings_class, await backed_settings(service)))
    document = openapi_document(app, service)
    operations = {(method, path) for path, ops in document["paths"].items() for method in ops}
    assert expected <= operations
    # Every route of the router is in the document.
    routed = {(route.method.lower(), route.resource.canonical) for route in app.router.routes()
              if route.method not in ("HEAD", "*") and route.resource.canonical.startswith("/api/")}
    assert len(operations) == len(routed)
    # The create endpoints carry their body model.
    creates = [ops["post"] for ops in document["paths"].values() if "post" in ops and "requestBody" in ops["post"]]
    assert creates, "no documented request body"
    for create in creates:
        ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.rsplit("/", 1)[1] in document["components"]["schemas"]


class PriceInput(ApiModel):
    price: Decimal = Field(ge=0, max_digits=5, decimal_places=2)
    change: Decimal


def test_a_decimals_string_form_is_described_as_the_api_takes_it():
    import re

    from shared.http.openapi import ApiJsonSchema
    from shared.models import DECIMAL_STRING_PATTERN

    properties = PriceInput.model_json_schema(by_alias=True, schema_generator=ApiJsonSchema)["properties"]
    [price] = [option["pattern"] for option in properties["price"]["anyOf"] if option["type"] == "string"]
    assert [bool(re.fullmatch(price, text)) for text in ("123.45", "0", "1234.5", "-1", "1.234", " 5")] == [
        True, True, False, False, False, False]
    [change] = [option["pattern"] for option in properties["change"]["anyOf"] if option["type"] == "string"]
    assert change == DECIMAL_STRING_PATTERN  # no digits or sign to narrow it by


class VolumeInput(ApiModel):
    volume: Decimal = Field(gt=0, le=Decimal("99999"), max_digits=9, decimal_places=3)


def test_a_positive_bounded_decimal_string_is_described_by_what_the_api_takes():
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from shared.http.openapi import ApiJsonSchema

    properties = VolumeInput.model_json_schema(by_alias=True, schema_generator=ApiJsonSchema)["properties"]
    [volume] = [option["pattern"] for option in properties["volume"]["anyOf"] if option["type"] == "string"]
    samples = ("12.5", "0.001", "000.010", "99999", "0", "0.000", "100000", "0.0001", ".5", "1.", "-1")
    assert [bool(re.fullmatch(volume, text)) for text in samples] == [
        True, True, True, True, False, False, False, False, False, False, False]

    @settings(max_examples=200, database=None)
    @given(st.from_regex(re.compile(volume), fullmatch=True))
    def every_match_is_taken(text):  # what a fuzzer generates from the schema, the API accepts
        VolumeInput.model_validate({"volume": text})

    every_match_is_taken()


def test_a_decimals_number_form_is_bounded_by_its_places():
    """A JSON number on the schema's grid (multipleOf 0.001) is taken as it is written; one between
    its points has more places than the API keeps and is refused, not rounded."""
    import json
    from fractions import Fraction

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from pydantic import ValidationError

    from shared.http.openapi import ApiJsonSchema

    properties = VolumeInput.model_json_schema(by_alias=True, schema_generator=ApiJsonSchema)["properties"]
    [number] = [option for option in properties["volume"]["anyOf"] if option["type"] == "number"]
    assert number["multipleOf"] == 0.001

    @settings(max_examples=200, database=None)
    @given(st.integers(min_value=1, max_value=99_999_000))
    def every_grid_point_is_taken(thousandths):  # a fuzzer spells k x 0.001 exactly, e.g. 12.345
        written = float(Fraction(thousandths, 1000))
        volume = VolumeInput.model_validate_json(json.dumps({"volume": written})).volume
        assert volume == Fraction(thousandths, 1000)

    every_grid_point_is_taken()
    with pytest.raises(ValidationError, match="decimal places"):
        VolumeInput.model_validate_json('{"volume": 12.3455}')


def test_a_paged_list_documents_limit_cursor_and_the_link_header():
    app = base_app("things", ServiceSettings(identity_secret=IDENTITY_SECRET, port=free_port()))

    @documented(query=ThingsQuery, responses={200: [ThingView]}, paged=True)
    async def list_paged_things(request):
        return web.json_response([])

    app.router.add_get("/api/paged-things", list_paged_things)
    listing = openapi_document(app, "things")["paths"]["/api/paged-things"]["get"]
    query = {p["name"]: p for p in listing["parameters"]}
    # The model's own `limit` gives way to the paging one: one parameter per name.
    assert [p["name"] for p in listing["parameters"]].count("limit") == 1
    assert query["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 500}
    assert query["cursor"]["schema"]["type"] == "string" and query["cursor"]["required"] is False
    assert query["vehicleId"]["required"] is True
    assert "Link" in listing["responses"]["200"]["headers"]


def test_a_path_parameter_is_documented_as_narrowly_as_the_handler_takes_it():
    app = base_app("things", ServiceSettings(identity_secret=IDENTITY_SECRET, port=free_port()))

    @documented(path={"kind": {"enum": ["a", "b"]}})
    async def things_of_a_kind(request):
        return web.json_response([])

    app.router.add_get("/api/things/{kind}/{name}", things_of_a_kind)
    parameters = openapi_document(app, "things")["paths"]["/api/things/{kind}/{name}"]["get"]["parameters"]
    assert {p["name"]: p["schema"] for p in parameters} == {
        "kind": {"type": "string", "enum": ["a", "b"]}, "name": {"type": "string"}}
