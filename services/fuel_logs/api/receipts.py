"""Receipts: a presigned upload and a presigned download per fill-up; files removed with it."""

from __future__ import annotations

import uuid
from typing import Literal

from aiohttp import web

from shared.db import POOL
from shared.http.errors import NotFound
from shared.http.json import json_response
from shared.http.openapi import documented
from shared.http.middleware import current_user
from shared.http.validation import parse_body, path_uuid
from shared.models import ApiModel
from shared.storage import STORAGE, schedule_deletion

from .. import repository
from .common import SETTINGS, after_change, owned_fuel_log

routes = web.RouteTableDef()
RECEIPT_PATH = "/api/fuel-logs/{id}/receipt"


class ReceiptUploadRequest(ApiModel):
    content_type: Literal["image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"]


@routes.post(RECEIPT_PATH)
@documented(summary="Start a receipt upload", body=ReceiptUploadRequest)
async def start_receipt_upload(request: web.Request) -> web.Response:
    """Hands out a browser POST form for a new receipt; a previous receipt is removed."""
    user_id = current_user(request)
    fuel_log_id = path_uuid(request, "id", "Fuel log")
    wanted = await parse_body(request, ReceiptUploadRequest)
    settings = request.app[SETTINGS]
    # Makes the bucket on first use, before a browser uploads into it; 503 while storage is down.
    await request.app[STORAGE].ready()
    async with request.app[POOL].acquire() as conn, conn.transaction():
        row = await owned_fuel_log(conn, user_id, fuel_log_id, for_update=True)
        # A fresh key per upload: a cached download of the old receipt never shows the new one.
        key = f"fuel-logs/{row['vehicle_id']}/{row['id']}/receipt-{uuid.uuid4().hex}"
        await repository.set_receipt(conn, user_id, fuel_log_id, key, wanted.content_type)
        if row["receipt_key"]:
            await schedule_deletion(conn, row["receipt_key"])
    upload = request.app[STORAGE].presigned_upload(
        key, wanted.content_type, settings.receipt_max_bytes, settings.receipt_upload_expires_seconds
    )
    await after_change(request, user_id, files_deleted=bool(row["receipt_key"]))
    return json_response(
        {"uploadUrl": upload.url, "fields": upload.fields, "expiresIn": upload.expires_in,
         "maxBytes": settings.receipt_max_bytes, "contentType": wanted.content_type},
        status=201,
    )


@routes.get(RECEIPT_PATH)
async def receipt_download(request: web.Request) -> web.Response:
    user_id = current_user(request)
    fuel_log_id = path_uuid(request, "id", "Fuel log")
    async with request.app[POOL].acquire() as conn:
        row = await owned_fuel_log(conn, user_id, fuel_log_id)
    if not row["receipt_key"]:
        raise NotFound("This fill-up has no receipt")
    expires = request.app[SETTINGS].receipt_download_expires_seconds
    url = await request.app[STORAGE].download_url(row["receipt_key"], expires)  # storage down: 503
    if url is None:
        raise NotFound("The receipt has not been uploaded yet")
    return json_response({"url": url, "expiresIn": expires, "contentType": row["receipt_content_type"]})


@routes.delete(RECEIPT_PATH)
async def delete_receipt(request: web.Request) -> web.Response:
    user_id = current_user(request)
    fuel_log_id = path_uuid(request, "id", "Fuel log")
    async with request.app[POOL].acquire() as conn, conn.transaction():
        row = await owned_fuel_log(conn, user_id, fuel_log_id, for_update=True)
        if not row["receipt_key"]:
            raise NotFound("This fill-up has no receipt")
        await repository.set_receipt(conn, user_id, fuel_log_id, None, None)
        await schedule_deletion(conn, row["receipt_key"])
    await after_change(request, user_id, files_deleted=True)
    return web.Response(status=204)
