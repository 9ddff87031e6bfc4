"""The tally as text: a table for the terminal, CSV, JSON, and a short caption (at most
1,024 characters, Telegram's limit for a photo) that states the current figures and sources."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, tzinfo

from alerts.render import fit_plain, tg_len, topic_label
from alerts.tally.figures import OTHER, Figure, Tally, TopicState

CAPTION_LIMIT = 1024


def _day(f: Figure, tz: tzinfo = UTC) -> str:
    return f.date.astimezone(tz).strftime("%Y-%m-%d")


def who(f: Figure) -> str:
    """The figure's source; an unnamed one with the outlet that stated it."""
    return f"{OTHER} ({f.outlet})" if f.source == OTHER else f.source


def _flags(f: Figure) -> str:
    return ",".join(f.flags)


def summary_lines(state: TopicState, tz: tzinfo = UTC) -> list[str]:
    """The three headline figures of a topic, each with its source and date (in `tz`)."""
    lines: list[str] = []
    if state.still_held is not None:
        f = state.still_held
        note = "" if state.held_credible else " (no rights group's figure)"
        lines.append(f"still held: {f.stated} ({who(f)}, {_day(f, tz)}){note}")
    if state.announced:
        _, _, f = state.announced[-1]  # the figure that set the line's highest number
        lines.append(f"released, announced by the government: {f.stated} ({who(f)}, {_day(f, tz)})")
    if state.verified:
        _, _, f = state.verified[-1]
        lines.append(f"released, verified by rights groups: {f.stated} ({who(f)}, {_day(f, tz)})")
    return lines


def render_table(tally: Tally, tz: tzinfo = UTC) -> str:
    """The terminal's table. Dates are days in `tz` (`settings.timezone`), the days the
    timeline groups by and the chats date figures by: in UTC, Foro Penal's figure of 21:30 in
    Caracas read "2026-01-14" here and "13/01/2026" in the pinned message, and two points of
    one history showed under one date."""
    out: list[str] = []
    for topic, state in tally.topics.items():
        out.append(topic)
        lines = summary_lines(state, tz)
        out.extend(f"  {line}" for line in lines or ["no figure of those held or released (see below)"])
        out.append("")
    head = ("topic", "event", "number", "source", "date", "outlet", "flags", "link")
    rows = [head] + [
        (f.topic, f.event, f.stated, who(f), _day(f, tz), f.outlet, _flags(f), f.url or "")
        for f in tally.figures
    ]
    out.append(f"current figures (dates in {_zone(tz)})")
    out.extend(_columns(rows))
    out.append("")
    out.append("timeline")
    rows = [("date", "topic", "event", "source", "number", "outlet", "flags")] + [
        (_day(f, tz), f.topic, f.event, who(f), f.stated, f.outlet, _flags(f))
        for f in tally.timeline
    ]
    out.extend(_columns(rows))
    return "\n".join(out)


def _zone(tz: tzinfo) -> str:
    return str(getattr(tz, "key", None) or tz)


def _columns(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def render_json(tally: Tally) -> str:
    return json.dumps(tally.as_json(), ensure_ascii=False)


def render_csv(tally: Tally) -> str:
    """One table: the current figures (section "figure") then the timeline ("timeline")."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["section", "topic", "event", "number", "source", "date", "url", "outlet", "flags", "qualifier"])
    for section, figures in (("figure", tally.figures), ("timeline", tally.timeline)):
        for f in figures:
            w.writerow([section, f.topic, f.event, f.number, f.source, f.date.isoformat(),
                        f.url or "", f.outlet, _flags(f), f.qualifier or ""])
    return buf.getvalue()


def caption(
    tally: Tally, topic: str | None = None, limit: int = CAPTION_LIMIT, *, topics: Iterable[str] | None = None,
    tz: tzinfo = UTC,
) -> str:
    """The current figures and their sources in at most `limit` characters (of `topic`, or
    of `topics`, else of every topic), dated in `tz` (settings.timezone)."""
    wanted = {topic} if topic is not None else set(topics) if topics is not None else None
    lines: list[str] = []
    for name, state in tally.topics.items():
        if wanted is not None and name not in wanted:
            continue
        summary = summary_lines(state, tz)
        if summary:
            lines.append(topic_label(name, "en"))
            lines.extend(f"• {s}" for s in summary)
    text = "\n".join(lines) or "No figures stated yet."
    if tg_len(text) <= limit:
        return text
    # the whole lines that fit, then "…"; counted as Telegram counts a caption, in UTF-16 units:
    # counted in characters, an outlet named with emoji made it too long and the chart unsent
    kept = fit_plain(text, limit - 2)[:-1]
    return (kept.rsplit("\n", 1)[0] if "\n" in kept else kept) + "\n…"
