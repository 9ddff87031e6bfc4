"""Stories, routing and the outbox rows `enqueue_for_item` writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts_helpers import Cls
from sqlalchemy import func, select

from alerts.outbox import enqueue_for_item
from devtools.tghtml import parse_html
from storage.models import Alert, Story

NOW = datetime(2026, 3, 14, 14, 0, tzinfo=UTC)
PP = ["political_prisoners"]
ENTS = [{"name": "Foro Penal", "type": "org"}, {"name": "Caracas", "type": "place"}]


def released(n: int, source: str | None = None) -> dict[str, object]:
    return {"event": "released", "number": n, "source": source}


def dead(n: int) -> dict[str, object]:
    return {"event": "dead", "number": n, "source": None}


def test_three_outlets_one_story_one_new_two_edits(db, make_config, add_item) -> None:
    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    c = Cls(PP, "high", {"political_prisoners": ["excarcelados"]}, entities=ENTS, counts=[released(87)])
    with db.session() as s:
        a1 = enqueue_for_item(s, add_item(s, "elpitazo", "Excarcelan a 87 presos políticos en Venezuela",
                                          summary="Fueron excarcelados 87 presos políticos."), c, config, now=NOW)
        a2 = enqueue_for_item(s, add_item(s, "bbcmundo", "Venezuela: excarcelan a 87 presos políticos"), c, config, now=NOW)
        a3 = enqueue_for_item(s, add_item(s, "cocuyo", "Excarcelan a 87 presos políticos en Venezuela"), c, config, now=NOW)
    assert [a.kind for a in a1 + a2 + a3] == ["new", "edit", "edit"]
    with db.session() as s:
        assert s.scalar(select(func.count(Story.id))) == 1
        last = s.get(Alert, a3[0].id)
        assert last.payload["target_alert_id"] == a1[0].id
        shown = parse_html(last.payload["html"])
        assert "También: BBC Mundo, Efecto Cocuyo" in shown
        assert shown.count("El Pitazo") >= 1 and "Excarcelan a 87" in shown


def test_new_figure_posts_an_update_reply(db, make_config, add_item) -> None:
    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    with db.session() as s:
        first = enqueue_for_item(
            s, add_item(s, "elpitazo", "Gobierno anuncia 87 excarcelaciones"),
            Cls(PP, entities=ENTS, counts=[released(87)]), config, now=NOW,
        )
        # another language, another title: joins by entities and the shared figure, adds 61
        upd = enqueue_for_item(
            s, add_item(s, "reuters", "Rights group confirms releases in Venezuela", lang="en"),
            Cls(PP, entities=ENTS, counts=[released(87), released(61, "Foro Penal")]), config, now=NOW,
        )
    assert [a.kind for a in upd] == ["update"]
    assert upd[0].reply_to_alert_id == first[0].id
    shown = parse_html(upd[0].payload["html"])
    assert "61 verificados por Foro Penal" in shown  # in the first message's language
    assert "87" not in shown.split("📊")[1].split("\n")[0]  # only the new figure


def test_unrelated_items_are_separate_stories(db, make_config, add_item) -> None:
    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    with db.session() as s:
        a = enqueue_for_item(s, add_item(s, "elpitazo", "Detienen a periodista en Caracas"),
                             Cls(PP, entities=ENTS, counts=[{"event": "arrested", "number": 1, "source": None}]), config, now=NOW)
        b = enqueue_for_item(s, add_item(s, "bbcmundo", "Excarcelan a 87 presos políticos"),
                             Cls(PP, entities=ENTS, counts=[released(87)]), config, now=NOW)
        # same title as the first, but published outside the 48 h window
        c = enqueue_for_item(s, add_item(s, "cocuyo", "Detienen a periodista en Caracas",
                                         published=NOW + timedelta(hours=49)),
                             Cls(PP), config, now=NOW + timedelta(hours=49))
    assert [x.kind for x in a + b + c] == ["new", "new", "new"]


def test_rerun_is_a_noop(db, make_config, add_item) -> None:
    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    c = Cls(PP, counts=[released(87)])
    with db.session() as s:
        item = add_item(s, "elpitazo", "Excarcelan a 87")
        assert len(enqueue_for_item(s, item, c, config, now=NOW)) == 1
        assert enqueue_for_item(s, item, c, config, now=NOW) == []
        assert s.scalar(select(func.count(Alert.id))) == 1


def test_routing_filters(db, make_config, add_item) -> None:
    config = make_config([
        {"name": "all", "chat_id": "@all_channel", "topics": ["political_prisoners", "us_actions"]},
        {"name": "es-only", "chat_id": "@es_channel", "topics": PP, "languages": ["es"]},
        {"name": "urgent", "chat_id": "@urgent_channel", "topics": PP, "min_urgency": "high"},
        {"name": "us", "chat_id": "console", "topics": ["us_actions"]},
        {"name": "digest", "chat_id": "@digest_channel", "topics": PP, "mode": "digest", "schedule": ["08:00"]},
    ])
    with db.session() as s:
        en = enqueue_for_item(s, add_item(s, "reuters", "Venezuela frees prisoners", lang="en"),
                              Cls(PP, "normal"), config, now=NOW)
        assert sorted(a.channel for a in en) == ["all"]
        # a Spanish report of the same event: the es channel gets its first message now,
        # the urgent channel too (urgency rose); "all" gets a reply marked urgent from El Pitazo
        es = enqueue_for_item(s, add_item(s, "elpitazo", "Venezuela frees prisoners"),
                              Cls(PP, "high"), config, now=NOW)
        assert sorted((a.channel, a.kind) for a in es) == [("all", "update"), ("es-only", "new"), ("urgent", "new")]


def test_urgency_and_counts_merge_into_story(db, make_config, add_item) -> None:
    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    with db.session() as s:
        enqueue_for_item(s, add_item(s, "elpitazo", "Excarcelan a 87 presos políticos hoy"), Cls(PP, "low", counts=[released(87)]), config, now=NOW)
        enqueue_for_item(s, add_item(s, "bbcmundo", "Excarcelan a 87 presos políticos hoy"), Cls(PP, "high", counts=[released(90)]), config, now=NOW)
        story = s.scalars(select(Story)).one()
        assert story.urgency == "high"
        assert {c["number"] for c in story.counts} == {87, 90}


def test_same_prison_and_figure_across_languages_is_one_story(db, make_config, add_item) -> None:
    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    prison = [{"name": "Tocorón", "type": "place"}, {"name": "Aragua", "type": "place"}]
    with db.session() as s:
        a = enqueue_for_item(s, add_item(s, "elpitazo", "Gobierno excarcela a 87 presos del penal de Tocorón"),
                             Cls(PP, entities=prison, counts=[released(87)]), config, now=NOW)
        b = enqueue_for_item(s, add_item(s, "bbcmundo", "Venezuela frees 87 political prisoners from Tocorón"),
                             Cls(PP, entities=prison, counts=[released(87)]), config, now=NOW)
        other = enqueue_for_item(s, add_item(s, "cocuyo", "Trasladan a 12 presos a Tocorón"),
                                 Cls(PP, entities=prison, counts=[{"event": "held", "number": 12, "source": None}]),
                                 config, now=NOW)
    assert [x.kind for x in a + b + other] == ["new", "edit", "new"]


def test_one_death_in_a_common_place_is_not_merged(db, make_config, add_item) -> None:
    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    place = [{"name": "Carabobo", "type": "place"}]
    death = [dead(1)]
    with db.session() as s:
        a = enqueue_for_item(s, add_item(s, "elpitazo", "Muere preso político en Tocuyito"),
                             Cls(PP, entities=place, counts=death), config, now=NOW)
        b = enqueue_for_item(s, add_item(s, "bbcmundo", "Fallece sindicalista detenido tras huelga de hambre"),
                             Cls(PP, entities=place, counts=death), config, now=NOW)
    assert [x.kind for x in a + b] == ["new", "new"]


def test_two_strikes_told_alike_with_different_death_tolls_are_two_stories(db, make_config, add_item) -> None:
    us = ["us_actions"]
    config = make_config([{"name": "us", "chat_id": "@us_channel", "topics": us}])
    with db.session() as s:
        first = enqueue_for_item(s, add_item(s, "elpitazo", "Ataque de EE. UU. contra una lancha deja tres muertos"),
                                 Cls(us, counts=[dead(3)]), config, now=NOW)
        second = enqueue_for_item(s, add_item(s, "bbcmundo", "Ataque de EE. UU. contra una lancha deja cuatro muertos"),
                                  Cls(us, counts=[dead(4)]), config, now=NOW + timedelta(hours=1))
    assert [a.kind for a in first + second] == ["new", "new"]
    assert first[0].story_id != second[0].story_id


def test_the_event_told_after_a_statement_about_it_is_a_reply_marked_urgent(db, make_config, add_item) -> None:
    """A story first told by a report that was not urgent (Díaz-Balart's words "tras la captura
    de Maduro"), then by the event itself (six outlets: "Trump confirma la captura de Maduro"),
    only had "También: …" edited in: the channel never saw the capture as URGENTE. The first
    urgent report is now a reply marked urgent; the later ones edit their outlets in."""
    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    title = "Excarcelan a presos políticos en Venezuela"
    normal = Cls(PP, "normal", {"political_prisoners": ["presos políticos"]}, entities=ENTS)
    high = Cls(PP, "high", {"political_prisoners": ["excarcelan"]}, entities=ENTS)
    with db.session() as s:
        first = enqueue_for_item(s, add_item(s, "elpitazo", title), normal, config, now=NOW)
        urgent = enqueue_for_item(s, add_item(s, "bbcmundo", title), high, config, now=NOW)
        again = enqueue_for_item(s, add_item(s, "cocuyo", title), high, config, now=NOW)
    assert [a.kind for a in first + urgent + again] == ["new", "update", "edit"]
    assert urgent[0].reply_to_alert_id == first[0].id
    shown = parse_html(urgent[0].payload["html"])
    assert shown.startswith("🔴 URGENTE · 🆕 Actualización · BBC Mundo") and title in shown
    assert "También: BBC Mundo, Efecto Cocuyo" in parse_html(again[0].payload["html"])


def test_a_range_whose_lower_end_was_told_is_shown_whole_in_the_update(db, make_config, add_item) -> None:
    """Replaying 9-21 January: after Foro Penal's 84, "Entre 84 y 100 presos políticos son los
    verificados" replied "📊 100 excarcelados", a figure nobody stated (the 84 was told, so
    only the range's upper end was new). The update now shows the range whole: "84–100"."""
    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    terms = {"political_prisoners": ["excarcelaciones"]}
    with db.session() as s:
        first = enqueue_for_item(
            s, add_item(s, "elpitazo", "Foro Penal verificó 84 excarcelaciones de presos políticos en Venezuela"),
            Cls(PP, "normal", terms, entities=ENTS, counts=[released(84, "Foro Penal")]), config, now=NOW)
        upd = enqueue_for_item(
            s, add_item(s, "cocuyo", "Entre 84 y 100 presos políticos son los verificados en excarcelaciones"),
            Cls(PP, "normal", terms, entities=ENTS, counts=[{**released(84), "upto": 100}, released(100)]),
            config, now=NOW)
    assert [a.kind for a in upd] == ["update"] and upd[0].reply_to_alert_id == first[0].id
    figures = parse_html(upd[0].payload["html"]).split("📊 ")[1].split("\n")[0]
    assert figures == "84–100 excarcelados"


def _view(numbers: list[int], source: str | None = None) -> dict[str, object]:
    return {"lang": "es", "topics": PP, "urgency": "normal", "outlet": "El Pitazo", "published": None,
            "title": "Excarcelan presos políticos", "summary": "", "counts": [released(n, source) for n in numbers]}


def _long_story(s, others: int) -> tuple[Story, Alert, Alert]:
    """A story told in channel pp with `others` sent replies of figures of their own, and two more
    of 116 and 117 excarcelados: 116's reply edited to name the Government, 117's edit failed."""
    story = Story(title="Excarcelaciones", topics=PP)
    s.add(story)
    s.flush()

    def alert(kind: str, key: str, view: dict[str, object], **extra: object) -> Alert:
        payload = {"html": "x", "text": "x", "view": view, **extra.pop("payload", {})}  # type: ignore[dict-item]
        row = Alert(channel="pp", story_id=story.id, kind=kind, dedupe_key=f"{key}:{story.id}", payload=payload,
                    next_attempt_at=NOW, created_at=NOW, sent_at=NOW, **{"status": "sent", **extra})
        s.add(row)
        s.flush()
        return row

    first = alert("new", "new", _view([87]), telegram_message_id=1)
    for k in range(others):
        alert("update", f"update-{k}", _view([200 + k]), reply_to_alert_id=first.id, telegram_message_id=10 + k)
    sourced = alert("update", "update-116", _view([116]), reply_to_alert_id=first.id)
    unsourced = alert("update", "update-117", _view([117]), reply_to_alert_id=first.id)
    alert("edit", "edit-116", _view([116], "el Gobierno"), payload={"target_alert_id": sourced.id})
    alert("edit", "edit-117", _view([117], "el Gobierno"), status="failed", payload={"target_alert_id": unsourced.id})
    return story, sourced, unsourced


def test_a_long_story_s_replies_are_named_their_source_in_a_few_reads(db, make_config, add_item) -> None:
    """A report stating a figure's source edits the story's replies that tell it unsourced; each
    reply's last edit was read with a statement of its own, reading the story's edits again: a
    story with 174 replies (bench/months_memory.py's day 26), 174 statements for each report that
    joins it, growing with the story. The replies' edits are now read at once, and what is named
    is the same: the reply edited already is left, the one whose edit failed is edited."""
    from sqlalchemy import event

    from alerts.outbox import name_sources

    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    channel = config.channels[0]
    statements: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        statements.append(statement)

    counts = [released(116, "el Gobierno"), released(117, "el Gobierno")]
    seen = []
    for others in (3, 60):
        with db.session() as s:
            story, sourced, unsourced = _long_story(s, others)
            item = add_item(s, "laverdad", "Gobierno informa de 116 y 117 excarcelaciones")
            alerts: list[Alert] = []
            statements.clear()
            event.listen(db.engine, "before_cursor_execute", record)
            try:
                named = name_sources(s, alerts, channel, story.id, item, counts, config, NOW)
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
            assert named == 1 and [a.kind for a in alerts] == ["edit"]
            assert alerts[0].payload["target_alert_id"] == unsourced.id
            assert "según el Gobierno" in parse_html(alerts[0].payload["html"])
        seen.append(len(statements))
    assert seen[0] == seen[1], seen  # the reads do not grow with the story's replies


def test_a_range_named_its_source_takes_its_upper_end_along(db, make_config, add_item) -> None:
    """A reply "📊 84–100 excarcelados" (nobody named) and a later report of Foro Penal's range
    84–100: the range and its end (stored as a figure of its own) are named together. Named one
    by one, the end stayed unnamed and read as a second figure, "84–100 verificados por Foro
    Penal · 100 excarcelados"."""
    from alerts.outbox import name_sources

    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    with db.session() as s:
        story = Story(title="Excarcelaciones", topics=PP)
        s.add(story)
        s.flush()
        view = _view([100])
        view["counts"] = [{**released(84), "upto": 100}, released(100)]
        s.add(Alert(channel="pp", story_id=story.id, kind="update", dedupe_key=f"update:{story.id}",
                    payload={"html": "x", "text": "x", "view": view}, status="sent", next_attempt_at=NOW,
                    created_at=NOW, sent_at=NOW, telegram_message_id=2))
        s.flush()
        item = add_item(s, "noticiero", "Foro Penal: entre 84 y 100 excarcelaciones verificadas")
        alerts: list[Alert] = []
        counts = [{**released(84, "Foro Penal"), "upto": 100}, released(100, "Foro Penal")]
        assert name_sources(s, alerts, config.channels[0], story.id, item, counts, config, NOW) == 1
        shown = parse_html(alerts[0].payload["html"])
        assert "📊 84–100 verificados por Foro Penal\n" in shown, shown
