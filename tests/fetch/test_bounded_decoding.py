"""Bounded decoding: bombs are stopped at the body cap without inflating in memory,
stacked or unknown encodings are refused, ordinary bodies decode as before."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import brotli
import pytest

from core.config import Settings
from devtools.feedserver import FeedServer
from monitor.fetch import Fetcher
from monitor.fetch.decode import BadEncoding, BoundedBody, TooLarge

BODY = b"<rss version='2.0'><channel><title>x</title></channel></rss>"
BOMB_BLOCKS = 64  # 64 × 16 MiB: 1 GiB of zeros


def brotli_bomb() -> bytes:
    # Brotli encodes long runs in a few bytes per 16 MB meta-block: build it by streaming.
    enc = brotli.Compressor(quality=5)
    block = bytes(16 << 20)
    parts = [enc.process(block) for _ in range(BOMB_BLOCKS)]
    return b"".join(parts) + enc.finish()


@pytest.fixture(scope="module")
def br_bomb() -> bytes:
    return brotli_bomb()


def test_brotli_bomb_is_small(br_bomb: bytes) -> None:
    assert len(br_bomb) < 1_700  # the 1.6 KB bomb of the review


@pytest.mark.parametrize("encoding,make", [
    ("gzip", lambda: gzip.compress(bytes(50_000_000), compresslevel=9)),
    ("deflate", lambda: zlib.compress(bytes(50_000_000), 9)),
    ("deflate", lambda: zlib.compress(bytes(50_000_000), 9)[2:-4]),  # raw deflate
])
def test_zlib_bombs_stop_at_the_cap_with_little_memory(encoding: str, make) -> None:  # type: ignore[no-untyped-def]
    data = make()
    tracemalloc.start()
    try:
        body = BoundedBody(encoding, 1_000_000)
        with pytest.raises(TooLarge):
            for i in range(0, len(data), 16_384):
                body.feed(data[i : i + 16_384])
            body.finish()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # the cap plus one step, not 50 MB


def test_brotli_bomb_stops_at_the_cap_with_little_memory(br_bomb: bytes) -> None:
    tracemalloc.start()
    try:
        body = BoundedBody("br", 1_000_000)
        with pytest.raises(TooLarge):
            body.feed(br_bomb)
            body.finish()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "deflate", "br", "identity", "", "GZIP"])
def test_ordinary_bodies_decode_in_small_chunks(encoding: str) -> None:
    text = b"<p>Excarcelan a 87 presos pol\xc3\xadticos</p>" * 2_000
    data = {
        "gzip": gzip.compress, "x-gzip": gzip.compress, "GZIP": gzip.compress,
        "deflate": zlib.compress, "br": brotli.compress,
    }.get(encoding, lambda b: b)(text)
    body = BoundedBody(encoding, len(text))
    for i in range(0, len(data), 7):
        body.feed(data[i : i + 7])
    assert body.finish() == text


@pytest.mark.parametrize("header", ["gzip, gzip", "gzip,br", "br, identity, gzip", "zstd",
                                    "compress"])
def test_stacked_and_unknown_encodings_are_refused(header: str) -> None:
    with pytest.raises(BadEncoding):
        BoundedBody(header, 1_000_000)


def test_corrupt_bodies_are_bad_encoding() -> None:
    with pytest.raises(BadEncoding):
        body = BoundedBody("gzip", 1_000_000)
        body.feed(b"this is not gzip at all")
        body.finish()
    with pytest.raises(BadEncoding):
        body = BoundedBody("br", 1_000_000)
        body.feed(b"\xff\xff\xff\xff not brotli")
        body.finish()


async def test_bombs_over_http(server: FeedServer, settings: Settings, br_bomb: bytes) -> None:
    """The review's cases against a real server: each is refused and the process's memory
    barely moves (settings.max_body_bytes is 200 KB here)."""
    stacked = gzip.compress(gzip.compress(bytes(200_000_000), 9), 9)  # a few KB
    assert len(stacked) < 20_000
    server.set_route("/br", br_bomb, headers={"Content-Encoding": "br"})
    server.set_route("/stacked", stacked, headers={"Content-Encoding": "gzip, gzip"})
    server.set_route("/gz", gzip.compress(bytes(100_000_000)), headers={"Content-Encoding": "gzip"})
    server.set_route("/deflate", zlib.compress(bytes(100_000_000)),
                     headers={"Content-Encoding": "deflate"})
    server.set_route("/ok", brotli.compress(BODY), headers={"Content-Encoding": "br"})
    tracemalloc.start()
    try:
        async with Fetcher(settings, trusted=[server.url("/")]) as fetcher:
            results = {p: await fetcher.fetch(server.url(p))
                       for p in ("/br", "/stacked", "/gz", "/deflate", "/ok")}
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    for path in ("/br", "/gz", "/deflate"):
        assert not results[path].ok and "larger than 200,000 bytes" in (results[path].error or "")
    assert "stacked content encodings refused" in (results["/stacked"].error or "")
    assert results["/ok"].ok and results["/ok"].body == BODY
    assert peak < 10_000_000
