"""The vehicles part of the account export: NDJSON lines from one snapshot, with presigned files."""

import json

from .conftest import create_vehicle
from .test_files import DOCUMENT, PDF, PNG, fetch, post_form


def parsed(body: bytes) -> list[dict]:
    return [json.loads(line) for line in body.decode().splitlines()]


async def test_export_lists_vehicles_documents_and_files_of_the_caller_only(vehicles, identity):
    alice, bob = identity("auth0|alice"), identity("auth0|bob")
    first = await create_vehicle(vehicles, alice, vin="1HGCM82633A004352", nickname="Daily")
    second = await create_vehicle(vehicles, alice, licensePlate="AB-123", nickname="Spare")
    await create_vehicle(vehicles, bob, licensePlate="BOB-1")
    gone = await create_vehicle(vehicles, alice, licensePlate="GONE")
    assert (await vehicles.delete(f"/api/vehicles/{gone['id']}", headers=alice)).status == 204
    image = await (await vehicles.post(f"/api/vehicles/{first['id']}/image", json={"contentType": "image/png"},
                                       headers=alice)).json()
    assert await post_form(image, PNG) in (200, 201, 204)
    document = await (await vehicles.post(f"/api/vehicles/{second['id']}/documents", json=DOCUMENT,
                                          headers=alice)).json()
    assert await post_form(document["upload"], PDF) in (200, 201, 204)

    response = await vehicles.get("/api/vehicles/export", headers=alice)
    assert response.status == 200, await response.text()
    assert response.content_type == "application/x-ndjson"
    lines = parsed(await response.read())

    assert lines[0]["kind"] == "schema" and [k["name"] for k in lines[0]["kinds"]] == ["vehicle", "document"]
    listed = await (await vehicles.get("/api/vehicles", headers=alice)).json()
    exported = [line["record"] for line in lines if line["kind"] == "vehicle"]
    assert sorted(exported, key=lambda v: v["id"]) == sorted(listed, key=lambda v: v["id"])
    columns = lines[0]["kinds"][0]["columns"]
    assert [line["csv"] for line in lines if line["kind"] == "vehicle"][0] == [exported[0][c] for c in columns]
    documents = [line["record"] for line in lines if line["kind"] == "document"]
    assert [d["id"] for d in documents] == [document["id"]]
    files = {line["of"]["kind"]: line for line in lines if line["kind"] == "file"}
    assert files["vehicle"]["path"] == f"vehicles/{first['id']}/image.png"
    assert await fetch(files["vehicle"]["url"]) == PNG
    assert await fetch(files["document"]["url"]) == PDF
    assert lines[-1] == {"kind": "end", "counts": {"vehicle": 2, "document": 1, "file": 2}}


async def test_export_without_identity_is_401(vehicles):
    assert (await vehicles.get("/api/vehicles/export")).status == 401
