"""A loopback listener that plays an internal service: it answers any request with a
secret page and records every connection it accepts (a refused fetch makes none)."""

from __future__ import annotations

import socket
import threading


class InternalService:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.connections = 0
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def port(self) -> int:
        return int(self._sock.getsockname()[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> InternalService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def _serve(self) -> None:
        page = (f"<html><body><article><p>{self.secret}. " + "Texto interno. " * 80
                + "</p></article></body></html>").encode()
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(page)}\r\n"
                "Connection: close\r\n\r\n").encode()
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(1)
                try:
                    conn.recv(65536)
                    conn.sendall(head + page)
                except OSError:
                    pass
