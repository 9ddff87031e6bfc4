"""Stories: the story index's loads, the writes of a story decision, a split, a merge, the
story report (`monitor stories`) and digests."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, inspect, select, text, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from storage.driver import prepared
from storage.items import CHUNK
from storage.models import Alert, Count, Feed, Item, Match, Story

STORY_LOCK = 0x73746F72  # PostgreSQL advisory lock key: replicas place items in stories in turn


def take_story_turn(session: Session) -> int | None:
    """PostgreSQL: wait for this transaction's turn to place an item in a story (an advisory
    lock held until it commits or rolls back), then draw the next number of the story clock.
    A replica whose number follows its last one knows no other placed an item in between.
    None on SQLite (one process)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return None
    # one statement on the driver's cursor, once per item
    return int(prepared("story turn", connection.dialect, lambda: _TURN).run(connection, {}))


# the lock first (a materialized CTE is computed before the rows it gives are read), then the number
_TURN = text(f"WITH turn AS MATERIALIZED (SELECT pg_advisory_xact_lock({STORY_LOCK})) "
             "SELECT nextval('story_clock') FROM turn")


def story_ids_updated_since(session: Session, since: datetime) -> list[int]:
    """The ids of the stories with an item since `since`, oldest story first: a listing reads
    their rows a page at a time (`stories_by_ids`)."""
    return list(session.scalars(
        select(Story.id).where(Story.updated_at >= since).order_by(Story.created_at, Story.id)
    ))


def stories_by_ids(session: Session, ids: Collection[int]) -> list[Story]:
    """These stories, oldest first."""
    return list(session.scalars(select(Story).where(Story.id.in_(ids)).order_by(Story.created_at, Story.id)))


def stories_told_between(session: Session, since: datetime, until: datetime) -> list[Story]:
    """Stories first told in (since, until], in that order (a digest's period): a story of
    backfill alone was never told; one a backfilled item started is told when its first
    live item joins it (`Story.told_at`)."""
    return list(session.scalars(
        select(Story).where(Story.told_at > since, Story.told_at <= until).order_by(Story.told_at, Story.id)
    ))


def stories_grown_between(session: Session, since: datetime, until: datetime) -> list[Story]:
    """Stories told at or before `until` that an item joined after `since` (`Story.updated_at`)."""
    return list(session.scalars(select(Story).where(
        Story.updated_at > since, Story.told_at.is_not(None), Story.told_at <= until).order_by(Story.id)))


def item_counts(session: Session, item_ids: Collection[int]) -> dict[int, list[Count]]:
    """Item id → its stored figures (`counts` rows), in the order they were stored."""
    out: dict[int, list[Count]] = {}
    for row in session.scalars(select(Count).where(Count.item_id.in_(list(item_ids))).order_by(Count.id)):
        out.setdefault(row.item_id, []).append(row)
    return out


def story_items_with_feed(session: Session, story_id: int) -> list[tuple[Item, str]]:
    """(item, feed name) of the story's items, first reported first."""
    rows = session.execute(
        select(Item, Feed.name).join(Feed, Feed.id == Item.feed_id)
        .where(Item.story_id == story_id).order_by(Item.id)
    ).all()
    return [(item, name) for item, name in rows]


def stories_after(session: Session, story_id: int) -> list[Story]:
    """Stories created after story `story_id` (another process's), oldest first."""
    return list(session.scalars(select(Story).where(Story.id > story_id).order_by(Story.id)))


def stories_updated_in_order(session: Session, since: datetime) -> list[Story]:
    """Stories with an item since `since`, by id (the story index's first load)."""
    return list(session.scalars(select(Story).where(Story.updated_at >= since).order_by(Story.id)))


def items_joined_since(session: Session, since: datetime) -> list[tuple[int, int]]:
    """(item id, story id) of the items of the stories that changed since `since`: how a
    story index learns of the items other processes (replicas) placed in its stories."""
    rows = session.execute(
        select(Item.id, Item.story_id).join(Story, Story.id == Item.story_id).where(Story.updated_at >= since)
    )
    return [(item_id, story_id) for item_id, story_id in rows]


def stories_with_items_between(
    session: Session, start: datetime, end: datetime, known: Collection[int],
) -> list[Story]:
    """The stories with an item published from `start` to before `end`, but those in `known`,
    by id: what the story index brings back for an item older than the stories it holds."""
    ids = session.scalars(select(Item.story_id).where(
        Item.story_id.is_not(None), Item.published_at >= start, Item.published_at < end,
    ).distinct())
    wanted = sorted(set(ids) - set(known))  # the rows of those it holds are not read
    return [s for start_at in range(0, len(wanted), CHUNK)
            for s in session.scalars(select(Story).where(Story.id.in_(wanted[start_at:start_at + CHUNK]))
                                     .order_by(Story.id))]


@dataclass
class Member:
    """What the story index reads of one item of a story (alerts/stories/assign.py): a few of
    its columns, its matches' topics and terms, its counts' events, numbers and parts."""

    id: int
    story_id: int | None
    feed_id: int
    title: str
    language: str | None
    published_at: datetime | None
    classified_at: datetime | None
    entities: list[dict[str, Any]] | None
    matches: list[Row[Any]] = field(default_factory=list)  # .topic, .terms
    counts: list[Row[Any]] = field(default_factory=list)  # .event, .number, .part


def story_members(session: Session, story_ids: Sequence[int]) -> list[Member]:
    """The items of these stories, in the order they were stored, as rows: an index of two
    days' stories reads 10,000 items (loaded as ORM objects with their matches and counts, a
    third of the time `/merge` alone took on a year's database)."""
    members: dict[int, Member] = {}
    for start in range(0, len(story_ids), CHUNK):
        for row in session.execute(
            select(Item.id, Item.story_id, Item.feed_id, Item.title, Item.language, Item.published_at,
                   Item.classified_at, Item.entities)
            .where(Item.story_id.in_(story_ids[start:start + CHUNK])).order_by(Item.id)
        ):
            members[row.id] = Member(*row)
    ids = list(members)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for row in session.execute(select(Match.item_id, Match.topic, Match.terms).where(Match.item_id.in_(chunk))):
            members[row.item_id].matches.append(row)
        for row in session.execute(
            select(Count.item_id, Count.event, Count.number, Count.part).where(Count.item_id.in_(chunk))
        ):
            members[row.item_id].counts.append(row)
    return sorted(members.values(), key=lambda m: m.id)


def item_story_facts(session: Session, item_id: int) -> tuple[list[str], list[dict[str, Any]], str | None]:
    """(topics, counts, urgency) stored for an item: what a story of its own starts from."""
    topics = list(session.scalars(select(Match.topic).where(Match.item_id == item_id)))
    counts = [
        {"event": c.event, "number": c.number, "source": c.source}
        for c in session.scalars(select(Count).where(Count.item_id == item_id))
    ]
    urgency = session.scalar(select(Match.urgency).where(Match.item_id == item_id))
    return topics, counts, urgency


def topics_of_items(session: Session, item_ids: Sequence[int]) -> set[str]:
    """The topics these items matched (their `matches` rows), a query per `CHUNK` items: a
    split read them item by item, three queries for each item left in the story."""
    return {
        topic for start in range(0, len(item_ids), CHUNK)
        for topic in session.scalars(select(Match.topic).where(Match.item_id.in_(item_ids[start:start + CHUNK])))
    }


def other_items_of_story(session: Session, story_id: int, item_id: int) -> list[Item]:
    return list(session.scalars(
        select(Item).where(Item.story_id == story_id, Item.id != item_id).order_by(Item.id)
    ))


# -- writes without the unit of work ---------------------------------------------------
# One story decision is two or three rows; the ORM's flush costs more than the
# statements themselves. The rows are written with plain INSERT/UPDATE statements in
# the session's transaction and the loaded objects are told the stored values, so they
# are not dirty and nothing is written twice (a rollback discards both alike).


def write_row(session: Session, obj: Story | Item, **values: Any) -> None:
    """UPDATE `obj`'s row with `values` now, and make them its committed state."""
    pending = {k: v for k, v in values.items() if k in inspect(obj).unmodified}
    if len(pending) != len(values):  # the object has unflushed changes: let the ORM write all
        for key, value in values.items():
            setattr(obj, key, value)
        session.flush([obj])
        return
    connection = session.connection()
    model, keys = type(obj), tuple(sorted(values))
    prepared((model, keys), connection.dialect, lambda: _update_statement(model, keys)).run(
        connection, {"_id": obj.id, **values})
    for key, value in values.items():
        set_committed_value(obj, key, value)


def _update_statement(model: type[Story] | type[Item], keys: tuple[str, ...]) -> Any:
    table = model.__table__
    return update(table).where(table.c.id == bindparam("_id")).values({k: bindparam(k) for k in keys})


_STORY_COLUMNS = tuple(c.key for c in Story.__table__.columns if c.key != "id")
_INSERT_STORY = insert(Story.__table__).values(
    {k: bindparam(k) for k in _STORY_COLUMNS}).returning(Story.__table__.c.id)


def insert_story(session: Session, story: Story) -> Story:
    """INSERT the story and return it as a persistent object of the session (no re-read)."""
    connection = session.connection()
    story.id = prepared("insert story", connection.dialect, lambda: _INSERT_STORY).run(
        connection, {k: getattr(story, k) for k in _STORY_COLUMNS})
    make_transient_to_detached(story)
    session.add(story)
    return story


_SELECT_STORY = select(Story.__table__).where(Story.__table__.c.id == bindparam("id"))


def story_by_id(session: Session, story_id: int) -> Story | None:
    """The story as a persistent object of the session (None when its row is gone).

    `session.get` without the ORM's loading: one prepared SELECT whose row becomes the
    object's committed state (the join path reads a story per item). An object the
    session already holds is returned as it is; an expired one is left to `session.get`,
    which refreshes it or finds it gone."""
    held = session.identity_map.get(identity_key(Story, story_id))
    if held is not None:
        return held if not inspect(held).expired_attributes else session.get(Story, story_id)
    connection = session.connection()
    row = prepared("select story", connection.dialect, lambda: _SELECT_STORY).first(connection, {"id": story_id})
    if row is None:
        return None
    story = Story(**row)
    make_transient_to_detached(story)
    session.add(story)
    return story


def figures_told_after(session: Session, story_id: int, published: datetime, item_id: int) -> set[tuple[str, str]]:
    """(event, source) of the confident figures that the story's other items published after
    `published` told: a figure of the same event and source published earlier is older news
    (a later "otros tres" is not: it adds to the total, it does not replace it)."""
    rows = session.execute(
        select(Count.event, Count.source).join(Item, Count.item_id == Item.id).where(
            Item.story_id == story_id, Item.id != item_id, Item.published_at > published, Count.confident,
            Count.additional.is_(False), Count.part.is_(None),
        )
    )
    return {(event, source or "") for event, source in rows}


def detach_alert(alert: Alert, why: str) -> None:
    """Take `alert` out of its story under a key of its own (`…:WHY:ID`), so that the story's
    keys (`new:CHANNEL:STORY`, its edits and replies) find the message that stands for it now."""
    alert.story_id = None
    alert.dedupe_key = f"{alert.dedupe_key}:{why}:{alert.id}"


def move_story(session: Session, gone: Story, keep: Story) -> None:
    """Move the items of story `gone` to story `keep`, then delete `gone` (a merge: the caller
    unites the two stories' facts in `keep`).

    In a channel where `keep` has a message, the messages `gone` made stay as they were sent,
    tied to no story and under a key of their own: `keep`'s edits and replies go to its own
    message; those of `gone`'s alerts still pending there are never sent (status `merged`). In a channel that heard
    only `gone` (`keep` was backfill, or not for that channel), `gone`'s messages become `keep`'s,
    so the event's next report edits or replies to the message the channel has, not a second one.
    So too where `keep`'s message was held by its feed's hourly limit (folded into "and N more",
    never sent on its own) while `gone`'s was sent: the held row leaves the story (it stays in its
    fold) and `gone`'s message is the story's, so a later figure is a reply to it rather than
    lost behind the held one; and where `keep`'s message failed for good (the next report would
    send it afresh, a second message of the event beside `gone`'s).
    The row of `gone` is locked first (PostgreSQL), so that another replica placing an item in it
    at that moment waits, then fails on the deleted story (its item stays pending and is placed
    again on its next round), rather than leave that item in no story."""
    session.execute(select(Story.id).where(Story.id == gone.id).with_for_update())
    session.execute(update(Item).where(Item.story_id == gone.id).values(story_id=keep.id))
    kept = {a.channel: a for a in session.scalars(select(Alert).where(Alert.story_id == keep.id, Alert.kind == "new"))}
    told = {a.channel: a for a in session.scalars(select(Alert).where(
        Alert.story_id == gone.id, Alert.kind == "new", Alert.status.in_(_TOLD)))}
    for channel, alert in kept.items():
        if alert.status in _NEVER_SENT and channel in told:
            # held in a fold, or refused for good: the channel's message of the event is `gone`'s
            detach_alert(alert, "held" if alert.status in _HELD else "failed")
        elif alert.status == "pending" and channel in told and told[channel].status in _OUT:
            _withhold(session, alert, told[channel], gone.id)
    session.flush()  # its key is free before `gone`'s message takes it
    heard = {channel for channel, alert in kept.items() if alert.story_id is not None}
    told_there = {channel for channel in heard if kept[channel].status in _TOLD}
    unsent: set[int] = set()
    for alert in session.scalars(select(Alert).where(Alert.story_id == gone.id).order_by(Alert.id)).all():
        if alert.channel in heard:
            # a key of its own: its key names `gone`'s number, which SQLite gave to the next
            # story before migration 0013, whose first alert must not find this one by key
            detach_alert(alert, "merged")
            if alert.channel in told_there and _unsent_telling(alert, unsent):
                alert.status = MERGED
                unsent.add(alert.id)
        else:
            alert.story_id = keep.id
            alert.dedupe_key = _rekeyed(alert, gone.id, keep.id)
    session.flush()
    session.execute(delete(Story).where(Story.id == gone.id))
    if gone in session:
        session.expunge(gone)


def _withhold(session: Session, alert: Alert, shown: Alert, gone: int) -> None:
    """`keep`'s message `alert` is still to send (a later item's, or one retelling a story whose
    first message failed, waiting on a back-off) where `gone`'s message `shown` is out: that one
    is the event's there. `alert` is not sent, nor the edits of it queued behind it; the replies
    queued to it reply to `shown` (their figures are news there too)."""
    for follow in session.scalars(select(Alert).where(
            Alert.channel == alert.channel, Alert.story_id == alert.story_id, Alert.status == "pending",
            Alert.kind.in_(("edit", "update")))).all():
        if follow.kind == "update" and follow.reply_to_alert_id == alert.id:
            follow.reply_to_alert_id = shown.id
        elif follow.kind == "edit" and (follow.payload or {}).get("target_alert_id") == alert.id:
            follow.status = MERGED
            follow.last_error = f"not sent: alert #{alert.id}, the message it edits, is not sent (a merge)"
    detach_alert(alert, "merged")
    alert.status = MERGED
    alert.last_error = f"not sent: story {gone}'s message, alert #{shown.id}, tells the event here (a merge)"


def move_messages_of_item(session: Session, item_id: int, old: int, new: int) -> None:
    """A split: the messages that tell item `item_id` (`new` alerts, the headline a channel
    read) go with the item to story `new`, under `new`'s keys, so that the item's next report
    edits them rather than sending its headline again. Those of story `old` first: its next
    report is then a message of its own rather than an edit of a headline it no longer holds;
    else a message of the item's story from before a merge into `old` (`…:merged:ID`)."""
    # two reads, each by the index of story_id (0028): as one OR, SQLite read every "new" alert
    rows = [*session.scalars(select(Alert).where(Alert.story_id == old, Alert.kind == "new").order_by(Alert.id)),
            *session.scalars(select(Alert).where(
                Alert.story_id.is_(None), Alert.kind == "new", Alert.dedupe_key.like("%:merged:%"),
                Alert.status != MERGED).order_by(Alert.id))]
    channels: set[str] = set()
    for alert in rows:
        if (alert.payload or {}).get("item_id") == item_id and alert.channel not in channels:
            channels.add(alert.channel)
            alert.story_id = new
            alert.dedupe_key = f"new:{alert.channel}:{new}"
    session.flush()


def queued_of_items(session: Session, story_id: int, item_ids: Collection[int]) -> list[Alert]:
    """The story's alerts still waiting (pending, or held by a feed's hourly limit) that
    items `item_ids` made: a split's moved items' edits and replies, oldest first."""
    rows = session.scalars(select(Alert).where(
        Alert.story_id == story_id, Alert.kind.in_(("edit", "update")), Alert.status.in_(("pending", *_HELD)),
    ).order_by(Alert.id))
    return [a for a in rows if (a.payload or {}).get("item_id") in item_ids]


MERGED = "merged"  # an alert of a merged-away story never sent: the kept story's message tells its event
_HELD = ("held", "folded")  # alerts/feed_limits.py: over the feed's hourly limit, never sent on their own
_TOLD = ("pending", "sending", "sent")  # a message the channel has, or is about to have
_OUT = ("sending", "sent")  # a message the channel has, or that is on its way
_NEVER_SENT = (*_HELD, "failed")  # no message of its own, nor one to come (failed: Telegram refused it)


def _unsent_telling(alert: Alert, unsent: set[int]) -> bool:
    """A pending alert of a merged-away story that would tell its event again where the kept
    story's message does: its own message, or an edit of or a reply to one never sent."""
    if alert.status != "pending":
        return False  # sent, or on its way (`sending`): it stays as it went
    target = (alert.payload or {}).get("target_alert_id")
    return alert.kind == "new" or alert.reply_to_alert_id in unsent or target in unsent


def _rekeyed(alert: Alert, gone: int, keep: int) -> str:
    """The outbox key `alert` would have had in story `keep` ("new:<channel>:<story>[:<item>]")."""
    head = f"{alert.kind}:{alert.channel}:{gone}"
    key = alert.dedupe_key
    rest = key[len(head):]
    if not key.startswith(head) or rest[:1] not in ("", ":"):
        return key  # not a story's key (a digest's, a fold's): it stays as it is
    return f"{alert.kind}:{alert.channel}:{keep}{rest}"


def final_stories(session: Session, guids: dict[int, str]) -> dict[str, int]:
    """guid → story id of the items `guids` names (item id → guid), as they stand now."""
    rows = session.execute(select(Item.id, Item.story_id).where(Item.id.in_(list(guids)), Item.story_id.is_not(None)))
    return {guids[item_id]: story_id for item_id, story_id in rows}
