"""A story's update reply carries a figure the channel has not been told: the same number
told again with another source's name is no reply (end to end: feed server, poll-once, the
Bot API emulator)."""

from __future__ import annotations

from datetime import timedelta

from test_restore import poll  # poll-once in process: a process per poll took 1-1.5 s of CPU

CHANNELS = [{"name": "us", "chat_id": "@us_test", "topics": ["us_actions"], "languages": ["en"]}]
STRIKE = "US strike on alleged drug boat in the Caribbean kills three"
PENTAGON = "US strike on drug boat in the Caribbean leaves 3 dead, according to the Pentagon"


def test_the_same_death_toll_from_the_pentagon_is_an_edit_not_a_reply(world):
    world.feed("wire", "en")
    world.feed("bbc", "en")
    world.publish("wire", STRIKE, "The strike was the latest in a campaign against boats the US says carry drugs.")
    world.write_config(CHANNELS)
    poll(world)
    world.publish("bbc", PENTAGON, "Defense officials said the boat was operated by a designated terrorist group.")
    poll(world)

    messages = world.emulator.messages("@us_test")
    assert [m.reply_to for m in messages] == [None], [m.text for m in messages]
    assert "3 dead" in messages[0].text and messages[0].edits, [m.text for m in messages]


PRESOS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"], "languages": ["es"]}]


GOVERNMENT_116 = "Gobierno informa de “116 nuevas excarcelaciones” tras alegar “impartir justicia”"


def _unsourced_116(world) -> None:
    """The wave's story told, then a report of its 116 that names no one (published, not polled)."""
    for name in ("infobae", "caraota", "laverdad"):
        world.feed(name, "es")
    world.publish("infobae", "Ascienden a ocho las excarcelaciones de presos políticos en Venezuela "
                  "tras anuncio del régimen chavista", age=timedelta(hours=3))
    world.write_config(PRESOS)
    poll(world)
    world.publish("caraota", "Anunciaron 116 nuevas excarcelaciones de presos políticos: «Este procedimiento "
                  "de revisión se mantendrá de manera permanente»", age=timedelta(minutes=40))


def test_a_reply_not_yet_sent_names_the_source_a_later_report_gives_its_figure(world):
    """12 January replayed: "Anunciaron 116 nuevas excarcelaciones…" (nobody named) made the
    story's reply; "Gobierno informa de “116 nuevas excarcelaciones”…", polled with it, was
    only an edit, and the channel read "+116 excarcelados" with no one stating it."""
    _unsourced_116(world)
    world.publish("laverdad", GOVERNMENT_116, age=timedelta(minutes=10))
    poll(world)

    messages = world.emulator.messages("@presos_test")
    assert [m.reply_to is not None for m in messages] == [False, True], [m.text for m in messages]
    assert "+116 excarcelados según el Gobierno" in messages[1].text, messages[1].text


def test_a_reply_sent_is_edited_to_name_the_source_a_later_report_gives_its_figure(world):
    """The same reports an hour apart: the reply "+116 excarcelados" had gone out, and the
    government's own report of the 116 left it so (only the story's message named La Verdad)."""
    _unsourced_116(world)
    poll(world)
    world.publish("laverdad", GOVERNMENT_116, age=timedelta(minutes=10))
    poll(world)
    poll(world)  # nothing more: the reply names its source already

    first, reply = world.emulator.messages("@presos_test")
    assert reply.reply_to == first.message_id
    assert "+116 excarcelados según el Gobierno" in reply.text and len(reply.edits) == 1, reply.text
    assert "La Verdad" in first.text or "laverdad" in first.text, first.text  # the story's message names it


JORGE = "Jorge Rodríguez anunció la liberación de “un número importante” de presos políticos en Venezuela"
ASCIENDEN_8 = ("EN VIVO | Ascienden a ocho las excarcelaciones de presos políticos en Venezuela tras anuncio "
               "del régimen chavista")
FORO_PENAL_8 = "FORO PENAL VERIFICÓ EXCARCELACIÓN DE OCHO PRESOS POLÍTICOS HASTA LA MAÑANA DE ESTE VIERNES"


def test_a_report_whose_reply_verifies_a_figure_leaves_the_earlier_reply_of_it_unedited(world):
    """9 January replayed (w0460, w0501, w0523): "Ascienden a ocho…" (nobody named) replied
    "📊 8 excarcelados"; Foro Penal's "VERIFICÓ … OCHO" replied "📊 8 verificados por Foro Penal"
    and edited the first reply to say the same, so the channel showed two replies of Foro
    Penal's 8. The verification is told once, in its own reply."""
    for name in ("infobae", "noticiero"):
        world.feed(name, "es")
    world.publish("infobae", JORGE, age=timedelta(hours=5))
    world.write_config(PRESOS)
    poll(world)
    world.publish("infobae", ASCIENDEN_8, age=timedelta(hours=2))
    poll(world)
    world.publish("noticiero", FORO_PENAL_8, age=timedelta(minutes=10))
    poll(world)

    first, unsourced, verified = world.emulator.messages("@presos_test")
    assert unsourced.reply_to == verified.reply_to == first.message_id
    assert "📊 8 excarcelados" in unsourced.text and not unsourced.edits, (unsourced.text, unsourced.edits)
    assert "📊 8 verificados por Foro Penal" in verified.text, verified.text


def test_a_range_no_one_named_is_not_credited_to_the_source_of_one_of_its_ends(world):
    """15-17 January replayed (w0893, w0901, w0909, w1031): "Entre 84 y 100 presos políticos
    son los verificados…" (nobody named) replied "📊 84–100 excarcelados"; Foro Penal's 84
    told again edited it to "84–100 verificados por Foro Penal · 100 excarcelados", a range
    Foro Penal never stated and its end as a second figure, and Foro Penal's 100 to "84–100
    verificados por Foro Penal"."""
    for name in ("infobae", "versionfinal", "laverdad", "noticiero"):
        world.feed(name, "es")
    world.publish("infobae", "Foro Penal verificó 84 excarcelaciones de presos políticos en Venezuela desde el 8 "
                  "de enero", age=timedelta(hours=6))
    world.write_config(PRESOS)
    poll(world)
    world.publish("versionfinal", "Entre 84 y 100 presos políticos son los verificados en excarcelaciones",
                  age=timedelta(hours=5))
    poll(world)
    world.publish("laverdad", "Foro Penal verifica 84 excarcelaciones de presos políticos", age=timedelta(hours=3))
    poll(world)
    world.publish("noticiero", "FORO PENAL CONTABILIZÓ 100 EXCARCELACIONES DE PRESOS POLÍTICOS DESDE EL 8 DE ENERO",
                  age=timedelta(minutes=10))
    poll(world)

    messages = world.emulator.messages("@presos_test")
    ranged = next(m for m in messages if "84–100" in m.text)
    assert "📊 84–100 excarcelados\n" in ranged.text and not ranged.edits, (ranged.text, ranged.edits)
    assert any("📊 100 verificados por Foro Penal" in m.text for m in messages), [m.text for m in messages]
