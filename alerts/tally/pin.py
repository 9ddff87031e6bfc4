"""The live figures pinned at the top of a channel (`channels[].pin_tally: true`).

One message per channel, sent once and pinned once (pinChatMessage, without notifying the
members), then edited in place (editMessageText) when a figure changes, at most once every
`PIN_EDIT_EVERY`. Its id, text and state live in `tally_pins` (storage/pins.py), so a restart
edits the same message. A message deleted in the chat is found at the next edit ("message to
edit not found") and sent and pinned again. A chat where the bot may not pin keeps the message
unpinned and up to date; the operator is told once in the admin chat (`refusal_reported`), and
each later edit tries to pin again (the right may have been granted since).

Run by the leader only (monitor/service/housekeeping.py); `tick()` once a minute. Sending a new message
takes the lease `pin:<channel>` first and looks at the stored id again under it, so around a
change of leader two replicas never both send one (the second finds the first's id). The tally is loaded
only when a channel is due: not looked at for `PIN_EDIT_EVERY` (a channel with no figure yet
too), or its last round failed (then the next minute).
"""

from __future__ import annotations

import asyncio
import html
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, tzinfo

from telegram.error import TelegramError

from alerts.digest import CLOCK_SET_BACK
from alerts.render import COUNT_LABELS, QUALIFIERS, figure, lang_of, local_day, tg_len, topic_label
from alerts.tally.figures import OTHER, Figure, Tally, load_tally
from alerts.telegram import classify_error, message_gone, pin_refused, sender_for
from core.clock import Clock, SystemClock
from core.config import AppConfig, ChannelConfig, Runtime
from core.count import GOVERNMENT, source_label
from core.logs import redact
from core.restore_marks import load_pins, marks_path, record_pin
from storage.alerts import channel_named, move_channel
from storage.db import Database
from storage.leases import release, shares_clock, take
from storage.pins import mark_refusal_reported, pin_of, save_pin, unreported_refusals

log = logging.getLogger("alerts.tally.figures")

PIN_EDIT_EVERY = timedelta(minutes=10)  # edits, and looks at the figures, at most this often
RETRY_EVERY = timedelta(seconds=55)  # after a failed round (network, 5xx, 429): the next minute
MAX_FLAGGED = 2  # flagged (10x jump) figures named in the message, newest first
MAX_DISPUTED = 3  # figures disagreeing with a headline figure, most stated first
PIN_LIMIT = 4000  # under Telegram's 4,096 characters of a message
CREATE_LEASE = timedelta(minutes=2)  # longer than a send and a pin with their timeouts


def pin_lease(channel: str) -> str:
    return f"pin:{channel}"


class _CreationLease:
    """One round's creation lease, taken in a worker thread, given back by whichever of the
    round and that thread ends last.

    A stop cancels the round where it awaits, and a thread it awaited goes on: cancelled while
    the thread took the lease, the round left before its `finally` and the lease stayed held
    until it expired (CREATE_LEASE): after a restart the message waited up to 2 minutes. Now
    the round, leaving, gives it back when the take has ended (`leave` says so), and a take
    still running when the round left gives it back itself; a take not yet started takes
    nothing. Only a kill -9 leaves it to the expiry."""

    def __init__(self, pins: TallyPins, name: str, channel: str, chat_id: str, now: datetime) -> None:
        self.name = name
        self._pins, self._channel, self._chat_id, self._now = pins, channel, chat_id, now
        self._lock = threading.Lock()
        self._state = "waiting"  # -> "taking" -> "ended"
        self._taken = False
        self._left = False  # the round is gone (done, or cancelled)

    def take(self) -> tuple[bool, int | None]:
        """In the worker thread: `TallyPins._take_lease`, unless the round has left."""
        with self._lock:
            if self._left:
                return False, None
            self._state = "taking"
        taken, stored = False, None
        try:
            taken, stored = self._pins._take_lease(self.name, self._channel, self._chat_id, self._now)
        finally:
            with self._lock:
                self._state, self._taken = "ended", taken
                orphaned = taken and self._left
            if orphaned:  # the round was cancelled meanwhile: nobody else will give it back
                self._pins._release(self.name)
        return taken, stored

    def leave(self) -> bool:
        """The round is done with the lease: whether it must give it back itself."""
        with self._lock:
            self._left = True
            return self._state == "ended" and self._taken


# The message's words per language: a channel reads its figures in the language its alerts
# and roundups are in (`channel_lang`), not English in a Spanish channel.
PIN_WORDS: dict[str, dict[str, str]] = {
    "es": {
        "title": "{topic}: las cifras más recientes", "held": "Siguen presos",
        "announced": "Excarcelados, anunciados por el Gobierno", "verified": "Excarcelados, verificados por ONG",
        "no_rights": "sin cifra de una ONG de derechos humanos", "disputed": "En disputa",
        "quoted": "{source} citado por {outlet}", "more": "y {n} cifras más en disputa (monitor tally)",
        "flagged": "Señalada, no contada", "jump": "10 veces las cifras anteriores",
        "drop": "una décima parte o menos de las cifras anteriores", "other": "otra fuente",
        "the government": "el Gobierno",
    },
    "en": {
        "title": "{topic}: the figures now", "held": "Still held",
        "announced": "Released, announced by the government", "verified": "Released, verified by rights groups",
        "no_rights": "no rights group's figure", "disputed": "Disputed",
        "quoted": "{source} as quoted by {outlet}", "more": "and {n} more disputed figures (monitor tally)",
        "flagged": "Flagged, not counted", "jump": "10× the figures before it",
        "drop": "a tenth or less of the figures before it", "other": "other",
    },
}


def channel_lang(channel: ChannelConfig) -> str:
    """The language a channel is written to: its first `languages`, else Spanish (as its
    roundups, alerts/digest.py)."""
    return channel.languages[0] if channel.languages else "es"


def _day(f: Figure, tz: tzinfo, lang: str) -> str:
    local = f.date.astimezone(tz)
    return local.strftime("%Y-%m-%d") if lang == "en" else local_day(local, lang)


def _who(f: Figure, lang: str) -> str:
    """Who stated it, named as the channel's alerts name it ("el Gobierno", "la ONU", "EE. UU.");
    a figure of a source the tally does not know, with its outlet."""
    words = PIN_WORDS[lang]
    if f.source == OTHER:
        return f"{words['other']}, {f.outlet}"
    if lang == "en":  # the tally's canonical names are English
        return f.source
    return words["the government"] if f.source == GOVERNMENT else source_label(f.source, lang)


def _stated(f: Figure, lang: str) -> str:
    """The number as it was stated, as the channel writes it: "al menos 711", "1.000"."""
    number = figure(f.number, lang)
    return f"{QUALIFIERS[lang].get(f.qualifier, f.qualifier)} {number}" if f.qualifier else number


def _event(f: Figure, lang: str) -> str:
    return COUNT_LABELS[lang].get(f.event, f.event)


def _jump_way(f: Figure, headline: Iterable[tuple[str, Figure]]) -> str:
    """"drop" when a flagged figure is under the figure of its event shown above it (a held
    figure is flagged either way: "2 presos" beside Foro Penal's 780 is a tenth, not 10×)."""
    shown = [h.number for event, h in headline if event == f.event]
    return "drop" if shown and f.number < min(shown) else "jump"


def pin_text(tally: Tally, topics: Iterable[str], tz: tzinfo = UTC, lang: str = "en") -> str | None:
    """The live figures of `topics` as Telegram HTML in `lang`, dated in `tz`
    (settings.timezone); None when none has a figure yet.

    Per topic: still held, releases announced and verified (each with source and date), the
    figures that disagree with them (side by side, with the outlet that stated them), and the
    newest figures flagged as a 10x jump (shown, not counted)."""
    e = html.escape
    lang = lang_of(lang)
    w = PIN_WORDS[lang]
    blocks: list[str] = []
    for topic in topics:
        state = tally.topics.get(topic)
        if state is None:
            continue
        lines = [f"📌 <b>{e(w['title'].format(topic=topic_label(topic, lang)))}</b>"]
        headline: list[tuple[str, Figure]] = []
        if state.still_held is not None:
            f = state.still_held
            note = "" if state.held_credible else f", {w['no_rights']}"
            lines.append(f"• {w['held']}: <b>{e(_stated(f, lang))}</b> ({e(_who(f, lang))}, {_day(f, tz, lang)}{note})")
            headline.append(("held", f))
        for key, line in (("announced", state.announced), ("verified", state.verified)):
            if line:
                _, _, f = line[-1]  # the figure that set the line's highest number
                lines.append(f"• {w[key]}: <b>{e(_stated(f, lang))}</b> ({e(_who(f, lang))}, {_day(f, tz, lang)})")
                headline.append(("released", f))
        shown = {(f.event, f.source) for _, f in headline}
        disputed = [f for f in tally.figures
                    if f.topic == topic and "conflict" in f.flags and (f.event, f.source) in shown]
        for f in disputed[:MAX_DISPUTED]:  # in the order of the current figures: most stated first
            quoted = w["quoted"].format(source=_who(f, lang), outlet=f.outlet)
            lines.append(f"• {w['disputed']}: {e(_stated(f, lang))} {e(_event(f, lang))} ({e(quoted)}, {_day(f, tz, lang)})")
        if len(disputed) > MAX_DISPUTED:
            lines.append(f"• {w['more'].format(n=len(disputed) - MAX_DISPUTED)}")
        flagged = sorted((f for f in tally.figures if f.topic == topic and "jump" in f.flags),
                         key=lambda f: f.date, reverse=True)[:MAX_FLAGGED]
        for f in flagged:
            lines.append(f"• {w['flagged']}: {e(_stated(f, lang))} {e(_event(f, lang))} "
                         f"({e(_who(f, lang))}, {_day(f, tz, lang)}; {w[_jump_way(f, headline)]})")
        if len(lines) > 1:
            blocks.append("\n".join(lines))
    text = "\n\n".join(blocks)
    while tg_len(text) > PIN_LIMIT and "\n" in text:  # many topics: the last lines go (in UTF-16 units)
        text = text.rsplit("\n", 1)[0]
    return text or None


def _refusal_notice(channel: str, chat_id: str, reason: str) -> str:
    return (f"📌 Channel {channel} ({chat_id}): the bot may not pin the tally's live figures there "
            f"({reason}).\nThe message is posted and kept up to date, unpinned. Make the bot an "
            "administrator allowed to pin messages; it pins at the next change of a figure.\n"
            "Told once.")


class TallyPins:
    """Keeps each `pin_tally` channel's message; see the module docstring."""

    def __init__(
        self, config: AppConfig, runtime: Runtime, db: Database, *, clock: Clock | None = None,
        edit_every: timedelta = PIN_EDIT_EVERY, request_timeout: float = 15.0,
    ) -> None:
        self.config = config
        self.runtime = runtime
        self.db = db
        self.clock: Clock = clock or SystemClock()
        self.edit_every = edit_every
        self.sender, self._secrets = sender_for(runtime, timeout=request_timeout)
        self._checked: dict[str, datetime] = {}  # channel -> when its figures were last compared
        self._failed: set[str] = set()  # channels whose last round failed for a while: tried sooner
        self._holder = f"pins-{uuid.uuid4().hex[:12]}"  # this process, for the creation lease
        self._marks = marks_path(db.marks_base)
        # the messages pinned before this process started (core/restore_marks.py): a restored
        # database without one edits it instead of pinning a second tally
        self._pins_before = load_pins(self._marks)

    def update_config(self, config: AppConfig) -> None:
        self.config = config

    async def close(self) -> None:
        if self.sender is not None:
            await self.sender.close()

    def channels(self) -> list[ChannelConfig]:
        return [c for c in self.config.channels if c.pin_tally and not c.is_console]

    # -- one round -------------------------------------------------------------------

    async def tick(self, *, load: Callable[[], Tally] | None = None) -> dict[str, str]:
        """Create, edit or recreate the messages that are due; tell refusals to pin once.
        Returns what was done per channel (created, edited, recreated, unchanged, ...)."""
        if self.sender is None:
            return {}
        now = self.clock.now()
        # the statements of a round run in worker threads: on the event loop each held every poll,
        # delivery and /healthz for its time, and a write for the busy timeout under a lock
        due = await asyncio.to_thread(self._due_channels, now)
        done: dict[str, str] = {}
        if due:
            tally = await asyncio.to_thread(load or self._load)
            for channel, chat_id in due:
                try:
                    done[channel.name] = await self._keep(channel, chat_id, tally, now)
                except Exception as exc:  # one channel's trouble must not stop the others
                    message = self._redact(exc)
                    log.warning("tally pin in %s: %s", channel.name, message)
                    await asyncio.to_thread(self._save, channel.name, chat_id, last_error=message)
                    self._failed.add(channel.name)
                    done[channel.name] = "error"
                if done[channel.name] == "busy":  # another replica is sending: look again soon
                    self._failed.add(channel.name)
                elif done[channel.name] != "error":
                    self._failed.discard(channel.name)
        await self._tell_refusals()
        return done

    def _load(self) -> Tally:
        with self.db.session() as session:
            return load_tally(session, self.config)

    def _due_channels(self, now: datetime) -> list[tuple[ChannelConfig, str]]:
        return [(c, chat) for c in self.channels() if (chat := self._due(c, now)) is not None]

    def _due(self, channel: ChannelConfig, now: datetime) -> str | None:
        """The chat id to work on when the channel is due, else None."""
        with self.db.session() as session:
            row = channel_named(session, channel.name)
            if row is not None and row.disabled:
                return None
            chat_id = row.chat_id if row is not None else channel.chat_id
            pin = pin_of(session, channel.name)
            fresh = pin is None or pin.message_id is None or pin.chat_id != chat_id
            edited = pin.edited_at if pin is not None else None
        checked = self._checked.get(channel.name)
        wait = RETRY_EVERY if channel.name in self._failed else self.edit_every
        # a time ahead of now was taken before the clock was set back: it holds nothing back (the
        # figures stayed as they were until the clock caught up, a day for a day's step, restarts too)
        if not fresh and edited is not None and now - edited < self.edit_every and edited <= now + CLOCK_SET_BACK:
            return None
        due = checked is None or now - checked >= wait or checked > now + CLOCK_SET_BACK
        return chat_id if due else None

    async def _keep(self, channel: ChannelConfig, chat_id: str, tally: Tally, now: datetime) -> str:
        assert self.sender is not None
        self._checked[channel.name] = now
        text = pin_text(tally, channel.topics, self.config.settings.tz, channel_lang(channel))
        message_id, old_text, pinned, refused = await asyncio.to_thread(self._stored, channel.name, chat_id)
        if text is None:
            return "no figures"
        if message_id is None and (
                message_id := await asyncio.to_thread(self._pinned_before, channel, chat_id, now)) is not None:
            old_text, pinned, refused = "", True, None
        if message_id is None:
            return await self._create(channel, chat_id, text, now, replacing=None)
        if text == old_text:
            if not pinned and not refused:  # an earlier pin failed on the network: try again
                await self._pin(channel, chat_id, message_id)
            return "unchanged"
        try:
            await self.sender.edit(chat_id, message_id, text, html=True, preview=False)
        except TelegramError as exc:
            if message_gone(exc):
                log.warning("tally pin in %s: message %d was deleted; sending it again",
                            channel.name, message_id)
                created = await self._create(channel, chat_id, text, now, replacing=message_id)
                return "recreated" if created == "created" else created
            failure = classify_error(exc, self.runtime.bot_token)
            if failure.action != "not_modified":
                await asyncio.to_thread(self._problem, channel, chat_id, failure.action, failure.message,
                                        failure.new_chat_id)
                return "error"
        await asyncio.to_thread(self._save, channel.name, chat_id, text=text, edited_at=now, last_error=None)
        if not pinned:
            await self._pin(channel, chat_id, message_id)
        return "edited"

    def _stored(self, channel: str, chat_id: str) -> tuple[int | None, str, bool, str | None]:
        """The channel's pinned message in `chat_id` as stored: its id, text, whether pinned, the
        refusal to pin."""
        with self.db.session() as session:
            pin = pin_of(session, channel)
            message_id = pin.message_id if pin is not None and pin.chat_id == chat_id else None
            return (message_id, *((pin.text, pin.pinned, pin.pin_refused) if pin else ("", False, None)))

    def _pinned_before(self, channel: ChannelConfig, chat_id: str, now: datetime) -> int | None:
        """The message pinned in `chat_id` before this process started that the database does
        not know (a restored backup's): taken back, to be edited (sent again if deleted)."""
        before = self._pins_before.pop(channel.name, None)
        if before is None or before[0] != chat_id:
            return None
        log.warning("tally pin in %s: the database has no pinned message but message %d was pinned (in %s): "
                    "a restored backup; that message is edited, no second one pinned",
                    channel.name, before[1], self._marks)
        self._save(channel.name, chat_id, message_id=before[1], text="", sent_at=now, edited_at=now,
                   pinned=True, last_error=None)
        return before[1]

    async def _create(self, channel: ChannelConfig, chat_id: str, text: str, now: datetime, *,
                      replacing: int | None) -> str:
        """Send the message (in place of `replacing`, deleted) under the creation lease."""
        lease = _CreationLease(self, pin_lease(channel.name), channel.name, chat_id, now)
        try:
            taken, stored = await asyncio.to_thread(lease.take)
            if not taken:
                return "busy"  # another replica is sending it now
            if stored is not None and stored != replacing:
                return "unchanged"  # another replica sent it since this round looked
            return await self._send_new(channel, chat_id, text, now)
        finally:
            if lease.leave():  # else not taken, or the thread taking it gives it back
                await asyncio.to_thread(self._release, lease.name)

    def _take_lease(self, lease: str, channel: str, chat_id: str, now: datetime) -> tuple[bool, int | None]:
        """Whether the creation lease was taken, and the message id stored meanwhile."""
        with self.db.session() as session:
            # by the database's clock on PostgreSQL, as every lease (storage/leases.py): by this
            # host's, one minutes ahead saw another's lease expired and sent a second message
            if not take(session, lease, self._holder, CREATE_LEASE, now=None if shares_clock(session) else now):
                return False, None
            pin = pin_of(session, channel)
            return True, pin.message_id if pin is not None and pin.chat_id == chat_id else None

    def _release(self, lease: str) -> None:
        with self.db.session() as session:
            release(session, lease, self._holder)

    async def _send_new(self, channel: ChannelConfig, chat_id: str, text: str, now: datetime) -> str:
        assert self.sender is not None
        try:
            message_id = await self.sender.send(chat_id, text, html=True, preview=False)
        except TelegramError as exc:
            failure = classify_error(exc, self.runtime.bot_token)
            await asyncio.to_thread(self._problem, channel, chat_id, failure.action, failure.message,
                                    failure.new_chat_id)
            return "error"
        # stored before pinning: a crash now leaves one unpinned message, never a lost id
        await asyncio.to_thread(self._sent, channel.name, chat_id, message_id, text, now)
        await self._pin(channel, chat_id, message_id)
        return "created"

    def _sent(self, channel: str, chat_id: str, message_id: int, text: str, now: datetime) -> None:
        """The sent message's row, then its mark beside the database, in one thread call: a stop
        that cancels the round while the row is written leaves the thread to write both (two
        calls left the mark unmade, and a restored backup's start pinned a second tally)."""
        self._save(channel, chat_id, message_id=message_id, text=text, sent_at=now, edited_at=now,
                   pinned=False, last_error=None)
        record_pin(self._marks, channel, chat_id, message_id)

    async def _pin(self, channel: ChannelConfig, chat_id: str, message_id: int) -> None:
        assert self.sender is not None
        try:
            await self.sender.pin(chat_id, message_id)
        except TelegramError as exc:
            message = self._redact(exc)
            if pin_refused(exc):
                log.warning("tally pin in %s: the bot may not pin (%s); kept unpinned", channel.name, message)
                values: dict[str, object] = {"pinned": False, "pin_refused": message}
            elif message_gone(exc):
                values = {"message_id": None, "pinned": False}
            else:
                values = {"last_error": message}
            await asyncio.to_thread(self._save, channel.name, chat_id, **values)
            return
        await asyncio.to_thread(self._pinned, channel.name, chat_id)

    def _pinned(self, channel: str, chat_id: str) -> None:
        with self.db.session() as session:
            pin = pin_of(session, channel)
            values = {"pinned": True, "pin_refused": None}
            if pin is not None and pin.pin_refused:
                values["refusal_reported"] = False  # allowed now: a later refusal is told again
        self._save(channel, chat_id, **values)

    def _problem(self, channel: ChannelConfig, chat_id: str, action: str, message: str,
                 new_chat_id: int | None) -> None:
        if action == "migrated" and new_chat_id is not None:
            with self.db.session() as session:
                move_channel(session, channel.name, str(new_chat_id))
            self._checked.pop(channel.name, None)  # the new chat at the next tick
        if action in ("retry", "rate_limited"):  # transient: the next minute (a 403 waits 10)
            self._failed.add(channel.name)
        log.warning("tally pin in %s: %s", channel.name, message)
        self._save(channel.name, chat_id, last_error=message)

    async def _tell_refusals(self) -> None:
        """Each refusal to pin, once, in the admin chat (a flag set after it went out)."""
        assert self.sender is not None
        refusals = await asyncio.to_thread(self._unreported)
        admin = self.config.settings.admin_chat_id
        for channel, chat_id, reason in refusals:
            if admin is None:
                log.warning("tally pin in %s: the bot may not pin there (no admin chat to tell)", channel)
            else:
                try:
                    await self.sender.send(str(admin), _refusal_notice(channel, chat_id, reason),
                                           html=False, preview=False)
                except TelegramError as exc:
                    log.warning("operator chat: pin refusal not told yet: %s", self._redact(exc))
                    return
            await asyncio.to_thread(self._reported, channel)

    def _unreported(self) -> list[tuple[str, str, str]]:
        with self.db.session() as session:
            return [(p.channel, p.chat_id, p.pin_refused or "") for p in unreported_refusals(session)]

    def _reported(self, channel: str) -> None:
        with self.db.session() as session:
            mark_refusal_reported(session, channel)

    def _save(self, channel: str, chat_id: str, **values: object) -> None:
        with self.db.session() as session:
            save_pin(session, channel, chat_id, **values)

    def _redact(self, exc: BaseException) -> str:
        return redact(f"{type(exc).__name__}: {exc}", self._secrets)[:500]
