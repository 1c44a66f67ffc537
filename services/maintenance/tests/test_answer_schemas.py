"""Every answer the maintenance service documents a schema for matches it (issue 14): real answers,
from the service on a real socket, held to the schemas of its own /openapi.json, with no property
the schema does not list (shared/testing/answer_schemas.py). Records and schedules are answered
with their optional fields both given and not, and the upcoming view with an overdue schedule (its
urgency, trigger and announcement set) beside one that is not urgent (they are null)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared.testing.answer_schemas import AnswerSchemas

IMPORT_SAMPLE = Path(__file__).parents[3] / "shared" / "tests" / "fixtures" / "imports" / "fuelly_services.csv"
USER = "auth0|answer-schemas"
OIL = {"category": "routine_maintenance", "subtypes": ["Engine Oil"]}


def days_ago(days: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=days)).isoformat()


async def test_every_documented_answer_matches_its_schema(maintenance, identity, vehicle):
    answers = await AnswerSchemas.of(maintenance)
    headers = identity(USER)
    vehicle_id = await vehicle(USER, odometer=40000)

    await answers.check(await maintenance.get("/api/maintenance/subtypes/repair", headers=headers))
    await record_answers(answers, maintenance, headers, vehicle_id)
    await schedule_answers(answers, maintenance, headers, vehicle_id)

    path, text = f"/api/maintenance/records/vehicle/{await vehicle(USER)}/import", IMPORT_SAMPLE.read_bytes()
    csv = {**headers, "Content-Type": "text/csv"}
    assert "recordIds" not in await answers.check(await maintenance.post(path + "?dryRun=true", data=text, headers=csv))
    assert (await answers.check(await maintenance.post(path, data=text, headers=csv)))["recordIds"]

    assert answers.unchecked() == set()


async def record_answers(answers: AnswerSchemas, maintenance, headers, vehicle_id: str) -> None:
    records = "/api/maintenance/records"
    full = {**OIL, "vehicleId": vehicle_id, "date": days_ago(30), "odometerReading": 39000, "cost": "59.90",
            "shopName": "Corner Garage", "notes": "synthetic"}
    record = await answers.check(await maintenance.post(records, json=full, headers=headers))
    bare = {"vehicleId": vehicle_id, "category": "repair", "subtypes": ["Engine"], "date": days_ago(10)}
    assert (await answers.check(await maintenance.post(records, json=bare, headers=headers)))["cost"] is None
    await answers.check(await maintenance.put(f"{records}/{record['id']}", json={"notes": None}, headers=headers))
    await answers.check(await maintenance.get(f"{records}/{record['id']}?units=metric", headers=headers))
    assert len(await answers.check(await maintenance.get(records, headers=headers))) == 2
    await answers.check(await maintenance.get(f"{records}?vehicleId={vehicle_id}&limit=1", headers=headers))
    await answers.check(await maintenance.get(f"{records}/vehicle/{vehicle_id}", headers=headers))


async def schedule_answers(answers: AnswerSchemas, maintenance, headers, vehicle_id: str) -> None:
    schedules = "/api/maintenance/schedules"
    overdue = {**OIL, "vehicleId": vehicle_id, "intervalMonths": 6, "intervalDistance": 5000, "fixedIntervals": True,
               "lastServiceDate": days_ago(365), "lastServiceOdometer": 30000, "veryUrgentDays": 10,
               "urgentDays": 45, "veryUrgentDistance": 100, "urgentDistance": 300, "notes": "every 6 months"}
    late = await answers.check(await maintenance.post(schedules, json=overdue, headers=headers))
    tyres = {"vehicleId": vehicle_id, "category": "routine_maintenance", "subtypes": ["Tires"], "intervalMonths": 60}
    fresh = await answers.check(await maintenance.post(schedules, json=tyres, headers=headers))
    assert fresh["lastServiceDate"] is None and fresh["intervalDistance"] is None

    upcoming = await answers.check(await maintenance.get(f"/api/maintenance/upcoming/{vehicle_id}", headers=headers))
    assert [item["trigger"] is None for item in upcoming] == [False, True]
    await answers.check(await maintenance.get(f"/api/maintenance/upcoming/{vehicle_id}?currentMileage=41000.5&limit=1",
                                              headers=headers))

    announced = await answers.check(await maintenance.get(f"{schedules}/{late['id']}", headers=headers))
    assert announced["lastNotifiedDueAt"] is not None
    await answers.check(await maintenance.put(f"{schedules}/{fresh['id']}", json={"intervalDistance": 20000},
                                              headers=headers))
    await answers.check(await maintenance.get(f"{schedules}/vehicle/{vehicle_id}?units=metric", headers=headers))
