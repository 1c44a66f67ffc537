"""HTTP handlers of the vehicles service: parse, call the repository, answer."""

from __future__ import annotations

import uuid

import asyncpg
from aiohttp import web

from shared.cache import CACHE
from shared.edge_cache import edge_cacheable
from shared.db import POOL
from shared.events import enqueue
from shared.http.app import SETTINGS
from shared.http.errors import BadRequest, Conflict, NotFound
from shared.http.json import json_response
from shared.http.openapi import documented
from shared.http.middleware import current_user
from shared.http.validation import parse_body, path_uuid
from shared.storage import STORAGE, ObjectStore, schedule_deletion

from . import events, repository
from .domain import files
from .domain.vehicle import DecodeVinRequest, VehicleInput, VehicleUpdate, apply_update, vehicle_view
from .domain.vin import vin_warnings
from .events import list_cache_key
from .vin_decoder import VIN_DECODER

routes = web.RouteTableDef()
LIST_TTL_SECONDS = 300
DUPLICATE_VIN = "You already have a vehicle with this VIN"




def vehicle_id_param(request: web.Request) -> uuid.UUID:
    return path_uuid(request, "id", "Vehicle")


async def invalidate_list(request: web.Request, user_id: str) -> None:
    """After a committed change: the cached list here and the user's answers kept at the edge."""
    await request.app[CACHE].user_changed(user_id, list_cache_key(user_id))


def with_warnings(view: dict) -> dict:
    return {**view, "warnings": vin_warnings(view["vin"])}


# --- vehicles -------------------------------------------------------------------------------

@routes.get("/api/vehicles")
async def list_vehicles(request: web.Request) -> web.Response:
    user_id = current_user(request)

    async def load() -> list[dict]:
        async with request.app[POOL].acquire() as conn:
            return [vehicle_view(row) for row in await repository.list_vehicles(conn, user_id)]

    vehicles = await request.app[CACHE].get_or_load(list_cache_key(user_id), LIST_TTL_SECONDS, load)
    return edge_cacheable(json_response(vehicles), LIST_TTL_SECONDS)


@routes.post("/api/vehicles")
@documented(summary="Create a vehicle", body=VehicleInput, responses={201: "The vehicle, with VIN warnings", 409: "Duplicate VIN"})
async def create_vehicle(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle = await parse_body(request, VehicleInput)
    async with request.app[POOL].acquire() as conn, conn.transaction():
        try:
            row = await repository.insert_vehicle(conn, user_id, vehicle.model_dump())
        except asyncpg.UniqueViolationError:
            raise Conflict(DUPLICATE_VIN) from None
        view = vehicle_view(row)
        await enqueue(conn, events.vehicle_created(view))
    await invalidate_list(request, user_id)
    return json_response(with_warnings(view), status=201)


@routes.get("/api/vehicles/{id}")
async def get_vehicle(request: web.Request) -> web.Response:
    async with request.app[POOL].acquire() as conn:
        row = await repository.get_vehicle(conn, current_user(request), vehicle_id_param(request))
    if row is None:
        raise NotFound("Vehicle not found")
    return edge_cacheable(json_response(vehicle_view(row)), LIST_TTL_SECONDS)


@routes.put("/api/vehicles/{id}")
@documented(summary="Update a vehicle", body=VehicleUpdate, responses={200: "The vehicle", 404: "Not found"})
async def update_vehicle(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle_id = vehicle_id_param(request)
    update = await parse_body(request, VehicleUpdate)
    async with request.app[POOL].acquire() as conn, conn.transaction():
        current = await repository.get_vehicle(conn, user_id, vehicle_id, for_update=True)
        if current is None:
            raise NotFound("Vehicle not found")
        changes = update.changes()
        if not changes:
            return json_response(with_warnings(vehicle_view(current)))
        try:
            values = apply_update(dict(current), changes)
        except ValueError as exc:
            raise BadRequest("Invalid input", details=[
                {"field": "licensePlate", "message": str(exc), "type": "value_error"}]) from None
        try:
            row = await repository.update_vehicle(conn, user_id, vehicle_id, values)
        except asyncpg.UniqueViolationError:
            raise Conflict(DUPLICATE_VIN) from None
        view = vehicle_view(row)
        await enqueue(conn, events.vehicle_updated(view))
    await invalidate_list(request, user_id)
    return json_response(with_warnings(view))


@routes.delete("/api/vehicles/{id}")
async def delete_vehicle(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle_id = vehicle_id_param(request)
    async with request.app[POOL].acquire() as conn, conn.transaction():
        current = await repository.get_vehicle(conn, user_id, vehicle_id, for_update=True)
        if current is None:
            raise NotFound("Vehicle not found")
        row = await repository.soft_delete_vehicle(conn, user_id, vehicle_id)
        stored = await repository.delete_vehicle_documents(conn, user_id, vehicle_id)
        if current["image_key"]:
            stored.append(current["image_key"])
        # The sweeper removes the files once this commits; a storage outage only delays it.
        await schedule_deletion(conn, *stored)
        await enqueue(conn, events.vehicle_deleted(vehicle_view(row)))
    await invalidate_list(request, user_id)
    return web.Response(status=204)


@routes.post("/api/vehicles/decode-vin")
@documented(summary="Decode a VIN", body=DecodeVinRequest)
async def decode_vin(request: web.Request) -> web.Response:
    body = await parse_body(request, DecodeVinRequest)
    return json_response(await request.app[VIN_DECODER].decode(body.vin))


# --- stored files ---------------------------------------------------------------------------

async def storage_for_upload(request: web.Request) -> ObjectStore:
    """The object store, checked reachable: presigning is offline, so it alone proves nothing."""
    store = request.app[STORAGE]
    await store.ensure_bucket()  # StorageUnavailable answers 503
    return store


async def owned_vehicle(conn: asyncpg.Connection, request: web.Request, *, for_update: bool = False):
    row = await repository.get_vehicle(conn, current_user(request), vehicle_id_param(request), for_update=for_update)
    if row is None:
        raise NotFound("Vehicle not found")
    return row


@routes.post("/api/vehicles/{id}/image")
@documented(summary="Start an image upload", body=files.ImageUploadRequest)
async def start_image_upload(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle_id = vehicle_id_param(request)
    wanted = await parse_body(request, files.ImageUploadRequest)
    settings = request.app[SETTINGS]
    async with request.app[POOL].acquire() as conn:
        await owned_vehicle(conn, request)  # 404 before 503: not yours is not yours
    store = await storage_for_upload(request)
    key = files.image_key(vehicle_id, wanted.content_type)
    async with request.app[POOL].acquire() as conn, conn.transaction():
        current = await owned_vehicle(conn, request, for_update=True)
        if current["image_key"]:
            await schedule_deletion(conn, current["image_key"])  # replaced by the new upload
        await repository.set_image(conn, user_id, vehicle_id, key, wanted.content_type)
    await invalidate_list(request, user_id)
    upload = store.presigned_upload(key, wanted.content_type, settings.image_max_bytes, settings.upload_url_ttl)
    return json_response(files.upload_view(upload, settings.image_max_bytes, wanted.content_type), status=201)


@routes.get("/api/vehicles/{id}/image")
async def download_image(request: web.Request) -> web.StreamResponse:
    async with request.app[POOL].acquire() as conn:
        vehicle = await owned_vehicle(conn, request)
    if not vehicle["image_key"]:
        raise NotFound("This vehicle has no image")
    ttl = request.app[SETTINGS].download_url_ttl
    url = await request.app[STORAGE].download_url(vehicle["image_key"], ttl)  # storage down: 503
    if url is None:
        raise NotFound("The image has not been uploaded yet")
    # Browsers may reuse the redirect for a while, never beyond the signed URL's life.
    raise web.HTTPFound(url, headers={
        "Cache-Control": f"private, max-age={max(ttl // 2, 1)}"})


@routes.delete("/api/vehicles/{id}/image")
async def delete_image(request: web.Request) -> web.Response:
    user_id = current_user(request)
    async with request.app[POOL].acquire() as conn, conn.transaction():
        vehicle = await owned_vehicle(conn, request, for_update=True)
        if not vehicle["image_key"]:
            raise NotFound("This vehicle has no image")
        await repository.set_image(conn, user_id, vehicle["id"], None, None)
        await schedule_deletion(conn, vehicle["image_key"])
    await invalidate_list(request, user_id)
    return web.Response(status=204)


def document_id_param(request: web.Request) -> uuid.UUID:
    return path_uuid(request, "documentId", "Document")


@routes.post("/api/vehicles/{id}/documents")
@documented(summary="Add a document", body=files.DocumentInput)
async def create_document(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle_id = vehicle_id_param(request)
    document = await parse_body(request, files.DocumentInput)
    settings = request.app[SETTINGS]
    async with request.app[POOL].acquire() as conn:
        await owned_vehicle(conn, request)
    store = await storage_for_upload(request)
    document_id = uuid.uuid4()
    key = files.document_key(vehicle_id, document_id, document.content_type)
    async with request.app[POOL].acquire() as conn, conn.transaction():
        await owned_vehicle(conn, request, for_update=True)  # not deleted meanwhile
        row = await repository.insert_document(
            conn, user_id, vehicle_id, document_id, storage_key=key, **document.model_dump())
    upload = store.presigned_upload(key, document.content_type, settings.document_max_bytes, settings.upload_url_ttl)
    view = files.document_view(row)
    view["upload"] = files.upload_view(upload, settings.document_max_bytes, document.content_type)
    return json_response(view, status=201)


@routes.get("/api/vehicles/{id}/documents")
async def list_documents(request: web.Request) -> web.Response:
    async with request.app[POOL].acquire() as conn:
        vehicle = await owned_vehicle(conn, request)
        rows = await repository.list_documents(conn, current_user(request), vehicle["id"])
    return json_response([files.document_view(row) for row in rows])


@routes.get("/api/vehicles/{id}/documents/{documentId}")
async def get_document(request: web.Request) -> web.Response:
    async with request.app[POOL].acquire() as conn:
        vehicle = await owned_vehicle(conn, request)
        row = await repository.get_document(conn, current_user(request), vehicle["id"], document_id_param(request))
    if row is None:
        raise NotFound("Document not found")
    view = files.document_view(row)
    ttl = request.app[SETTINGS].download_url_ttl
    # Signing needs no call to storage; the link works once the file has been uploaded.
    await request.app[STORAGE].load_clients()
    view["downloadUrl"] = request.app[STORAGE].presigned_get(row["storage_key"], ttl)
    view["downloadExpiresIn"] = ttl
    return json_response(view)


@routes.delete("/api/vehicles/{id}/documents/{documentId}")
async def delete_document(request: web.Request) -> web.Response:
    user_id = current_user(request)
    async with request.app[POOL].acquire() as conn, conn.transaction():
        vehicle = await owned_vehicle(conn, request)
        key = await repository.delete_document(conn, user_id, vehicle["id"], document_id_param(request))
        if key is None:
            raise NotFound("Document not found")
        await schedule_deletion(conn, key)
    return web.Response(status=204)
