"""The 10x guard against misread figures compares a figure with its own history (or, first of
it, with its own class's figures), never with another source's small number: a first "8
excarcelaciones" of Foro Penal does not keep the government's 116 and 400 off the announced
line, nor an unattributed "6 presos" Foro Penal's 800 off "still held". A single misread figure
within a history is still flagged; a second figure of that history agreeing with a flagged one
confirms it. Headlines (written for this test) go through the real pipeline into a real SQLite
file."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from alerts.tally.figures import Tally, build_tally, load_tally
from alerts.tally.pin import pin_text
from core.config import AppConfig
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.models import Count, Feed
from storage.tally import StoredFigure
from tests.tally.stored import add_headline

TOPIC = "political_prisoners"
NOW = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


def _tally(db: Database, config: AppConfig, headlines: list[tuple[int, str]],
           stated: dict[int, tuple[str, int, str | None]] | None = None) -> Tally:
    """The tally of these (day of January 2026, headline) through the real pipeline; those in
    `stated` (by index) are stored as the matcher may read them: (event, number, source)."""
    stated = stated or {}
    with db.session() as s:
        feed = Feed(name="el-pitazo", url="https://el-pitazo.example/feed", consecutive_failures=0)
        for n, (day, title) in enumerate(headlines):
            add_headline(s, feed, n, datetime(2026, 1, day, 9, n, tzinfo=UTC), title, now=NOW,
                         stated=stated.get(n))
    assert Pipeline(config, db).process_pending(now=NOW).relevant == len(headlines) - len(stated)
    with db.session() as s:
        assert s.scalar(select(Count.id).where(Count.confident.is_(False))) is None
        return load_tally(s, config)


def test_a_small_first_figure_of_another_source_flags_nothing(db: Database, default_config: AppConfig) -> None:
    tally = _tally(db, default_config, [
        (9, "Italia confirmó la excarcelación de dos ciudadanos en Venezuela"),  # a foreign government's
        (9, "Foro Penal verificó 8 excarcelaciones de presos políticos"),
        (11, "El gobierno anunció la excarcelación de 116 presos políticos"),
        (12, "Foro Penal verificó 18 excarcelaciones de presos políticos"),
        (13, "Jorge Rodríguez anunció 400 excarcelaciones de presos políticos"),
        (14, "Foro Penal confirmó 41 excarcelaciones de presos políticos"),
        (16, "Foro Penal verificó 61 excarcelaciones de presos políticos"),
        (8, "6 presos políticos permanecen detenidos en Venezuela"),  # no source
        (10, "Foro Penal: más de 800 presos políticos siguen detenidos en Venezuela"),
        (14, "La ONG Foro Penal contabiliza 777 presos políticos en Venezuela"),
        (19, "Foro Penal: 711 presos políticos permanecen detenidos en Venezuela"),
        (25, "Foro Penal contabiliza 687 presos políticos en Venezuela"),
    ], stated={0: ("released", 2, "Italia")})  # the citizens freed, read as the matcher may read them
    assert [f for f in tally.timeline if "jump" in f.flags] == []
    state = tally.topics[TOPIC]
    assert [(n, f.source) for _, n, f in state.announced] == [(116, "the government"), (400, "Jorge Rodríguez")]
    assert [n for _, n, _ in state.verified] == [8, 18, 41, 61]
    assert state.still_held is not None and state.held_credible
    assert (state.still_held.number, state.still_held.source) == (687, "Foro Penal")
    text = pin_text(tally, [TOPIC])
    assert text is not None and "Flagged" not in text
    assert "Still held: <b>687</b> (Foro Penal, 2026-01-25)" in text
    assert "Released, announced by the government: <b>400</b> (Jorge Rodríguez, 2026-01-13)" in text


def test_a_misread_figure_within_a_history_is_still_flagged(db: Database, default_config: AppConfig) -> None:
    tally = _tally(db, default_config, [
        (10, "Foro Penal: más de 800 presos políticos siguen detenidos en Venezuela"),
        (14, "La ONG Foro Penal contabiliza 777 presos políticos en Venezuela"),
        (19, "Foro Penal contabiliza 8000 presos políticos en Venezuela"),  # 800, misread
        (25, "Foro Penal contabiliza 687 presos políticos en Venezuela"),
        (12, "Foro Penal verificó 18 excarcelaciones de presos políticos"),
        (13, "La ONG Clippve verificó 400 excarcelaciones de presos políticos"),  # first of its history
    ])
    flagged = {(f.event, f.number, f.source) for f in tally.timeline if "jump" in f.flags}
    assert flagged == {("held", 8000, "Foro Penal"), ("released", 400, "Clippve")}
    state = tally.topics[TOPIC]
    assert state.still_held is not None and state.still_held.number == 687
    assert [n for _, n, _ in state.verified] == [18]


def test_a_second_figure_agreeing_with_a_flagged_one_confirms_it(
    db: Database, default_config: AppConfig
) -> None:
    tally = _tally(db, default_config, [
        (12, "Delcy Rodríguez anunció 40 excarcelaciones de presos políticos"),
        (21, "El gobierno eleva a 626 los presos políticos excarcelados"),  # 10x Delcy's 40: flagged...
        (22, "El gobierno eleva a 650 los presos políticos excarcelados"),  # ... until this agrees
    ])
    assert [f for f in tally.timeline if "jump" in f.flags] == []
    state = tally.topics[TOPIC]
    assert [n for _, n, _ in state.announced] == [40, 626, 650]


def test_a_flagged_figure_under_the_one_shown_is_called_a_tenth_not_ten_times() -> None:
    """A held figure is flagged both ways, yet the pinned message called every flagged figure
    "10× the figures before it": beside Foro Penal's 780 still held, "2 held (other, La Verdad;
    10× the figures before it)" (Iris Varela's "dos únicos presos políticos", 28 January). A
    figure under the one shown for its event is now "a tenth or less" of it."""
    def held(n: int, day: int, number: int) -> StoredFigure:
        when = datetime(2026, 1, day, 12, tzinfo=UTC)
        return StoredFigure(n, TOPIC, "held", number, "Foro Penal", when, when, f"https://o{n}.example", "el-pitazo")

    tally = build_tally([held(1, 14, 777), held(2, 22, 780), held(3, 26, 70)])  # 700, misread
    en, es = pin_text(tally, [TOPIC]), pin_text(tally, [TOPIC], lang="es")
    assert en is not None and es is not None
    assert "• Still held: <b>780</b> (Foro Penal, 2026-01-22)" in en
    assert "Flagged, not counted: 70 held (Foro Penal, 2026-01-26; a tenth or less of the figures before it)" in en
    assert ("Señalada, no contada: 70 presos (Foro Penal, 26/01/2026; una décima parte o menos de las "
            "cifras anteriores)") in es
    up = pin_text(build_tally([held(1, 14, 777), held(2, 22, 780), held(3, 26, 8000)]), [TOPIC])
    assert up is not None and "8,000 held (Foro Penal, 2026-01-26; 10× the figures before it)" in up
