"""JSON logs on stdout, one object per line, each carrying the current request id."""

from __future__ import annotations

import contextvars
import logging
import sys
import traceback
from datetime import UTC, datetime

import orjson
from aiohttp.http_exceptions import HttpProcessingError

# Set by the HTTP middleware for a request and by the consumer for an event; read by every log line.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            "requestId": request_id_var.get(),
        }
        # Structured fields passed with `extra=` become top-level keys.
        entry.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return orjson.dumps(entry, default=str).decode()


class ClientMistakes(logging.Filter):
    """aiohttp logs a request it cannot parse (a 64 KB header line, a broken request line) at ERROR
    with a traceback, though it answers 400: the client's mistake, not the server's. Such records
    pass as one INFO line without the trace; a real server error keeps its level."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        status = getattr(error, "code", None)
        if isinstance(error, HttpProcessingError) and isinstance(status, int) and 400 <= status < 500:
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg, record.args = "Refused a malformed request (%s %s: %s)", (
                status, type(error).__name__, getattr(error, "message", "") or str(error))
            record.exc_info = record.exc_text = None
        return True


def quiet_client_mistakes() -> None:
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, ClientMistakes) for f in server_log.filters):
        server_log.addFilter(ClientMistakes())


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiohttp's own access logger is replaced by ours, which knows the route and request id.
    logging.getLogger("aiohttp.access").disabled = True
    quiet_client_mistakes()
