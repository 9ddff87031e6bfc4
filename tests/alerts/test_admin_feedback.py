"""Watched people and operator feedback in the admin chat, end to end: items classified by
the real pipeline, alerts delivered to the Bot API emulator, operators' replies and
forwards long-polled by python-telegram-bot, reports stored in a real database."""

from __future__ import annotations

import asyncio
import functools
import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from alerts_helpers import ask_in, chatter
from alerts_helpers import publish as publish_from
from sqlalchemy import event, select, update

from alerts.delivery import DeliveryWorker
from core.config import AppConfig, Runtime
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.feedback import feedback_examples
from storage.models import Alert, Feedback, Item
from storage.people import list_people

ADMIN = 4242
CHANNELS = [
    {"name": "pp", "chat_id": "@pp_channel", "topics": ["political_prisoners"]},
    {"name": "us", "chat_id": "@us_channel", "topics": ["us_actions"]},
    {"name": "ops", "chat_id": str(ADMIN), "topics": ["political_prisoners", "us_actions"]},
]
RELEASE = "Excarcelan a 87 presos políticos del penal de Tocorón"
NOISE = "Lluvias dejan calles inundadas en Maracaibo"
US = "El Pentágono despliega otro destructor frente a Venezuela"


@pytest.fixture
def config(make_synced_config: Callable[..., AppConfig]) -> AppConfig:
    return make_synced_config(CHANNELS, admin_chat_id=ADMIN, admin_user_ids=[7, 8])


ask = functools.partial(ask_in, ADMIN)


async def publish(db: Database, add_item: Callable[..., Item], pipeline: Pipeline,
                  config: AppConfig, runtime: Runtime, *titles: str) -> dict[str, Item]:
    """Store items, classify them with the real rules, deliver their alerts."""
    with db.session() as s:
        items = {t: add_item(s, "elpitazo", t) for t in titles}
        for item in items.values():
            s.expunge(item)
    pipeline.process_pending()
    async with DeliveryWorker(config, runtime, db, out=io.StringIO(), request_timeout=10.0) as worker:
        await worker.deliver_pending()
    return items


def feedback_rows(db: Database) -> list[Feedback]:
    with db.session() as s:
        rows = list(s.scalars(select(Feedback).order_by(Feedback.id)))
        for r in rows:
            s.expunge(r)
        return rows


# -- watched people ------------------------------------------------------------------------


async def test_watch_list_and_unwatch_change_the_live_set(db, emulator, bot, pipeline) -> None:
    assert await ask(emulator, "/watch Jesús Armas") == [
        "Watching Jesús Armas: items that name them match political_prisoners."
    ]
    assert "Jesús Armas" in pipeline.watched
    result = pipeline.classifier.classify("Jesús Armas celebra su cumpleaños")
    assert result.topics == ["political_prisoners"]
    assert result.explain["political_prisoners"][0]["role"] == "watched"
    assert await ask(emulator, "/watch JESÚS ARMAS") == ["Jesús Armas is already watched."]
    [listing] = await ask(emulator, "/people")
    assert "• Jesús Armas — added by @ana" in listing.splitlines()
    assert await ask(emulator, "/unwatch jesus armas") == [
        "Stopped watching Jesús Armas; it will not be learned again."
    ]
    assert "Jesús Armas" not in pipeline.watched
    assert pipeline.classifier.classify("Jesús Armas celebra su cumpleaños").topics == []
    with db.session() as s:
        row = next(p for p in list_people(s, include_removed=True) if p.name == "Jesús Armas")
    assert row.removed


async def test_watch_answers_bad_input_clearly(emulator, bot) -> None:
    assert await ask(emulator, "/watch") == ["Usage: /watch NAME, e.g. /watch Rocío San Miguel"]
    assert await ask(emulator, "/unwatch Nadie Conocido") == [
        "Nobody named 'Nadie Conocido' is watched. /people lists the names."
    ]
    [ambiguous] = await ask(emulator, "/watch Guevara")
    assert "count only with Venezuelan or prisoner context" in ambiguous
    assert await ask(emulator, "/watch 123") == ["'123' is not a name: it has no letters. Usage: /watch NAME"]
    # a name longer than the column: the answer says so, rather than that it is not a name
    long_name = " ".join(["Bartolomé"] * 25)
    assert await ask(emulator, f"/watch {long_name}") == [
        "A name of 249 characters is too long (at most 200). Usage: /watch NAME"
    ]


# -- /miss -----------------------------------------------------------------------------------


async def test_miss_records_a_labelled_item(db, emulator, bot, add_item, pipeline, config, runtime) -> None:
    items = await publish(db, add_item, pipeline, config, runtime, NOISE)
    url = items[NOISE].url
    [ask_topic] = await ask(emulator, f"/miss {url}")
    assert ask_topic.startswith(f"Which topic should “{NOISE}” have matched?")
    assert f"/miss {url} political_prisoners" in ask_topic
    assert await ask(emulator, f"/miss {url} political_prisoners") == [
        "Thanks — recorded as a miss for political_prisoners; 'monitor train' will use it."
    ]
    assert await ask(emulator, f"/miss {url} political_prisoners") == [
        "Already recorded as a miss for political_prisoners."
    ]
    [row] = feedback_rows(db)
    assert (row.kind, row.topic, row.operator, row.title, row.url) == (
        "miss", "political_prisoners", "@ana", NOISE, url)
    assert row.created_at is not None
    with db.session() as s:
        [example] = feedback_examples(s)
    assert example["topics"] == ["political_prisoners"] and example["label_source"] == "operator"


async def test_feedback_answers_are_plain_text_without_markdown_marks(
        db, emulator, bot, add_item, pipeline, config, runtime) -> None:
    """Admin replies go out with no parse mode: a `code` mark would show as a literal backtick."""
    items = await publish(db, add_item, pipeline, config, runtime, NOISE)
    await ask(emulator, f"/miss {items[NOISE].url} political_prisoners")
    [sent] = [m for m in emulator.messages(ADMIN) if m.text.startswith("Thanks — recorded as a miss")]
    assert sent.parse_mode is None
    assert "`" not in sent.raw and "'monitor train'" in sent.text


async def test_a_title_with_direction_overrides_is_quoted_without_them(
        db, emulator, bot, add_item, pipeline, config, runtime) -> None:
    """A stored title with U+202E (right-to-left override) showed reversed in the operator's
    answer from its first quoted character on; the public alerts were already cleaned."""
    hostile = "Lluvias dejan \u202ecalles inundadas\u202c en Maracaibo\x07"
    items = await publish(db, add_item, pipeline, config, runtime, hostile)
    [ask_topic] = await ask(emulator, f"/miss {items[hostile].url}")
    assert ask_topic.startswith("Which topic should “Lluvias dejan calles inundadas en Maracaibo” have matched?")


async def test_miss_infers_the_topic_when_only_one_is_left(db, emulator, bot, add_item, pipeline, config, runtime) -> None:
    items = await publish(db, add_item, pipeline, config, runtime, US)
    assert await ask(emulator, f"/miss {items[US].url}") == [
        "Thanks — recorded as a miss for political_prisoners; 'monitor train' will use it."
    ]


async def test_miss_answers_bad_input_clearly(db, emulator, bot, add_item, pipeline, config, runtime) -> None:
    items = await publish(db, add_item, pipeline, config, runtime, RELEASE)
    [unknown] = await ask(emulator, "/miss https://nowhere.example/news/1")
    assert unknown.startswith("I have no stored item with the URL https://nowhere.example/news/1.")
    assert await ask(emulator, "/miss") == [
        "Usage: /miss URL [topic] — the link of an item the bot should have alerted."
    ]
    [bad_topic] = await ask(emulator, f"/miss {items[RELEASE].url} sports")
    assert bad_topic == "Unknown topic 'sports'. Topics: political_prisoners, us_actions"
    [matched] = await ask(emulator, f"/miss {items[RELEASE].url} political_prisoners")
    assert matched.startswith(f"“{RELEASE}” already matched political_prisoners")
    assert feedback_rows(db) == []


# -- /wrong ----------------------------------------------------------------------------------


async def test_wrong_as_a_reply_to_a_forwarded_alert(db, emulator, bot, add_item, pipeline, config, runtime) -> None:
    items = await publish(db, add_item, pipeline, config, runtime, RELEASE)
    [alert_msg] = emulator.messages("@pp_channel")
    emulator.inject_message(ADMIN, "", from_id=7, forward_of=("@pp_channel", alert_msg.message_id))
    forwarded = emulator.last_message_id(ADMIN)
    with db.session() as s:
        alert = s.scalar(select(Alert).where(Alert.channel == "pp"))
        assert alert is not None
    assert await ask(emulator, "/wrong", reply_to=forwarded) == [
        "Thanks — recorded as wrong for political_prisoners; 'monitor train' will use it. "
        f"Story {alert.story_id} gets no more edits or replies in ops, pp.\n"
        f"“{RELEASE}” states 87 released: no longer counted in the political_prisoners figures "
        "(/tally at once, the pinned message at its next look, within 10 minutes)."
    ]
    [row] = feedback_rows(db)
    assert (row.kind, row.item_id, row.topic, row.operator) == (
        "wrong", items[RELEASE].id, "political_prisoners", "@ana")
    assert (row.alert_id, row.story_id, row.note) == (alert.id, alert.story_id, "resolved by forward")
    with db.session() as s:
        [example] = feedback_examples(s)
    assert example["topics"] == []


async def test_wrong_as_a_reply_to_an_alert_in_the_admin_chat(db, emulator, bot, add_item, pipeline, config, runtime) -> None:
    await publish(db, add_item, pipeline, config, runtime, US)
    [alert_msg] = [m for m in emulator.messages(ADMIN) if "destructor" in m.text]
    [row_answer] = await ask(emulator, "/wrong", reply_to=alert_msg.message_id)
    assert row_answer.startswith("Thanks — recorded as wrong for us_actions; 'monitor train' will use it. Story ")
    assert row_answer.splitlines()[0].endswith(" gets no more edits or replies in ops, us.")
    assert feedback_rows(db)[0].note == "resolved by reply"


async def test_wrong_finds_the_item_by_a_url_in_the_replied_message(db, emulator, bot, add_item, pipeline, config, runtime) -> None:
    items = await publish(db, add_item, pipeline, config, runtime, RELEASE)
    emulator.inject_message(ADMIN, f"this one: {items[RELEASE].url}", from_id=8)
    pasted = emulator.last_message_id(ADMIN)
    [answer] = await ask(emulator, "/wrong political_prisoners", reply_to=pasted)
    assert answer.startswith("Thanks — recorded as wrong for political_prisoners; 'monitor train' will use it.")
    assert feedback_rows(db)[0].note == "resolved by url"


@pytest.mark.parametrize("command", ["/wrong political_prisoners", "/split", "/merge 1"])
async def test_a_pasted_message_linking_several_stories_stands_for_none(
    db, emulator, bot, add_item, pipeline, config, runtime, command
) -> None:
    # a roundup's copy (forwarded from a group channel, whose forward names no chat, or with the
    # sender hidden) links every story it lists: the first linked story was taken for it, and
    # withdrawn, split or merged
    ours = "Detienen al dirigente sindical Pedro Ochoa en Barquisimeto"
    items = await publish(db, add_item, pipeline, config, runtime, RELEASE, ours)
    emulator.inject_message(ADMIN, f"Resumen\n{items[RELEASE].url}\n{items[ours].url}", from_id=8)
    pasted = emulator.last_message_id(ADMIN)
    [answer] = await ask(emulator, command, reply_to=pasted)
    assert answer.startswith("That message is not"), answer
    assert feedback_rows(db) == []
    with db.session() as s:
        assert not any((a.payload or {}).get("withdrawn") for a in s.scalars(select(Alert)))
        assert len({i.story_id for i in s.scalars(select(Item))}) == 2


async def test_wrong_as_a_reply_to_a_figure_update_records_the_item_it_told(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """A figure's update is a reply message of its own, telling a later item of the story: /wrong
    in reply to it is about that item, not the story's first (whose alert was right)."""
    first, later = "Foro Penal contabiliza 21 presos políticos excarcelados", "Foro Penal suma 23 presos políticos excarcelados"
    items = await publish(db, add_item, pipeline, config, runtime, first)
    items |= await publish(db, add_item, pipeline, config, runtime, later)
    [update] = [m for m in emulator.messages(ADMIN) if m.reply_to is not None]
    assert "Foro Penal suma 23" in update.text
    # the answer names the figure it took out (on 14 January a /wrong to Foro Penal's 72, an
    # update of a 33-item story, got the same words as one to the story: which was recorded?)
    assert await ask(emulator, "/wrong", reply_to=update.message_id) == [
        "Thanks — recorded as wrong for political_prisoners; 'monitor train' will use it.\n"
        "“Foro Penal suma 23 presos políticos excarcelados” states 23 released (Foro Penal): no longer "
        "counted in the political_prisoners figures (/tally at once, the pinned message at its next "
        "look, within 10 minutes)."
    ]
    [tally] = await ask(emulator, "/tally")
    assert "21 (Foro Penal" in tally and "23" not in tally
    [row] = feedback_rows(db)
    assert (row.item_id, row.title) == (items[later].id, later)


FIRST, LATER = "Foro Penal contabiliza 21 presos políticos excarcelados", "Foro Penal suma 23 presos políticos excarcelados"


async def test_a_story_marked_wrong_gets_no_more_edits_or_replies(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """/wrong to a story's alert withdrew nothing: a later report with a new figure still sent
    its update as a reply to the withdrawn alert, and another outlet's report edited it."""
    await publish_from(db, add_item, pipeline, config, runtime, ("elpitazo", FIRST))
    [alert_msg] = emulator.messages("@pp_channel")
    emulator.inject_message(ADMIN, "", from_id=7, forward_of=("@pp_channel", alert_msg.message_id))
    [answer] = await ask(emulator, "/wrong", reply_to=emulator.last_message_id(ADMIN))
    assert answer.splitlines()[0].endswith("gets no more edits or replies in ops, pp.")
    await publish_from(db, add_item, pipeline, config, runtime, ("bbcmundo", LATER), ("cocuyo", FIRST + " este lunes"))
    [only] = emulator.messages("@pp_channel")
    assert (only.message_id, only.edits) == (alert_msg.message_id, [])
    assert [m for m in emulator.messages(ADMIN) if m.reply_to is not None and "Foro Penal" in m.text] == []
    with db.session() as s:
        assert s.scalars(select(Alert).where(Alert.kind != "new")).all() == []


async def test_wrong_drops_the_story_s_queued_alerts(db, emulator, bot, add_item, pipeline, config, runtime) -> None:
    """Alerts of the story still queued when the operator says /wrong (a channel whose message
    had not gone out yet, a figure's update waiting behind it) were sent after it."""
    ids = await publish_from(db, add_item, pipeline, config, runtime, ("elpitazo", FIRST))
    with db.session() as s:
        add_item(s, "bbcmundo", LATER)
        url = s.get(Item, ids[FIRST]).url
    pipeline.process_pending()  # the update is queued, not sent
    with db.session() as s:  # and the pp channel's own message has not gone out either
        s.execute(update(Alert).where(Alert.channel == "pp").values(status="pending", telegram_message_id=None))
    emulator.inject_message(ADMIN, f"this one: {url}", from_id=8)
    [answer] = await ask(emulator, "/wrong political_prisoners", reply_to=emulator.last_message_id(ADMIN))
    assert answer.splitlines()[0].endswith("gets no more edits or replies in ops, pp (3 queued alerts dropped).")
    async with DeliveryWorker(config, runtime, db, out=io.StringIO(), request_timeout=10.0) as worker:
        await worker.deliver_pending()
    sent = len(emulator.messages("@pp_channel"))
    with db.session() as s:
        rows = s.scalars(select(Alert).where(Alert.status == "withdrawn").order_by(Alert.id)).all()
        assert [(a.channel, a.kind) for a in rows] == [("pp", "new"), ("pp", "update"), ("ops", "update")]
        assert all(a.last_error and a.last_error.startswith("withdrawn: /wrong political_prisoners by @ana")
                   for a in rows)
    assert sent == 1  # the pp message sent before the test reset it, and nothing since


async def test_a_report_queued_by_another_replica_while_wrong_is_answered_is_not_sent(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """Another replica (PostgreSQL) placing a report in the story as the operator's /wrong
    withdraws it: its transaction read the story's message before the /wrong, and committed
    its update after it, unseen by the /wrong. The update went out as a reply to the withdrawn
    alert. The worker now looks at the message it would reply to (or edit) first."""
    if db.dialect == "sqlite":
        pytest.skip("SQLite has one writer: the /wrong waits for the other transaction to end")
    await publish_from(db, add_item, pipeline, config, runtime, ("elpitazo", FIRST))
    [alert_msg] = emulator.messages("@pp_channel")
    with db.session() as s:
        add_item(s, "bbcmundo", LATER)
    queued, answered = threading.Event(), threading.Event()

    def pause(session: Any, _context: Any) -> None:  # the other replica, its update flushed
        if any(isinstance(o, Alert) and o.kind == "update" for o in session.new) and not queued.is_set():
            queued.set()
            answered.wait(20)

    event.listen(db.sessions, "after_flush", pause)
    try:
        placing = asyncio.create_task(asyncio.to_thread(pipeline.process_pending))
        await asyncio.to_thread(queued.wait, 20)
        emulator.inject_message(ADMIN, "", from_id=7, forward_of=("@pp_channel", alert_msg.message_id))
        [answer] = await ask(emulator, "/wrong", reply_to=emulator.last_message_id(ADMIN))
        answered.set()
        await placing
    finally:
        answered.set()
        event.remove(db.sessions, "after_flush", pause)
    assert answer.splitlines()[0].endswith("gets no more edits or replies in ops, pp.")
    async with DeliveryWorker(config, runtime, db, out=io.StringIO(), request_timeout=10.0) as worker:
        await worker.deliver_pending()
    assert emulator.messages("@pp_channel") == [alert_msg]
    with db.session() as s:
        assert {a.status for a in s.scalars(select(Alert).where(Alert.kind == "update"))} == {"withdrawn"}


async def test_wrong_to_a_figure_update_leaves_the_story_in_its_channels(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """A /wrong about a later item's update is about that item: the story's message was right,
    and its next figure is still a reply."""
    await publish_from(db, add_item, pipeline, config, runtime, ("elpitazo", FIRST))
    await publish_from(db, add_item, pipeline, config, runtime, ("bbcmundo", LATER))
    [update_msg] = [m for m in emulator.messages(ADMIN) if m.reply_to is not None]
    [answer] = await ask(emulator, "/wrong", reply_to=update_msg.message_id)
    assert answer.startswith("Thanks — recorded as wrong for political_prisoners; 'monitor train' will use it.\n"
                             "“Foro Penal suma 23 presos políticos excarcelados” states 23 released")
    await publish_from(db, add_item, pipeline, config, runtime, ("cocuyo", "Foro Penal suma 25 presos políticos excarcelados"))
    assert len([m for m in emulator.messages("@pp_channel") if m.reply_to is not None]) == 2


async def test_wrong_answers_bad_input_clearly(db, emulator, bot) -> None:
    assert await ask(emulator, "/wrong") == [
        "Send /wrong as a reply to the alert that should not have been sent (forward the alert "
        "here first if it is in a channel)."
    ]
    reply_to = chatter(emulator, ADMIN, from_id=8)
    [not_alert] = await ask(emulator, "/wrong", reply_to=reply_to)
    assert not_alert.startswith("That message is not an alert I sent of one story")
    assert await ask(emulator, "/wrong weather", reply_to=reply_to) == [
        "Unknown topic 'weather'. Topics: political_prisoners, us_actions"
    ]
    assert feedback_rows(db) == []


async def test_help_lists_the_feedback_commands(emulator, bot) -> None:
    [text] = await ask(emulator, "/help")
    assert "/miss URL [topic]" in text and "/wrong [topic]" in text and "/watch NAME" in text
