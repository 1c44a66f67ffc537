"""The maintenance part of the account export: every record and schedule of the user, one snapshot."""

from __future__ import annotations

from typing import Any, AsyncIterator

import asyncpg

from shared.export_stream import end_line, record_line, schema_line, snapshot

from .. import repository
from ..domain import export
from ..domain.units import Units


async def export_account(pool: asyncpg.Pool, user_id: str, units: Units) -> AsyncIterator[dict[str, Any]]:
    """Stored rows as the API shows them; schedules as stored (the upcoming view's projections are
    computed on read and left out)."""
    async with snapshot(pool) as conn:
        yield schema_line("maintenance", export.export_kinds(units))
        counts = {"maintenance_record": 0, "maintenance_schedule": 0}
        async for row in repository.stream_records(conn, user_id):
            counts["maintenance_record"] += 1
            yield record_line("maintenance_record", *export.record_export(row, units))
        async for row in repository.stream_schedules(conn, user_id):
            counts["maintenance_schedule"] += 1
            yield record_line("maintenance_schedule", *export.schedule_export(row, units))
        yield end_line(counts)
