"""Which addresses outgoing requests (webhooks, ntfy) may reach: the rule against SSRF.

A user-given URL must not make the service call itself, the cluster's private network or the
cloud metadata endpoint. Checked on the resolved addresses (not the host name) and on every
redirect; an operator may allow networks (an in-house Home Assistant, the tests' receiver).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata endpoints (AWS, GCP, Azure: 169.254.169.254; AWS over IPv6: fd00:ec2::254).
METADATA = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})


class RefusedAddress(Exception):
    """The URL leads to an address outgoing requests must not reach."""


def refusal(address: IPAddress, allowed: Iterable[IPNetwork] = ()) -> str | None:
    """Why `address` may not be reached, or None if it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(address in network for network in allowed):
        return None
    if address in METADATA:
        return f"{address} is a cloud metadata address"
    for reason, test in (
        ("loopback", address.is_loopback), ("link-local", address.is_link_local),
        ("multicast", address.is_multicast), ("unspecified", address.is_unspecified),
        ("private", address.is_private), ("reserved", address.is_reserved),
        ("not globally routable", not address.is_global),
    ):
        if test:
            return f"{address} is a {reason} address"
    return None


def check(addresses: Iterable[str], allowed: Iterable[IPNetwork] = ()) -> None:
    """Raise RefusedAddress if any resolved address is refused (one bad answer spoils the name:
    a client could pick it)."""
    for text in addresses:
        reason = refusal(ipaddress.ip_address(text.split("%")[0]), allowed)
        if reason:
            raise RefusedAddress(reason)
