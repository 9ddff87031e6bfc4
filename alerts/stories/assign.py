"""Stories: items from several outlets about one event are one story.

`assign_story` asks the matcher (alerts/stories/match.py) which recent story the
item tells, with which signals, and stores the answer in the database: the item's
`story_id` and `story_match` (the signals and scores, so an operator can see why),
and the story's union of topics, entities and figures. From the admin chat,
`split_item` undoes a wrong merge and `merge_stories` joins two stories of one event.

The matcher's index lives in memory, one per database engine, and follows the
database: built from the stories of the last `story_window` on first use; then, at most
once a second, it picks up the stories other processes created, the items other replicas
joined to its stories and the splits and merges operators made elsewhere; changes made in
a transaction that rolls back are undone. Replicas on PostgreSQL place items in turn and
catch up with each other's placements before each of theirs (`_catch_up`).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from alerts.routing import URGENCY_RANK, channel_accepts
from alerts.stories.features import ItemFeatures, StoryEntry, features
from alerts.stories.match import Near, StoryIndex
from alerts.stories.text import fold
from core.count import Count, as_counts, verified
from core.text import counted, keeps_wording
from storage.feedback import last_story_fix
from storage.items import items_by_id
from storage.models import Item, Story, valid_id
from storage.stories import (
    Member,
    figures_told_after,
    insert_story,
    item_story_facts,
    items_joined_since,
    move_messages_of_item,
    move_story,
    other_items_of_story,
    queued_of_items,
    stories_after,
    stories_updated_in_order,
    stories_with_items_between,
    story_by_id,
    story_members,
    take_story_turn,
    topics_of_items,
    write_row,
)

if TYPE_CHECKING:
    from core.config import AppConfig

SYNC_SECONDS = 1.0  # how often to look for stories that other processes created
# how far back a sync looks for items other replicas joined to stories (beyond the second
# between syncs: a transaction committed late, clocks of other hosts a little apart)
JOIN_SLACK = timedelta(minutes=5)
# an item this much older than the index's horizon brings back the stories of its hours
RELOAD_SLACK = timedelta(hours=1)


class ClassificationLike(Protocol):
    topics: list[str]
    urgency: str
    matches: dict[str, list[str]]
    entities: list[dict[str, Any]]
    counts: list[Count]


@dataclass
class Assignment:
    story: Story
    created: bool
    new_counts: list[Count] = field(default_factory=list)  # confident figures the story lacked
    signals: dict[str, Any] = field(default_factory=dict)


# -- figures -------------------------------------------------------------------------


def count_keys(counts: list[dict[str, Any]] | list[Count]) -> set[tuple[str, int]]:
    """(event, number) of counts, typed or as stored in a story ({"event", "number", ...})."""
    return {(c.event, c.number) for c in as_counts(counts)}


def _verified(count: Count) -> bool:
    """A figure the alerts show as verified: the same number from a source that only
    announces or attributes it ("3 dead, according to the Pentagon" after "kills three") tells
    the channel nothing new."""
    return verified(count.event, count.source)


def new_figures(story_counts: list[dict[str, Any]], counts: list[Count] | list[dict[str, Any]]) -> list[Count]:
    """Confident figures the story lacks: a new number, or a number now verified that was
    only announced. A count that is not confident is stored with the item, never shown: it
    never makes a reply, and a story figure stored unconfident does not hide a confident one."""
    if not counts:
        return []  # most items state no figure
    # a figure stored unconfident was never shown: a confident count of it is news
    stored = [c for c in as_counts(story_counts) if c.confident]
    known = count_keys(stored)
    verified = count_keys([c for c in stored if _verified(c)])
    return [c for c in as_counts(counts) if c.confident and (
        (c.event, c.number) not in known or (_verified(c) and (c.event, c.number) not in verified))]


def _put_back(story_counts: list[dict[str, Any]], counts: list[Count] | list[dict[str, Any]],
              new: list[Count]) -> list[Count]:
    """An outlet's retitle putting back a figure the story told before ("16" back to "8": it
    corrected itself): the story's latest figure of that event and source is another, so the
    channel's last word would stay the wrong one."""
    latest = {(x.event, fold(x.source or "").strip()): x.number for x in as_counts(story_counts) if x.confident}
    fresh = {(x.event, x.number) for x in new}
    return [x for x in as_counts(counts) if x.confident and (x.event, x.number) not in fresh
            and latest.get((x.event, fold(x.source or "").strip()), x.number) != x.number]


def _not_superseded(session: Session, story_id: int, item: Item, counts: list[Count]) -> list[Count]:
    """The figures that are not older news: a slow feed's "suma 14", published before the
    story's "suma 15" from the same source, is stored with its item but makes no reply."""
    later = {(e, fold(s).strip()) for e, s in figures_told_after(session, story_id, item.published_at, item.id)}
    return [c for c in counts if (c.event, fold(c.source or "").strip()) not in later]


# -- kept for callers of the first matcher (bench/soak.py) ----------------------------

GENERIC_PLACES = {"venezuela", "caracas", "estados unidos", "united states", "eeuu", "usa"}


def entity_keys(entities: list[dict[str, Any]]) -> set[str]:
    """Names of people, organisations and specific places (not the country or the capital)."""
    keys = {fold(str(e.get("name", ""))) for e in entities or [] if e.get("name")}
    return keys - GENERIC_PLACES


# -- the index, one per engine --------------------------------------------------------

_INDEXES: weakref.WeakKeyDictionary[Engine, StoryIndex] = weakref.WeakKeyDictionary()


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def _outlet(item: Item | Member) -> str:
    return f"feed:{item.feed_id}"


def story_time(published: datetime | None, now: datetime) -> datetime:
    """When an item happened, for the matcher: its publication time, never later than `now`
    (the time it is classified). Items polled together (a service catching up after a stop,
    a feed's first poll, a slow outlet, days replayed long after) keep the hours between
    them, so "within 6 hours", the age of a story and the story window itself mean
    publication hours; the index forgets stories by the same clock (`assign_story`)."""
    if published is None:
        return now
    if published.tzinfo is None:  # an item built in code, not read back (the database's are aware)
        published = published.replace(tzinfo=UTC)
    return min(now, published)


# item id → (what its features were built from, the features): built before they are needed
Built = dict[int, tuple[tuple[Any, ...], ItemFeatures]]


def _item_features(item: Item | Member, topics: list[str], built: Built | None = None) -> ItemFeatures:
    """An item's features rebuilt from the database, as the live path made them: its own
    topics and the rule terms that made it relevant (its `Match` rows), else `topics`. Those
    in `built` are taken from it when built from the same values (else built and put in it)."""
    matched = [m for m in item.matches if m.topic]
    own = list(dict.fromkeys(m.topic for m in matched)) or topics
    when = story_time(item.published_at, item.classified_at or item.published_at)
    # the part a figure counts ("180 militares" of the 687 held) is its own figure, as live
    counts = [(c.event, c.number, c.part) for c in item.counts]
    words = [str(t) for m in matched for t in m.terms or []]
    inputs = (item.title, item.language, item.feed_id, when, own, item.entities or [], counts, words,
              item.classified_at)
    kept = built.get(item.id) if built is not None else None
    if kept is not None and kept[0] == inputs:
        return kept[1]
    made = features(
        item_id=item.id, title=item.title, lang=item.language, outlet=_outlet(item), when=when, topics=own,
        entities=item.entities or [], counts=[Count(e, n, part=p) for e, n, p in counts], topic_words=words,
        placed=item.classified_at,
    )
    if built is not None:
        built[item.id] = (inputs, made)
    return made


def _load(session: Session, index: StoryIndex, stories: list[Story], built: Built | None = None) -> None:
    if not stories:
        return
    items = story_members(session, [s.id for s in stories])
    by_story: dict[int, list[Member]] = {}
    for it in items:
        by_story.setdefault(it.story_id or 0, []).append(it)
    for s in stories:
        members = [_item_features(it, list(s.topics or []), built) for it in by_story.get(s.id, [])]
        last = max([m.when for m in members], default=s.updated_at)
        index.add_story(StoryEntry(s.id, s.title, s.created_at, last, set(s.topics or []), members))


def _sync_joins(session: Session, index: StoryIndex, *, since: datetime) -> None:
    """Add the items other processes (replicas) placed in the stories the index holds, in
    stories changed since `since`: the event's next report is matched against every telling
    of it, whichever replica placed it."""
    missing = [
        item_id for item_id, story_id in items_joined_since(session, since)
        if story_id in index.stories and item_id not in index.stories[story_id].items
    ]
    if not missing:
        return
    for item in sorted(items_by_id(session, missing, with_counts=True, with_matches=True),
                       key=lambda it: (story_time(it.published_at, it.classified_at or it.published_at), it.id)):
        entry = index.stories.get(item.story_id or 0)
        if entry is not None:
            index.add_member(entry.id, _item_features(item, list(entry.topics)))


def story_index(session: Session, *, window: timedelta, now: datetime, at: datetime | None = None,
                bring_back: bool = True, built: Built | None = None) -> StoryIndex:
    """The engine's index, brought up to date with the database at `now`; the stories with no
    item in the window before `at` (the matcher's time of the item being placed, else `now`)
    are forgotten. An `at` older than the stories the index holds brings back those since the
    window before it, unless `bring_back` is False. `built`: features built beforehand."""
    engine = _engine(session)
    index = _INDEXES.get(engine)
    due = index is not None and time.monotonic() - index.synced_at >= SYNC_SECONDS
    if due and last_story_fix(session) > index.fixes_seen:  # type: ignore[union-attr]
        # an operator split or merged stories from another process (`monitor stories --merge`,
        # another replica's admin chat): what this index holds of them is stale
        del _INDEXES[engine]
        index = None
    if index is None:
        index = _INDEXES[engine] = StoryIndex()
        index.fixes_seen = last_story_fix(session)
        _load(session, index, stories_updated_in_order(session, now - window), built)
    elif due:
        _load(session, index, stories_after(session, index.max_story_id), built)
        if session.get_bind().dialect.name != "sqlite":  # replicas share PostgreSQL, never SQLite
            _sync_joins(session, index, since=now - JOIN_SLACK)
    index.synced_at = time.monotonic()
    cutoff = (at or now) - window
    if bring_back and index.horizon is not None and cutoff < index.horizon - RELOAD_SLACK:
        # an item older than the stories the index still holds (a backlog a poll could not store
        # at once, a feed back from days of failures): bring back the stories of its own hours
        # that later items made the index forget, those whose last item is before the horizon
        _load(session, index, stories_with_items_between(session, cutoff, index.horizon, index.stories.keys()), built)
        index.horizon = cutoff  # it holds every story since then again: the next older items need no reload
    index.expire(cutoff)
    return index


def forget_index(session: Session) -> None:
    """Drop the engine's index, as a restart does: the next item placed rebuilds it from the
    database (the replays check that a restart changes no story: bench/story_windows.py
    --restarts)."""
    _INDEXES.pop(_engine(session), None)


def _catch_up(session: Session, index: StoryIndex, turn: int, *, now: datetime) -> None:
    """Replicas on PostgreSQL place items in turn (`take_story_turn`): when another one had a
    turn since this index's last, what it placed is read now, before the item is matched, so
    that two tellings of one event placed a moment apart by two replicas are one story (the
    once-a-second sync alone would leave the second replica blind to the first's story)."""
    if turn != index.turn + 1:
        _load(session, index, stories_after(session, index.max_story_id))
        _sync_joins(session, index, since=now - JOIN_SLACK)
        index.synced_at = time.monotonic()
    index.turn = turn


def _on_rollback(session: Session, undo: Callable[[], None]) -> None:
    """Undo an index change if the session's transaction rolls back; forget it on commit."""
    log: list[Callable[[], None]] | None = session.info.get("story_index_undo")
    if log is None:
        log = session.info["story_index_undo"] = []

        def committed(_s: Session) -> None:
            log.clear()

        def rolled_back(_s: Session) -> None:
            while log:
                log.pop()()

        event.listen(session, "after_commit", committed)
        event.listen(session, "after_rollback", rolled_back)
    log.append(undo)


# -- assignment -----------------------------------------------------------------------


def assign_story(
    session: Session, item: Item, c: ClassificationLike, *, window: timedelta, now: datetime,
    told: bool = True,
) -> Assignment:
    """Put `item` in a story (an existing one or a new one) and return which and what it added.

    `told=False` for an item no channel will hear of (backfill): it joins or starts its story,
    so later items of the event find it, but adds no figure to a story that exists: a story's
    figures are what its alerts told, and a later report of that figure is still a reply.
    """
    when = story_time(item.published_at, now)
    turn = take_story_turn(session)
    # stories are forgotten by the item's own time: a backlog of days older than the window,
    # classified in publication order, keeps its earlier stories until its own hours leave them
    index = story_index(session, window=window, now=now, at=when)
    if turn is not None:
        _catch_up(session, index, turn, now=now)
    feats = features(
        item_id=item.id, title=item.title, lang=item.language, outlet=_outlet(item), when=when,
        topics=c.topics, entities=c.entities, counts=c.counts,
        topic_words=[t for topic in c.topics for t in (c.matches or {}).get(topic, [])],
        placed=item.classified_at or now,
    )
    revised = _revised_story(session, index, item)
    if revised is not None:  # the outlet retitled its own item: it joins that item's story
        signals = {"decision": "revision", "revision_of": item.revision_of, "at": now.isoformat()}
        return _join(session, index, revised, item, c, feats, when=when, now=now, told=told, signals=signals)
    while True:
        decision = index.decide(feats, now=when, window=window)
        story = story_by_id(session, decision.story_id) if decision.story_id is not None else None
        if decision.story_id is None or story is not None:
            break
        index.remove_story(decision.story_id)  # gone from the database (retention, rollback)
    signals = {**decision.signals, "at": now.isoformat()}
    if story is not None and decision.signals.get("merges"):
        story = _merge(session, index, story, [m["story"] for m in decision.signals["merges"]], now, item.id)
        signals["story"] = story.id
    if story is None:
        story = insert_story(session, Story(
            title=item.title, topics=list(c.topics), urgency=c.urgency, language=item.language,
            entities=[dict(e) for e in c.entities], counts=[x.as_dict() for x in as_counts(c.counts)],
            first_item_id=item.id, created_at=now, updated_at=now, told_at=now if told else None,
        ))
        write_row(session, item, story_id=story.id, story_match=signals)
        index.add_story(StoryEntry(story.id, story.title, when, when, set(c.topics), [feats]))
        _on_rollback(session, lambda sid=story.id: index.remove_story(sid))
        return Assignment(story, True, signals=signals)
    return _join(session, index, story, item, c, feats, when=when, now=now, told=told, signals=signals)


def _revised_story(session: Session, index: StoryIndex, item: Item) -> Story | None:
    """The story of the item `item` revises (monitor/ingest/dedup.py `revisions`), while the
    index holds it (within the story window) and the retitle keeps the first version's wording;
    None otherwise: the matcher places it (a live page retitled for another event, another
    article under a GUID its generator reused)."""
    if item.revision_of is None:
        return None
    first = session.get(Item, item.revision_of)
    if first is None or first.story_id is None or first.story_id not in index.stories:
        return None
    if not keeps_wording(item.title or "", first.title or ""):
        return None
    return story_by_id(session, first.story_id)


def _join(
    session: Session, index: StoryIndex, story: Story, item: Item, c: ClassificationLike, feats: ItemFeatures, *,
    when: datetime, now: datetime, told: bool, signals: dict[str, Any],
) -> Assignment:
    """Put `item` in `story`, which exists: the story gains its topics, entities and the
    figures it lacked (when told)."""
    new_counts = new_figures(story.counts, c.counts) if told else []
    if told and signals.get("decision") == "revision":
        new_counts = [*new_counts, *_put_back(story.counts, c.counts, new_counts)]
    entry = index.stories.get(story.id)
    if new_counts and entry is not None and when < entry.last:  # an item older than the story's latest
        new_counts = _not_superseded(session, story.id, item, new_counts)
    changes = _grown(story, topics=c.topics, urgency=c.urgency, entities=c.entities, now=now)
    if told and story.told_at is None:
        changes["told_at"] = now  # a story backfill started, told now for the first time
    if new_counts:
        changes["counts"] = [*(story.counts or []), *(x.as_dict() for x in new_counts)]
    write_row(session, story, **changes)
    write_row(session, item, story_id=story.id, story_match=signals)
    index.add_member(story.id, feats)
    _on_rollback(session, lambda sid=story.id, iid=item.id: index.remove_member(sid, iid))
    return Assignment(story, False, new_counts, signals=signals)


def _merge(session: Session, index: StoryIndex, story: Story, others: list[int], now: datetime,
           item_id: int) -> Story:
    """Merge the stories item `item_id` joins at once (`merges` of its decision: one event told
    twice) into the oldest of them, which keeps its title, first item and alerts; return it.
    The moved items keep the record of the story they left, as an operator's merge does."""
    stories = [story, *(s for s in (story_by_id(session, sid) for sid in others) if s is not None)]
    keep = min(stories, key=lambda s: s.id)
    for gone in stories:
        if gone is keep:
            continue
        _record_merge(other_items_of_story(session, gone.id, -1), gone.id, now, operator=None, by_item=item_id)
        _unite(session, keep, gone, now)
        move_story(session, gone, keep)
        index.merge_story(keep.id, gone.id)
    engine = _engine(session)
    _on_rollback(session, lambda: _INDEXES.pop(engine, None))  # rebuilt from the database
    return keep


def _grown(story: Story, *, topics: list[str], urgency: str, entities: list[dict[str, Any]],
           now: datetime) -> dict[str, Any]:
    """The story's row changes when an item (or a merged story) adds its topics, urgency and
    entities: the union of topics and entities, the higher urgency."""
    changes: dict[str, Any] = {"updated_at": now}
    united = list(dict.fromkeys([*(story.topics or []), *topics]))
    if united != list(story.topics or []):
        changes["topics"] = united
    if URGENCY_RANK.get(urgency, 1) > URGENCY_RANK.get(story.urgency, 1):
        changes["urgency"] = urgency
    seen = entity_keys(story.entities) | {fold(str(e.get("name", ""))) for e in story.entities or []}
    added = [dict(e) for e in entities if fold(str(e.get("name", ""))) not in seen]
    if added:
        changes["entities"] = [*(story.entities or []), *added]
    return changes


def _record_merge(items: list[Item], gone: int, now: datetime, *, operator: str | None,
                  by_item: int | None = None) -> None:
    """Each item of story `gone`, merged into another, keeps the story it leaves and the record
    before (`was`): its stories over time, by which the digests tell whether a roundup listed it
    (alerts/digest.py). The matcher's merges (`by_item`: the item that told both events) kept
    none: an item of theirs split off later was listed again as if no roundup had told it."""
    for m in items:
        record: dict[str, Any] = {"decision": "merged", "from_story": gone, "operator": operator,
                                  "at": now.isoformat(), "was": m.story_match}
        if by_item is not None:
            record["by_item"] = by_item
        m.story_match = record


def _unite(session: Session, keep: Story, gone: Story, now: datetime) -> None:
    """Give `keep` what `gone` knew: its topics, entities and figures, the higher urgency and
    the earlier time it was told."""
    changes = _grown(keep, topics=list(gone.topics or []), urgency=gone.urgency,
                     entities=list(gone.entities or []), now=now)
    figures = new_figures(keep.counts, gone.counts or [])
    if figures:
        changes["counts"] = [*(keep.counts or []), *(x.as_dict() for x in figures)]
    told = [t for t in (keep.told_at, gone.told_at) if t is not None]
    if told and min(told) != keep.told_at:
        changes["told_at"] = min(told)
    write_row(session, keep, **changes)


class StoryFixError(ValueError):
    """An operator's /split or /merge that cannot be done; the message says why."""


class NoSuchNumber(StoryFixError):
    """The story or item number given names none (the CLI's usage error, exit 2)."""


def no_story(session: Session, story_id: int) -> str:
    """Why there is no story `story_id`: retention deletes none, a merge does. A merge given
    twice, or a merged story's number, was answered "retention may have deleted it"."""
    from storage.feedback import merge_of_story

    fix = merge_of_story(session, story_id) if valid_id(story_id) else None
    if fix is None:
        return f"No story {story_id}."
    when = fix.created_at.replace(tzinfo=fix.created_at.tzinfo or UTC).astimezone(UTC)
    said = f"No story {story_id}: it was merged into story {fix.story_id} by {fix.operator or '?'} on {when:%Y-%m-%d %H:%M} UTC"
    item = session.get(Item, fix.item_id) if fix.item_id is not None else None
    if item is not None and item.story_id not in (None, fix.story_id):
        said += f"; its first item {item.id} is in story {item.story_id} now"
    return said + "."


def split_item(session: Session, item_id: int, *, operator: str | None, now: datetime | None = None,
               tz: ZoneInfo | None = None, config: AppConfig | None = None) -> str:
    """Move an item out of its story into a story of its own; record the split as feedback.

    Returns a one-line answer for the operator; raises StoryFixError when there is nothing
    to split. Alerts already sent are left as they are; a message that tells the item (the
    story's first, or the first a channel took) becomes the new story's. The item's other
    versions in the story (its outlet retitled it: items.revision_of) are the same article
    and move with it.
    """

    from storage.feedback import add_feedback

    now = now or datetime.now(UTC)
    item = session.get(Item, item_id) if valid_id(item_id) else None
    if item is None:
        raise NoSuchNumber(f"No item {item_id}.")
    if item.story_id is None:
        raise StoryFixError(f"Item {item_id} is in no story.")
    old = session.get(Story, item.story_id)
    article = item.revision_of or item.id
    members = other_items_of_story(session, item.story_id, item.id)
    versions = [m for m in members if (m.revision_of or m.id) == article]
    others = [m for m in members if m not in versions]
    also = f" (and its other version{'s' if len(versions) > 1 else ''} {', '.join(str(v.id) for v in versions)}, " \
        "its outlet's headline retitled)" if versions else ""
    if old is None or not others:
        raise StoryFixError(f"Item {item_id}{also} is already alone in story {item.story_id}.")
    topics, counts, urgency = item_story_facts(session, item.id)
    for v in versions:  # the figures its other versions told are the new story's too
        counts += [c for c in item_story_facts(session, v.id)[1] if c not in counts]
    topics = topics or list(old.topics or [])
    urgency = urgency or old.urgency
    new = Story(
        title=item.title, topics=topics, urgency=urgency, language=item.language,
        entities=list(item.entities or []), counts=counts, first_item_id=item.id,
        created_at=now, updated_at=now, told_at=None if item.backfill else now,
    )
    session.add(new)
    session.flush()
    moved = sorted([item, *versions], key=lambda m: m.id)
    for m in moved:
        m.story_id = new.id
        move_messages_of_item(session, m.id, old.id, new.id)
        m.story_match = {"decision": "split", "from_story": old.id, "operator": operator, "at": now.isoformat(),
                         "was": m.story_match}
    if old.first_item_id in {m.id for m in moved}:
        old.first_item_id, old.title = others[0].id, others[0].title
    kept = _topics_left(session, old, others)
    if kept != list(old.topics or []):
        old.topics = kept
    _requeue_split(session, old.id, new.id, {m.id: m for m in moved}, tz, config)
    fix = add_feedback(
        session, kind="split", item_id=item.id, url=item.canonical_url or item.url, title=item.title,
        summary=item.summary or "", topic=None, operator=operator, story_id=old.id,
        note=f"moved to story {new.id}", now=now,
    )
    session.flush()
    index = _INDEXES.get(_engine(session))
    if index is not None:
        _own_fix(session, index, fix.id)
        for m in moved:
            index.remove_member(old.id, m.id)
        if (entry := index.stories.get(old.id)) is not None:
            entry.topics = set(kept)
        feats = [_item_features(m, topics) for m in moved]
        index.add_story(StoryEntry(new.id, new.title, min(f.when for f in feats), max(f.when for f in feats),
                                   set(topics), feats))
    return f"Item {item.id}{also} moved out of story {old.id} into a new story {new.id}."


def _topics_left(session: Session, story: Story, items: list[Item]) -> list[str]:
    """The story's topics that an item left in it still matched. An item split out took its
    topics along: a story joined by a us_actions report by mistake (or merged with a story of
    that topic, the merge then undone) kept us_actions, and the roundups of a us_actions digest
    channel listed it. Unchanged when the items left have no stored matches."""
    matched = topics_of_items(session, [it.id for it in items])
    kept = [t for t in story.topics or [] if t in matched]
    return kept or list(story.topics or [])


def _requeue_split(
    session: Session, old: int, new: int, moved: dict[int, Item], tz: ZoneInfo | None, config: AppConfig | None,
) -> None:
    """The moved items' alerts still queued in story `old`: a figure's update would reply to
    `old`'s message and an edit would name the item's outlet there, telling another event's
    report as `old`'s. An update becomes the new story's own message in its channel (the item
    told whole, with its figures and the summary an update leaves out), unless that channel
    has one: then it stays the reply it was when that message is the one it replies to (it
    moved with its item: a revision's new figure), else it is never sent; nor is an edit, nor
    an update to a channel that would not take the item as a story of its own (another topic,
    language or urgency: it reached the channel only as part of the story it left)."""
    from alerts.render import AlertView, render_alert
    from alerts.summary import summarize
    from storage.alerts import WITHDRAWN, alert_by_key, update_key

    why = f"split: its item moved to story {new}"
    for alert in queued_of_items(session, old, moved):
        key = f"new:{alert.channel}:{new}"
        holder = alert_by_key(session, key)
        if alert.kind == "update" and holder is not None and holder.id == alert.reply_to_alert_id:
            alert.story_id, alert.dedupe_key = new, update_key(alert.channel, new, alert.payload["item_id"])
            continue
        item = moved[(alert.payload or {})["item_id"]]
        if alert.kind == "edit" or holder is not None:
            alert.status, alert.last_error = WITHDRAWN, why
            continue
        if not _takes(config, alert.channel, item):
            alert.status, alert.last_error = WITHDRAWN, f"{why}, which {alert.channel} does not take"
            continue
        view = AlertView.from_json(dict((alert.payload or {}).get("view") or {}))
        view.summary = view.summary or summarize(
            text=item.text, summary=item.summary, title=item.title,
            terms=[t for m in item.matches for t in m.terms or []], numbers=[c["number"] for c in view.counts or []])
        r = render_alert(view, tz or ZoneInfo("UTC"))
        alert.story_id, alert.kind, alert.dedupe_key, alert.reply_to_alert_id = new, "new", key, None
        alert.payload = {**(alert.payload or {}), "html": r.html, "text": r.text, "view": view.to_json()}
        session.flush()


def _takes(config: AppConfig | None, channel: str, item: Item) -> bool:
    """Whether `channel` takes `item` as a story of its own (without a config: as before)."""
    conf = config.channel(channel) if config is not None else None
    if conf is None:
        return True
    urgency = max((m.urgency for m in item.matches), key=lambda u: URGENCY_RANK.get(u, 1), default="normal")
    return channel_accepts(conf, [m.topic for m in item.matches], urgency, item.language)


def _own_fix(session: Session, index: StoryIndex, fix_id: int) -> None:
    """A split or merge this process makes is changed in its own index as it is made: the
    index need not be rebuilt for it, unless another process's fix came before it unseen."""
    if last_story_fix(session, before=fix_id) == index.fixes_seen:
        index.fixes_seen = fix_id
        engine = _engine(session)
        _on_rollback(session, lambda: _INDEXES.pop(engine, None))  # the fix's id may be reused


def merge_stories(session: Session, one: int, other: int, *, operator: str | None,
                  now: datetime | None = None) -> str:
    """Merge two stories an operator says tell one event; record the merge as feedback.

    The older story (the lower id) keeps its title, first item and alerts, as when an item
    merges two stories itself (`_merge`); the other's items move into it. Alerts already
    sent are left as they are; the event's next report edits or replies to the kept story's
    message. The feedback names the moved story's first item and the kept story: the item
    the rules should have joined to it (`monitor eval-stories --splits` replays it).
    Returns a one-line answer for the operator; raises StoryFixError when there is nothing
    to merge.
    """
    from storage.feedback import add_feedback

    now = now or datetime.now(UTC)
    if one == other:
        raise StoryFixError(f"Both are story {one}: there is nothing to merge.")
    stories = {sid: story_by_id(session, sid) if valid_id(sid) else None for sid in (one, other)}
    missing = [sid for sid, story in stories.items() if story is None]
    if missing:
        raise NoSuchNumber(" ".join(no_story(session, sid) for sid in missing))
    keep, gone = (stories[min(one, other)], stories[max(one, other)])
    assert keep is not None and gone is not None
    first = session.get(Item, gone.first_item_id) if gone.first_item_id is not None else None
    moved = [first] if first is not None and first.story_id == gone.id else []
    moved += other_items_of_story(session, gone.id, first.id if moved else -1)
    if not moved:
        raise StoryFixError(f"Story {gone.id} has no items left to merge.")
    item = moved[0]
    fix = add_feedback(
        session, kind="merge", item_id=item.id, url=item.canonical_url or item.url, title=item.title,
        summary=item.summary or "", topic=None, operator=operator, story_id=keep.id,
        note=f"story {gone.id} merged into story {keep.id}", now=now,
    )
    _record_merge(moved, gone.id, now, operator=operator)
    _unite(session, keep, gone, now)
    move_story(session, gone, keep)
    session.flush()
    engine = _engine(session)
    index = _INDEXES.get(engine)
    if index is not None:
        _own_fix(session, index, fix.id)
        if keep.id in index.stories:
            index.merge_story(keep.id, gone.id)
        else:  # the kept story left the window: the index only forgets the other
            index.remove_story(gone.id)
        _on_rollback(session, lambda: _INDEXES.pop(engine, None))  # rebuilt from the database
    return f"Story {gone.id} ({counted(len(moved), 'item')}) merged into story {keep.id}."


def _story_span(session: Session, story_id: int) -> tuple[datetime | None, datetime | None]:
    """When the story's first and last items were published (None, None: no item left)."""
    first, last = session.execute(
        select(func.min(Item.published_at), func.max(Item.published_at)).where(Item.story_id == story_id)
    ).one()
    return first, last


def nearest_features(session: Session, story_id: int, *, window: timedelta, now: datetime) -> Built:
    """The features `nearest_stories` builds for `story_id`, built beforehand: the admin chat
    builds them before it takes the lock the pipeline places items with (they were 80 % of a
    `/merge` alone under it), then only those of items changed meanwhile are built under it.
    Those of the stories of the story's hours, and of the last window's when this process has
    no story index yet (its first `/merge` alone after a start builds one)."""
    first, last = _story_span(session, story_id)
    if first is None or last is None:
        return {}
    stories = stories_with_items_between(session, story_time(first, now) - window, story_time(last, now) + window, ())
    if _INDEXES.get(_engine(session)) is None:
        held = {s.id for s in stories}
        stories += [s for s in stories_updated_in_order(session, now - window) if s.id not in held]
    topics = {s.id: list(s.topics or []) for s in stories}
    built: Built = {}
    for it in story_members(session, sorted(topics)):
        _item_features(it, topics[it.story_id or 0], built)
    return built


def nearest_stories(
    session: Session, story_id: int, *, window: timedelta, now: datetime, n: int = 3, built: Built | None = None,
) -> list[tuple[Story, Near]]:
    """The `n` stories the matcher finds closest to `story_id` (`StoryIndex.nearest`), with
    their rows: what an operator may mean to merge it with. The stories of the story's own
    hours are brought back into the index if it had forgotten them. Empty for a story with
    no item (or none at all: the caller, which shows the story, says so). `built`: features
    built beforehand (`nearest_features`)."""
    first, last = _story_span(session, story_id)
    if first is None or last is None:  # no item of it left in the database
        return []
    at = story_time(last, now)
    # what the index brings back for a story at most two windows old is within its hours, loaded
    # below; for an older one it was every story since: 19,259 stories, 14.7 s under the lock the
    # pipeline waits for, for a story of 30 days before on a year's database
    index = story_index(session, window=window, now=now, at=at, bring_back=at >= now - 2 * window, built=built)
    # a fresh index (`monitor stories --near`, the first /merge after a start) holds only the
    # stories of the last window before `now`, and its horizon does not say so: a story of
    # three days before had no neighbour at all ("nothing to merge it with")
    since, until = story_time(first, now) - window, story_time(last, now) + window
    _load(session, index, stories_with_items_between(session, since, until, index.stories.keys()), built)
    rows = [(story_by_id(session, near.story_id), near) for near in index.nearest(story_id, window=window, n=n)]
    return [(other, near) for other, near in rows if other is not None]
