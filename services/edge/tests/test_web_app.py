"""The web app at /: files of a build folder, cache headers, client-route fallback, its own CSP,
/api left as it was, and a missing build answered with how to build it."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import pytest

from services.edge.web_app import BUILD_HINT, content_security_policy

INDEX = b"<!doctype html><title>MotoVault</title><div id=root></div>"
SCRIPT = b"console.log('app')"


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A build folder shaped like web/dist after `npm run build`."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "assets" / "index-3f9a1c.js").write_bytes(SCRIPT)
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (root / "icon-192.png").write_bytes(b"\x89PNG icon")
    (tmp_path / "secret.txt").write_text("outside the build")
    return root


async def test_index_and_hashed_assets_with_their_cache_headers(edge, build):
    client, _ = await edge(web_root=str(build))
    index = await client.get("/")
    assert index.status == 200 and await index.read() == INDEX
    assert index.headers["Content-Type"].startswith("text/html")
    assert index.headers["Cache-Control"] == "no-cache"
    asset = await client.get("/assets/index-3f9a1c.js")
    assert asset.status == 200 and await asset.read() == SCRIPT
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    worker = await client.get("/sw.js")
    assert worker.status == 200 and worker.headers["Cache-Control"] == "no-cache"
    icon = await client.get("/icon-192.png")
    assert icon.status == 200 and "immutable" not in icon.headers["Cache-Control"]


async def test_a_precompressed_sibling_is_sent_to_browsers_that_accept_gzip(edge, build):
    (build / "assets" / "index-3f9a1c.js.gz").write_bytes(gzip.compress(SCRIPT))
    client, _ = await edge(web_root=str(build))
    compressed = await client.get("/assets/index-3f9a1c.js", headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert await compressed.read() == SCRIPT  # decoded by the client
    assert compressed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = await client.get("/assets/index-3f9a1c.js", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and await plain.read() == SCRIPT


async def test_client_routes_fall_back_to_index_html(edge, build):
    client, _ = await edge(web_root=str(build))
    for path in ("/garage", "/vehicles/1d6e/fuel", "/stations?near=here"):
        response = await client.get(path)
        assert response.status == 200, path
        assert await response.read() == INDEX
        assert response.headers["Cache-Control"] == "no-cache"


async def test_a_missing_file_is_a_404_not_the_index(edge, build):
    client, _ = await edge(web_root=str(build))
    for path in ("/assets/gone-123.js", "/icon-1024.png", "/dev/.well-known/jwks.json"):
        response = await client.get(path)
        assert response.status == 404, path
        assert (await response.json())["statusCode"] == 404


async def test_no_file_outside_the_build_folder(edge, build):
    client, _ = await edge(web_root=str(build))
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"):
        response = await client.get(path)
        assert b"outside the build" not in await response.read(), path


async def test_static_files_need_no_token_and_api_keeps_its_answers(edge, build, issuer):
    client, upstream = await edge(web_root=str(build))
    assert (await client.get("/")).status == 200  # no Authorization header at all
    refused = await client.get("/api/vehicles")
    assert refused.status == 401
    auth = {"Authorization": f"Bearer {issuer.token()}"}
    proxied = await client.get("/api/vehicles", headers=auth)
    assert proxied.status == 200 and len(upstream.requests) == 1
    unknown = await client.get("/api/nothing-here", headers=auth)
    assert unknown.status == 404 and (await unknown.json())["message"] == "Route not found"
    wrong_method = await client.post("/garage")
    assert wrong_method.status in (404, 405) and (await wrong_method.json())["statusCode"] == wrong_method.status


async def test_the_app_has_its_own_csp_and_the_api_keeps_default_src_none(edge, build, issuer):
    client, _ = await edge(web_root=str(build), web_storage_url="http://127.0.0.1:9000/")
    policy = (await client.get("/")).headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "img-src 'self' blob: data: http://127.0.0.1:9000" in policy
    assert "connect-src 'self' http://127.0.0.1:9000" in policy
    assert "frame-ancestors 'none'" in policy
    api = await client.get("/api/health")
    assert api.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert (await client.get("/")).headers["X-Content-Type-Options"] == "nosniff"  # helmet still applies


def test_without_a_storage_url_the_policy_names_no_other_origin():
    policy = content_security_policy(None)
    assert "http" not in policy
    assert "connect-src 'self';" in policy


async def test_app_config_says_which_sign_in_and_whether_the_assistant_is_on(edge, build):
    client, _ = await edge(web_root=str(build))
    config = await client.get("/app-config.json")
    assert config.status == 200 and config.headers["Cache-Control"] == "no-cache"
    assert await config.json() == {"signIn": "dev", "assistant": False}
    client, _ = await edge(web_root=str(build), anthropic_api_key="sk-test")
    assert (await (await client.get("/app-config.json")).json())["assistant"] is True


async def test_a_missing_build_is_a_clear_503_and_one_log_line(edge, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="motovault.edge.web_app"):
        client, _ = await edge(web_root=str(tmp_path / "not-built"))
    assert [r.message for r in caplog.records if "No web app build" in r.message]
    for path in ("/", "/garage"):
        response = await client.get(path)
        assert response.status == 503, path
        assert BUILD_HINT in await response.text()
    assert (await client.get("/api/health")).status == 200
