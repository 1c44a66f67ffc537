"""What the edge adds to `DELETE /api/account` (served by the accounts service): it needs an
interactive login, and once the accounts service has accepted it (202), the user's personal
access tokens, which only the edge holds, are revoked and removed.

The edge does this itself, on the answer it forwards, because it has no broker to hear the
deletion event from; the accounts service answers 202 again for as long as the deletion is
pending, so a revocation that failed (the edge's database or Redis down: 503) is done by
repeating the request.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from aiohttp import web

from shared.errors import DependencyUnavailable
from shared.http.errors import Forbidden

from .access_tokens import is_access_token_claims
from .auth import ACCESS_TOKEN_STORE, CLAIMS_KEY

log = logging.getLogger("motovault.edge.account_deletion")

ACCOUNT_PATH = "/api/account"
TOKENS_NOT_REVOKED = ("Your account's deletion has started, but your access tokens could not be revoked yet; "
                      "repeat the request")


def is_account_deletion(request: web.Request) -> bool:
    return request.method == "DELETE" and request.path.rstrip("/") == ACCOUNT_PATH


def refuse_access_token(request: web.Request) -> None:
    """A leaked access token must not be able to delete the account it belongs to."""
    if is_access_token_claims(request.get(CLAIMS_KEY) or {}):
        raise Forbidden("Access tokens cannot delete the account; sign in to do this",
                        headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'})


async def revoke_access_tokens(app: web.Application, user_id: str) -> None:
    """After the accounts service accepted the deletion: the user's tokens stop working everywhere."""
    store = app.get(ACCESS_TOKEN_STORE)
    if store is None:
        return  # tokens are off: there are none
    try:
        revoked = await store.forget_user(user_id)
    except (DependencyUnavailable, OSError, asyncpg.PostgresError, asyncio.TimeoutError) as exc:
        log.error("Access tokens of a user deleting their account not revoked: %s", exc)
        raise DependencyUnavailable(TOKENS_NOT_REVOKED) from exc
    log.info("Account deletion accepted: %d access tokens revoked", revoked)
