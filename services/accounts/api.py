"""HTTP handlers of the accounts service: parse the request, call a use case, answer."""

from __future__ import annotations

from aiohttp import web

from shared.db import POOL
from shared.http.app import SETTINGS
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.openapi import documented, link

from . import use_cases
from .domain.deletion import DeletionStatus

routes = web.RouteTableDef()

STATUS_PATH = "/api/account/deletion"
STATUS_LINKS = {"DeletionStatus": link("accounts.deletion_status")}


@routes.delete("/api/account")
@documented(
    summary="Delete my account: every service removes my data and stored files",
    description="Answers 202 at once with the deletion's status, which `GET /api/account/deletion` "
                "follows until every service has confirmed. While a deletion is pending, asking again "
                "answers the same deletion; after it completed, asking again starts a new one.",
    responses={202: DeletionStatus}, links={202: STATUS_LINKS},
)
async def delete_account(request: web.Request) -> web.Response:
    requested = await use_cases.request_deletion(
        request.app[POOL], current_user(request), request.app[SETTINGS].services)
    return json_response(requested.status, status=202, headers={"Location": STATUS_PATH})


@routes.get(STATUS_PATH)
@documented(summary="The status of my account's latest deletion",
            responses={200: DeletionStatus, 404: "No deletion was requested"})
async def deletion_status(request: web.Request) -> web.Response:
    status = await use_cases.deletion_progress(request.app[POOL], current_user(request))
    return json_response(status, headers={"Cache-Control": "no-store"})
