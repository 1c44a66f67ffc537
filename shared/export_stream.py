"""The services' side of the account export: one consistent snapshot, streamed as NDJSON.

A service's export is read in one read-only REPEATABLE READ transaction, so every row it sends
belongs to the same snapshot however many writes commit meanwhile, and with server-side cursors,
so memory does not grow with the account. The lines go out as they are read (chunked), each one
JSON object with a `kind` (the contract is in docs/architecture.md, "Your data"):

    {"kind": "schema", "service": ..., "kinds": [{"name", "file", "columns", "units"}, ...]}
    {"kind": <a kind of the schema>, "record": {...API view...}, "csv": [...row...]}   (in schema order)
    {"kind": "file", "key": ..., "path": ..., "url": <presigned GET>, "contentType": ..., "of": {...}}
    {"kind": "end", "counts": {...}}

The end line tells the reader the stream is whole: a stream cut without it is truncated.
"""

from __future__ import annotations

from contextlib import aclosing, asynccontextmanager
from typing import Any, AsyncIterator

import asyncpg
from aiohttp import web

from .http.json import dumps

NDJSON_TYPE = "application/x-ndjson"
FLUSH_BYTES = 64 * 1024  # lines are gathered up to this size per write: fewer, larger chunks
CURSOR_PREFETCH = 500  # rows per round trip of a server-side cursor


@asynccontextmanager
async def snapshot(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A connection in a read-only REPEATABLE READ transaction: one snapshot for every query."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        yield conn


def schema_line(service: str, kinds: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "schema", "service": service, "kinds": kinds}


def kind_schema(name: str, file: str, columns: list[str], units: dict[str, str | None]) -> dict[str, Any]:
    """One kind of record: its archive file name, its CSV columns and the unit of each field."""
    return {"name": name, "file": file, "columns": columns, "units": units}


def record_line(kind: str, record: dict[str, Any], csv_row: list[Any]) -> dict[str, Any]:
    return {"kind": kind, "record": record, "csv": csv_row}


def file_line(key: str, path: str, url: str, content_type: str | None, of_kind: str, of_id: str) -> dict[str, Any]:
    return {"kind": "file", "key": key, "path": path, "url": url, "contentType": content_type,
            "of": {"kind": of_kind, "id": of_id}}


def end_line(counts: dict[str, int]) -> dict[str, Any]:
    return {"kind": "end", "counts": counts}


async def stream_ndjson(request: web.Request, lines: AsyncIterator[dict[str, Any]]) -> web.StreamResponse:
    """Answer `lines` as NDJSON, written as they come. A failure after the first byte aborts the
    connection (the reader sees no end line), never a well-formed but partial answer."""
    response = web.StreamResponse(headers={"Content-Type": NDJSON_TYPE, "Cache-Control": "no-store"})
    response.enable_chunked_encoding()
    async with aclosing(lines) as source:  # closes the snapshot's transaction if the reader goes away
        buffer = bytearray()
        async for line in source:
            if not response.prepared:
                await response.prepare(request)  # only once the first line (the snapshot) is there
            buffer += dumps(line)
            buffer += b"\n"
            if len(buffer) >= FLUSH_BYTES:
                await response.write(bytes(buffer))
                buffer.clear()
        if not response.prepared:
            await response.prepare(request)
        if buffer:
            await response.write(bytes(buffer))
    await response.write_eof()
    return response
