"""Digests: a roundup of a `mode: digest` channel's stories on its schedule.

Call `enqueue_digest(session, config, channel, now=...)` at each schedule time
(HH:MM in settings.timezone), or `enqueue_due_digests(session, config, now=...)`
from any periodic tick (e.g. every minute): it queues the digests whose latest
schedule time has passed since the channel's last digest. Either covers the
stories first told since Channel.last_digest_at (the first digest: the last 24 h;
backfill tells nothing: storage.stories.stories_told_between), or since the channel's last
instant alert when it was switched from `mode: instant` after that,
grouped by topic, most urgent first, split into several messages when long. An
empty period queues nothing. The slot is claimed with a conditional UPDATE of
last_digest_at, so replicas firing together queue one digest.

A channel disabled after Telegram refused it queues no roundup and leaves its slots
unclaimed: once an operator enables it again, the next tick queues one roundup of the whole
gap, every story once with its title as it is then, as after a service stopped across several
schedule times. Before, each slot of the gap queued its own roundup, and `/enable` days later
sent them all at once, one stale roundup after another.

Through a Bot API outage the slots are claimed as usual; once one of the channel's unsent
roundups has waited longer than `settings.catch_up_after`, all of them are folded into one: the
roundup the next slot queues, or one the worker queues before it retries such a roundup
(`fold_unsent_roundups`). Its period begins where theirs did (`payload.period_from`): one roundup
of the gap, each story once, with its titles and /wrong as they are then (`_fold_unsent`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.catch_up import NOTIFY_WITHIN
from alerts.render import DigestEntry, counts_line, render_digest, whole_ranges
from alerts.routing import language_ok, urgency_at_least
from alerts.stories.assign import new_figures
from core.config import AppConfig, ChannelConfig
from core.count import Count
from core.restore_marks import SentMark, line_saying
from core.text import counted, fold
from storage.alerts import (
    ROUNDUP_FOLDED,
    alert_key_taken,
    channel_named,
    channels_created,
    claim_digest_slot,
    digest_figure_items_since,
    digest_roundups_since,
    digest_story_ids_since,
    journal_keys,
    last_digests,
    last_instant_alert_at,
    lock_chat,
    put_back,
    raise_last_digest,
    roundups_since,
    take_pending,
    unsent_roundups,
)
from storage.feedback import wrong_topics
from storage.models import Alert, Channel, Item, Story
from storage.stories import (
    item_counts,
    stories_grown_between,
    stories_told_between,
    story_items_with_feed,
)

log = logging.getLogger("alerts.digest")

FIRST_DIGEST_SPAN = timedelta(hours=24)
# how far before its period a roundup looks for stories it did not list yet (enqueue_digest)
COMMIT_LOOKBACK = timedelta(minutes=30)
# a last digest this far ahead of now was queued before the clock was set back (replicas'
# clocks differ by less): the digest is due, its period starting now (`due_digests`)
CLOCK_SET_BACK = timedelta(minutes=1)


def slot_instant(day: date, hour: int, minute: int, tz: tzinfo) -> datetime:
    """The UTC instant of wall time `hour:minute` on `day` in `tz`.

    Aware datetimes that share a tzinfo compare as wall times, so a time the clocks skip
    (02:30 on a spring-forward night) would sit "after" 03:00 and be due again every minute
    until 03:30. Converted to UTC it is one instant, read by PEP 495's fold 0 (the offset
    before the change): 02:30 skipped falls at 03:30 by the new clock, and a time the clocks
    repeat falls at its first occurrence."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).astimezone(UTC)


def latest_slot(channel: ChannelConfig, now: datetime, config: AppConfig) -> datetime | None:
    """The most recent schedule time at or before `now` (aware, in now's zone), or None
    without a schedule; compared as instants (`slot_instant`)."""
    tz = config.settings.tz
    local = now.astimezone(tz)
    best: datetime | None = None
    for at in channel.schedule or []:
        hour, minute = (int(x) for x in at.split(":"))
        for days in (0, 1):
            slot = slot_instant((local - timedelta(days=days)).date(), hour, minute, tz)
            if slot <= now:
                best = slot if best is None or slot > best else best
                break
    return best.astimezone(now.tzinfo) if best else None


def due_digests(config: AppConfig, now: datetime, last_runs: Mapping[str, datetime | None]) -> list[str]:
    """Digest channels whose latest schedule time is after their last run (None: never run),
    or whose last run is ahead of now: the clock was set back since, and the stories told
    from now on would all fall before it, in no period (the digest queued now tells nothing:
    its period is empty, and the next one starts from now)."""
    return [c.name for c in config.channels if c.mode == "digest" and _due(c, config, now, last_runs.get(c.name))]


def _due(channel: ChannelConfig, config: AppConfig, now: datetime, last: datetime | None) -> bool:
    slot = latest_slot(channel, now, config)
    return slot is not None and (last is None or last < slot or last > now + CLOCK_SET_BACK)


def _entries(session: Session, channel: ChannelConfig, config: AppConfig, since: datetime, until: datetime,
             told: set[int]) -> list[DigestEntry]:
    stories = [s for s in stories_told_between(session, since, until) if s.id not in told]
    out: list[DigestEntry] = []
    for story in stories:
        if not _wanted(channel, story):
            continue
        rows = [(i, f) for i, f in story_items_with_feed(session, story.id) if language_ok(channel, i.language)]
        if not rows or _in_earlier_roundups(session, channel.name, [i for i, _ in rows], until):
            continue
        item, feed_name = _first_report(story, rows)
        # its outlet's latest headline of that article (retitled with another figure: items.revision_of)
        now_titled = [i for i, _ in rows if (i.revision_of or i.id) == (item.revision_of or item.id)][-1]
        topic = _topic(session, channel, story, item, now_titled)
        if topic is None:
            continue
        outlets = {(config.feed(f).display_name if config.feed(f) else f) for _, f in rows}
        out.append(_entry(
            config, story, topic, item, feed_name, now_titled, sources=len(outlets),
            # read: their figures are no news to a later roundup (those placed in its period only)
            figure_items=[i.id for i, _ in rows if not i.backfill and (_placed_at(i) or until) <= until],
        ))
    return out


def _figure_entries(session: Session, channel: ChannelConfig, config: AppConfig, since: datetime, until: datetime,
                    listed: set[int], shown: set[int]) -> list[DigestEntry]:
    """The stories told before whose figures grew in the period: a roundup lists a story once,
    in the period it was first told, and the figures its later reports brought (Foro Penal's
    12, 14, 15 and 17 of 10-11 January, the instant channels' replies) were in no roundup.
    Each such story is listed again by its latest report that brought one, with the figures
    (`DigestEntry.figures`). `listed`: the stories this roundup lists as new; `shown`: the
    items earlier roundups told so."""
    lang = channel.languages[0] if channel.languages else "es"
    out: list[DigestEntry] = []
    for story in stories_grown_between(session, since, until):
        if story.id in listed or not _wanted(channel, story):
            continue
        news, fresh = _figure_news(session, channel, story.id, since, until, shown)
        if not news:
            continue
        item, feed_name = news[-1][1], news[-1][2]  # the latest report that brought one
        topic = _topic(session, channel, story, item, item)
        if topic is None:
            continue
        out.append(_entry(config, story, topic, item, feed_name, item,
                          figures=counts_line([c for c, _, _ in news], lang), figure_items=sorted(fresh)))
    return out


def _wanted(channel: ChannelConfig, story: Story) -> bool:
    """Whether `channel` takes `story` at all: one of its topics, urgent enough."""
    return bool(set(channel.topics) & set(story.topics or [])) and urgency_at_least(story.urgency, channel.min_urgency)


def _topic(session: Session, channel: ChannelConfig, story: Story, item: Item, titled: Item) -> str | None:
    """The channel's first topic of the story that an operator did not say the article
    (`item`, its headline now `titled`) was wrong for (/wrong); None when none is left."""
    wrong = wrong_topics(session, item.id, item.revision_of, titled.id)
    return next((t for t in channel.topics if t in (story.topics or []) and t not in wrong), None)


def _entry(config: AppConfig, story: Story, topic: str, item: Item, feed_name: str, titled: Item,
           **extra: Any) -> DigestEntry:
    """A roundup's line of `story`, told by `item` of `feed_name` under its headline `titled`."""
    conf = config.feed(feed_name)
    return DigestEntry(
        story_id=story.id, topic=topic, urgency=story.urgency, title=titled.title, summary=titled.summary or "",
        outlet=conf.display_name if conf else feed_name,
        published=item.published_at.isoformat() if item.published_at else None,
        date_only=item.date_only, url=item.canonical_url or item.url, **extra,
    )


def _figure_news(session: Session, channel: ChannelConfig, story_id: int, since: datetime, until: datetime,
                 shown: set[int]) -> tuple[list[tuple[Count, Item, str]], set[int]]:
    """(figure, item, feed) of the figures the story's reports placed in the period brought, in
    the order they were placed: a figure the story did not have, or one now verified
    (`new_figures`, the instant replies' rule), the latest of each event and source, none that
    nobody stated when a source stated the same number (`_stated_figures`); and the reports
    read (placed in the period, none an earlier roundup read: `shown`). An item placed before
    `story_match` kept its time counts as placed before the period."""
    earliest = datetime.min.replace(tzinfo=UTC)
    rows = [(_placed_at(i) or earliest, i, f) for i, f in story_items_with_feed(session, story_id) if not i.backfill]
    placed = sorted(rows, key=lambda r: r[0])
    fresh = {i.id for at, i, _ in placed if since < at <= until and i.id not in shown and language_ok(channel, i.language)}
    if not fresh:
        return [], fresh
    counts = item_counts(session, [i.id for _, i, _ in placed])
    latest: dict[tuple[Any, ...], tuple[Count, Item, str]] = {}
    known: list[dict[str, Any]] = []
    for _, i, f in placed:
        mine = [_count(c) for c in counts.get(i.id, [])]
        if i.id in fresh:
            for c in _whole(new_figures(known, mine), mine):
                latest.pop(key := (c.event, fold(c.source or ""), c.additional, c.part), None)
                latest[key] = (c, i, f)
        known += [c.as_dict() for c in mine if c.confident]
    told = _stated_figures([c for c, _, _ in latest.values()])
    return [r for r in latest.values() if any(r[0] is c for c in told)], fresh


def _whole(new: list[Count], stated: list[Count]) -> list[Count]:
    """`new` with each range one report states told as one figure, its lower end (`upto` set):
    the range's upper end alone, stored too, read as the latest figure ("entre 139 y 155" gave
    "155 excarcelados")."""
    ranged = whole_ranges(new, stated)
    ends = {(c.event, c.upto, c.source) for c in ranged if c.upto is not None}
    return [c for c in ranged if (c.event, c.number, c.source) not in ends]


def _stated_figures(figures: list[Count]) -> list[Count]:
    """`figures` without one nobody stated when a source stated the same number: "8
    excarcelados · 8 verificados por Foro Penal" is Foro Penal's 8."""
    sourced = {(c.event, c.number) for c in figures if c.source}
    return [c for c in figures if c.source or (c.event, c.number) not in sourced]


def _placed_at(item: Item) -> datetime | None:
    """When `item` entered its story (`story_match.at`), None when it keeps no record."""
    match = item.story_match
    return _when(match.get("at")) if isinstance(match, dict) else None


def _count(row: Any) -> Count:
    return Count.from_mapping({"event": row.event, "number": row.number, "source": row.source,
                               "confident": row.confident, "additional": row.additional, "part": row.part,
                               "qualifier": row.qualifier, "upto": row.upto})


def _first_report(story: Story, rows: list[tuple[Item, str]]) -> tuple[Item, str]:
    """The (item, feed) a story's line tells, as the instant channels tell it: the story's first
    item (`stories.first_item_id`: the first placed in it), else its first that is not backfill.
    Items are placed in their publication order, not in the order a poll stored them: by the
    lowest id, a story first told at 07:26 was listed by its 08:52 report."""
    live = [(i, f) for i, f in rows if not i.backfill]
    return next((r for r in live if r[0].id == story.first_item_id), live[0] if live else rows[0])


def _in_earlier_roundups(session: Session, channel: str, items: list[Item], until: datetime) -> bool:
    """Whether each told item of a story an operator's split or merge made was in a roundup of
    `channel` already, as part of the story it was in then: a story split off after a merge
    counts as told at the split, and its item, listed before the merge (or as part of the
    merged story), would be listed again. An item that never was in one keeps the story listed."""
    told = [i for i in items if not i.backfill]
    spans = [_story_spans(i) for i in told]
    if not told or not any(len(s) > 1 for s in spans):
        return False  # never moved by an operator: its story is told for the first time
    starts = [start for s in spans for _, start, _ in s if start is not None]
    roundups = digest_roundups_since(session, channel, min(starts, default=datetime.min.replace(tzinfo=UTC)))
    return all(any(sid in ids and (start is None or start <= _aware(at)) and (end is None or _aware(at) < end)
                   and _aware(at) < until for sid, start, end in s for at, ids in roundups) for s in spans)


def _story_spans(item: Item) -> list[tuple[int | None, datetime | None, datetime | None]]:
    """(story, from, until) of the stories `item` was in, newest first, read from its
    `story_match` records: each names when the item entered its story (`at`), a merge's or a
    split's also the story it left (`from_story`) and the record before it (`was`)."""
    spans: list[tuple[int | None, datetime | None, datetime | None]] = []
    story, end, match = item.story_id, None, item.story_match
    while True:
        at = _when((match or {}).get("at")) if isinstance(match, dict) else None
        spans.append((story, at, end))
        if not isinstance(match, dict) or match.get("from_story") is None:
            return spans
        story, end, match = int(match["from_story"]), at, match.get("was")


def _when(text: object) -> datetime | None:
    try:
        return _aware(datetime.fromisoformat(text)) if isinstance(text, str) else None
    except ValueError:
        return None


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def enqueue_digest(session: Session, config: AppConfig, channel_name: str, *, now: datetime,
                   journals: Sequence[Mapping[str, SentMark]] = (), at_slot: bool = False) -> list[Alert]:
    """Queue the digest of `channel_name` covering stories since its last digest; see module doc.
    `journals`: the journal of sends (the worker's copies), whose roundups are never folded.
    `at_slot`: the roundup of the channel's latest schedule time, queued at it or later (the
    ticks': `enqueue_scheduled_digest`, `enqueue_due_digests`): its period ends at that time
    (`_period_end`); otherwise at `now`."""
    return _queue_roundup(session, config, channel_name, now, journals, unsent_only=None, at_slot=at_slot)


def fold_unsent_roundups(session_scope: Any, config: AppConfig, channel: ChannelConfig, head: int, *,
                         now: datetime, journals: Sequence[Mapping[str, SentMark]] = ()) -> int:
    """The worker's catch-up for a roundup channel whose head, roundup message `head`, was queued
    more than `catch_up_after` ago (the Bot API down since): its unsent roundups folded into one
    queued now, of their periods and the stories told since (`enqueue_digest`), in a transaction
    of its own (`session_scope`: `Database.session`); how many messages were folded. None (0,
    nothing written) unless `head` is one of them: a head left (half sent, or sent by the
    journal) would have the roundup queued now folded again at every round."""
    if channel.mode != "digest":
        return 0  # made instant since: its roundups queued before go out as they are
    with session_scope() as session:
        folded: list[int] = []
        _queue_roundup(session, config, channel.name, now, journals, unsent_only=head, folded_ids=folded)
        return len(folded)


def _queue_roundup(session: Session, config: AppConfig, channel_name: str, now: datetime,
                   journals: Sequence[Mapping[str, SentMark]], *, unsent_only: int | None,
                   folded_ids: list[int] | None = None, at_slot: bool = False) -> list[Alert]:
    """`enqueue_digest`; with `unsent_only` (a roundup message's id), only when it folds the
    unsent roundups, that one among them (the worker's catch-up, at no schedule time), their
    ids added to `folded_ids`."""
    channel = config.channel(channel_name)
    if channel is None:
        return []
    row = _channel_row(session, channel)
    if row.disabled:
        return []  # the slot stays due: the roundup queued once it is enabled tells the whole gap
    previous = row.last_digest_at
    if at_slot and not _due(channel, config, now, previous):
        # claimed since the tick read it due (another replica's tick, which queued its roundup):
        # the claim below would move the time on from that one, and fold that roundup
        return []
    if unsent_only is not None and previous is not None and _aware(previous) > now:
        return []  # queued before the clock was set back: the next slot's roundup (`due_digests`)
    since = previous or now - FIRST_DIGEST_SPAN
    told = last_instant_alert_at(session, channel.name)
    if told is not None and told > since:  # switched from `mode: instant`: it had those at once
        since = told
    after = config.settings.catch_up_after
    if after:  # the fold below takes rows a claim takes: the chat's rows first, as a claim does
        lock_chat(session, [c.name for c in config.channels if c.chat_id.lower() == channel.chat_id.lower()])
    folded = _fold_unsent(session, channel.name, now - after, journals) if after else {}
    until = _period_end(channel, config, previous, now) if at_slot else now
    if (unsent_only is not None and unsent_only not in folded) or not claim_digest_slot(session, row, previous, until):
        put_back(session, list(folded), ROUNDUP_FOLDED)
        return []  # (the claim: another replica took this slot)
    if folded_ids is not None:
        folded_ids.extend(folded)
    # a story is told at the time its item's classification began, and committed later (a
    # backlog's batch, a lock's wait, a replica's clock behind this one): one committed after
    # the last roundup with a time before it is looked for again, unless a roundup listed it.
    # (After a clock set back, the digests queued before it tell stories of this period again.)
    if since == previous:
        since -= COMMIT_LOOKBACK
    since = min([_aware(since), *(start for start, _ in folded.values())])  # (and one folding this one)
    entries = _entries(session, channel, config, since, until, digest_story_ids_since(session, channel.name, since))
    entries += _figure_entries(session, channel, config, since, until, {e.story_id for e in entries if e.story_id},
                               digest_figure_items_since(session, channel.name, since))
    if not entries:
        _folded_into(session, channel.name, folded, None)
        return []
    alerts = _roundup_messages(session, channel, config, entries, now, since=since, until=until, folded=folded,
                               at_slot=unsent_only is None)
    session.flush()
    _folded_into(session, channel.name, folded, alerts[0] if alerts else None)
    return alerts


def _channel_row(session: Session, channel: ChannelConfig) -> Channel:
    """The channel's row; made when it has none yet."""
    row = channel_named(session, channel.name)
    if row is None:
        row = Channel(name=channel.name, chat_id=channel.chat_id, disabled=False)
        session.add(row)
        session.flush()
    return row


def _roundup_messages(
    session: Session, channel: ChannelConfig, config: AppConfig, entries: list[DigestEntry], now: datetime, *,
    since: datetime, until: datetime, folded: Mapping[int, tuple[datetime, datetime]], at_slot: bool,
) -> list[Alert]:
    """The roundup of `entries` (the period `since` to `until`, folding the unsent roundups
    `folded`) as the channel's alert rows, one a message; the first carries what the roundup
    tells and folds."""
    lang = channel.languages[0] if channel.languages else "es"
    preview = channel.link_previews if channel.link_previews is not None else config.settings.link_previews
    # the roundup's own time, to the microsecond: by the minute, a roundup in the minute of an
    # earlier one (the clock stepped back across a schedule time) found its keys taken and
    # queued nothing, its slot claimed all the same
    stamp = now.isoformat()
    alerts: list[Alert] = []
    for i, part in enumerate(render_digest(entries, lang, config.settings.tz, heading_time=until)):
        key = f"digest:{channel.name}:{stamp}:{i}"
        if alert_key_taken(session, key):
            continue
        alert = Alert(
            channel=channel.name, kind="digest", dedupe_key=key, status="pending", attempts=0,
            payload={"html": part.html, "text": part.text, "preview": preview and i == 0, "stories": len(entries),
                     "story_ids": [e.story_id for e in entries if not e.figures] if i == 0 else [],
                     "figure_item_ids": [x for e in entries for x in e.figure_items] if i == 0 else [],
                     **({"period_from": since.isoformat()} if i == 0 else {}),
                     **({"queued_since": min(q for _, q in folded.values()).isoformat()} if folded and i == 0 else {}),
                     **(_fold_notice(session, folded, at_slot=at_slot) if folded and i == 0 else {})},
            next_attempt_at=now, created_at=now,
        )
        session.add(alert)
        alerts.append(alert)
    return alerts


def _period_end(channel: ChannelConfig, config: AppConfig, previous: datetime | None, now: datetime) -> datetime:
    """Where a roundup's period ends, and the channel's last roundup time it claims: its schedule
    time, when one passed since the last roundup; queued late (the missed-digests tick up to a
    minute after it, a start hours after), the stories told between that time and now belong to
    the next one. Before, a 00:00 roundup queued at 00:02 listed the story told at 00:01, of
    the next day. `now` at no new schedule time (the clock set back, a direct call)."""
    slot = latest_slot(channel, now, config)
    if slot is None or (previous is not None and slot <= _aware(previous)):
        return now
    return slot


def _fold_unsent(session: Session, channel: str, before: datetime,
                 journals: Sequence[Mapping[str, SentMark]]) -> dict[int, tuple[datetime, datetime]]:
    """Take `channel`'s unsent roundups when one was queued before `before` (the Bot API down
    longer than `settings.catch_up_after`): the roundup queued now tells their periods too,
    each story once, with its title and /wrong as they are now; all of them, so that one
    roundup is left queued, not one per fold. Whole roundups only, taken by a conditional
    UPDATE (a part a worker claimed meanwhile leaves its roundup to be sent); never one the
    journal of sends has (a restored backup's, sent after it was taken: its claim marks it
    sent), nor one queued before roundups said where their period began. Returns each taken
    message's id → the start of its roundup's period and when its stories began to wait."""
    groups = [g for g in unsent_roundups(session, channel)
              if _period_from(g) is not None and not any(_journaled(a, journals) for a in g)]
    if not any(_queued_since(g) < before for g in groups):
        return {}
    taken = take_pending(session, [a.id for g in groups for a in g], ROUNDUP_FOLDED)
    whole = [g for g in groups if all(a.id in taken for a in g)]
    put_back(session, taken - {a.id for g in whole for a in g}, ROUNDUP_FOLDED)
    return {a.id: (start, _queued_since(g)) for g in whole if (start := _period_from(g)) is not None for a in g}


def _queued_since(parts: list[Alert]) -> datetime:
    """When the stories of roundup `parts` began to wait: when it was queued, or when the first
    roundup it folded was (`queued_since`), so that the next slot of an outage folds it too."""
    marks = [w for a in parts if (w := _when((a.payload or {}).get("queued_since"))) is not None]
    return min([_aware(parts[0].created_at), *marks])


def _period_from(parts: list[Alert]) -> datetime | None:
    return next((w for a in parts if (w := _when((a.payload or {}).get("period_from"))) is not None), None)


def _journaled(row: Alert, journals: Sequence[Mapping[str, SentMark]]) -> bool:
    return any(line_saying(j.get(k), row.payload or {}) is not None for j in journals for k in journal_keys(row))


def _fold_notice(session: Session, folded: Collection[int], *, at_slot: bool) -> dict[str, Any]:
    """The admin chat's notice of a fold (`roundup_fold_notices`): the roundups of schedule times
    it tells (its own when queued `at_slot`, and those of the roundups it folded), and told
    already when a roundup it folded was: through an outage each slot, and each retry of the
    worker's, folds the roundup before it, and is no new fold to tell."""
    firsts = [p for p in session.scalars(select(Alert.payload).where(Alert.id.in_(folded)))
              if p and "period_from" in p]
    return {"roundups": int(at_slot) + sum(int(p.get("roundups", 1)) for p in firsts), "notify": True,
            "notified": any(p.get("notified") for p in firsts)}


def roundup_fold_notices(session: Session, now: datetime, tz: tzinfo) -> list[tuple[int, str]]:
    """(roundup id, text) of the roundups that folded unsent ones the admin chat has not been told of."""
    out: list[tuple[int, str]] = []
    for alert in roundups_since(session, now - NOTIFY_WITHIN):
        p: dict[str, Any] = alert.payload or {}
        since = _when(p.get("period_from"))
        if not p.get("notify") or p.get("notified") or since is None:
            continue
        until = _aware(alert.created_at)
        out.append((alert.id, (
            f"⏪ roundups: {counted(int(p.get('roundups', 1)), 'roundup')} of channel {alert.channel}, unsent "
            f"through an outage, folded into one covering {since.astimezone(tz):%d/%m %H:%M} – "
            f"{until.astimezone(tz):%d/%m %H:%M} ({tz}): roundup #{alert.id} (settings.catch_up_after)")))
    return out


def _folded_into(session: Session, channel: str, folded: Mapping[int, tuple[datetime, datetime]],
                 roundup: Alert | None) -> None:
    """Say on each folded roundup's row where its stories went, and log it once."""
    if not folded:
        return
    why = ("not sent: the Bot API took no message of the channel for longer than catch_up_after; "
           + (f"its stories are in roundup #{roundup.id}" if roundup else "nothing of it was left to tell"))
    for row in session.scalars(select(Alert).where(Alert.id.in_(folded))):
        row.last_error = why
    log.info("roundup of %s: %d unsent roundup message(s) of the stories since %s folded into %s", channel,
             len(folded), min(start for start, _ in folded.values()).strftime("%Y-%m-%d %H:%M UTC"),
             f"roundup #{roundup.id}" if roundup else "none: nothing left to tell")


def enqueue_scheduled_digest(session: Session, config: AppConfig, channel_name: str, *, now: datetime,
                             journals: Sequence[Mapping[str, SentMark]] = ()) -> list[Alert]:
    """`enqueue_digest` for the service's CronTrigger, when the channel's latest schedule time
    is after its last digest: the trigger fires at both occurrences of a time the clocks
    repeat (01:30 on a fall-back night), and the second is no new slot (`slot_instant`)."""
    last = last_digests(session).get(channel_name)
    if channel_name not in due_digests(config, now, {channel_name: last}):
        return []
    return enqueue_digest(session, config, channel_name, now=now, journals=journals, at_slot=True)


DIGEST_KEY = re.compile(  # enqueue_digest's keys: digest:{channel}:{time, ISO}:{part} (by the minute before)
    r"digest:(?P<channel>.+):(?P<stamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d)?):\d+")


def digests_sent(sent: Mapping[str, SentMark]) -> dict[str, datetime]:
    """Channel → the time of its latest roundup among the alerts `sent` (their dedupe keys)."""
    latest: dict[str, datetime] = {}
    for key in sent:
        if (m := DIGEST_KEY.fullmatch(key)) is None:
            continue
        try:
            stamp = datetime.fromisoformat(m["stamp"])
        except ValueError:
            continue
        stamp = stamp.replace(tzinfo=stamp.tzinfo or UTC)
        if m["channel"] not in latest or stamp > latest[m["channel"]]:
            latest[m["channel"]] = stamp
    return latest


def restore_digest_times(session: Session, sent: Mapping[str, datetime], now: datetime) -> list[str]:
    """A database restored from a backup kept the last roundup times the backup had: each
    roundup sent since would have been queued again, as missed. Each channel's last roundup
    time is moved up to the latest one `sent` (core/restore_marks.py); the channels moved.
    A roundup stamped ahead of `now` was sent on a clock since set back and tells no restore:
    moved up to it, the last roundup time made the next tick's period empty, and the stories
    told since the real last roundup were in none."""
    return [name for name, when in sorted(sent.items())
            if when <= now and raise_last_digest(session, name, when)]


def enqueue_missed_digests(session: Session, config: AppConfig, *, now: datetime,
                           journals: Sequence[Mapping[str, SentMark]] = ()) -> list[Alert]:
    """Queue the digests of channels whose latest schedule time has passed since their last
    digest: a time the service was stopped at, or the host asleep (the service's CronTrigger
    fires only while it runs, and at most an hour late), or no replica led (its CronTrigger
    fired on replicas that did not lead: a leader killed or frozen, the next not leading yet).
    A channel that never had a digest waits for its first schedule time after it was
    configured (its row's `created_at`): a new channel's first roundup is not sent at once."""
    return enqueue_due_digests(session, config, now=now, ran_before=True, journals=journals)


def enqueue_due_digests(session: Session, config: AppConfig, *, now: datetime,
                        ran_before: bool = False, journals: Sequence[Mapping[str, SentMark]] = ()) -> list[Alert]:
    """Queue every digest that is due (see `due_digests`); call it from a periodic tick.
    `ran_before`: only the channels that had a digest already, or whose row was written
    before their latest schedule time."""
    last = last_digests(session)
    created = channels_created(session) if ran_before else {}
    alerts: list[Alert] = []
    for name in due_digests(config, now, last):
        if not ran_before or last.get(name) is not None or _configured_before_slot(config, name, created, now):
            alerts += enqueue_digest(session, config, name, now=now, journals=journals, at_slot=True)
    return alerts


def _configured_before_slot(config: AppConfig, name: str, created: Mapping[str, datetime], now: datetime) -> bool:
    channel, since = config.channel(name), created.get(name)
    slot = latest_slot(channel, now, config) if channel is not None else None
    return since is not None and slot is not None and since < slot
