"""Operator feedback: what the admin chat records (/miss, /wrong, /split, /merge), the labelled
items `monitor train` reads from it and the splits and merges `monitor eval-stories --splits`
replays.

A `miss` says an item should have matched `topic`; a `wrong` says it should not have.
`feedback_examples` turns them into labelled lines of the shape of tests/data/labelled_*.jsonl:
the item's stored topics, plus the missed topic or minus the wrong one. Several reports
about one item are applied oldest first, so the newest word wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from storage.models import Feedback, Item, Match, Story

KINDS = ("miss", "wrong", "split", "merge")
STORY_FIXES = ("split", "merge")  # operators' changes to stories (alerts/stories/assign.py)
LABEL_KINDS = ("miss", "wrong")


def add_feedback(
    session: Session, *, kind: str, item_id: int | None, url: str | None, title: str,
    summary: str, topic: str | None, operator: str | None, note: str | None = None,
    lang: str | None = None, alert_id: int | None = None, story_id: int | None = None,
    now: datetime | None = None,
) -> Feedback:
    """Store one report; returns the row (flushed, so it has its id)."""
    if kind not in KINDS:
        raise ValueError(f"unknown feedback kind {kind!r}; one of {', '.join(KINDS)}")
    if lang is None and item_id is not None:
        item = session.get(Item, item_id)
        lang = item.language if item is not None else None
    row = Feedback(
        kind=kind, item_id=item_id, url=url, title=title or "", summary=summary or "",
        lang=lang, topic=topic, operator=operator, note=note, alert_id=alert_id,
        story_id=story_id, created_at=now or datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return row


def merge_of_story(session: Session, story_id: int) -> Feedback | None:
    """The operator's merge that took story `story_id` into another (its row's note, as
    `merge_stories` writes it: "story N merged into story M"), the latest; None if none did."""
    return session.scalar(select(Feedback).where(
        Feedback.kind == "merge", Feedback.note.like(f"story {int(story_id)} merged into story %"),
    ).order_by(Feedback.id.desc()).limit(1))


def last_story_fix(session: Session, *, before: int | None = None) -> int:
    """The id of the latest split or merge an operator made (0 for none), optionally the
    latest before the row `before`: how a story index learns that another process (the
    command line, another replica) changed the stories it holds."""
    stmt = select(func.coalesce(func.max(Feedback.id), 0)).where(Feedback.kind.in_(STORY_FIXES))
    if before is not None:
        stmt = stmt.where(Feedback.id < before)
    return int(session.scalar(stmt) or 0)


def list_feedback(session: Session, kind: str | None = None) -> list[Feedback]:
    stmt = select(Feedback).order_by(Feedback.created_at, Feedback.id)
    if kind is not None:
        stmt = stmt.where(Feedback.kind == kind)
    return list(session.scalars(stmt))


def feedback_examples(session: Session) -> list[dict[str, Any]]:
    """Labelled items from /miss and /wrong, one per item (or per report without an item).

    Shape: {"id", "lang", "title", "summary", "topics", "counts": [], "label_source":
    "operator"}; `topics` are the corrected labels.
    """
    rows = list_feedback(session)
    rows = [r for r in rows if r.kind in LABEL_KINDS and r.topic]
    item_ids = {r.item_id for r in rows if r.item_id is not None}
    stored: dict[int, set[str]] = {i: set() for i in item_ids}
    if item_ids:
        for item_id, topic in session.execute(
            select(Match.item_id, Match.topic).where(Match.item_id.in_(item_ids))
        ):
            stored[item_id].add(topic)
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = f"item{r.item_id}" if r.item_id is not None else f"feedback{r.id}"
        example = out.get(key)
        if example is None:
            topics = set(stored.get(r.item_id, set())) if r.item_id is not None else set()
            example = out[key] = {
                "id": f"operator-{key}", "lang": r.lang or "es", "title": r.title,
                "summary": r.summary, "topics": topics, "counts": [], "label_source": "operator",
            }
        if r.kind == "miss":
            example["topics"].add(r.topic)
        else:
            example["topics"].discard(r.topic)
    for example in out.values():
        example["topics"] = sorted(example["topics"])
    return list(out.values())


def wrong_topics(session: Session, *item_ids: int | None) -> set[str]:
    """The topics operators said one of the items was wrong for (/wrong)."""
    ids = [i for i in item_ids if i is not None]
    return {t for t in session.scalars(select(Feedback.topic).where(
        Feedback.kind == "wrong", Feedback.item_id.in_(ids))) if t} if ids else set()


def feedback_exists(session: Session, kind: str, item_id: int, topic: str) -> bool:
    """Whether this report (kind, item, topic) was recorded already."""
    return session.scalar(select(Feedback.id).where(
        Feedback.kind == kind, Feedback.item_id == item_id, Feedback.topic == topic,
    ).limit(1)) is not None


@dataclass(frozen=True)
class StoryCase:
    """One /split or /merge as it can be replayed: the item the operator's word is about and
    the items of the story it concerns, as they were then.

    For a split, `item` was moved out of story `story_id`, whose other items `others` were
    classified by the time of the split. For a merge, `item` is the first item of the story
    merged into story `story_id`, and `others` the items that story held when `item` was
    classified (what the rules compared it with, and should have joined), or else the
    story's own first item, when it came later (the rules should have joined it to `item`).
    `item` is None when retention has deleted it since; `others` is empty when those items
    are gone (or were all split out before)."""

    feedback_id: int
    at: datetime
    operator: str | None
    title: str
    item: Item | None
    story_id: int | None
    others: list[Item] = field(default_factory=list)


def split_cases(session: Session) -> list[StoryCase]:
    """Every /split report, oldest first."""
    return [_case(session, fb, fb.created_at) for fb in list_feedback(session, "split")]


def merge_cases(session: Session) -> list[StoryCase]:
    """Every /merge report, oldest first."""
    out = []
    for fb in list_feedback(session, "merge"):
        item = session.get(Item, fb.item_id) if fb.item_id is not None else None
        case = _case(session, fb, item.classified_at if item is not None else None)
        if item is not None and not case.others:
            case = replace(case, others=_kept_first(session, fb.story_id, item.id))
        out.append(case)
    return out


def _kept_first(session: Session, story_id: int | None, item_id: int) -> list[Item]:
    """The kept story's own first item, when the story took all its items after the merged
    one: a story split off is numbered after the story its item left, so a merge may keep
    the younger telling (the rules should have joined its first item to this one)."""
    story = session.get(Story, story_id) if story_id is not None else None
    first = session.get(Item, story.first_item_id) if story and story.first_item_id else None
    ok = first is not None and first.story_id == story_id and first.id != item_id
    return [first] if ok and first is not None else []


def _case(session: Session, fb: Feedback, until: datetime | None) -> StoryCase:
    """The report with its item and the other items of its story classified by `until`."""
    item = session.get(Item, fb.item_id) if fb.item_id is not None else None
    others: list[Item] = []
    if fb.story_id is not None and until is not None:
        others = list(session.scalars(
            select(Item).where(
                Item.story_id == fb.story_id,
                Item.id != (fb.item_id if fb.item_id is not None else -1),
                or_(Item.classified_at.is_(None), Item.classified_at <= until),
            ).order_by(Item.published_at, Item.id)
        ))
    return StoryCase(fb.id, fb.created_at, fb.operator, fb.title, item, fb.story_id, others)
