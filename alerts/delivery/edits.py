"""Edits and replies: an alert that edits its story's message or replies to it. Before it
is sent: left unsent for a later edit of the same message, told whole when the story's
message failed or was deleted, withdrawn with it, held while that message is unsent. When
Telegram answers that the message is gone or would not be edited: what becomes of it."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlalchemy.orm import Session
from telegram.error import TelegramError

from alerts.delivery.shared import SUPERSEDED, Claimed, DeliveryStats, WorkerBase, log
from alerts.feed_limits import FOLDED
from alerts.outbox import FAILED, retell_in
from alerts.telegram import Failure, message_gone
from core.config import ChannelConfig
from storage.alerts import (
    WITHDRAWN,
    finish_alert,
    later_edit,
    mark_deleted,
    message_deleted,
    update_key,
)
from storage.models import Alert, Item


class EditsAndReplies(WorkerBase):
    """Called by send.py; uses `_retry` (backoff.py)."""

    async def _edit_ready(self, claimed: Claimed, stats: DeliveryStats) -> bool:
        """Whether claimed edit `claimed` is to be sent now. Not when a later edit supersedes it,
        nor when its message is not there to edit: deleted in the chat or never delivered (the
        edit fails), or not sent yet (it is tried again in 5 s)."""
        if await asyncio.to_thread(self._supersede, claimed.id):
            return False
        status, message = await asyncio.to_thread(self._target, claimed.payload.get("target_alert_id"))
        if message is not None:
            return True
        if status == "deleted":  # the admin's deletion stands: nothing to edit, nothing to tell
            await asyncio.to_thread(
                self._finish, claimed.id, status="failed", claimed_at=None,
                last_error="not sent: the message to edit was deleted in the chat")
            stats.failed += 1
        elif status in ("pending", "sending"):
            await self._retry(claimed, "the message to edit is not sent yet", stats, delay=5.0)
        else:
            await asyncio.to_thread(
                self._finish, claimed.id, status="failed", claimed_at=None,
                last_error=f"the message to edit was not delivered ({status})")
            stats.failed += 1
        return False

    def _supersede(self, alert_id: int) -> bool:
        """Leave claimed edit `alert_id` unsent when a later edit of its message is queued in
        its channel (reports of a story queued while the Bot API was down): that one tells
        the message's final state, and each edit counts against the chat's rate limit."""
        with self.db.session() as session:
            row = session.get(Alert, alert_id)
            later = later_edit(session, row) if row is not None else None
            if later is None:
                return False
            finish_alert(session, alert_id, status=SUPERSEDED, claimed_at=None,
                         last_error=f"not sent: alert #{later}, a later edit of the same message, is queued")
            return True

    def _retell(self, claimed: Claimed) -> Claimed | None:
        """Claimed edit or update `claimed` of a story whose message failed for good (the channel
        never saw the story; for an update, also one deleted in the chat or folded into a
        catch-up), or went to another story with its item (a /split: `_moved`): as it would
        only edit nothing or reply to nothing, or tell this story on another's message, it
        becomes the story's message, told whole (`outbox.retell_in`), and is returned to be
        sent so. None when another alert tells the story: this one is left `superseded`; when
        an operator withdrew the story's message (/wrong), or the channel would not take the
        story left by a split on its own: it ends `withdrawn`, whoever queued it."""
        target = claimed.payload.get("target_alert_id") if claimed.kind == "edit" else claimed.reply_to_alert_id
        if target is None:
            return claimed
        with self.db.session() as session:
            first, row = session.get(Alert, int(target)), session.get(Alert, claimed.id)
            if first is not None and row is not None and WITHDRAWN in (first.payload or {}):
                # queued by another replica as the /wrong was answered, unseen by it
                finish_alert(session, row.id, status=WITHDRAWN, claimed_at=None,
                             last_error=str(first.payload[WITHDRAWN]))
                return None
            if first is None or row is None:
                return claimed
            # an update's story message deleted in the chat, or folded into a catch-up (queued by
            # the pipeline as the fold committed: alerts/catch_up.py), has nothing to reply to
            moved = _moved(first, row)
            if moved and _went_along(session, row, first):
                return self._gone_along(session, claimed, row, first)
            gone = moved or first.status == FAILED or _printed(first) or (
                claimed.kind == "update" and (message_deleted(first) or first.status == FOLDED))
            if not gone:
                return claimed
            teller = retell_in(session, row, first, self.config)
            if teller is None and moved:  # its channel does not take the story left as a story of its own
                finish_alert(session, row.id, status=WITHDRAWN, claimed_at=None,
                             last_error=f"not sent: the story's message (alert #{first.id}) {_why_gone(first, row)}, "
                                        f"and {row.channel} does not take story {row.story_id} on its own")
                return None
            if teller is None:
                return claimed
            if teller != row.id:
                finish_alert(session, row.id, status=SUPERSEDED, claimed_at=None,
                             last_error=f"not sent: the story's message (alert #{first.id}) {_why_gone(first, row)}; "
                                        f"alert #{teller} tells the story afresh")
                return None
            log.info("alert %d to %s: the story's message (alert %d) %s; the story is told afresh "
                     "in this one", row.id, row.channel, first.id, _why_gone(first, row))
            # under the story's key it now holds: its send is journaled as the row the database has,
            # and found so should a merge or split re-key the row again while it is on its way
            row.claimed_key = row.dedupe_key
            return replace(claimed, kind=row.kind, payload=dict(row.payload or {}), reply_to_alert_id=None,
                           dedupe_key=row.dedupe_key)

    @staticmethod
    def _gone_along(session: Session, claimed: Claimed, row: Alert, message: Alert) -> Claimed | None:
        """Claimed follow-up `row` whose item went with the story's message `message` to another
        story (a /split as it was claimed: a revision's figure), made what the split makes of one
        still queued (`alerts.stories.assign._requeue_split`): an update stays the reply it was,
        in the new story, under its key there; an edit, which tells the story left, is withdrawn."""
        why = f"split: its item moved to story {message.story_id}"
        if row.kind == "edit":
            finish_alert(session, row.id, status=WITHDRAWN, claimed_at=None, last_error=why)
            return None
        row.story_id = message.story_id
        row.dedupe_key = row.claimed_key = update_key(row.channel, message.story_id, (row.payload or {})["item_id"])
        log.info("alert %d to %s: %s with the message it replies to (alert %d)", row.id, row.channel, why, message.id)
        return replace(claimed, dedupe_key=row.dedupe_key)

    def _target(self, alert_id: int | None) -> tuple[str | None, int | None]:
        """The status of alert `alert_id` and its message id; "deleted" when its message was
        deleted in the chat."""
        if alert_id is None:
            return None, None
        with self.db.session() as session:
            row = session.get(Alert, alert_id)
            if row is not None and message_deleted(row):
                return "deleted", None
            return (row.status, row.telegram_message_id) if row else (None, None)

    def _deleted(self, conf: ChannelConfig, alert_id: int) -> None:
        """Alert `alert_id`'s message is gone from the chat (a channel admin deleted it): its
        story's edits there are dropped from now on, and a new figure tells the story whole."""
        with self.db.session() as session:
            if mark_deleted(session, alert_id):
                log.warning("alert %d's message in %s was deleted in the chat: the story's edits there "
                            "are dropped, a new figure tells the story afresh", alert_id, conf.name)

    async def _edit_failed(self, conf: ChannelConfig, claimed: Claimed, exc: TelegramError, f: Failure,
                           stats: DeliveryStats) -> None:
        """Telegram answered edit `claimed` that its message is gone (`message_gone`: deleted in
        the chat, this edit fails and the story's message is marked so) or that it will not edit
        it (`edit_refused`)."""
        if message_gone(exc):
            await asyncio.to_thread(self._deleted, conf, int(claimed.payload["target_alert_id"]))
            await asyncio.to_thread(self._finish, claimed.id, status="failed", claimed_at=None,
                                    last_error=f"not sent: the message to edit is gone ({f.message})")
            stats.failed += 1
            return
        await self._edit_refused(conf, claimed, f, stats)

    async def _edit_refused(self, conf: ChannelConfig, claimed: Claimed, f: Failure, stats: DeliveryStats) -> None:
        """Telegram would not edit the story's message, which is still in the chat: this edit
        is dropped, nothing else. The message is not taken for deleted, so the story's next
        figure is a reply to it, not the whole story told again, and its next edit is tried."""
        log.warning("alert %d to %s: Telegram refused to edit the story's message (alert %s), which stays "
                    "as it was: %s", claimed.id, conf.name, claimed.payload.get("target_alert_id"), f.message)
        await asyncio.to_thread(self._finish, claimed.id, status="failed", claimed_at=None,
                                last_error=f"not sent: Telegram refused to edit the message ({f.message})")
        stats.failed += 1

    def _reply_gone(self, conf: ChannelConfig, claimed: Claimed) -> Claimed | None:
        """Update `claimed` found the message it replies to deleted: the story told whole instead."""
        if claimed.reply_to_alert_id is not None:
            self._deleted(conf, claimed.reply_to_alert_id)
        return self._retell(claimed)


def _printed(message: Alert) -> bool:
    """A story's message "sent" with no message id: printed to the console while no bot token
    was set (a trial run, an env file not loaded). The chat never saw the story: before, its
    next reports' edits failed (`the message to edit was not delivered (sent)`) and a new
    figure went out as a reply to nothing, so the story never reached the channel."""
    return message.status == "sent" and message.kind == "new" and message.telegram_message_id is None


def _moved(message: Alert, follow_up: Alert) -> bool:
    """Whether the story's message `message` that edit or update `follow_up` was queued against
    is another story's now: a /split took the item it tells out of the follow-up's story, and
    the message with it (`storage.stories.move_messages_of_item`). Sent there, the follow-up
    would tell the story left in the split-off story's message ("También: …" naming the other
    event's outlet, or its figure as a reply)."""
    return message.story_id is not None and follow_up.story_id is not None and message.story_id != follow_up.story_id


def _went_along(session: Session, follow_up: Alert, message: Alert) -> bool:
    """Whether the item of `follow_up` went with the story's message `message` to its new story
    (a revision of the item the split took out): the follow-up was claimed as the split
    committed and kept its story's number, but the message it was queued against is still its
    item's. Told as the story left, it became a second message of the item's event in the story
    it had left."""
    item = session.get(Item, int((follow_up.payload or {}).get("item_id") or 0))
    return item is not None and item.story_id == message.story_id


def _why_gone(message: Alert, follow_up: Alert) -> str:
    """Why the channel has no story message for `follow_up` to edit or reply to, for the log."""
    if message.status == FAILED:
        return "failed"
    if _printed(message):
        return "was printed to the console (no bot token then), never sent to the chat"
    if _moved(message, follow_up):
        return f"went to story {message.story_id} with the item it tells (a split)"
    return "was folded into a catch-up" if message.status == FOLDED else "was deleted in the chat"
