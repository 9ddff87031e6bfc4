"""`Fetcher`: one httpx.AsyncClient shared by every feed, with limits that protect
the service (timeouts, an overall deadline, a body size cap, a redirect cap) and
the sites (a global and a per-host concurrency limit, conditional GET, robots.txt).

Redirects are followed by hand so that a permanent one (301/308) can be reported
and remembered as the feed's new URL. `fetch()` never raises for a network or
HTTP problem: the result carries `error` instead.

Every connection goes through the outbound policy (`monitor.fetch.policy`): only
the origins of the operator's feed URLs (`trust()`) may be non-public addresses.
Bodies are read raw and decoded with an output limit (`monitor.fetch.decode`).
Error texts never carry a URL's userinfo.

Cookies live for one fetch: a site's cookie check (`302` + `Set-Cookie` back to the feed) is
followed with the cookie it set, and forgotten when the fetch ends. Kept for the process's
life (httpx's default), a site that sets a new cookie on every visit grew its Cookie header
until the site answered 400 to every poll, and a metered paywall counted the articles read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from urllib.parse import urljoin, urlsplit

import httpx

from core.config import Settings, header_safe
from core.durations import MAX_DURATION
from core.urls import redact_userinfo
from monitor.fetch.decode import BadEncoding, BoundedBody, TooLarge
from monitor.fetch.policy import AddressRefused, GuardedTransport, OutboundPolicy, request_trusted
from monitor.fetch.robots import RobotsCache
from monitor.fetch.server_clocks import ServerClocks

log = logging.getLogger("monitor.fetch")

PERMANENT = (301, 308)
REDIRECTS = (301, 302, 303, 307, 308)
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass
class FetchResult:
    """The outcome of one fetch. `error` is None when a response with status < 400 arrived."""

    url: str
    final_url: str
    status: int | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    error: str | None = None
    permanent_redirect: str | None = None  # where the URL moved for good, if it did
    retry_after: float | None = None  # seconds, from a 429/503 Retry-After
    refused: str | None = None  # the host the outbound policy refused, if it did
    unsent: bool = False  # a request header could not be encoded: nothing reached the server

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), at most
    MAX_DURATION: a server's 99999999999999999 overflowed timedelta where the wait was used."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_DURATION.total_seconds())  # 400 nines: inf
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # an absurd zone offset
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - (now or datetime.now(UTC))).total_seconds()), MAX_DURATION.total_seconds())


def usable_validator(value: str | None) -> str | None:
    """An ETag or Last-Modified as it can be stored and sent back: printable ASCII, else None.

    A server may send one httpx cannot put in a request (`Last-Modified: mié, 03 dic 2025 …`
    from PHP under a Spanish locale, `ETag: "nota-é"`); sent back, it would fail every poll."""
    if not value:
        return None
    value = value.strip()
    return value if value and header_safe(value) else None


@dataclass
class _HostLimit:
    slots: asyncio.Semaphore
    users: int = 0  # fetches holding or waiting for a slot


class Fetcher:
    """Shared HTTP client. Use as `async with Fetcher(settings) as f:` or call `aclose()`.

    `deadline` bounds one whole fetch (redirects and body included); by default
    request_timeout + connect_timeout. The read timeout (a stall between bytes)
    is settings.request_timeout. `trusted` are feed URLs the operator wrote (see
    `trust()`).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        deadline: float | None = None,
        trusted: tuple[str, ...] | list[str] = (),
    ) -> None:
        self.settings = settings
        read = settings.request_timeout.total_seconds()
        connect = settings.connect_timeout.total_seconds()
        self.deadline = deadline if deadline is not None else read + connect
        self.max_body = settings.max_body_bytes
        self.max_redirects = settings.max_redirects
        self.user_agent = settings.user_agent_header
        self.policy = OutboundPolicy(settings.allow_private)
        for url in trusted:
            self.policy.trust(url)
        self._timeout = httpx.Timeout(read, connect=connect, pool=read + connect)
        self._client = self._new_client()
        self._retired: set[asyncio.Task[None]] = set()
        self._all = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, _HostLimit] = {}  # hosts with a fetch running or waiting
        self.robots = RobotsCache(self)
        self.server_clocks = ServerClocks()  # this host's clock against the servers' Date

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _new_client(self) -> httpx.AsyncClient:
        limits = httpx.Limits(
            max_connections=self.settings.concurrency,
            max_keepalive_connections=self.settings.concurrency,
        )
        return httpx.AsyncClient(
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate, br"},
            cookies=_no_cookies(),  # the client keeps none: each fetch has its own (`_follow`)
            timeout=self._timeout,
            follow_redirects=False,
            trust_env=False,
            transport=GuardedTransport(self.policy, limits=limits),
        )

    async def aclose(self) -> None:
        retiring = list(self._retired)
        for task in retiring:
            task.cancel()  # closes its client at once
        await asyncio.gather(*retiring, return_exceptions=True)
        await self._client.aclose()

    def trust(self, feed_url: str) -> None:
        """Trust the origin (scheme, host, port) of a feed URL the operator wrote."""
        if self.policy.trust(feed_url):
            self.robots.forget_refused()

    def trust_only(self, feed_urls: list[str]) -> None:
        """Trust the origins of these feed URLs only: a feed removed from the config is no
        longer trusted (nor kept)."""
        self.policy.trust_only(feed_urls)

    def allow_private(self, entries: list[str]) -> None:
        """Apply settings.allow_private (after a config reload). When it changed, pooled
        connections made under the old list are not reused: new requests go through a new
        client, and the old one is closed once its requests had time to finish; sites refused
        so far are asked again."""
        if not self.policy.set_allowed(entries):
            return
        self.robots.forget_refused()
        old, self._client = self._client, self._new_client()
        task = asyncio.get_running_loop().create_task(self._retire(old))
        self._retired.add(task)
        task.add_done_callback(self._retired.discard)

    async def _retire(self, client: httpx.AsyncClient) -> None:
        try:
            await asyncio.sleep(self.deadline + 1)
        finally:
            await client.aclose()

    @asynccontextmanager
    async def _host_limit(self, url: str) -> AsyncIterator[None]:
        """A slot of the per-host limit. A host is forgotten when its last fetch ends: item
        links name new hosts for as long as the service runs."""
        host = (urlsplit(url).hostname or "").lower()
        limit = self._hosts.get(host)
        if limit is None:
            limit = self._hosts[host] = _HostLimit(asyncio.Semaphore(self.settings.per_host_concurrency))
        limit.users += 1
        try:
            async with limit.slots:
                yield
        finally:
            limit.users -= 1
            if not limit.users:
                del self._hosts[host]

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
        check_robots: bool = False,
    ) -> FetchResult:
        """GET `url` politely; conditional when `etag`/`last_modified` are given (and usable:
        `usable_validator`). A conditional request that could not be sent (a validator httpx
        refuses) is made again without its validators."""
        if (invalid := _invalid_url(url)) is not None:
            return FetchResult(url, url, error=invalid)
        if check_robots:
            allowed, why = await self.robots.allowed(url)
            if not allowed:
                return FetchResult(url, url, error=why, refused=self.robots.refused_host(url))
        headers = {"Accept": accept}
        conditional: dict[str, str] = {}
        if etag := usable_validator(etag):
            conditional["If-None-Match"] = etag
        if last_modified := usable_validator(last_modified):
            conditional["If-Modified-Since"] = last_modified
        # the host's slot first: a fetch waiting for a slow host holds none of the others'
        async with self._host_limit(url), self._all:
            try:
                async with asyncio.timeout(self.deadline):
                    result = await self._follow(url, headers | conditional)
                    if conditional and result.unsent:
                        log.info("%s: validators not sendable (%s); fetching unconditionally",
                                 redact_userinfo(url), result.error)
                        result = await self._follow(url, headers)
                    return result
            except TimeoutError:
                return FetchResult(url, url, error=f"timed out after {self.deadline:g}s")

    async def _follow(self, url: str, headers: dict[str, str]) -> FetchResult:
        """Follow redirects by hand. A URL seen before is a loop, unless the response that
        leads back to it set a cookie (a cookie check: `302 Location: /feed` with Set-Cookie,
        then the feed once the cookie comes back); that return is allowed once per URL. The
        cookies set along the way are this fetch's only (module docstring)."""
        current, moved_to, permanent_so_far = url, None, True
        cookies = httpx.Cookies()
        seen = {url}
        returned: set[str] = set()  # URLs come back to once, after a cookie was set
        for _hop in range(self.max_redirects + 1):
            result = await self._get(url, current, headers, cookies)
            if result.refused is not None:  # a feed never moves to a refused address
                return result
            if result.error is not None and result.status is None:
                result.permanent_redirect = moved_to
                return result
            status = result.status or 0
            location = (result.headers.get("location") or "").strip()
            if status in REDIRECTS and not location:
                result.error = f"HTTP {status} without a Location header"
            if status not in REDIRECTS or not location:
                result.permanent_redirect = moved_to
                return result
            try:
                target = urljoin(current, location)
            except ValueError:  # "http://[oops": an unclosed IPv6 host
                shown = redact_userinfo(location)[:200]
                return FetchResult(url, current, status, error=f"redirect to an invalid URL {shown!r}")
            if urlsplit(target).scheme not in ("http", "https"):
                shown = redact_userinfo(target)[:200]
                return FetchResult(url, current, status, error=f"redirect to unsupported {shown!r}")
            if permanent_so_far and status in PERMANENT:
                moved_to = target
            else:
                permanent_so_far = False
            if target in seen:
                if "set-cookie" not in result.headers or target in returned:
                    return FetchResult(
                        url, target, status, error="redirect loop", permanent_redirect=moved_to
                    )
                returned.add(target)
            seen.add(target)
            current = target
        return FetchResult(
            url, current, error=f"more than {self.max_redirects} redirects",
            permanent_redirect=moved_to,
        )

    async def _get(
        self, url: str, current: str, headers: dict[str, str], cookies: httpx.Cookies
    ) -> FetchResult:
        token = request_trusted.set(self.policy.is_trusted(current))
        try:
            return await self._get_checked(url, current, headers, cookies)
        except AddressRefused as exc:
            self.policy.report(exc)
            return FetchResult(url, current, error=str(exc), refused=exc.host)
        finally:
            request_trusted.reset(token)

    async def _get_checked(
        self, url: str, current: str, headers: dict[str, str], cookies: httpx.Cookies
    ) -> FetchResult:
        try:
            target, auth = _split_userinfo(current)  # credentials go in a header, not the URL
            async with self._send(target, headers, auth, cookies) as response:
                result = FetchResult(
                    url, current, response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                )
                self.server_clocks.observe(current, result.headers.get("date"), age=result.headers.get("age"))
                if response.status_code == 304:
                    # a 304 has no body: reading its end lets the connection be reused (a
                    # response closed unread closes its connection: a new one per poll)
                    await response.aread()
                    return result
                if response.status_code in REDIRECTS:
                    return result
                if response.status_code >= 400:
                    result.error = f"HTTP {response.status_code}"
                    if response.status_code in (429, 503):
                        result.retry_after = parse_retry_after(response.headers.get("retry-after"))
                    return result
                result.body = await self._read_capped(response)
                return result
        except TooLarge:
            return FetchResult(url, current, error=f"body larger than {self.max_body:,} bytes (settings.max_body_bytes)")
        except BadEncoding as exc:
            return FetchResult(url, current, error=f"bad content encoding: {exc}")
        except httpx.ConnectTimeout as exc:  # a name lookup that timed out says so
            lookup = str(exc).startswith("name lookup")
            return FetchResult(url, current, error=_first_line(exc) if lookup else "connect timeout")
        except httpx.ReadTimeout:
            return FetchResult(url, current, error="read timeout (server stalled)")
        except httpx.TimeoutException as exc:
            return FetchResult(url, current, error=f"timeout ({type(exc).__name__})")
        except httpx.RemoteProtocolError as exc:
            return FetchResult(url, current, error=f"protocol error: {_first_line(exc)}")
        except httpx.DecodingError as exc:
            return FetchResult(url, current, error=f"bad content encoding: {_first_line(exc)}")
        except (UnicodeEncodeError, httpx.LocalProtocolError) as exc:  # a header not sendable
            return FetchResult(
                url, current, error=f"request not sent: {type(exc).__name__}: {_first_line(exc)}",
                unsent=True,
            )
        except httpx.HTTPError as exc:
            return FetchResult(url, current, error=f"{type(exc).__name__}: {_first_line(exc)}")
        except (OSError, ValueError, httpx.InvalidURL) as exc:  # e.g. an invalid header value
            return FetchResult(url, current, error=f"{type(exc).__name__}: {_first_line(exc)}")

    @asynccontextmanager
    async def _send(
        self, target: httpx.URL, headers: dict[str, str], auth: httpx.BasicAuth | None,
        cookies: httpx.Cookies,
    ) -> AsyncIterator[httpx.Response]:
        """`client.stream("GET", …)` with the fetch's own cookies (domain and path matched by
        the standard library's jar, as the client's would be).

        Sent again once when the server closed or reset the connection before the response's
        head: a kept-alive connection whose idle timeout ran out as the request went out
        (httpcore checks a pooled connection before reusing it, but not that race). httpx does
        not retry it: every other poll of a server that closes a connection at its second
        request failed, and 15-18 of 200 fetches timed at a server's 0.2 s idle timeout (a
        reset, ReadError, or "Server disconnected without sending a response"). A GET is safe
        to send again. Not when the connection was new: that server read the request and
        chose to close (overloaded, rate-limiting, or crashed after acting on it), and asking
        again at once doubled what it counted."""
        request = self._client.build_request("GET", target, headers=headers)
        cookies.set_cookie_header(request)
        connected = False

        async def trace(event: str, info: dict[str, object]) -> None:  # httpcore's `trace` extension
            nonlocal connected
            connected = connected or event.endswith("connect_tcp.started")

        request.extensions["trace"] = trace
        try:
            response = await self._client.send(request, auth=auth, stream=True)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            if connected:
                raise  # a new connection: not the kept-alive race
            if isinstance(exc, httpx.RemoteProtocolError) and _UNANSWERED not in str(exc):
                raise  # an answer httpx could not read: asking again gets the same
            response = await self._client.send(request, auth=auth, stream=True)
        try:
            cookies.extract_cookies(response)
            yield response
        finally:
            await response.aclose()

    async def _read_capped(self, response: httpx.Response) -> bytes:
        """The body, decoded, at most max_body bytes (raw and decoded alike)."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise TooLarge
        body = BoundedBody(response.headers.get("content-encoding"), self.max_body)
        async for raw in response.aiter_raw():
            body.feed(raw)
        return body.finish()


_UNANSWERED = "Server disconnected without sending a response"  # httpcore's words


def _no_cookies() -> CookieJar:
    """A jar that takes no cookie, for the client (httpx's own would keep every cookie, for
    good). A jar, not `httpx.Cookies`: the client copies a `Cookies` into a jar of the default
    policy."""
    return CookieJar(DefaultCookiePolicy(allowed_domains=[]))


def _invalid_url(url: str) -> str | None:
    """Why `url` cannot be requested, or None. A link taken from content may be anything
    (`http://0177.0.0.1/`, `http://[::1/`): httpx and urllib raise on it rather than fail."""
    try:
        urlsplit(url).port  # noqa: B018 - parsing the port is the check
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        return f"invalid URL: {_first_line(exc)}"
    return None


def _split_userinfo(url: str) -> tuple[httpx.URL, httpx.BasicAuth | None]:
    """The URL without its userinfo, and that userinfo as Basic auth: httpx would keep it
    in the URL it logs."""
    parsed = httpx.URL(url)
    if not parsed.userinfo:
        return parsed, None
    auth = httpx.BasicAuth(parsed.username, parsed.password)
    return parsed.copy_with(username=None, password=None), auth


def _first_line(exc: BaseException) -> str:
    text = redact_userinfo(str(exc).strip())
    return text.splitlines()[0][:300] if text else type(exc).__name__
