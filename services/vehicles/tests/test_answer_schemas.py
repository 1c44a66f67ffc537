"""Every answer the vehicles service documents a schema for matches it (issue 14): real answers,
from the service on a real socket, held to the schemas of its own /openapi.json, with no property
the schema does not list (shared/testing/answer_schemas.py). Answers are made with their nullable
fields both set and null, so a retyped field fails whichever way it is filled."""

from __future__ import annotations

from shared.testing.answer_schemas import AnswerSchemas
from shared.testing.standin import Reply

from .conftest import DECODE_ROUTE
from .odometer_helpers import apply, day, fill_up_event
from .test_files import PDF, PNG, post_form

FOREIGN_VIN = "WBA3A5C51CF256987"  # its check digit does not calculate: the answer carries a warning
EVERY_FIELD = {"vin": FOREIGN_VIN, "year": 2012, "make": "BMW", "model": "328i", "engine": "2.0L I4",
               "transmission": "Automatic", "trimLevel": "Sport", "driveType": "RWD", "fuelType": "gasoline",
               "nickname": "Blue", "color": "Blue", "licensePlate": "SCH 1", "odometerReading": 42000}


async def test_every_documented_answer_matches_its_schema(vehicles, vpic, identity):
    answers = await AnswerSchemas.of(vehicles)
    user = "auth0|answer-schemas"
    headers = identity(user)

    full = await answers.check(await vehicles.post("/api/vehicles", json=EVERY_FIELD, headers=headers))
    assert full["warnings"] and full["year"] == 2012
    sparse = await answers.check(await vehicles.post("/api/vehicles", json={"licensePlate": "SCH 2"}, headers=headers))
    assert sparse["vin"] is None and sparse["warnings"] == []

    await file_answers(answers, vehicles, headers, full["id"])
    await answers.check(await vehicles.put(f"/api/vehicles/{sparse['id']}", json={"color": "Red"}, headers=headers))
    fetched = await answers.check(await vehicles.get(f"/api/vehicles/{full['id']}", headers=headers))
    assert fetched["imageUrl"] is not None  # an image was uploaded: the string form is checked too
    listed = await answers.check(await vehicles.get("/api/vehicles", headers=headers))
    assert len(listed) == 2
    await answers.check(await vehicles.get("/api/vehicles?limit=1", headers=headers))

    await odometer_answers(answers, vehicles, headers, user, full["id"])

    decoded = await answers.check(await vehicles.post("/api/vehicles/decode-vin", json={"vin": "3VV3B7AXXNM077525"},
                                                      headers=headers))
    assert decoded["source"] == "vpic" and "trimLevel" in decoded
    vpic.routes[DECODE_ROUTE] = Reply(status=500)
    offline = await answers.check(await vehicles.post("/api/vehicles/decode-vin", json={"vin": FOREIGN_VIN},
                                                      headers=headers))
    assert offline["source"] == "offline" and "make" not in offline  # left out, not null

    assert answers.unchecked() == set()


async def file_answers(answers: AnswerSchemas, vehicles, headers, vehicle_id: str) -> None:
    image = await answers.check(await vehicles.post(f"/api/vehicles/{vehicle_id}/image",
                                                    json={"contentType": "image/png"}, headers=headers))
    assert await post_form(image, PNG) in (200, 201, 204)

    documents = f"/api/vehicles/{vehicle_id}/documents"
    full = {"documentType": "insurance", "title": "Policy", "expiryDate": "2027-03-31",
            "contentType": "application/pdf", "fileName": "policy.pdf"}
    document = await answers.check(await vehicles.post(documents, json=full, headers=headers))
    assert await post_form(document["upload"], PDF) in (200, 201, 204)
    bare = {"documentType": "other", "title": "Note", "contentType": "image/png"}
    await answers.check(await vehicles.post(documents, json=bare, headers=headers))
    listed = await answers.check(await vehicles.get(documents, headers=headers))
    assert {d["expiryDate"] for d in listed} == {"2027-03-31", None}
    await answers.check(await vehicles.get(f"{documents}/{document['id']}", headers=headers))


async def odometer_answers(answers: AnswerSchemas, vehicles, headers, user: str, vehicle_id: str) -> None:
    """The log with each kind of entry: the initial reading, a fill-up's (with its time and
    source), manual ones with and without a time."""
    await apply(vehicles, fill_up_event("created", vehicle_id, user, 42100, day(-2)))
    log = f"/api/vehicles/{vehicle_id}/odometer"
    manual = await answers.check(await vehicles.post(log, json={"reading": 42200, "note": "service"}, headers=headers))
    assert manual["source"] == "manual" and manual["dateTime"] is not None  # undated: taken now
    dated = {"reading": 42150, "date": day(-1).isoformat()}
    assert (await answers.check(await vehicles.post(log, json=dated, headers=headers)))["dateTime"] is None
    entries = await answers.check(await vehicles.get(log, headers=headers))
    assert {entry["source"] for entry in entries} == {"initial", "fill_up", "manual"}
