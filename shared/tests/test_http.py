"""The platform's HTTP contract: error shape, limits, request ids, identity, probes."""

from shared.identity import ASSERTION_HEADER, IdentitySigner


def assert_error_shape(body: dict, status: int) -> None:
    assert body["statusCode"] == status
    assert set(body) >= {"statusCode", "error", "message", "requestId"}
    assert "Traceback" not in body["message"]


async def test_malformed_json_is_400_in_error_shape(probe, identity):
    response = await probe.post(
        "/things", data=b"{not json", headers={**identity("u1"), "Content-Type": "application/json"}
    )
    assert response.status == 400
    assert_error_shape(await response.json(), 400)


async def test_invalid_fields_are_400_with_field_details(probe, identity):
    response = await probe.post("/things", json={"name": "", "size": "big"}, headers=identity("u1"))
    body = await response.json()
    assert response.status == 400
    assert {d["field"] for d in body["details"]} == {"name", "size"}


async def test_a_nul_character_in_text_is_400_naming_the_field(probe, identity):
    # PostgreSQL's text cannot hold U+0000: found by the fuzzer as a 500 (tests/fuzz).
    response = await probe.post("/things", json={"name": "a\u0000b"}, headers=identity("u1"))
    assert response.status == 400, await response.text()
    body = await response.json()
    assert_error_shape(body, 400)
    assert [(d["field"], d["type"]) for d in body["details"]] == [("name", "string_nul")]


async def test_wrong_content_type_is_415(probe, identity):
    response = await probe.post("/things", data=b"name=x", headers={**identity("u1"), "Content-Type": "text/plain"})
    assert response.status == 415
    assert_error_shape(await response.json(), 415)


async def test_oversized_body_is_413(probe_settings, serve, identity):
    from shared.tests.probe import create_probe_app

    client = await serve(create_probe_app(await probe_settings(max_body_bytes=1024)))
    response = await client.post("/things", json={"name": "x" * 5000}, headers=identity("u1"))
    assert response.status == 413
    assert_error_shape(await response.json(), 413)


async def test_unknown_route_is_404_and_wrong_method_405(probe, identity):
    missing = await probe.get("/nowhere", headers=identity("u1"))
    assert missing.status == 404
    assert_error_shape(await missing.json(), 404)
    wrong_method = await probe.delete("/things", headers=identity("u1"))
    assert wrong_method.status == 405
    assert_error_shape(await wrong_method.json(), 405)


async def test_domain_errors_answer_in_the_error_shape(probe, identity):
    answers = {kind: await probe.get(f"/domain-error/{kind}", headers=identity("u1"))
               for kind in ("missing", "taken", "invalid", "down")}
    assert {kind: r.status for kind, r in answers.items()} == {
        "missing": 404, "taken": 409, "invalid": 400, "down": 503}
    for kind, response in answers.items():
        assert_error_shape(await response.json(), response.status)
    invalid = await answers["invalid"].json()
    assert invalid["details"] == [{"field": "name", "message": "Must not be a number", "type": "value_error"}]
    assert (await answers["missing"].json())["message"] == "Thing not found"
    assert answers["down"].headers["Retry-After"] == "7"


async def test_unexpected_exception_is_500_without_trace(probe, identity):
    response = await probe.get("/boom", headers=identity("u1"))
    body = await response.json()
    assert response.status == 500
    assert "secret internal detail" not in await response.text()
    assert_error_shape(body, 500)


async def test_request_without_edge_assertion_is_401(probe):
    response = await probe.post("/things", json={"name": "x"}, headers={"X-User-Id": "auth0|mallory"})
    assert response.status == 401
    assert_error_shape(await response.json(), 401)


async def test_assertion_signed_with_another_secret_is_401(probe):
    forged = IdentitySigner("not-the-shared-secret-but-long-enough-0000").sign("auth0|mallory")
    response = await probe.post("/things", json={"name": "x"}, headers={ASSERTION_HEADER: forged})
    assert response.status == 401


async def test_expired_assertion_is_401(probe):
    from shared.testing.infra import IDENTITY_SECRET

    expired = IdentitySigner(IDENTITY_SECRET, ttl_seconds=-60).sign("auth0|alice")
    response = await probe.post("/things", json={"name": "x"}, headers={ASSERTION_HEADER: expired})
    assert response.status == 401


async def test_request_id_is_kept_or_created(probe, identity):
    kept = await probe.get("/nowhere", headers={**identity("u1"), "X-Request-Id": "abc-123"})
    assert kept.headers["X-Request-Id"] == "abc-123"
    assert (await kept.json())["requestId"] == "abc-123"
    created = await probe.get("/nowhere", headers={**identity("u1"), "X-Request-Id": "bad id\twith spaces"})
    assert created.headers["X-Request-Id"] not in ("", "bad id\twith spaces")


async def test_probes_and_metrics_need_no_identity(probe):
    assert (await probe.get("/health")).status == 200
    ready = await probe.get("/ready")
    assert ready.status == 200
    assert (await ready.json())["checks"] == {"database": "ok", "redis": "ok", "broker": "ok"}
    metrics = await (await probe.get("/metrics")).text()
    assert "http_requests_total" in metrics


async def test_ready_is_503_when_a_dependency_is_down(probe_settings, serve):
    from shared.tests.probe import create_probe_app

    client = await serve(create_probe_app(await probe_settings(redis_url="redis://127.0.0.1:1/0")))
    response = await client.get("/ready")
    body = await response.json()
    assert response.status == 503
    assert body["checks"]["redis"].startswith("unavailable")
    assert body["checks"]["database"] == "ok"


async def test_streamed_response_carries_the_request_id_and_a_late_error_cuts_the_connection(serve, identity):
    import aiohttp
    from aiohttp import web

    from shared.http.app import base_app
    from shared.settings import ServiceSettings
    from shared.testing.infra import IDENTITY_SECRET

    async def stream(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        await response.write(b"partial")
        if request.query.get("fail"):
            raise RuntimeError("upstream died mid-body")
        await response.write_eof()
        return response

    app = base_app("streamer", ServiceSettings(port=1, identity_secret=IDENTITY_SECRET))
    app.router.add_get("/stream", stream)
    client = await serve(app)
    ok = await client.get("/stream", headers={**identity("u1"), "X-Request-Id": "rid-7"})
    assert ok.headers["X-Request-Id"] == "rid-7" and await ok.read() == b"partial"
    broken = await client.get("/stream?fail=1", headers=identity("u1"))
    try:
        body = await broken.read()
    except aiohttp.ClientPayloadError:
        body = None
    assert body is None or b"statusCode" not in body  # no second response glued onto the stream


async def test_an_oversized_header_is_a_400_logged_as_the_clients_mistake(probe, caplog):
    import logging

    from shared.logs import quiet_client_mistakes

    quiet_client_mistakes()
    with caplog.at_level(logging.DEBUG, logger="aiohttp.server"):
        response = await probe.get("/health", headers={"Authorization": "Bearer " + "x" * 65_536})
    assert response.status == 400
    server_records = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert server_records, "aiohttp said nothing about the refused request"
    assert all(r.levelno < logging.WARNING and r.exc_info is None for r in server_records)
    assert "LineTooLong" in server_records[0].getMessage()


async def test_a_value_of_the_wrong_json_type_is_a_400_naming_the_field(probe, identity):
    cases = [({"name": "x", "size": "3"}, "size"), ({"name": "x", "size": True}, "size"), ({"name": 5}, "name")]
    for wrong, field in cases:
        response = await probe.post("/things", json=wrong, headers=identity("u1"))
        body = await response.json()
        assert response.status == 400, wrong
        assert [d["field"] for d in body["details"]] == [field]
    assert (await probe.post("/things", json={"name": "x", "size": 3}, headers=identity("u1"))).status == 201
