"""The HTTP side of keyset paging (shared/paging.py): read `limit`/`cursor`, answer with Link.

A page's body is the same JSON array the unpaged list answers; the next page's address goes in
`Link: </api/...?limit=2&cursor=...>; rel="next"` (RFC 8288), absent on the last page. The
address is a relative reference (path and query, no scheme or host): the services sit behind
the edge, which forwards path and query unchanged, so only a reference relative to the address
the client called stays right whatever host, port or scheme the client used.

The cursor is bound to the request path (a cursor of one vehicle's documents is refused on
another's) and signed with a key derived from the identity secret every service and the edge
already share. A paged answer is never marked for the edge's response cache: the cache keeps
only the body, so a page served from it would lose its Link.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..paging import CURSOR, Keyset, Page, PageOf, cursor_key, encode_cursor, read_page
from .app import SETTINGS
from .json import json_response

LINK_HEADER = "Link"


def _secret(request: web.Request) -> bytes:
    return cursor_key(request.app[SETTINGS].identity_secret.get_secret_value())


def page_query(request: web.Request, keyset: Keyset) -> Page | None:
    """The page the request asks for; None without `limit` (the whole list, as before paging)."""
    return read_page(request.query, keyset, binding=request.path, secret=_secret(request))


def next_link(request: web.Request, keyset: Keyset, after: tuple) -> str:
    cursor = encode_cursor(keyset, after, binding=request.path, secret=_secret(request))
    return f'<{request.rel_url.update_query({CURSOR: cursor})}>; rel="next"'


def paged_response(request: web.Request, views: list[Any], page: PageOf[Any], keyset: Keyset) -> web.Response:
    """The views of a page as a JSON array, with the next page's Link when one follows."""
    response = json_response(views)
    if page.next_after is not None:
        response.headers[LINK_HEADER] = next_link(request, keyset, page.next_after)
    return response
