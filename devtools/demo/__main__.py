"""`make demo`: an offline end-to-end run in about 45 seconds.

Four sample feeds (Spanish and English, written for the demo) are served on
127.0.0.1; the real service (scheduler, fetching, matching, stories, outbox,
python-telegram-bot) runs against a local Bot API emulator and the console.
While it runs, new items appear in the feeds: a release reported by three
outlets (one story, one message, then edits naming the others), the figure
verified by Foro Penal (a reply), noise that must stay silent, and at the end
a digest. It stops by itself and says what happened.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ruamel.yaml import YAML

from alerts.digest import enqueue_digest
from core.config import Runtime, load_config
from core.logs import setup_logging
from devtools.demo.content import FEEDS, ITEMS, rss
from devtools.emulator import BotApiEmulator
from devtools.feedserver import FeedServer
from monitor.service import Service
from storage.alerts import queue_summary
from storage.db import open_database

ROOT = Path(__file__).resolve().parents[2]
DEMO_TOKEN = "123456789:DEMO-not-a-real-token-0123456789abcdef"
CHANNELS = {"@presos_demo": "political_prisoners", "@eeuu_demo": "us_actions"}
DIGEST_CHAT = "@resumen_demo"

# (second of the demo, what happens)
TIMELINE = [(10, "new items: a release reported by three outlets, US strikes in Yemen"),
            (24, "new item: Foro Penal verifies part of the releases"),
            (34, "digest time for the roundup channel")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(path: Path, server: FeedServer) -> None:
    """A demo config: the real topic rules and entities, local feeds, demo channels."""
    yaml = YAML()
    shipped = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    config = {
        "settings": {"timezone": "America/Caracas", "http_listen": f"127.0.0.1:{_free_port()}",
                     "backfill_window": "24h"},
        "rules": shipped["rules"],
        "feeds": [
            {"name": name, "outlet": outlet, "url": server.url(f"/{name}.xml"), "language": lang,
             "interval": "30s", "fetch_article": "never"}
            for name, (outlet, lang) in FEEDS.items()
        ],
        "channels": [
            {"name": "console", "chat_id": "console", "topics": ["political_prisoners", "us_actions"]},
            {"name": "presos", "chat_id": "@presos_demo", "topics": ["political_prisoners"]},
            {"name": "eeuu", "chat_id": "@eeuu_demo", "topics": ["us_actions"]},
            {"name": "resumen", "chat_id": DIGEST_CHAT, "topics": ["political_prisoners", "us_actions"],
             "mode": "digest", "schedule": ["08:00"]},
        ],
    }
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(config, fh)


class FeedPublisher(threading.Thread):
    """Keeps each feed's document current: items appear at their phase of the demo."""

    def __init__(self, server: FeedServer, start: datetime) -> None:
        super().__init__(daemon=True, name="demo-feeds")
        self.server, self.start_time, self.stop = server, start, threading.Event()
        self.publish(0.0)

    def publish(self, elapsed: float) -> None:
        for name in FEEDS:
            body = rss(name, self.start_time, elapsed, self.server.base_url)
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            self.server.set_route(f"/{name}.xml", body, content_type="application/rss+xml", etag=etag)

    def run(self) -> None:
        begin = time.monotonic()
        while not self.stop.wait(1.0):
            self.publish(time.monotonic() - begin)


async def drive(service: Service, seconds: float, say) -> None:
    """Follow the timeline: poll right after items appear, run the digest, then stop."""
    begin = time.monotonic()
    steps = list(TIMELINE)
    while time.monotonic() - begin < seconds:
        elapsed = time.monotonic() - begin
        if steps and elapsed >= steps[0][0]:
            at, what = steps.pop(0)
            say(f"t={at}s: {what}")
            if "digest" in what:
                await roundup_now(service)
            elif service.feed_scheduler is not None:
                for name in FEEDS:
                    service.feed_scheduler.poll_now(name)
        await asyncio.sleep(0.25)
    service.request_stop()


async def roundup_now(service: Service) -> None:
    """The roundup channel's roundup of every story since its last one, queued now, as an
    operator's would be. The scheduler's (`service.digest`) is the roundup of the channel's latest
    schedule time and tells the stories up to that time (08:00, hours before the demo's stories):
    called at the demo's 34th second, it queued nothing and the roundup channel stayed empty."""
    def queue() -> int:
        with service.db.session() as session:
            return len(enqueue_digest(session, service.config, "resumen", now=datetime.now(UTC)))

    if await asyncio.to_thread(queue):
        service.worker.wake()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=45.0, help="how long the demo runs (default 45)")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    setup_logging(args.log_level)

    def say(text: str) -> None:
        print(f"\n>>> {text}", flush=True)

    with tempfile.TemporaryDirectory(prefix="monitor-demo-") as tmp, FeedServer() as server, \
            BotApiEmulator() as emulator:
        config_path = Path(tmp) / "feeds.yaml"
        write_config(config_path, server)
        config = load_config(config_path)
        os.environ["TELEGRAM_BOT_TOKEN"] = DEMO_TOKEN
        setup_logging(args.log_level)  # picks up the token for redaction
        runtime = Runtime(str(config_path), f"sqlite:///{tmp}/demo.db", emulator.api_url, DEMO_TOKEN)
        db = open_database(runtime.database_url)
        publisher = FeedPublisher(server, datetime.now(UTC))
        publisher.start()
        say(f"demo: {len(FEEDS)} local feeds on {server.base_url}, Bot API emulator on "
            f"{emulator.api_url}, database in {tmp}; ends in about {args.seconds:.0f} s")
        say("t=0s: the feeds hold an old backlog (stored, never alerted), one sanctions story and "
            "an album launch (noise)")

        async def run() -> None:
            service = Service(config, runtime, db, scheduler_options={"spread": timedelta(seconds=3)})
            await asyncio.gather(service.run(), drive(service, args.seconds, say))

        try:
            asyncio.run(run())
        finally:
            publisher.stop.set()
        missing = report(emulator, db, say)
        db.dispose()
    if missing:
        print("Not as the demo should go: " + "; ".join(missing), file=sys.stderr)
        return 1
    return 0


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def chat_summary(messages: int, replies: int, edits: int) -> str:
    """"2 messages (1 of them a reply; 2 edits in all)", "3 messages (2 of them replies; …)"."""
    return f"{_n(messages, 'message')} ({replies} of them {'a reply' if replies == 1 else 'replies'}; " \
           f"{_n(edits, 'edit')} in all)"


def report(emulator: BotApiEmulator, db, say) -> list[str]:
    """Say what each chat received; return what differs from what the demo shows (empty: all of it)."""
    say("what happened")
    relevant = sum(item.relevant for item in ITEMS)
    print(f"- sample items published: {len(ITEMS)} ({relevant} relevant, 2 of them old backlog)")
    for chat in [*CHANNELS, DIGEST_CHAT]:
        messages = emulator.messages(chat)
        edits = sum(len(m.edits) for m in messages)
        replies = sum(m.reply_to is not None for m in messages)
        print(f"- {chat}: {chat_summary(len(messages), replies, edits)}")
        for m in messages:
            first = m.text.splitlines()[0:4]
            print("    · " + " | ".join(line for line in first if line.strip())[:150])
    with db.session() as session:
        queue = queue_summary(session)
    pending = sum(v.get("pending", 0) + v.get("sending", 0) for v in queue.values())
    print(f"- outbox: {sum(v.get('sent', 0) for v in queue.values())} sent, {pending} still queued")
    presos = emulator.messages("@presos_demo")
    firsts = [m for m in presos if m.reply_to is None]
    edits = sum(len(m.edits) for m in firsts)
    replies = sum(m.reply_to is not None for m in presos)
    print(f"- the release reported by 3 outlets: {len(firsts)} message(s) in @presos_demo, edited "
          f"{edits} time(s) to name the other outlets; the verified figure: {replies} reply")
    shown = " ".join(m.text for msgs in emulator.all_messages().values() for m in msgs)
    leaked = [i.title for i in ITEMS if (not i.relevant or i.age_hours > 24) and i.title in shown]
    print(f"- noise (an album launch, US strikes in Yemen) and the old backlog: "
          f"{len(leaked)} message(s){': ' + '; '.join(leaked) if leaked else ''}")
    return unexpected(len(firsts), edits, replies, len(emulator.messages("@eeuu_demo")),
                      len(emulator.messages(DIGEST_CHAT)), pending, leaked)


def unexpected(release_messages: int, edits: int, replies: int, us_messages: int, roundups: int,
               pending: int, leaked: list[str]) -> list[str]:
    """What the run did not show of the story the README tells."""
    checks = [(release_messages == 1, f"the release: {release_messages} messages, not 1"),
              (edits >= 1, "the release's message was never edited to name the other outlets"),
              (replies == 1, f"the verified figure: {replies} replies, not 1"),
              (us_messages == 1, f"the US channel: {us_messages} messages, not 1"),
              (roundups >= 1, "the roundup channel received no roundup"),
              (pending == 0, f"{pending} alerts still queued"),
              (not leaked, f"noise or backlog sent: {'; '.join(leaked)}")]
    return [text for ok, text in checks if not ok]


if __name__ == "__main__":
    sys.exit(main())
