"""The private-address guard: unit tests of the classifier, and loopback stand-ins end to end.

Addresses such as 10.0.0.1 or 169.254.169.254 are only classified here, never fetched.
"""

from __future__ import annotations

import asyncio
import socket

import pytest

from openshelf.links.check import Checker, CheckOptions
from openshelf.links.guard import AddressGuard, GuardedResolver, PrivateAddressError, classify_address

OPTS = CheckOptions(timeout=3.0, retries=0)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.0.0.2", "loopback"),
        ("::1", "loopback"),
        ("[::1]", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("fd00:ec2::254", "cloud metadata"),
        ("fc00::1", "private"),
        ("100.64.0.1", "shared address space"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),
        ("2002:7f00:1::1", "loopback"),
        ("example.org", "not an IP address"),
    ],
)
def test_refused_addresses(address, reason):
    assert classify_address(address) == reason


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34"])
def test_public_addresses_pass(address):
    assert classify_address(address) is None


def test_allow_host_with_and_without_port():
    guard = AddressGuard.from_options(["127.0.0.1:8080", "LocalHost", "[::1]:9000"])
    assert guard.is_allowed_host("127.0.0.1", 8080)
    assert not guard.is_allowed_host("127.0.0.1", 8081)
    assert guard.is_allowed_host("localhost", 1234)
    assert guard.is_allowed_host("[::1]", 9000)
    assert not guard.is_allowed_host("127.0.0.2", 8080)
    with pytest.raises(ValueError):
        AddressGuard.from_options(["host:port"])


def test_resolver_refuses_a_name_with_any_private_answer():
    class Mixed:
        async def resolve(self, host, port=0, family=socket.AF_INET):  # type: ignore[no-untyped-def]
            return [{"hostname": host, "host": a, "port": port, "family": socket.AF_INET, "proto": 0, "flags": 0}
                    for a in ("93.184.216.34", "10.0.0.1")]

        async def close(self) -> None:
            pass

    resolver = GuardedResolver(AddressGuard(), Mixed())  # type: ignore[arg-type]
    with pytest.raises(PrivateAddressError, match=r"rebind\.test resolves to 10\.0\.0\.1"):
        asyncio.run(resolver.resolve("rebind.test", 80))


def run(urls, allow=(), allow_private=False, resolver=None):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        guard = AddressGuard.from_options(list(allow), allow_private)
        async with Checker(OPTS, None, guard, resolver=resolver) as checker:
            return await checker.check_many(urls)

    return asyncio.run(asyncio.wait_for(go(), 30))


def test_loopback_is_skipped_by_default(server):
    before = server.hits["/ok"]
    out = run([server.url("/ok"), f"http://localhost:{server.port}/ok", f"http://[::1]:{server.port}/ok"])
    assert {o.verdict for o in out.values()} == {"skipped"}
    assert all("private address refused" in (o.error or "") for o in out.values())
    assert server.hits["/ok"] == before  # nothing reached the server


def test_allow_host_port_admits_only_that_server(server):
    out = run([server.url("/ok"), f"http://127.0.0.2:{server.port}/ok", f"http://localhost:{server.port}/ok"],
              allow=[server.host])
    assert out[server.url("/ok")].verdict == "ok"
    assert out[f"http://127.0.0.2:{server.port}/ok"].verdict == "skipped"
    assert out[f"http://localhost:{server.port}/ok"].verdict == "skipped"


def test_redirect_from_allowed_host_to_other_loopback_is_skipped(servers):
    server, other, _ = servers
    before = other.hits["/ok"]
    out = run([server.url("/to-loopback2"), server.url("/to-other-port")], allow=["127.0.0.1"])
    loop2 = out[server.url("/to-loopback2")]
    assert loop2.verdict == "skipped" and "127.0.0.2" in (loop2.error or "")
    other_port = out[server.url("/to-other-port")]
    assert other_port.verdict == "skipped" and "localhost resolves to 127.0.0.1" in (other_port.error or "")
    assert other.hits["/ok"] == before


def test_allow_private_exempts_everything(servers):
    server, _, _ = servers
    out = run([server.url("/to-other-port")], allow_private=True)
    assert out[server.url("/to-other-port")].verdict == "ok"


def test_guard_applies_to_resolved_names(server, fake_dns):
    dns = fake_dns({"innocent.test": "127.0.0.1", "named.test": "127.0.0.1"})
    out = run([f"http://innocent.test:{server.port}/ok", f"http://named.test:{server.port}/ok"],
              allow=["named.test"], resolver=dns)
    assert out[f"http://innocent.test:{server.port}/ok"].verdict == "skipped"
    assert out[f"http://named.test:{server.port}/ok"].verdict == "ok"
