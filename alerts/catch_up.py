"""Catch-up: a channel's old queued alerts folded into one message, not sent one by one.

When a channel could not be sent to for long (the Bot API down for a day, a channel Telegram
refused and an operator enabled again days later), its queue holds hundreds of alerts that
would go out at the chat's 20 a minute: an hour of stale alerts. Before the worker sends a
channel's head, `fold_old` takes the channel's `new` alerts (a story's message) queued more
than `settings.catch_up_after` ago, at least `MIN_FOLDED` of them, and queues in their place
one catch-up message (several when the lines pass Telegram's limits): "⏪ 37 alertas mientras
el canal no recibía mensajes (desde 03/12 10:00)", then one line per story, oldest first,
with the story's figures as they are now. The catch-up goes out before the channel's other
alerts (`storage.alerts.queue_head`); the younger ones follow as usual.

The folded rows become `folded` and point at the catch-up, as the feed's hourly fold does
(alerts/feed_limits.py): nothing is lost and nothing is sent twice. The edits and update
replies queued behind a folded story's message are folded with it (the line names the story
with its figures now); a later report with a new figure is told in a fresh message, as for a
story whose message was held (alerts/outbox.py).

One transaction takes the rows it folds with a conditional UPDATE, after the chat's rows are
locked as a claim does: replicas fold each row once. A catch-up not yet claimed takes the
alerts that grow old while it waits (an outage still on): one catch-up per gap. The admin
chat is told once per catch-up (`catch_up_notices`, read by alerts/admin.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from alerts.feed_limits import FOLDED
from alerts.render import (
    ELLIPSIS,
    MAX_ENTITIES,
    MAX_TEXT,
    TITLE_MAX,
    AlertView,
    clean,
    counts_line,
    entity_count,
    esc,
    esc_attr,
    html_to_text,
    lang_of,
    local_day,
    shorten,
    tg_len,
    url_or_domain,
)
from core.config import AppConfig, ChannelConfig
from core.count import as_counts
from core.restore_marks import SentMark, line_saying
from storage.alerts import (
    CATCH_UP,
    SENT_CHAT,
    alerts_by_id,
    catch_ups_of,
    catch_ups_since,
    fold_queued,
    lock_chat,
)
from storage.models import Alert, Story

log = logging.getLogger("alerts.delivery")  # the fold runs in the delivery worker

MIN_FOLDED = 3  # fewer old alerts than this go out one by one: a catch-up would save nothing
FOLLOW_UPS = ("edit", "update")  # queued behind a story's message: folded with it
NOTIFY_WITHIN = timedelta(hours=24)

WORDS = {
    "es": ("⏪ {n} alertas mientras el canal no recibía mensajes (desde {since})", "parte {k} de {m}"),
    "en": ("⏪ {n} alerts while the channel received no messages (since {since})", "part {k} of {m}"),
}


class _NothingToFold(Exception):
    """Rolls the fold's transaction back: too few old alerts, or another worker took them."""


@dataclass(frozen=True)
class Line:
    """One folded story's line: its message's title, outlet and link, the story's figures."""

    alert_id: int
    title: str
    outlet: str
    url: str | None
    figures: str


def due(after: timedelta, kind: str, created_at: datetime | None, now: datetime) -> bool:
    """Whether a channel whose head is of `kind`, queued at `created_at`, may have alerts to
    fold: its head is older than `after`, or is a catch-up not sent yet (which takes the alerts
    grown old since it was queued)."""
    if not after:
        return False
    return kind == CATCH_UP or (created_at is not None and created_at < now - after)


def fold_old(session: Session, config: AppConfig, channel: ChannelConfig, chat: Sequence[str], *,
             now: datetime, sent: Mapping[str, SentMark] | None = None,
             marked: list[str] | None = None) -> list[Alert]:
    """Fold `channel`'s `new` alerts queued more than `catch_up_after` before `now` into its
    catch-up message(s), in the caller's transaction; `chat`: the channels of its chat, whose
    rows are locked as a claim locks them. `sent`: the journal of sends (core/restore_marks.py):
    an alert it has, queued in a database restored from a backup, is marked sent as the
    message it was, not folded (the warning to log once committed added to `marked`). Returns
    the catch-up rows written; raises `_NothingToFold` (handled by `try_fold`, which rolls the
    transaction back) when it is off or would fold fewer than MIN_FOLDED alerts and there is no
    pending catch-up to add them to."""
    after = config.settings.catch_up_after
    if not after:
        raise _NothingToFold
    sent = sent or {}
    lock_chat(session, chat)
    taken = fold_queued(session, channel.name, ("new",), FOLDED, before=now - after)
    marked = [] if marked is None else marked
    rows = [r for r in alerts_by_id(session, taken) if not _sent_already(r, sent, marked)]
    parts = _open_parts(session, channel.name, sent)
    if not rows or (len(rows) < MIN_FOLDED and not parts):
        raise _NothingToFold
    earlier = alerts_by_id(session, [i for p in parts for i in (p.payload or {}).get("alert_ids", [])])
    stories = {r.story_id for r in rows if r.story_id is not None}
    follow_ups = fold_queued(session, channel.name, FOLLOW_UPS, FOLDED, story_ids=stories) if stories else []
    folded = sorted([*earlier, *rows], key=lambda a: a.id)
    parts = _write_parts(session, channel, folded, parts, config, now)
    first = parts[0].id
    for row in rows:
        row.last_error = f"catch-up: folded into alert #{first}"
    for row in alerts_by_id(session, follow_ups):
        row.last_error = f"not sent: its story's message was folded into catch-up #{first}"
    session.flush()
    return parts


def try_fold(session_scope: Any, config: AppConfig, channel: ChannelConfig, chat: Sequence[str], *,
             now: datetime, sent: Mapping[str, SentMark] | None = None) -> list[tuple[int, int]]:
    """`fold_old` in a transaction of its own (`session_scope`: `Database.session`), undone when
    it folds nothing; (catch-up id, alerts it folds) of each part written."""
    marked: list[str] = []
    try:
        with session_scope() as session:
            parts = fold_old(session, config, channel, chat, now=now, sent=sent, marked=marked)
            written = [(p.id, len((p.payload or {}).get("alert_ids", []))) for p in parts]
    except _NothingToFold:
        return []  # (rows the journal has stay queued: their claims mark them sent, and say so)
    for line in marked:
        log.warning("%s", line)
    return written


def _sent_already(row: Alert, sent: Mapping[str, SentMark], marked: list[str]) -> bool:
    """Whether the journal of sends says queued alert `row` went out already (its database was
    restored from a backup taken before): then it is marked sent as that message, as a claim
    marks it (alerts/delivery/claims.py), and the story's edits find it. Folded, it was told a
    second time, as a line of the catch-up."""
    mark = line_saying(sent.get(row.dedupe_key), row.payload or {})
    if mark is None:
        return False
    row.status, row.sent_at, row.claimed_at = "sent", mark.at, None
    row.telegram_message_id = mark.message_id
    if mark.chat is not None:
        row.payload = {**(row.payload or {}), SENT_CHAT: mark.chat}
    row.last_error = "sent, its record lost to a restored backup: not folded into a catch-up"
    marked.append(f"alert {row.id} to {row.channel} is queued in the database but was sent at "
                  f"{mark.at:%Y-%m-%d %H:%M:%S} UTC (message {mark.message_id}): the database was restored "
                  "from a backup; marked sent, not folded into a catch-up")
    return True


def _open_parts(session: Session, channel: str, sent: Mapping[str, SentMark]) -> list[Alert]:
    """The parts of `channel`'s latest catch-up, oldest first, when none of them is claimed or
    sent yet (more alerts can be folded into them); else none. Held until the fold commits:
    the admin chat's mark of a notice (`feed_limits.mark_notified`) waits for it, or it for
    the mark, and neither writes back a payload older than the other's. A part the journal of
    sends has (a restored backup's pending catch-up, sent after the backup) is not rewritten:
    its claim marks it sent, and the lines it had are not told again in a rewritten text."""
    latest = catch_ups_of(session, channel, lock=True)
    if not latest:
        return []
    group = (latest[0].payload or {}).get("group")
    parts = [a for a in latest if (a.payload or {}).get("group") == group]
    if any(a.status != "pending" for a in parts):
        return []
    if any(line_saying(sent.get(a.dedupe_key), a.payload or {}) is not None for a in parts):
        return []
    return sorted(parts, key=lambda a: a.id)


def _write_parts(session: Session, channel: ChannelConfig, folded: list[Alert], parts: list[Alert],
                 config: AppConfig, now: datetime) -> list[Alert]:
    """The catch-up of `folded` rendered into `parts` (their rows rewritten, more added)."""
    lang = lang_of(channel.languages[0]) if channel.languages else _lang(folded[0])
    since = min(_aware(a.created_at) for a in folded)
    lines = [_line(session, a) for a in folded]
    rendered = render_catch_up(lines, lang, config, since=since)
    group = f"{CATCH_UP}:{channel.name}:{folded[0].id}"
    rows = list(parts)
    while len(rows) < len(rendered):
        row = Alert(channel=channel.name, kind=CATCH_UP, status="pending", attempts=0,
                    dedupe_key=f"{group}:{len(rows)}", payload={}, next_attempt_at=now, created_at=now)
        session.add(row)
        rows.append(row)
    for row in rows[len(rendered):]:  # (never seen: lines added never pack into fewer messages)
        row.status, row.last_error = "superseded", f"not sent: its lines are in the parts of {group}"
    for k, (row, (html, text, ids)) in enumerate(zip(rows, rendered, strict=False)):
        notified = bool((row.payload or {}).get("notified"))
        row.payload = {
            "html": html, "text": text, "preview": False, "group": group, "part": k + 1,
            "parts": len(rendered), "alert_ids": ids, "folded": len(folded), "since": since.isoformat(),
            "chat": channel.chat_id, "gap_seconds": int((now - since).total_seconds()),
            "notify": k == 0, "notified": notified,
        }
    session.flush()
    return rows


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _lang(alert: Alert) -> str:
    return lang_of(((alert.payload or {}).get("view") or {}).get("lang"))


def _line(session: Session, alert: Alert) -> Line:
    """The line of folded `alert`: its message's title, outlet and link, and the story's figures
    now (those of the update replies folded with it too), else its own."""
    view = AlertView.from_json(dict((alert.payload or {}).get("view") or {}))
    story = session.get(Story, alert.story_id) if alert.story_id is not None else None
    counts = [c for c in as_counts(story.counts) if c.confident] if story is not None else []
    title = clean(view.title) or clean(view.summary) or ""
    return Line(alert.id, title, clean(view.outlet or ""), view.url,
                counts_line(counts or view.counts or [], lang_of(view.lang)))


def render_catch_up(lines: Sequence[Line], lang: str, config: AppConfig, *,
                    since: datetime) -> list[tuple[str, str, list[int]]]:
    """(html, text, alert ids) of each message of the catch-up: its heading, then as many
    lines as fit Telegram's 4,096 characters and 100 entities, oldest first."""
    head_t, part_t = WORDS[lang_of(lang)]
    local = since.astimezone(config.settings.tz)
    head = head_t.format(n=len(lines), since=f"{local_day(local, lang, year=False)} {local:%H:%M}")
    groups: list[list[tuple[str, str, int]]] = [[]]
    for line in lines:
        block = _block(line)
        cand = [*groups[-1], block]
        if groups[-1] and not _fits(head + " · " + part_t, cand):
            groups.append([block])
        else:
            groups[-1] = cand
    out: list[tuple[str, str, list[int]]] = []
    for k, group in enumerate(groups):
        heading = head if len(groups) == 1 else f"{head} · {part_t.format(k=k + 1, m=len(groups))}"
        html = "\n".join([f"<b>{esc(heading)}</b>", *(h for h, _, _ in group)])
        text = "\n".join([heading, *(t for _, t, _ in group)])
        out.append((html, text, [i for _, _, i in group]))
    return out


def _block(line: Line) -> tuple[str, str, int]:
    """(html, text, alert id) of one story's line: the title linked, the outlet, the figures."""
    title = shorten(line.title, TITLE_MAX) or ELLIPSIS
    url, domain = url_or_domain(line.url)
    meta = " · ".join(x for x in (line.outlet, domain or "") if x)
    linked = f'<a href="{esc_attr(url)}">{esc(title)}</a>' if url else esc(title)
    h = f"• {linked}" + (f" — <i>{esc(meta)}</i>" if meta else "") + (f"\n  📊 {esc(line.figures)}" if line.figures else "")
    t = f"• {title}" + (f" — {meta}" if meta else "") + (f"\n  📊 {line.figures}" if line.figures else "")
    return h, t + (f"\n  {url}" if url else ""), line.alert_id


def _fits(heading: str, blocks: Sequence[tuple[str, str, int]]) -> bool:
    html = "\n".join([f"<b>{esc(heading)}</b>", *(h for h, _, _ in blocks)])
    text = "\n".join([heading, *(t for _, t, _ in blocks)])
    return (tg_len(html_to_text(html)) <= MAX_TEXT and tg_len(text) <= MAX_TEXT
            and entity_count(html) <= MAX_ENTITIES)


def catch_up_notices(session: Session, now: datetime) -> list[tuple[int, str]]:
    """(catch-up alert id, text) of the catch-ups the admin chat has not been told about."""
    out: list[tuple[int, str]] = []
    for alert in catch_ups_since(session, now - NOTIFY_WITHIN):
        p: dict[str, Any] = alert.payload or {}
        if not p.get("notify") or p.get("notified"):
            continue
        gap = format_gap(timedelta(seconds=int(p.get("gap_seconds") or 0)))
        out.append((alert.id, f"⏪ catch-up: {p.get('folded')} alerts folded in {p.get('chat') or alert.channel} "
                              f"after {gap} without delivery (channel {alert.channel}; settings.catch_up_after)"))
    return out


def format_gap(gap: timedelta) -> str:
    """A gap as operators read it: "2 d 4 h", "6 h 30 min", "45 min"."""
    minutes = int(gap.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"
