"""The private-address guard.

A pull request must not be able to make CI probe the runner's own network, so the
checker refuses loopback, private, link-local (cloud metadata), shared (CGNAT),
multicast, reserved and unspecified addresses. The guard is applied twice:

- to an IP address written in a URL (aiohttp does not resolve those), and
- to every address a host name resolves to, through :class:`GuardedResolver`,
  which is what the connector actually connects to. A redirect hop goes through
  the same connector, so every hop is guarded, not only the first URL.

``--allow-host HOST[:PORT]`` exempts exactly the named host (and port, if given);
``--allow-private`` exempts everything.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from dataclasses import dataclass, field

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, ...
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"),  # AWS IPv6
}
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@functools.lru_cache(maxsize=4096)
def parse_ip(text: str) -> IPAddress | None:
    """An IP address from a URL host or resolver answer, else None (a name)."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0]  # IPv6 zone id
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def classify_address(address: str | IPAddress) -> str | None:
    """Why this address must not be probed, or None when it is a public address.

    >>> classify_address("169.254.169.254")
    'cloud metadata'
    >>> classify_address("93.184.216.34") is None
    True
    """
    ip = parse_ip(address) if isinstance(address, str) else address
    if ip is None:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return classify_address(ip.ipv4_mapped)
        if ip in _NAT64:
            return classify_address(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None:
            reason = classify_address(ip.sixtofour)
            if reason:
                return reason
        if ip.teredo is not None:
            return "reserved (teredo)"
    if ip in _METADATA:
        return "cloud metadata"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "shared address space"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "not globally routable"
    return None


class PrivateAddressError(OSError):
    """Raised when a host is (or resolves to) an address the guard refuses."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        self.host = host
        self.address = address
        self.reason = reason
        where = address if host == address else f"{host} resolves to {address}"
        super().__init__(f"private address refused: {where} ({reason})")


def _split_host_port(spec: str) -> tuple[str, int | None]:
    spec = spec.strip()
    if spec.startswith("["):  # [::1] or [::1]:8080
        host, _, rest = spec[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif spec.count(":") == 1:
        host, port = spec.split(":")
    else:
        host, port = spec, ""
    if port and not port.isdigit():
        raise ValueError(f"bad port in {spec!r}")
    return host.lower().rstrip("."), int(port) if port else None


@dataclass(frozen=True)
class AddressGuard:
    """Decides whether a host (with port) may be contacted."""

    allow_hosts: frozenset[tuple[str, int | None]] = field(default_factory=frozenset)
    allow_private: bool = False

    @classmethod
    def from_options(cls, allow_hosts: list[str] | tuple[str, ...] = (), allow_private: bool = False) -> AddressGuard:
        """Build from ``--allow-host`` values (``HOST`` or ``HOST:PORT``; raises ValueError)."""
        return cls(frozenset(_split_host_port(h) for h in allow_hosts), allow_private)

    def is_allowed_host(self, host: str, port: int | None) -> bool:
        """True when the host itself is exempted by ``--allow-host`` or ``--allow-private``."""
        if self.allow_private:
            return True
        name = host.lower().strip("[]").rstrip(".")
        return (name, None) in self.allow_hosts or (name, port) in self.allow_hosts

    def check_address(self, host: str, port: int | None, address: str) -> None:
        """Raise :class:`PrivateAddressError` if ``host`` may not be reached at ``address``."""
        if self.is_allowed_host(host, port):
            return
        reason = classify_address(address)
        if reason is not None:
            raise PrivateAddressError(host.strip("[]"), address, reason)

    def check_literal(self, host: str, port: int | None) -> None:
        """Check a URL host that is an IP literal (aiohttp does not resolve those)."""
        ip = parse_ip(host)
        if ip is not None:
            self.check_address(host, port, str(ip))


class GuardedResolver(AbstractResolver):
    """A resolver that refuses host names resolving to any guarded address.

    If *any* address of the answer is refused, the host is refused: a name that
    mixes public and private answers is exactly how DNS rebinding attacks look.
    """

    def __init__(self, guard: AddressGuard, inner: AbstractResolver | None = None) -> None:
        self.guard = guard
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if self._inner is None:
            self._inner = ThreadedResolver()
        answers = await self._inner.resolve(host, port, family)
        for answer in answers:
            self.guard.check_address(host, port, answer["host"])
        return answers

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.close()

