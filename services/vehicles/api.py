"""HTTP handlers of the vehicles service: parse the request, call one use case, answer."""

from __future__ import annotations

import uuid

from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL
from shared.edge_cache import edge_cacheable
from shared.export_stream import stream_ndjson
from shared.http.app import SETTINGS
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.openapi import documented, link
from shared.http.paging import page_query, paged_response
from shared.http.validation import parse_body, path_uuid
from shared.storage import STORAGE

from . import use_cases
from .cache_keys import EDGE_TTL_SECONDS
from .domain import files
from .domain.lists import DOCUMENT_ORDER, ODOMETER_LOG_ORDER, VEHICLE_ORDER
from .domain.odometer import ManualReadingInput, reading_view
from .domain.responses import (
    DecodedVin, NewVehicleDocument, OdometerReading, UploadForm, Vehicle, VehicleDocument, VehicleDocumentDownload,
    VehicleWithWarnings,
)
from .domain.vehicle import DecodeVinRequest, VehicleInput, VehicleUpdate, vehicle_view, vehicle_view_with_warnings
from .vin_decoder import VIN_DECODER

routes = web.RouteTableDef()


def vehicle_id_param(request: web.Request) -> uuid.UUID:
    return path_uuid(request, "id", "Vehicle")


def document_id_param(request: web.Request) -> uuid.UUID:
    return path_uuid(request, "documentId", "Document")


def reading_id_param(request: web.Request) -> uuid.UUID:
    return path_uuid(request, "readingId", "Odometer reading")


# What a new vehicle's id opens, here and in the services that learn of it by event (its fill-ups,
# maintenance records and schedules): OpenAPI links, resolved in the edge's merged document.
NEW_VEHICLE = "$response.body#/id"
VEHICLE_LINKS = {
    "GetVehicle": link("vehicles.get_vehicle", parameters={"id": NEW_VEHICLE}),
    "UpdateVehicle": link("vehicles.update_vehicle", parameters={"id": NEW_VEHICLE}),
    "DeleteVehicle": link("vehicles.delete_vehicle", parameters={"id": NEW_VEHICLE}),
    "StartImageUpload": link("vehicles.start_image_upload", parameters={"id": NEW_VEHICLE}),
    "GetImage": link("vehicles.download_image", parameters={"id": NEW_VEHICLE}),
    "DeleteImage": link("vehicles.delete_image", parameters={"id": NEW_VEHICLE}),
    "AddDocument": link("vehicles.create_document", parameters={"id": NEW_VEHICLE}),
    "ListDocuments": link("vehicles.list_documents", parameters={"id": NEW_VEHICLE}),
    "OdometerLog": link("vehicles.odometer_log", parameters={"id": NEW_VEHICLE}),
    "AddOdometerReading": link("vehicles.add_odometer_reading", parameters={"id": NEW_VEHICLE}),
    "RecordFillUp": link("fuel_logs.create_fuel_log", body={"vehicleId": NEW_VEHICLE}),
    "ListFillUps": link("fuel_logs.list_vehicle_fuel_logs", parameters={"vehicleId": NEW_VEHICLE}),
    "FuelStats": link("fuel_logs.vehicle_fuel_stats", parameters={"vehicleId": NEW_VEHICLE}),
    "ExportFillUps": link("fuel_logs.export_csv", parameters={"vehicleId": NEW_VEHICLE}),
    "ImportFillUps": link("fuel_logs.import_csv", parameters={"vehicleId": NEW_VEHICLE}),
    "CreateRecord": link("maintenance.create_record", body={"vehicleId": NEW_VEHICLE}),
    "ListRecords": link("maintenance.list_vehicle_records", parameters={"vehicleId": NEW_VEHICLE}),
    "CreateSchedule": link("maintenance.create_schedule", body={"vehicleId": NEW_VEHICLE}),
    "ListSchedules": link("maintenance.list_vehicle_schedules", parameters={"vehicleId": NEW_VEHICLE}),
    "Upcoming": link("maintenance.upcoming", parameters={"vehicleId": NEW_VEHICLE}),
}
NEW_DOCUMENT = {"id": "$request.path.id", "documentId": "$response.body#/id"}
DOCUMENT_LINKS = {
    "GetDocument": link("vehicles.get_document", parameters=NEW_DOCUMENT),
    "DeleteDocument": link("vehicles.delete_document", parameters=NEW_DOCUMENT),
}


# --- vehicles -------------------------------------------------------------------------------

@routes.get("/api/vehicles")
@documented(summary="List your vehicles, newest first", responses={200: [Vehicle]}, paged=True)
async def list_vehicles(request: web.Request) -> web.Response:
    page = page_query(request, VEHICLE_ORDER)
    vehicles = await use_cases.list_vehicles(request.app[POOL], request.app[CACHE], current_user(request), page)
    if page is None:
        return edge_cacheable(json_response(vehicles.items), EDGE_TTL_SECONDS)
    return paged_response(request, vehicles.items, vehicles, VEHICLE_ORDER)


@routes.post("/api/vehicles")
@documented(summary="Create a vehicle", body=VehicleInput, responses={201: VehicleWithWarnings, 409: "Duplicate VIN"},
            links={201: VEHICLE_LINKS})
async def create_vehicle(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle = await parse_body(request, VehicleInput)
    row = await use_cases.create_vehicle(request.app[POOL], request.app[CACHE], user_id, vehicle)
    return json_response(vehicle_view_with_warnings(row), status=201)


@routes.get("/api/vehicles/{id}")
@documented(summary="Get a vehicle", responses={200: Vehicle})
async def get_vehicle(request: web.Request) -> web.Response:
    row = await use_cases.get_vehicle(request.app[POOL], current_user(request), vehicle_id_param(request))
    return edge_cacheable(json_response(vehicle_view(row)), EDGE_TTL_SECONDS)


@routes.put("/api/vehicles/{id}")
@documented(summary="Update a vehicle", body=VehicleUpdate, responses={200: VehicleWithWarnings, 404: "Not found"})
async def update_vehicle(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle_id = vehicle_id_param(request)
    update = await parse_body(request, VehicleUpdate)
    row = await use_cases.update_vehicle(request.app[POOL], request.app[CACHE], user_id, vehicle_id, update.changes())
    return json_response(vehicle_view_with_warnings(row))


@routes.delete("/api/vehicles/{id}")
async def delete_vehicle(request: web.Request) -> web.Response:
    await use_cases.delete_vehicle(
        request.app[POOL], request.app[CACHE], current_user(request), vehicle_id_param(request))
    return web.Response(status=204)


@routes.post("/api/vehicles/decode-vin")
@documented(summary="Decode a VIN", body=DecodeVinRequest, responses={200: DecodedVin})
async def decode_vin(request: web.Request) -> web.Response:
    body = await parse_body(request, DecodeVinRequest)
    return json_response(await use_cases.decode_vin(request.app[CACHE], request.app[VIN_DECODER], body.vin))


@routes.get("/api/vehicles/export")
@documented(summary="The caller's vehicles, documents and stored files for the account export (NDJSON)",
            responses={200: "NDJSON lines: schema, vehicle and document records, files, end"})
async def export_vehicles(request: web.Request) -> web.StreamResponse:
    """Read by the edge's GET /api/account/export; one snapshot, streamed as it is read."""
    lines = use_cases.export_account(request.app[POOL], request.app[STORAGE], current_user(request))
    return await stream_ndjson(request, lines)


# --- the odometer log -----------------------------------------------------------------------

NEW_READING = {"id": "$request.path.id", "readingId": "$response.body#/id"}


@routes.get("/api/vehicles/{id}/odometer")
@documented(summary="The vehicle's odometer log, newest first (the first is the current odometer)",
            responses={200: [OdometerReading]}, paged=True)
async def odometer_log(request: web.Request) -> web.Response:
    page = page_query(request, ODOMETER_LOG_ORDER)
    readings = await use_cases.odometer_log(request.app[POOL], current_user(request), vehicle_id_param(request), page)
    return paged_response(request, [reading_view(row) for row in readings.items], readings, ODOMETER_LOG_ORDER)


@routes.post("/api/vehicles/{id}/odometer")
@documented(summary="Record a manual odometer reading", body=ManualReadingInput,
            responses={201: OdometerReading, 409: "It contradicts the log (details name the reading); send confirm"},
            links={201: {"DeleteOdometerReading": link("vehicles.delete_odometer_reading", parameters=NEW_READING)}})
async def add_odometer_reading(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle_id = vehicle_id_param(request)
    manual = await parse_body(request, ManualReadingInput)
    row = await use_cases.add_manual_reading(
        request.app[POOL], request.app[CACHE], user_id, vehicle_id, manual,
        max_daily_distance=request.app[SETTINGS].max_daily_distance)
    return json_response(reading_view(row), status=201)


@routes.delete("/api/vehicles/{id}/odometer/{readingId}")
@documented(summary="Delete a manual odometer reading",
            responses={204: None, 409: "A fill-up's or record's reading: remove its source instead"})
async def delete_odometer_reading(request: web.Request) -> web.Response:
    await use_cases.delete_manual_reading(
        request.app[POOL], request.app[CACHE], current_user(request), vehicle_id_param(request),
        reading_id_param(request))
    return web.Response(status=204)


# --- stored files ---------------------------------------------------------------------------

@routes.post("/api/vehicles/{id}/image")
@documented(summary="Start an image upload", body=files.ImageUploadRequest, responses={201: UploadForm})
async def start_image_upload(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle_id = vehicle_id_param(request)
    wanted = await parse_body(request, files.ImageUploadRequest)
    settings = request.app[SETTINGS]
    upload = await use_cases.start_image_upload(
        request.app[POOL], request.app[CACHE], request.app[STORAGE], user_id, vehicle_id, wanted.content_type,
        max_bytes=settings.image_max_bytes, url_ttl=settings.upload_url_ttl)
    return json_response(files.upload_view(upload, settings.image_max_bytes, wanted.content_type), status=201)


@routes.get("/api/vehicles/{id}/image")
async def download_image(request: web.Request) -> web.StreamResponse:
    ttl = request.app[SETTINGS].download_url_ttl
    url = await use_cases.image_download_url(
        request.app[POOL], request.app[STORAGE], current_user(request), vehicle_id_param(request), url_ttl=ttl)
    # Browsers may reuse the redirect for a while, never beyond the signed URL's life.
    raise web.HTTPFound(url, headers={
        "Cache-Control": f"private, max-age={max(ttl // 2, 1)}"})


@routes.delete("/api/vehicles/{id}/image")
async def delete_image(request: web.Request) -> web.Response:
    await use_cases.delete_image(
        request.app[POOL], request.app[CACHE], current_user(request), vehicle_id_param(request))
    return web.Response(status=204)


@routes.post("/api/vehicles/{id}/documents")
@documented(summary="Add a document, and the form to upload its file", body=files.DocumentInput,
            responses={201: NewVehicleDocument}, links={201: DOCUMENT_LINKS})
async def create_document(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle_id = vehicle_id_param(request)
    document = await parse_body(request, files.DocumentInput)
    settings = request.app[SETTINGS]
    created = await use_cases.add_document(
        request.app[POOL], request.app[STORAGE], user_id, vehicle_id, document,
        max_bytes=settings.document_max_bytes, url_ttl=settings.upload_url_ttl)
    view = files.document_view(created.row)
    view["upload"] = files.upload_view(created.upload, settings.document_max_bytes, document.content_type)
    return json_response(view, status=201)


@routes.get("/api/vehicles/{id}/documents")
@documented(summary="List a vehicle's documents, oldest first", responses={200: [VehicleDocument]}, paged=True)
async def list_documents(request: web.Request) -> web.Response:
    vehicle_id = vehicle_id_param(request)
    page = page_query(request, DOCUMENT_ORDER)
    documents = await use_cases.list_documents(request.app[POOL], current_user(request), vehicle_id, page)
    return paged_response(request, [files.document_view(row) for row in documents.items], documents, DOCUMENT_ORDER)


@routes.get("/api/vehicles/{id}/documents/{documentId}")
@documented(summary="Get a document, with a link to download its file", responses={200: VehicleDocumentDownload})
async def get_document(request: web.Request) -> web.Response:
    ttl = request.app[SETTINGS].download_url_ttl
    document = await use_cases.get_document(
        request.app[POOL], request.app[STORAGE], current_user(request), vehicle_id_param(request),
        document_id_param(request), url_ttl=ttl)
    view = files.document_view(document.row)
    view["downloadUrl"] = document.url
    view["downloadExpiresIn"] = ttl
    return json_response(view)


@routes.delete("/api/vehicles/{id}/documents/{documentId}")
async def delete_document(request: web.Request) -> web.Response:
    await use_cases.delete_document(
        request.app[POOL], current_user(request), vehicle_id_param(request), document_id_param(request))
    return web.Response(status=204)
