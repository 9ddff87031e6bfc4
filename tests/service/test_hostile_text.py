"""Hostile and odd text carried from a feed served on 127.0.0.1 through `monitor poll-once`
to the message the Bot API emulator received: what the reader's phone shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from service_world import World
from sqlalchemy import select
from test_restore import poll

from alerts.digest import enqueue_digest
from core.config import load_config
from storage.db import open_database
from storage.models import Item

PRESOS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]


def rss(world: World, items: list[tuple[str, str]]) -> bytes:
    """An RSS document of (title as written in the XML, description) items, newest first."""
    parts = []
    for n, (title, description) in enumerate(items):
        when = format_datetime(datetime.now(UTC) - timedelta(minutes=5 + n), usegmt=True)
        parts.append(
            f"<item><title>{title}</title><link>{world.server.base_url}/a/{n}</link>"
            f"<guid isPermaLink=\"false\">g-{n}</guid><description>{description}</description>"
            f"<pubDate>{when}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>medio</title>'
        "<link>https://medio.example/</link><description>d</description>"
        + "".join(parts) + "</channel></rss>"
    ).encode()


def serve(world: World, items: list[tuple[str, str]]) -> None:
    world.items["medio"], world.languages["medio"] = [], "es"
    world.server.set_route("/medio.xml", rss(world, items), content_type="application/rss+xml")


def stored_titles(world: World) -> list[str]:
    db = open_database(world.db_url)
    with db.session() as s:
        titles = list(s.scalars(select(Item.title).order_by(Item.id)))
    db.dispose()
    return titles


def _poll(world: World) -> None:
    """`monitor poll-once` in process (tests/service/test_restore.py): the first test goes
    through the `monitor` process; a process per poll took 1-1.5 s of CPU."""
    poll(world)


def test_words_in_angle_brackets_escaped_in_the_feed_are_kept(world: World):
    """A feed that escapes a quotation in ASCII guillemets (`&lt;&lt;Queremos…&gt;&gt;`) or a
    name in angle brackets writes text, not markup: the double-encoded-markup rule read them
    as tags and dropped them, and the alert named no prison ("…presos políticos en el penal")."""
    serve(world, [
        ("Excarcelan a 24 presos políticos del penal &lt;El Rodeo I&gt;",
         "Foro Penal: &lt;&lt;Queremos a nuestros hijos libres&gt;&gt;, dijeron las madres en Caracas."),
        ("Detienen a 3 activistas &lt;b&gt;hoy&lt;/b&gt; en Caracas", "Texto &lt;p&gt;del SNTP&lt;/p&gt;."),
    ])
    world.write_config(PRESOS)
    result = world.monitor("poll-once")
    assert result.returncode == 0, result.stderr
    titles = stored_titles(world)
    assert "Excarcelan a 24 presos políticos del penal <El Rodeo I>" in titles
    assert "Detienen a 3 activistas hoy en Caracas" in titles  # escaped markup is still removed
    shown = "\n".join(world.texts("@presos_test"))
    assert "penal <El Rodeo I>" in shown, shown
    assert "<<Queremos a nuestros hijos libres>>" in shown, shown


def test_a_quotation_in_angle_brackets_that_begins_with_an_element_name_is_kept(world: World):
    """A quotation or a name in angle brackets whose first word is also an HTML element's name
    (`A`, `Del`, `Time`, `Menu`...) read as a tag with attributes: `<<A la calle los presos>>`
    became `<>` and `<Del Rodeo>` nothing. Escaped markup has its attributes' values (`<a href=…>`)
    or none (`<b>`)."""
    serve(world, [
        ("Madres gritan &lt;&lt;A la calle los presos políticos&gt;&gt; ante el penal",
         "Foro Penal contó 24 excarcelados del penal &lt;Del Rodeo&gt; y &lt;a href=\"https://x.example\"&gt;otros&lt;/a&gt;."),
    ])
    world.write_config(PRESOS)
    _poll(world)
    assert stored_titles(world) == ["Madres gritan <<A la calle los presos políticos>> ante el penal"]
    shown = "\n".join(world.texts("@presos_test"))
    assert "<<A la calle los presos políticos>>" in shown, shown
    assert "penal <Del Rodeo> y otros." in shown, shown


def test_a_title_of_invisible_characters_is_told_by_its_summary(world: World):
    """A title that is only a zero-width space (`&#8203;`, the way some sites hide a post's
    title), a soft hyphen or blank fillers (Braille blank, Hangul filler) is no title: the
    roundup's line was a link on nothing the reader could see or tap ("🔴 ​ — medio · 18:10"),
    and the alert's headline an empty bold line."""
    serve(world, [
        ("&#8203;", "Excarcelan a 31 presos políticos en Tocorón, informó Foro Penal este sábado."),
        ("&#xAD;&#xFEFF; ", "Detienen al periodista Luis Pérez en Caracas, denunció el SNTP este sábado."),
        # blank fillers (Braille blank, Hangul filler), as posts copied from social media carry
        ("&#x2800;&#x3164; &#xFFA0;", "Condenan a 20 años de prisión al activista Javier Tarazona, denunció Provea."),
    ])
    world.write_config([*PRESOS, {"name": "resumen", "chat_id": "@resumen_test", "mode": "digest",
                                  "schedule": ["07:00"], "topics": ["political_prisoners"]}])
    _poll(world)
    config = load_config(world.config_path)
    db = open_database(world.db_url)
    with db.session() as s:
        assert enqueue_digest(s, config, "resumen", now=datetime.now(UTC))
    db.dispose()
    _poll(world)  # delivers the roundup

    [roundup] = world.emulator.messages("@resumen_test")
    lines = [line for line in roundup.text.splitlines() if " — " in line]
    assert len(lines) == 3, roundup.text
    assert any(line.startswith("🔴 Excarcelan a 31 presos políticos") for line in lines), lines
    # a journalist's arrest, urgent from the summary alone: the arrest's object is told by what
    # the person does ("al periodista"), and no title names him
    assert any(line.startswith("🔴 Detienen al periodista Luis Pérez") for line in lines), lines
    assert any(line[2:].startswith("Condenan a 20 años de prisión") for line in lines), lines
    for alert in world.emulator.messages("@presos_test"):
        assert "<b>" not in alert.raw.split("\n\n")[1], alert.raw  # no headline: the summary tells it


def test_a_fold_of_items_without_titles_names_them_by_their_summaries(world: World):
    """A feed that gives no titles (a Mastodon account's) over its hourly limit: the folded
    message listed each held item as a link on "…", so the reader could not tell them apart."""
    serve(world, [
        ("", f"Excarcelan a {n} presos políticos en {place}, informó Foro Penal este sábado.")
        for n, place in ((31, "Tocorón"), (42, "El Rodeo I"), (53, "Yare"), (64, "Tocuyito"))
    ])
    world.write_config(PRESOS, settings={"max_alerts_per_hour": 1})
    _poll(world)
    fold = world.texts("@presos_test")[-1]
    assert fold.startswith("➕"), world.texts("@presos_test")
    listed = [line for line in fold.splitlines() if line.startswith("• ")]
    assert listed and all("Excarcelan a" in line for line in listed), fold


def test_one_article_linked_as_written_and_percent_encoded_is_stored_once(world: World):
    """An outlet's two feeds link one article, one as written (`…/excarcelación de presos`,
    as a page's href or a CMS gives it) and one percent-encoded (`…/excarcelaci%c3%b3n%20de%20presos`):
    the same address to a browser. Both were stored, and the alert was edited to name the
    outlet's other feed beside it ("También: politica")."""
    title = "Excarcelan a 40 presos políticos en El Rodeo, según Foro Penal"
    for name, path, guid in (("portada", "/politica/excarcelación de presos", "p-1"),
                             ("politica", "/politica/excarcelaci%c3%b3n%20de%20presos", "q-1")):
        when = format_datetime(datetime.now(UTC) - timedelta(minutes=5), usegmt=True)
        body = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>{title}</title><link>{world.server.base_url}{path}</link><guid>{guid}</guid>"
            f"<description>Foro Penal confirmó.</description><pubDate>{when}</pubDate></item></channel></rss>"
        )
        world.items[name], world.languages[name] = [], "es"
        world.server.set_route(f"/{name}.xml", body.encode(), content_type="application/rss+xml")
    world.write_config(PRESOS)
    _poll(world)
    assert len(stored_titles(world)) == 1
    [alert] = world.emulator.messages("@presos_test")
    assert alert.edits == [] and "También" not in alert.text, alert.text
