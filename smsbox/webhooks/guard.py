"""Which URLs a webhook may be posted to (a guard against server-side request forgery).

Only http and https. A host that resolves to the box itself (loopback, any address of
its own interfaces), to a link-local address (169.254.0.0/16, fe80::/10: cloud metadata
services live there) or to an unspecified or multicast address is refused, unless an
admin set the endpoint's `allow_private`. The private LAN ranges (10/8, 172.16/12,
192.168/16, fc00::/7) are allowed: the box sits on a LAN, and the software it tells
usually does too. Checked when the endpoint is added and again before each delivery,
as a name may resolve elsewhere later.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from smsbox.refusals import Refusal

SCHEMES = ("http", "https")
MAX_URL_LENGTH = 2000


class UrlRefused(Refusal):
    """A webhook URL that may not be used; the text says why."""


def check_url(url: str, *, allow_private: bool) -> None:
    """UrlRefused unless `url` may receive webhooks."""
    host = _host_of(url)
    if allow_private:
        return
    for address in _addresses(host):
        reason = _forbidden(address)
        if reason is not None:
            raise UrlRefused(
                "%(url)s leads to %(address)s (%(reason)s): only an admin may allow that",
                url=url,
                address=str(address),
                reason=reason,
            )


def _host_of(url: str) -> str:
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefused("the URL is longer than %(limit)s characters", limit=MAX_URL_LENGTH)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        raise UrlRefused("%(url)s is not a URL", url=url) from None
    if parts.scheme not in SCHEMES:
        raise UrlRefused("%(url)s is not an http or https URL", url=url)
    if not parts.hostname:
        raise UrlRefused("%(url)s names no host", url=url)
    if parts.username or parts.password:
        raise UrlRefused("%(url)s carries a user name or password: put none in it", url=url)
    return parts.hostname


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise UrlRefused("%(host)s does not resolve to any address", host=host) from None
    addresses = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        addresses.append(address)
    return addresses


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if _is_own(address):
        return "this box"
    return None


def _is_own(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether the address is one of this box's own: only those can be bound."""
    family = socket.AF_INET if address.version == 4 else socket.AF_INET6
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((str(address), 0))
        except OSError:
            return False
    return True
