"""Where the service may send requests that users chose the address of (webhooks).

A webhook URL is typed in by a user, so without a check the worker could be made to
call the service's own network: Redis, the database, a cloud's metadata endpoint
(blind SSRF). A URL must be https; its host is resolved and every address must be
public. The check runs when the URL is saved and again right before each delivery
(a name can be pointed elsewhere after it was saved). Redirects are never followed,
so a public receiver cannot bounce the request inwards.

For development a local receiver over plain http is allowed on loopback only, and
only with ``KOHTAANTO_WEBHOOK_ALLOW_HTTP_LOOPBACK=1``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance metadata services (AWS, GCP, Azure, OpenStack; AWS over IPv6;
# Alibaba). Most are link-local anyway; listed so the refusal says what they are.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)


class UnsafeTarget(ValueError):
    """A URL the service will not send requests to; the message says why."""


class Unresolvable(UnsafeTarget):
    """The host did not resolve: perhaps for a while (DNS down), so worth another try."""


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` may not be called, or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for kind, refused in (
        ("a loopback address", address.is_loopback),
        ("a link-local address", address.is_link_local),
        ("a private address", address.is_private),
        ("a multicast address", address.is_multicast),
        ("a reserved address", address.is_reserved or address.is_unspecified),
    ):
        if refused:
            return kind
    if not address.is_global:  # shared (100.64/10), documentation and other special ranges
        return "not a public address"
    return None


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _loopback_host(host: str) -> bool:
    literal = _literal(host)
    return host == "localhost" or (literal is not None and literal.is_loopback)


def check_url(url: str, *, allow_http_loopback: bool = False) -> httpx.URL:
    """The URL parsed, if its form is acceptable: https (or http to loopback when
    allowed), a host, no user name or password. Raises ``UnsafeTarget``."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as e:
        raise UnsafeTarget("not a URL") from e
    if not parsed.host:
        raise UnsafeTarget("must be an https:// URL with a host")
    if parsed.userinfo:
        raise UnsafeTarget("must not contain a user name or password")
    if parsed.scheme == "https":
        return parsed
    if parsed.scheme == "http" and allow_http_loopback and _loopback_host(parsed.host):
        return parsed
    raise UnsafeTarget("must be an https:// URL")


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (off the event loop). Raises ``socket.gaierror``."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def check_target(
    url: str, *, allow_http_loopback: bool = False, must_resolve: bool = True
) -> httpx.URL:
    """``check_url``, then the host resolved: every address must be public (loopback
    too when ``allow_http_loopback``, for development). A name that does not resolve
    is refused when ``must_resolve`` (before sending); when saving it is let through,
    as the check before each delivery resolves it again. Raises ``UnsafeTarget``."""
    parsed = check_url(url, allow_http_loopback=allow_http_loopback)
    try:
        addresses = await resolve(parsed.host, parsed.port or 443)
    except (socket.gaierror, UnicodeError) as e:
        if must_resolve:
            raise Unresolvable(f"the host {parsed.host} does not resolve") from e
        return parsed
    for address in addresses:
        why = refusal(address)
        if why is None or (allow_http_loopback and address.is_loopback):
            continue
        raise UnsafeTarget(f"the host {parsed.host} is {why} ({address}); use a public address")
    return parsed
