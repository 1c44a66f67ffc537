"""The odometer log's migration seeds existing vehicles with their odometer as an `initial`
reading, so their odometer stays what it was."""

import shutil
import uuid
from datetime import date, datetime, timezone

import asyncpg

from services.vehicles.app import MIGRATIONS
from shared.db import migrate


async def test_existing_vehicles_get_an_initial_reading(infra, tmp_path):
    dsn = await infra.create_database("odometer_seed")
    for earlier in ("001_vehicles.sql", "002_files_and_documents.sql"):
        shutil.copy(MIGRATIONS / earlier, tmp_path / earlier)
    await migrate(dsn, tmp_path)
    changed = datetime(2025, 3, 1, 12, tzinfo=timezone.utc)
    driven, new, gone = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    conn = await asyncpg.connect(dsn)
    try:
        for vehicle_id, odometer, deleted in ((driven, 12_345, None), (new, 0, None), (gone, 500, changed)):
            await conn.execute(
                """INSERT INTO vehicles (id, user_id, license_plate, odometer_reading, deleted_at, updated_at)
                   VALUES ($1, 'auth0|seed', $2, $3, $4, $5)""",
                vehicle_id, str(vehicle_id)[:8], odometer, deleted, changed)
        shutil.copy(MIGRATIONS / "003_odometer_log.sql", tmp_path / "003_odometer_log.sql")
        assert await migrate(dsn, tmp_path) == ["service:003_odometer_log"]
        rows = await conn.fetch("SELECT vehicle_id, reading, read_on, source, source_id FROM odometer_readings")
    finally:
        await conn.close()
    # Zero is no reading yet, and a deleted vehicle needs none.
    assert [tuple(row) for row in rows] == [(driven, 12_345, date(2025, 3, 1), "initial", None)]
