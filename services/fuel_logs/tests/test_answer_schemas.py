"""Every answer the fuel logs service documents a schema for matches it (issue 14): real answers,
from the service on a real socket, held to the schemas of its own /openapi.json, with no property
the schema does not list (shared/testing/answer_schemas.py). Nullable figures are answered both
set and null (an economy figure, an odometer reading, a station), so a retyped field fails either way."""

from __future__ import annotations

from pathlib import Path

from shared.testing.answer_schemas import AnswerSchemas

from .conftest import new_vehicle
from .test_receipts_and_deletion import upload_receipt

IMPORT_SAMPLE = Path(__file__).parents[3] / "shared" / "tests" / "fixtures" / "imports" / "fuelly_fuelups.csv"
FIRST = {"dateTime": "2026-05-01T08:00:00+00:00", "odometerReading": 1000, "fuelUnits": 10, "costPerUnit": 3.5,
         "fuelGrade": "91", "locationData": {"placeId": "ChIJ-station", "name": "Shell"}, "notes": "first"}
SECOND = {"dateTime": "2026-05-08T08:00:00+00:00", "odometerReading": 1300, "fuelUnits": 10, "costPerUnit": 3.6}
BY_TRIP = {"dateTime": "2026-05-15T08:00:00+00:00", "tripDistance": 250, "fuelUnits": 9, "costPerUnit": 3.7}


async def test_every_documented_answer_matches_its_schema(fuel_logs, identity):
    answers = await AnswerSchemas.of(fuel_logs)
    user = "auth0|answer-schemas"
    headers = identity(user)
    vehicle_id = await new_vehicle(fuel_logs, user)

    async def record(fill_up: dict) -> dict:
        return await answers.check(await fuel_logs.post("/api/fuel-logs", json={**fill_up, "vehicleId": vehicle_id},
                                                        headers=headers))

    first = await record(FIRST)
    assert first["efficiency"] is None and first["locationData"] is not None
    second = await record(SECOND)
    assert second["efficiency"] is not None and second["fuelGrade"] is None
    assert (await record(BY_TRIP))["odometerReading"] is None

    await answers.check(await fuel_logs.get(f"/api/fuel-logs/{second['id']}?units=metric", headers=headers))
    await answers.check(await fuel_logs.put(f"/api/fuel-logs/{second['id']}", json={"notes": "fixed"}, headers=headers))
    assert len(await answers.check(await fuel_logs.get("/api/fuel-logs", headers=headers))) == 3
    await answers.check(await fuel_logs.get("/api/fuel-logs?limit=1", headers=headers))
    await answers.check(await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}?units=uk", headers=headers))

    stats = await answers.check(await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}/stats", headers=headers))
    assert stats["monthly"] and stats["averageEfficiency"] is not None
    no_fill_ups = await new_vehicle(fuel_logs, user)
    empty = await answers.check(await fuel_logs.get(f"/api/fuel-logs/vehicle/{no_fill_ups}/stats", headers=headers))
    assert empty["averageCostPerUnit"] is None and empty["monthly"] == []

    await receipt_answers(answers, fuel_logs, headers, first["id"])
    await import_answers(answers, fuel_logs, headers, await new_vehicle(fuel_logs, user))

    assert answers.unchecked() == set()


async def receipt_answers(answers: AnswerSchemas, fuel_logs, headers, fill_up_id: str) -> None:
    # Checked through the upload helper's own request, then the download link once it is stored.
    started = await fuel_logs.post(f"/api/fuel-logs/{fill_up_id}/receipt", json={"contentType": "image/png"},
                                   headers=headers)
    await answers.check(started)
    await upload_receipt(fuel_logs, headers, fill_up_id)
    await answers.check(await fuel_logs.get(f"/api/fuel-logs/{fill_up_id}/receipt", headers=headers))


async def import_answers(answers: AnswerSchemas, fuel_logs, headers, vehicle_id: str) -> None:
    path, text = f"/api/fuel-logs/vehicle/{vehicle_id}/import", IMPORT_SAMPLE.read_bytes()
    csv = {**headers, "Content-Type": "text/csv"}
    dry = await answers.check(await fuel_logs.post(path + "?dryRun=true", data=text, headers=csv))
    assert "fuelLogIds" not in dry
    imported = await answers.check(await fuel_logs.post(path, data=text, headers=csv))
    assert imported["fuelLogIds"]
