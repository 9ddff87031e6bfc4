"""/healthz and /metrics on a loopback HTTP endpoint (settings.http_listen).

A stdlib threaded server keeps the endpoint answering even while the event
loop is busy, which is exactly when an operator wants to look. Requests that come
while a check (or the page, the chart, the metrics' text) is being made wait for it and
share its result, so they take one database connection, not one each, and one scrape's CPU.
"""

from __future__ import annotations

import errno
import gzip
import io
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.exposition import gzip_accepted

from monitor.metrics import Metrics

REQUEST_TIMEOUT = 10.0  # seconds a client may take to send its request
CHECK_TIMEOUT = 3.0  # seconds /healthz waits for its check (the Dockerfile's probe gives up at 4)
PAGE_TIMEOUT = 30.0  # seconds the status page and the chart wait for theirs
# zlib's level 6: 10.6 MB of text at 10,000 feeds to 0.47 MB in 0.05 s of CPU (level 9,
# prometheus_client's own, 0.46 MB in 0.3 s)
GZIP_LEVEL = 6

log = logging.getLogger("monitor.health")
UNAVAILABLE = "<!doctype html><title>Monitor status</title><p>status unavailable: see /healthz</p>"


class _ReadBefore(io.RawIOBase):
    """A socket's reads, each allowed only the time left until `deadline`: the socket's own
    timeout is per read, so a client sending a byte every few seconds would never meet it."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("request not received in time")  # the stdlib handler drops it
        self.sock.settimeout(left)
        return self.sock.recv_into(buffer)


class _OneAtATime:
    """`fn()` run by one thread at a time; callers arriving while it runs share its result.

    Each request has a thread of its own, and each check takes a pooled database
    connection: 30 uptime probes meeting a table lock used up the pool and stalled the
    service's own statements for the lock timeout. `fn` runs in a thread of its own and each
    caller waits for it at most `timeout` seconds (TimeoutError): a statement on a PostgreSQL
    server that stopped answering (its host frozen) waits without end, and so did /healthz."""

    def __init__(self, fn: Callable[[], Any], timeout: float | None = None) -> None:
        self.fn = fn
        self.timeout = timeout
        self.lock = threading.Lock()
        self.running: Future[Any] | None = None

    def __call__(self) -> Any:
        with self.lock:
            if self.running is None:
                self.running = Future()
                try:
                    threading.Thread(target=self._run, args=(self.running,), name="health-check",
                                     daemon=True).start()
                except RuntimeError:  # "can't start new thread" (TasksMax): kept, every later call waited for it
                    self.running = None
                    raise
            shared = self.running
        return shared.result(self.timeout)

    def _run(self, shared: Future[Any]) -> None:
        try:
            shared.set_result(self.fn())
        except BaseException as exc:  # given to every caller waiting
            shared.set_exception(exc)
        finally:
            with self.lock:
                self.running = None


class _Exposition:
    """One scrape's text, shared by the requests that waited for it, and its gzip, made once
    for all of them by the first that accepts it (Prometheus asks for gzip; curl does not)."""

    def __init__(self, text: bytes) -> None:
        self.text = text
        self._gzipped: bytes | None = None
        self._lock = threading.Lock()

    def gzipped(self) -> bytes:
        with self._lock:
            if self._gzipped is None:
                self._gzipped = gzip.compress(self.text, compresslevel=GZIP_LEVEL, mtime=0)
            return self._gzipped


class _ThreadingHTTPServerV6(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def listen_failure(listen: str, exc: OSError) -> str:
    """One line for an `http_listen` the service cannot listen on, with what to do: the
    service runs on without /healthz and /metrics, and `monitor status` asks that address."""
    what = {errno.EADDRINUSE: "another process listens there (another monitor?)",
            errno.EADDRNOTAVAIL: "it is not an address of this host",
            errno.EACCES: "ports under 1024 need privileges"}.get(exc.errno or 0, "")
    return (f"health endpoint {listen} unavailable: {exc.strerror or exc}{': ' + what if what else ''}; "
            "set settings.http_listen to a free address of this host and restart (until then no "
            "/healthz, /metrics or status page, and `monitor status` may ask another process)")


class _Handler(BaseHTTPRequestHandler):
    """One request to the health listener: `/healthz`, `/metrics`, the status page and its
    chart; `health` is the server it answers for (set on the subclass each one makes)."""

    health: HealthServer
    timeout: float  # REQUEST_TIMEOUT as the server was built
    head = False

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the socket's own file: replaced by one that keeps the deadline
        deadline = time.monotonic() + self.timeout
        self.rfile = io.BufferedReader(_ReadBefore(self.connection, deadline))

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self.connection.settimeout(self.timeout)  # the reply gets the whole timeout
        return parsed

    def do_HEAD(self) -> None:  # noqa: N802 (stdlib API): uptime checkers ask HEAD
        self.head = True
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802 (stdlib API)
        path = self.path.split("?", 1)[0]
        server = self.health
        if path == "/healthz":
            report = server.safe_check()
            body = json.dumps(report, default=str).encode()
            self._reply(200 if report["status"] == "ok" else 503, "application/json", body)
        elif path == "/metrics":
            self._metrics()
        elif path == "/" and server.page is not None:
            status, html = server.safe_page()
            self._reply(status, "text/html; charset=utf-8", html.encode())
        elif path == "/tally.png" and server.chart is not None:
            self._chart()
        else:
            self._reply(404, "text/plain", b"not found: try /, /healthz or /metrics\n")

    def _metrics(self) -> None:
        scraped = self.health.safe_scrape()
        if scraped is None:
            self._reply(503, "text/plain", b"metrics unavailable: see /healthz\n")
        elif gzip_accepted(self.headers.get("Accept-Encoding", "")):
            self._reply(200, CONTENT_TYPE_LATEST, scraped.gzipped(), encoding="gzip")
        else:
            self._reply(200, CONTENT_TYPE_LATEST, scraped.text)

    def _chart(self) -> None:
        png = self.health.safe_chart()
        if png is None:
            self._reply(404, "text/plain", b"no tally figures stored yet\n")
        else:
            self._reply(200, "image/png", png)

    def _reply(self, status: int, ctype: str, body: bytes, encoding: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if encoding is not None:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not self.head:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


class HealthServer:
    """Serves `/healthz` (JSON, 200 when healthy, 503 otherwise), `/metrics`, and at `/`
    the read-only status page when `page` is given (monitor/status_page.py)."""

    def __init__(
        self, listen: str, metrics: Metrics, check: Callable[[], dict[str, Any]],
        page: Callable[[], str] | None = None,
        chart: Callable[[], bytes | None] | None = None,
    ) -> None:
        host, _, port = listen.rpartition(":")
        self.metrics = metrics
        self.check = _OneAtATime(check, CHECK_TIMEOUT)
        self.page = None if page is None else _OneAtATime(page, PAGE_TIMEOUT)
        self.chart = None if chart is None else _OneAtATime(chart, PAGE_TIMEOUT)
        # one text for the scrapes that come while it is written (0.2 s of CPU at 10,000 feeds)
        self.scrape = _OneAtATime(self._exposition, PAGE_TIMEOUT)

        class Handler(_Handler):
            health = self
            # a client that has not sent its whole request after this many seconds is
            # dropped, its thread with it: each read of the request gets only the time left
            timeout = REQUEST_TIMEOUT

        host = host.strip("[]")
        server_class = _ThreadingHTTPServerV6 if ":" in host else ThreadingHTTPServer  # "[::1]:9108"
        self.httpd = server_class((host, int(port)), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="health", daemon=True)

    @property
    def address(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in str(host) else f"http://{host}:{port}"

    def safe_check(self) -> dict[str, Any]:
        try:
            return self.check()
        except TimeoutError:  # a database that does not answer: the check goes on without us
            return {"time": datetime.now(UTC).isoformat(), "status": "unhealthy",
                    "database": {"reachable": False, "error": f"no answer within {CHECK_TIMEOUT:g} s"}}
        except Exception as exc:  # the endpoint must answer even when a check breaks
            log.warning("health check failed: %s", exc)
            return {"status": "error", "error": str(exc), "time": time.time()}

    def _exposition(self) -> _Exposition:
        self.safe_check()  # refreshes the gauges
        return _Exposition(generate_latest(self.metrics.registry))

    def safe_scrape(self) -> _Exposition | None:
        try:
            return self.scrape()
        except TimeoutError:
            return None
        except Exception as exc:  # a broken collector must not break the listener
            log.warning("metrics failed: %s", exc)
            return None

    def safe_page(self) -> tuple[int, str]:
        assert self.page is not None
        try:
            return 200, self.page()
        except TimeoutError:  # a database that does not answer (/healthz says so)
            return 503, UNAVAILABLE
        except Exception as exc:  # a broken database must not break the listener
            log.warning("status page failed: %s", exc)
            return 503, UNAVAILABLE

    def safe_chart(self) -> bytes | None:
        assert self.chart is not None
        try:
            return self.chart()
        except TimeoutError:
            return None
        except Exception as exc:  # a broken database or chart must not break the listener
            log.warning("tally chart failed: %s", exc)
            return None

    def start(self) -> HealthServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
