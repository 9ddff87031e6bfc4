"""Hostile input, measured from outside (issue 13's targets 1, 2 and 5): the peak memory of
one `monitor poll-once --dry-run` over every hostile body of the issue, against a poll of
the same number of ordinary feeds; requests that reached an internal service; secrets in
any output.

    python bench/bench_hostile_memory.py

Both polls run as real subprocesses (a fresh database each); their peak RSS is the
kernel's high-water mark for the child, read with os.wait4 (ru_maxrss). A loopback feed
server serves, in one pass:

- an article page that is a 1.6 KB brotli bomb (1 GiB of zeros);
- an article page with `Content-Encoding: gzip, gzip` (200 MB inside a few KB);
- a feed document that is a deflate bomb (1 GiB of zeros);
- a feed with 280 KB of "<script>" in a description;
- a feed with 25,000 "&lt;!--" in an item's content;
- an RSS feed of 100,000 entries (7.5 MB);
- items whose links (and a same-origin redirect) point to an "internal service", a
  second listener on another loopback port that counts every connection it accepts.

The feed URLs carry `user:password@` and, when PostgreSQL's binaries are installed, the
database is a throw-away PostgreSQL server whose DATABASE_URL carries a password; both
passwords (and the Basic credentials they make) are looked for in stdout, stderr,
`monitor status` and every row of the database. Without PostgreSQL the polls use SQLite
and only the feed passwords are looked for. Prints markdown lines; returns 1 when a
target is missed.
"""

from __future__ import annotations

import base64
import contextlib
import glob
import gzip
import io
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import brotli
from ruamel.yaml import YAML
from sqlalchemy import MetaData, create_engine, select, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devtools.feedserver import FeedServer  # noqa: E402
from devtools.internal_service import InternalService  # noqa: E402
from devtools.samples import SampleItem, rss  # noqa: E402

MEMORY_MARGIN_MB = 100  # issue 13: a poll's peak stays below its baseline + 100 MB
FEED_USER = "ana"
TITLE = "Excarcelan a 12 presos políticos del penal de Tocorón"
INTERNAL_PAGE = b"<html><body><p>INTERNAL-ONLY page</p></body></html>"
SENTENCE = "Familiares de presos políticos esperaban frente al penal de Tocorón en Aragua."


# -- servers -------------------------------------------------------------------------------
@dataclass
class Postgres:
    url_of: dict[str, str]  # database name -> SQLAlchemy URL (with the password)


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def postgres(password: str, databases: list[str]) -> Iterator[Postgres | None]:
    """A throw-away PostgreSQL server on 127.0.0.1 with password authentication, or None
    when its binaries (or, as root, the postgres user) are missing."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    as_root = os.geteuid() == 0
    if not initdb or not pg_ctl:
        yield None
        return
    prefix: list[str] = []
    if as_root:
        try:
            import pwd
            owner = pwd.getpwnam("postgres")
        except KeyError:
            yield None
            return
        prefix = ["runuser", "-u", "postgres", "--"]
    home = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    data = home / "data"
    if as_root:
        os.chown(home, owner.pw_uid, owner.pw_gid)
    pwfile = home / "pw"
    pwfile.write_text(password + "\n")
    if as_root:
        os.chown(pwfile, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    started = False
    try:
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True}
        subprocess.run([*prefix, initdb, "-D", str(data), "-U", "bench", f"--pwfile={pwfile}",
                        "-A", "scram-sha-256"], **quiet)  # type: ignore[call-overload]
        pwfile.unlink()
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-l", str(home / "log"), "-w", "-o",
                        f"-c listen_addresses=127.0.0.1 -p {port} -k {home}", "start"],
                       **quiet)  # type: ignore[call-overload]
        started = True
        root = f"postgresql+psycopg://bench:{password}@127.0.0.1:{port}"
        engine = create_engine(f"{root}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for name in databases:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        yield Postgres({name: f"{root}/{name}" for name in databases})
    except (OSError, subprocess.CalledProcessError):
        yield None
    finally:
        if started:
            subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(home, ignore_errors=True)


# -- bodies --------------------------------------------------------------------------------
def brotli_bomb(gib: int = 1) -> bytes:
    enc = brotli.Compressor(quality=5)
    block = bytes(16 << 20)
    return b"".join(enc.process(block) for _ in range(64 * gib)) + enc.finish()


def zlib_stream(total: int, wbits: int) -> bytes:
    """`total` zero bytes compressed without ever holding them (wbits: zlib or gzip)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(16 << 20)
    parts = [comp.compress(block[: min(len(block), total - done)])
             for done in range(0, total, len(block))]
    return b"".join(parts) + comp.flush()


def big_rss(base: str, n: int = 100_000, dated: int = 600) -> bytes:
    """An RSS document of `n` short entries; the first `dated` carry a date (recent), the rest
    none, which keeps 100,000 entries under the 10 MB body cap."""
    now = datetime.now(UTC)
    head = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>big'
            "</title><link>https://example.org/</link><description>x</description>")
    items = []
    for i in range(n):
        date = (f"<pubDate>{format_datetime(now - timedelta(seconds=i), usegmt=True)}</pubDate>"
                if i < dated else "")
        items.append(f"<item><title>Nota {i}</title><link>{base}/o/{i}</link>{date}</item>")
    return (head + "".join(items) + "</channel></rss>").encode()


def article_page(n: int) -> str:
    text = " ".join([SENTENCE] * 40)
    return f"<html><body><article><h1>Nota {n}</h1><p>{text}</p><p>{text}</p></article></body></html>"


def recent(minutes: int) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)


@dataclass
class Feed:
    name: str
    path: str
    fetch_article: str


def serve_hostile(server: FeedServer, internal: InternalService) -> list[Feed]:
    base = server.base_url
    server.set_route("/article/br", brotli_bomb(), content_type="text/html",
                     headers={"Content-Encoding": "br"})
    server.set_route("/article/gzgz", gzip.compress(zlib_stream(200_000_000, 31), 9),
                     content_type="text/html", headers={"Content-Encoding": "gzip, gzip"})
    server.set_route("/internal-redirect", status=302, redirect=internal.url("/metadata"))
    one = {
        "br": SampleItem(TITLE, f"{base}/article/br", "Breve.", guid="br", published=recent(1)),
        "gzgz": SampleItem(TITLE, f"{base}/article/gzgz", "Breve.", guid="gz", published=recent(2)),
        "script": SampleItem(TITLE, f"{base}/s/1", "<script>" * 35_000, guid="s",
                             published=recent(3)),
        "comments": SampleItem("Detienen al periodista Luis Pérez en Caracas", f"{base}/c/1",
                               "Detenido.", guid="c", published=recent(4),
                               content="&lt;!--" * 25_000),
    }
    feeds = []
    for name, item in one.items():
        server.set_route(f"/h/{name}.xml", rss([item], title=name),
                         content_type="application/rss+xml")
        always = name in ("br", "gzgz")
        feeds.append(Feed(name, f"/h/{name}.xml", "always" if always else "never"))
    server.set_route("/h/deflate.xml", zlib_stream(1 << 30, 15), content_type="application/rss+xml",
                     headers={"Content-Encoding": "deflate"})
    feeds.append(Feed("deflate", "/h/deflate.xml", "always"))
    server.set_route("/h/big.xml", big_rss(internal.url("")), content_type="application/rss+xml")
    feeds.append(Feed("big", "/h/big.xml", "auto"))
    links = [internal.url("/admin"), internal.url("/latest/meta-data/"),
             f"{base}/internal-redirect"]
    server.set_route("/h/internal.xml", rss([
        SampleItem(f"{TITLE} ({n + 1} de {len(links)})", link, "Breve.", guid=f"i{n}",
                   published=recent(5 + n))
        for n, link in enumerate(links)
    ], title="internal"), content_type="application/rss+xml")
    feeds.append(Feed("internal", "/h/internal.xml", "always"))
    return feeds


def serve_ordinary(server: FeedServer, hostile: list[Feed]) -> list[Feed]:
    """As many ordinary feeds as hostile ones, with the same article settings: 50 items each
    (a summary of a few sentences), article pages of about 13 KB on the same origin."""
    feeds = []
    for k, like in enumerate(hostile):
        items = [SampleItem(f"Nota {k}-{n} sobre presos políticos en Caracas",
                            server.url(f"/o/{k}/{n}"), " ".join([SENTENCE] * 4),
                            guid=f"o{k}-{n}", published=recent(n + 1)) for n in range(50)]
        for n in range(50):
            server.set_route(f"/o/{k}/{n}", article_page(n), content_type="text/html")
        server.set_route(f"/b/{k}.xml", rss(items, title=f"ordinary {k}"),
                         content_type="application/rss+xml")
        feeds.append(Feed(f"ordinary{k}", f"/b/{k}.xml", like.fetch_article))
    return feeds


# -- the poll ------------------------------------------------------------------------------
def write_config(path: Path, server: FeedServer, feeds: list[Feed], feed_password: str) -> None:
    yaml = YAML()
    config = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    userinfo = f"http://{FEED_USER}:{feed_password}@"
    config["feeds"] = [
        {"name": f.name, "url": server.url(f.path).replace("http://", userinfo, 1),
         "language": "es", "fetch_article": f.fetch_article}
        for f in feeds
    ]
    config["channels"] = [{"name": "presos", "chat_id": "@bench_presos",
                           "topics": ["political_prisoners"]}]
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(config, fh)


@dataclass
class Run:
    peak_mb: float
    seconds: float
    code: int
    stdout: str
    stderr: str


def run_monitor(args: list[str], tmp: Path, env: dict[str, str], tag: str) -> Run:
    """One `monitor` subprocess; its peak RSS from the kernel (wait4's ru_maxrss, KiB)."""
    out, err = tmp / f"{tag}.out", tmp / f"{tag}.err"
    started = time.perf_counter()
    with out.open("wb") as o, err.open("wb") as e:
        proc = subprocess.Popen([sys.executable, "-m", "monitor", *args], stdout=o, stderr=e,
                                cwd=tmp, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(usage.ru_maxrss / 1024, time.perf_counter() - started, proc.returncode,
               out.read_text(errors="replace"), err.read_text(errors="replace"))


def database_cells(url: str) -> list[tuple[str, str]]:
    """Every non-null cell of every table, as ("table.column", text)."""
    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return [(f"{table.name}.{column}", str(value))
                    for table in meta.sorted_tables
                    for row in conn.execute(select(table)).mappings()
                    for column, value in row.items() if value is not None]
    finally:
        engine.dispose()


def poll(tag: str, feeds: list[Feed], server: FeedServer, tmp: Path, db_url: str,
         feed_password: str) -> tuple[Run, Run]:
    config = tmp / f"{tag}.yaml"
    write_config(config, server, feeds, feed_password)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT),
           "DATABASE_URL": db_url, "HOME": str(tmp)}
    polled = run_monitor(["poll-once", "--dry-run", "--config", str(config), "--log-level", "DEBUG"],
                         tmp, env, tag)
    status = run_monitor(["status", "--config", str(config)], tmp, env, f"{tag}-status")
    return polled, status


@dataclass
class Measures:
    base: Run
    bad: Run
    alone: dict[str, Run]  # each hostile feed polled alone (SQLite), "baseline" one ordinary feed
    fetched: dict[str, int]
    sent_credentials: bool
    leaks: dict[str, int]
    leaked_cells: list[str]
    internal_hits: int


def measure(tmp: Path, feed_password: str, db_password: str, pg: Postgres | None) -> Measures:
    basic = base64.b64encode(f"{FEED_USER}:{feed_password}".encode()).decode()
    wanted = [feed_password, basic] + ([db_password] if pg else [])
    with FeedServer() as server, InternalService(INTERNAL_PAGE, backlog=64) as internal:
        hostile = serve_hostile(server, internal)
        ordinary = serve_ordinary(server, hostile)
        urls = pg.url_of if pg else {n: f"sqlite:///{tmp / n}.db" for n in ("baseline", "hostile")}
        base, _ = poll("baseline", ordinary, server, tmp, urls["baseline"], feed_password)
        bad, status = poll("hostile", hostile, server, tmp, urls["hostile"], feed_password)
        fetched = {p: len(server.hits(p)) for p in ("/article/br", "/article/gzgz", "/h/deflate.xml",
                                                    "/h/big.xml", "/internal-redirect")}
        sent = any(h.headers.get("authorization") == f"Basic {basic}"
                   for h in server.hits("/h/script.xml"))
        cells = database_cells(urls["hostile"])
        outputs = {"stdout": bad.stdout, "stderr": bad.stderr,
                   "monitor status": status.stdout + status.stderr,
                   "database": "\n".join(v for _, v in cells)}
        leaks = {where: sum(text_.count(s) for s in wanted) for where, text_ in outputs.items()}
        leaked = sorted({where for where, v in cells if any(s in v for s in wanted)})
        alone = {}
        for feed in [ordinary[0], *hostile]:
            name = "baseline" if feed is ordinary[0] else feed.name
            alone[name], _ = poll(f"alone-{name}", [feed], server, tmp,
                                  f"sqlite:///{tmp / f'alone-{name}.db'}", feed_password)
        return Measures(base, bad, alone, fetched, sent, leaks, leaked, internal.connections)


def main() -> int:
    feed_password = "fEEd-" + secrets.token_hex(6)
    db_password = "dB-" + secrets.token_hex(6)
    print(f"- machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    # The feed server's threads print a traceback when the client drops a bomb mid-body.
    with (tempfile.TemporaryDirectory() as d, postgres(db_password, ["baseline", "hostile"]) as pg,
          contextlib.redirect_stderr(io.StringIO())):
        m = measure(Path(d), feed_password, db_password, pg)

    growth = m.bad.peak_mb - m.base.peak_mb
    memory_ok = growth < MEMORY_MARGIN_MB and m.bad.code == 0 and m.base.code == 0
    n = len(m.alone) - 1
    database = "PostgreSQL, password in DATABASE_URL" if pg else "SQLite (no PostgreSQL here)"
    print(f"- database: {database}; feed URLs carry {FEED_USER}:PASSWORD@; log level DEBUG")
    print(f"- baseline, {n} ordinary feeds (50 items each, 13 KB article pages): "
          f"peak RSS {m.base.peak_mb:.0f} MB, {m.base.seconds:.1f} s, exit {m.base.code}")
    print(f"- hostile, {n} feeds in one `poll-once --dry-run`: peak RSS "
          f"{m.bad.peak_mb:.0f} MB, {m.bad.seconds:.1f} s, exit {m.bad.code}")
    for tag, run in (("baseline", m.base), ("hostile", m.bad)):
        if run.code:
            last = (run.stderr.strip().splitlines() or [""])[-1]
            print(f"  - {tag} poll failed: `{last[:200]}`")
    print(f"- difference: {growth:+.0f} MB (target below +{MEMORY_MARGIN_MB} MB): "
          f"{'met' if memory_ok else 'MISSED'}")
    one = m.alone["baseline"].peak_mb
    print(f"- each hostile feed polled alone (SQLite), peak RSS minus one ordinary feed's "
          f"({one:.0f} MB): " + ", ".join(
              f"{name} {run.peak_mb - one:+.0f} MB ({run.seconds:.1f} s)"
              for name, run in m.alone.items() if name != "baseline"))
    print("- hostile bodies requested (each was really met): "
          + ", ".join(f"{p} {k}" for p, k in m.fetched.items()))
    for line in m.bad.stdout.splitlines():
        if line.split(":", 1)[0] in m.alone:
            print(f"  - `{line[:150]}`")
    print(f"- connections to the internal service: {m.internal_hits} (target 0)")
    print(f"- feed credentials reached the feed server as Basic auth: "
          f"{'yes' if m.sent_credentials else 'NO'}")
    print(f"- secrets found (feed password, its Basic credentials"
          f"{', the database password' if pg else ''}): "
          + ", ".join(f"{where} {k}" for where, k in m.leaks.items())
          + f" (total {sum(m.leaks.values())}, target 0)"
          + (f"; in the database at {', '.join(m.leaked_cells)}" if m.leaked_cells else ""))
    ok = (memory_ok and m.internal_hits == 0 and not any(m.leaks.values())
          and m.sent_credentials)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
