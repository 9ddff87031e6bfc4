"""Days of sends on a year-old database: what the outbox's updates leave behind (docs/SCALE.md).

    python bench/year_sends.py --db URL_OR_FILE [--days 1] [--alerts 2300] [--feeds 300] [--wait 90]

bench/year_db.py writes its alerts as sent, in one INSERT each. The service writes each one
three times: queued (`pending`), claimed (`sending`: `lock_chat`, `claim_alert`, the chat's
rate window read by `chat_sends`, as alerts/delivery/claims.py does) and its send recorded (`sent`,
`finish_alert` with the message id and the chat in its payload), each in its own transaction.
The feeds' poll state and the polls' leases are rewritten at every poll (every 10 minutes: 144
times a day per feed). This runs `--days` days of those writes, their times those of the days
after the year's last, as fast as the database takes them, then waits `--wait` seconds for
autovacuum (PostgreSQL) and prints each table's heap, indexes, dead rows, HOT updates and its
last autovacuum: whether the dead rows the updates leave are reclaimed at the defaults, or pile up.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, update  # noqa: E402

from bench.year_db import words  # noqa: E402
from storage.alerts import SENT_CHAT, chat_sends, claim_alert, finish_alert, lock_chat  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.leases import take  # noqa: E402
from storage.models import Alert, Feed  # noqa: E402

CHANNELS = ("presos", "eeuu")
TABLES = ("alerts", "feeds", "leases", "items", "stories")
LEASE = timedelta(seconds=120)


def table_figures(db: Any) -> dict[str, dict[str, Any]]:
    """Per table: heap and index MB, live and dead rows, HOT and all updates, last autovacuum."""
    if db.engine.dialect.name != "postgresql":
        return {}
    out = {}
    with db.engine.connect() as conn:
        for t in TABLES:
            row = conn.exec_driver_sql(
                "SELECT pg_relation_size(relid), pg_indexes_size(relid), n_live_tup, n_dead_tup, n_tup_hot_upd,"
                " n_tup_upd, last_autovacuum, autovacuum_count FROM pg_stat_user_tables WHERE relname = %s",
                (t,)).one()
            out[t] = dict(zip(("heap", "index", "live", "dead", "hot", "upd", "last_autovacuum", "autovacuums"),
                              row, strict=True))
    return out


def print_figures(title: str, figures: dict[str, dict[str, Any]]) -> None:
    print(f"- {title}")
    for t, f in figures.items():
        at = f["last_autovacuum"].strftime("%H:%M:%S") if f["last_autovacuum"] else "never"
        print(f"  - {t}: heap {f['heap'] / 1e6:,.1f} MB, indexes {f['index'] / 1e6:,.1f} MB; {f['live']:,} live, "
              f"{f['dead']:,} dead; {f['upd']:,} updates ({f['hot']:,} HOT); autovacuum {f['autovacuums']} "
              f"times, last {at}", flush=True)


def one_day(db: Any, day: datetime, alerts: int, feeds: int, next_message: int) -> int:
    """A day of sends and polls; returns the next Telegram message id."""
    step = timedelta(seconds=86400 / alerts)
    rng = random.Random(day.toordinal())
    with db.session() as s:
        top = s.scalar(select(func.max(Alert.id))) or 0
    polls_per_alert = max(1, feeds * 144 // alerts)
    feed = 0
    for n in range(alerts):
        now = day + n * step
        channel = CHANNELS[n % 2]
        title, summary = words(rng, 12), words(rng, 40)  # the year's payloads' sizes (year_db.py)
        html = f"<b>{title}</b>\n{summary}\n<a href=\"https://x.example/{top + n}\">El Pitazo</a>"
        payload = {"html": html, "text": html, "preview": False, "item_id": 1, "feed_id": 1,
                   "view": {"title": title, "summary": summary, "url": "https://x.example/", "lang": "es"}}
        with db.session() as s:  # queued
            alert_id = s.execute(insert(Alert).values(
                channel=channel, story_id=None, kind="new" if n % 3 == 0 else "edit",
                dedupe_key=f"sends:{day:%Y%m%d}:{n}", status="pending", attempts=0, next_attempt_at=now,
                created_at=now, payload=payload).returning(Alert.id)).scalar_one()
        with db.session() as s:  # claimed, within the chat's rate window
            lock_chat(s, [channel])
            row = claim_alert(s, alert_id, now, LEASE)
            assert row is not None
            chat_sends(s, [channel], now - timedelta(seconds=60), now, LEASE, leave_out=alert_id)
            sent_payload = {**(row.payload or {}), SENT_CHAT: f"@{channel}"}
        with db.session() as s:  # its send recorded
            finish_alert(s, alert_id, status="sent", sent_at=now + timedelta(seconds=1), claimed_at=None,
                         telegram_message_id=next_message, payload=sent_payload)
        next_message += 1
        for _ in range(polls_per_alert):  # the polls meanwhile: each feed's lease and poll state
            feed = feed % feeds + 1
            with db.session() as s:
                take(s, f"poll:feed-{feed - 1:03d}", "h", timedelta(minutes=10), now=now)
                s.execute(update(Feed).where(Feed.id == feed).values(
                    last_polled_at=now, last_success_at=now, next_poll_at=now + timedelta(minutes=10),
                    last_status=304, etag=f'"{now.timestamp():.0f}-{feed}"'))
    return next_message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the year's SQLite file, or its PostgreSQL URL")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--alerts", type=int, default=2300, help="alerts sent a day (the year's: about 2,300)")
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--wait", type=float, default=90.0, help="seconds to wait for autovacuum after the days")
    args = parser.parse_args(argv)
    url = args.db if "://" in args.db else f"sqlite:///{args.db}"
    db = open_database(url)
    try:
        with db.session() as s:
            last = s.scalar(select(func.max(Alert.created_at))) or datetime.now(UTC)
            next_message = (s.scalar(select(func.max(Alert.telegram_message_id))) or 0) + 1
        first = last.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        print_figures("before", table_figures(db))
        for d in range(args.days):
            t0 = time.perf_counter()
            next_message = one_day(db, first + timedelta(days=d), args.alerts, args.feeds, next_message)
            print_figures(f"after day {d + 1} of sends ({time.perf_counter() - t0:.0f} s)", table_figures(db))
        if args.wait > 0:
            time.sleep(args.wait)
            print_figures(f"{args.wait:.0f} s later", table_figures(db))
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
