"""Release waves told in forms the first rules missed (alerts/stories/wave.py): the releases going
on, a released count of detainees, and a tally stated before a demand. Each form, and the
telling next to it that must stay out of the wave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from alerts.stories.features import features

NOW = datetime(2026, 3, 14, 14, 0, tzinfo=UTC)
PP = ["political_prisoners"]


def wave(title: str, released: int | None = None) -> str | None:
    counts: list[dict[str, Any]] = [{"event": "released", "number": released}] if released else []
    return features(item_id=1, title=title, lang="es", outlet="x", when=NOW, topics=PP, entities=[],
                    counts=counts).wave


@pytest.mark.parametrize("title", [
    "Continúan las liberaciones de presos políticos en el país",
    "Avanzan las excarcelaciones de presos políticos en cárceles de Caracas",
    "Prosigue la excarcelación de presos políticos este martes",
])
def test_releases_told_as_going_on_are_the_wave(title: str) -> None:
    assert wave(title) == "going on"


@pytest.mark.parametrize("title", [
    "Presos políticos siguen a la espera de su liberación",
    "Continúa la espera de los familiares por la liberación de presos políticos",
])
def test_waiting_for_releases_is_not_the_wave_going_on(title: str) -> None:
    assert wave(title) is None


def test_a_released_count_of_detainees_is_the_waves() -> None:
    assert wave("Confirman la excarcelación de 12 detenidos en Yare", released=12) == "tally"
    # without the count read as released, or of one group told apart, it is not
    assert wave("Confirman la excarcelación de 12 detenidos en Yare") is None
    assert wave("Nueve oficiales detenidos en Ramo Verde salen en libertad", released=9) is None
    assert wave("Excarcelan a 2 detenidos en Yare", released=2) is None  # two people, not a wave's count


def test_a_tally_stated_before_a_demand_is_the_wave_a_demand_first_is_not() -> None:
    assert wave("ONG contabiliza 150 excarcelaciones y pide garantías para los liberados", released=150) == "tally"
    assert wave("Observatorio registra 90 excarcelaciones de presos políticos y exige más", released=90) == "tally"
    assert wave("ONG pide garantías para las 150 excarcelaciones de presos políticos", released=150) is None
    assert wave("Machado exige que las 150 excarcelaciones sean plenas", released=150) is None


def test_the_forms_join_the_waves_story(db: Any, make_config: Any, add_item: Any) -> None:
    from alerts.outbox import enqueue_for_item
    from monitor.match import build_classifier

    config = make_config([{"name": "all", "chat_id": "@all_channel", "topics": PP}])
    classifier = build_classifier(config.topics, config.entities)

    def put(feed: str, title: str, hours: float, lang: str = "es") -> int:
        with db.session() as s:
            item = add_item(s, feed, title, published=NOW + timedelta(hours=hours), lang=lang)
            c = classifier.classify(title=title, lang=lang)
            assert c.topics, title
            enqueue_for_item(s, item, c, config, now=NOW + timedelta(hours=hours))
            return int(item.story_id or 0)

    story = put("elpitazo", "Foro Penal suma 40 presos políticos excarcelados", 0)
    joined = [put("cocuyo", "Continúan las excarcelaciones de presos políticos en Venezuela", 3),
              put("bbcmundo", "Oenegé contabiliza 52 excarcelaciones y exige que sean plenas", 5)]
    english = put("bbc", "Foro Penal verifies 60 more releases of political prisoners", 7, lang="en")
    apart = put("elpitazo", "Presos políticos siguen a la espera de su liberación en El Rodeo I", 6)
    assert [*joined, english] == [story, story, story] and apart != story


# -- the wave told in English ----------------------------------------------------------------


def wave_en(title: str, released: int | None = None) -> str | None:
    counts: list[dict[str, Any]] = [{"event": "released", "number": released}] if released else []
    return features(item_id=1, title=title, lang="en", outlet="x", when=NOW, topics=PP, entities=[],
                    counts=counts).wave


@pytest.mark.parametrize(("title", "released", "kind"), [
    ("Foro Penal verifies 88 more releases of political prisoners", 88, "tally"),
    ("41 political prisoners were released from Yare on Sunday", 41, "tally"),
    ("Rights group says 52 political prisoners freed since January", 52, "tally"),
    ("Venezuela releases more political prisoners", None, "tally"),
    ("Releases of political prisoners continue in Venezuela", None, "going on"),
    ("Government announces release of 'a significant number' of prisoners", None, "announcement"),
])
def test_the_wave_told_in_english_is_the_wave(title: str, released: int | None, kind: str) -> None:
    assert wave_en(title, released) == kind


@pytest.mark.parametrize(("title", "released"), [
    ("Venezuela frees five Colombians held on espionage charges", 5),  # a group told apart
    ("A dozen Colombian prisoners freed from Venezuelan jails, Bogotá says", 12),
    ("Rubio welcomes release of 116 prisoners in Venezuela, says more must follow", 116),  # a reaction
    ("Bishops urge Venezuela to release all political prisoners", None),  # a demand
    ("Relatives keep vigil outside Rodeo I awaiting releases of political prisoners", None),
    ("Foro Penal says no political prisoners were released this week", None),  # denied
    ("Venezuela frees opposition mayor Ana Salas after 14 months in jail", None),  # one person
])
def test_what_is_not_the_wave_in_english_stays_out(title: str, released: int | None) -> None:
    assert wave_en(title, released) is None


def test_english_weekdays_months_and_numbers_are_no_names() -> None:
    from alerts.stories.text import prepare

    assert prepare("87 political prisoners were released from Tocorón on Sunday", "en").people == ()
    assert prepare("Foro Penal says 312 political prisoners freed since January 8", "en").people == ()
    assert prepare("Forty-one detainees freed from El Helicoide, lawyers say", "en").people == ()
