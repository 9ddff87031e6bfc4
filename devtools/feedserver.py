"""A local HTTP server on 127.0.0.1 that serves configurable routes.

Each route is bytes + status + headers, with optional ETag/Last-Modified (and
304 answers to conditional requests), a delay before the headers, a body that
trickles, a connection closed without any response, or a redirect. Routes can
be changed while the server runs (thread-safe); paths without a route fall back
to files under `static_dir` (with an ETag derived from the content).

    with FeedServer() as server:
        server.set_route("/feed.xml", body=rss_bytes, content_type="application/rss+xml")
        url = server.url("/feed.xml")

`python -m devtools.feedserver DIR` serves a directory (used by the bench; a folder's path,
the root `/` included, answers its index.html), printing its root on the first line.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import socket
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass
class Route:
    """What one path answers. `trickle` > 0 sends one byte every `trickle` seconds, forever."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "application/xml"
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    trickle: float = 0.0
    close: bool = False
    redirect: str | None = None
    size: int | None = None  # generated body of this many bytes (streamed, not held in memory)
    send_length: bool = True  # False: no Content-Length, the body ends when the connection does
    then: list[bytes] = field(default_factory=list)  # the bodies of the next requests, one each


@dataclass(frozen=True)
class Hit:
    path: str
    method: str
    headers: dict[str, str]  # lower-case names


class FeedServer:
    """A threaded stdlib HTTP server; a context manager (start on enter, stop on exit)."""

    def __init__(self, static_dir: str | Path | None = None, port: int = 0) -> None:
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._hits: dict[str, list[Hit]] = defaultdict(list)
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests handled at once (politeness checks)
        self._stopping = threading.Event()
        self.static_dir = Path(static_dir) if static_dir else None
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------
    def start(self) -> FeedServer:
        handler = type("Handler", (_Handler,), {"server_ref": self})
        self._httpd = _Server(("127.0.0.1", self._port), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- routes ------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def set_route(self, path: str, body: bytes | str = b"", **options: Any) -> Route:
        """Add or replace the route of `path`; options are the fields of `Route`."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        route = Route(body=body, **options)
        with self._lock:
            self._routes[path] = route
        return route

    def update_route(self, path: str, **changes: Any) -> None:
        with self._lock:
            route = self._routes[path]
            for key, value in changes.items():
                if key == "body" and isinstance(value, str):
                    value = value.encode("utf-8")
                setattr(route, key, value)

    def route(self, path: str) -> Route | None:
        with self._lock:
            route = self._routes.get(path)
        if route is None and self.static_dir is not None:
            route = self._static(path)
        return route

    def hits(self, path: str) -> list[Hit]:
        with self._lock:
            return list(self._hits.get(path, []))

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self._hits[hit.path].append(hit)

    def _enter(self, delta: int) -> None:
        with self._lock:
            self.in_flight += delta
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _static(self, path: str) -> Route | None:
        assert self.static_dir is not None
        target = (self.static_dir / path.lstrip("/")).resolve()
        root = self.static_dir.resolve()
        if target.is_dir() and not path.endswith("/") and root in [target, *target.parents]:
            return Route(status=301, redirect=path + "/")  # as web servers do: its relative links
        if target.is_dir():  # a site's root, `feeds add http://127.0.0.1:PORT/`: its index.html
            target = target / "index.html"
        if root not in target.parents or not target.is_file():
            return None
        body = target.read_bytes()
        stat = target.stat()
        return Route(
            body=body,
            content_type=_TYPES.get(target.suffix, "application/octet-stream"),
            etag='"' + hashlib.sha1(body).hexdigest()[:16] + '"',
            last_modified=formatdate(stat.st_mtime, usegmt=True),
        )

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops; False when it is stopping."""
        return not self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer is ordinary here (clients under test give up on
        purpose); anything else is still printed. The default printed every reset to stderr,
        where tests that read the client's stderr saw it."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_ref: FeedServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self._counted(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._counted(head=False)

    def _counted(self, *, head: bool) -> None:
        self.server_ref._enter(1)
        try:
            self._serve(head=head)
        finally:
            self.server_ref._enter(-1)

    def _serve(self, *, head: bool) -> None:
        server = self.server_ref
        path = self.path.split("?", 1)[0]
        headers = {k.lower(): v for k, v in self.headers.items()}
        server._record(Hit(path, self.command, headers))
        route = server.route(path)
        if route is None:
            self._send(404, b"not found", {"Content-Type": "text/plain"}, head)
            return
        if route.delay and not server.sleep(route.delay):
            return
        if route.close:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        out: dict[str, str] = {}
        if route.content_type:
            out["Content-Type"] = route.content_type
        if route.etag:
            out["ETag"] = route.etag
        if route.last_modified:
            out["Last-Modified"] = route.last_modified
        out.update(route.headers)
        if route.redirect is not None:
            status = route.status if 300 <= route.status < 400 else 302
            out["Location"] = route.redirect
            self._send(status, b"", out, head)
            return
        if route.status == 200 and self._not_modified(route, headers):
            out.pop("Content-Type", None)
            self._send(304, b"", out, head)
            return
        if route.trickle:
            self._trickle(route, out)
            return
        if route.size is not None:
            self._generated(route, out, head)
            return
        body = route.body
        if route.then:  # a document that changes between fetches (a feed that grows)
            route.body = route.then.pop(0)
        self._send(route.status, body, out, head)

    @staticmethod
    def _not_modified(route: Route, headers: dict[str, str]) -> bool:
        inm = headers.get("if-none-match")
        if route.etag and inm is not None:
            return route.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = headers.get("if-modified-since")
        return bool(route.last_modified and ims and ims == route.last_modified)

    def _send(self, status: int, body: bytes, headers: dict[str, str], head: bool) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head and body and status not in (204, 304):
                self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def _trickle(self, route: Route, headers: dict[str, str]) -> None:
        self.close_connection = True
        try:
            self.send_response(route.status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(route.body)
            self.wfile.flush()
            while self.server_ref.sleep(route.trickle):
                self.wfile.write(b" ")
                self.wfile.flush()
        except OSError:
            pass

    def _generated(self, route: Route, headers: dict[str, str], head: bool) -> None:
        size = route.size or 0
        try:
            self.send_response(route.status)
            for name, value in headers.items():
                self.send_header(name, value)
            if route.send_length:
                self.send_header("Content-Length", str(size))
            else:
                self.close_connection = True
                self.send_header("Connection", "close")
            self.end_headers()
            if head:
                return
            chunk = (route.body or b"x") * max(1, 65536 // max(1, len(route.body or b"x")))
            sent = 0
            while sent < size and not self.server_ref._stopping.is_set():
                piece = chunk[: size - sent]
                self.wfile.write(piece)
                sent += len(piece)
        except OSError:
            self.close_connection = True


def main(argv: list[str] | None = None) -> int:
    """Serve a directory until interrupted; print the base URL on the first line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    with FeedServer(static_dir=args.directory, port=args.port) as server:
        print(server.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
