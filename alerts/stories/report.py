"""`monitor stories`: recent stories, their items and outlets, and why each item joined."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy.orm import Session

from alerts.render import shorten
from alerts.stories.features import word_terms
from alerts.stories.match import EXPLAINER_THRESHOLD, LIVE_EXTRA
from core.config import AppConfig
from storage.items import publication_order, story_items
from storage.models import Item, Story
from storage.stories import stories_by_ids, story_ids_updated_since

TITLE_CHARS = 100  # of an item's title in the listing
PAGE = 500  # stories read at once
STORY_TITLE_CHARS = 200  # of the story's title line (a stored title runs to 1,000)


def _outlet(item: Item, config: AppConfig | None) -> str:
    name = item.feed.name if item.feed is not None else "?"
    conf = config.feed(name) if config is not None else None
    return conf.display_name if conf else name


def why(signals: dict[str, Any] | None, titles: list[str] | None = None, lang: str = "es") -> str:
    """One line of the signals that put an item in its story; with `titles` (the item's and
    the one it matched), the shared terms are spelled as those headlines have them
    ("excarcelaciones", not the matcher's stem "liber"), as `/merge` lists them."""
    s = signals or {}
    decision = s.get("decision")
    if decision in ("split", "merged", "revision"):
        return _fixed(s)
    if decision != "joined":
        near = (s.get("nearest") or [{}])[0]
        reason = s.get("reason") or (
            f"nearest story {near['story']} scored {near['score']}" + _against(near, s.get("threshold"))
            if near else "no recent story shares its words"
        )
        return f"started the story: {reason}"
    if s.get("wave"):
        n = s.get("wave_items")
        return (f"joined the release wave ({s['wave']}; the story had {n} wave item{'' if n == 1 else 's'}); "
                f"{s.get('hours')} h after the story's last item")
    return "; ".join(_joined(s, titles, lang))


def _fixed(s: dict[str, Any]) -> str:
    """An item an operator split or merged, the matcher merged, or its outlet retitled."""
    decision = s.get("decision")
    if decision == "split":
        return f"split from story {s.get('from_story')} by {s.get('operator') or '?'}"
    if decision == "merged":
        if s.get("operator") is None and s.get("by_item") is not None:
            return f"merged with its story {s.get('from_story')} by the matcher (item {s['by_item']} told both)"
        return f"merged with its story {s.get('from_story')} by {s.get('operator') or '?'}"
    return f"its outlet's revision of item {s.get('revision_of')} (the headline retitled with another figure)"


def _joined(s: dict[str, Any], titles: list[str] | None, lang: str) -> list[str]:
    """The parts of a join's line: the score, the frame, the bonuses, the shared terms and
    names, the hours, the stories merged into it."""
    parts = [f"score {s.get('score')} ≥ {s.get('threshold')}", f"text {s.get('text')}"]
    frame = _frame(s.get("frame") or {})
    if frame:
        parts.append(frame)
    if s.get("told_again"):
        parts.append(f"a kind of event told again +{s['told_again']}")
    if s.get("learned") is not None:
        parts.append(f"learned pair scorer p {s['learned']}")
    if s.get("terms"):
        terms = s["terms"][:6]
        if titles:
            terms = list(dict.fromkeys(spelled(t, titles, lang) for t in terms))
        parts.append("terms " + " ".join(terms))
    for key in ("events", "entities", "figures", "tally", "topics"):
        if s.get(key):
            parts.append(f"{key} " + ", ".join(map(str, s[key])))
    parts.append(f"{s.get('hours')} h after the story's last item")
    for m in s.get("merges") or []:  # another story it tells too: the two were merged
        parts.append(f"merged story {m['story']} (score {m['score']}, frame of classes "
                     + " + ".join((m.get("frame") or {}).get("classes") or []) + ")")
    if (s.get("story_hours") or 0) > 24:
        parts.append(f"{s['story_hours']} h after its first")  # the story's own age weighs on a join
    return parts


def _frame(frame: dict[str, Any]) -> str:
    """The event frame that lifted the join, in words ("" when none)."""
    if frame.get("classes"):
        return "frame of classes " + " + ".join(frame["classes"])
    if frame.get("person"):
        return f"frame {' '.join(frame['person'])} + {' + '.join(frame.get('event') or [])}"
    if frame.get("speaker"):
        at = f" at one occasion ({' '.join(frame['occasion'])})" if frame.get("occasion") else ""
        return f"statements of {' '.join(frame['speaker'])}{at}"
    if frame.get("place"):
        return f"ongoing at {' '.join(frame['place'])}: {' + '.join(frame.get('event') or [])}"
    if frame.get("law"):
        return f"the law {' '.join(frame['law'])} at its {' '.join(frame.get('stage') or [])} stage"
    return ""


def _against(near: dict[str, Any], threshold: float | None) -> str:
    """Why the nearest story was not joined: its conflicts, or, for a score at or above the
    plain threshold with none (which read as a join refused for no reason), the higher bar
    the headline had to clear."""
    if near.get("conflicts"):
        return f" ({', '.join(near['conflicts'])})"
    score = float(near.get("score") or 0.0)
    if threshold is None or score < threshold:
        return ""
    if score < threshold + LIVE_EXTRA:
        return (f", under the {threshold + LIVE_EXTRA:.2f} a live headline (EN VIVO) needs "
                f"or the {EXPLAINER_THRESHOLD:.2f} of an explainer")
    return (f", under the {EXPLAINER_THRESHOLD:.2f} an explainer's headline (\"Lo que…\", "
            "\"Quién es…\") or a story begun by one needs")


def _local(when: datetime, config: AppConfig | None) -> str:
    """A time in `settings.timezone`, its offset shown ("2026-01-12 00:00 -04"): the alerts'
    clock. Unmarked UTC ("04:00") did not match the alert's "00:00" an operator looked up."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    local = aware.astimezone(config.settings.tz) if config is not None else aware
    return f"{local:%Y-%m-%d %H:%M} {_offset(local)}"


def _offset(when: datetime) -> str:
    """"-04", "+0530", "UTC"."""
    off = when.strftime("%z")
    if off in ("", "+0000"):
        return "UTC"
    return off[:3] if off.endswith("00") else off


def _titles(item: Item, members: dict[int, Item]) -> list[str]:
    """The headlines an item's signals were drawn from: its own, then the one it matched best."""
    other = members.get((item.story_match or {}).get("with_item") or -1)
    return [t for t in (item.title, other.title if other is not None else None) if t]


def _placed(item: Item, config: AppConfig | None) -> tuple[datetime, datetime, int]:
    """The order items were placed in their story, by which each line's "N wave items" and
    "h after the story's last item" are counted: the pipeline's, by classification round,
    then in a round by publication (`Pipeline.process_pending` takes them in that order, a
    date-only item at the start of its date in its feed's zone: `publication_order`)."""
    def naive(when: datetime | None) -> datetime:
        return (when or datetime.max).replace(tzinfo=None)

    published = item.published_at
    if published is not None and item.date_only and config is not None and item.feed is not None:
        published = publication_order(published, True, config.feed_zone(item.feed.name))
    return (naive(item.classified_at), naive(published), item.id)


def _recent(session: Session, config: AppConfig | None, since: datetime) -> Iterator[tuple[Story, list[Item]]]:
    """The stories with an item since `since`, each with its items in the order they were
    placed (by id, a backfill's first poll listed a story's later items before the one that
    began it, each "joined" before the story it joined was started).

    Read `PAGE` stories at a time, each page's rows let go before the next is read: a year's
    218,000 stories were loaded at once, with their 730,000 items, in one IN list (4.5 GB, and
    past the parameters a PostgreSQL statement takes), before a line was printed."""
    ids = story_ids_updated_since(session, since)
    for start in range(0, len(ids), PAGE):
        stories = stories_by_ids(session, ids[start:start + PAGE])
        by_story: dict[int, list[Item]] = {}
        for it in story_items(session, [s.id for s in stories], with_feed=True):
            by_story.setdefault(it.story_id or 0, []).append(it)
        yield from ((s, sorted(by_story.get(s.id, []), key=lambda it: _placed(it, config))) for s in stories)


def stories_json(session: Session, config: AppConfig | None, *, since: datetime) -> dict[str, Any]:
    """`monitor stories --format json`: every story with its items (their guid and link, so
    a script can match them to its own records) and the signals that joined each."""
    return {"since": since.isoformat(), "stories": list(_stories_json(session, config, since))}


def write_stories_json(session: Session, config: AppConfig | None, *, since: datetime, out: TextIO) -> None:
    """`stories_json` written to `out` as json.dumps(indent=1) writes it, a story at a time."""
    out.write('{\n "since": ' + json.dumps(since.isoformat()) + ',\n "stories": [')
    sep = "\n  "
    for story in _stories_json(session, config, since):
        out.write(sep + json.dumps(story, ensure_ascii=False, indent=1).replace("\n", "\n  "))
        sep = ",\n  "
    out.write("]\n}\n" if sep == "\n  " else "\n ]\n}\n")


def _stories_json(session: Session, config: AppConfig | None, since: datetime) -> Iterator[dict[str, Any]]:
    def when(d: datetime | None) -> str | None:
        return d.isoformat() if d else None

    for story, members in _recent(session, config, since):
        yield {
            "id": story.id, "title": story.title, "topics": list(story.topics or []), "urgency": story.urgency,
            "created_at": when(story.created_at), "told_at": when(story.told_at),
            "outlets": list(dict.fromkeys(_outlet(i, config) for i in members)),
            "items": [
                {"id": it.id, "guid": it.guid, "url": it.canonical_url or it.url, "title": it.title,
                 "outlet": _outlet(it, config), "published_at": when(it.published_at), "backfill": it.backfill,
                 "signals": it.story_match or {}}
                for it in members
            ],
        }


def render_stories(session: Session, config: AppConfig | None, *, since: datetime) -> str:
    return "\n".join(stories_lines(session, config, since=since)).rstrip()


def stories_lines(session: Session, config: AppConfig | None, *, since: datetime) -> Iterator[str]:
    """The table of `monitor stories`, a story's lines (and a blank line after) at a time."""
    empty = True
    for story, members in _recent(session, config, since):
        if not empty:
            yield ""
        empty = False
        yield from _story_lines(story, members, config)
    if empty:
        yield f"No stories since {since.astimezone(UTC):%Y-%m-%d %H:%M} UTC."


def _story_lines(story: Story, members: list[Item], config: AppConfig | None) -> Iterator[str]:
    by_id = {m.id: m for m in members}
    outlets = list(dict.fromkeys(_outlet(i, config) for i in members))
    yield (
        f"story {story.id} · {', '.join(story.topics or [])} · {story.urgency} · "
        f"{_local(story.created_at, config)} · {len(members)} item{'' if len(members) == 1 else 's'} · "
        f"{', '.join(outlets)}"
        + ("" if story.told_at is not None else " · backfill only, never alerted")
    )
    yield f"  {shorten(' '.join((story.title or '').split()), STORY_TITLE_CHARS)}"
    for it in members:
        # cut at a word, marked: "…no confirman liberaci" read as the outlet's own headline
        title = shorten(" ".join((it.title or "").split()), TITLE_CHARS)
        mark = " · backfill" if it.backfill else ""
        yield f"  - item {it.id} · {_outlet(it, config)}{mark} · {title}"
        yield f"      {why(it.story_match, _titles(it, by_id), it.language or 'es')}"


def spelled(term: str, titles: list[str], lang: str) -> str:
    """The first word of `titles` the matcher reads as `term`, else the term."""
    for title in titles:
        for word in title.split():
            word = word.strip("«»\"“”‘’'.,;:!?¿¡()[]|")
            if word and term in word_terms(word, lang):
                return word.lower()
    return term
