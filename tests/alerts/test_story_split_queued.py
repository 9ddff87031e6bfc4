"""A split (or merge) while the edit or update of the story's next report waits in the queue,
or is on its way: it was queued against the story's message, which the split moved to the
item's new story. Real parts: the pipeline that groups the items, the delivery worker, the Bot
API emulator, a SQLite file (PostgreSQL too with TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from alerts_helpers import publish, story_of
from sqlalchemy import select

from alerts.delivery import DeliveryWorker
from alerts.stories.assign import merge_stories, split_item
from core.config import AppConfig
from monitor.cli import main
from storage.db import Database
from storage.models import Alert

CHAT = "@pp_channel"
CHANNELS = [{"name": "pp", "chat_id": CHAT, "topics": ["political_prisoners"]}]
# one release, then another outlet's telling in other words (tests/alerts/test_story_split.py)
FIRST = "Excarcelan a Rocío San Miguel tras casi dos años presa en El Helicoide"
LATER = "Rocío San Miguel excarcelada de El Helicoide: su abogado Juan Pérez pide justicia para los demás presos"
# a tally, then another outlet's higher figure: an update, a reply to the story's message
TALLY = "Foro Penal contabiliza 21 presos políticos excarcelados"
HIGHER = "Foro Penal suma 23 presos políticos excarcelados"


@pytest.fixture
def config(make_synced_config: Callable[..., AppConfig]) -> AppConfig:
    return make_synced_config(CHANNELS)


def rows(db: Database, item_id: int) -> list[tuple[str, str, str, int | None]]:
    """(kind, status, key, story) of the alerts the item made, the story's message it became included."""
    with db.session() as s:
        return [(a.kind, a.status, a.dedupe_key, a.story_id) for a in s.scalars(select(Alert).order_by(Alert.id))
                if (a.payload or {}).get("item_id") == item_id]


async def queued_behind(db: Database, add_item: Any, pipeline: Any, config: AppConfig, runtime: Any,
                        first: tuple[str, str], later: tuple[str, str]) -> tuple[int, int, int]:
    """The first report told in the channel, the later one joined to its story with its edit or
    update queued, not sent: (first item, later item, story)."""
    ids = await publish(db, add_item, pipeline, config, runtime, first)
    with db.session() as s:
        later_id = add_item(s, *later).id
    pipeline.process_pending()
    story = story_of(db, ids[first[1]])
    assert story is not None and story_of(db, later_id) == story
    return ids[first[1]], later_id, story


async def test_an_edit_queued_before_a_split_does_not_rewrite_the_split_off_story_s_message(
    db, emulator, add_item, pipeline, config, runtime,
) -> None:
    """The edit naming Efecto Cocuyo on the story's message is queued when the operator splits
    the message's item out: the message goes with it. Before, the
    edit went out anyway, and the split-off story's message read "También: Efecto Cocuyo", the
    outlet of the story left. Now the story left is told in a message of its own, by its item."""
    first, later, story = await queued_behind(db, add_item, pipeline, config, runtime,
                                              ("elpitazo", FIRST), ("cocuyo", LATER))
    assert [k for k, *_ in rows(db, later)] == ["edit"]
    with db.session() as s:
        split_item(s, first, operator="@ana")
    split_off = story_of(db, first)
    await publish(db, add_item, pipeline, config, runtime)  # the worker delivers what is queued

    told, left = emulator.messages(CHAT)
    assert told.edits == [] and "Efecto Cocuyo" not in told.text and "Excarcelan a Rocío" in told.text
    assert left.reply_to is None and LATER in left.text and "Leer en Efecto Cocuyo" in left.text
    assert rows(db, later) == [("new", "sent", f"new:pp:{story}", story)]

    # and each story's next report goes to its own message
    copy = await publish(db, add_item, pipeline, config, runtime, ("bbcmundo", FIRST))
    more = await publish(db, add_item, pipeline, config, runtime, ("reuters", LATER))
    assert (story_of(db, copy[FIRST]), story_of(db, more[LATER])) == (split_off, story)
    told, left = emulator.messages(CHAT)
    assert "También: BBC Mundo\n" in told.text and "Efecto Cocuyo" not in told.text
    assert "También: Reuters" in left.text and "BBC Mundo" not in left.text
    assert len(emulator.messages(CHAT)) == 2


async def test_an_update_queued_before_a_split_does_not_reply_to_the_split_off_story_s_message(
    db, emulator, add_item, pipeline, config, runtime, db_url,
) -> None:
    """The same with a new figure: its update, a reply to the story's message, went out under
    the split-off story's message. Now the story left is told whole, its figure with it (the
    split made from a shell, `monitor stories --split`)."""
    first, later, story = await queued_behind(db, add_item, pipeline, config, runtime,
                                              ("elpitazo", TALLY), ("bbcmundo", HIGHER))
    assert [k for k, *_ in rows(db, later)] == ["update"]
    assert main(["stories", "--db", db_url, "--split", str(first)]) == 0
    await publish(db, add_item, pipeline, config, runtime)

    told, left = emulator.messages(CHAT)
    assert told.edits == [] and TALLY in told.text and "23" not in told.text
    assert left.reply_to is None and HIGHER in left.text and "Actualización" not in left.text
    assert "23 verificados por Foro Penal" in left.text and "Leer en BBC Mundo" in left.text
    assert rows(db, later) == [("new", "sent", f"new:pp:{story}", story)]


async def test_an_edit_claimed_as_a_split_commits_tells_the_story_left_once(
    db, emulator, add_item, pipeline, config, runtime, make_worker, monkeypatch,
) -> None:
    """The worker has claimed the edit (`sending`) when the split commits: it must not send it
    to the message that moved; the story left is told once, in its own message."""
    first, later, story = await queued_behind(db, add_item, pipeline, config, runtime,
                                              ("elpitazo", FIRST), ("cocuyo", LATER))
    worker: DeliveryWorker = await make_worker(config)
    claim = worker._claim

    def claim_then_split(head: Any, conf: Any) -> Any:
        claimed = claim(head, conf)
        if head.kind == "edit":
            with db.session() as s:
                assert s.get(Alert, head.id).status == "sending"
                split_item(s, first, operator="@ana")
        return claimed

    monkeypatch.setattr(worker, "_claim", claim_then_split)
    await worker.deliver_pending()
    await worker.deliver_pending()
    told, left = emulator.messages(CHAT)
    assert told.edits == [] and "Efecto Cocuyo" not in told.text
    assert left.reply_to is None and LATER in left.text and "Leer en Efecto Cocuyo" in left.text
    assert rows(db, later) == [("new", "sent", f"new:pp:{story}", story)]


async def test_a_report_of_the_story_left_queued_after_the_split_tells_it_once_with_the_queued_edit_s_outlet(
    db, emulator, add_item, pipeline, config, runtime,
) -> None:
    """The story left's next report comes before the worker reaches the edit queued before the
    split: it queues the story's message (the story has none in the channel now), which names
    the edit's outlet; the edit is superseded, not sent as a second message of the story."""
    first, later, story = await queued_behind(db, add_item, pipeline, config, runtime,
                                              ("elpitazo", FIRST), ("cocuyo", LATER))
    with db.session() as s:
        split_item(s, first, operator="@ana")
    with db.session() as s:
        next_report = add_item(s, "reuters", LATER).id
    pipeline.process_pending()
    assert story_of(db, next_report) == story
    await publish(db, add_item, pipeline, config, runtime)

    told, left = emulator.messages(CHAT)
    assert told.edits == [] and "Efecto Cocuyo" not in told.text
    assert left.reply_to is None and "Leer en Reuters" in left.text and "También: Efecto Cocuyo" in left.text
    [(kind, status, _, _)] = rows(db, later)
    assert (kind, status) == ("edit", "superseded")


# one release told in words the matcher cannot join (tests/alerts/test_story_merge_command.py)
NAMED = "Excarcelan al periodista Luis Ochoa tras seis meses preso en Tocorón"
TOLD = ("«Sigo sin creer que estoy en casa»: el preso político liberado este lunes cuenta cómo "
        "fueron sus días en prisión")
AGAIN = ("«Sigo sin creer que estoy en casa»: preso político liberado este lunes cuenta cómo "
         "fueron sus días en prisión")


async def test_an_edit_queued_for_a_story_merged_away_names_its_outlet_on_that_story_s_message(
    db, emulator, add_item, pipeline, config, runtime,
) -> None:
    """The mirror for /merge: the edit naming BBC Mundo on the later story's message is queued
    when the operator merges that story into the older one. The message stays in the channel,
    out of any story (`new:pp:R:merged:ID`), and a merge says both stories tell one event: the
    edit names that event's outlet on that event's message, as queued; the kept story's message
    names it with the event's next report. Nothing told on another event's message, nothing
    lost, no third message."""
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", NAMED), ("cocuyo", TOLD))
    with db.session() as s:
        again = add_item(s, "bbcmundo", AGAIN).id
    pipeline.process_pending()
    kept, repeat = story_of(db, ids[NAMED]), story_of(db, ids[TOLD])
    assert kept is not None and repeat is not None and kept < repeat and story_of(db, again) == repeat
    assert [k for k, *_ in rows(db, again)] == ["edit"]
    with db.session() as s:
        merge_stories(s, kept, repeat, operator="@ana")
    await publish(db, add_item, pipeline, config, runtime)
    first, second = emulator.messages(CHAT)
    assert first.edits == [] and "También" not in first.text
    assert TOLD in second.text and "También: BBC Mundo\n" in second.text

    await publish(db, add_item, pipeline, config, runtime, ("reuters", AGAIN))
    first, second = emulator.messages(CHAT)
    assert "También: Efecto Cocuyo, BBC Mundo, Reuters\n" in first.text and "Reuters" not in second.text


ENGLISH = "Venezuela releases Rocío San Miguel after nearly two years in El Helicoide prison"


async def test_an_edit_queued_before_a_split_in_a_channel_that_would_not_take_the_story_left_is_withdrawn(
    db, emulator, add_item, pipeline, runtime, make_synced_config,
) -> None:
    """A Spanish-only channel heard the story from its Spanish report; an English report's edit
    names its outlet there. Split the Spanish report out, the story left holds the English one
    alone, which the channel does not take as a story of its own: the edit is not sent, to the
    moved message or as a message of its own."""
    from monitor.pipeline import Pipeline

    config = make_synced_config([{**CHANNELS[0], "languages": ["es"]}])
    pipeline = Pipeline(config, db)
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", FIRST))
    with db.session() as s:
        english = add_item(s, "reuters", ENGLISH, lang="en").id
    pipeline.process_pending()
    story = story_of(db, ids[FIRST])
    assert story_of(db, english) == story and [k for k, *_ in rows(db, english)] == ["edit"]
    with db.session() as s:
        split_item(s, ids[FIRST], operator="@ana")
    await publish(db, add_item, pipeline, config, runtime)
    [told] = emulator.messages(CHAT)
    assert told.edits == [] and "Reuters" not in told.text
    with db.session() as s:
        [edit] = [a for a in s.scalars(select(Alert)) if (a.payload or {}).get("item_id") == english]
        assert (edit.status, edit.last_error) == ("withdrawn", (
            f"not sent: the story's message (alert #{edit.payload['target_alert_id']}) went to story "
            f"{story_of(db, ids[FIRST])} with the item it tells (a split), and pp does not take story {story} "
            "on its own"))


# a tally, a wrong join, then the tally's outlet's revision with another figure (test_story_split.py)
WAVE = "Excarcelan a 8 presos políticos de El Helicoide, según Foro Penal"
EIGHT = "Ascienden a 8 las excarcelaciones de presos políticos en Tocorón"
SIXTEEN = "Ascienden a 16 las excarcelaciones de presos políticos en Tocorón"


async def test_a_revision_s_update_claimed_as_its_item_is_split_out_replies_to_the_message_that_moved_with_it(
    db, emulator, add_item, pipeline, config, runtime, make_worker, monkeypatch,
) -> None:
    """The update of a revision of the item whose message is the story's is on its way when the
    operator splits that item out: the item, its revision and the message go to the new story
    together (a queued update stays the reply it was: test_story_split.py). Claimed, the update
    kept the old story's number, so the worker took the message for moved away from it and told
    the story left afresh with the revision's headline: a second message of the tally, in the
    story it had left (`new:pp:K`), and none of the 16 under the tally's message."""
    ids = await publish(db, add_item, pipeline, config, runtime, ("efecto", EIGHT))
    story = story_of(db, ids[EIGHT])
    with db.session() as s:
        add_item(s, "elpitazo", WAVE).story_id = story  # the wrong join the operator fixes
        revision = add_item(s, "efecto", SIXTEEN)
        revision.revision_of = ids[EIGHT]
    pipeline.process_pending()  # the revision's update is queued, not sent
    assert [k for k, *_ in rows(db, revision.id)] == ["update"]
    worker: DeliveryWorker = await make_worker(config)
    claim = worker._claim

    def claim_then_split(head: Any, conf: Any) -> Any:
        claimed = claim(head, conf)
        if head.kind == "update":
            with db.session() as s:
                assert s.get(Alert, head.id).status == "sending"
                split_item(s, ids[EIGHT], operator="@ana")
        return claimed

    monkeypatch.setattr(worker, "_claim", claim_then_split)
    await worker.deliver_pending()
    await worker.deliver_pending()
    split_off = story_of(db, ids[EIGHT])
    assert split_off != story and story_of(db, revision.id) == split_off
    first, update = emulator.messages(CHAT)
    assert (update.reply_to, EIGHT in first.text, "16 excarcelados" in update.text) == (first.message_id, True, True)
    assert rows(db, revision.id) == [("update", "sent", f"update:pp:{split_off}:{revision.id}", split_off)]
