"""A loopback listener that plays an internal service: it answers any request with a
secret page and records every connection it accepts (a refused fetch makes none)."""

from __future__ import annotations

from devtools.internal_service import InternalService as _Listener


class InternalService(_Listener):
    def __init__(self, secret: str) -> None:
        self.secret = secret
        super().__init__((f"<html><body><article><p>{secret}. " + "Texto interno. " * 80
                          + "</p></article></body></html>").encode())
