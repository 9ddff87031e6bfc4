"""The outbound policy at the fetcher: the operator's feed origins are trusted, every other
address is checked after resolution, and the connection goes to the checked address.

Everything is served on 127.0.0.1: the trusted feed server is the operator's own
feed; a second server on another port plays an internal service.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest

from core.config import Settings
from core.urls import origin
from devtools.feedserver import FeedServer
from monitor.fetch import Fetcher
from monitor.fetch import policy as policy_module
from monitor.fetch.policy import is_public

BODY = b"<rss version='2.0'><channel><title>x</title></channel></rss>"
SECRET = b"internal-service-secret-7f3a"


@pytest.fixture
def internal() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        srv.set_route("/", SECRET, content_type="text/html")
        srv.set_route("/page", b"<html><body><p>" + SECRET + b"</p></body></html>",
                      content_type="text/html")
        yield srv


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1",
    "100.127.255.254", "169.254.169.254", "169.254.1.1", "fe80::1", "fc00::1", "fd00:ec2::254",
    "224.0.0.1", "239.255.255.250", "ff02::1", "0.0.0.0", "::", "::ffff:127.0.0.1",
    "::ffff:10.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1", "2002:a9fe:a9fe::1", "192.0.2.1",
    "240.0.0.1", "255.255.255.255", "::127.0.0.1", "::a9fe:a9fe", "::10.0.0.1",
    "::ffff:0:127.0.0.1", "::ffff:0:a9fe:a9fe", "64:ff9b:1::a9fe:a9fe", "64:ff9b:1::808:808",
    "64:ff9b::a00:1", "febf::1", "fdff:ffff::1",
    # Python 3.11 calls these global: site-local (deprecated), documentation, SRv6 SIDs
    "fec0::1", "feff::1", "3fff::1", "3fff:fff:ffff::1", "5f00::1",
])
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111",
                                     "64:ff9b::808:808", "::ffff:8.8.8.8", "3ffe::1",
                                     "2a00:1450:4001::1"])
def test_public_addresses_pass(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


def test_origin_is_scheme_host_and_port() -> None:
    assert origin("https://Example.ORG/feed") == ("https", "example.org", 443)
    assert origin("http://example.org:80/x") == origin("http://example.org/y")
    assert origin("http://example.org:8080/") != origin("http://example.org/")
    assert origin("https://example.org/") != origin("http://example.org/")
    assert origin("ftp://example.org/") is None


async def test_content_address_on_loopback_is_refused_and_never_reached(
    server: FeedServer, internal: FeedServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    server.set_route("/feed", BODY)
    caplog.set_level(logging.WARNING, "monitor.fetch")
    async with Fetcher(settings, trusted=[server.url("/feed")]) as fetcher:
        assert (await fetcher.fetch(server.url("/feed"))).ok  # the operator's own feed
        for _ in range(3):
            refused = await fetcher.fetch(internal.url("/page"))
            assert not refused.ok and refused.refused == "127.0.0.1"
            assert "non-public address 127.0.0.1" in (refused.error or "")
            assert "allow_private" in (refused.error or "")
        article = await fetcher.fetch(internal.url("/page"), check_robots=True)
        assert not article.ok and article.refused == "127.0.0.1"
    assert internal.hits("/page") == [] and internal.hits("/robots.txt") == []
    assert SECRET not in refused.body
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1  # once per host


@pytest.mark.parametrize("host", ["[::127.0.0.1]", "[::ffff:0:127.0.0.1]", "[64:ff9b:1::7f00:1]"])
async def test_loopback_inside_ipv6_forms_python_calls_global_is_refused(
    host: str, internal: FeedServer, settings: Settings
) -> None:
    """IPv4-compatible, IPv4-translated and local-use NAT64 addresses carry an IPv4 address
    that a tunnel or translator delivers to; they were not checked, and connected to."""
    async with Fetcher(settings) as fetcher:
        result = await fetcher.fetch(f"http://{host}:{internal.port}/page")
    assert not result.ok and result.refused == host.strip("[]"), result.error
    assert internal.hits("/page") == []


async def test_refused_hosts_of_item_links_are_not_kept_for_ever(
    settings: Settings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item links name new hosts for months: the hosts whose refusal was logged are not all
    kept (5,000 refused addresses were 5,000 entries); a refusal is logged again once
    MAX_REPORTED other hosts were refused after it."""
    monkeypatch.setattr(policy_module, "MAX_REPORTED", 50, raising=False)
    caplog.set_level(logging.WARNING, "monitor.fetch")
    async with Fetcher(settings) as fetcher:
        for i in range(200):
            refused = await fetcher.fetch(f"http://10.0.{i // 256}.{i % 256}/nota")
            assert refused.refused == f"10.0.{i // 256}.{i % 256}"
        assert len(fetcher.policy._reported) <= 50
        again = await fetcher.fetch("http://10.0.0.199/otra")  # logged a moment ago: not again
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 200 and again.refused == "10.0.0.199"


async def test_redirects_to_an_internal_address_are_refused(
    server: FeedServer, internal: FeedServer, settings: Settings
) -> None:
    server.set_route("/moved", redirect=internal.url("/page"), status=301)
    server.set_route("/hop", redirect=internal.url("/"), status=302)
    server.set_route("/same-origin", redirect="/feed", status=301)
    server.set_route("/feed", BODY)
    async with Fetcher(settings, trusted=[server.url("/feed")]) as fetcher:
        moved = await fetcher.fetch(server.url("/moved"))
        assert not moved.ok and moved.refused and moved.permanent_redirect is None
        hop = await fetcher.fetch(server.url("/hop"))
        assert not hop.ok and hop.refused
        same = await fetcher.fetch(server.url("/same-origin"))
        assert same.ok and same.body == BODY and same.permanent_redirect == server.url("/feed")
    assert internal.hits("/page") == [] and internal.hits("/") == []


async def test_allow_private_by_cidr_and_by_host_name(
    internal: FeedServer, settings: Settings
) -> None:
    by_cidr = settings.model_copy(update={"allow_private": ["127.0.0.0/8"]})
    async with Fetcher(by_cidr) as fetcher:
        assert (await fetcher.fetch(internal.url("/page"))).ok
    by_name = settings.model_copy(update={"allow_private": ["LOCALHOST"]})
    named = internal.url("/page").replace("127.0.0.1", "localhost")
    async with Fetcher(by_name) as fetcher:
        result = await fetcher.fetch(named)
        assert result.ok and SECRET in result.body
        other = await fetcher.fetch(internal.url("/page"))  # 127.0.0.1 is not "localhost"
        assert not other.ok and other.refused
    # The connection went to the resolved address, the Host header kept the name.
    assert internal.hits("/page")[-1].headers["host"] == f"localhost:{internal.port}"


async def test_reloaded_allow_list_applies(internal: FeedServer, settings: Settings) -> None:
    async with Fetcher(settings) as fetcher:
        assert (await fetcher.fetch(internal.url("/"))).refused
        fetcher.allow_private(["127.0.0.1"])
        assert (await fetcher.fetch(internal.url("/"))).ok
        fetcher.allow_private([])
        assert (await fetcher.fetch(internal.url("/"))).refused


async def test_a_site_refused_before_is_fetched_once_the_policy_allows_it(
    internal: FeedServer, settings: Settings
) -> None:
    """robots.txt of a refused site is cached as refused for 10 minutes: after a reload that
    listed the host in allow_private, or added a feed on that origin, its pages were still
    refused, with an error asking to list the host in allow_private."""
    async with Fetcher(settings) as fetcher:
        assert (await fetcher.fetch(internal.url("/page"), check_robots=True)).refused
        fetcher.allow_private(["127.0.0.1"])
        result = await fetcher.fetch(internal.url("/page"), check_robots=True)
        assert result.ok and SECRET in result.body, result.error
    async with Fetcher(settings) as fetcher:
        assert (await fetcher.fetch(internal.url("/page"), check_robots=True)).refused
        fetcher.trust(internal.url("/feed"))  # a page feed on that origin, added by a reload
        result = await fetcher.fetch(internal.url("/page"), check_robots=True)
        assert result.ok and SECRET in result.body, result.error
    assert len(internal.hits("/robots.txt")) == 2


async def test_one_lookup_per_connection_no_rebinding(
    internal: FeedServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that answers a public address first and loopback afterwards (DNS rebinding):
    the connection goes to the checked public address, never to the internal server."""
    real = socket.getaddrinfo
    answers: list[str] = []

    def rebinding(host: object, port: object, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        address = "8.8.8.8" if not answers else "127.0.0.1"
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    quick = settings.model_copy(update={"connect_timeout": timedelta(seconds=0.1)})
    async with Fetcher(quick, deadline=1.0) as fetcher:
        result = await fetcher.fetch(f"http://rebind.test:{internal.port}/page")
    assert not result.ok
    assert answers == ["8.8.8.8"]  # resolved once; the connect used that answer
    assert internal.hits("/page") == []
