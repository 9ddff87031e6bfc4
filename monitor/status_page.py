"""The read-only status page at `/` on the health listener: each feed's health, the queue
per channel, the last alerts and the tally (its current figures and, at `/tally.png`, its
chart), as server-rendered HTML (no JavaScript, readable on a phone).

Everything shown is escaped; the page holds no secret (no token, no URL userinfo)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from alerts.api_health import TOKEN_ADVICE, TOKEN_REFUSED
from alerts.tally.figures import Tally, load_tally
from alerts.tally.render import who
from core.config import AppConfig
from core.durations import ago
from core.urls import redact_secrets
from monitor.status import health_state, planned_poll
from storage.alerts import disabled_channels, queue_summary, recent_alerts
from storage.db import Database
from storage.feeds import feed_health

STYLE = """
body{font-family:system-ui,-apple-system,sans-serif;margin:0;padding:12px;color:#1b1b1b;background:#fafafa}
h1{font-size:1.3em;margin:0 0 4px}h2{font-size:1.1em;margin:20px 0 6px}
p.meta{color:#555;margin:0 0 8px;font-size:.9em}
.wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.9em;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e3e3;vertical-align:top}
th{background:#f0f0f0;position:sticky;top:0}
.ok{color:#11702a}.failing,.failed,.disabled{color:#b3261e}.paused,.new,.pending{color:#8a5a00}
td.err{max-width:22em;word-break:break-word}
img.chart{max-width:100%;height:auto;border:1px solid #e3e3e3;background:#fff}
"""


def _cell(text: Any, cls: str = "") -> str:
    attr = f' class="{escape(cls)}"' if cls else ""
    return f"<td{attr}>{escape(str(text))}</td>"


def _table(headers: list[str], rows: list[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(rows) or f'<tr><td colspan="{len(headers)}">none</td></tr>'
    return f'<div class="wrap"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _short(text: str | None, width: int = 120) -> str:
    if not text:
        return "-"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _no_userinfo(url: str) -> str:
    """`url` without its userinfo nor a key in its query (core.urls.redact_secrets)."""
    return redact_secrets(url, "")


def _telegram_line(telegram: dict[str, Any] | None, now: datetime) -> str:
    """A warning under the title while the Bot API fails (the worker's `health.status()`);
    an outage begun on another day gives its date (a time alone read as today's)."""
    if not telegram or not telegram.get("outage"):
        return ""
    since = str(telegram.get("failing_since") or "")
    day = "" if since[:10] == now.astimezone(UTC).date().isoformat() else f"{since[:10]} "
    when = f" since {escape(day + since[11:16])} UTC" if since else ""
    count = int(telegram.get("failures_in_a_row") or 0)
    if str(telegram.get("last_error") or "").startswith(TOKEN_REFUSED):  # not Telegram's outage
        return f'<p class="failing">Telegram: the bot token is refused{when} ({count} sends in a row): {TOKEN_ADVICE}.</p>'
    return (f'<p class="failing">Telegram: sends failing{when} ({count} '
            "in a row); alerts wait in the queue and go out when it answers.</p>")


def _database_line(db: Database) -> str:
    """A warning under the title while the database refuses writes (a full disk, a read-only
    file) or its SQLite file was removed under the service: the page reads on meanwhile, so
    without it the page looked healthy while nothing was stored or sent."""
    lines = []
    refused = db.write_refused
    if refused is not None:
        lines.append(f'<p class="failing">Database: writes refused since {escape(refused.since.strftime("%Y-%m-%d %H:%M"))} '
                     f"UTC ({escape(_short(refused.reason, 160))}); nothing is stored or sent until it takes them.</p>")
    if (problem := db.file_problem()) is not None:
        lines.append(f'<p class="failing">Database: {escape(problem)}; restart the service.</p>')
    return "".join(lines)


def render_status_page(db: Database, config: AppConfig | None, *, now: datetime,
                       telegram: dict[str, Any] | None = None,
                       tally: tuple[datetime, Tally] | None = None) -> str:
    """The page; `tally`: the tally as read at that time (the service's, read at most every 10
    minutes: a year's tally takes seconds, and the page reloads every minute in each open tab),
    else read now."""
    with db.session() as session:
        health = {h.name: h for h in feed_health(session)}
        queue = queue_summary(session)
        disabled = {c.name: c.disabled_reason for c in disabled_channels(session)}
        alerts = [(a.created_at, a.channel, a.kind, a.status, (a.payload or {}).get("text"))
                  for a in recent_alerts(session, 20)]
        read_at, figures = (tally[0], tally[1].figures) if tally else (now, load_tally(session, config).figures)

    feeds = list(config.feeds) if config else []
    names = [f.name for f in feeds] + sorted(n for n in health if not config or config.feed(n) is None)
    feed_rows = []
    for name in names:
        cfg = config.feed(name) if config else None
        h = health.get(name)
        if cfg is not None and not cfg.enabled:
            state = "disabled"
        elif h is None:
            state = "new"
        else:
            state = health_state(h)
        planned = "removed" if config is not None and cfg is None else state
        feed_rows.append("<tr>" + "".join([
            f"<td><b>{escape(name)}</b><br><small>{escape(_no_userinfo(cfg.url)) if cfg else 'removed'}</small></td>",
            _cell(state, state),
            _cell(ago(h.last_success_at, now) if h else "never"),
            f'<td class="err">{escape(_short(h.last_error if h else None))}</td>',
            f'<td class="err">{escape(_short(h.problem if h else None))}</td>',
            _cell(planned_poll(planned, h.next_poll_at, now) if h else "-"),
            _cell(h.items if h else 0),
        ]) + "</tr>")

    channels = [c.name for c in config.channels] if config else []
    channels += sorted(c for c in queue if c not in channels)
    queue_rows = []
    for name in channels:
        counts = queue.get(name, {})
        state = "disabled" if name in disabled else "ok"
        queue_rows.append("<tr>" + "".join([
            _cell(name), _cell(state if state == "ok" else f"disabled: {_short(disabled[name], 60)}", state),
            _cell(counts.get("pending", 0) + counts.get("sending", 0)),
            _cell(counts.get("sent", 0)), _cell(counts.get("failed", 0)),
        ]) + "</tr>")

    alert_rows = [
        "<tr>" + "".join([_cell(ago(when, now)), _cell(channel), _cell(kind), _cell(status, status),
                          f'<td class="err">{escape(_short(text, 160))}</td>']) + "</tr>"
        for when, channel, kind, status, text in alerts
    ]
    pending = sum(c.get("pending", 0) + c.get("sending", 0) for c in queue.values())
    summary = config.summary() if config else "config invalid: showing the database only"
    return "".join([
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="refresh" content="60">',
        f"<title>Monitor status</title><style>{STYLE}</style></head><body>",
        "<h1>Monitor status</h1>",
        f'<p class="meta">{escape(now.strftime("%Y-%m-%d %H:%M UTC"))} · {escape(summary)} · '
        f"{pending} alerts pending · <a href=\"/healthz\">/healthz</a> · <a href=\"/metrics\">/metrics</a></p>",
        _database_line(db),
        _telegram_line(telegram, now),
        f"<h2>Feeds ({len(names)})</h2>",
        _table(["feed", "state", "last success", "last error", "parse problem", "next poll", "items"], feed_rows),
        "<h2>Queue per channel</h2>",
        _table(["channel", "state", "pending", "sent", "failed"], queue_rows),
        "<h2>Last alerts</h2>",
        _table(["when", "channel", "kind", "status", "text"], alert_rows),
        *_tally_section(figures, now, read_at),
        "</body></html>",
    ])


def _tally_section(figures: list[Any], now: datetime, read_at: datetime) -> list[str]:
    """The tally's current figures with their sources, and its chart (`/tally.png`)."""
    as_of = "" if now - read_at < timedelta(minutes=1) else (
        f'<p class="meta">As read {escape(ago(read_at, now))} (read at most every 10 minutes).</p>')
    if not figures:
        return ["<h2>Tally</h2>", as_of, "<p>No figures stored yet.</p>"]
    rows = [
        "<tr>" + "".join([
            # as stated and by whom, as the table and the pin quote it: "800" and "other" read
            # as an exact count of nobody's where the pin said "más de 800 (otra fuente, Infobae)"
            _cell(f.topic), _cell(f.event), _cell(f.stated), _cell(who(f)),
            _cell(ago(f.date, now)), _cell(f.outlet), _cell(" ".join(f.flags)),
        ]) + "</tr>"
        for f in figures
    ]
    return [
        "<h2>Tally</h2>",
        as_of,
        _table(["topic", "event", "number", "source", "stated", "outlet", "flags"], rows),
        '<p><img class="chart" src="/tally.png" alt="The tally over time: held per source, '
        'releases announced and verified" width="1400"></p>',
    ]
