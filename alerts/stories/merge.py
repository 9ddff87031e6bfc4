"""`/merge STORY` in the admin chat: two stories that tell one event become one.

Sent as a reply to an alert (or to a forward of it, or to a message holding an item's
link), resolved by `alerts.admin_feedback.resolve_reply`: that alert's story and the
story STORY names are merged. STORY is one of

- a story's number (as `monitor stories` lists it);
- a link to the other story's alert (Telegram's "Copy link": t.me/NAME/ID or t.me/c/ID/ID);
- a link to an article of the other story (an item's URL).

`alerts.stories.assign.merge_stories` does the merge (the older story is kept) and stores
it as feedback for calibration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from alerts.admin_feedback import URL_PATTERN, alert_of_link, find_item_by_url, resolve_reply
from alerts.stories.assign import StoryFixError, merge_stories
from storage.models import Story

if TYPE_CHECKING:
    from storage.db import Database

USAGE = (
    "Send /merge STORY as a reply to an alert whose story repeats another story's event "
    "(forward the alert here first if it is in a channel). STORY is the other story's number "
    "(`monitor stories`), a link to its alert or a link to one of its articles."
)


def merge_command(db: Database, arg: str, message: Any, operator: str) -> str:
    """The answer to `/merge STORY` sent by `operator` as `message`."""
    arg = arg.strip()
    if getattr(message, "reply_to_message", None) is None or not arg:
        return USAGE
    with db.session() as session:
        found = resolve_reply(session, message)
        if found is None or found.story is None:
            return ("That message is not an alert of one story, so there is nothing to merge. "
                    "Reply /merge STORY to an alert (or a forward of it).")
        other = _other_story(session, arg)
        if other is None:
            return (f"I found no story for '{arg[:80]}': give its number (`monitor stories`), a link "
                    "to its alert or to one of its articles.")
        try:
            answer = merge_stories(session, found.story.id, other, operator=operator)
        except StoryFixError as exc:
            return str(exc)
    return f"{answer}\nIts next reports go to the kept story; the merge is recorded as feedback."


def _other_story(session: Session, arg: str) -> int | None:
    """The story `arg` names: a number, an alert's link or an article's link."""
    word = arg.split()[0].lstrip("#")
    if word.isdigit():
        return int(word) if session.get(Story, int(word)) is not None else None
    for url in URL_PATTERN.findall(arg):
        url = url.rstrip(".,;:)]")
        alert = alert_of_link(session, url)
        if alert is not None and alert.story_id is not None:
            return alert.story_id
        item = find_item_by_url(session, url)
        if item is not None and item.story_id is not None:
            return item.story_id
    return None
