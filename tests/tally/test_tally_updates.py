"""A source's update counts even when fewer outlets stated it that day: the announced and
verified lines are the running maximum of every accepted statement, not of the timeline's one
point per day. Releases only grow, so a later, higher figure of Foro Penal is its update, not a
dispute; a lower one stated after it still is. A held count can go down as well as up: there the
outlets decide. Headlines (written for this test) go through the real pipeline into a real
SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.tally.figures import Tally, load_tally
from alerts.tally.pin import pin_text
from core.config import AppConfig
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.models import Feed, Item

TOPIC = "political_prisoners"


def _tally(db: Database, config: AppConfig, headlines: list[tuple[int, int, str, str]]) -> Tally:
    """The tally of these (day of January 2026, hour, outlet, headline) through the pipeline."""
    with db.session() as s:
        feeds: dict[str, Feed] = {}
        for n, (day, hour, outlet, title) in enumerate(headlines):
            feed = feeds.get(outlet) or Feed(name=outlet, url=f"https://{outlet}.example/feed",
                                             consecutive_failures=0)
            feeds[outlet] = feed
            when = datetime(2026, 1, day, hour, tzinfo=UTC)
            s.add(Item(feed=feed, guid=str(n), url=f"https://{outlet}.example/{n}", title=title, summary="",
                       language="es", published_at=when, fetched_at=when + timedelta(minutes=5),
                       content_hash=f"h{n}"))
    assert Pipeline(config, db).process_pending(now=datetime(2026, 1, 31, tzinfo=UTC)).relevant == len(headlines)
    with db.session() as s:
        return load_tally(s, config)


def test_a_later_release_figure_stated_by_fewer_outlets_is_the_running_total(
    db: Database, default_config: AppConfig
) -> None:
    tally = _tally(db, default_config, [
        (26, 9, "infobae", "Foro Penal verificó 143 excarcelaciones de presos políticos"),
        (26, 11, "el-nacional", "Foro Penal verificó 143 excarcelaciones de presos políticos"),
        (26, 20, "la-verdad", "Foro Penal eleva a 160 las excarcelaciones de presos políticos"),
        (27, 8, "diario-x", "Foro Penal verificó 150 excarcelaciones de presos políticos"),  # after 160
        (28, 9, "infobae", "Foro Penal: 190 presos políticos siguen detenidos en Venezuela"),
        (28, 10, "el-nacional", "Foro Penal: 190 presos políticos siguen detenidos en Venezuela"),
        (28, 20, "la-verdad", "Foro Penal: 185 presos políticos siguen detenidos en Venezuela"),
    ])
    state = tally.topics[TOPIC]
    assert [(n, f.outlet) for _, n, f in state.verified] == [(143, "infobae"), (160, "la-verdad")]
    released = [(f.number, f.flags) for f in tally.figures if f.event == "released"]
    assert released == [(160, []), (150, ["conflict"])]  # 143 was the earlier total, not a dispute
    held = [(f.number, f.flags) for f in tally.figures if f.event == "held"]
    assert held == [(190, []), (185, ["conflict"])]  # a held count may fall: the outlets decide
    assert state.still_held is not None and state.still_held.number == 190
    text = pin_text(tally, [TOPIC])
    assert text is not None
    assert "Released, verified by rights groups: <b>160</b> (Foro Penal, 2026-01-26)" in text
    assert "Disputed: 150 released (Foro Penal as quoted by diario-x, 2026-01-27)" in text
    assert "143" not in text
    assert "Disputed: 185 held (Foro Penal as quoted by la-verdad, 2026-01-28)" in text


def test_an_outlet_repeating_its_figure_is_one_outlet(db: Database, default_config: AppConfig) -> None:
    """One outlet that states 185 in three articles does not outvote two outlets that state 190:
    the figure most outlets stated wins, not the one most articles repeated."""
    tally = _tally(db, default_config, [
        (28, 9, "infobae", "Foro Penal: 190 presos políticos siguen detenidos en Venezuela"),
        (28, 10, "el-nacional", "Foro Penal: 190 presos políticos siguen detenidos en Venezuela"),
        (28, 11, "la-verdad", "Foro Penal: 185 presos políticos siguen detenidos en Venezuela"),
        (28, 12, "la-verdad", "Foro Penal: 185 presos políticos siguen detenidos en el país"),
        (28, 13, "la-verdad", "Foro Penal: 185 presos políticos siguen detenidos, según la ONG"),
    ])
    held = [(f.number, f.outlet, f.flags) for f in tally.figures if f.event == "held" and f.source == "Foro Penal"]
    assert held == [(190, "El Nacional", []), (185, "la-verdad", ["conflict"])]
    state = tally.topics[TOPIC]
    assert state.still_held is not None and state.still_held.number == 190
    assert [f.number for f in tally.timeline if f.source == "Foro Penal"] == [190]


def test_the_outlets_decide_a_held_count_by_the_day_in_the_settings_zone(
    db: Database, default_config: AppConfig
) -> None:
    """Two outlets state Foro Penal's 190 at 17:00 and 18:00 in Caracas, a third its 185 at
    21:00 (01:00 UTC, the next day in UTC). The timeline's days were UTC's: the 185 stood
    alone on its day, and the pinned message said "Still held: 185" beside "Disputed: 185"."""
    tally = _tally(db, default_config, [
        (28, 21, "infobae", "Foro Penal: 190 presos políticos siguen detenidos en Venezuela"),
        (28, 22, "el-nacional", "Foro Penal: 190 presos políticos siguen detenidos en Venezuela"),
        (29, 1, "la-verdad", "Foro Penal: 185 presos políticos siguen detenidos en Venezuela"),
    ])
    held = [(f.number, f.flags) for f in tally.figures if f.event == "held"]
    assert held == [(190, []), (185, ["conflict"])]
    state = tally.topics[TOPIC]
    assert state.still_held is not None and state.still_held.number == 190
    text = pin_text(tally, [TOPIC], default_config.settings.tz)
    assert text is not None and "Still held: <b>190</b> (Foro Penal, 2026-01-28)" in text


def test_a_range_is_one_figure_its_lower_end_not_a_total_that_later_counts_dispute(
    db: Database, default_config: AppConfig
) -> None:
    """Replaying 9-21 January: "La PUD y Foro Penal confirman entre 56 y 76 excarcelaciones"
    put Foro Penal's verified releases at 76 (the range's upper end, PUD's figure), and Foro
    Penal's own 72 the next day was pinned as "En disputa: 72 excarcelados (Foro Penal citado
    por …)". A range's upper end is not a total of its own: the tally reads its lower end."""
    tally = _tally(db, default_config, [
        (13, 11, "infobae", "La ONG Foro Penal confirmó que ya son 56 los presos políticos excarcelados"),
        (14, 0, "el-nacional", "La PUD y Foro Penal confirman entre 56 y 76 excarcelaciones de presos políticos"),
        (14, 23, "infobae", "El Foro Penal elevó a 72 la cifra de presos políticos excarcelados"),
    ])
    released = [(f.number, f.flags) for f in tally.figures if f.event == "released"]
    assert released == [(72, [])]
    text = pin_text(tally, [TOPIC], lang="es")
    assert text is not None and "76" not in text and "disputa" not in text


def test_a_range_is_no_jump_to_flag(db: Database, default_config: AppConfig) -> None:
    """Its upper end left out, the 139 of "Reportan que entre 139 y 155 presos políticos han sido
    excarcelados" was flagged as 10× the outlet's last figure (the 2 young women freed two days
    before) and pinned "Señalada, no contada: 139 excarcelados". A range states a total with
    its bounds; it is not a misread number."""
    tally = _tally(db, default_config, [
        (16, 13, "la-verdad", "Excarcelan a las 2 jóvenes presas por estampar franelas con estatua caída de Chávez"),
        (18, 13, "la-verdad", "Reportan que entre 139 y 155 presos políticos han sido excarcelados"),
    ])
    assert [f.flags for f in tally.timeline if f.number == 139] == [[]]
    text = pin_text(tally, [TOPIC], lang="es")
    assert text is None or "Señalada" not in text


def test_a_range_stored_before_the_upgrade_is_one_figure_after_it(db: Database, default_config: AppConfig) -> None:
    """Migration 0021 added `counts.upto` empty: a range an older release stored stayed two
    figures after the upgrade, and the pinned tally kept "verificados por ONG: 76 (Foro Penal)"
    with Foro Penal's own 72 "En disputa". 0022 finds the ranges stated in the stored text and
    sets what the pipeline sets; a figure and a total that are no range stay apart."""
    from sqlalchemy import text

    from storage.db import downgrade, migrate

    headlines = [
        (13, 11, "infobae", "La ONG Foro Penal confirmó que ya son 56 los presos políticos excarcelados"),
        (14, 0, "el-nacional", "La PUD y Foro Penal confirman entre 56 y 76 excarcelaciones de presos políticos"),
        (14, 1, "la-verdad", "Reportan que entre 1.139 y 1.155 presos políticos han sido excarcelados"),
        (14, 2, "diario-x", "Excarcelan a 16 presos políticos hoy; el Gobierno suma 156 en total"),
        (14, 3, "diario-y", "El Gobierno anuncia que excarcelará a 300 o 400 presos políticos"),
        (14, 4, "diario-z", "Familiares: 700-800 presos políticos siguen detenidos en Tocorón"),
    ]
    _tally(db, default_config, headlines)
    read = "SELECT id, upto FROM counts ORDER BY id"
    with db.session() as s:
        as_stored = s.execute(text(read)).all()
        s.execute(text("UPDATE counts SET upto = NULL"))  # as an older release stored them
    assert sum(upto is not None for _, upto in as_stored) == 4
    downgrade(db.engine, "0021_count_ranges")
    migrate(db.engine)
    with db.session() as s:
        assert s.execute(text(read)).all() == as_stored
    with db.session() as s:
        feed = s.query(Feed).filter_by(name="infobae").one()
        when = datetime(2026, 1, 14, 23, tzinfo=UTC)
        s.add(Item(feed=feed, guid="72", url="https://infobae.example/72", summary="", language="es",
                   title="El Foro Penal elevó a 72 la cifra de presos políticos excarcelados",
                   published_at=when, fetched_at=when + timedelta(minutes=5), content_hash="h72"))
    Pipeline(default_config, db).process_pending(now=datetime(2026, 1, 31, tzinfo=UTC))
    with db.session() as s:
        tally = load_tally(s, default_config)
    assert [(f.number, f.flags) for f in tally.figures if f.event == "released" and f.source == "Foro Penal"] \
        == [(72, [])]
    text_es = pin_text(tally, [TOPIC], lang="es")
    assert text_es is not None and "76" not in text_es and "disputa" not in text_es
