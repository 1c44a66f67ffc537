"""What crosses the edge in headers, both ways, and the identity assertion the edge adds.

Forwarded: the client's ordinary headers. Not forwarded: hop-by-hop headers (RFC 9110 §7.6.1,
including those the Connection header names), the bearer token (services trust only the edge's
assertion) and any identity header the client sent; the edge adds its signed assertion, the
request id and X-Forwarded-*. Back to the client: the answer's headers less hop-by-hop ones and
the services' cache grant, which is for the edge alone.
"""

from __future__ import annotations

import time
from typing import Callable

import aiohttp
from aiohttp import web
from multidict import CIMultiDict, MultiMapping

from shared.edge_cache import EDGE_CACHE_HEADER
from shared.http.middleware import REQUEST_ID_HEADER, REQUEST_ID_KEY
from shared.identity import ASSERTION_HEADER, CLIENT_IDENTITY_HEADERS, IdentitySigner

HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "proxy-connection",
})
# Never forwarded upstream: the edge sets its own values, or the header must end at the edge.
REQUEST_ONLY_AT_EDGE = HOP_BY_HOP | {
    "host", "authorization", "expect", "forwarded",
    "x-request-id", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
} | {name.lower() for name in CLIENT_IDENTITY_HEADERS}
# The client sends these itself or not at all; aiohttp must not invent them.
NO_AUTO_HEADERS = ("Accept-Encoding", "User-Agent", "Content-Type")


class AssertionCache:
    """Signs a user's identity assertion once and reuses it for `reuse_seconds`.

    The assertion lives 60 s; reusing it for 30 s leaves a service at least 30 s to check it,
    and spares an HMAC signature per request (services cache verified assertions too).
    """

    def __init__(self, signer: IdentitySigner, reuse_seconds: float = 30.0, max_users: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._signer = signer
        self._reuse = reuse_seconds
        self._max_users = max_users
        self._clock = clock
        self._entries: dict[str, tuple[str, float]] = {}

    def get(self, user_id: str) -> str:
        now = self._clock()
        entry = self._entries.get(user_id)
        if entry is not None and now - entry[1] < self._reuse:
            return entry[0]
        if len(self._entries) >= self._max_users:
            self._entries.clear()  # crude bound: after a burst of users, each signs once more
        assertion = self._signer.sign(user_id)
        self._entries[user_id] = (assertion, now)
        return assertion


def named_in_connection(headers: MultiMapping[str]) -> set[str]:
    names: set[str] = set()
    for value in headers.getall("Connection", []):
        names.update(token.strip().lower() for token in value.split(",") if token.strip())
    return names


def upstream_request_headers(request: web.Request, assertion: str | None) -> CIMultiDict[str]:
    drop = REQUEST_ONLY_AT_EDGE | named_in_connection(request.headers)
    headers = CIMultiDict((k, v) for k, v in request.headers.items() if k.lower() not in drop)
    if assertion is not None:  # anonymous public routes carry no identity at all
        headers[ASSERTION_HEADER] = assertion
    headers[REQUEST_ID_HEADER] = request[REQUEST_ID_KEY]
    forwarded_for = request.headers.getall("X-Forwarded-For", [])
    if request.remote:
        forwarded_for.append(request.remote)
    if forwarded_for:
        headers["X-Forwarded-For"] = ", ".join(forwarded_for)
    headers["X-Forwarded-Proto"] = request.scheme
    headers["X-Forwarded-Host"] = request.host
    return headers


def client_response_headers(upstream: aiohttp.ClientResponse) -> CIMultiDict[str]:
    # The services' cache grant is for the edge alone: a browser keeping the answer would not see changes.
    drop = HOP_BY_HOP | {EDGE_CACHE_HEADER.lower()} | named_in_connection(upstream.headers)
    return CIMultiDict((k, v) for k, v in upstream.headers.items() if k.lower() not in drop)
