"""`/merge STORY` in the admin chat: two stories that tell one event become one.

Sent as a reply to an alert (or to a forward of it, or to a message holding an item's
link), resolved by `alerts.admin_feedback.resolve_reply`: that alert's story and the
story STORY names are merged. STORY is one of

- a story's number (as `monitor stories` lists it);
- a link to the other story's alert (Telegram's "Copy link": t.me/NAME/ID or t.me/c/ID/ID);
- a link to an article of the other story (an item's URL).

`alerts.stories.assign.merge_stories` does the merge (the older story is kept) and stores
it as feedback for calibration.

`/merge` without STORY, as a reply to an alert, lists the stories the matcher finds
closest to that alert's story (`nearest_answer`, also `monitor stories --near STORY`),
each with its number, what the rules see in common and what they see against, so that
the operator can send `/merge N` for the right one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from alerts.admin_feedback import (
    URL_PATTERN,
    alert_of_link,
    find_item_by_url,
    resolve_reply,
    story_of_alert,
)
from alerts.stories.assign import (
    Built,
    NoSuchNumber,
    StoryFixError,
    merge_stories,
    nearest_features,
    nearest_stories,
    no_story,
)
from alerts.stories.report import spelled
from alerts.stories.split import outlet_name
from storage.feedback import merge_of_story
from storage.items import story_items
from storage.models import Item, Story, valid_id

if TYPE_CHECKING:
    from core.config import AppConfig
    from storage.db import Database

USAGE = (
    "Send /merge STORY as a reply to an alert whose story repeats another story's event "
    "(forward the alert here first if it is in a channel). STORY is the other story's number "
    "('monitor stories'), a link to its alert or a link to one of its articles; "
    "/merge alone, as a reply to the alert, lists the stories closest to it."
)
NEAREST = 5  # stories /merge alone lists: the right one among them for 82–90 % of split stories (bench/story_near.py)
TITLE_CHARS = 90


def merge_command(db: Database, config: AppConfig, arg: str, message: Any, operator: str,
                  built: Built | None = None) -> str:
    """The answer to `/merge STORY` (or `/merge` alone) sent by `operator` as `message`;
    `built`: `merge_features`'s."""
    arg = arg.strip()
    if getattr(message, "reply_to_message", None) is None:
        return USAGE
    with db.session() as session:
        found = resolve_reply(session, message)
        if found is None or found.story is None:
            return ("That message is not an alert of one story, so there is nothing to merge. "
                    "Reply /merge STORY to an alert (or a forward of it).")
        if not arg:
            return nearest_answer(session, config, found.story.id, now=datetime.now(UTC), built=built)
        other = _other_story(session, arg)
        if other is None:
            word = arg.split()[0].lstrip("#")
            if word.isascii() and word.isdigit() and merge_of_story(session, int(word)) is not None:
                return no_story(session, int(word))  # merged before: where its items went
            return (f"I found no story for '{arg[:80]}': give its number ('monitor stories'), a link "
                    "to its alert or to one of its articles.")
        try:
            answer = merge_stories(session, found.story.id, other, operator=operator)
        except StoryFixError as exc:
            return str(exc)
    return f"{answer}\nIts next reports go to the kept story; the merge is recorded as feedback."


def _other_story(session: Session, arg: str) -> int | None:
    """The story `arg` names: a number, an alert's link or an article's link."""
    word = arg.split()[0].lstrip("#")
    if word.isascii() and word.isdigit():  # "²" and "٣" are digits to str.isdigit
        return int(word) if valid_id(int(word)) and session.get(Story, int(word)) is not None else None
    for url in URL_PATTERN.findall(arg):
        url = url.rstrip(".,;:)]")
        alert = alert_of_link(session, url)
        story = story_of_alert(session, alert) if alert is not None else None
        if story is not None:
            return story
        item = find_item_by_url(session, url)
        if item is not None and item.story_id is not None:
            return item.story_id
    return None


def merge_features(db: Database, config: AppConfig, arg: str, message: Any) -> Built | None:
    """For `/merge` alone, the features of the stories it lists from, built before the lock the
    pipeline places items with is taken (`alerts.stories.assign.nearest_features`); None else."""
    if arg.strip() or getattr(message, "reply_to_message", None) is None:
        return None
    with db.session() as session:
        found = resolve_reply(session, message)
        if found is None or found.story is None:
            return None
        return nearest_features(session, found.story.id, window=config.settings.story_window, now=datetime.now(UTC))


def nearest_answer(session: Session, config: AppConfig, story_id: int, *, now: datetime,
                   built: Built | None = None) -> str:
    """The stories closest to `story_id`, for an operator to pick one to merge with.

    Raises NoSuchNumber (a StoryFixError) for a story that does not exist."""
    story = session.get(Story, story_id) if valid_id(story_id) else None
    if story is None:
        raise NoSuchNumber(no_story(session, story_id))
    near = nearest_stories(session, story_id, window=config.settings.story_window, now=now, n=NEAREST, built=built)
    items = story_items(session, [story_id, *(other.id for other, _ in near)], with_feed=True)
    head = f"Story {story_id} {_about(story, items, config)}"
    if not near:
        return f"{head}\nNo other story of its hours shares a word or a name with it: nothing to merge it with."
    lines = [head, "", "Closest stories (the matcher's score; it joins from 0.40):"]
    for rank, (other, n) in enumerate(near, start=1):
        lines.append(f"{rank}. story {other.id} · score {n.score:.2f} · {_about(other, items, config)}")
        lines.append(f"   {_why(n.signals, [other.title or '', story.title or ''], story.language or 'es')}")
    lines += ["", f"Reply /merge N to the same alert to join story {story_id} with story N."]
    return "\n".join(lines)


def _about(story: Story, items: list[Item], config: AppConfig) -> str:
    """«title» (N items: outlets)."""
    own = [it for it in items if it.story_id == story.id]
    outlets = list(dict.fromkeys(outlet_name(it, config) for it in own))
    title = " ".join((story.title or "").split())
    title = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"
    return f"«{title}» ({len(own)} item{'s' if len(own) != 1 else ''}: {', '.join(outlets) or '-'})"


def _why(signals: dict[str, Any], titles: list[str], lang: str) -> str:
    """What the rules see in common and against, in a line, the shared terms spelled as
    the titles have them ("excarcelado", not the matcher's "liber")."""
    names = list(signals.get("entities", []))
    words = [spelled(t, titles, lang) for t in signals.get("terms", [])]
    common = list(dict.fromkeys([*names, *words]))
    parts = [f"in common: {', '.join(common[:6]) or 'little'}"]
    if signals.get("figures"):
        parts.append(f"same figure: {', '.join(signals['figures'])}")
    if signals.get("conflicts"):
        parts.append(f"the rules see against: {', '.join(signals['conflicts'])}")
    return " · ".join(parts)
