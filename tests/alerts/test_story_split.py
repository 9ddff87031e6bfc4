"""`/split` in the admin chat, end to end: items classified and grouped by the real pipeline,
alerts delivered to the Bot API emulator, the operator's replies long-polled by
python-telegram-bot, the split stored in a real database."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
from alerts_helpers import alert_in, ask_in, chatter, publish, story_of
from sqlalchemy import select

from core.config import AppConfig
from storage.db import Database
from storage.models import Feedback, Item

ADMIN = 4243
CHANNELS = [
    {"name": "pp", "chat_id": "@pp_channel", "topics": ["political_prisoners"]},
    {"name": "ops", "chat_id": str(ADMIN), "topics": ["political_prisoners", "us_actions"]},
]
# one event told by three outlets, and a release of someone else
FIRST = "Excarcelan a Rocío San Miguel tras casi dos años presa en El Helicoide"
SECOND = "Rocío San Miguel es excarcelada tras casi dos años presa en El Helicoide"
THIRD = "Confirman excarcelación de Rocío San Miguel tras casi dos años presa en El Helicoide"
ALONE = "Detienen al dirigente sindical Pedro Ochoa en Barquisimeto"


@pytest.fixture
def config(make_synced_config: Callable[..., AppConfig]) -> AppConfig:
    return make_synced_config(CHANNELS, admin_chat_id=ADMIN, admin_user_ids=[7])


ask = functools.partial(ask_in, ADMIN)

def splits(db: Database) -> list[tuple[int | None, int | None, str | None]]:
    with db.session() as s:
        return [(f.item_id, f.story_id, f.operator)
                for f in s.scalars(select(Feedback).where(Feedback.kind == "split").order_by(Feedback.id))]



async def test_split_a_reply_to_a_two_item_story_moves_the_later_item(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", FIRST), ("efecto", SECOND))
    story = story_of(db, ids[FIRST])
    assert story is not None and story_of(db, ids[SECOND]) == story  # one story, one alert
    [answer] = await ask(emulator, "/split", reply_to=alert_in(emulator, ADMIN, "Rocío San Miguel"))
    new_story = story_of(db, ids[SECOND])
    assert answer == (
        f"Item {ids[SECOND]} moved out of story {story} into a new story {new_story}.\n"
        f"“{SECOND}” is now a story of its own; the split is recorded as feedback."
    )
    assert new_story != story and story_of(db, ids[FIRST]) == story
    assert splits(db) == [(ids[SECOND], story, "@ana")]
    with db.session() as s:
        moved = s.get(Item, ids[SECOND])
        assert moved is not None and moved.story_match is not None
        assert (moved.story_match["decision"], moved.story_match["from_story"]) == ("split", story)


async def test_split_of_a_forwarded_alert_asks_which_item_then_takes_an_outlet(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    ids = await publish(db, add_item, pipeline, config, runtime,
                        ("elpitazo", FIRST), ("efecto", SECOND), ("bbc", THIRD))
    story = story_of(db, ids[FIRST])
    assert {story_of(db, i) for i in ids.values()} == {story}
    [channel_alert] = emulator.messages("@pp_channel")
    emulator.inject_message(ADMIN, "", from_id=7, forward_of=("@pp_channel", channel_alert.message_id))
    forwarded = emulator.last_message_id(ADMIN)
    [question] = await ask(emulator, "/split", reply_to=forwarded)
    assert question.startswith(f"Which item does not belong in story {story} (“{FIRST}”)? Reply /split ITEM:")
    assert f"{ids[THIRD]} · bbc · {THIRD}" in question.splitlines()
    assert splits(db) == []
    for arg in ("999999", "²"):
        [unknown] = await ask(emulator, f"/split {arg}", reply_to=forwarded)
        assert unknown.startswith(f"Story {story} has no item '{arg}'. Its items:")
    [answer] = await ask(emulator, "/split BBC", reply_to=forwarded)
    assert answer.startswith(f"Item {ids[THIRD]} moved out of story {story} into a new story")
    assert story_of(db, ids[THIRD]) != story and story_of(db, ids[SECOND]) == story
    assert splits(db) == [(ids[THIRD], story, "@ana")]


async def test_split_answers_bad_input_clearly(db, emulator, bot, add_item, pipeline, config, runtime) -> None:
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", ALONE))
    assert await ask(emulator, "/split") == [
        "Send /split as a reply to the alert whose story holds an item of another event "
        "(forward the alert here first if it is in a channel)."
    ]
    reply_to = chatter(emulator, ADMIN, from_id=7)
    [not_alert] = await ask(emulator, "/split", reply_to=reply_to)
    assert not_alert == (
        "That message is not an alert I sent of one story, so there is nothing to split. "
        "Reply /split to an alert (or a forward of it)."
    )
    story = story_of(db, ids[ALONE])
    assert await ask(emulator, "/split", reply_to=alert_in(emulator, ADMIN, "Pedro Ochoa")) == [
        f"Story {story} has only one item (“{ALONE}”): there is nothing to split."
    ]
    assert story_of(db, ids[ALONE]) == story and splits(db) == []


async def test_help_lists_split(emulator, bot) -> None:
    [text] = await ask(emulator, "/help")
    assert "/split [item] — reply to an alert that merged another event into its story" in text


# a later telling in other words, and a copy of the first one's headline by another outlet
LATER = "Rocío San Miguel excarcelada de El Helicoide: su abogado Juan Pérez pide justicia para los demás presos"


async def test_split_of_the_item_the_alert_told_takes_its_message_along(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """The operator splits out the item the story's message tells: that message tells its story
    now. The item's next report edits it (no second message of the same headline), and the
    story it left gets a message of its own with its next report instead of editing another's."""
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", FIRST), ("cocuyo", LATER))
    story = story_of(db, ids[FIRST])
    assert story is not None and story_of(db, ids[LATER]) == story
    [answer] = await ask(emulator, f"/split {ids[FIRST]}", reply_to=alert_in(emulator, ADMIN, "Excarcelan a"))
    split_off = story_of(db, ids[FIRST])
    assert answer.startswith(f"Item {ids[FIRST]} moved out of story {story} into a new story {split_off}.")

    copy = await publish(db, add_item, pipeline, config, runtime, ("bbcmundo", FIRST))
    assert story_of(db, copy[FIRST]) == split_off
    [told] = emulator.messages("@pp_channel")
    assert told.text.count("Excarcelan a Rocío") == 1 and "También: BBC Mundo\n" in told.text

    more = await publish(db, add_item, pipeline, config, runtime, ("reuters", LATER))
    assert story_of(db, more[LATER]) == story
    first, second = emulator.messages("@pp_channel")
    assert first.text == told.text  # not edited to name the other story's outlets
    assert second.reply_to is None and "Rocío San Miguel excarcelada de El Helicoide" in second.text


# an outlet's headline wrongly joined to another event's story, then retitled with a new figure
WAVE = "Excarcelan a 8 presos políticos de El Helicoide, según Foro Penal"
EIGHT = "Ascienden a 8 las excarcelaciones de presos políticos en Tocorón"
SIXTEEN = "Ascienden a 16 las excarcelaciones de presos políticos en Tocorón"


async def test_split_of_an_item_takes_its_outlets_revisions_along(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """The revision joined its first version's story (items.revision_of): it is the same
    article, so it leaves with it, and its next revision follows both."""
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", WAVE), ("efecto", EIGHT))
    story = story_of(db, ids[WAVE])
    with db.session() as s:
        s.get(Item, ids[EIGHT]).story_id = story  # the wrong join the operator fixes
        revision = add_item(s, "efecto", SIXTEEN)
        revision.revision_of = ids[EIGHT]
    pipeline.process_pending()
    assert story_of(db, revision.id) == story

    [answer] = await ask(emulator, f"/split {ids[EIGHT]}", reply_to=alert_in(emulator, ADMIN, "Helicoide"))
    split_off = story_of(db, ids[EIGHT])
    assert answer.startswith(f"Item {ids[EIGHT]} (and its other version {revision.id}, its outlet's headline "
                             f"retitled) moved out of story {story} into a new story {split_off}."), answer
    assert story_of(db, revision.id) == split_off != story
    assert story_of(db, ids[WAVE]) == story
    with db.session() as s:
        again = add_item(s, "efecto", SIXTEEN.replace("16", "24"))
        again.revision_of = ids[EIGHT]
    pipeline.process_pending()
    assert story_of(db, again.id) == split_off


async def test_an_item_and_its_revision_alone_are_not_split(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """A story of one article and its outlet's revision has one item to the operator: a reply
    /split does not make the retitled headline a story of its own."""
    ids = await publish(db, add_item, pipeline, config, runtime, ("efecto", EIGHT))
    with db.session() as s:
        revision = add_item(s, "efecto", SIXTEEN)
        revision.revision_of = ids[EIGHT]
    pipeline.process_pending()
    story = story_of(db, ids[EIGHT])
    assert story is not None and story_of(db, revision.id) == story

    [answer] = await ask(emulator, "/split", reply_to=alert_in(emulator, ADMIN, "Tocorón"))
    assert answer == (f"Item {revision.id} (and its other version {ids[EIGHT]}, its outlet's headline "
                      f"retitled) is already alone in story {story}."), answer
    assert story_of(db, revision.id) == story and splits(db) == []


async def test_split_of_an_item_whose_update_is_queued_tells_it_on_its_own(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """A figure's update still queued when its item was split out went out all the same, as a
    reply to the alert of the story the operator had just taken it out of."""
    first, later = "Foro Penal contabiliza 21 presos políticos excarcelados", "Foro Penal suma 23 presos políticos excarcelados"
    await publish(db, add_item, pipeline, config, runtime, ("elpitazo", first))
    with db.session() as s:
        item = add_item(s, "bbcmundo", later)
        later_id, url = item.id, item.url
    pipeline.process_pending()  # its update is queued, not sent
    emulator.inject_message(ADMIN, f"this one: {url}", from_id=7)
    [answer] = await ask(emulator, "/split", reply_to=emulator.last_message_id(ADMIN))
    assert answer.startswith(f"Item {later_id} moved out of story")
    await publish(db, add_item, pipeline, config, runtime)  # the worker delivers what is queued
    assert [m.reply_to for m in emulator.messages("@pp_channel")] == [None, None]
    told = emulator.messages("@pp_channel")[1].text
    assert later in told and "BBC Mundo" in told and "23 verificados por Foro Penal" in told
    assert "Actualización" not in told


async def test_a_split_item_s_queued_update_tells_its_summary_as_a_story_s_message_does(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """The message a queued update became after a split told the item's title and figure, but
    not its summary, which every story's message tells: the update had none to tell."""
    first, later = "Foro Penal contabiliza 21 presos políticos excarcelados", "Foro Penal suma 23 presos políticos excarcelados"
    summary = "Entre los excarcelados este sábado está el periodista Roland Carreño, detenido desde agosto."
    await publish(db, add_item, pipeline, config, runtime, ("elpitazo", first))
    with db.session() as s:
        item = add_item(s, "bbcmundo", later, summary=summary)
        url = item.id, item.url
    pipeline.process_pending()  # its update is queued, not sent
    emulator.inject_message(ADMIN, f"this one: {url[1]}", from_id=7)
    await ask(emulator, "/split", reply_to=emulator.last_message_id(ADMIN))
    await publish(db, add_item, pipeline, config, runtime)
    told = emulator.messages("@pp_channel")[1].text
    assert later in told and summary in told and "23 verificados por Foro Penal" in told


async def test_split_keeps_a_revision_s_queued_update_to_the_message_that_moved_with_it(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """An item whose message is its story's, split out with its revision's figure update still
    queued: the message moved with the item to the new story, and the update, a reply to that
    very message, was withdrawn ("split: its item moved to story N"): the channel never heard
    the 16. It now stays the reply it was."""
    ids = await publish(db, add_item, pipeline, config, runtime, ("efecto", EIGHT))
    story = story_of(db, ids[EIGHT])
    with db.session() as s:
        add_item(s, "elpitazo", WAVE).story_id = story  # the wrong join the operator fixes
        revision = add_item(s, "efecto", SIXTEEN)
        revision.revision_of = ids[EIGHT]
    pipeline.process_pending()  # the revision's update is queued, not sent
    [answer] = await ask(emulator, f"/split {ids[EIGHT]}", reply_to=alert_in(emulator, ADMIN, "Tocorón"))
    assert answer.startswith(f"Item {ids[EIGHT]} (and its other version {revision.id}")
    await publish(db, add_item, pipeline, config, runtime)  # the worker delivers what is queued
    first, update = emulator.messages("@pp_channel")
    assert (update.reply_to, EIGHT in first.text) == (first.message_id, True)
    assert "16 excarcelados" in update.text


async def test_a_split_while_a_failed_story_message_awaits_its_retelling_tells_the_story_left_by_its_own_item(
    db, emulator, add_item, pipeline, config, runtime, db_url,
) -> None:
    """The story's message failed for good; the next report's edit waits to retell the story
    (`outbox.retell_in`) when the operator splits the failed message's item out. The failed
    row goes with its item; the story left is told by what it holds now."""
    import io

    from alerts.delivery import DeliveryWorker
    from monitor.cli import main

    with db.session() as s:
        ids = {t: add_item(s, o, t).id for o, t in (("elpitazo", FIRST), ("cocuyo", LATER))}
    pipeline.process_pending()
    story = story_of(db, ids[FIRST])
    assert story is not None and story_of(db, ids[LATER]) == story
    async with DeliveryWorker(config, runtime, db, out=io.StringIO(), request_timeout=10.0) as worker:
        emulator.fail_next(1, "400", chat_id="@pp_channel")
        await worker.deliver_pending(max_batch=2)  # the story's message fails for good in pp
    assert main(["stories", "--db", db_url, "--split", str(ids[FIRST])]) == 0
    await publish(db, add_item, pipeline, config, runtime)
    # before, it was told by the split-off item: "Excarcelan a Rocío…", "Leer en El Pitazo"
    [told] = emulator.messages("@pp_channel")
    assert "Excarcelan a Rocío" not in told.text and told.reply_to is None
    assert "Rocío San Miguel excarcelada de El Helicoide" in told.text and "Leer en Efecto Cocuyo" in told.text
    assert story_of(db, ids[LATER]) == story
