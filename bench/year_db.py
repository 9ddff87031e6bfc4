"""A database as a year of service leaves it, and what each month added (docs/SCALE.md, "A year").

    python bench/year_db.py --out /tmp/year.db [--days 365] [--feeds 300] [--relevant 2000]
                            [--unmatched 6000] [--retention 90] [--start YYYY-MM-DD]
    python bench/year_db.py --url postgresql+psycopg://user@host:port/db [...]   # an empty database

The schema is the project's own (`storage.db.open_database` runs the migrations), the feeds and
channels rows come from `sync_feeds`/`sync_channels`, retention is `prune_unmatched_items`, run
once a simulated day with the service's cutoff (`now - retention`, 90 days as shipped). Rows are
written day by day in order, as the service would: per day `--unmatched` items that match no
topic (pruned after `--retention`) and `--relevant` matched items (a `matches` row each, both
topics for 15 %, a figure for 15 %, a revision of its story's first item for about 2 %) in stories of about
3.3 items, each story told in its channel (`new`, then an `edit` per later item, an `update` reply
for a new figure), all sent; one digest a day, a fold every few days, 3 feedback rows and 2
learned watched people a day, the feeds' poll state rewritten daily, 300 poll leases. Payloads
and texts are of about the real sizes (an alert's row, its message's HTML, text and view: 3 KB).

At each month's end it prints the file's size, its free pages (what SQLite holds but does not
give back), the -wal file and the rows per table: the figures of docs/SCALE.md. About 13 minutes
and 4.5 GB for a year on a 2-core box (not in `make bench`: run it by hand, then bench/year_measure.py).
With `--url` it writes into a PostgreSQL database (empty: the migrations create the tables; a year:
17 minutes, 3.9 GB) and prints, each month, the database's size, each big table's heap, indexes and TOAST, and its dead
rows (what autovacuum has not yet reclaimed).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, update  # noqa: E402

from storage.alerts import sync_channels  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.feeds import sync_feeds  # noqa: E402
from storage.items import prune_unmatched_items  # noqa: E402
from storage.models import (  # noqa: E402
    Alert,
    Count,
    Feed,
    Feedback,
    Item,
    Lease,
    Match,
    Story,
    WatchedPerson,
)

TOPICS = ("political_prisoners", "us_actions")
CHANNELS = {"presos": "political_prisoners", "eeuu": "us_actions"}
DIGEST = "resumen"
VOCABULARY = ("liberan presos políticos excarcelación Foro Penal detenidos Helicoide Tocorón régimen "
         "sanciones OFAC buque petrolero Caracas militares activistas periodistas familiares vigilia "
         "amnistía tribunal fiscalía denuncian desaparición forzada Trump Rubio Pentágono")
WORDS = tuple(VOCABULARY.split())
EVENTS = ("released", "held", "arrested", "released")
SOURCES = ("Foro Penal", "Provea", "the government", "JEP", None)
TABLES = ("items", "matches", "counts", "stories", "alerts", "feedback", "watched_people", "feeds",
          "leases", "channels")


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


class Year:
    """The generator's state: the next ids and the items of the last days (revisions)."""

    def __init__(self, db: Any, feeds: int, rng: random.Random) -> None:
        self.db, self.rng, self.feeds = db, rng, feeds
        self.item_id = self.story_id = self.alert_id = 0
        self.people = 0
        self.matched: list[int] = []  # the day's matched items: what feedback and people name

    def day(self, start: datetime, relevant: int, unmatched: int) -> None:
        rng = self.rng
        items: list[dict[str, Any]] = []
        matches: list[dict[str, Any]] = []
        counts: list[dict[str, Any]] = []
        stories: list[dict[str, Any]] = []
        alerts: list[dict[str, Any]] = []
        times = sorted(start + timedelta(seconds=rng.randrange(86400)) for _ in range(relevant + unmatched))
        kinds = [True] * relevant + [False] * unmatched
        rng.shuffle(kinds)
        open_stories: list[dict[str, Any]] = []
        self.matched = []
        for when, matched in zip(times, kinds, strict=True):
            self.item_id += 1
            iid = self.item_id
            row = {"id": iid, "feed_id": rng.randrange(self.feeds) + 1, "guid": f"g{iid}",
                   "url": f"https://o{iid % 97}.example/n/{iid}", "canonical_url": f"https://o{iid % 97}.example/n/{iid}",
                   "title": words(rng, 12), "summary": words(rng, 40), "text": None, "language": "es",
                   "published_at": when - timedelta(minutes=5), "date_only": False, "fetched_at": when,
                   "content_hash": f"{iid:064x}", "backfill": False, "entities": [],
                   "classified_at": when, "story_id": None, "story_match": None, "revision_of": None}
            items.append(row)
            if not matched:
                continue
            self.matched.append(iid)
            topics = [rng.choice(TOPICS)] if rng.random() > 0.15 else list(TOPICS)
            for topic in topics:
                matches.append({"item_id": iid, "topic": topic, "urgency": "normal", "created_at": when,
                                "terms": ["presos políticos"], "explain": [{"term": "presos políticos", "w": 1.0}]})
            figure = None
            if rng.random() < 0.15:
                figure = {"event": rng.choice(EVENTS), "number": rng.randrange(10, 900),
                          "source": rng.choice(SOURCES)}
                counts.append({"item_id": iid, "confident": True, "additional": False, **figure})
            self._place(row, topics, figure, when, open_stories, stories, alerts)
        self._write(items, matches, counts, stories, alerts)
        self._daily(start)

    def _place(self, item: dict[str, Any], topics: list[str], figure: dict[str, Any] | None, when: datetime,
               open_stories: list[dict[str, Any]], stories: list[dict[str, Any]], alerts: list[dict[str, Any]]) -> None:
        rng = self.rng
        live = [s for s in open_stories if when - s["updated_at"] < timedelta(hours=6)]
        if live and rng.random() < 0.7:
            story = rng.choice(live)
            story["updated_at"] = when
            item["story_id"] = story["id"]
            item["story_match"] = {"score": round(rng.random(), 3), "signals": ["title", "entities"]}
            if rng.random() < 0.03:
                item["revision_of"] = story["first_item_id"]
            for channel, topic in CHANNELS.items():
                if topic in story["topics"]:
                    kind = "update" if figure else "edit"
                    self._alert(alerts, channel, story["id"], kind, f"{kind}:{channel}:{story['id']}:{item['id']}",
                                item, when)
            return
        self.story_id += 1
        story = {"id": self.story_id, "title": item["title"], "topics": topics, "urgency": "normal",
                 "language": "es", "entities": [], "counts": [figure] if figure else [],
                 "first_item_id": item["id"], "created_at": when, "updated_at": when, "told_at": when}
        stories.append(story)
        open_stories.append(story)
        item["story_id"] = story["id"]
        for channel, topic in CHANNELS.items():
            if topic in topics:
                self._alert(alerts, channel, story["id"], "new", f"new:{channel}:{story['id']}", item, when)

    def _alert(self, alerts: list[dict[str, Any]], channel: str, story: int | None, kind: str, key: str,
               item: dict[str, Any], when: datetime, **payload: Any) -> None:
        self.alert_id += 1
        html = f"<b>{item['title']}</b>\n{item['summary']}\n<a href=\"{item['url']}\">El Pitazo</a>"
        sent = when + timedelta(seconds=2)
        alerts.append({
            "id": self.alert_id, "channel": channel, "story_id": story, "kind": kind, "dedupe_key": key,
            "status": "sent", "attempts": 1, "next_attempt_at": when, "claimed_at": sent, "last_error": None,
            "telegram_message_id": self.alert_id, "reply_to_alert_id": None, "created_at": when, "sent_at": sent,
            "payload": {"html": html, "text": html, "preview": False, "item_id": item["id"],
                        "feed_id": item["feed_id"], "view": {"title": item["title"], "summary": item["summary"],
                                                             "url": item["url"], "lang": "es"}, **payload},
        })

    def _write(self, items: list[dict[str, Any]], matches: list[dict[str, Any]], counts: list[dict[str, Any]],
               stories: list[dict[str, Any]], alerts: list[dict[str, Any]]) -> None:
        with self.db.session() as s:
            for model, rows in ((Story, stories), (Item, items), (Match, matches), (Count, counts), (Alert, alerts)):
                if rows:
                    s.execute(insert(model), rows)

    def _daily(self, start: datetime) -> None:
        """The day's digest, the odd fold, feedback, learned people, the feeds' poll state."""
        rng = self.rng
        end = start + timedelta(hours=23)
        fake = {"id": 0, "title": words(rng, 8), "summary": words(rng, 30), "url": "https://x.example/",
                "feed_id": 1}
        rows: list[dict[str, Any]] = []
        self._alert(rows, DIGEST, None, "digest", f"digest:{DIGEST}:{end.isoformat()}", fake, end,
                    story_ids=list(range(max(1, self.story_id - 600), self.story_id + 1)))
        if start.toordinal() % 4 == 0:
            self._alert(rows, "presos", None, "fold", f"fold:presos:{rng.randrange(300) + 1}:{self.alert_id + 1}",
                        fake, end, folded=7, limit=20, notify=True, notified=True, feed=f"feed-{rng.randrange(300):03d}")
        with self.db.session() as s:
            s.execute(insert(Alert), rows)
            s.execute(insert(Feedback), [
                {"kind": rng.choice(("miss", "wrong", "split")), "item_id": rng.choice(self.matched or [None]),
                 "title": words(rng, 10), "summary": words(rng, 30), "lang": "es", "topic": TOPICS[0],
                 "operator": "@op", "created_at": end} for _ in range(3)])
            for _ in range(2):
                self.people += 1
                s.execute(insert(WatchedPerson).values(
                    name=f"Persona Número {self.people}", key=f"persona numero {self.people}", origin="learned",
                    source_item_id=rng.choice(self.matched or [None]), source_url="https://x.example/p", source_title=words(rng, 10),
                    created_at=end, removed=False))
            s.execute(update(Feed), [
                {"id": i + 1, "last_polled_at": end, "last_success_at": end, "next_poll_at": end + timedelta(minutes=10),
                 "last_status": 304, "etag": f'"{start.toordinal()}-{i}"'} for i in range(self.feeds)])


def sqlite_figures(path: Path) -> dict[str, Any]:
    """File size, free pages, -wal size and rows per table of the SQLite file at `path`."""
    con = sqlite3.connect(path)
    try:
        page = con.execute("PRAGMA page_size").fetchone()[0]
        free = con.execute("PRAGMA freelist_count").fetchone()[0]
        rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608
    finally:
        con.close()
    wal = path.with_name(path.name + "-wal")
    return {"mb": path.stat().st_size / 1e6, "free_mb": free * page / 1e6,
            "wal_mb": wal.stat().st_size / 1e6 if wal.exists() else 0.0, "rows": rows}


PG_TABLES = ("alerts", "items", "matches", "stories", "counts")


def pg_figures(db: Any) -> dict[str, Any]:
    """The PostgreSQL database's size, each big table's heap, indexes, TOAST and dead rows (MB)."""
    with db.engine.connect() as conn:
        total = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
        rows = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one() for t in TABLES}  # noqa: S608
        tables = {}
        for t in PG_TABLES:
            heap, index, toast, dead = conn.exec_driver_sql(
                "SELECT pg_relation_size(c.oid), pg_indexes_size(c.oid),"
                " coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0), s.n_dead_tup"
                " FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = %s", (t,)).one()
            tables[t] = {"heap_mb": heap / 1e6, "index_mb": index / 1e6, "toast_mb": toast / 1e6, "dead": dead}
    return {"mb": total / 1e6, "rows": rows, "tables": tables}


def advance_sequences(db: Any) -> None:
    """On PostgreSQL, move the id sequences of the tables written with explicit ids past them:
    else the service's first insert into the year's database takes id 1 and fails."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.begin() as conn:
        for t in ("items", "stories", "alerts"):
            conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "  # noqa: S608
                                 f"(SELECT coalesce(max(id), 0) + 1 FROM {t}), false)")


def _month_line(figures: dict[str, Any]) -> str:
    if "tables" in figures:
        sizes = "; ".join(f"{t} heap {v['heap_mb']:.0f} + index {v['index_mb']:.0f} + toast {v['toast_mb']:.0f} MB"
                          f" ({v['dead']:,} dead)" for t, v in figures["tables"].items())
        head = f"database {figures['mb']:.0f} MB; {sizes}"
    else:
        head = f"file {figures['mb']:.0f} MB, free {figures['free_mb']:.0f} MB, wal {figures['wal_mb']:.0f} MB"
    return (f"- {figures['month']} (day {figures['day']}): {head}; "
            + ", ".join(f"{t} {n:,}" for t, n in figures["rows"].items()) + f" ({figures['elapsed_s']:.0f} s)")


def build(out: Path | str, *, days: int, feeds: int, relevant: int, unmatched: int, retention: int,
          start: datetime, seed: int = 12) -> list[dict[str, Any]]:
    """Write the year into `out` (a new SQLite file, or the URL of an empty PostgreSQL database);
    the figures at each month's end."""
    url = out if isinstance(out, str) else f"sqlite:///{out}"
    db = open_database(url)
    rng = random.Random(seed)
    months: list[dict[str, Any]] = []
    try:
        with db.session() as s:
            sync_feeds(s, [(f"feed-{i:03d}", f"https://f{i}.example/rss") for i in range(feeds)])
            sync_channels(s, [("presos", "@presos"), ("eeuu", "@eeuu"), (DIGEST, "@resumen")])
            s.execute(insert(Lease), [{"name": f"poll:feed-{i:03d}", "holder": "h", "expires_at": start,
                                       "acquired_at": start} for i in range(feeds)])
        year = Year(db, feeds, rng)
        t0 = time.perf_counter()
        for d in range(days):
            day = start + timedelta(days=d)
            year.day(day, relevant, unmatched)
            with db.session() as s:  # the day's retention pass (the service: every 6 h)
                prune_unmatched_items(s, day + timedelta(days=1) - timedelta(days=retention))
            if (day + timedelta(days=1)).day == 1 or d == days - 1:
                sizes = pg_figures(db) if isinstance(out, str) else sqlite_figures(out)
                figures = {"month": day.strftime("%Y-%m"), "day": d + 1, **sizes, "elapsed_s": time.perf_counter() - t0}
                months.append(figures)
                print(_month_line(figures), flush=True)
        advance_sequences(db)
    finally:
        db.dispose()
    return months


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="a new SQLite file")
    where.add_argument("--url", help="an empty PostgreSQL database (postgresql+psycopg://...)")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--relevant", type=int, default=2000)
    parser.add_argument("--unmatched", type=int, default=6000)
    parser.add_argument("--retention", type=int, default=90)
    parser.add_argument("--start", help="the first day (default: --days before today, so the year ends now)")
    args = parser.parse_args(argv)
    if args.out is not None and args.out.exists():
        parser.error(f"{args.out} exists: the generator writes a new file")
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = (datetime.fromisoformat(args.start).replace(tzinfo=UTC) if args.start
             else today - timedelta(days=args.days))
    build(args.url or args.out, days=args.days, feeds=args.feeds, relevant=args.relevant, unmatched=args.unmatched,
          retention=args.retention, start=start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
