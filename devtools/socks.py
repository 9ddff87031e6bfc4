"""A SOCKS5 proxy on 127.0.0.1 for tests (RFC 1928 CONNECT, RFC 1929 user and password).

It relays each connection to the address the client asks for and records what was asked:
the target (a name as the client sent it, or an address) and the user. With `credentials`
set it refuses other users and passwords as a real proxy does (status 1 of RFC 1929).
A test double: the service reaches Telegram through it as through Tor or `ssh -D`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import socketserver
import struct
import threading
from dataclasses import dataclass, field

NO_AUTH, USER_PASSWORD, NO_METHOD = 0x00, 0x02, 0xFF
CONNECT = 0x01
IPV4, DOMAIN, IPV6 = 0x01, 0x03, 0x04


@dataclass
class Socks5Proxy:
    """`credentials`: (user, password) the proxy asks for; None: no authentication."""

    credentials: tuple[str, str] | None = None
    seen: list[tuple[str, int, str]] = field(default_factory=list)  # (host as asked, port, user)
    refused: int = 0  # clients refused for their credentials

    def __post_init__(self) -> None:
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def url(self, scheme: str = "socks5", userinfo: str = "") -> str:
        return f"{scheme}://{userinfo + '@' if userinfo else ''}127.0.0.1:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(5)
        version, n = _read(client, 2)
        methods = _read(client, n)
        if version != 5:
            return
        wanted = NO_AUTH if self.credentials is None else USER_PASSWORD
        if wanted not in methods:
            client.sendall(bytes([5, NO_METHOD]))
            return
        client.sendall(bytes([5, wanted]))
        user = ""
        if wanted == USER_PASSWORD:
            _, ulen = _read(client, 2)
            user = _read(client, ulen).decode()
            plen = _read(client, 1)[0]
            password = _read(client, plen).decode()
            if (user, password) != self.credentials:
                self.refused += 1
                client.sendall(bytes([1, 1]))
                return
            client.sendall(bytes([1, 0]))
        _, command, _, atyp = _read(client, 4)
        host = _address(client, atyp)
        (port,) = struct.unpack("!H", _read(client, 2))
        self.seen.append((host, port, user))
        if command != CONNECT:
            client.sendall(bytes([5, 7, 0, IPV4, 0, 0, 0, 0, 0, 0]))
            return
        try:
            upstream = socket.create_connection((host, port), timeout=5)
        except OSError:
            client.sendall(bytes([5, 5, 0, IPV4, 0, 0, 0, 0, 0, 0]))  # connection refused
            return
        client.sendall(bytes([5, 0, 0, IPV4, 127, 0, 0, 1]) + struct.pack("!H", port))
        _relay(client, upstream)


def _read(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the client went away")
        data += chunk
    return data


def _address(sock: socket.socket, atyp: int) -> str:
    if atyp == IPV4:
        return str(ipaddress.IPv4Address(_read(sock, 4)))
    if atyp == IPV6:
        return str(ipaddress.IPv6Address(_read(sock, 16)))
    return _read(sock, _read(sock, 1)[0]).decode()


def _relay(a: socket.socket, b: socket.socket) -> None:
    """Copy both ways until either side closes."""
    def pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    a.settimeout(None)
    b.settimeout(None)
    other = threading.Thread(target=pump, args=(b, a), daemon=True)
    other.start()
    pump(a, b)
    other.join(timeout=5)
    b.close()
