"""A small world for service tests: local feeds, the Bot API emulator, a config file.

Everything is real: feeds are served over HTTP on 127.0.0.1, the service runs as
the `monitor` process (or in-process), and Telegram is reached through
python-telegram-bot against the emulator.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from devtools.emulator import BotApiEmulator
from devtools.feedserver import FeedServer
from devtools.samples import SampleItem, rss

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:TEST-token-for-the-emulator-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class World:
    tmp: Path
    server: FeedServer
    emulator: BotApiEmulator
    items: dict[str, list[SampleItem]] = field(default_factory=dict)
    languages: dict[str, str] = field(default_factory=dict)
    edits: dict[str, int] = field(default_factory=dict)  # headlines edited in place, per feed
    http_port: int = field(default_factory=free_port)
    procs: list[subprocess.Popen[str]] = field(default_factory=list)

    @property
    def config_path(self) -> Path:
        return self.tmp / "feeds.yaml"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.tmp / 'monitor.db'}"

    def feed(self, name: str, language: str = "es") -> None:
        self.items.setdefault(name, [])
        self.languages[name] = language
        self._serve(name)

    def publish(self, feed: str, title: str, summary: str = "", *, age: timedelta = timedelta(minutes=5),
                guid: str | None = None, published: datetime | None = None) -> SampleItem:
        n = sum(len(v) for v in self.items.values()) + 1
        item = SampleItem(
            title=title, link=f"{self.server.base_url}/articles/{feed}/{n}", summary=summary,
            guid=guid or f"{feed}-{n}", published=published or datetime.now(UTC) - age,
        )
        self.items[feed].insert(0, item)
        self._serve(feed)
        return item

    def retitle(self, feed: str, guid: str, title: str) -> None:
        """The outlet edits an item's headline in place (same GUID, same link)."""
        [item] = [i for i in self.items[feed] if i.guid == guid]
        item.title = title
        self.edits[feed] = self.edits.get(feed, 0) + 1
        self._serve(feed)

    def _serve(self, name: str) -> None:
        body = rss(self.items[name], title=name, language=self.languages[name])
        etag = f'"{name}-{len(self.items[name])}-{self.edits.get(name, 0)}"'
        self.server.set_route(f"/{name}.xml", body, content_type="application/rss+xml", etag=etag)

    def write_config(self, channels: list[dict[str, Any]], *, settings: dict[str, Any] | None = None,
                     feeds: list[str] | None = None, raw: str | None = None) -> None:
        """Write feeds.yaml, dated a few seconds back: an operator's file written before the
        start, which `monitor run` reads at once (a file changed under 2 s ago it reads once
        unchanged for 2 s: monitor/start_config.py; every start here waited those 2 s)."""
        tmp = self.config_path.with_suffix(".tmp")
        if raw is not None:
            tmp.write_text(raw, encoding="utf-8")
            self._put(tmp)
            return
        yaml = YAML()
        shipped = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
        config = {
            "settings": {
                "http_listen": f"127.0.0.1:{self.http_port}", "startup_spread": "1s",
                "channel_rate_per_minute": 600, **(settings or {}),
            },
            "rules": shipped["rules"],
            "feeds": [
                {"name": name, "url": self.server.url(f"/{name}.xml"), "language": self.languages[name],
                 "interval": "30s", "fetch_article": "never"}
                for name in (feeds if feeds is not None else self.items)
            ],
            "channels": channels,
        }
        with tmp.open("w", encoding="utf-8") as fh:
            yaml.dump(config, fh)
        self._put(tmp)

    def _put(self, tmp: Path) -> None:
        written = time.time() - 5
        os.utime(tmp, (written, written))
        tmp.replace(self.config_path)  # atomic: the running service never reads half a file

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "MONITOR_CONFIG", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL")}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=self.emulator.api_url)
        env.update(extra)  # a test may override them (TELEGRAM_BOT_TOKEN="": no token)
        # the `monitor` process runs this checkout's code, not the one installed in the venv
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return env

    def monitor(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "monitor", *args, "--config", str(self.config_path), "--db", self.db_url],
            env=self.env(**extra), capture_output=True, text=True, timeout=120, cwd=self.tmp,
        )

    def start(
        self, *args: str, prefix: list[str] | None = None, env: dict[str, str] | None = None
    ) -> subprocess.Popen[str]:
        """`monitor run` with `args`; `prefix` runs it through another command (setpriv); `env`
        adds environment variables."""
        log = (self.tmp / f"run-{len(self.procs)}.log").open("w")
        proc = subprocess.Popen(
            [*(prefix or []), sys.executable, "-m", "monitor", "run", "--config", str(self.config_path),
             "--db", self.db_url, *args],
            env=self.env(**(env or {})), stdout=subprocess.DEVNULL, stderr=log, text=True, cwd=self.tmp,
        )
        self.procs.append(proc)
        return proc

    def log_of(self, index: int = -1) -> str:
        return (self.tmp / f"run-{index % len(self.procs)}.log").read_text(encoding="utf-8")

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)

    def texts(self, chat: str) -> list[str]:
        return [m.text for m in self.emulator.messages(chat)]


def wait_for(condition: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
    """`condition()`'s first true value, looked at after 0.02 s, then less and less often, up to
    every 0.2 s (a fixed 0.2 s made each wait end 0.1 s late on average)."""
    deadline, pause = time.monotonic() + timeout, 0.02
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(pause)
        pause = min(0.2, pause * 1.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


async def longest_stall(seconds: float, running: asyncio.Task[Any], until: asyncio.Event | None = None) -> float:
    """The longest the event loop went without running this task, over `seconds` (or until
    `until` is set)."""
    worst, last, end = 0.0, time.monotonic(), time.monotonic() + seconds
    while last < end and not running.done() and not (until and until.is_set()):
        await asyncio.sleep(0.02)
        now = time.monotonic()
        worst, last = max(worst, now - last), now
    return worst
