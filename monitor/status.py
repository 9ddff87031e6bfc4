"""`monitor status`: feed health and the alert queue as plain-text tables."""

from __future__ import annotations

from datetime import datetime

from core.config import AppConfig
from core.durations import ago
from storage.alerts import disabled_channels, queue_summary
from storage.db import Database
from storage.feeds import feed_health


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
            rows.append([name, state or "new", "never", "-", "0", "0", "-"])
            continue
        state = state or ("paused" if h.paused else "failing" if h.consecutive_failures else "ok")
        rows.append([
            name, state, ago(h.last_success_at, now), _short(h.last_error), str(h.items),
            str(h.consecutive_failures), ago(h.next_poll_at, now) if h.next_poll_at else "-",
        ])
    out = [f"Feeds ({len(rows)})"]
    out.append(table(["feed", "state", "last success", "last error", "items", "failures", "next poll"], rows))

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
