"""A record whose odometer contradicts the vehicle's other records (lower than an earlier one,
higher than a later one, too far per day) is refused with the record in the way, unless confirmed."""

from datetime import date

import pytest

from services.maintenance.app import create_app
from services.maintenance.domain.odometer_check import odometer_conflict
from services.maintenance.settings import MaintenanceSettings

from .test_records_api import oil_change

USER = "auth0|record-odometer"
RECORDS = "/api/maintenance/records"


async def test_a_contradicting_record_is_refused_unless_confirmed(maintenance, identity, vehicle):
    me = identity(USER)
    car = await vehicle(USER)
    first = await maintenance.post(RECORDS, json=oil_change(car, date="2026-04-02", odometerReading=45_000), headers=me)
    assert first.status == 201
    earlier = await (await maintenance.post(
        RECORDS, json=oil_change(car, date="2026-01-10", odometerReading=40_000), headers=me)).json()
    lower = await maintenance.post(RECORDS, json=oil_change(car, date="2026-05-01", odometerReading=4_600), headers=me)
    assert lower.status == 409
    detail = (await lower.json())["details"][0]
    assert (detail["field"], detail["type"]) == ("odometerReading", "odometer_lower")
    assert detail["conflictingRecord"] == {"id": (await first.json())["id"], "date": "2026-04-02",
                                           "odometerReading": 45_000}
    higher = await maintenance.post(RECORDS, json=oil_change(car, date="2026-02-01", odometerReading=46_000),
                                    headers=me)
    assert higher.status == 409 and (await higher.json())["details"][0]["type"] == "odometer_higher_than_later"
    too_far = await maintenance.post(RECORDS, json=oil_change(car, date="2026-04-03", odometerReading=47_000),
                                     headers=me)
    assert too_far.status == 409 and (await too_far.json())["details"][0]["type"] == "odometer_too_far"
    listed = await (await maintenance.get(f"{RECORDS}/vehicle/{car}", headers=me)).json()
    assert len(listed) == 2  # nothing refused was stored
    confirmed = await maintenance.post(
        RECORDS, json=oil_change(car, date="2026-05-01", odometerReading=4_600, confirmOdometer=True), headers=me)
    assert confirmed.status == 201, await confirmed.text()
    # An edit that changes neither reading nor date is not judged; one that moves the reading is.
    assert (await maintenance.put(f"{RECORDS}/{(await confirmed.json())['id']}", json={"notes": "new cluster"},
                                  headers=me)).status == 200
    moved = await maintenance.put(f"{RECORDS}/{earlier['id']}", json={"odometerReading": 50_000}, headers=me)
    assert moved.status == 409
    assert (await maintenance.put(f"{RECORDS}/{earlier['id']}", json={"odometerReading": 50_000,
                                                                      "confirmOdometer": True},
                                  headers=me)).status == 200
    bad = await maintenance.post(RECORDS, json=oil_change(car, confirmOdometer="yes"), headers=me)
    assert bad.status == 400 and (await bad.json())["details"][0]["field"] == "confirmOdometer"


async def test_with_the_check_off_every_reading_is_taken_as_confirmed(maintenance, serve, identity, vehicle):
    """MAINTENANCE_ODOMETER_CHECK=false, on the same database: for clients that cannot confirm."""
    unchecked = await serve(create_app(MaintenanceSettings(**{**dict(maintenance.settings), "odometer_check": False})))
    me = identity(USER)
    car = await vehicle(USER)
    for on, reading in (("2026-04-02", 45_000), ("2026-05-01", 4_600), ("2026-05-02", 90_000)):
        answer = await unchecked.post(RECORDS, json=oil_change(car, date=on, odometerReading=reading), headers=me)
        assert answer.status == 201, await answer.text()
    refused = await maintenance.post(RECORDS, json=oil_change(car, date="2026-05-03", odometerReading=10),
                                     headers=me)
    assert refused.status == 409  # the same records, checked


@pytest.mark.pure
@pytest.mark.parametrize(("odometer", "on", "code"), [
    (1_000, date(2026, 5, 2), None),
    (999, date(2026, 5, 2), "odometer_lower"),
    (2_500, date(2026, 5, 1), None),  # the same date: a day's allowance
    (2_501, date(2026, 5, 1), "odometer_too_far"),
    (4_001, date(2026, 5, 10), "odometer_higher_than_later"),
])
def test_the_rule(odometer, on, code):
    previous = {"id": 1, "date": date(2026, 5, 1), "odometer_reading": 1_000}
    following = {"id": 2, "date": date(2026, 6, 1), "odometer_reading": 4_000}
    conflict = odometer_conflict(odometer, on, previous, following, 1_500)
    assert (conflict and conflict.code) == code


async def test_edits_and_deletions_of_records_are_announced(maintenance, identity, vehicle, spy):
    """vehicles keeps each record's reading in its odometer log: it learns of edits and deletions."""
    me = identity(USER)
    car = await vehicle(USER)
    record = await (await maintenance.post(RECORDS, json=oil_change(car, odometerReading=45_000), headers=me)).json()
    assert (await maintenance.put(f"{RECORDS}/{record['id']}", json={"odometerReading": 45_100},
                                  headers=me)).status == 200
    assert (await maintenance.delete(f"{RECORDS}/{record['id']}", headers=me)).status == 204
    [updated] = await spy.wait_for("maintenance.record_updated")
    assert (updated["data"]["recordId"], updated["data"]["odometerReading"]) == (record["id"], 45_100)
    [deleted] = await spy.wait_for("maintenance.record_deleted")
    assert deleted["data"] == {"recordId": record["id"], "vehicleId": car} and deleted["userId"] == USER
