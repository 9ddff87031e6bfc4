"""One claimed alert sent to Telegram, and what its answer makes of it: sent; HTML refused,
sent again as plain text; the chat migrated, sent there; a 429, a forbidden chat, a refusal
for good or a failure to retry (`alerts.telegram.classify_error`)."""

from __future__ import annotations

import asyncio
import base64

from telegram.error import TelegramError

from alerts.delivery.shared import PHOTO, Claimed, DeliveryStats, WorkerBase, log, rate_key
from alerts.render import fit_plain, html_fits
from alerts.telegram import (
    Failure,
    classify_error,
    edit_refused,
    message_gone,
    photo_refused,
    reply_gone,
)
from core.config import ChannelConfig
from storage.alerts import (
    SENT_CHAT,
    channel_named,
    disable_channel,
    message_in_chat,
    move_channel,
)


class Sends(WorkerBase):
    """Uses the edits' steps (`_retell`, `_edit_ready`, `_edit_failed`, `_reply_gone`:
    edits.py), `_retry` and `_api_answered` (backoff.py) and `_record_sent` (record.py)."""

    async def _send_telegram(self, conf: ChannelConfig, claimed: Claimed, stats: DeliveryStats) -> None:
        assert self.sender is not None
        if claimed.kind == PHOTO:
            await self._send_photo(conf, claimed, stats)
            return
        preview = bool(claimed.payload.get("preview", False))  # as claimed, before a retelling
        if claimed.kind in ("edit", "update"):
            retold = await asyncio.to_thread(self._retell, claimed)
            if retold is None:
                return
            claimed = retold
        if claimed.kind == "edit" and not await self._edit_ready(claimed, stats):
            return
        await self._send_text(conf, claimed, preview, stats)

    async def _send_text(self, conf: ChannelConfig, claimed: Claimed, preview: bool, stats: DeliveryStats) -> None:
        """A message, an edit of the story's message or a reply to it, sent in HTML or plain text."""
        p = claimed.payload
        edit_of: int | None = None
        reply_to: int | None = None
        html_mode, note = True, None
        for _ in range(4):  # HTML, then plain text; one chat migration; a reply to a deleted message
            # Message ids are per chat: one sent before a migration is not in the chat used now,
            # where its id is another message's. There the edit or update goes out as a message
            # of its own (the edit's whole text; no reply), and later edits edit that one.
            if claimed.kind == "edit":
                chat_id, edit_of = await asyncio.to_thread(self._chat_and_message, conf, p.get("target_alert_id"))
            else:
                chat_id, reply_to = await asyncio.to_thread(self._chat_and_message, conf, claimed.reply_to_alert_id)
            text = p.get("html") if html_mode else fit_plain(p.get("text") or "")
            if html_mode and not html_fits(text or ""):  # queued by an older version: too long
                html_mode, note = False, "sent as plain text: the HTML was over Telegram's limit"
                continue
            await self.limiter.acquire_global()
            try:
                message_id = await self._post(chat_id, text or "", html_mode, preview, edit_of, reply_to)
            except TelegramError as exc:
                failure = classify_error(exc, self.runtime.bot_token)
                if failure.action != "rate_limited":
                    self.limiter.record(rate_key(conf))
                if edit_of is not None and (message_gone(exc) or edit_refused(exc)):
                    await self._edit_failed(conf, claimed, exc, failure, stats)
                    return
                if reply_to is not None and reply_gone(exc):
                    retold = await asyncio.to_thread(self._reply_gone, conf, claimed)
                    if retold is None:
                        return
                    claimed, p = retold, retold.payload
                    continue
                if failure.action == "plain_text" and html_mode:
                    log.warning("alert %d to %s: Telegram rejected the HTML (%s); resending as plain text",
                                claimed.id, conf.name, failure.message)
                    html_mode, note = False, f"sent as plain text after: {failure.message}"
                    continue
                if failure.action == "migrated" and failure.new_chat_id is not None:
                    await asyncio.to_thread(self._migrate, conf, failure.new_chat_id)
                    continue
                if failure.action == "not_modified":
                    message_id = edit_of
                else:
                    await self._handle_failure(conf, claimed, failure, stats)
                    return
            else:
                self.limiter.record(rate_key(conf))
            if claimed.kind == "edit" and edit_of is None:
                note = note or "sent as a message of its own: the message to edit is in a chat migrated from"
            await self._record_sent(claimed, telegram_message_id=message_id, last_error=note,
                                    payload={**p, SENT_CHAT: chat_id})
            stats.sent += 1
            await self._api_answered()
            return
        await self._retry(claimed, "gave up after repeated migrations or fallbacks", stats)

    async def _post(self, chat_id: str, text: str, html: bool, preview: bool,
                    edit_of: int | None, reply_to: int | None) -> int | None:
        """Message `edit_of` edited to `text`, or `text` sent (a reply to `reply_to`): its id."""
        assert self.sender is not None
        if edit_of is not None:
            await self.sender.edit(chat_id, edit_of, text, html=html, preview=preview)
            return edit_of
        return await self.sender.send(chat_id, text, html=html, preview=preview, reply_to=reply_to)

    async def _send_photo(self, conf: ChannelConfig, claimed: Claimed, stats: DeliveryStats) -> None:
        """A queued photo (the tally's chart): the PNG stored in the payload as base64, so a
        retry after an outage or a restart sends the very chart that was queued."""
        assert self.sender is not None
        png = base64.b64decode(claimed.payload.get("photo_b64") or "")
        caption = str(claimed.payload.get("caption") or "")
        for _ in range(2):  # one chat migration
            chat_id, _ = await asyncio.to_thread(self._chat_and_message, conf, None)
            await self.limiter.acquire_global()
            try:
                message_id = await self.sender.send_photo(chat_id, png, caption)
            except TelegramError as exc:
                failure = classify_error(exc, self.runtime.bot_token)
                if failure.action != "rate_limited":
                    self.limiter.record(rate_key(conf))
                if failure.action == "migrated" and failure.new_chat_id is not None:
                    await asyncio.to_thread(self._migrate, conf, failure.new_chat_id)
                    continue
                if photo_refused(exc):  # the chat takes text, not photos: the chart alone fails
                    failure = Failure("fail", f"{failure.message}: give the bot the right to send photos "
                                              f"there, or set tally_chart: off for channel {conf.name}")
                await self._handle_failure(conf, claimed, failure, stats)
                return
            self.limiter.record(rate_key(conf))
            sent = {k: v for k, v in claimed.payload.items() if k != "photo_b64"}  # 150 KB a chart, kept for ever
            await self._record_sent(claimed, telegram_message_id=message_id, last_error=None,
                                    payload={**sent, SENT_CHAT: chat_id})
            stats.sent += 1
            await self._api_answered()
            return
        await self._retry(claimed, "gave up after repeated chat migrations", stats)

    async def _handle_failure(self, conf: ChannelConfig, claimed: Claimed, f: Failure, stats: DeliveryStats) -> None:
        if f.action == "rate_limited":
            self.limiter.block(rate_key(conf), f.retry_after)
            log.warning("alert %d to %s: 429, waiting %.0f s", claimed.id, conf.name, f.retry_after)
            await self._retry(claimed, f.message, stats, delay=f.retry_after)
        elif f.action == "forbidden":
            log.error("channel %s disabled: %s (its queue is kept): once the bot may post in %s "
                      "(an administrator of a channel), run `monitor channels enable %s` or send "
                      "/enable %s in the admin chat", conf.name, f.message, conf.chat_id, conf.name, conf.name)
            await asyncio.to_thread(self._disable, conf.name, claimed.id, f.message)
            stats.deferred += 1
        elif f.action in ("fail", "plain_text"):
            log.error("alert %d to %s failed: %s", claimed.id, conf.name, f.message)
            await asyncio.to_thread(self._finish, claimed.id, status="failed", claimed_at=None,
                                    last_error=f.message)
            stats.failed += 1
        else:
            log.warning("alert %d to %s: %s; will retry", claimed.id, conf.name, f.message)
            self.health.failed(conf.name, self.clock.now(), f.message)
            await self._retry(claimed, f.message, stats)

    def _disable(self, channel: str, alert_id: int, reason: str) -> None:
        with self.db.session() as session:
            disable_channel(session, channel, reason)
        self._finish(alert_id, status="pending", claimed_at=None, last_error=reason,
                     next_attempt_at=self.clock.now())

    def _migrate(self, conf: ChannelConfig, new_chat_id: int) -> None:
        log.warning("channel %s: Telegram moved chat %s to %d (a group became a supergroup); sending "
                    "there from now on: write chat_id: %d for it in feeds.yaml", conf.name, conf.chat_id,
                    new_chat_id, new_chat_id)
        with self.db.session() as session:
            move_channel(session, conf.name, str(new_chat_id))

    def _chat_and_message(self, conf: ChannelConfig, alert_id: int | None) -> tuple[str, int | None]:
        """The chat the channel posts to now, and the message standing for alert `alert_id`'s
        in it (storage.alerts.message_in_chat): None when there is no such alert or its message
        is in another chat, one the channel was migrated from."""
        with self.db.session() as session:
            row = channel_named(session, conf.name)
            chat_id = row.chat_id if row else conf.chat_id
            if alert_id is None:
                return chat_id, None
            return chat_id, message_in_chat(session, alert_id, chat_id,
                                            unrecorded=row.configured_chat_id if row else conf.chat_id)
