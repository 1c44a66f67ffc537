"""Vehicle image and documents: presigned uploads to the real S3 server, downloads, deletion, outages."""

import base64
import json

import aiohttp
import pytest

from shared.storage import ObjectStore
from shared.testing.infra import free_port
from shared.testing.waiting import eventually, until_ready

from .conftest import create_vehicle

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
DOCUMENT = {"documentType": "insurance", "title": "Policy 2026", "expiryDate": "2027-03-31",
            "contentType": "application/pdf", "fileName": "policy.pdf"}


async def post_form(upload: dict, content: bytes) -> int:
    """What a browser does with the presigned form: the policy fields, then the file, last."""
    form = aiohttp.FormData()
    for name, value in upload["fields"].items():
        form.add_field(name, value)
    form.add_field("file", content, filename="upload", content_type=upload["contentType"])
    async with aiohttp.ClientSession() as http, http.post(upload["url"], data=form) as response:
        return response.status


async def fetch(url: str) -> bytes:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        return await response.read()


def signed_policy(upload: dict) -> dict:
    return json.loads(base64.b64decode(upload["fields"]["policy"]))


def store_of(client) -> ObjectStore:
    return ObjectStore(client.settings.storage())


async def test_image_upload_download_and_delete(vehicles, identity):
    alice = identity("auth0|image")
    vehicle = await create_vehicle(vehicles, alice)
    path = f"/api/vehicles/{vehicle['id']}/image"
    assert (await vehicles.get(path, headers=alice)).status == 404  # no image yet

    started = await vehicles.post(path, json={"contentType": "image/png"}, headers=alice)
    assert started.status == 201
    upload = await started.json()
    assert upload["method"] == "POST" and upload["expiresIn"] == 900
    assert upload["maxBytes"] == vehicles.settings.image_max_bytes
    policy = signed_policy(upload)
    assert ["content-length-range", 1, vehicles.settings.image_max_bytes] in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert upload["fields"]["key"].startswith(f"vehicles/{vehicle['id']}/image/")

    assert (await vehicles.get(path, headers=alice)).status == 404  # started, not uploaded yet
    listed = await (await vehicles.get("/api/vehicles", headers=alice)).json()
    assert listed[0]["imageUrl"] == path  # the cached list saw the change

    assert await post_form(upload, PNG) in (200, 201, 204)
    redirect = await vehicles.get(path, headers=alice, allow_redirects=False)
    assert redirect.status == 302
    assert "X-Amz-Expires=300" in redirect.headers["Location"]
    assert await fetch(redirect.headers["Location"]) == PNG

    assert (await vehicles.delete(path, headers=alice)).status == 204
    assert (await vehicles.get(path, headers=alice)).status == 404
    assert (await (await vehicles.get(f"/api/vehicles/{vehicle['id']}", headers=alice)).json())["imageUrl"] is None
    assert (await vehicles.delete(path, headers=alice)).status == 404

    async def file_removed():
        return await store_of(vehicles).head(upload["fields"]["key"]) is None

    await eventually(file_removed)


async def test_a_new_image_replaces_the_old_file(vehicles, identity):
    alice = identity("auth0|replace")
    vehicle = await create_vehicle(vehicles, alice)
    path = f"/api/vehicles/{vehicle['id']}/image"
    first = await (await vehicles.post(path, json={"contentType": "image/jpeg"}, headers=alice)).json()
    await post_form(first, b"\xff\xd8\xff old")
    second = await (await vehicles.post(path, json={"contentType": "image/webp"}, headers=alice)).json()
    await post_form(second, b"RIFF new")
    assert await fetch((await vehicles.get(path, headers=alice, allow_redirects=False)).headers["Location"]) == b"RIFF new"

    async def old_file_removed():
        return await store_of(vehicles).head(first["fields"]["key"]) is None

    await eventually(old_file_removed)


@pytest.mark.parametrize("body", [{}, {"contentType": "image/gif"}, {"contentType": "application/pdf"}, {"contentType": 3}])
async def test_image_types_other_than_jpeg_png_webp_heic_are_400(vehicles, identity, body):
    alice = identity("auth0|gif")
    vehicle = await create_vehicle(vehicles, alice)
    response = await vehicles.post(f"/api/vehicles/{vehicle['id']}/image", json=body, headers=alice)
    assert response.status == 400
    assert "contentType" in {d["field"] for d in (await response.json())["details"]}


async def test_documents_create_list_get_delete(vehicles, identity):
    alice = identity("auth0|docs")
    vehicle = await create_vehicle(vehicles, alice)
    base = f"/api/vehicles/{vehicle['id']}/documents"
    created = await vehicles.post(base, json=DOCUMENT, headers=alice)
    assert created.status == 201
    document = await created.json()
    assert {k: document[k] for k in DOCUMENT} == DOCUMENT
    assert document["vehicleId"] == vehicle["id"] and document["userId"] == "auth0|docs"
    upload = document.pop("upload")
    assert ["content-length-range", 1, vehicles.settings.document_max_bytes] in signed_policy(upload)["conditions"]
    assert await post_form(upload, PDF) in (200, 201, 204)

    manual = await (await vehicles.post(base, json={"documentType": "manual", "title": "Owner's manual",
                                                    "contentType": "image/heic"}, headers=alice)).json()
    assert manual["expiryDate"] is None and manual["fileName"] is None

    listed = await (await vehicles.get(base, headers=alice)).json()
    assert [d["id"] for d in listed] == [document["id"], manual["id"]]
    assert listed[0] == document

    fetched = await (await vehicles.get(f"{base}/{document['id']}", headers=alice)).json()
    assert await fetch(fetched.pop("downloadUrl")) == PDF
    assert fetched.pop("downloadExpiresIn") == 300
    assert fetched == document

    assert (await vehicles.delete(f"{base}/{document['id']}", headers=alice)).status == 204
    assert (await vehicles.get(f"{base}/{document['id']}", headers=alice)).status == 404
    assert (await vehicles.delete(f"{base}/{document['id']}", headers=alice)).status == 404
    assert [d["id"] for d in await (await vehicles.get(base, headers=alice)).json()] == [manual["id"]]

    async def file_removed():
        return await store_of(vehicles).head(upload["fields"]["key"]) is None

    await eventually(file_removed)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"documentType": "tax"}, "documentType"),
        ({"expiryDate": "31/03/2027"}, "expiryDate"),
        ({"contentType": "text/html"}, "contentType"),
        ({"fileName": "x" * 300}, "fileName"),
    ],
)
async def test_invalid_document_is_400(vehicles, identity, change, field):
    alice = identity("auth0|bad-doc")
    vehicle = await create_vehicle(vehicles, alice)
    response = await vehicles.post(f"/api/vehicles/{vehicle['id']}/documents", json=DOCUMENT | change, headers=alice)
    assert response.status == 400
    assert field in {d["field"] for d in (await response.json())["details"]}


async def test_another_users_image_and_documents_are_404(vehicles, identity):
    owner = identity("auth0|file-owner")
    vehicle = await create_vehicle(vehicles, owner)
    image = f"/api/vehicles/{vehicle['id']}/image"
    upload = await (await vehicles.post(image, json={"contentType": "image/png"}, headers=owner)).json()
    await post_form(upload, PNG)
    docs = f"/api/vehicles/{vehicle['id']}/documents"
    document = await (await vehicles.post(docs, json=DOCUMENT, headers=owner)).json()

    mallory = identity("auth0|file-thief")
    mallorys = await create_vehicle(vehicles, mallory, licensePlate="M-1")
    responses = [
        await vehicles.post(image, json={"contentType": "image/png"}, headers=mallory),
        await vehicles.get(image, headers=mallory, allow_redirects=False),
        await vehicles.delete(image, headers=mallory),
        await vehicles.post(docs, json=DOCUMENT, headers=mallory),
        await vehicles.get(docs, headers=mallory),
        await vehicles.get(f"{docs}/{document['id']}", headers=mallory),
        await vehicles.delete(f"{docs}/{document['id']}", headers=mallory),
        # Her own vehicle's path does not reach the owner's document either.
        await vehicles.get(f"/api/vehicles/{mallorys['id']}/documents/{document['id']}", headers=mallory),
        await vehicles.delete(f"/api/vehicles/{mallorys['id']}/documents/{document['id']}", headers=mallory),
        await vehicles.get(f"{docs}/not-a-uuid", headers=owner),
    ]
    assert [r.status for r in responses] == [404] * len(responses)
    assert (await vehicles.get(image, headers=owner, allow_redirects=False)).status == 302
    assert (await vehicles.get(f"{docs}/{document['id']}", headers=owner)).status == 200


async def test_deleting_a_vehicle_removes_its_files(vehicles, identity):
    alice = identity("auth0|cascade")
    vehicle = await create_vehicle(vehicles, alice)
    image = await (await vehicles.post(f"/api/vehicles/{vehicle['id']}/image", json={"contentType": "image/png"},
                                       headers=alice)).json()
    document = await (await vehicles.post(f"/api/vehicles/{vehicle['id']}/documents", json=DOCUMENT,
                                          headers=alice)).json()
    keys = [image["fields"]["key"], document["upload"]["fields"]["key"]]
    await post_form(image, PNG)
    await post_form(document["upload"], PDF)
    store = store_of(vehicles)
    assert all([await store.head(key) for key in keys])

    assert (await vehicles.delete(f"/api/vehicles/{vehicle['id']}", headers=alice)).status == 204
    assert (await vehicles.get(f"/api/vehicles/{vehicle['id']}/documents", headers=alice)).status == 404

    async def files_removed():
        return all([await store.head(key) is None for key in keys])

    await eventually(files_removed)


async def test_storage_down_vehicles_work_uploads_answer_503(start_vehicles, identity):
    vehicles = await start_vehicles(s3_endpoint_url=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    alice = identity("auth0|no-storage")
    vehicle = await create_vehicle(vehicles, alice)
    assert (await vehicles.get("/api/vehicles", headers=alice)).status == 200
    for path, body in [(f"/api/vehicles/{vehicle['id']}/image", {"contentType": "image/png"}),
                       (f"/api/vehicles/{vehicle['id']}/documents", DOCUMENT)]:
        response = await vehicles.post(path, json=body, headers=alice)
        assert response.status == 503
        error = await response.json()
        assert error["statusCode"] == 503 and error["error"] == "Service Unavailable"
        assert error["message"] and error["requestId"] == response.headers["X-Request-Id"]
    assert await (await vehicles.get(f"/api/vehicles/{vehicle['id']}/documents", headers=alice)).json() == []
    assert (await vehicles.delete(f"/api/vehicles/{vehicle['id']}", headers=alice)).status == 204


async def test_adding_and_deleting_a_document_emits_its_events(start_vehicles, identity, event_tap, infra):
    """Notifications learns documents and their expiry dates from these (docs/events.md)."""
    exchange = infra.new_exchange()
    seen = await event_tap(exchange, "vehicle.document_added.v1", "vehicle.document_removed.v1")
    vehicles = await start_vehicles(events_exchange=exchange)
    await until_ready(vehicles)
    alice = identity("auth0|doc-events")
    vehicle = await create_vehicle(vehicles, alice)
    base = f"/api/vehicles/{vehicle['id']}/documents"
    document = await (await vehicles.post(base, json=DOCUMENT, headers=alice)).json()
    assert (await vehicles.delete(f"{base}/{document['id']}", headers=alice)).status == 204

    async def both_events():
        return len(seen) == 2

    await eventually(both_events)
    assert [e.routing_key for e in seen] == ["vehicle.document_added.v1", "vehicle.document_removed.v1"]
    assert all(e.user_id == "auth0|doc-events" for e in seen)
    assert seen[0].data == {"vehicleId": vehicle["id"], "documentId": document["id"], "title": "Policy 2026",
                            "kind": "insurance", "expiresOn": "2027-03-31"}
    assert seen[1].data == {"vehicleId": vehicle["id"], "documentId": document["id"]}
