"""A merge or a split that re-keys a story's message while it is on its way (claimed, Telegram
answering), then a kill -9 between Telegram's answer and the record: the next start must find
the send in the journal of sends and mark the row sent, not send the message a second time.

The worker's death is an exception no handler catches (`Killed`), raised where a kill -9 would
stop it: after the journal's line, before the row's record. Real parts: the pipeline that
groups the items, the Bot API emulator (the merge or split runs while it answers), a SQLite
file (PostgreSQL too with TEST_DATABASE_URL) and its journal of sends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from alerts_helpers import publish, story_of
from sqlalchemy import select

from alerts.delivery import DeliveryWorker
from alerts.stories.assign import merge_stories, split_item
from core.config import AppConfig
from devtools.emulator import BotApiEmulator
from storage.db import Database
from storage.models import Alert

CHAT = "@pp_channel"
CHANNELS = [{"name": "pp", "chat_id": CHAT, "topics": ["political_prisoners"]}]
# one release told in words the matcher cannot join (tests/alerts/test_story_merge_command.py)
NAMED = "Excarcelan al periodista Luis Ochoa tras seis meses preso en Tocorón"
TOLD = ("«Sigo sin creer que estoy en casa»: el preso político liberado este lunes cuenta cómo "
        "fueron sus días en prisión")
AGAIN = ("«Sigo sin creer que estoy en casa»: preso político liberado este lunes cuenta cómo "
         "fueron sus días en prisión")
LEASE = 300.0  # the workers' stale_after


class Killed(BaseException):
    """The process ends here (kill -9): nothing after this step runs, no handler sees it."""


@pytest.fixture
def config(make_synced_config: Callable[..., AppConfig]) -> AppConfig:
    return make_synced_config(CHANNELS)


def tops(emu: BotApiEmulator, words: str) -> list[Any]:
    """The channel's messages (not replies) that hold `words`: a story told twice is there twice."""
    return [m for m in emu.messages(CHAT) if m.reply_to is None and words in m.text]


async def killed_while_fixing(db: Database, emulator: BotApiEmulator, make_worker: Any, config: AppConfig,
                              words: str, fix: Callable[[], None], monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker sends the channel's head; while Telegram answers the message holding `words`,
    `fix` (the operator's merge or split) commits; Telegram takes the message, its send goes
    into the journal, and the process dies before the row's record."""
    answer = emulator.call
    fixed: list[bool] = []

    def fix_then_answer(method: str, params: dict[str, Any]) -> Any:
        if method == "sendMessage" and words in str(params.get("text")) and not fixed:
            fix()
            fixed.append(True)
        return answer(method, params)

    def die(*_: Any, **__: Any) -> None:
        raise Killed

    emulator.call = fix_then_answer  # type: ignore[method-assign]
    # the fix runs inside Telegram's answer: the 0.4 s of the other tests' workers timed the
    # send out when the merge took longer (a loaded CI host), and the worker died before it ended
    worker: DeliveryWorker = await make_worker(config, stale_after=LEASE, request_timeout=10.0)
    monkeypatch.setattr(worker, "_finish", die)
    with pytest.raises(Killed):
        await worker.deliver_pending()
    emulator.call = answer  # type: ignore[method-assign]
    assert fixed == [True] and len(tops(emulator, words)) == 1


async def restart(db: Database, make_worker: Any, config: AppConfig) -> None:
    """The next start, the dead claim's lease past (its stamp made older: PostgreSQL stamps
    claims by its own clock); its rounds until the queue is empty."""
    with db.session() as s:
        for row in s.scalars(select(Alert).where(Alert.status == "sending")):
            row.claimed_at = row.claimed_at - timedelta(seconds=LEASE + 1)  # type: ignore[operator]
    worker: DeliveryWorker = await make_worker(config, stale_after=LEASE)
    for _ in range(5):
        await worker.deliver_pending()


def merge(db: Database, keep: int, gone: int) -> Callable[[], None]:
    def run() -> None:
        with db.session() as s:
            merge_stories(s, keep, gone, operator="@ana")
    return run


def split(db: Database, item: int) -> Callable[[], None]:
    def run() -> None:
        with db.session() as s:
            split_item(s, item, operator="@ana")
    return run


def sent_as(db: Database, message_id: int) -> list[tuple[str, str]]:
    """(status, key) of the `new` alert whose message is `message_id`."""
    with db.session() as s:
        return [(a.status, a.dedupe_key) for a in s.scalars(select(Alert).where(
            Alert.telegram_message_id == message_id, Alert.kind == "new"))]


@pytest.mark.parametrize("kept_message", ["sent", "failed"])
async def test_a_merge_while_the_merged_story_s_message_is_on_its_way_then_a_kill_sends_it_once(
    kept_message, db, emulator, add_item, pipeline, config, runtime, make_worker, monkeypatch,
) -> None:
    """The later story's message is on its way when an operator merges it into the older story:
    detached (`new:pp:R:merged:ID`) where the older story's message is in the channel, or made
    the kept story's (`new:pp:K`) where the older one's failed. Its send was journaled under
    the key it was claimed with (`new:pp:R`); before, the next start looked it up under the new
    key, found nothing, and sent it again once the lease had passed."""
    if kept_message == "failed":
        emulator.fail_next(1, "400", chat_id=CHAT)
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", NAMED))
    with db.session() as s:
        ids[TOLD] = add_item(s, "cocuyo", TOLD).id
    pipeline.process_pending()  # queued, not delivered
    kept, repeat = story_of(db, ids[NAMED]), story_of(db, ids[TOLD])
    assert kept is not None and repeat is not None and kept < repeat

    await killed_while_fixing(db, emulator, make_worker, config, "Sigo sin creer", merge(db, kept, repeat),
                              monkeypatch)
    await restart(db, make_worker, config)
    [told] = tops(emulator, "Sigo sin creer")
    [(status, key)] = sent_as(db, told.message_id)
    assert status == "sent"
    assert key == (f"new:pp:{kept}" if kept_message == "failed" else key)
    assert key.startswith(f"new:pp:{repeat}:merged:") or kept_message == "failed"

    # what the merge is for: the event's next report joins the kept story and tells no third message
    more = await publish(db, add_item, pipeline, config, runtime, ("bbcmundo", AGAIN))
    assert story_of(db, more[AGAIN]) == kept
    assert len(tops(emulator, "Sigo sin creer")) == 1
    if kept_message == "failed":  # the channel's message of the event is edited to name the outlet
        [told] = tops(emulator, "Sigo sin creer")
        assert "También: El Pitazo, BBC Mundo" in told.text, told.text


async def test_a_split_while_the_item_s_message_is_on_its_way_then_a_kill_sends_it_once(
    db, emulator, add_item, pipeline, config, runtime, make_worker, monkeypatch,
) -> None:
    """The story's message tells the item an operator splits out while it is on its way: it
    goes with the item (`new:pp:NEW`). Its send was journaled as `new:pp:OLD`; before, the next
    start sent it again. The second outlet's edit, queued for the story left, tells that story
    in a message of its own, not on the message that went with the split item
    (tests/alerts/test_story_split_queued.py)."""
    with db.session() as s:
        first = add_item(s, "elpitazo", NAMED).id
    pipeline.process_pending()
    with db.session() as s:
        second = add_item(s, "cocuyo", NAMED).id
    pipeline.process_pending()  # the story's message and the second outlet's edit, queued
    story = story_of(db, first)
    assert story is not None and story_of(db, second) == story

    await killed_while_fixing(db, emulator, make_worker, config, "Luis Ochoa", split(db, first), monkeypatch)
    await restart(db, make_worker, config)
    new = story_of(db, first)
    assert new not in (story, None)
    told = tops(emulator, "Leer en El Pitazo")
    assert len(told) == 1, [m.text for m in told]
    assert sent_as(db, told[0].message_id) == [("sent", f"new:pp:{new}")]
    assert told[0].edits == [] and "Efecto Cocuyo" not in told[0].text
    [left] = tops(emulator, "Leer en Efecto Cocuyo")
    assert sent_as(db, left.message_id) == [("sent", f"new:pp:{story}")]


def test_a_claim_notes_its_key_and_a_takeover_keeps_the_key_of_the_claim_before(db) -> None:
    """The journal holds a send under the key its claim was made with: a claim notes it, a re-key
    in flight leaves it, and a stale claim taken over keeps it until the new claimer has looked
    the journal up (`journal_keys` gives both, the row's key first)."""
    from datetime import UTC, datetime

    from storage.alerts import claim_alert, journal_keys

    now = datetime.now(UTC)
    with db.session() as s:
        row = Alert(channel="pp", kind="new", dedupe_key="new:pp:2", payload={"text": "x"}, status="pending",
                    attempts=0, next_attempt_at=now, created_at=now)
        s.add(row)
        s.flush()
        alert = row.id
    with db.session() as s:
        claimed = claim_alert(s, alert, now, timedelta(seconds=LEASE))
        assert claimed is not None and journal_keys(claimed) == ("new:pp:2",)
    with db.session() as s:  # a merge into story 1 while the message is on its way
        row = s.get(Alert, alert)
        row.dedupe_key, row.claimed_at = "new:pp:1", row.claimed_at - timedelta(seconds=LEASE + 1)
    with db.session() as s:
        taken = claim_alert(s, alert, now, timedelta(seconds=LEASE))
        assert taken is not None and journal_keys(taken) == ("new:pp:1", "new:pp:2")
