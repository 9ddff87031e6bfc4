"""Hostile markup: how long the service's event loop stalls while it polls a hostile feed,
against an ordinary feed of the same size, and the cost of cleaning as input doubles; then the
markup shapes that cost most per byte, each as a page, an RSS feed or a JSON Feed near the
10 MB body cap, against an ordinary document of the same kind and size.

    python bench/bench_hostile.py [--mb 9.5] [--only SHAPE,...]

The hostile feed (served on 127.0.0.1) has one item with 280 KB of "<script>" in its
description and one with 25,000 "&lt;!--" in its content (issue 13). The in-process
service polls it (fetch, parse, clean, store, classify, queue) while a coroutine wakes
every 5 ms and records the longest gap: the loop stall. Baseline in the same run: a feed
of 150 ordinary items of about the same size. Prints markdown lines.

The shapes (`SHAPES`): 100,000 open <div> and more; unclosed <p>; <table>/<p> and <b><p>
misnesting (the parser re-opens elements); open <div> with unmatched end tags; items nested in
items; items after 10,000 open <div> (all lost when the page was cut at 512 open elements); elements of many attributes; many tiny elements; entity floods; comments; CDATA. Each
is polled once through the in-process service (fetch, parse, clean, store, classify); the
table gives the poll's time (`PollResult.duration`: fetch, parse, clean, store), its time per MB as a ratio to the ordinary document's, the
longest event-loop stall, the items stored and the parse problem.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ruamel.yaml import YAML  # noqa: E402

from core.config import load_config, resolve_runtime  # noqa: E402
from devtools.feedserver import FeedServer  # noqa: E402
from devtools.samples import SampleItem, rss  # noqa: E402
from monitor.ingest.article import read_article  # noqa: E402
from monitor.ingest.normalize import clean_text  # noqa: E402
from monitor.ingest.result import PollResult  # noqa: E402
from monitor.service import Service  # noqa: E402
from storage.db import open_database  # noqa: E402

SENTENCE = "Familiares de presos políticos esperaban frente al penal de Tocorón en Aragua."


def hostile_items(base: str) -> list[SampleItem]:
    now = datetime.now(UTC)
    return [
        SampleItem("Excarcelan a 12 presos políticos en Tocorón", f"{base}/h/1", "<script>" * 35_000,
                   guid="h1", published=now),
        SampleItem("Detienen al periodista Luis Pérez en Caracas", f"{base}/h/2", "Detenido.",
                   guid="h2", published=now, content="&lt;!--" * 25_000),
    ]


def ordinary_items(base: str) -> list[SampleItem]:
    now = datetime.now(UTC)
    text = " ".join([SENTENCE] * 30)
    return [
        SampleItem(f"Nota {i} sobre la economía de Caracas", f"{base}/o/{i}", f"<p>{text}</p>",
                   guid=f"o{i}", published=now - timedelta(minutes=i))
        for i in range(150)
    ]


def write_config(tmp: Path, server: FeedServer) -> Path:
    yaml = YAML()
    shipped = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    config = {
        "rules": shipped["rules"],
        "feeds": [
            {"name": name, "url": server.url(f"/{name}.xml"), "language": "es", "fetch_article": "never"}
            for name in ("hostile", "ordinary")
        ],
        "channels": [{"name": "console", "chat_id": "console", "topics": ["political_prisoners"]}],
    }
    path = tmp / "feeds.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(config, fh)
    return path


async def stall_while(service: Service, feed: str) -> tuple[float, float]:
    """(seconds the poll took, the longest the event loop did not run) for one poll."""
    longest = 0.0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            longest = max(longest, now - last - 0.005)
            last = now

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    started = time.perf_counter()
    await service.poll(feed)
    took = time.perf_counter() - started
    done.set()
    await tick
    return took, longest


def cleaning_growth() -> list[tuple[int, float]]:
    out = []
    for n in (8_000, 16_000, 32_000):
        payload = "<script>" * n
        started = time.perf_counter()
        clean_text(payload)
        out.append((len(payload), time.perf_counter() - started))
    return out


ARTICLE = ('<article><h2><a href="/n/{i}">Excarcelan a {i} presos políticos</a></h2><p>Foro Penal '
           "informó que familiares esperaban frente al penal de Tocorón en Aragua.</p></article>\n")
PAGE_SELECTORS = {"item": "article", "title": "h2", "link": "a@href", "summary": "p"}


def _fill(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def _nested_items(size: int) -> str:
    unit = '<article class="r">x <a href="/n/1">Nota</a> '
    return _fill(unit, size)


# name -> (kinds it is served as, markup of about `size` characters)
SHAPES: dict[str, tuple[tuple[str, ...], object]] = {
    "ordinary": (("page", "rss", "json"), lambda n: "".join(ARTICLE.format(i=i) for i in range(n // len(ARTICLE)))),
    "div x 10^5+ (open)": (("page", "rss", "json"), lambda n: _fill("<div>", n)),
    "unclosed <p>": (("page", "rss", "json"), lambda n: _fill("<p>x", n)),
    "<table><tr><td><p> misnested": (("page", "json"), lambda n: _fill("<table><tr><td><p>", n)),
    "<b><p> (re-opened)": (("page", "json"), lambda n: _fill("<b><p>", n)),
    "open <div> + unmatched </span>": (("page",), lambda n: _fill("<div>", n // 2) + _fill("</span>", n // 2)),
    "items nested in items": (("page",), _nested_items),
    "items after 10^4 open <div>": (("page",), lambda n: "<div>" * 10_000 + "".join(
        ARTICLE.replace("/n/", "/deep/").format(i=i) for i in range((n - 60_000) // (len(ARTICLE) + 8)))),
    "many attributes": (("page", "rss"), lambda n: "<div " + " ".join(f"a{i}='1'" for i in range(n // 12)) + ">x</div>"),
    "tiny elements <i>x</i>": (("page", "rss", "json"), lambda n: _fill("<i>x</i>", n)),
    "empty <br/>": (("page", "rss", "json"), lambda n: _fill("<br/>", n)),
    "entity flood": (("page", "rss", "json"), lambda n: _fill("&amp;", n)),
    "comments": (("page", "json"), lambda n: _fill("<!-- x -->", n)),
    "CDATA": (("rss",), lambda n: _fill("<![CDATA[<p>x]]>", n)),
}


def _document(kind: str, shape: str, markup: str, base: str) -> bytes:
    """The shape's markup in one item (for `ordinary`, as many items as it fills)."""
    if kind == "page":
        return (f"<html><head><title>{shape}</title></head><body>{ARTICLE.format(i=abs(hash(shape)))}"
                f"{markup}</body></html>").encode()
    now = datetime.now(UTC)
    if shape == "ordinary":
        count = max(1, len(markup) // 560)
        items = [SampleItem(f"Nota {i} sobre Caracas", f"{base}/o/{i}", html.escape(SENTENCE * 4),
                            guid=f"o{i}", published=now) for i in range(count)]
    else:
        tag = abs(hash((kind, shape)))  # links of their own: no other feed's item is the same
        items = [SampleItem("Excarcelan a 12 presos", f"{base}/h/{tag}/1", "", guid="h1", published=now),
                 SampleItem("Liberan a dos periodistas", f"{base}/h/{tag}/2", "Nota.", guid="h2", published=now)]
        if kind == "rss":  # written as XML inside the description, not escaped
            body = rss(items, title=shape).decode()
            return body.replace("</title><link>", f"</title><description>{markup}</description><link>", 2).replace(
                f"<description>{markup}</description>", "", 1).encode()
    if kind == "rss":
        return rss(items, title=shape)
    if shape != "ordinary":
        items[0].summary = markup
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": shape, "items": [
        {"id": it.guid, "url": it.link, "title": it.title, "content_html": it.summary,
         "date_published": it.published.isoformat() if it.published else None} for it in items]}).encode()


def shape_rows(megabytes: float, only: set[str] | None) -> list[str]:
    """One markdown row per shape and kind, polled through the service."""
    size = int(megabytes * 1_000_000)
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as d, FeedServer() as server:
        tmp = Path(d)
        feeds: list[dict[str, object]] = []
        docs: dict[str, tuple[str, str, int]] = {}
        server.set_route("/robots.txt", b"", status=404)
        for shape, (kinds, make) in SHAPES.items():
            if only and shape not in only and shape != "ordinary":
                continue
            markup = make(size)  # type: ignore[operator]
            for kind in kinds:
                name = f"f{len(feeds)}"
                body = _document(kind, shape, markup, server.base_url)
                server.set_route(f"/{name}", body, content_type={
                    "page": "text/html; charset=utf-8", "rss": "application/rss+xml",
                    "json": "application/feed+json"}[kind])
                feed: dict[str, object] = {"name": name, "url": server.url(f"/{name}"), "language": "es",
                                           "fetch_article": "never"}
                if kind == "page":
                    feed.update(type="page", selectors=PAGE_SELECTORS)
                feeds.append(feed)
                docs[name] = (shape, kind, len(body))
        path = _config(tmp, feeds)
        config = load_config(path)
        runtime = resolve_runtime(config, config_path=str(path), db_flag=f"sqlite:///{tmp / 's.db'}", env={})
        db = open_database(runtime.database_url)

        async def run() -> dict[str, tuple[float, float, PollResult]]:
            service = Service(config, runtime, db, out=open(os.devnull, "w"))  # noqa: SIM115
            out: dict[str, tuple[float, float, PollResult]] = {}
            try:
                for name in docs:
                    out[name] = await stall_and_result(service, name)
            finally:
                await service.close()
            return out

        measured = asyncio.run(run())
        db.dispose()
    ordinary = {kind: measured[name][2].duration / (length / 1e6)
                for name, (shape, kind, length) in docs.items() if shape == "ordinary"}
    for name, (shape, kind, length) in docs.items():
        _, stall, result = measured[name]
        took = result.duration
        ratio = (took / (length / 1e6)) / max(ordinary[kind], 1e-9)
        problem = (result.parse_problem or result.error or "").replace("|", "/")
        rows.append(f"| {shape} | {kind} | {length / 1e6:.1f} | {took:.2f} | {ratio:.1f}× | "
                    f"{stall * 1000:.0f} | {result.stored + result.backfilled} | {problem[:100]} |")
    return rows


def article_rows(megabytes: float) -> list[str]:
    """Article text (`read_article`, trafilatura) from each page shape, in this thread: the time
    per MB as a ratio to an ordinary article page of the same size (300 paragraphs and an inline
    script), and why there is no text."""
    size = int(megabytes * 1_000_000)
    paragraphs = "".join(f"<p>{SENTENCE} {i}</p>" for i in range(300))  # and a page's scripts, inline
    shapes = {"ordinary": paragraphs + "<script>var d = " + "[1, 2, 3]," * (size // 10) + "0;</script>",
              **{name: make(size) for name, (_, make) in SHAPES.items() if name != "ordinary"},  # type: ignore[operator]
              "255 attributes × 8,000 elements": ("<div " + " ".join(f"a{i}" for i in range(255)) + ">x</div>") * 8_000}
    rows, base = [], 0.0
    for name, markup in shapes.items():
        body = f"<html><body><article><h1>Nota</h1><p>{SENTENCE}</p>{markup}</article></body></html>".encode()
        started = time.perf_counter()
        read = read_article(body, {}, "https://example.org/n/1")
        took = time.perf_counter() - started
        per_mb = took / (len(body) / 1e6)
        base = base or per_mb
        rows.append(f"| {name} | article | {len(body) / 1e6:.1f} | {took:.2f} | {per_mb / base:.1f}× | "
                    f"{len(read.text or ''):,} | {read.problem or ''} |")
    return rows


def _config(tmp: Path, feeds: list[dict[str, object]]) -> Path:
    yaml = YAML()
    shipped = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    config = {"rules": shipped["rules"], "feeds": feeds,
              "channels": [{"name": "console", "chat_id": "console", "topics": ["political_prisoners"]}]}
    path = tmp / "feeds.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(config, fh)
    return path


async def stall_and_result(service: Service, feed: str) -> tuple[float, float, PollResult]:
    """`stall_while`, with the poll's result."""
    holder: list[PollResult] = []
    poll = service.poll

    async def keep(name: str) -> PollResult:
        holder.append(await poll(name))
        return holder[-1]

    service.poll = keep  # type: ignore[method-assign]
    try:
        took, stall = await stall_while(service, feed)
    finally:
        service.poll = poll  # type: ignore[method-assign]
    return took, stall, holder[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=9.5, help="size of each shape's document")
    parser.add_argument("--only", default="", help="shapes to run, comma-separated (and ordinary)")
    args = parser.parse_args(argv)
    print(f"- machine: {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as d, FeedServer() as server:
        tmp = Path(d)
        hostile = rss(hostile_items(server.base_url), title="hostile")
        ordinary = rss(ordinary_items(server.base_url), title="ordinary")
        server.set_route("/hostile.xml", hostile, content_type="application/rss+xml")
        server.set_route("/ordinary.xml", ordinary, content_type="application/rss+xml")
        path = write_config(tmp, server)
        config = load_config(path)
        runtime = resolve_runtime(config, config_path=str(path), db_flag=f"sqlite:///{tmp / 'b.db'}", env={})
        db = open_database(runtime.database_url)

        async def run() -> tuple[tuple[float, float], tuple[float, float]]:
            service = Service(config, runtime, db, out=open(os.devnull, "w"))  # noqa: SIM115
            try:
                return await stall_while(service, "ordinary"), await stall_while(service, "hostile")
            finally:
                await service.close()

        (o_took, o_stall), (h_took, h_stall) = asyncio.run(run())
        db.dispose()
    print(f"- hostile feed ({len(hostile) // 1000} KB: 280 KB of <script>, 25,000 &lt;!--): "
          f"poll {h_took:.2f} s, longest event-loop stall {h_stall * 1000:.0f} ms")
    print(f"- baseline, ordinary feed ({len(ordinary) // 1000} KB, 150 items): "
          f"poll {o_took:.2f} s, longest event-loop stall {o_stall * 1000:.0f} ms")
    growth = cleaning_growth()
    print("- clean_text on \"<script>\" × N: " + ", ".join(
        f"{size // 1000} KB {secs * 1000:.1f} ms" for size, secs in growth)
        + f" (×{growth[-1][1] / max(growth[0][1], 1e-9):.1f} for ×4 input)")
    print()
    print("| shape | as | MB | poll s | per MB ÷ ordinary | longest loop stall ms | items stored | parse problem |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for row in shape_rows(args.mb, {s.strip() for s in args.only.split(",") if s.strip()} or None):
        print(row)
    print()
    print("| shape | as | MB | extraction s | per MB ÷ ordinary | text chars | why no text |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for row in article_rows(args.mb):
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
