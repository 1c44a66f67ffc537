"""GET /api/account/export: every record and stored file of the user, as one zip, streamed.

The edge composes the archive as it composes /api/docs: it asks each feature service for the
user's part (export_sources.py) and writes the zip while it reads them (stream-zip, zip64), so
neither side holds the account in memory. Per kind of record: `<kind>.json` (an array, written
record by record) and `<kind>.csv` (rows spooled to a temporary file while the JSON is written,
then copied: a zip member is written whole before the next starts); then `files/...`, each stored
object streamed from the presigned URL its service gave; `files.json` indexing them; and
`manifest.json` (export time, counts, columns and units of each kind).

Failures: a service that cannot be reached when the export starts is a 503 before the first
byte. Once the zip is streaming, a part that breaks off (or storage failing) cuts the connection:
the client sees a truncated download, not a well-formed zip that silently misses data.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import posixpath
import tempfile
import zlib
from datetime import UTC, datetime
from typing import IO, Any, AsyncIterator, Literal

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

from shared.http.errors import ServiceUnavailable
from shared.http.json import dumps, loads
from shared.http.middleware import REQUEST_ID_HEADER, REQUEST_ID_KEY, current_user
from shared.http.openapi import documented
from shared.http.validation import parse_query
from shared.identity import ASSERTION_HEADER, IdentitySigner
from shared.models import ApiModel

from .export_sources import PartStream, Source, TruncatedPart, open_part
from .proxy import PROXY, ROUTES
from .settings import EdgeSettings
from .upstream_headers import AssertionCache

log = logging.getLogger("motovault.edge.export")

EXPORT_PATH = "/api/account/export"
CHUNK_BYTES = 64 * 1024
MEMBER_MODE = 0o644
DISTANCE_UNITS = {"imperial": "imperial", "uk": "imperial", "metric": "metric", "metric_kml": "metric"}
# In archive order. Paths under each service's prefix, beside its routes (no /{id} route takes "export").
SOURCES = (
    Source("vehicles", "/api/vehicles/export"),
    Source("fuel_logs", "/api/fuel-logs/export", units={name: name for name in DISTANCE_UNITS}),
    Source("maintenance", "/api/maintenance/export", units=DISTANCE_UNITS),
    Source("stations", "/api/stations/export"),
)
CONSISTENCY = ("Each service's part is read in one read-only REPEATABLE READ transaction: consistent within "
               "the service; the parts of different services are read a moment apart.")
ASSERTIONS = web.AppKey("export_assertions", AssertionCache)
IN_FLIGHT = web.AppKey("exports_in_flight", asyncio.Semaphore)
EXPORT_SETTINGS = web.AppKey("export_settings", EdgeSettings)


class ExportQuery(ApiModel):
    # Fuel logs take all four systems; maintenance distances follow them (miles or km).
    units: Literal["imperial", "metric", "metric_kml", "uk"] = "imperial"


@documented(summary="Download every record and stored file of your account as one zip archive",
            query=ExportQuery,
            responses={200: "application/zip, streamed", 400: "Unknown unit system", 401: "Not signed in",
                       503: "A service is unavailable, or too many exports in progress; nothing was sent"})
async def account_export(request: web.Request) -> web.StreamResponse:
    user_id = current_user(request)
    units = parse_query(request, ExportQuery).units
    slots = request.app[IN_FLIGHT]
    if slots.locked():
        raise ServiceUnavailable("Too many exports in progress; try again in a minute", headers={"Retry-After": "60"})
    async with slots:
        return await _export(request, user_id, units)


async def _export(request: web.Request, user_id: str, units: str) -> web.StreamResponse:
    started = datetime.now(UTC)
    parts: list[PartStream] = []
    try:
        await _open_parts(request, user_id, units, parts)  # a 503 here sends nothing
        response = web.StreamResponse(headers={
            "Content-Type": "application/zip",
            "Content-Disposition": f'attachment; filename="motovault-export-{started:%Y-%m-%d}.zip"',
            "Cache-Control": "no-store",
        })
        response.enable_chunked_encoding()
        await response.prepare(request)
        # Imported with the first export: stream_zip brings pycryptodome, 3 MB resident that the
        # edge need not carry until somebody exports.
        from stream_zip import ZIP_64, async_stream_zip

        archive = Archive(request.app[PROXY].upstream.session, parts, user_id, units, started,
                          request.app[EXPORT_SETTINGS].upstream_timeout, member_method=ZIP_64)
        try:
            async for chunk in async_stream_zip(archive.members(), chunk_size=CHUNK_BYTES,
                                                get_compressobj=lambda: zlib.compressobj(wbits=-zlib.MAX_WBITS, level=6)):
                await response.write(chunk)
        except Exception:
            # The client has the start of a zip: cut the connection so it cannot look complete.
            log.exception("Account export of %s broke off; connection cut", user_id)
            if request.transport is not None:
                request.transport.abort()
            return response
        finally:
            archive.close()
        await response.write_eof()
        return response
    finally:
        for part in parts:
            part.close()


async def _open_parts(request: web.Request, user_id: str, units: str, opened: list[PartStream]) -> None:
    app = request.app
    settings = app[EXPORT_SETTINGS]
    routes = {route.name: route for route in app[ROUTES]}
    headers = CIMultiDict({ASSERTION_HEADER: app[ASSERTIONS].get(user_id),
                           REQUEST_ID_HEADER: request[REQUEST_ID_KEY], "Accept": "application/x-ndjson"})
    for source in SOURCES:
        route = routes.get(source.route)
        if route is None:  # a route table without this service: the archive could not be whole
            raise ServiceUnavailable(f"The {source.route} service is not routed; the export is unavailable")
        version = await app[PROXY].version_for(request, route, user_id)
        query = {"units": source.units[units]} if source.units else {}
        opened.append(await open_part(
            app[PROXY].upstream.session, route.versions[version], source, headers, query,
            attempts=1 + settings.upstream_retries, connect_timeout=settings.upstream_connect_timeout,
            read_timeout=settings.upstream_timeout))


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return dumps(value).decode()
    return str(value)


def archive_file_path(path: str) -> str:
    """`files/` + the service's path, which can never climb out of `files/`."""
    return "files/" + posixpath.normpath("/" + path).lstrip("/")


class Archive:
    """The members of the zip, produced while the parts are read; records what the manifest says."""

    def __init__(self, session: aiohttp.ClientSession, parts: list[PartStream], user_id: str, units: str,
                 started: datetime, read_timeout: float, *, member_method: Any) -> None:
        self._session = session
        self._member_method = member_method  # how stream_zip writes each member
        self._parts = parts
        self._user_id = user_id
        self._units = units
        self._started = started
        self._read_timeout = read_timeout
        self._kinds: dict[str, dict[str, Any]] = {}
        self._files = tempfile.TemporaryFile()  # the file lines, fetched once every record is out
        self._file_count = 0
        self._missing: list[str] = []
        self._spools: list[IO[bytes]] = [self._files]

    def close(self) -> None:
        for spool in self._spools:
            spool.close()

    def _member(self, name: str, content: AsyncIterator[bytes]) -> tuple:
        return name, self._started, MEMBER_MODE, self._member_method, content

    async def members(self) -> AsyncIterator[tuple]:
        for part in self._parts:
            schema = await part.next()
            if schema["kind"] != "schema":
                raise TruncatedPart(f"the {part.source.route} export did not start with its schema")
            for kind in schema["kinds"]:
                entry = self._kinds[kind["name"]] = {
                    "service": part.source.route, "json": f"{kind['file']}.json", "csv": f"{kind['file']}.csv",
                    "count": 0, "columns": kind["columns"], "units": kind["units"]}
                rows = tempfile.TemporaryFile()
                self._spools.append(rows)
                yield self._member(entry["json"], self._json_array(part, kind["name"], rows, entry))
                yield self._member(entry["csv"], self._csv(kind["columns"], rows))
            await self._finish_part(part, [kind["name"] for kind in schema["kinds"]])
        async for member in self._stored_files():
            yield member
        yield self._member("files.json", self._files_index())
        yield self._member("manifest.json", self._manifest())

    async def _json_array(self, part: PartStream, kind: str, rows: IO[bytes], entry: dict) -> AsyncIterator[bytes]:
        out = bytearray(b"[")
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        while (await part.peek())["kind"] == kind:
            line = await part.next()
            out += b"\n" if entry["count"] == 0 else b",\n"
            out += dumps(line["record"])
            writer.writerow([csv_cell(value) for value in line["csv"]])
            entry["count"] += 1
            if len(out) >= CHUNK_BYTES:
                yield bytes(out)
                out.clear()
            if text.tell() >= CHUNK_BYTES:
                rows.write(text.getvalue().encode())
                text.seek(0)
                text.truncate()
        rows.write(text.getvalue().encode())
        out += b"\n]\n"
        yield bytes(out)

    async def _csv(self, columns: list[str], rows: IO[bytes]) -> AsyncIterator[bytes]:
        header = io.StringIO()
        csv.writer(header, lineterminator="\r\n").writerow(columns)
        yield header.getvalue().encode()
        rows.seek(0)
        while chunk := rows.read(CHUNK_BYTES):
            yield chunk
        rows.close()

    async def _finish_part(self, part: PartStream, kinds: list[str]) -> None:
        """The part's file lines (spooled), then its end line, whose counts must match."""
        files = 0
        while (line := await part.next())["kind"] == "file":
            self._files.write(dumps(line) + b"\n")
            files += 1
        if line["kind"] != "end":
            raise TruncatedPart(f"the {part.source.route} export sent {line['kind']!r} out of order")
        seen = {kind: self._kinds[kind]["count"] for kind in kinds} | {"file": files}
        if {kind: line["counts"].get(kind, 0) for kind in seen} != seen:
            raise TruncatedPart(f"the {part.source.route} export's counts {line['counts']} differ from {seen}")
        self._file_count += files
        part.close()

    def _file_lines(self) -> AsyncIterator[dict]:
        async def lines() -> AsyncIterator[dict]:
            self._files.seek(0)
            for raw in self._files:
                yield loads(raw)
        return lines()

    async def _stored_files(self) -> AsyncIterator[tuple]:
        async for file in self._file_lines():
            path = archive_file_path(file["path"])
            response = await self._fetch(file["url"])
            if response is None:
                self._missing.append(path)  # a started upload that never arrived, or removed meanwhile
                continue
            yield self._member(path, self._body(response))

    async def _fetch(self, url: str) -> aiohttp.ClientResponse | None:
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self._read_timeout, sock_read=self._read_timeout)
        response = await self._session.get(URL(url, encoded=True), timeout=timeout, allow_redirects=False)
        if response.status in (403, 404):  # S3: 404 NoSuchKey; 403 when listing is not allowed
            response.release()
            return None
        if response.status != 200:
            response.release()
            raise TruncatedPart(f"object storage answered {response.status}")
        return response

    async def _body(self, response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
        try:
            async for chunk in response.content.iter_chunked(CHUNK_BYTES):
                yield chunk
        finally:
            response.release()

    async def _files_index(self) -> AsyncIterator[bytes]:
        out = bytearray(b"[")
        first = True
        missing = set(self._missing)
        async for file in self._file_lines():
            path = archive_file_path(file["path"])
            entry = {"path": path, "of": file["of"], "contentType": file["contentType"], "stored": path not in missing}
            out += (b"\n" if first else b",\n") + dumps(entry)
            first = False
            if len(out) >= CHUNK_BYTES:
                yield bytes(out)
                out.clear()
        out += b"\n]\n"
        yield bytes(out)

    async def _manifest(self) -> AsyncIterator[bytes]:
        yield dumps({
            "format": "motovault-account-export",
            "version": 1,
            "userId": self._user_id,
            "exportedAt": self._started.isoformat(),
            "unitSystem": self._units,
            "consistency": CONSISTENCY,
            "kinds": self._kinds,
            "files": {"index": "files.json", "count": self._file_count - len(self._missing),
                      "missing": self._missing},
        })


def add_account_export(app: web.Application, settings: EdgeSettings) -> None:
    """Call before add_proxy: a route table may send the /api/account prefix to a service, and
    this path must stay the edge's own."""
    app[ASSERTIONS] = AssertionCache(IdentitySigner(settings.identity_secret.get_secret_value()))
    app[EXPORT_SETTINGS] = settings
    app[IN_FLIGHT] = asyncio.Semaphore(settings.exports_in_flight)
    app.router.add_get(EXPORT_PATH, account_export, allow_head=False)
    app.router.add_route("HEAD", EXPORT_PATH, head_not_allowed)  # the edge's too, and not a whole export


async def head_not_allowed(request: web.Request) -> web.Response:
    raise web.HTTPMethodNotAllowed("HEAD", ["GET"])
