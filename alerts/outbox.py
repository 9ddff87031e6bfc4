"""Queueing alerts for an item, in the caller's transaction (never commits).

Per instant channel that lists one of the story's topics:
- no alert for the story in that channel yet, and the item passes the channel's
  filters → `new` (the item's own message);
- the channel has the story and the item brings a figure the story lacked →
  `update`, a short reply to the first message;
- an outlet's revision of its own item (its headline retitled with a figure the story
  already has) → nothing: the message names the outlet already;
- otherwise → `edit` of the first message, naming the other outlets
  ("También: El Pitazo, BBC Mundo"); skipped when the outlets did not change;
- but when the story's message in that channel failed for good (never delivered:
  the bot could not post there, a 400), neither an edit nor a reply, which would
  only fail after it → a fresh `new` message, the story told with what it has now
  (the first report with its outlets and figures). The failed row leaves the story
  under a key of its own, so the fresh one is the story's message from then on;
- and when the story's message was held by its feed's hourly limit (folded into "And N
  more", never sent on its own) or folded into a catch-up after a long gap in delivery
  (alerts/catch_up.py), or deleted in the channel by its admin, a new figure is
  told the same way, in a fresh `new` message (its own feed's limit applies to it); other
  reports add nothing;
- and when an operator withdrew the story's message in that channel (/wrong: it
  should not have been sent), nothing.

Dedupe keys (`new:{channel}:{story}`, `edit|update:{channel}:{story}:{item}`)
are unique, and an item already in a story is not queued again, so running this
twice for the same item is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.feed_limits import FOLDED, HELD, over_hourly_limit
from alerts.render import (
    URGENCY_MARK,
    AlertView,
    Rendered,
    lang_of,
    render_alert,
    render_update,
    whole_ranges,
)
from alerts.routing import channel_accepts
from alerts.stories.assign import Assignment, ClassificationLike, assign_story
from alerts.summary import summarize
from core.config import AppConfig, ChannelConfig
from core.count import as_counts
from storage.alerts import (
    WITHDRAWN,
    alert_by_key,
    last_edit,
    last_edits_of,
    message_deleted,
    story_feed_names,
    update_key,
)
from storage.models import Alert, Item, Story
from storage.stories import detach_alert


def outlet_of(item: Item, config: AppConfig) -> str:
    feed = item.feed if item.feed is not None else None
    name = feed.name if feed is not None else ""
    conf = config.feed(name) if name else None
    return conf.display_name if conf else name


def story_outlets(session: Session, story: Story, config: AppConfig) -> list[str]:
    """Display names of the story's outlets, first seen first."""
    rows = story_feed_names(session, story.id)
    names: list[str] = []
    for name in rows:
        conf = config.feed(name)
        shown = conf.display_name if conf else name
        if shown not in names:
            names.append(shown)
    return names


def item_view(item: Item, c: ClassificationLike, config: AppConfig, *, also: list[str]) -> AlertView:
    terms = [t for topic in c.topics for t in c.matches.get(topic, [])]
    summary = summarize(
        text=item.text, summary=item.summary, title=item.title, terms=terms,
        numbers=[x.number for x in as_counts(c.counts)],
    )
    return AlertView(
        lang=lang_of(item.language), topics=list(c.topics), urgency=c.urgency,
        outlet=outlet_of(item, config),
        published=item.published_at.isoformat() if item.published_at else None,
        date_only=item.date_only, title=item.title, summary=summary, counts=[x.as_dict() for x in as_counts(c.counts) if x.confident],
        url=item.canonical_url or item.url, also=also,
    )


def _preview(channel: ChannelConfig, config: AppConfig) -> bool:
    return channel.link_previews if channel.link_previews is not None else config.settings.link_previews


def _existing(session: Session, key: str) -> Alert | None:
    return alert_by_key(session, key)


def _add(
    session: Session, alerts: list[Alert], *, key: str, now: datetime, status: str = "pending", **values: Any
) -> None:
    if _existing(session, key) is not None:
        return
    alert = Alert(dedupe_key=key, status=status, attempts=0, next_attempt_at=now, created_at=now, **values)
    session.add(alert)
    session.flush()
    alerts.append(alert)


def enqueue_for_item(
    session: Session, item: Item, classification: ClassificationLike, config: AppConfig, *, now: datetime
) -> list[Alert]:
    """Assign `item` to a story and queue the alerts it causes; return the new Alert rows."""
    c = classification
    if not c.topics or item.story_id is not None:
        return []
    assignment = assign_story(session, item, c, window=config.settings.story_window, now=now)
    story = assignment.story
    report = _Report(session, item, c, config, now, assignment, story_outlets(session, story, config))
    for channel in config.channels:
        if channel.mode == "instant" and set(channel.topics) & set(story.topics or []):
            _queue_in(report, channel)
    return report.alerts


@dataclass
class _Report:
    """An item's report being queued: what each channel's alert is made of."""

    session: Session
    item: Item
    c: ClassificationLike
    config: AppConfig
    now: datetime
    assignment: Assignment
    outlets: list[str]  # the story's, first seen first
    alerts: list[Alert] = field(default_factory=list)  # queued so far

    @property
    def story(self) -> Story:
        return self.assignment.story

    def add(self, channel: ChannelConfig, key: str, kind: str, r: Rendered, view: AlertView, *,
            status: str = "pending", reply_to_alert_id: int | None = None, **payload: Any) -> None:
        """Queue alert `key` of `kind` in `channel`: the rendered `r` of `view`, and `payload`."""
        _add(self.session, self.alerts, key=key, now=self.now, channel=channel.name, story_id=self.story.id,
             kind=kind, status=status, **({"reply_to_alert_id": reply_to_alert_id} if reply_to_alert_id is not None else {}),
             payload={"html": r.html, "text": r.text, "preview": _preview(channel, self.config),
                      "view": view.to_json(), **payload})

    def status(self, channel: ChannelConfig) -> str:
        return _status(self.session, self.item, channel, self.config, self.now)


def _queue_in(report: _Report, channel: ChannelConfig) -> None:
    """The alert the report causes in `channel`, an instant channel of one of its story's topics
    (module docstring)."""
    session, story, c, new_counts = report.session, report.story, report.c, report.assignment.new_counts
    first = _existing(session, f"new:{channel.name}:{story.id}")
    if first is None:
        if channel_accepts(channel, c.topics, c.urgency, report.item.language):
            _queue_first(report, channel)
        return
    if WITHDRAWN in (first.payload or {}):
        return  # an operator said the story's message should not have been sent (/wrong)
    # (not the figures this report tells in a reply of its own)
    name_sources(session, report.alerts, channel, story.id, report.item, c.counts, report.config, report.now,
                 told_here=new_counts)
    set_aside = first.status in (HELD, FOLDED) or message_deleted(first)
    if set_aside and not new_counts:
        return  # the story's message was folded, or deleted in the channel: nothing to edit
    if set_aside or first.status == FAILED:
        _queue_retold(report, channel, first)
    elif (urgent := _tells_it_urgently(session, channel.name, story.id, c.urgency)) or new_counts:
        _queue_update(report, channel, first, urgent=urgent)
    elif "revision_of" not in report.assignment.signals:  # else the outlet retitled its own item:
        _queue_edit(report, channel, first)  # the message names it already


def _queue_first(report: _Report, channel: ChannelConfig) -> None:
    """The story's first message in the channel: this report's own."""
    item, config = report.item, report.config
    mine = outlet_of(item, config)
    view = item_view(item, report.c, config, also=[o for o in report.outlets if o != mine])
    report.add(channel, f"new:{channel.name}:{report.story.id}", "new", render_alert(view, config.settings.tz), view,
               status=report.status(channel), item_id=item.id, feed_id=item.feed_id)


def _queue_retold(report: _Report, channel: ChannelConfig, first: Alert) -> None:
    """The story's message was never sent on its own (folded by its feed's hourly limit, or
    refused), or was deleted by the channel's admin: a new figure, or any next report of a
    refused one, is told in a message of the story's own."""
    item = report.item
    view, r = _retold(first, report.story, item, report.c, report.config, also=report.outlets)
    _set_aside(first)  # the fresh message is the story's
    report.session.flush()  # its key is free before the fresh message takes it
    told = first.payload or {}
    report.add(channel, f"new:{channel.name}:{report.story.id}", "new", r, view, status=report.status(channel),
               item_id=told.get("item_id", item.id), feed_id=told.get("feed_id", item.feed_id),
               retells_alert_id=first.id)


def _queue_update(report: _Report, channel: ChannelConfig, first: Alert, *, urgent: bool) -> None:
    """A reply to the story's message: the figures the story lacked, or the story told urgently
    for the first time."""
    item, c = report.item, report.c
    view = item_view(item, c, report.config, also=[])
    view.counts = [x.as_dict() for x in whole_ranges(report.assignment.new_counts, c.counts)]
    view.summary = ""
    view.lang = str((first.payload or {}).get("view", {}).get("lang") or view.lang)
    r = render_update(view, report.config.settings.tz, urgent=urgent)
    report.add(channel, update_key(channel.name, report.story.id, item.id), "update", r, view,
               status=report.status(channel), reply_to_alert_id=first.id, item_id=item.id, feed_id=item.feed_id)


def _queue_edit(report: _Report, channel: ChannelConfig, first: Alert) -> None:
    """An edit of the story's message naming the other outlets; none when they did not change."""
    story = report.story
    original = AlertView.from_json(dict((first.payload or {}).get("view") or {}))
    also = [o for o in report.outlets if o != original.outlet]
    if also == _latest_also(report.session, channel.name, story.id, original, since=first.id):
        return  # the same outlets again (a republished item): nothing to edit
    original.also = also
    r = render_alert(original, report.config.settings.tz)
    report.add(channel, f"edit:{channel.name}:{story.id}:{report.item.id}", "edit", r, original,
               item_id=report.item.id, target_alert_id=first.id)


def name_sources(session: Session, alerts: list[Alert], channel: ChannelConfig, story_id: int, item: Item,
                 counts: Any, config: AppConfig, now: datetime, *, told_here: Any = ()) -> int:
    """Name the source of a figure that the story's replies tell with no one stating it, where
    this report states it ("Anunciaron 116 nuevas excarcelaciones…", then "Gobierno informa de
    116…": the reply reads "+116 excarcelados según el Gobierno"). A reply not sent yet is
    rewritten; one sent is edited (an `edit` of the reply, added to `alerts`). Before, the
    channel kept "+116 excarcelados" with nobody stating it. Return the replies named.

    Not a figure in `told_here`, the figures this report is news for (a number now verified:
    it makes a reply of its own): "8 verificados por Foro Penal" was both a new reply and an
    edit of the earlier "8 excarcelados", two replies of one verification."""
    fresh = {(x.event, x.number) for x in as_counts(told_here)}
    stated = {(x.event, x.number, x.upto): x.source for x in as_counts(counts)
              if x.confident and x.source and (x.event, x.number) not in fresh}
    if not stated:
        return 0
    named = 0
    replies = session.scalars(select(Alert).where(
        Alert.channel == channel.name, Alert.story_id == story_id, Alert.kind == "update",
        Alert.status.in_(("pending", "sent"))).order_by(Alert.id)).all()
    edits = last_edits_of(session, channel.name, story_id, [r.id for r in replies if r.status == "sent"])
    for reply in replies:
        if message_deleted(reply) or WITHDRAWN in (reply.payload or {}):
            continue
        shown = edits.get(reply.id) or reply
        payload = dict(shown.payload or {})
        view = AlertView.from_json(dict(payload.get("view") or {}))
        told = [x.as_dict() for x in as_counts(view.counts or [])]
        sourced = [dict(x, source=stated[key]) if (key := _sourceless_figure(x, told)) in stated else x for x in told]
        if sourced == told:
            continue
        view.counts = sourced
        urgent = str((reply.payload or {}).get("text") or "").startswith(URGENCY_MARK["high"])
        r = render_update(view, config.settings.tz, urgent=urgent)
        if reply.status == "pending":
            payload.update(html=r.html, text=r.text, view=view.to_json())
            reply.payload = payload
        else:
            _add(session, alerts, key=f"edit:{channel.name}:{story_id}:{item.id}:{reply.id}", now=now,
                 channel=channel.name, story_id=story_id, kind="edit",
                 payload={"html": r.html, "text": r.text, "preview": (reply.payload or {}).get("preview", False),
                          "view": view.to_json(), "item_id": item.id, "target_alert_id": reply.id})
        named += 1
    return named


def _sourceless_figure(count: dict[str, Any], told: list[dict[str, Any]]) -> tuple[Any, ...] | None:
    """(event, number, upto) of a figure a reply tells with no source, for `name_sources`; None
    for one with a source. A range takes the source of that range only, and its upper end
    (stored as a figure of its own, shown as part of the range) the range's: "entre 84 y 100"
    (nobody named) read "84–100 verificados por Foro Penal · 100 excarcelados" once Foro
    Penal's 84 was reported again."""
    if count.get("source"):
        return None
    ranged = next((x for x in told if x.get("upto") == count["number"] and x["event"] == count["event"]
                   and not x.get("source")), count)
    return ranged["event"], ranged["number"], ranged.get("upto")


def _tells_it_urgently(session: Session, channel: str, story_id: int, urgency: str) -> bool:
    """Whether an urgent report is the first the channel's messages of the story tell as urgent.
    On 3 January the capture of Maduro (six urgent reports) joined a story first told by
    "Díaz-Balart destacó el liderazgo de Trump tras la captura de Maduro" (normal): the channel
    only saw "También: …" added to that statement, never the capture told as URGENTE. Such a
    report is now a reply marked urgent; later urgent reports edit the outlets in as before."""
    if urgency != "high":
        return False
    told = session.scalars(select(Alert.payload).where(
        Alert.channel == channel, Alert.story_id == story_id, Alert.kind.in_(("new", "update"))))
    return not any(((p or {}).get("view") or {}).get("urgency") == "high" for p in told)


def _status(session: Session, item: Item, channel: ChannelConfig, config: AppConfig, now: datetime) -> str:
    """`held` over the feed's hourly limit in this channel (alerts/feed_limits.py), else `pending`."""
    return HELD if over_hourly_limit(session, item, channel.name, config, now) else "pending"


def _latest_also(session: Session, channel: str, story_id: int, original: AlertView, *, since: int) -> list[str]:
    """The outlets the channel's message (alert `since`) names now, or will once its edits on
    their way are sent: an edit that failed or was superseded never reached the chat, and taking
    its outlets for named skipped the edit that would have named them."""
    last = last_edit(session, channel, story_id, after=since)
    view = (last.payload or {}).get("view") if last else None
    return list((view or {}).get("also") or original.also or [])


FAILED = "failed"  # the delivery worker gave the message up (a 400 other than the bot's rights)


def _retold(
    failed: Alert, story: Story, item: Item, c: ClassificationLike, config: AppConfig, *, also: list[str]
) -> tuple[AlertView, Rendered]:
    """The message of a story whose first message never reached the channel: that first report
    (in the language the channel took it in), naming every other outlet, with the story's
    figures and urgency as they are now."""
    stored = (failed.payload or {}).get("view")
    view = AlertView.from_json(dict(stored)) if stored else item_view(item, c, config, also=[])
    return _story_now(view, story, config, also=also)


def _story_now(view: AlertView, story: Story, config: AppConfig, *, also: list[str]) -> tuple[AlertView, Rendered]:
    """`view` naming every other outlet of `also`, with the story's figures and urgency now."""
    view.also = [o for o in also if o != view.outlet]
    view.counts = [x.as_dict() for x in as_counts(story.counts) if x.confident] or list(view.counts or [])
    view.urgency = story.urgency or view.urgency
    return view, render_alert(view, config.settings.tz)


def _set_aside(message: Alert) -> None:
    """The story's message that failed, was folded or was deleted in the chat leaves the story
    under a key of its own (`detach_alert`), named for why, so a fresh one can take its key."""
    detach_alert(message, "deleted" if message_deleted(message) else message.status)


def retell_in(session: Session, follow_up: Alert, failed: Alert, config: AppConfig) -> int | None:
    """Make `follow_up`, an edit or update queued behind its story's message `failed` (refused
    for good, so the channel never saw the story, or deleted there), that story's message: a `new` alert telling
    the story with what it has now, as a report after the failure does (`_retold`). Return its
    id; or the id of the alert that tells it already (an earlier follow-up, a later report),
    leaving `follow_up` as it is; None when it has no story to tell."""
    story = session.get(Story, follow_up.story_id) if follow_up.story_id is not None else None
    if story is None:
        return None
    key = f"new:{follow_up.channel}:{story.id}"
    holder = _existing(session, key)
    if holder is not None and holder.id != failed.id:
        return holder.id
    if failed.story_id != story.id:
        # a /split took the failed message's item, and the message with it, to another story:
        # the story left is told by the follow-up's own report, not by that item's headline
        return _tell_own(session, follow_up, story, config, key)
    stored = (failed.payload or {}).get("view") or (follow_up.payload or {}).get("view")
    if not stored:  # a row of a version that kept no view: nothing to render the story from
        return None
    view, r = _story_now(AlertView.from_json(dict(stored)), story, config,
                         also=story_outlets(session, story, config))
    if holder is not None:
        _set_aside(failed)  # (refused for good: its status is `failed`)
        session.flush()  # its key is free before the follow-up takes it
    p = failed.payload or {}
    _make_new(session, follow_up, key, view, r, item_id=p.get("item_id"), feed_id=p.get("feed_id"),
              retells=failed.id)
    return follow_up.id


def _tell_own(session: Session, follow_up: Alert, story: Story, config: AppConfig, key: str) -> int | None:
    """`follow_up` made the message of `story` from its own item (its report, the story's
    figures and outlets now); None when its channel would not take that item as a story."""
    item = session.get(Item, int((follow_up.payload or {}).get("item_id") or 0))
    channel = config.channel(follow_up.channel)
    topics, urgency = list(story.topics or []), story.urgency or "normal"
    if item is None or channel is None or not channel_accepts(channel, topics, urgency, item.language):
        return None
    view = AlertView(
        lang=lang_of(item.language), topics=topics, urgency=urgency, outlet=outlet_of(item, config),
        published=item.published_at.isoformat() if item.published_at else None, date_only=item.date_only,
        title=item.title, summary=summarize(text=item.text, summary=item.summary, title=item.title,
                                            terms=[t for m in item.matches for t in m.terms or []], numbers=[]),
        url=item.canonical_url or item.url,
    )
    view, r = _story_now(view, story, config, also=story_outlets(session, story, config))
    _make_new(session, follow_up, key, view, r, item_id=item.id, feed_id=item.feed_id, retells=None)
    return follow_up.id


def _make_new(session: Session, follow_up: Alert, key: str, view: AlertView, r: Rendered, *,
              item_id: Any, feed_id: Any, retells: int | None) -> None:
    """`follow_up` turned into the story's `new` message `view` (rendered `r`) under `key`."""
    follow_up.kind, follow_up.dedupe_key, follow_up.reply_to_alert_id = "new", key, None
    follow_up.payload = {
        "html": r.html, "text": r.text, "preview": (follow_up.payload or {}).get("preview", False),
        "view": view.to_json(), "item_id": item_id, "feed_id": feed_id,
        **({"retells_alert_id": retells} if retells is not None else {}),
    }
    session.flush()


