"""Receipts: a presigned upload and a presigned download per fill-up; files removed with it."""

from __future__ import annotations

from typing import Literal

from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL
from shared.http.app import SETTINGS
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.openapi import documented
from shared.http.validation import parse_body, path_uuid
from shared.models import ApiModel
from shared.storage import STORAGE, SWEEPER

from ..domain.responses import ReceiptDownload, ReceiptUpload
from ..use_cases.receipts import new_receipt_upload, receipt_link, remove_receipt

routes = web.RouteTableDef()
RECEIPT_PATH = "/api/fuel-logs/{id}/receipt"


class ReceiptUploadRequest(ApiModel):
    content_type: Literal["image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"]


@routes.post(RECEIPT_PATH)
@documented(summary="Start a receipt upload", body=ReceiptUploadRequest, responses={201: ReceiptUpload})
async def start_receipt_upload(request: web.Request) -> web.Response:
    """Hands out a browser POST form for a new receipt; a previous receipt is removed."""
    user_id = current_user(request)
    fuel_log_id = path_uuid(request, "id", "Fuel log")
    wanted = await parse_body(request, ReceiptUploadRequest)
    settings = request.app[SETTINGS]
    upload = await new_receipt_upload(
        request.app[POOL], request.app[CACHE], request.app[STORAGE], request.app[SWEEPER], user_id, fuel_log_id,
        wanted.content_type, settings.receipt_max_bytes, settings.receipt_upload_expires_seconds,
    )
    return json_response(
        {"uploadUrl": upload.url, "fields": upload.fields, "expiresIn": upload.expires_in,
         "maxBytes": settings.receipt_max_bytes, "contentType": wanted.content_type},
        status=201,
    )


@routes.get(RECEIPT_PATH)
@documented(summary="A link to download the fill-up's receipt", responses={200: ReceiptDownload})
async def receipt_download(request: web.Request) -> web.Response:
    user_id = current_user(request)
    fuel_log_id = path_uuid(request, "id", "Fuel log")
    expires = request.app[SETTINGS].receipt_download_expires_seconds
    link = await receipt_link(request.app[POOL], request.app[STORAGE], user_id, fuel_log_id, expires)
    return json_response({"url": link.url, "expiresIn": expires, "contentType": link.content_type})


@routes.delete(RECEIPT_PATH)
async def delete_receipt(request: web.Request) -> web.Response:
    user_id = current_user(request)
    fuel_log_id = path_uuid(request, "id", "Fuel log")
    await remove_receipt(request.app[POOL], request.app[CACHE], request.app[SWEEPER], user_id, fuel_log_id)
    return web.Response(status=204)
