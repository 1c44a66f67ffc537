"""The steps of the edge's forward pipeline, each on its own (no server, no Redis)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict

from services.edge.auth import CLAIMS_KEY
from services.edge.proxy import check_route_permissions, identified_user
from services.edge.relay import COMPRESS_MIN_BYTES, should_compress
from services.edge.request_body import request_body
from services.edge.routing import Route
from shared.http.errors import Forbidden, PayloadTooLarge, Unauthorized
from shared.http.middleware import USER_ID_KEY

pytestmark = pytest.mark.pure

UNREAD_BODY = object()  # a body the step must refuse without reading
VEHICLES = Route("vehicles", "/api/vehicles", versions={},
                 permissions={"DELETE": frozenset({"delete:vehicles"})})


def request(method: str = "GET", path: str = "/api/vehicles", user: str | None = None, **kwargs):
    made = make_mocked_request(method, path, **kwargs)
    if user is not None:
        made[USER_ID_KEY] = user
    return made


def test_a_private_path_is_never_forwarded_anonymously():
    with pytest.raises(Unauthorized):
        identified_user(request())
    assert identified_user(request(user="auth0|alice")) == "auth0|alice"


def test_a_public_path_goes_on_without_a_user():
    assert identified_user(request(path="/api/stations/photo-signed/abc")) is None
    assert identified_user(request(path="/api/notifications/calendar/feed/motovault.ics")) is None


def test_a_route_permission_is_required_of_token_bearers_only():
    deleting = request("DELETE", "/api/vehicles/1", user="auth0|alice")
    deleting[CLAIMS_KEY] = {"permissions": ["read:vehicles"]}
    with pytest.raises(Forbidden):
        check_route_permissions(deleting, VEHICLES, "auth0|alice")
    deleting[CLAIMS_KEY] = {"permissions": ["delete:vehicles"]}
    check_route_permissions(deleting, VEHICLES, "auth0|alice")
    check_route_permissions(request("GET", "/api/vehicles", user="auth0|alice"), VEHICLES, "auth0|alice")


async def test_a_declared_length_over_the_limit_is_refused_before_reading():
    too_big = request("POST", headers=CIMultiDict({"Content-Length": "2048"}), payload=UNREAD_BODY)
    with pytest.raises(PayloadTooLarge):
        await request_body(too_big, max_bytes=1024)


async def test_a_bodiless_request_sends_no_body():
    assert await request_body(request("GET"), max_bytes=1024) == (None, None)


def test_only_sizeable_uncompressed_json_is_worth_compressing():
    json_headers = {"Content-Type": "application/json", "Content-Length": str(COMPRESS_MIN_BYTES)}
    assert should_compress(CIMultiDict(json_headers))
    assert not should_compress(CIMultiDict({**json_headers, "Content-Length": "10"}))
    assert not should_compress(CIMultiDict({**json_headers, "Content-Encoding": "gzip"}))
    assert not should_compress(CIMultiDict({"Content-Type": "image/png"}))
