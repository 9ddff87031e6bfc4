"""Stories: items from several outlets about one event are one story.

An item joins a recent story (created within settings.story_window) that shares
a topic and either has a near-identical title, or the same entities and at
least one identical figure (event and number) — the latter works across
languages, since names and numbers do not depend on the language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.routing import URGENCY_RANK
from storage.models import Item, Story

MAX_CANDIDATES = 500
TITLE_RATIO = 0.85
TITLE_JACCARD = 0.6

_STOP = """el la los las un una unos unas de del al a en y o u que por para con sin sobre tras su sus se lo le
    les es son fue han ha como más mas ya este esta estos estas ese esa the an of to in on for and or
    with by at from is are was were has have as its it this that after over"""
STOPWORDS = frozenset(_STOP.split())


class ClassificationLike(Protocol):
    topics: list[str]
    urgency: str
    matches: dict[str, list[str]]
    entities: list[dict[str, Any]]
    counts: list[dict[str, Any]]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def title_tokens(title: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", fold(title))
    return [w for w in words if w not in STOPWORDS and (len(w) > 2 or w.isdigit())]


def titles_similar(a: str, b: str) -> bool:
    """Near-identical titles; titles that state different figures are different events."""
    ta, tb = title_tokens(a), title_tokens(b)
    if not ta or not tb:
        return False
    na, nb = {w for w in ta if w.isdigit()}, {w for w in tb if w.isdigit()}
    if na and nb and not na & nb:
        return False
    if SequenceMatcher(None, " ".join(ta), " ".join(tb)).ratio() >= TITLE_RATIO:
        return True
    sa, sb = set(ta), set(tb)
    return min(len(sa), len(sb)) >= 3 and len(sa & sb) / len(sa | sb) >= TITLE_JACCARD


# Places named in nearly every item tell no event apart; a prison or a town does.
GENERIC_PLACES = {"venezuela", "caracas", "estados unidos", "united states", "eeuu", "usa"}


def entity_keys(entities: list[dict[str, Any]]) -> set[str]:
    """Names of people, organisations and specific places (not the country or the capital)."""
    keys = {fold(str(e.get("name", ""))) for e in entities or [] if e.get("name")}
    return keys - GENERIC_PLACES


def _same_event(ents: set[str], figures: set[tuple[str, int]], story: Story) -> bool:
    """Shared entities and a shared figure; one death or one arrest needs more than a place."""
    shared_figures = figures & count_keys(story.counts)
    shared = ents & entity_keys(story.entities)
    if not shared or not shared_figures:
        return False
    return any(n > 1 for _, n in shared_figures) or len(shared) >= 2


def count_keys(counts: list[dict[str, Any]]) -> set[tuple[str, int]]:
    return {(str(c.get("event")), int(c.get("number", 0))) for c in counts or []}


@dataclass
class Assignment:
    story: Story
    created: bool
    new_counts: list[dict[str, Any]] = field(default_factory=list)  # figures the story lacked


def find_story(
    session: Session, item: Item, c: ClassificationLike, *, window: timedelta, now: datetime
) -> Story | None:
    topics = set(c.topics)
    ents = entity_keys(c.entities)
    figures = count_keys(c.counts)
    stmt = (
        select(Story).where(Story.created_at >= now - window)
        .order_by(Story.created_at.desc()).limit(MAX_CANDIDATES)
    )
    for story in session.scalars(stmt):
        if not topics & set(story.topics or []):
            continue
        if titles_similar(item.title, story.title):
            return story
        if _same_event(ents, figures, story):
            return story
    return None


def assign_story(
    session: Session, item: Item, c: ClassificationLike, *, window: timedelta, now: datetime
) -> Assignment:
    """Put `item` in a story (an existing one or a new one) and return which and what it added."""
    story = find_story(session, item, c, window=window, now=now)
    if story is None:
        story = Story(
            title=item.title, topics=list(c.topics), urgency=c.urgency, language=item.language,
            entities=[dict(e) for e in c.entities], counts=[dict(x) for x in c.counts],
            first_item_id=item.id, created_at=now, updated_at=now,
        )
        session.add(story)
        session.flush()
        item.story_id = story.id
        return Assignment(story, True)
    known = count_keys(story.counts)
    new_counts = [dict(x) for x in c.counts if (str(x.get("event")), int(x.get("number", 0))) not in known]
    story.topics = list(dict.fromkeys([*(story.topics or []), *c.topics]))
    if URGENCY_RANK.get(c.urgency, 1) > URGENCY_RANK.get(story.urgency, 1):
        story.urgency = c.urgency
    seen = entity_keys(story.entities)
    story.entities = [*(story.entities or []), *(dict(e) for e in c.entities if fold(str(e.get("name", ""))) not in seen)]
    story.counts = [*(story.counts or []), *new_counts]
    story.updated_at = now
    item.story_id = story.id
    session.flush()
    return Assignment(story, False, new_counts)
