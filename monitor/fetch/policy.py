"""The outbound policy: which addresses the service may connect to.

Feed URLs that the operator wrote in feeds.yaml are trusted as written, and so
is their *origin* (scheme, host and port): a feed on an intranet host may link to
its own article pages. Every other address (item links, article pages, a page
feed's links, every redirect hop) is resolved once, each resolved IP is checked,
and the connection goes to the checked IP; httpcore then does TLS with the
original host name (SNI and certificate check) and sends the original Host
header. A second DNS lookup, which a rebinding name could answer differently,
never happens.

Refused: loopback, private (RFC 1918), link-local (cloud metadata at
169.254.169.254 included), CGNAT 100.64/10, ULA fc00::/7 (fd00:ec2::254 included),
site-local fec0::/10, documentation 3fff::/20, SRv6 5f00::/16,
multicast, unspecified, reserved and documentation ranges, and the same inside
IPv4-mapped, IPv4-compatible (::/96), IPv4-translated (::ffff:0:0:0/96), NAT64 and
6to4 IPv6 addresses, and the local-use NAT64 prefix 64:ff9b:1::/48; that is, every
address that is not globally routable. `settings.allow_private` lists host names and
CIDRs that may be reached all the same.

The decision is made in `GuardedBackend.connect_tcp`, the one place where httpcore
opens a TCP connection. Whether the request's origin is trusted is passed there in
a context variable set by the `Fetcher` for the request; since httpcore pools
connections per origin and trust depends only on the origin, a pooled connection
never carries a decision over to a request it was not made for.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import ipaddress
import logging
import socket
import threading
from collections.abc import Iterable
from typing import Any

import anyio
import httpcore
import httpx
from httpcore._utils import is_socket_readable

from core.config import parse_allow_entry
from core.tls import client_context
from core.urls import origin

log = logging.getLogger("monitor.fetch")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215; where the IPv4 sits varies
# The last 32 bits are an IPv4 address: IPv4-compatible (deprecated; a host with Linux's sit0
# tunnels it to that address) and IPv4-translated (SIIT). Python counts both as global.
_EMBEDDING = (_NAT64, ipaddress.ip_network("::/96"), ipaddress.ip_network("::ffff:0:0:0/96"))
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
# Not globally routable, yet Python 3.11's is_global says they are: deprecated site-local
# (RFC 3879; routed inside old networks as fc00::/7 is), documentation 3fff::/20 (RFC 9637) and
# SRv6 segment identifiers 5f00::/16 (RFC 9602).
_V6_NOT_GLOBAL = tuple(ipaddress.ip_network(n) for n in ("fec0::/10", "3fff::/20", "5f00::/16"))

# Set by the Fetcher around each request: True when the request's origin is the
# operator's own (a feed URL's origin), so its address is not checked.
request_trusted: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "request_trusted", default=False
)


class AddressRefused(Exception):
    """A connection to a non-public address that the policy does not allow."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.address = address
        super().__init__(
            f"refused: {host} resolves to the non-public address {address} "
            "(list it in settings.allow_private to allow it)"
        )


def _embedded_v4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if any(ip in net for net in _EMBEDDING):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def is_public(ip: IPAddress) -> bool:
    """True for a globally routable unicast address (see the module docstring)."""
    inner = _embedded_v4(ip)
    if inner is not None:
        return is_public(inner)
    if ip.is_multicast or ip.is_unspecified or ip.is_loopback or ip.is_link_local:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and (
        ip in _LOCAL_NAT64 or any(ip in net for net in _V6_NOT_GLOBAL)
    ):
        return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return False
    return ip.is_global


MAX_REPORTED = 1_000  # refused hosts remembered as logged


class OutboundPolicy:
    """Trusted origins (the operator's feed URLs) and the allow list; logs refusals once
    per host."""

    def __init__(self, allow_private: Iterable[str] = ()) -> None:
        self._trusted: set[tuple[str, str, int]] = set()
        self._hosts: frozenset[str] = frozenset()
        self._networks: tuple[IPNetwork, ...] = ()
        self._allow_source: tuple[str, ...] | None = None
        self._reported: set[str] = set()
        self.set_allowed(allow_private)

    def set_allowed(self, allow_private: Iterable[str]) -> bool:
        """Replace the allow list; True when it changed (cheap when it has not: called on
        every poll so that a reloaded config applies)."""
        source = tuple(allow_private)
        if source == self._allow_source:
            return False
        entries = [parse_allow_entry(e) for e in source]
        self._hosts = frozenset(e for e in entries if isinstance(e, str))
        self._networks = tuple(e for e in entries if not isinstance(e, str))
        self._allow_source = source
        return True

    def trust(self, url: str) -> bool:
        """Trust the origin of a feed URL the operator wrote; True when it was not yet."""
        key = origin(url)
        if key is None or key in self._trusted:
            return False
        self._trusted.add(key)
        return True

    def trust_only(self, urls: Iterable[str]) -> None:
        """Trust the origins of these feed URLs and no others (a reload removed feeds)."""
        self._trusted = {key for key in map(origin, urls) if key is not None}

    def is_trusted(self, url: str) -> bool:
        key = origin(url)
        return key is not None and key in self._trusted

    def host_allowed(self, host: str) -> bool:
        return host.lower().rstrip(".") in self._hosts

    def address_allowed(self, ip: IPAddress) -> bool:
        return is_public(ip) or any(ip in net for net in self._networks)

    def report(self, refused: AddressRefused) -> None:
        """Log a refusal the first time its host is refused (again once MAX_REPORTED other
        hosts were: item links name new hosts for as long as the service runs)."""
        if refused.host not in self._reported:
            if len(self._reported) >= MAX_REPORTED:
                self._reported.clear()
            self._reported.add(refused.host)
            log.warning("%s", refused)


AddrInfo = list[tuple[Any, ...]]
_lookups: dict[tuple[str, int], concurrent.futures.Future[AddrInfo]] = {}
_lookups_lock = threading.Lock()


def lookup(host: str, port: int) -> concurrent.futures.Future[AddrInfo]:
    """getaddrinfo for `host` in a daemon thread of its own; a name already being looked up
    is not looked up again: its callers share the answer.

    A lookup the resolver does not answer holds its thread until the C library gives up,
    whatever its caller's timeout. In asyncio's default executor (6 threads on 2 cores) a
    few such names held every thread: other feeds' lookups waited there until their own
    connect timeout, and so did the service's other thread work (parsing, database writes).
    Daemon threads also never hold up the process's exit."""
    key = (host.lower(), port)
    with _lookups_lock:
        future = _lookups.get(key)
        if future is None:
            future = _lookups[key] = concurrent.futures.Future()
            future.set_running_or_notify_cancel()  # a caller's timeout cannot cancel it for all
            try:
                threading.Thread(target=_look_up, args=(key, future), name="dns", daemon=True).start()
            except RuntimeError as exc:  # "can't start new thread": this lookup fails, the next is tried
                del _lookups[key]  # kept, the name's every later lookup waited for a thread never run
                future.set_exception(exc)
    return future


def _look_up(key: tuple[str, int], future: concurrent.futures.Future[AddrInfo]) -> None:
    try:
        infos: AddrInfo = socket.getaddrinfo(key[0], key[1], type=socket.SOCK_STREAM)
    except Exception as exc:  # noqa: BLE001 - handed to the callers
        with _lookups_lock:
            del _lookups[key]
        future.set_exception(exc)
        return
    with _lookups_lock:
        del _lookups[key]
    future.set_result(infos)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the policy applied between lookup and connect."""

    def __init__(self, policy: OutboundPolicy, inner: httpcore.AsyncNetworkBackend | None = None):
        self.policy = policy
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        check = not request_trusted.get() and not self.policy.host_allowed(host)
        addresses = await self._resolve(host, port, timeout)
        if check:
            allowed = [a for a in addresses if self.policy.address_allowed(a)]
            if not allowed:
                raise AddressRefused(host, str(addresses[0]))
            addresses = allowed
        last: Exception | None = None
        # IPv4 first: an unreachable IPv6 route fails slowly, an absent IPv4 one at once.
        addresses.sort(key=lambda a: a.version)
        for address in addresses:  # connect to the checked address itself: no second lookup
            try:
                stream = await self.inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options,
                )
                return QuickCheckStream(stream, stream.get_extra_info("socket"))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        try:
            return [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            pass
        try:
            with anyio.fail_after(timeout):
                infos = await asyncio.wrap_future(lookup(host, port))
        except TimeoutError:
            waited = f" after {timeout:g}s" if timeout is not None else ""
            raise httpcore.ConnectTimeout(f"name lookup of {host} timed out{waited}") from None
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        out: list[IPAddress] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if ip not in out:
                out.append(ip)
        if not out:
            raise httpcore.ConnectError(f"cannot resolve {host}")
        return out

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by the fetcher")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class QuickCheckStream(httpcore.AsyncNetworkStream):
    """A connection's stream that answers "has the server closed it?" (is the socket readable)
    from the socket it was opened on. httpcore asks it of every idle connection of the pool at
    each request, about 30 times a request, and anyio found the socket by building the stream's
    whole table of attributes each time, its peer's address (a system call) included: 6.4 against
    0.8 us a check; the 304 pass over 1,000 feeds 9 % less CPU on a quiet host, 23 % beside a
    running test suite (docs/INGESTION.md, "Benchmark"). After TLS the stream reads the same
    socket, so the answer is the same."""

    def __init__(self, inner: httpcore.AsyncNetworkStream, sock: socket.socket | None) -> None:
        self._inner = inner
        self._sock = sock

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return QuickCheckStream(await self._inner.start_tls(ssl_context, server_hostname, timeout), self._sock)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._sock is not None:
            return is_socket_readable(self._sock)  # httpcore's own check, on the socket kept
        return self._inner.get_extra_info(info)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool that connects through `GuardedBackend`.

    Proxies from the environment are not used: a proxy resolves names itself, so
    the policy could not be enforced through it.
    """

    def __init__(self, policy: OutboundPolicy, *, limits: httpx.Limits) -> None:
        super().__init__(verify=client_context(), limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=client_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )
