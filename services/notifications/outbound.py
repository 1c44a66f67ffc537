"""Outgoing HTTP to user-given URLs (ntfy topics, webhooks), guarded against SSRF.

Names are resolved by the connector's own resolver, which refuses the whole answer if any address
is loopback, private, link-local, multicast, reserved or a metadata address (domain/addresses.py),
and the connection is made to exactly the addresses it checked: there is no second lookup an
attacker's DNS could answer differently. IP literals never reach a resolver, so they are checked
before each request. Redirects are followed by hand, each hop checked the same way.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from typing import AsyncIterator

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from .domain.addresses import IPNetwork, RefusedAddress, check

OUTBOUND = web.AppKey("outbound", "Outbound")
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class DeliveryFailure(Exception):
    """The channel did not take the notification; the message is the reason the log shows."""


class GuardedResolver(AbstractResolver):
    def __init__(self, allowed: Sequence[IPNetwork]) -> None:
        self._inner = ThreadedResolver()
        self._allowed = allowed

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        check([result["host"] for result in results], self._allowed)
        return results

    async def close(self) -> None:
        await self._inner.close()


def check_url(url: URL, allowed: Sequence[IPNetwork]) -> None:
    """The parts of the rule that need no lookup: the scheme, and an address written in the URL."""
    if url.scheme not in ("http", "https") or not url.host:
        raise RefusedAddress(f"only http and https URLs can be called, not {url.scheme or 'this'}")
    try:
        literal = ipaddress.ip_address(url.host.strip("[]"))
    except ValueError:
        return
    check([str(literal)], allowed)


async def resolve_and_check(url: str, allowed: Sequence[IPNetwork]) -> None:
    """Check a URL when it is registered, so a user learns at once that it cannot be used."""
    parsed = URL(url)
    check_url(parsed, allowed)
    resolver = GuardedResolver(allowed)
    try:
        await resolver.resolve(parsed.host, parsed.port or 0, socket.AF_UNSPEC)
    except OSError:
        pass  # a name that does not resolve yet is the receiver's business; each delivery re-checks
    finally:
        await resolver.close()


class Outbound:
    def __init__(self, session: aiohttp.ClientSession, allowed: Sequence[IPNetwork], max_redirects: int) -> None:
        self._session = session
        self._allowed = allowed
        self._max_redirects = max_redirects

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST and return the final status; raise DeliveryFailure when no answer could be had."""
        target = URL(url)
        try:
            for _ in range(self._max_redirects + 1):
                check_url(target, self._allowed)
                async with self._session.post(target, data=body, headers=headers, allow_redirects=False) as response:
                    await response.read()
                    location = response.headers.get("Location")
                    if response.status not in REDIRECTS or not location:
                        return response.status
                    target = response.url.join(URL(location))
            raise DeliveryFailure(f"more than {self._max_redirects} redirects")
        except RefusedAddress as exc:
            raise DeliveryFailure(f"refused: {exc}") from None
        except asyncio.TimeoutError:
            raise DeliveryFailure("the receiver did not answer in time") from None
        except aiohttp.ClientError as exc:
            raise DeliveryFailure(f"could not reach the receiver: {type(exc).__name__}") from None


def add_outbound(app: web.Application, allowed: Sequence[IPNetwork], *, timeout: float, max_redirects: int) -> None:
    async def outbound_context(app: web.Application) -> AsyncIterator[None]:
        connector = aiohttp.TCPConnector(resolver=GuardedResolver(allowed), use_dns_cache=False, limit=50)
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout), connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
        ) as session:
            app[OUTBOUND] = Outbound(session, allowed, max_redirects)
            yield

    app.cleanup_ctx.append(outbound_context)
