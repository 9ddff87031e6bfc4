"""`monitor status`: feed health and the alert queue as plain-text tables, under what the running
service's /healthz says of itself (its database refusing writes, Telegram failing)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from alerts.api_health import TOKEN_ADVICE, TOKEN_REFUSED
from core.config import AppConfig
from core.durations import ago, format_duration
from storage.alerts import disabled_channels, queue_summary
from storage.db import Database
from storage.feeds import FeedHealth, feed_health


def next_poll(when: datetime | None, now: datetime) -> str:
    """When a feed is polled next: "in 4m", "due" (its time has come: the scheduler takes it in
    its next seconds), "overdue 12m" (a stopped service, or one whose polls are held up); before,
    a poll due showed as "0s ago"."""
    if when is None:
        return "-"
    late = (now - when).total_seconds()
    if late < 0:
        return ago(when, now)
    return "due" if late < 60 else f"overdue {format_duration(now - when)}"


UNPOLLED = ("paused", "disabled", "removed")  # states of a feed no poll is planned for


def health_state(h: FeedHealth) -> str:
    """A stored feed's state: `new` until its first poll ends (a row the start wrote for a feed
    not polled yet read `ok`, "last success: never", as if it worked), else paused, failing, ok."""
    if h.paused:
        return "paused"
    if h.consecutive_failures:
        return "failing"
    return "new" if h.last_success_at is None and h.last_error is None else "ok"


def planned_poll(state: str, when: datetime | None, now: datetime) -> str:
    """`next_poll`, or "-" for a feed that is not polled (paused, disabled, removed): its stored
    time stays where its last poll left it, and it read "overdue 2d23h59m" (months, in time)
    as if the service held its polls up."""
    return "-" if state in UNPOLLED else next_poll(when, now)


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def _short(text: str | None, width: int = 60) -> str:
    if not text:
        return "-"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_status(db: Database, config: AppConfig | None, *, now: datetime) -> str:
    with db.session() as session:
        health = {h.name: h for h in feed_health(session)}
        queue = queue_summary(session)
        disabled = {c.name: c.disabled_reason for c in disabled_channels(session)}

    names = [f.name for f in config.feeds] if config else []
    names += sorted(n for n in health if not config or config.feed(n) is None)
    rows = []
    for name in names:
        h = health.get(name)
        feed_cfg = config.feed(name) if config else None
        state = "removed" if config and feed_cfg is None else "disabled" if feed_cfg and not feed_cfg.enabled else ""
        if h is None:
            rows.append([name, state or "new", "never", "-", "0", "0", "-", "-"])
            continue
        state = state or health_state(h)
        rows.append([
            name, state, ago(h.last_success_at, now), _short(h.last_error), str(h.items),
            str(h.consecutive_failures), planned_poll(state, h.next_poll_at, now), _short(h.problem),
        ])
    out = [f"Feeds ({len(rows)})"]
    out.append(table(["feed", "state", "last success", "last error", "items", "failures", "next poll",
                     "parse problem"], rows))

    channels = [c.name for c in config.channels] if config else []
    channels += sorted(c for c in queue if c not in channels)
    qrows = []
    for name in channels:
        counts = queue.get(name, {})
        state = f"disabled: {_short(disabled[name], 40)}" if name in disabled else "ok"
        qrows.append([
            name, state, str(counts.get("pending", 0) + counts.get("sending", 0)),
            str(counts.get("sent", 0)), str(counts.get("failed", 0)),
        ])
    out.append("")
    out.append(f"Alert queue ({sum(int(r[2]) for r in qrows)} pending)")
    out.append(table(["channel", "state", "pending", "sent", "failed"], qrows))
    return "\n".join(out)


HEALTH_CONNECT = 1.0  # seconds: a service that is down refuses at once; a dropped SYN waits this
HEALTH_READ = 4.0  # /healthz answers within its own 3-s bound (monitor.health.CHECK_TIMEOUT)
HEALTH_PARTS = ("database", "scheduler", "telegram")  # objects in the service's report


def health_url(listen: str) -> str:
    """The /healthz URL of a service listening on `listen` (settings.http_listen), reached on
    loopback when it listens on every address."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{host}]:{port}/healthz" if ":" in host else f"http://{host}:{port}/healthz"


def fetch_health(url: str) -> dict[str, Any] | str:
    """The service's health report, or why there is none (one line)."""
    try:
        response = httpx.get(url, timeout=httpx.Timeout(HEALTH_READ, connect=HEALTH_CONNECT), trust_env=False)
        report = response.json()
    except httpx.HTTPError as exc:
        return f"no answer ({_short(str(exc) or type(exc).__name__, 80)}): not running, or listening elsewhere"
    except ValueError:
        return f"answered HTTP {response.status_code}, not a health report: another program on that address?"
    if not isinstance(report, dict) or "status" not in report or any(
        not isinstance(report.get(part) or {}, dict) for part in HEALTH_PARTS
    ):  # another program's own {"status": "ok", "database": "up"}: a traceback from service_lines
        return "answered, not with a health report: another program on that address?"
    return report


def service_lines(report: dict[str, Any] | str, url: str, now: datetime,
                  database: tuple[str | None, str] | None = None) -> list[str]:
    """What an operator must know of the running service that the database tables cannot say.
    Before, `monitor status` showed the tables alone: a service whose database refused every
    write (a full disk, a read-only file) looked as healthy as one that stored and sent.
    `database`: the identity and URL of the database the tables are read from."""
    if isinstance(report, str):
        return [f"Service: {url}: {report}; the tables are the database's."]
    if database is not None and (other := _another_database(report, *database)):
        return [f"Service: {url}: {other}; the tables are the database's."]
    lines = [f"Service: {report.get('status', '?')} ({url})"]
    if report.get("status") == "error" and report.get("error"):  # the check itself raised
        lines.append(f"Health check failed: {_short(str(report['error']), 120)}.")
    database = report.get("database") or {}
    if database.get("reachable") is False:
        lines.append(f"Database: the service cannot reach it ({_short(database.get('error'), 120)}).")
    if database.get("writable") is False:
        since = _utc(database.get("refused_since"))
        lines.append(f"Database: writes refused{f' since {since}' if since else ''} "
                     f"({_short(database.get('error'), 120)}); nothing is stored or sent until it takes them.")
    if database.get("file"):
        lines.append(f"Database: {database['file']}; restart the service.")
    scheduler = report.get("scheduler") or {}
    if scheduler.get("alive") is False:
        lines.append(f"Scheduler: not running (last heartbeat {scheduler.get('heartbeat_age_s', '?')} s ago).")
    telegram = report.get("telegram") or {}
    if telegram.get("outage"):
        since = _utc(telegram.get("failing_since"))
        if str(telegram.get("last_error") or "").startswith(TOKEN_REFUSED):
            lines.append(f"Telegram: the bot token is refused{f' since {since}' if since else ''} "
                         f"({int(telegram.get('failures_in_a_row') or 0)} sends in a row): {TOKEN_ADVICE}.")
        else:
            lines.append(f"Telegram: sends failing{f' since {since}' if since else ''} "
                         f"({int(telegram.get('failures_in_a_row') or 0)} in a row); alerts wait in the queue.")
    return lines


def _another_database(report: dict[str, Any], identity: str | None, db_url: str) -> str | None:
    """Why the service answering at the address is not this database's: before, `monitor status`
    of a deployed service that was down said `Service: ok` when a trial `make run` in a checkout
    held its port, on a database of its own."""
    theirs = (report.get("database") or {}).get("id")
    if identity is None or not theirs or theirs == identity:
        return None
    return (f"another monitor answers there, on another database than {db_url} (a second service "
            "on this host, a trial run in a checkout?): this database's service is down or listens "
            "elsewhere (settings.http_listen)")


def _utc(value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return ""
