"""Real days of January served to the real service, the channels read back as an advocate reads them.

    python bench/replay_channels.py [--first 2026-01-08] [--start 2026-01-09] [--last 2026-01-21]
        [--step 3] [--out DIR] [--headlines PATH] [--db URL [--db-clock FILE]] [--replicas N]

Each outlet of ../shared/real/headlines_es_2026-01.jsonl is one RSS feed on 127.0.0.1
(devtools/feedserver.py); a day's headlines are spread over 06:00-22:00 Caracas in id order and
appear in their feed at that time. The default feeds.yaml, its feeds replaced and its two channels
pointed at the Bot API emulator (devtools/emulator.py; the prisoners' one with `pin_tally`), is run
by `monitor poll-once` every `--step` replayed hours under libfaketime (`faketime`), on one fresh
SQLite file, from `--start` 00:00 to the day after `--last`. `backfill_window: 0s`: the days from
`--first` to `--start` are stored by the first poll (stories to join) and never alerted; each feed's
interval is the step, so what a feed published since the last poll is news. After each poll the
pinned tally is kept as the service's leader keeps it (alerts/tally/pin.py).

`--db URL` replays on that database instead (an empty PostgreSQL database: the replicas' case)
and `--replicas N` runs N `monitor poll-once` at once at each step, all polling every feed, as
replicas that polled the same feeds at the same moment would: the items are stored once, placed
in stories in turn and each alert is claimed once (docs/OPERATIONS.md, "Replicas on one
PostgreSQL"). Compare its `presos.txt` and `eeuu.txt` with those of a run on SQLite.
PostgreSQL stamps claims, leases and the chats' rate windows by its own clock: run the server
under libfaketime reading `--db-clock FILE` (`LD_PRELOAD=.../libfaketime.so.1
FAKETIME_TIMESTAMP_FILE=FILE FAKETIME_NO_CACHE=1 DONT_FAKE_MONOTONIC=1 pg_ctl ... start`), in
which the replay writes the replayed time's offset at each step; on the real clock the whole
replay's messages fall in a few minutes of the chats' windows (20 a minute) and are held. Under
libfaketime set months back the server's lock_timeout fires early (10 s after 1 s): a
`classification stopped: the database is locked` warning in such a run is the harness's.

Written to `--out`: `presos.txt` and `eeuu.txt` (every message, edit, reply and pin, in order,
with the replayed time it happened at), `log.jsonl` (the same as data), `m.db` (SQLite). Needs
../shared/real and faketime; takes 5-10 minutes for 13 days.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ruamel.yaml import YAML  # noqa: E402

from alerts.digest import enqueue_due_digests  # noqa: E402
from alerts.tally.pin import TallyPins  # noqa: E402
from core.clock import ManualClock  # noqa: E402
from core.config import Runtime, load_config  # noqa: E402
from devtools.emulator import BotApiEmulator  # noqa: E402
from devtools.feedserver import FeedServer  # noqa: E402
from devtools.samples import SampleItem, rss  # noqa: E402
from storage.db import open_database  # noqa: E402

CARACAS = ZoneInfo("America/Caracas")
HEADLINES = ROOT.parent / "shared" / "real" / "headlines_es_2026-01.jsonl"
CHATS = {"political_prisoners": "@presos", "us_actions": "@eeuu"}
DIGEST_CHAT = "@resumen"
DIGEST_SCHEDULE = ["09:00", "21:00"]
TOKEN = "123:abc"


def publication_times(rows: list[dict[str, Any]]) -> dict[str, datetime]:
    """Each headline's time: its day's headlines spread over 06:00-22:00 Caracas in id order."""
    by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_day[str(r["date"])[:10]].append(r)
    times: dict[str, datetime] = {}
    for day, day_rows in by_day.items():
        start = datetime.fromisoformat(day).replace(hour=6, tzinfo=CARACAS)
        for k, r in enumerate(sorted(day_rows, key=lambda r: r["id"])):
            times[r["id"]] = (start + timedelta(minutes=k * 16 * 60 // len(day_rows))).astimezone(UTC)
    return times


def feed_body(rows: list[dict[str, Any]], times: dict[str, datetime], now: datetime, title: str) -> bytes:
    """An outlet's feed as it stood at `now`: its last 60 headlines, newest first."""
    shown = sorted((r for r in rows if times[r["id"]] <= now), key=lambda r: times[r["id"]], reverse=True)
    return rss([SampleItem(title=r["title"], link=f"https://news.example/{r['id']}", guid=r["id"],
                           published=times[r["id"]]) for r in shown[:60]], title=title)


def write_config(path: Path, outlets: list[str], server: FeedServer, step: int, digest: bool = False) -> None:
    yaml = YAML()
    cfg = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    cfg["settings"]["backfill_window"] = "0s"
    cfg["settings"].pop("http_listen", None)
    for channel in cfg["channels"]:
        topic = channel["topics"][0]
        channel.update(name=topic, chat_id=CHATS[topic], pin_tally=topic == "political_prisoners")
    cfg["feeds"] = [{"name": f"o{k}", "outlet": o, "url": server.url(f"/o{k}.xml"), "type": "rss",
                     "language": "es", "interval": f"{step}h"} for k, o in enumerate(outlets)]
    if digest:  # a roundup of both topics twice a day, as an advocate who reads once in the morning
        cfg["channels"].append({"name": "roundup", "chat_id": DIGEST_CHAT, "topics": list(CHATS), "mode": "digest",
                                "schedule": DIGEST_SCHEDULE})
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(cfg, fh)


def keep_pin(config_path: Path, db_url: str, api_url: str, now: datetime) -> None:
    """One round of the pinned tally, as the service's leader runs it."""
    db = open_database(db_url)
    pins = TallyPins(load_config(config_path), Runtime(str(config_path), db_url, api_url, TOKEN), db,
                     clock=ManualClock(now))

    async def tick() -> None:
        try:
            await pins.tick()
        finally:
            await pins.close()

    asyncio.run(tick())
    db.engine.dispose()


def queue_digests(config_path: Path, db_url: str, now: datetime) -> None:
    """The roundups due at `now`, as the service's leader queues them (`monitor poll-once` sends them)."""
    db = open_database(db_url)
    with db.session() as session:
        enqueue_due_digests(session, load_config(config_path), now=now)
    db.engine.dispose()


def collect(emu: BotApiEmulator, seen: dict[tuple[str, int], int], at: str, log: list[dict[str, Any]]) -> None:
    """Append what the chats received since the last call: new messages, edits, pins."""
    for chat, messages in emu.all_messages().items():
        for m in messages:
            key = (chat, m.message_id)
            texts = [*m.edits, m.text]
            if key not in seen:
                log.append({"at": at, "chat": chat, "kind": "send", "id": m.message_id, "reply_to": m.reply_to,
                            "photo": m.photo is not None, "text": texts[0]})
                seen[key] = 0
            for text in texts[seen[key] + 1:]:
                log.append({"at": at, "chat": chat, "kind": "edit", "id": m.message_id, "text": text})
            seen[key] = len(texts) - 1
        pinned = emu.pinned(chat)
        if pinned and not any(x["kind"] == "pin" and x["chat"] == chat and x["id"] == pinned for x in log):
            log.append({"at": at, "chat": chat, "kind": "pin", "id": pinned})


def write_final(out: Path, emu: BotApiEmulator) -> None:
    """`final-<chat>.txt`: each message as the channel shows it at the end (edits applied), its
    reply and the pinned one marked, as a subscriber scrolling the channel reads it."""
    for chat, messages in emu.all_messages().items():
        pinned = emu.pinned(chat)
        with (out / f"final-{chat[1:]}.txt").open("w", encoding="utf-8") as fh:
            for m in messages:
                head = f"#{m.message_id}" + (f" (reply to #{m.reply_to})" if m.reply_to else "")
                head += " (PINNED)" if m.message_id == pinned else ""
                head += f" ({len(m.edits)} edits)" if m.edits else ""
                fh.write(f"{head}\n{m.text}\n\n")


def write_out(out: Path, log: list[dict[str, Any]]) -> None:
    (out / "log.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in log), encoding="utf-8")
    for chat in sorted({x["chat"] for x in log}):
        with (out / f"{chat[1:]}.txt").open("w", encoding="utf-8") as fh:
            for x in (x for x in log if x["chat"] == chat):
                head = f"[{x['at']}] {x['kind'].upper()} #{x['id']}"
                head += f" (reply to #{x['reply_to']})" if x.get("reply_to") else ""
                head += " (photo)" if x.get("photo") else ""
                fh.write(f"{head}\n{x.get('text') or ''}\n\n")


def poll_at_once(replicas: int, now: datetime, config: Path, db_url: str, env: dict[str, str], cwd: str,
                 at: str) -> None:
    """`replicas` runs of `monitor poll-once` at the replayed `now`, started together."""
    command = ["faketime", now.strftime("%Y-%m-%d %H:%M:%S"), sys.executable, "-m", "monitor", "poll-once",
               "--config", str(config), "--db", db_url, "--log-level", "WARNING"]
    runs = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                             cwd=cwd) for _ in range(replicas)]
    for k, run in enumerate(runs):
        _, err = run.communicate()
        if run.returncode != 0 or err.strip():
            print(f"{at}: poll-once {k} exited {run.returncode}: {err[-2000:]}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--headlines", type=Path, default=HEADLINES)
    ap.add_argument("--first", default="2026-01-08", help="first day served (stored, not alerted)")
    ap.add_argument("--start", default="2026-01-09", help="first day replayed live")
    ap.add_argument("--last", default="2026-01-21")
    ap.add_argument("--step", type=int, default=3, help="replayed hours between polls")
    ap.add_argument("--out", type=Path, default=Path("replay-out"))
    ap.add_argument("--db", help="an empty database to replay on (default: a fresh SQLite file)")
    ap.add_argument("--db-clock", type=Path, help="libfaketime's FAKETIME_TIMESTAMP_FILE of the --db server")
    ap.add_argument("--replicas", type=int, default=1, help="`monitor poll-once` run at once per step")
    ap.add_argument("--digest", action="store_true",
                    help=f"also a roundup channel {DIGEST_CHAT} of both topics at {', '.join(DIGEST_SCHEDULE)}")
    args = ap.parse_args(argv)
    if not args.headlines.exists() or shutil.which("faketime") is None:
        print("needs ../shared/real/headlines_es_2026-01.jsonl and faketime (libfaketime)", file=sys.stderr)
        return 2
    rows = [r for r in map(json.loads, args.headlines.read_text(encoding="utf-8").splitlines())
            if args.first <= str(r["date"])[:10] <= args.last]
    times = publication_times(rows)
    outlets = sorted({str(r["outlet"]) for r in rows})
    args.out.mkdir(parents=True, exist_ok=True)
    log: list[dict[str, Any]] = []
    with FeedServer() as server, BotApiEmulator() as emu, tempfile.TemporaryDirectory() as tmp:
        config, db_url = Path(tmp) / "feeds.yaml", args.db or f"sqlite:///{Path(tmp) / 'm.db'}"
        write_config(config, outlets, server, args.step, args.digest)
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(PYTHONPATH=str(ROOT), TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=emu.api_url, TZ="UTC")
        now = datetime.fromisoformat(args.start).replace(tzinfo=CARACAS).astimezone(UTC)
        end = (datetime.fromisoformat(args.last) + timedelta(days=1)).replace(tzinfo=CARACAS).astimezone(UTC)
        seen: dict[tuple[str, int], int] = {}
        seen_poll = False
        while now <= end:
            for k, outlet in enumerate(outlets):
                mine = [r for r in rows if r["outlet"] == outlet]
                server.set_route(f"/o{k}.xml", body=feed_body(mine, times, now, outlet),
                                 content_type="application/rss+xml")
            at = now.astimezone(CARACAS).strftime("%m-%d %H:%M")
            if args.db_clock is not None:  # the server's clock at `now`, ticking
                args.db_clock.write_text(f"{round((now - datetime.now(UTC)).total_seconds()):+d}\n")
            if args.digest and seen_poll:  # (the first poll creates the database)
                queue_digests(config, db_url, now)
            poll_at_once(args.replicas, now, config, db_url, env, tmp, at)
            seen_poll = True
            keep_pin(config, db_url, emu.api_url, now + timedelta(minutes=5))
            collect(emu, seen, at, log)
            print(at, sum(len(m) for m in emu.all_messages().values()), "messages", flush=True)
            now += timedelta(hours=args.step)
        write_final(args.out, emu)
        if args.db is None:
            shutil.copy(Path(tmp) / "m.db", args.out / "m.db")
    write_out(args.out, log)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
