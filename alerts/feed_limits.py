"""Alerts per feed and channel per hour, and the one message that folds the rest.

A feed that suddenly matches hundreds of items must not flood a channel for hours at
Telegram's rate. `over_hourly_limit` tells the outbox whether a channel already got the
feed's `max_alerts_per_hour` messages (new alerts, update replies and fold messages) in
the last hour; if so the alert is stored with status `held`: kept, never sent by itself.
`fold_held` (run by the service after each classification pass and every minute) turns
a channel's held alerts of one feed into one message, "And 180 more from El Pitazo in the
last hour" with the first titles, at most once per feed and channel per hour; the held
rows become `folded` and point at it. So a channel gets at most the limit plus one
message per feed in any hour, and nothing matched is lost: every held item stays in the
database with its alert.

The first fold of a feed in a day carries `notify`: the admin chat is told once
(`fold_notices`, read by alerts/admin.py) that the feed went over its limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from alerts.render import (
    MAX_TEXT,
    TITLE_MAX,
    clean,
    esc,
    esc_attr,
    html_to_text,
    lang_of,
    safe_url,
    shorten,
    tg_len,
)
from core.config import AppConfig, ChannelConfig
from storage.alerts import (
    alerts_in_status,
    fold_payloads_since,
    folds_since,
    hold_alert,
    message_feeds_since,
)
from storage.feeds import feed_names_by_id
from storage.items import feeds_of_items
from storage.models import Alert, Item

HOUR = timedelta(hours=1)
NOTIFY_AGAIN_AFTER = timedelta(hours=24)
COUNTED_KINDS = ("new", "update", "fold")  # kinds that post a message (edits do not)
DELIVERED_STATES = ("pending", "sending", "sent", "failed")
HELD = "held"
FOLDED = "folded"
TITLES_SHOWN = 10

WORDS = {
    "es": ("➕ Y {n} más de {outlet} en la última hora", "límite: {limit} por hora", "y {n} más"),
    "en": ("➕ And {n} more from {outlet} in the last hour", "limit: {limit} an hour", "and {n} more"),
}


def messages_in_last_hour(session: Session, channel: str, feed_id: int, now: datetime) -> int:
    """Messages queued or sent to `channel` for `feed_id`'s items in the hour before `now`
    (not those stamped after it: a clock set back a day counted a day of them, and held every
    alert of a busy feed for that day)."""
    rows = message_feeds_since(session, channel, now - HOUR, COUNTED_KINDS, DELIVERED_STATES, until=now)
    # alerts queued before feed_id was written in payloads: their item's feed
    feeds = feeds_of_items(session, {item for feed, item in rows if feed is None and item})
    return sum(1 for feed, item in rows if (feed if feed is not None else feeds.get(item)) == feed_id)


def hourly_limit(config: AppConfig, feed_name: str | None) -> int:
    feed = config.feed(feed_name) if feed_name else None
    limits = feed.limits(config.settings) if feed else config.settings
    return limits.max_alerts_per_hour


def over_hourly_limit(session: Session, item: Item, channel: str, config: AppConfig, now: datetime) -> bool:
    """Whether one more message for `item` would take `channel` over its feed's hourly limit."""
    feed = item.feed
    if feed is None:
        return False
    return messages_in_last_hour(session, channel, feed.id, now) >= hourly_limit(config, feed.name)


@dataclass
class _Held:
    alert: Alert
    feed_id: int
    title: str
    url: str | None
    lang: str
    outlet: str


def fold_held(session: Session, config: AppConfig, *, now: datetime) -> list[Alert]:
    """Queue one fold message per channel and feed with held alerts, unless that channel got
    one for the feed within the hour (the held alerts then wait for the next). Returns the
    fold alerts queued."""
    held = alerts_in_status(session, HELD)
    if not held:
        return []
    item_ids = {int((a.payload or {}).get("item_id") or 0) for a in held}
    feeds = feeds_of_items(session, item_ids)
    names = feed_names_by_id(session)
    groups: dict[tuple[str, int], list[_Held]] = {}
    for alert in held:
        p = alert.payload or {}
        feed_id = feeds.get(int(p.get("item_id") or 0))
        if feed_id is None:  # the item was pruned: nothing to show
            alert.status = FOLDED
            continue
        view = p.get("view") or {}
        conf = config.feed(names.get(feed_id, ""))
        groups.setdefault((alert.channel, feed_id), []).append(_Held(
            # an item without a title (a Mastodon account's) is told by its summary, as in digests
            alert, feed_id, str(clean(view.get("title")) or view.get("summary") or ""), view.get("url"),
            lang_of(view.get("lang")), conf.display_name if conf else names.get(feed_id, "?"),
        ))
    out: list[Alert] = []
    for (channel_name, feed_id), rows in groups.items():
        channel = config.channel(channel_name)
        if channel is None or _recent_fold(session, channel_name, feed_id, now):
            continue
        limit = hourly_limit(config, names.get(feed_id))
        html, text = render_fold(rows, channel, limit)
        notify = not _recent_fold(session, None, feed_id, now, within=NOTIFY_AGAIN_AFTER)
        fold = Alert(
            channel=channel_name, kind="fold", status="pending", attempts=0,
            dedupe_key=f"fold:{channel_name}:{feed_id}:{rows[0].alert.id}",
            payload={
                "html": html, "text": text, "preview": False, "feed_id": feed_id,
                "feed": names.get(feed_id), "folded": len(rows), "limit": limit,
                "notify": notify, "notified": False,
            },
            next_attempt_at=now, created_at=now,
        )
        session.add(fold)
        session.flush()
        for row in rows:
            row.alert.status = FOLDED
            row.alert.last_error = f"over max_alerts_per_hour ({limit}): folded into alert #{fold.id}"
        out.append(fold)
    session.flush()
    return out


def _recent_fold(
    session: Session, channel: str | None, feed_id: int, now: datetime, *, within: timedelta = HOUR
) -> bool:
    return any(p.get("feed_id") == feed_id
               for p in fold_payloads_since(session, now - within, channel, until=now))


def render_fold(rows: Sequence[_Held], channel: ChannelConfig, limit: int) -> tuple[str, str]:
    """(html, text) of the fold message: the count, then as many titles as fit."""
    lang = lang_of(channel.languages[0]) if channel.languages else rows[0].lang
    head_t, limit_t, more_t = WORDS[lang]
    outlet = clean(rows[0].outlet)
    head = head_t.format(n=len(rows), outlet=outlet)
    note = f"({limit_t.format(limit=limit)})"
    h = [f"<b>{esc(head)}</b> {esc(note)}"]
    t = [f"{head} {note}"]
    shown = 0
    for row in rows[:TITLES_SHOWN]:
        title = shorten(clean(row.title), TITLE_MAX) or "…"
        url = safe_url(row.url)
        line_h = f'• <a href="{esc_attr(url)}">{esc(title)}</a>' if url else f"• {esc(title)}"
        line_t = f"• {title}" + (f"\n  {url}" if url else "")
        rest = len(rows) - shown - 1
        tail = f"… {more_t.format(n=rest)}" if rest else ""
        cand_h, cand_t = [*h, line_h, tail], [*t, line_t, tail]
        if not _fits(cand_h, cand_t):
            break
        h.append(line_h)
        t.append(line_t)
        shown += 1
    if shown < len(rows):
        tail = f"… {more_t.format(n=len(rows) - shown)}"
        h.append(esc(tail))
        t.append(tail)
    return "\n".join(h), "\n".join(t)


def _fits(h: list[str], t: list[str]) -> bool:
    return tg_len(html_to_text("\n".join(h))) <= MAX_TEXT and tg_len("\n".join(t)) <= MAX_TEXT


def fold_notices(session: Session, now: datetime) -> list[tuple[int, str]]:
    """(fold alert id, text) of the folds the admin chat has not been told about."""
    rows = folds_since(session, now - NOTIFY_AGAIN_AFTER)
    out: list[tuple[int, str]] = []
    for alert in rows:
        p: dict[str, Any] = alert.payload or {}
        if not p.get("notify") or p.get("notified"):
            continue
        out.append((alert.id, (
            f"📦 Feed {p.get('feed')} went over its limit of {p.get('limit')} alerts an hour in "
            f"channel {alert.channel}: {p.get('folded')} more were folded into one message.\n"
            "Later ones are folded the same way (at most one such message per hour). If the feed "
            "is right, raise max_alerts_per_hour for it in feeds.yaml; else /pause it."
        )))
    return out


def mark_notified(session: Session, alert_id: int) -> None:
    """Mark fold or catch-up `alert_id` told in the admin chat. Its payload is read once its row
    is written to (held: on SQLite the database's write lock, on PostgreSQL the row's): a
    catch-up's fold rewrites the payload (alerts/catch_up.py), and a mark that wrote back what
    it had read before that fold committed wrote the fold's lines away."""
    hold_alert(session, alert_id)
    alert = session.get(Alert, alert_id, populate_existing=True)
    if alert is not None:
        alert.payload = {**(alert.payload or {}), "notified": True}
