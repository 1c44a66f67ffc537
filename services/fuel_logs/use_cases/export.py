"""The fuel logs part of the account export: every fill-up and receipt of the user, one snapshot."""

from __future__ import annotations

from typing import Any, AsyncIterator

import asyncpg

from shared.export_stream import end_line, file_line, record_line, schema_line, snapshot
from shared.storage import ObjectStore

from .. import repository
from ..domain import export
from ..domain.economy import Interval
from ..domain.units import UnitSystem
from ..domain.views import economy_by_fill, fill_from_row, fuel_log_view


async def export_account(pool: asyncpg.Pool, store: ObjectStore, user_id: str,
                         system: UnitSystem) -> AsyncIterator[dict[str, Any]]:
    """Fill-ups as API views (with their economy figure) and CSV export rows, then receipt links.
    Read with a cursor in chain order, so memory stays flat (domain/export.py)."""
    async with snapshot(pool) as conn:
        yield schema_line("fuel_logs", export.export_kinds(system))
        whole_chains = await repository.chains_without_readings(conn, user_id)
        counts = {"fill_up": 0, "file": 0}
        current_chain: tuple | None = None
        walk = export.EconomyWalk()
        computed: dict[str, Interval] = {}
        async for row in repository.stream_in_chain_order(conn, user_id):
            chain = export.chain_of(row)
            if chain != current_chain:
                current_chain, walk = chain, export.EconomyWalk()
                computed = (economy_by_fill(await repository.chain_rows(conn, user_id, *chain))
                            if chain in whole_chains else {})
            closing = computed.get(str(row["id"])) if chain in whole_chains else walk.closing(fill_from_row(row))
            view = fuel_log_view(row, system, closing)
            counts["fill_up"] += 1
            yield record_line("fill_up", view, export.csv_row(view))
        async for row in repository.stream_receipts(conn, user_id):
            counts["file"] += 1
            url = await store.internal_get_url(row["receipt_key"], export.FILE_URL_SECONDS)
            yield file_line(row["receipt_key"], export.receipt_path(row), url, row["receipt_content_type"],
                            "fill_up", str(row["id"]))
        yield end_line(counts)
