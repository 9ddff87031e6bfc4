"""`/split` in the admin chat: move a wrongly merged item out of its story.

Sent as a reply to an alert (or to a forward of it, or to a message holding an
item's link), resolved by `alerts.admin_feedback.resolve_reply`. Which item leaves:

- `/split ITEM` (an item id) or `/split OUTLET` (a feed's name or display name):
  that item of the replied story;
- a reply to an update (a reply alert): the item that update told;
- a reply to a pasted link: the item of that link;
- a reply to the message of a story merged into another (by the matcher or `/merge`): the
  item that message told, out of the story it was merged into (the merge undone for it);
- a reply to the story's first alert: with two items, the one that joined later
  (the alert keeps telling its first item); with more, the operator is asked which.

`alerts.stories.assign.split_item` does the move and stores the split as feedback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from alerts.admin_feedback import resolve_reply
from alerts.stories.assign import StoryFixError, split_item
from alerts.stories.text import fold
from storage.items import story_items
from storage.models import Item

if TYPE_CHECKING:
    from core.config import AppConfig
    from storage.db import Database

USAGE = (
    "Send /split as a reply to the alert whose story holds an item of another event "
    "(forward the alert here first if it is in a channel)."
)
MAX_LISTED = 20


def outlet_name(item: Item, config: AppConfig) -> str:
    name = item.feed.name if item.feed is not None else "?"
    conf = config.feed(name)
    return conf.display_name if conf else name


def _pick(members: list[Item], arg: str, config: AppConfig) -> Item | None:
    if arg.isascii() and arg.isdigit():  # "²" is a digit to str.isdigit, not to int()
        return next((m for m in members if m.id == int(arg)), None)
    want = fold(arg)
    return next((m for m in members if want in {fold(m.feed.name), fold(outlet_name(m, config))}), None)


def _listing(members: list[Item], config: AppConfig) -> str:
    lines = [f"{m.id} · {outlet_name(m, config)} · {(m.title or '').splitlines()[0][:90] if m.title else ''}"
             for m in members[:MAX_LISTED]]
    if len(members) > MAX_LISTED:
        lines.append(f"… and {len(members) - MAX_LISTED} more ('monitor stories' lists all).")
    return "\n".join(lines)


def split_command(db: Database, config: AppConfig, arg: str, message: Any, operator: str) -> str:
    """The answer to `/split [ITEM]` sent by `operator` as `message`."""
    arg = arg.strip()
    if getattr(message, "reply_to_message", None) is None:
        return USAGE
    with db.session() as session:
        found = resolve_reply(session, message)
        if found is None or found.story is None:
            what = "a digest" if found and found.alert and found.alert.kind == "digest" else "an alert I sent"
            return (f"That message is not {what} of one story, so there is nothing to split. "
                    "Reply /split to an alert (or a forward of it).")
        story = found.story
        members = _members(session, story.id)
        if len(members) < 2:
            return f"Story {story.id} has only one item (“{_title(story.title)}”): there is nothing to split."
        item: Item | None
        if arg:
            item = _pick(members, arg, config)
            if item is None:
                return (f"Story {story.id} has no item '{arg}'. Its items:\n{_listing(members, config)}\n"
                        "Reply /split ITEM with one of these numbers.")
        elif found.alert is not None and found.alert.kind == "update":
            item = next((m for m in members if m.id == (found.alert.payload or {}).get("item_id")), None)
        elif found.how == "url" or (found.alert is not None and found.alert.story_id is None):
            item = found.item  # a pasted link's item; a merged-away story's message: its own item
        elif len(members) == 2:
            item = members[1]
        else:
            item = None
        if item is None:
            return (f"Which item does not belong in story {story.id} (“{_title(story.title)}”)? "
                    f"Reply /split ITEM:\n{_listing(members, config)}")
        title = _title(item.title)
        try:
            answer = split_item(session, item.id, operator=operator, tz=config.settings.tz, config=config)
        except StoryFixError as exc:
            return str(exc)
    return f"{answer}\n“{title}” is now a story of its own; the split is recorded as feedback."


def _members(session: Session, story_id: int) -> list[Item]:
    return story_items(session, [story_id], with_feed=True)


def _title(title: str | None) -> str:
    return (title or "").splitlines()[0][:120] if title else ""
