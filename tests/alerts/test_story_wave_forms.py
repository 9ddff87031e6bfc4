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

    def put(feed: str, title: str, hours: float) -> int:
        with db.session() as s:
            item = add_item(s, feed, title, published=NOW + timedelta(hours=hours))
            c = classifier.classify(title=title, lang="es")
            assert c.topics, title
            enqueue_for_item(s, item, c, config, now=NOW + timedelta(hours=hours))
            return int(item.story_id or 0)

    story = put("elpitazo", "Foro Penal suma 40 presos políticos excarcelados", 0)
    joined = [put("cocuyo", "Continúan las excarcelaciones de presos políticos en Venezuela", 3),
              put("bbcmundo", "Oenegé contabiliza 52 excarcelaciones y exige que sean plenas", 5)]
    apart = put("elpitazo", "Presos políticos siguen a la espera de su liberación en El Rodeo I", 6)
    assert joined == [story, story] and apart != story
