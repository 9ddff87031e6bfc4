"""Channels and the alert outbox: channel rows kept in step with feeds.yaml, the queue
per channel and status, and the lookups the outbox makes before it writes an alert."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, case, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storage.leases import lease_clock, lease_now, shares_clock
from storage.models import Alert, Channel, Feed, Item, TallyPin


def sync_channels(session: Session, channels: Iterable[tuple[str, str]]) -> dict[str, Channel]:
    """Rows for configured (name, chat_id).

    A chat id changed in the file wins over an earlier chat migration, and
    re-enables a channel that a 403 disabled (the operator fixed the target).
    """
    channels = list(channels)
    rows = {c.name: c for c in session.scalars(select(Channel))}
    for row, name in _renamed(rows, channels):
        del rows[row.name]
        rename_channel(session, row, name)
        rows[name] = row
    out: dict[str, Channel] = {}
    for name, chat_id in channels:
        channel = rows.get(name)
        if channel is None:
            channel = Channel(name=name, chat_id=chat_id, configured_chat_id=chat_id, disabled=False)
            session.add(channel)
        elif channel.configured_chat_id != chat_id:
            channel.chat_id = chat_id
            channel.configured_chat_id = chat_id
            channel.disabled = False
            channel.disabled_reason = None
        out[name] = channel
    session.flush()
    return out


def _renamed(rows: dict[str, Channel], channels: list[tuple[str, str]]) -> list[tuple[Channel, str]]:
    """(row, new name) of the channels renamed in feeds.yaml: a name without a row that is the
    only new name of its chat, and the only row of that chat no configured name has."""
    configured = {name for name, _ in channels}
    new: dict[str, list[str]] = {}
    for name, chat_id in channels:
        if name not in rows:
            new.setdefault(chat_id, []).append(name)
    old: dict[str, list[Channel]] = {}
    for row in rows.values():
        if row.name not in configured:
            old.setdefault(row.configured_chat_id or row.chat_id, []).append(row)
    return [(old[chat][0], names[0]) for chat, names in new.items()
            if len(names) == 1 and len(old.get(chat, ())) == 1]


def rename_channel(session: Session, row: Channel, name: str) -> None:
    """Give channel `row` the name `name`, with its alerts (their channel and the name in
    their keys: `new:NAME:STORY` finds the story's message) and its pinned tally: a channel
    renamed in feeds.yaml keeps its queue, its stories' messages, its last digest and its
    disabled state."""
    old = row.name
    keys = session.execute(select(Alert.id, Alert.dedupe_key).where(Alert.channel == old)).all()
    if keys:
        session.execute(update(Alert), [
            {"id": alert_id, "channel": name, "dedupe_key": _renamed_key(key, old, name)} for alert_id, key in keys
        ])
    session.execute(update(TallyPin).where(TallyPin.channel == old).values(channel=name)
                    .execution_options(synchronize_session=False))
    row.name = name
    session.flush()


def _renamed_key(key: str, old: str, new: str) -> str:
    """`KIND:OLD:REST` as `KIND:NEW:REST`; another key as it is."""
    kind, _, rest = key.partition(":")
    return f"{kind}:{new}:{rest[len(old) + 1:]}" if rest.startswith(f"{old}:") else key


def queue_summary(session: Session) -> dict[str, dict[str, int]]:
    """Alert counts per channel and status, e.g. {"prisoners": {"pending": 2, "sent": 40}}.
    `count(*)`, not of the id: PostgreSQL's index of (channel, status) holds no id, and counting
    ids read every row of the outbox (a year: 0.34 s, against 0.07 s from the index alone)."""
    out: dict[str, dict[str, int]] = {}
    stmt = select(Alert.channel, Alert.status, func.count()).select_from(Alert).group_by(
        Alert.channel, Alert.status
    )
    for channel, status, n in session.execute(stmt):
        out.setdefault(channel, {})[status] = n
    return out


def disabled_channels(session: Session) -> list[Channel]:
    return list(session.scalars(select(Channel).where(Channel.disabled.is_(True))))


@dataclass(frozen=True)
class QueueDepth:
    """Alerts pending or being sent: to channels that can take them (`queued`), and held for
    a channel that is disabled (a 403, lost rights) or no longer in feeds.yaml."""

    queued: int
    disabled: int
    removed: int


def queue_depth(session: Session, configured: Collection[str]) -> QueueDepth:
    """The outbox's depth by what holds it; `configured`: the channels of feeds.yaml. A
    removed channel's alerts stay pending (re-adding the channel sends them), so counted
    with the rest they kept the depth above 0 for good."""
    per_channel = session.execute(
        select(Alert.channel, func.count(Alert.id))
        .where(Alert.status.in_(("pending", "sending"))).group_by(Alert.channel)
    ).all()
    disabled = set(session.scalars(select(Channel.name).where(Channel.disabled.is_(True))))
    counts = {"queued": 0, "disabled": 0, "removed": 0}
    for channel, n in per_channel:
        held = "removed" if channel not in configured else "disabled" if channel in disabled else "queued"
        counts[held] += int(n)
    return QueueDepth(**counts)


def story_feed_names(session: Session, story_id: int) -> list[str]:
    """The names of the feeds whose items are in the story, first report first."""
    return list(session.execute(
        select(Feed.name).join(Item, Item.feed_id == Feed.id).where(Item.story_id == story_id).order_by(Item.id)
    ).scalars())


def update_key(channel: str, story_id: int, item_id: int) -> str:
    """The outbox key of an item's update reply in a story's thread on a channel."""
    return f"update:{channel}:{story_id}:{item_id}"


def alert_by_key(session: Session, key: str) -> Alert | None:
    return session.scalar(select(Alert).where(Alert.dedupe_key == key))


SHOWN = ("pending", "sending", "sent")  # an edit the chat's message shows, or will once it is sent


def last_edit(session: Session, channel: str, story_id: int, *, after: int = 0) -> Alert | None:
    """The latest edit of the story's message in `channel`, alert `after`, that the message shows
    or will show (sent or on its way; not one that failed, was superseded or withdrawn): a story
    retold after a failure has no edits of its own yet, and an edit of one of its replies (a
    source named: alerts.outbox.name_sources) is not one of its message."""
    return session.scalar(
        select(Alert).where(Alert.channel == channel, Alert.story_id == story_id, Alert.kind == "edit",
                            Alert.id > after, Alert.status.in_(SHOWN),
                            Alert.payload["target_alert_id"].as_integer() == after)
        .order_by(Alert.id.desc()).limit(1)
    )


def last_edit_of(session: Session, alert: Alert) -> Alert | None:
    """The latest edit of alert `alert`'s message (a reply's too) that the message shows or will
    show (`last_edit`): its edits are queued after it, which bounds the read (PostgreSQL read the
    outbox backwards from its newest alert for a reply never edited: a year, 838,000 rows and
    their payloads, bench/year_measure.py)."""
    return last_edit(session, alert.channel, alert.story_id, after=alert.id) if alert.story_id else None


def last_edits_of(session: Session, channel: str, story_id: int, targets: Collection[int]) -> dict[int, Alert]:
    """The latest edit that the message shows or will show (`last_edit`) of each of alerts
    `targets` (of the story, in `channel`) that has one, in one read of the story's edits. Read
    one target after another, a long story's replies each read its edits again: a story with 174
    replies, 174 statements for each report that joins it (bench/months_memory.py)."""
    wanted = set(targets)
    if not wanted:
        return {}
    edits: dict[int, Alert] = {}
    for edit in session.scalars(select(Alert).where(
            Alert.channel == channel, Alert.story_id == story_id, Alert.kind == "edit", Alert.id > min(wanted),
            Alert.status.in_(SHOWN)).order_by(Alert.id)):
        target = (edit.payload or {}).get("target_alert_id")
        if isinstance(target, int) and target in wanted and edit.id > target:
            edits[target] = edit  # in id order: the latest is kept
    return edits


def alert_key_taken(session: Session, key: str) -> bool:
    return session.scalar(select(Alert.id).where(Alert.dedupe_key == key)) is not None


def channel_named(session: Session, name: str) -> Channel | None:
    return session.scalar(select(Channel).where(Channel.name == name))


def enable_channel(session: Session, name: str) -> int | None:
    """Send to channel `name` again after a refusal disabled it (/enable, `monitor channels
    enable`): its queued alerts, counted, go out in order. None when it is not disabled."""
    row = channel_named(session, name)
    if row is None or not row.disabled:
        return None
    row.disabled, row.disabled_reason, row.disabled_reported = False, None, False
    return session.scalar(select(func.count(Alert.id)).where(Alert.channel == name, Alert.status == "pending")) or 0


def last_instant_alert_at(session: Session, channel: str) -> datetime | None:
    """When `channel` last queued a story's message, edit or reply (None: never): what it was
    told while in `mode: instant`."""
    return session.scalar(select(func.max(Alert.created_at)).where(
        Alert.channel == channel, Alert.kind.in_(("new", "edit", "update"))))


def last_digests(session: Session) -> dict[str, datetime | None]:
    """When each channel's last digest was queued (None: never)."""
    return {name: at for name, at in session.execute(select(Channel.name, Channel.last_digest_at))}


def channels_created(session: Session) -> dict[str, datetime]:
    """When each channel's row was first written (the channel first configured)."""
    return {name: at for name, at in session.execute(select(Channel.name, Channel.created_at))}


def digest_story_ids_since(session: Session, channel: str, since: datetime) -> set[int]:
    """The stories told by `channel`'s digests queued after `since` (a roundup looks before its
    period, `alerts.digest.COMMIT_LOOKBACK`, for stories committed late; and after a clock set
    back, digests carry times ahead of it); not those folded into a later roundup unsent."""
    payloads = session.scalars(select(Alert.payload).where(
        Alert.channel == channel, Alert.kind == "digest", Alert.created_at > since, Alert.status != ROUNDUP_FOLDED))
    return {int(i) for p in payloads for i in (p or {}).get("story_ids", [])}


def digest_figure_items_since(session: Session, channel: str, since: datetime) -> set[int]:
    """The items whose figures `channel`'s digests queued after `since` told as a story's news
    (`payload.figure_item_ids`, alerts/digest.py); not those folded into a later roundup unsent."""
    payloads = session.scalars(select(Alert.payload).where(
        Alert.channel == channel, Alert.kind == "digest", Alert.created_at > since, Alert.status != ROUNDUP_FOLDED))
    return {int(i) for p in payloads for i in (p or {}).get("figure_item_ids", [])}


def digest_roundups_since(session: Session, channel: str, since: datetime) -> list[tuple[datetime, set[int]]]:
    """(queued at, story ids) of `channel`'s roundups queued at or after `since` (not folded unsent)."""
    rows = session.execute(select(Alert.created_at, Alert.payload).where(
        Alert.channel == channel, Alert.kind == "digest", Alert.created_at >= since, Alert.status != ROUNDUP_FOLDED))
    return [(at, ids) for at, p in rows if (ids := {int(i) for i in (p or {}).get("story_ids", [])})]


ROUNDUP_FOLDED = "folded"  # a roundup never sent, its period told by a later one (alerts/digest.py)


def unsent_roundups(session: Session, channel: str) -> list[list[Alert]]:
    """`channel`'s roundups whose messages are all still pending (none claimed or sent), each a
    list of its parts (they share their `created_at`), oldest first."""
    stamps = set(session.scalars(select(Alert.created_at).where(
        Alert.channel == channel, Alert.kind == "digest", Alert.status == "pending")))
    if not stamps:
        return []
    parts: dict[datetime, list[Alert]] = {}
    for row in session.scalars(select(Alert).where(
            Alert.channel == channel, Alert.kind == "digest", Alert.created_at.in_(stamps)).order_by(Alert.id)):
        parts.setdefault(row.created_at, []).append(row)
    return [g for _, g in sorted(parts.items()) if all(a.status == "pending" for a in g)]


def take_pending(session: Session, ids: Collection[int], status: str) -> set[int]:
    """Move the alerts `ids` still pending to `status` in one conditional UPDATE (each row taken
    once whatever other workers do); the ids taken."""
    taken = session.execute(update(Alert).where(Alert.id.in_(ids or {0}), Alert.status == "pending")
                            .values(status=status).returning(Alert.id)
                            .execution_options(synchronize_session=False)).scalars().all()
    return {int(i) for i in taken}


def put_back(session: Session, ids: Collection[int], status: str) -> None:
    """Undo `take_pending` for `ids`: pending again."""
    session.execute(update(Alert).where(Alert.id.in_(ids or {0}), Alert.status == status)
                    .values(status="pending").execution_options(synchronize_session=False))


def claim_digest_slot(session: Session, channel: Channel, previous: datetime | None, now: datetime) -> bool:
    """Move the channel's last digest time from `previous` to `now` with a conditional
    UPDATE; False when another replica moved it first (that replica queues the digest)."""
    claim = update(Channel).where(Channel.id == channel.id).values(last_digest_at=now)
    claim = claim.where(Channel.last_digest_at.is_(None) if previous is None else Channel.last_digest_at == previous)
    if session.execute(claim.execution_options(synchronize_session=False)).rowcount != 1:
        return False
    session.expire(channel)
    return True


def raise_last_digest(session: Session, name: str, when: datetime) -> bool:
    """Move channel `name`'s last digest time forward to `when` (never back); whether it moved."""
    moved = session.execute(
        update(Channel).where(Channel.name == name,
                              or_(Channel.last_digest_at.is_(None), Channel.last_digest_at < when))
        .values(last_digest_at=when).execution_options(synchronize_session=False)
    )
    return bool(moved.rowcount)


def queued_count(session: Session, channel: str) -> int:
    """Alerts of `channel` still to send (pending or being sent)."""
    return session.scalar(select(func.count(Alert.id)).where(
        Alert.channel == channel, Alert.status.in_(("pending", "sending")),
    )) or 0


def unreported_disabled_channels(session: Session) -> list[Channel]:
    """Channels a 403 disabled whose operators were not told yet, by name."""
    return list(session.scalars(select(Channel).where(
        Channel.disabled.is_(True), Channel.disabled_reported.is_(False),
    ).order_by(Channel.name)))


def mark_channel_reported(session: Session, name: str) -> None:
    stmt = update(Channel).where(Channel.name == name).values(disabled_reported=True)
    session.execute(stmt.execution_options(synchronize_session=False))


def all_channels(session: Session) -> list[Channel]:
    return list(session.scalars(select(Channel)))


def alert_of_message(
    session: Session, channels: list[str], message_id: int, *, chats: set[str] | None = None
) -> Alert | None:
    """The first alert sent as Telegram message `message_id` in one of `channels`; with
    `chats`, only one whose message went to one of those chats (ids or @names, in lower
    case). A group migrated to a supergroup numbers its messages afresh, so one id can stand
    for a message in the old chat and another in the new; an alert sent before chats were
    recorded counts as in any of them."""
    rows = session.scalars(
        select(Alert).where(Alert.channel.in_(channels), Alert.telegram_message_id == message_id)
        .order_by(Alert.id)
    )
    for row in rows:
        sent_to = (row.payload or {}).get(SENT_CHAT)
        if chats is None or sent_to is None or str(sent_to).lower() in chats:
            return row
    return None


def first_alert_of_story(session: Session, story_id: int) -> Alert | None:
    return session.scalar(select(Alert).where(Alert.story_id == story_id).order_by(Alert.id).limit(1))


def story_alerts(session: Session, story_id: int) -> list[Alert]:
    """Every alert of the story (its messages, edits and replies in each channel), oldest first."""
    return list(session.scalars(select(Alert).where(Alert.story_id == story_id).order_by(Alert.id)))


def message_feeds_since(
    session: Session, channel: str, since: datetime, kinds: Sequence[str], states: Sequence[str],
    until: datetime | None = None,
) -> list[tuple[int | None, int | None]]:
    """(feed id, item id) from the payloads of `channel`'s alerts of these kinds and states
    created after `since` and not after `until` (the feed id is None in payloads written
    before it was stored). `until`, now: rows stamped ahead of it were written before the
    clock was set back, and are not of the hour before now."""
    stmt = select(Alert.payload["feed_id"].as_integer(), Alert.payload["item_id"].as_integer()).where(
        Alert.channel == channel, Alert.kind.in_(kinds), Alert.status.in_(states), Alert.created_at > since,
    )
    if until is not None:
        stmt = stmt.where(Alert.created_at <= until)
    return [(feed, item) for feed, item in session.execute(stmt).all()]


def alerts_in_status(session: Session, status: str) -> list[Alert]:
    return list(session.scalars(select(Alert).where(Alert.status == status).order_by(Alert.id)))


def fold_payloads_since(session: Session, since: datetime, channel: str | None = None,
                        until: datetime | None = None) -> list[dict[str, Any]]:
    """The payloads of fold messages created after `since` and not after `until` (of one
    channel, or of all)."""
    stmt = select(Alert.payload).where(Alert.kind == "fold", Alert.created_at > since)
    if until is not None:
        stmt = stmt.where(Alert.created_at <= until)
    if channel is not None:
        stmt = stmt.where(Alert.channel == channel)
    return [p or {} for p in session.scalars(stmt)]


def folds_since(session: Session, since: datetime) -> list[Alert]:
    return list(session.scalars(
        select(Alert).where(Alert.kind == "fold", Alert.created_at > since).order_by(Alert.id)
    ))


# -- the delivery worker's queue ------------------------------------------------------


def sent_since(session: Session, since: datetime, until: datetime) -> list[tuple[str, datetime]]:
    """(channel, sent_at) of every message sent from `since` to `until` (now), whatever became of
    its row later (folded, merged): each was a request Telegram counted against its chat. Sends
    stamped after `until` are a clock set back since: not this window's (counted, every one of a
    day's sends stood "just sent" and the chat waited the whole step)."""
    rows = session.execute(select(Alert.channel, Alert.sent_at).where(Alert.sent_at >= since, Alert.sent_at <= until))
    return [(channel, at) for channel, at in rows if at is not None]


def hold_alert(session: Session, alert_id: int) -> None:
    """Hold alert `alert_id`'s row until the transaction ends, for a read-modify-write of its
    payload: a write to it (SQLite takes its database-wide write lock with it, so the read that
    follows sees every commit; PostgreSQL the row's lock, which waits for another's)."""
    session.execute(update(Alert).where(Alert.id == alert_id).values(status=Alert.status)
                    .execution_options(synchronize_session=False))


def lock_chat(session: Session, channels: Collection[str]) -> None:
    """Hold the rows of `channels` (those of one chat) until the transaction ends, so that
    replicas claiming for one chat count its sends one after another (PostgreSQL: FOR UPDATE;
    SQLite takes its database-wide write lock with the claim's UPDATE, before the count)."""
    session.execute(select(Channel.id).where(Channel.name.in_(channels)).order_by(Channel.id).with_for_update())


def chat_sends(
    session: Session, channels: Collection[str], since: datetime, until: datetime, lease: timedelta, *,
    leave_out: int,
) -> tuple[list[datetime], int]:
    """A chat's use of its rate window, by every replica: when its messages (of `channels`) sent
    from `since` to `until` (now; later stamps are a clock set back, as in `sent_since`) were
    answered, and how many others are on their way (claimed less than `lease` ago, by the claims'
    clock, `claim_alert`; except alert `leave_out`)."""
    # the window's sends of every channel (a few), by ix_alerts_sent_at; the channels picked here:
    # with `channel IN` in the statement SQLite read by ix_alerts_channel_status, every alert the
    # channel ever had (the outbox keeps them), under the chat's lock
    wanted = set(channels)
    sent = [at for channel, at in session.execute(select(Alert.channel, Alert.sent_at).where(
        Alert.sent_at >= since, Alert.sent_at <= until)) if at is not None and channel in wanted]
    in_flight = session.scalar(select(func.count(Alert.id)).where(
        Alert.status == "sending", Alert.claimed_at > lease_clock(session, _local(session, until)) - lease,
        Alert.channel.in_(channels),
        Alert.id != leave_out)) or 0
    return sent, int(in_flight)


def channels_by_name(session: Session) -> dict[str, Channel]:
    return {c.name: c for c in session.scalars(select(Channel))}


CATCH_UP = "catch_up"  # Alert.kind of a catch-up message (alerts/catch_up.py): sent before the rest


def queue_head(session: Session, channel: str) -> Row[Any] | None:
    """(id, channel, kind, status, next_attempt_at, claimed_at, attempts, created_at) of the
    oldest alert of `channel` still to send (pending or being sent): each channel's queue is in
    order, but for its catch-up messages, which stand for its oldest alerts and go first.
    The catch-up is looked for by its kind, then the queue read in id order: one ORDER BY of
    both sorted every queued alert of the channel, twice a round (tests/storage/test_history_reads.py)."""
    head = select(Alert.id, Alert.channel, Alert.kind, Alert.status, Alert.next_attempt_at, Alert.claimed_at,
                  Alert.attempts, Alert.created_at).where(
        Alert.channel == channel, Alert.status.in_(("pending", "sending"))).order_by(Alert.id).limit(1)
    return session.execute(head.where(Alert.kind == CATCH_UP)).first() or session.execute(head).first()


def fold_queued(session: Session, channel: str, kinds: Collection[str], status: str, *, before: datetime | None = None,
                story_ids: Collection[int] | None = None) -> list[int]:
    """Move `channel`'s pending alerts of `kinds` (queued before `before`, or of `story_ids`) to
    `status` in one conditional UPDATE, which takes each row once whatever other workers do (a
    row claimed or folded by another is not pending any more); the ids taken, oldest first."""
    stmt = update(Alert).where(Alert.channel == channel, Alert.kind.in_(kinds), Alert.status == "pending")
    if before is not None:
        stmt = stmt.where(Alert.created_at < before)
    if story_ids is not None:
        stmt = stmt.where(Alert.story_id.in_(story_ids or {0}))
    taken = session.execute(stmt.values(status=status).returning(Alert.id)
                            .execution_options(synchronize_session=False)).scalars().all()
    return sorted(int(i) for i in taken)


def catch_ups_of(session: Session, channel: str, *, last: int = 20, lock: bool = False) -> list[Alert]:
    """`channel`'s latest catch-up messages, newest first; held until the transaction ends
    when `lock` (PostgreSQL: FOR UPDATE), as the fold that rewrites them holds them."""
    stmt = select(Alert).where(Alert.channel == channel, Alert.kind == CATCH_UP).order_by(Alert.id.desc()).limit(last)
    return list(session.scalars(stmt.with_for_update() if lock else stmt))


def alerts_by_id(session: Session, ids: Collection[int]) -> list[Alert]:
    """The alerts `ids`, oldest first."""
    return list(session.scalars(select(Alert).where(Alert.id.in_(ids or {0})).order_by(Alert.id)))


def catch_ups_since(session: Session, since: datetime) -> list[Alert]:
    return list(session.scalars(
        select(Alert).where(Alert.kind == CATCH_UP, Alert.created_at > since).order_by(Alert.id)))


def roundups_since(session: Session, since: datetime) -> list[Alert]:
    """Every channel's roundup messages queued after `since`, but those folded into a later one."""
    return list(session.scalars(select(Alert).where(
        Alert.kind == "digest", Alert.created_at > since, Alert.status != ROUNDUP_FOLDED).order_by(Alert.id)))


def _local(session: Session, now: datetime) -> datetime | None:
    """`now` where claims are stamped by this process's clock (SQLite), None where the database's
    clock stamps them (PostgreSQL: `lease_clock`)."""
    return None if shares_clock(session) else now


def claims_now(session: Session, now: datetime) -> datetime:
    """The time by the claims' clock (`claim_alert`): the database's on PostgreSQL, else `now`."""
    return lease_now(session, _local(session, now))


def claims_skew(session: Session, local: Callable[[], datetime]) -> timedelta:
    """The claims' clock (`claims_now`) minus this process's, `local`, read right after it: zero
    where this process's clock stamps the claims (SQLite). Measured from a time read before the
    claim, the wait for the chat's lock counted as a difference of clocks: sends were stamped
    that much ahead of the database's clock, and a replica claiming right after left them out of
    the chat's rate window (`chat_sends`) and sent one message too many."""
    if not shares_clock(session):
        return timedelta(0)
    at = lease_now(session)
    return at - local()


def fresh() -> ColumnElement[bool]:
    """An alert never tried (no attempt, or its back-off started afresh: `retry_held_now`) is
    due as soon as it is queued: its `next_attempt_at` is the queuing process's `now`, by its
    host's clock. Replicas on PostgreSQL read it by theirs: one whose host ran 2 minutes behind
    the queuing replica's left the alert waiting those 2 minutes."""
    return Alert.attempts == 0


def claim_alert(session: Session, alert_id: int, now: datetime, lease: timedelta) -> Alert | None:
    """Claim the alert for sending (one atomic UPDATE: it is due, or its previous claim is older
    than `lease`); the claimed row, or None when another worker has it. An alert never tried is
    due whatever its stamp (`fresh`); one waiting a back-off is due by `now`. On PostgreSQL
    the claim is stamped and its age judged by the database's clock, the one all replicas share:
    by each replica's own, a host 2 minutes ahead took over every claim of the others while its
    message was on its way, and sent it a second time. SQLite's one process stamps by `now`.

    A pending row's claim notes the key it is claimed under (`claimed_key`: the send is
    journaled under it, whatever a merge or split makes of the row's key meanwhile); a stale
    claim taken over keeps the key of the claim before, under which the journal may have that
    claim's send (the claimer notes its own once it has looked: `journal_keys`)."""
    clock = lease_clock(session, _local(session, now))
    result = session.execute(
        update(Alert)
        .where(
            Alert.id == alert_id,
            or_(
                and_(Alert.status == "pending", or_(fresh(), Alert.next_attempt_at <= now)),
                and_(Alert.status == "sending", Alert.claimed_at < clock - lease),
            ),
        )
        .values(status="sending", claimed_at=clock, attempts=Alert.attempts + 1,
                claimed_key=case((Alert.status == "sending", Alert.claimed_key), else_=Alert.dedupe_key))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return session.get(Alert, alert_id)


def journal_keys(row: Alert) -> tuple[str, ...]:
    """The keys the journal of sends may hold alert `row`'s send under: the one it has now,
    and the one it was claimed under, which a merge or split (`storage.stories.move_story`,
    `move_messages_of_item`) or a channel's rename may have replaced while its message was on
    its way. Looked up by its key alone, such a row killed before its record was sent again."""
    return tuple(dict.fromkeys(k for k in (row.dedupe_key, row.claimed_key) if k))


def claims_held(session: Session) -> list[Alert]:
    """The alerts being sent (`sending`: this process's claims, a live replica's, or a dead
    process's), their rows locked (PostgreSQL) so that a replica's record of its send waits."""
    return list(session.scalars(select(Alert).where(Alert.status == "sending").order_by(Alert.id).with_for_update()))


def shift_waiting(session: Session, by: timedelta, now: datetime) -> int:
    """Move the next attempt of the pending alerts due after `now` by `by`, never before now,
    and the claims stamped after `now` by `by`: the wall clock was set back by -`by`, and what
    was due at a time of the old clock is due at the same moment of the new one (a queued
    alert is due at once). Returns how many rows were moved."""
    rows = session.scalars(select(Alert).where(Alert.status == "pending", Alert.next_attempt_at > now))
    moved = 0
    for row in rows:
        row.next_attempt_at = max(now, row.next_attempt_at + by)
        moved += 1
    # a claim (a send in flight, or one a dead process left) keeps its remaining lease: stamped
    # ahead, a dead process's claim held its channel's queue for the step as well. The database's
    # clock stamps them on PostgreSQL: this host's step moved nothing there
    if shares_clock(session):
        return moved
    for row in session.scalars(select(Alert).where(Alert.status == "sending", Alert.claimed_at > now)):
        row.claimed_at = min(now, row.claimed_at + by)
        moved += 1
    return moved


def clamp_ahead(session: Session, now: datetime) -> int:
    """At a start: alerts never tried (`attempts` 0) due after `now`, and claims stamped after
    it, were written before the clock was set back while no process ran (a new alert is due
    when queued; a claim is stamped when made): due now, and a lease counted from now.
    Before, they waited the whole step. Returns how many rows."""
    fresh = session.execute(
        update(Alert).where(Alert.status == "pending", Alert.attempts == 0, Alert.next_attempt_at > now)
        .values(next_attempt_at=now).execution_options(synchronize_session=False))
    clock = lease_clock(session, _local(session, now))  # the claims' clock (`claim_alert`)
    claims = session.execute(
        update(Alert).where(Alert.status == "sending", Alert.claimed_at > clock)
        .values(claimed_at=clock).execution_options(synchronize_session=False))
    return int(fresh.rowcount or 0) + int(claims.rowcount or 0)


def retry_held_now(session: Session, channels: list[str], now: datetime, *, unless_error_like: str) -> int:
    """Make the alerts of `channels` that failed and wait for a later retry due now, with
    their back-off started afresh (`attempts` 0): the Bot API came back from an outage, or
    the service restarted. So too for those already due (their wait ended while the service
    was down): their next failure waits the first step again, not the outage's doubled. Those
    whose last error is like `unless_error_like` (a 429's retry_after, which Telegram asks to
    respect) keep their time and count."""
    if not channels:
        return 0
    result = session.execute(
        update(Alert)
        .where(Alert.channel.in_(channels), Alert.status == "pending", Alert.attempts > 0,
               or_(Alert.last_error.is_(None), Alert.last_error.not_like(unless_error_like)))
        .values(next_attempt_at=case((Alert.next_attempt_at > now, now), else_=Alert.next_attempt_at), attempts=0)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def finish_alert(session: Session, alert_id: int, **values: Any) -> None:
    """Write the outcome of a send on an alert this worker claimed (still `sending`). A new
    payload keeps the marks written on the row while it was on its way (/wrong's `withdrawn`,
    the admin chat told of a fold or catch-up): the payload the worker holds is the one it claimed.
    One put back in the queue (a retry) that /wrong withdrew meanwhile ends `withdrawn` instead:
    queued again with the mark, its next claim sent the message the operator had withdrawn."""
    if "payload" in values or values.get("status") == "pending":
        now = session.scalar(select(Alert.payload).where(Alert.id == alert_id).with_for_update()) or {}
        if "payload" in values:
            values["payload"] = {**values["payload"], **{k: now[k] for k in IN_FLIGHT_MARKS if k in now}}
        if values.get("status") == "pending" and WITHDRAWN in now:
            values = {**values, "status": WITHDRAWN, "last_error": str(now[WITHDRAWN])}
    session.execute(
        update(Alert).where(Alert.id == alert_id, Alert.status == "sending")
        .values(**values).execution_options(synchronize_session=False)
    )


SENT_CHAT = "sent_chat_id"  # Alert.payload: the chat a sent alert's message is in
# Alert.status of a message an operator withdrew before it went out (/wrong), and the key of a
# story's message (Alert.payload) saying why: the story gets nothing more in that channel
WITHDRAWN = "withdrawn"
DELETED = "deleted_in_chat"  # Alert.payload: its message was deleted in the chat (an edit or reply found it gone)
NOTIFIED = "notified"  # Alert.payload: the admin chat was told of this fold or catch-up (alerts/feed_limits.py)
# the marks other processes write on a row while its message is on its way: kept by the record of
# the send (finish_alert), left out of the journal of sends' fingerprint (core/restore_marks.py)
IN_FLIGHT_MARKS = (WITHDRAWN, DELETED, NOTIFIED)


def message_deleted(alert: Alert) -> bool:
    return bool((alert.payload or {}).get(DELETED))


def mark_deleted(session: Session, alert_id: int) -> bool:
    """Note that alert `alert_id`'s message was deleted in its chat; False when it was noted already."""
    row = session.get(Alert, alert_id)
    if row is None or message_deleted(row):
        return False
    row.payload = {**(row.payload or {}), DELETED: True}
    return True


def message_in_chat(session: Session, alert_id: int, chat_id: str, *, unrecorded: str | None) -> int | None:
    """The id of the message in chat `chat_id` that stands for alert `alert_id`'s message:
    its own when it was sent there, else the newest sent edit of it that went out there as a
    message of its own (the chat was migrated since); None when that chat has neither, or when
    its message was deleted there.

    `unrecorded` is the chat assumed for a message sent before the chat was recorded (the
    channel's configured chat, where it was before any migration)."""
    row = session.get(Alert, alert_id)
    if row is None or row.telegram_message_id is None or message_deleted(row):
        return None
    if ((row.payload or {}).get(SENT_CHAT) or unrecorded or chat_id) == chat_id:
        return row.telegram_message_id
    return session.scalar(
        select(Alert.telegram_message_id).where(
            Alert.channel == row.channel, Alert.kind == "edit", Alert.status == "sent", Alert.id > alert_id,
            Alert.telegram_message_id.is_not(None),
            Alert.payload["target_alert_id"].as_integer() == alert_id,
            Alert.payload[SENT_CHAT].as_string() == chat_id,
        ).order_by(Alert.id.desc()).limit(1)
    )


def later_edit(session: Session, alert: Alert) -> int | None:
    """The id of a later edit of the same message as edit `alert`, still to send in its
    channel: it renders the message as it is now, so `alert` need not go out."""
    target = (alert.payload or {}).get("target_alert_id")
    if target is None:
        return None
    return session.scalar(
        select(Alert.id).where(
            Alert.channel == alert.channel, Alert.kind == "edit", Alert.status == "pending", Alert.id > alert.id,
            Alert.payload["target_alert_id"].as_integer() == int(target),
        ).order_by(Alert.id.desc()).limit(1)
    )


def disable_channel(session: Session, name: str, reason: str) -> None:
    session.execute(
        update(Channel).where(Channel.name == name)
        .values(disabled=True, disabled_reason=reason, disabled_reported=False)
    )


def move_channel(session: Session, name: str, chat_id: str) -> None:
    """Telegram migrated the channel's chat: send to `chat_id` from now on."""
    session.execute(update(Channel).where(Channel.name == name).values(chat_id=chat_id))


def pending_alerts(session: Session, *, leave_out: set[int], limit: int | None) -> list[Alert]:
    """Pending alerts, oldest first, except `leave_out` (a dry run's already printed)."""
    return list(session.scalars(
        select(Alert).where(Alert.status == "pending", Alert.id.not_in(leave_out or {0}))
        .order_by(Alert.id).limit(limit)
    ))


def recent_alerts(session: Session, limit: int = 20) -> list[Alert]:
    """The newest alerts of every channel, newest first (the status page)."""
    return list(session.scalars(select(Alert).order_by(Alert.id.desc()).limit(limit)))
