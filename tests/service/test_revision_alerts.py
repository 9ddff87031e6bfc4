"""An outlet edits a headline in place as a figure grows (same GUID, same link): the new
figure reaches the channel as a reply to the story's alert, and nothing else does."""

from __future__ import annotations

from collections.abc import Callable

from service_world import World
from sqlalchemy import select
from test_restore import poll

from storage.db import open_database
from storage.models import Item

CHANNELS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]
EIGHT = "Ascienden a 8 las excarcelaciones de presos políticos, según Foro Penal"
SIXTEEN = "Ascienden a 16 las excarcelaciones de presos políticos, según Foro Penal"
SUMMARY = "La ONG confirmó las excarcelaciones en Caracas durante la madrugada."


def _poll(world: World) -> None:
    """`monitor poll-once` in process (tests/service/test_restore.py): the revisions are what
    these tests are about; the first test polls through the `monitor` process, as the operator
    does (a process per poll took 1-1.5 s of CPU, 17 polls here: 32 s of the file's 33 s)."""
    poll(world)


def _poll_process(world: World) -> None:
    result = world.monitor("poll-once")
    assert result.returncode == 0, result.stderr


def _told_then_retitled(world: World, *titles: str, polled: Callable[[World], None] = _poll) -> None:
    """EIGHT published and polled, then retitled to each of `titles`, polled after each."""
    world.feed("efecto", "es")
    first = world.publish("efecto", EIGHT, SUMMARY)
    world.write_config(CHANNELS)
    polled(world)
    for title in titles:
        world.retitle("efecto", first.guid, title)
        polled(world)


def _items(world) -> list[Item]:
    db = open_database(world.db_url)
    try:
        with db.session() as s:
            return list(s.scalars(select(Item).order_by(Item.id)))
    finally:
        db.dispose()


def test_a_headline_retitled_with_a_new_figure_is_an_update_reply(world):
    _told_then_retitled(world, SIXTEEN, polled=_poll_process)

    messages = world.emulator.messages("@presos_test")
    [alert] = [m for m in messages if m.reply_to is None]
    replies = [m for m in messages if m.reply_to is not None]
    assert "8" in alert.text and not alert.edits, [m.text for m in messages]
    assert len(replies) == 1 and "16" in replies[0].text, [m.text for m in messages]
    assert replies[0].reply_to == alert.message_id
    items = _items(world)
    assert [i.title for i in items] == [EIGHT, SIXTEEN]
    assert items[1].revision_of == items[0].id and items[1].story_id == items[0].story_id
    assert items[1].story_match["decision"] == "revision" and items[1].story_match["revision_of"] == items[0].id


def test_a_headline_reworded_with_the_same_figure_sends_and_stores_nothing(world):
    world.feed("efecto", "es")
    first = world.publish("efecto", EIGHT, SUMMARY)
    world.write_config(CHANNELS)
    _poll(world)
    world.retitle("efecto", first.guid, "Foro Penal: ascienden a ocho las excarcelaciones de presos políticos")
    _poll(world)

    messages = world.emulator.messages("@presos_test")
    assert len(messages) == 1 and not messages[0].edits, [m.text for m in messages]
    assert [i.title for i in _items(world)] == [EIGHT]


def test_a_revision_to_a_figure_the_story_has_is_silent(world):
    """Another outlet told 16 first: the retitled headline joins the story with nothing new,
    and the message, which names that outlet already, is not edited again."""
    world.feed("efecto", "es")
    world.feed("pitazo", "es")
    first = world.publish("efecto", EIGHT, SUMMARY)
    world.write_config(CHANNELS)
    _poll(world)
    world.publish("pitazo", "Foro Penal contabiliza 16 excarcelaciones de presos políticos", "La ONG actualizó su balance.")
    _poll(world)
    before = [(m.text, len(m.edits)) for m in world.emulator.messages("@presos_test")]
    world.retitle("efecto", first.guid, SIXTEEN)
    _poll(world)

    after = [(m.text, len(m.edits)) for m in world.emulator.messages("@presos_test")]
    assert after == before
    items = _items(world)
    assert len({i.story_id for i in items}) == 1 and items[-1].revision_of == items[0].id


def test_an_outlet_putting_its_earlier_figure_back_is_a_reply_with_that_figure(world):
    """8, then 16, then back to 8 (the outlet corrects itself): the tally took the 8 again but
    the channel's last word stayed "16", since the story already had the 8."""
    _told_then_retitled(world, SIXTEEN, EIGHT)

    messages = world.emulator.messages("@presos_test")
    [alert] = [m for m in messages if m.reply_to is None]
    replies = [m.text for m in messages if m.reply_to == alert.message_id]
    assert len(replies) == 2 and "16" in replies[0] and "8" in replies[1] and "16" not in replies[1].split("\n", 1)[1], replies
    [first] = world.items["efecto"]
    world.retitle("efecto", first.guid, "Foro Penal: ascienden a 8 las excarcelaciones de presos políticos")
    _poll(world)  # the same figure reworded: nothing more
    assert len(world.emulator.messages("@presos_test")) == 3


def test_a_revision_that_makes_an_item_relevant_is_alerted_as_a_new_story(world):
    world.feed("efecto", "es")
    first = world.publish("efecto", "EN VIVO | Lo que sabemos de la jornada del 3 de enero",
                          "Actualización de la jornada en Caracas.")
    world.write_config(CHANNELS)
    _poll(world)
    assert world.emulator.messages("@presos_test") == []
    world.retitle("efecto", first.guid, "EN VIVO | Excarcelan a 16 presos políticos de El Helicoide")
    _poll(world)

    [alert] = world.emulator.messages("@presos_test")
    assert "16" in alert.text and "Helicoide" in alert.text and alert.reply_to is None
    items = _items(world)
    assert items[0].story_id is None and items[1].revision_of == items[0].id and items[1].story_id is not None
    assert items[1].story_match["decision"] != "revision"


def test_another_event_under_the_same_guid_is_placed_by_the_matcher(world):
    """A generator that reused the GUID for the next article (or a live page retitled for
    another event): few words kept, so it is not put in the first story's thread."""
    world.feed("efecto", "es")
    first = world.publish("efecto", EIGHT, SUMMARY)
    world.write_config(CHANNELS)
    _poll(world)
    world.retitle("efecto", first.guid, "Detienen a 3 dirigentes sindicales en Ciudad Guayana")
    _poll(world)

    messages = world.emulator.messages("@presos_test")
    assert [m.reply_to for m in messages] == [None, None], [m.text for m in messages]
    assert "Guayana" in messages[1].text
    items = _items(world)
    assert items[1].revision_of == items[0].id and items[1].story_id != items[0].story_id
    assert items[1].story_match["decision"] != "revision"


def test_a_wire_storys_numbered_versions_leave_its_revisions_for_its_figures(world):
    """Reuters retitles a story "UPDATE 1-…", "UPDATE 2-…" as it adds paragraphs: each number
    was a new figure, so six versions used up the item's five revisions and the 60 that came
    next never reached the channel."""
    title = "Venezuela releases {n} political prisoners -rights group"
    world.feed("reuters", "en")
    first = world.publish("reuters", title.format(n=41), "Rights group Foro Penal said 41 were freed on Wednesday.")
    world.write_config(CHANNELS)
    _poll(world)
    for version in range(1, 7):
        world.retitle("reuters", first.guid, f"UPDATE {version}-" + title.format(n=41))
        _poll(world)
    world.retitle("reuters", first.guid, "UPDATE 7-" + title.format(n=60))
    _poll(world)

    messages = world.emulator.messages("@presos_test")
    [alert] = [m for m in messages if m.reply_to is None]
    replies = [m for m in messages if m.reply_to is not None]
    assert "41" in alert.text and not alert.edits, [m.text for m in messages]
    assert len(replies) == 1 and "60" in replies[0].text and "UPDATE" not in replies[0].text, [m.text for m in messages]
    assert [i.title for i in _items(world)] == [title.format(n=41), title.format(n=60)]
