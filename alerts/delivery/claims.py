"""Claiming a queue's head: a conditional UPDATE that one worker of several wins, which is
also a slot of the chat's rate window that replicas share, and which finds an alert the
journal of sends says went out already (core/restore_marks.py) and marks it sent instead."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from alerts.delivery.shared import Claimed, Head, WorkerBase, log, rate_key
from core.config import ChannelConfig
from core.restore_marks import SentMark, line_saying, load_sent
from storage.alerts import (
    SENT_CHAT,
    WITHDRAWN,
    chat_sends,
    claim_alert,
    claims_held,
    claims_skew,
    finish_alert,
    journal_keys,
    lock_chat,
)
from storage.models import Alert


def journaled(sent: Mapping[str, SentMark], row: Alert) -> SentMark | None:
    """The line of journal `sent` saying alert `row` went out, under its key now or the key it
    was claimed under (`storage.alerts.journal_keys`: a merge or split re-keys a message on its
    way), with its content: the key alone may be another event's (a restored database's)."""
    for key in journal_keys(row):
        if (mark := line_saying(sent.get(key), row.payload or {})) is not None:
            return mark
    return None


class _WindowFull(Exception):
    """A claim undone: the chat's rate window is full for `wait` more seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__(wait)
        self.wait = wait


class Claims(WorkerBase):
    """Called by the worker for each head a round sends (heads.py)."""

    def _claim(self, head: Head, conf: ChannelConfig) -> Claimed | float | None:
        """Claim `head`; None when another worker has it. For a chat, the claim is also a slot of
        its rate window, which replicas share through the outbox: when their sends of the last
        window (and those on their way) fill it, the claim is undone and the seconds until a
        slot frees are returned. Each replica counting only its own sends let N replicas send
        N×20 a minute to one chat, and Telegram answered 429."""
        now = self.clock.now()
        chat = None if self._is_console(conf) else self._chat_channels(conf)
        try:
            with self.db.session() as session:
                if chat:
                    lock_chat(session, chat)
                row = claim_alert(session, head.id, now, self.stale_after)
                if row is None:
                    return None
                mark = self._sent_mark(head, row)
                if mark is not None:
                    self._sent_already(session, row, mark)
                    return None
                row.claimed_key = row.dedupe_key  # this claim's send is journaled under it
                if WITHDRAWN in (row.payload or {}):  # /wrong while a dead process's claim had it
                    finish_alert(session, row.id, status=WITHDRAWN, claimed_at=None,
                                 last_error=str((row.payload or {})[WITHDRAWN]))
                    return None
                skew = claims_skew(session, self.clock.now)  # sends are stamped by the claims' clock
                if chat and (wait := self._window_wait(session, chat, row.id, self.clock.now() + skew)) > 0:
                    raise _WindowFull(wait)  # rolls the claim back
                return Claimed(row.id, row.channel, row.kind, dict(row.payload or {}), row.attempts,
                               row.reply_to_alert_id, row.dedupe_key, skew=skew)
        except _WindowFull as full:
            return full.wait

    def _settle_journaled(self) -> int:
        """At the start: the claims whose send the journal of sends has (its key, and the same
        payload) are marked sent at once; how many. Left to the takeover, such a claim of the
        process before (killed before its record went in) waited `delivery_lease` (45 s) and held
        its channel's queue meanwhile. Safe whoever holds the claim: the journal's line is written
        once Telegram has answered, so a live replica that claimed it (PostgreSQL, same working
        directory) has sent it and can only be about to record it; both records are conditional
        on `sending` and say the same, the first one counts."""
        if not self.sent_before:
            return 0
        settled = 0
        with self.db.session() as session:
            for row in claims_held(session):
                if (mark := journaled(self.sent_before, row)) is not None:
                    self._sent_already(session, row, mark)
                    settled += 1
        return settled

    def _sent_mark(self, head: Head, row: Alert) -> SentMark | None:
        """The journal's line of claimed alert `row` sent already, with its content. A stale claim
        taken over (`sending`) is looked up in the journal as it is now: the process that claimed
        it may have sent it after this one started and stopped before its record went in (a
        frozen database server, the stop's grace), another replica in this working directory or
        `poll-once` beside the service; read at the start alone, it was sent a second time."""
        mark = journaled(self.sent_before, row) or journaled(self.sent_here, row)
        if mark is None and head.status == "sending" and not self.dry_run:
            mark = journaled(load_sent(self._marks), row)
        return mark

    @staticmethod
    def _sent_already(session: Session, row: Alert, mark: SentMark) -> None:
        """Alert `row`, queued in the database, was sent before it was restored from a backup:
        marked sent as the message it was, so that the story's edits and replies find it."""
        payload = dict(row.payload or {})
        if mark.chat is not None:
            payload[SENT_CHAT] = mark.chat
        finish_alert(session, row.id, status="sent", sent_at=mark.at, claimed_at=None,
                     telegram_message_id=mark.message_id, payload=payload,
                     last_error="sent, its record lost to a stop or a crash or to a restored backup")
        log.warning("alert %d to %s is queued in the database but was sent at %s (message %s): its record "
                    "did not reach the database (a database error, a stop or a crash), or the database was "
                    "restored from a backup; marked sent, not sent again", row.id, row.channel,
                    mark.at.strftime("%Y-%m-%d %H:%M:%S UTC"), mark.message_id)

    def _chat_channels(self, conf: ChannelConfig) -> list[str]:
        """The channels that post to `conf`'s chat: Telegram counts their messages together."""
        key = rate_key(conf)
        return [c.name for c in self.config.channels if not self._is_console(c) and rate_key(c) == key]

    def _window_wait(self, session: Session, chat: list[str], alert_id: int, now: datetime) -> float:
        """Seconds until the chat's shared window has a slot for alert `alert_id` (0: now); `now` by
        the clock its sends are stamped by (`claims_now`)."""
        window, per_chat = self.limiter.window, self.limiter.per_chat
        sent, in_flight = chat_sends(session, chat, now - timedelta(seconds=window), now, self.stale_after,
                                     leave_out=alert_id)
        ages = sorted([0.0] * in_flight + [max(0.0, (now - at).total_seconds()) for at in sent])
        if len(ages) < per_chat:
            return 0.0
        return max(0.0, window - ages[per_chat - 1])
