"""Operator feedback and watched people in the admin chat (docs/OPERATIONS.md).

    /people            who is watched
    /watch NAME        watch a name;  /unwatch NAME  stop (it is never learned again)
    /miss URL [TOPIC]  an item the bot should have alerted
    /wrong [TOPIC]     as a reply to an alert: it should not have been sent
    /split [ITEM]      as a reply to an alert: an item that does not belong in its story
    /merge [STORY]     as a reply to an alert: its story repeats another one's event
                       (alone: the stories closest to it, to pick from)

`resolve_reply(session, message, config)` finds the alert, story and item a replied-to
message stands for: a reply to the alert itself (the admin chat is one of the channels),
a forwarded alert (its origin chat and message id), or a stored item's URL in the
replied message's text or links. Other commands (/split) reuse it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.admin_menu import Command
from alerts.feed_limits import HELD
from alerts.render import shorten
from core.people import add_person, is_ambiguous, remove_person
from core.urls import canonical_url
from storage.alerts import (
    WITHDRAWN,
    alert_of_message,
    all_channels,
    first_alert_of_story,
    story_alerts,
)
from storage.feedback import add_feedback, feedback_exists, wrong_topics
from storage.items import first_item_of_story, item_by_urls, item_topics
from storage.models import Alert, Count, Item, Story, valid_id
from storage.people import list_people

if TYPE_CHECKING:
    from core.config import AppConfig
    from storage.db import Database



class WatchedIndex(Protocol):
    """The matcher's live list of watched people (`monitor.match.people.WatchedPeople`),
    updated by /watch and /unwatch so the next item is matched against the new list."""

    def add(self, names: Iterable[str]) -> list[str]: ...

    def remove(self, name: str) -> bool: ...


COMMANDS = frozenset({"people", "watch", "unwatch", "miss", "wrong", "split", "merge"})
MENU = (  # in /help and the chat's command menu (alerts/admin_menu.py)
    Command("people", "the watched people"),
    Command("watch", "watch a person's name", "NAME"),
    Command("unwatch", "stop watching a name (never learned again)", "NAME"),
    Command("miss", "an item that should have alerted", "URL [topic]"),
    Command("wrong", "reply to an alert that should not have been sent", "[topic]"),
    Command("split", "reply to an alert that merged another event into its story", "[item]"),
    Command("merge", "reply to an alert that repeats another story's event (STORY: its number, "
            "its alert's link or an article's link; /merge alone lists the closest stories)", "STORY"),
)
URL_PATTERN = re.compile(r"https?://[^\s<>\"'«»“”]+", re.I)
MAX_LISTED = 300


@dataclass
class Resolved:
    """What a replied-to message stands for; any part may be unknown."""

    alert: Alert | None
    story: Story | None
    item: Item | None
    how: str  # "reply" | "forward" | "url"


def operator_of(message: Any) -> str:
    """'@username', else the Telegram user id, of who sent `message`."""
    user = getattr(message, "from_user", None)
    if user is None:
        return "unknown"
    return f"@{user.username}" if user.username else str(user.id)


def _chat_keys(chat: Any) -> set[str]:
    keys = {str(chat.id)}
    if getattr(chat, "username", None):
        keys.add(f"@{chat.username}".lower())
    return keys


def _alert_at(session: Session, chat: Any, message_id: int) -> Alert | None:
    return _alert_in(session, _chat_keys(chat), message_id)


def _alert_in(session: Session, keys: set[str], message_id: int) -> Alert | None:
    """The alert sent as `message_id` in the channel whose chat is one of `keys` (id or @name)."""
    channels = [c for c in all_channels(session)
                if c.chat_id.lower() in keys or (c.configured_chat_id or "").lower() in keys]
    if not channels:
        return None
    # a chat's numeric id tells a migrated group's old messages from the new chat's;
    # a public @name (a channel's link) stands for one chat
    numeric = any(not k.startswith("@") for k in keys)
    return alert_of_message(session, [c.name for c in channels], message_id,
                            chats=keys if numeric else None)


# a message link as Telegram's "Copy link" gives it: t.me/NAME/ID (public) or t.me/c/ID/ID (private)
_MESSAGE_LINK = re.compile(r"^https?://(?:www\.)?(?:t|telegram)\.me/(?:(c)/(\d+)|([A-Za-z]\w{3,}))/(\d+)(?:[/?#].*)?$", re.I)


def alert_of_link(session: Session, url: str) -> Alert | None:
    """The alert a Telegram message link points at, or None (not such a link, not ours)."""
    m = _MESSAGE_LINK.match(url.strip())
    if m is None:
        return None
    private, internal, username, message_id = m.groups()
    if not valid_id(int(message_id)):
        return None
    keys = {f"-100{internal}", internal} if private else {f"@{username}".lower()}
    return _alert_in(session, keys, int(message_id))


def urls_in(message: Any) -> list[str]:
    """Links in a message: its URL and text-link entities, and URLs in its text."""
    out: list[str] = []
    text = message.text or message.caption or ""
    for entity in list(message.entities or ()) + list(message.caption_entities or ()):
        if entity.type == "text_link" and entity.url:
            out.append(entity.url)
    out += [u.rstrip(".,;:)]") for u in URL_PATTERN.findall(text)]
    return list(dict.fromkeys(out))


def find_item_by_url(session: Session, url: str) -> Item | None:
    """A stored item whose URL or canonical URL is `url` (or its canonical form)."""
    candidates = {url}
    canon = canonical_url(url)
    if canon:
        candidates.add(canon)
    return item_by_urls(session, candidates)


def _story_item(session: Session, story: Story | None) -> Item | None:
    if story is None:
        return None
    if story.first_item_id is not None:
        item = session.get(Item, story.first_item_id)
        if item is not None:
            return item
    return first_item_of_story(session, story.id)


def _told_item(session: Session, alert: Alert) -> Item | None:
    """The item the alert's message tells: an update's is a later item of the story, not its first."""
    item_id = (alert.payload or {}).get("item_id")
    return session.get(Item, item_id) if isinstance(item_id, int) else None


def story_of_alert(session: Session, alert: Alert) -> int | None:
    """The story an alert's message stands for now: its own, else (a merged-away story's
    message) that of the item it told; None for a digest."""
    if alert.story_id is not None:
        return alert.story_id
    item = _told_item(session, alert)
    return item.story_id if item is not None else None


def _unbound(session: Session, alert: Alert, how: str) -> Resolved:
    """An alert tied to no story: a merged-away story's message (or one held in a fold) stands
    for the item it told, in the story that item is in now; a digest stands for nothing."""
    item = _told_item(session, alert)
    story = session.get(Story, item.story_id) if item is not None and item.story_id is not None else None
    return Resolved(alert, story, item if story is not None else None, how)


def resolve_reply(session: Session, message: Any) -> Resolved | None:
    """The alert, story and item the message `message` replies to stands for, or None.

    `message` is a python-telegram-bot Message (the operator's command)."""
    replied = getattr(message, "reply_to_message", None)
    if replied is None:
        return None
    alert: Alert | None = None
    how = ""
    origin = getattr(replied, "forward_origin", None)
    if origin is not None and getattr(origin, "chat", None) is not None:
        alert, how = _alert_at(session, origin.chat, origin.message_id), "forward"
    if alert is None:
        alert, how = _alert_at(session, replied.chat, replied.message_id), "reply"
    if alert is not None:
        if alert.story_id is None:
            return _unbound(session, alert, how)
        story = session.get(Story, alert.story_id)
        return Resolved(alert, story, _told_item(session, alert) or _story_item(session, story), how)
    # (a copy of a message: its links; a roundup's copy links many stories and stands for none
    # of them: its first linked story was split, merged or withdrawn)
    items = [i for i in (find_item_by_url(session, url) for url in urls_in(replied)) if i is not None]
    if not items or len({i.story_id for i in items}) > 1:
        return None
    item = items[0]
    story = session.get(Story, item.story_id) if item.story_id is not None else None
    first = first_alert_of_story(session, story.id) if story is not None else None
    return Resolved(first, story, item, "url")


def _item_topics(session: Session, item: Item) -> list[str]:
    return item_topics(session, item.id)


def _tells_story(found: Resolved) -> bool:
    """Whether the item is the one the story's message tells (the /wrong is about the story),
    not a later item's figure update (the story's message was right)."""
    alert, story, item = found.alert, found.story, found.item
    if story is None or item is None:
        return False
    if alert is None:
        return item.id == story.first_item_id
    return alert.kind == "new" and alert.story_id == story.id and (alert.payload or {}).get("item_id") == item.id


def withdraw_story(session: Session, story: Story, wrong: set[str], config: AppConfig, why: str
                   ) -> tuple[list[str], int]:
    """Withdraw the story's message from each channel that took it only for a topic in `wrong`:
    the message is marked (the outbox queues no more edits or replies to it), and the alerts
    of the story still waiting there (a message, an edit, a reply) are never sent (status
    `withdrawn`). Returns (the channels, the alerts dropped)."""
    left = set(story.topics or []) - wrong
    rows = story_alerts(session, story.id)
    channels = sorted({a.channel for a in rows if a.kind == "new"
                       and not left & set(getattr(config.channel(a.channel), "topics", ()))})
    dropped = 0
    for alert in rows:
        if alert.channel not in channels:
            continue
        if alert.kind == "new" and WITHDRAWN not in (alert.payload or {}):
            alert.payload = {**(alert.payload or {}), WITHDRAWN: why}
        if alert.status in ("pending", HELD):
            alert.status, alert.last_error = WITHDRAWN, why
            dropped += 1
    session.flush()
    return channels, dropped


def _withdrawn_text(story_id: int, channels: list[str], dropped: int) -> str:
    if not channels:
        return ""
    queued = f" ({dropped} queued alert{'s' if dropped != 1 else ''} dropped)" if dropped else ""
    return f" Story {story_id} gets no more edits or replies in {', '.join(channels)}{queued}."


TITLE_CHARS = 90  # of a title quoted in an answer


def _figures_text(session: Session, item: Item, topic: str) -> str:
    """What a /wrong does to the figures: the item's own, named, leave the topic's tally. A
    /wrong to a figure's update in a story of 33 items was answered as to any alert, and the
    operator could not tell whether the bot took the figure (72 released) or the story."""
    counts = session.scalars(select(Count).where(Count.item_id == item.id).order_by(Count.id)).all()
    if not counts:
        return ""
    stated = ", ".join(f"{c.number} {c.event}" + (f" ({c.source})" if c.source else "") for c in counts)
    title = shorten(" ".join(item.title.split()), TITLE_CHARS)
    return (f"\n“{title}” states {stated}: no longer counted in the {topic} figures "
            "(/tally at once, the pinned message at its next look, within 10 minutes).")


class FeedbackCommands:
    """The answers to /people, /watch, /unwatch, /miss and /wrong (plain text)."""

    def __init__(self, db: Database, config: AppConfig, watched: WatchedIndex | None = None) -> None:
        self.db = db
        self.config = config
        self.watched = watched

    def prepare(self, command: str, arg: str, message: Any) -> Any:
        """What `command` reads before the lock the pipeline places items with is taken for it,
        given back to `answer`: for `/merge` alone, the features of the stories it lists from."""
        if command == "merge":
            from alerts.stories.merge import merge_features

            return merge_features(self.db, self.config, arg, message)
        return None

    def answer(self, command: str, arg: str, message: Any, prepared: Any = None) -> str:
        operator = operator_of(message)
        if command == "people":
            return self.people_text()
        if command == "watch":
            return self.watch(arg, operator)
        if command == "unwatch":
            return self.unwatch(arg, operator)
        if command == "miss":
            return self.miss(arg, operator)
        if command == "split":
            from alerts.stories.split import split_command

            return split_command(self.db, self.config, arg, message, operator)
        if command == "merge":
            from alerts.stories.merge import merge_command

            return merge_command(self.db, self.config, arg, message, operator, built=prepared)
        return self.wrong(arg, message, operator)

    @property
    def topics(self) -> list[str]:
        return list(self.config.topics)

    # -- watched people ----------------------------------------------------------------
    def people_text(self) -> str:
        with self.db.session() as session:
            rows = list_people(session)
        if not rows:
            return "Nobody is watched. /watch NAME adds a name."
        lines = [f"Watched people: {len(rows)}"]
        for p in rows[:MAX_LISTED]:
            origin = {"learned": "learned", "seed": "seed", "operator": f"added by {p.added_by}"}
            lines.append(f"• {p.name} — {origin.get(p.origin, p.origin)}")
        if len(rows) > MAX_LISTED:
            lines.append(f"… and {len(rows) - MAX_LISTED} more ('monitor people' lists all).")
        return "\n".join(lines)

    def watch(self, name: str, operator: str) -> str:
        if not name.strip():
            return "Usage: /watch NAME, e.g. /watch Rocío San Miguel"
        try:
            with self.db.session() as session:
                shown, new = add_person(session, name, added_by=operator)
        except ValueError as exc:  # no letters, or too long to store: say which
            reason = str(exc)
            return f"{reason[:1].upper()}{reason[1:]}. Usage: /watch NAME"
        if self.watched is not None:
            self.watched.add([shown])
        if not new:
            return f"{shown} is already watched."
        note = " A single name or two common names count only with Venezuelan or prisoner context."

        return f"Watching {shown}: items that name them match political_prisoners." + (
            note if is_ambiguous(shown) else "")

    def unwatch(self, name: str, operator: str) -> str:
        if not name.strip():
            return "Usage: /unwatch NAME (/people lists the names)"
        with self.db.session() as session:
            shown = remove_person(session, name, removed_by=operator)
        if shown is None:
            return f"Nobody named '{name}' is watched. /people lists the names."
        if self.watched is not None:
            self.watched.remove(shown)
        return f"Stopped watching {shown}; it will not be learned again."

    # -- feedback ----------------------------------------------------------------------
    def _topic_arg(self, arg: str) -> tuple[str | None, str | None]:
        """(topic, error) from an optional topic argument."""
        if not arg:
            return None, None
        if arg in self.topics:
            return arg, None
        return None, f"Unknown topic '{arg}'. Topics: {', '.join(self.topics)}"

    def miss(self, arg: str, operator: str) -> str:
        parts = arg.split()
        if not parts or not URL_PATTERN.fullmatch(parts[0]):
            return "Usage: /miss URL [topic] — the link of an item the bot should have alerted."
        url = parts[0]
        topic, error = self._topic_arg(" ".join(parts[1:]))
        if error:
            return error
        with self.db.session() as session:
            item = find_item_by_url(session, url)
            if item is None:
                return (
                    f"I have no stored item with the URL {url}. Only items of the feeds in "
                    "feeds.yaml are stored; check the link (or the feed) and send it again."
                )
            matched = _item_topics(session, item)
            if topic is None:
                left = [t for t in self.topics if t not in matched]
                if len(left) != 1:
                    options = " or ".join(f"/miss {url} {t}" for t in (left or self.topics))
                    return f"Which topic should “{item.title[:120]}” have matched? Send {options}"
                topic = left[0]
            if topic in matched:
                return (f"“{item.title[:120]}” already matched {topic}; if no alert came, "
                        "check the channel's languages and min_urgency, and /queue.")
            if self._already(session, "miss", item.id, topic):
                return f"Already recorded as a miss for {topic}."
            add_feedback(session, kind="miss", item_id=item.id, url=item.url or url,
                         title=item.title, summary=item.summary, topic=topic, operator=operator)
        return f"Thanks — recorded as a miss for {topic}; 'monitor train' will use it."

    def wrong(self, arg: str, message: Any, operator: str) -> str:
        topic, error = self._topic_arg(arg.strip())
        if error:
            return error
        if getattr(message, "reply_to_message", None) is None:
            return "Send /wrong as a reply to the alert that should not have been sent " \
                   "(forward the alert here first if it is in a channel)."
        with self.db.session() as session:
            found = resolve_reply(session, message)
            if found is None or found.item is None:
                what = "a digest" if found and found.alert and found.alert.kind == "digest" else \
                    "an alert I sent"
                return (f"That message is not {what} of one story, so I cannot tell which item "
                        "was wrong. Reply /wrong to an alert (or a forward of it).")
            item = found.item
            if topic is None:
                candidates = _item_topics(session, item)
                if found.alert is not None:
                    channel = self.config.channel(found.alert.channel)
                    if channel is not None:
                        candidates = [t for t in candidates if t in channel.topics] or candidates
                if len(candidates) != 1:
                    options = " or ".join(f"/wrong {t}" for t in (candidates or self.topics))
                    return f"Which topic was wrong for “{item.title[:120]}”? Reply {options}"
                topic = candidates[0]
            if self._already(session, "wrong", item.id, topic):
                return f"Already recorded as wrong for {topic}."
            row = add_feedback(
                session, kind="wrong", item_id=item.id, url=item.url, title=item.title,
                summary=item.summary, topic=topic, operator=operator,
                alert_id=found.alert.id if found.alert else None,
                story_id=found.story.id if found.story else None, note=f"resolved by {found.how}",
            )
            withdrawn = ""
            if found.story is not None and _tells_story(found):
                why = f"withdrawn: /wrong {topic} by {operator} (feedback {row.id})"
                channels, dropped = withdraw_story(session, found.story, wrong_topics(session, item.id), self.config, why)
                withdrawn = _withdrawn_text(found.story.id, channels, dropped)
            figures = _figures_text(session, item, topic)
        return f"Thanks — recorded as wrong for {topic}; 'monitor train' will use it.{withdrawn}{figures}"

    @staticmethod
    def _already(session: Session, kind: str, item_id: int, topic: str) -> bool:
        return feedback_exists(session, kind, item_id, topic)
