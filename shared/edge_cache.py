"""The contract of the edge's response cache, shared by the edge and the services.

The edge answers a user's repeated GETs from Redis without a second hop (DESIGN.md, performance
intent). An entry is keyed by the owning service (its *scope*: the route name, which is the
service name), the user, the path with its query and the user's *version token* for that scope.
A service replaces the token after every committed change of the user's data, through its API or
an event, so invalidation is one SET and never a key scan: entries under an old token are never
read again and expire on their own.

Tokens are random, not counters: a counter that expired and started again could climb back to a
value an old entry still lives under; a random token never comes back. A token lives far longer
than any entry (the edge caps entry lifetimes at `MAX_ENTRY_SECONDS`), so when it expires after a
month of no writes, nothing stored under it can still be served.

Only what a service marks is cached: a 200 JSON answer carrying `EDGE_CACHE_HEADER: max-age=N`.
The edge removes the header before the answer leaves, so browsers never see it.
"""

from __future__ import annotations

import secrets

from aiohttp import web

EDGE_CACHE_HEADER = "MotoVault-Edge-Cache"
MAX_ENTRY_SECONDS = 3600
TOKEN_SECONDS = 30 * 86_400
NO_VERSION = "0"  # what a user who never changed anything (or not for a month) is keyed by


def version_key(prefix: str, scope: str, user_id: str) -> str:
    # {user} is a hash tag: on Redis Cluster a user's token and entries share one slot.
    return f"{prefix}v:{scope}:{{{user_id}}}"


def entry_key_parts(prefix: str, scope: str, user_id: str, variant: str, path_qs: str) -> tuple[str, str]:
    """The entry key around the version token: head + token + tail (joined inside Redis)."""
    return f"{prefix}r:{scope}:{{{user_id}}}:{variant}:", f":{path_qs}"


def new_token() -> str:
    return secrets.token_hex(8)


def edge_cacheable(response: web.Response, seconds: int) -> web.Response:
    """Let the edge keep this answer for the user until their data changes (at most `seconds`)."""
    response.headers[EDGE_CACHE_HEADER] = f"max-age={min(seconds, MAX_ENTRY_SECONDS)}"
    return response


def cacheable_seconds(header: str | None) -> int:
    """The lifetime a service granted in EDGE_CACHE_HEADER; 0 when absent or malformed."""
    if not header:
        return 0
    name, _, value = header.strip().partition("=")
    if name.strip().lower() != "max-age" or not value.strip().isdigit():
        return 0
    return min(int(value), MAX_ENTRY_SECONDS)
