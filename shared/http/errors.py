"""The one error shape of the API, and the exceptions handlers raise to produce it.

`{"statusCode": 404, "error": "Not Found", "message": "...", "requestId": "...", "details": [...]}`
keeps the original Fastify shape and adds the request id and field-level details.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Mapping

from ..errors import ConflictError, DependencyUnavailable, DomainError, InvalidInput, NotFoundError


class ApiError(Exception):
    status = 500

    def __init__(
        self,
        message: str | None = None,
        *,
        details: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        if status is not None:
            self.status = status
        self.message = message or HTTPStatus(self.status).phrase
        self.details = details
        self.headers = dict(headers or {})
        super().__init__(self.message)


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class PayloadTooLarge(ApiError):
    status = 413


class UnsupportedMediaType(ApiError):
    status = 415


class BadGateway(ApiError):
    status = 502


class ServiceUnavailable(ApiError):
    status = 503


class GatewayTimeout(ApiError):
    status = 504


def from_domain(exc: DomainError) -> ApiError:
    """The one place where a domain error becomes an HTTP answer."""
    if isinstance(exc, InvalidInput):
        return BadRequest(exc.message, details=exc.details())
    if isinstance(exc, NotFoundError):
        return NotFound(exc.message)
    if isinstance(exc, ConflictError):
        return Conflict(exc.message, details=exc.details())
    if isinstance(exc, DependencyUnavailable):
        return ServiceUnavailable(exc.message, headers={"Retry-After": str(exc.retry_after)})
    return ApiError(exc.message)


def error_body(
    status: int, message: str, request_id: str | None, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "statusCode": status,
        "error": reason_phrase(status),
        "message": message,
        "requestId": request_id,
    }
    if details:
        body["details"] = details
    return body


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
