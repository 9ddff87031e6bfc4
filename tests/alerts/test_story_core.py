"""A weak join must reach the story's core: on a saga day one weak link (a shared
epithet and a name) must not chain another event's items into the story."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.stories.features import StoryEntry, features
from alerts.stories.match import StoryIndex

NOW = datetime(2026, 3, 14, 14, 0, tzinfo=UTC)
US = ["us_actions"]
MADURO = [{"name": "Nicolás Maduro", "type": "person"}]
OTHER_NEWS = [  # so that the story's words are rare enough to weigh
    "Rubio se reúne con cancilleres de la región en Panamá",
    "Senado debate sanciones petroleras contra Caracas",
    "Chevron amplía sus operaciones en la Faja del Orinoco",
    "Embajada de EE. UU. emite alerta de viaje para Venezuela",
    "Trump firma orden sobre aranceles a importaciones",
]


def _feats(item_id: int, title: str, hours: float, outlet: str, people: bool = True) -> object:
    return features(item_id=item_id, title=title, lang="es", outlet=outlet, when=NOW + timedelta(hours=hours),
                    topics=US, entities=MADURO if people else [], counts=[])


def _index(first: str) -> StoryIndex:
    index = StoryIndex()
    index.pairs = None
    members = [
        _feats(1, first, 0, "feed:1"),
        _feats(2, "Donald Trump confirmó que el dictador Nicolás Maduro fue capturado", 1, "feed:2"),
    ]
    index.add_story(StoryEntry(1, first, NOW, NOW + timedelta(hours=1), set(US), members))
    for k, other in enumerate(OTHER_NEWS, start=10):
        index.add_story(StoryEntry(k, other, NOW, NOW, set(US), [_feats(k, other, 0, "feed:9", people=False)]))
    return index


ARRIVAL = "El dictador Nicolás Maduro llegó a una base militar de Nueva York"


def test_a_weak_join_telling_a_new_event_must_reach_the_first_item() -> None:
    index = _index("Trump anuncia un ataque a gran escala contra Venezuela y la captura de Maduro")
    item = _feats(3, ARRIVAL, 3, "feed:3")
    decision = index.decide(item, now=NOW + timedelta(hours=3), window=timedelta(hours=48))
    near = [r for r in decision.signals["nearest"] if r["story"] == 1]
    assert decision.story_id is None
    assert near and near[0]["score"] >= 0.40 and "off the story's core" in near[0]["conflicts"]


def test_the_same_words_join_when_the_story_began_with_them() -> None:
    # the epithet and the name are the story's own core: no conflict of the core
    index = _index("El dictador Nicolás Maduro fue capturado, confirma Trump")
    item = _feats(3, ARRIVAL, 3, "feed:3")
    decision = index.decide(item, now=NOW + timedelta(hours=3), window=timedelta(hours=48))
    assert decision.story_id == 1
    assert "off the story's core" not in str(decision.signals)
