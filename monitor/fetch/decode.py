"""Bounded decoding of a response body: at most one Content-Encoding, decompressed
with an output limit.

httpx's own decoders inflate each received chunk in full before anyone can look
at the size: a 1.6 KB brotli body inflates to gigabytes in one call. Here the
raw bytes are fed to zlib's `decompressobj` with `max_length` and to brotli's
streaming `Decompressor.process(..., output_buffer_limit=...)`, so no call
produces more than the bytes still allowed under the body cap.
"""

from __future__ import annotations

import zlib
from typing import Protocol

import brotli

SUPPORTED = ("gzip", "x-gzip", "deflate", "br")
_STEP = 1 << 20  # output produced per decompression call at most


class TooLarge(Exception):
    """The decoded body would exceed the cap."""


class BadEncoding(Exception):
    """An unsupported, stacked or corrupt Content-Encoding."""


class _Decoder(Protocol):
    def feed(self, data: bytes, limit: int) -> list[bytes]: ...
    def flush(self, limit: int) -> list[bytes]: ...


class _Identity:
    def feed(self, data: bytes, limit: int) -> list[bytes]:
        if len(data) > limit:
            raise TooLarge
        return [data]

    def flush(self, limit: int) -> list[bytes]:
        return []


class _Zlib:
    """gzip, or deflate (zlib-wrapped, or raw as some servers send it)."""

    def __init__(self, kind: str) -> None:
        self._gzip = kind != "deflate"
        self._raw_fallback = not self._gzip
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes, limit: int) -> list[bytes]:
        try:
            return self._drain(data, limit)
        except zlib.error as exc:
            if not self._raw_fallback:
                raise BadEncoding(f"corrupt {'gzip' if self._gzip else 'deflate'} body: {exc}") from None
            self._raw_fallback = False  # first bytes not zlib-wrapped: try raw deflate
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            return self.feed(data, limit)

    def _drain(self, data: bytes, limit: int) -> list[bytes]:
        out: list[bytes] = []
        produced = 0
        pending = data
        while True:
            room = limit - produced
            chunk = self._obj.decompress(pending, min(_STEP, room + 1))
            if chunk:
                self._raw_fallback = False
            produced += len(chunk)
            if produced > limit:
                raise TooLarge
            if chunk:
                out.append(chunk)
            pending = self._obj.unconsumed_tail
            if not pending and len(chunk) < min(_STEP, room + 1):
                return out

    def flush(self, limit: int) -> list[bytes]:
        try:
            rest = self._obj.flush()  # only what is already buffered: small
        except zlib.error as exc:
            raise BadEncoding(f"corrupt compressed body: {exc}") from None
        if len(rest) > limit:
            raise TooLarge
        return [rest] if rest else []


class _Brotli:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes, limit: int) -> list[bytes]:
        out: list[bytes] = []
        produced = 0
        pending = data
        try:
            while True:
                step = min(_STEP, limit - produced + 1)
                chunk = self._obj.process(pending, output_buffer_limit=step)
                pending = b""
                produced += len(chunk)
                if produced > limit:
                    raise TooLarge
                if chunk:
                    out.append(chunk)
                # More output is waiting while the decoder cannot take new input.
                if self._obj.can_accept_more_data() or self._obj.is_finished():
                    return out
        except brotli.error as exc:
            raise BadEncoding(f"corrupt brotli body: {exc}") from None

    def flush(self, limit: int) -> list[bytes]:
        return []


def decoder_for(content_encoding: str | None) -> _Decoder:
    """The decoder of a Content-Encoding header; BadEncoding for stacked or unknown ones."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) > 1:
        raise BadEncoding(f"stacked content encodings refused ({', '.join(codings)})")
    kind = codings[0]
    if kind not in SUPPORTED:
        raise BadEncoding(f"unsupported content encoding {kind!r}")
    return _Brotli() if kind == "br" else _Zlib(kind)


class BoundedBody:
    """Collects a decoded body of at most `cap` bytes from raw chunks."""

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        self._decoder = decoder_for(content_encoding)
        self.cap = cap
        self.size = 0
        self.raw_size = 0
        self._chunks: list[bytes] = []

    def feed(self, raw: bytes) -> None:
        self.raw_size += len(raw)
        if self.raw_size > self.cap:
            raise TooLarge
        self._take(self._decoder.feed(raw, self.cap - self.size))

    def finish(self) -> bytes:
        self._take(self._decoder.flush(self.cap - self.size))
        body = b"".join(self._chunks)
        self._chunks = []
        return body

    def _take(self, chunks: list[bytes]) -> None:
        for chunk in chunks:
            self.size += len(chunk)
            if self.size > self.cap:
                raise TooLarge
            self._chunks.append(chunk)
