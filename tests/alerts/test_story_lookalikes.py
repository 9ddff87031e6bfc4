"""Events that look alike and are two: two oil companies' licences, two counts of people still
held. Titles written for these tests, found by a probe of look-alike events in the style of
March 2026 (each pair had been merged)."""

from __future__ import annotations

from datetime import timedelta

from story_helpers import NOW, PP, WINDOW, feats, index_with

from alerts.stories.features import features
from alerts.stories.match import Decision, StoryIndex
from alerts.stories.text import org_names

US = ["us_actions"]


def _decide(index: StoryIndex, title: str, hours: float, topics: list[str] | None = None) -> Decision:
    at = NOW + timedelta(hours=hours)
    kw = {"topics": topics} if topics else {}
    return index.decide(feats(2, title, at, outlet="feed:2", **kw), now=at, window=WINDOW)


def _conflicts(decision: Decision) -> set[str]:
    return {c for n in decision.signals.get("nearest", []) for c in n.get("conflicts") or []}


def test_two_oil_companies_licences_are_two_stories() -> None:
    """The class `oilco` makes Chevron and Repsol one term, and the Treasury's licence two more:
    a class frame. The companies' names keep them apart, as a ship's name does two seizures."""
    index = index_with("La OFAC otorgó a Chevron una nueva licencia que amplía sus operaciones en Venezuela",
                       topics=US)
    other = _decide(index, "La OFAC concedió a Repsol una licencia para exportar crudo venezolano", 2, US)
    same = _decide(index, "Tesoro de EE. UU. amplía la licencia de Chevron en Venezuela", 2, US)
    assert other.story_id is None and "organisations" in _conflicts(other)
    assert same.story_id == 1


def test_a_company_named_in_the_context_is_not_the_one_the_headline_tells() -> None:
    assert org_names("Tras Chevron, EE. UU. da licencia a Repsol: qué puede hacer la petrolera") == {"repsol"}
    assert org_names("ExxonMobil evalúa volver a Venezuela") == {"exxon"}
    assert org_names("Trump se reúne con ejecutivos de compañías petroleras") == frozenset()


def test_more_than_a_figure_is_no_update_of_another_count() -> None:
    """"Más de 600" qualifies a figure; read as "más" (more released), it made Foro Penal's count
    of all prisoners an update of the SNTP's count of journalists held."""
    first = "SNTP: 14 trabajadores de la prensa siguen tras las rejas en Venezuela"
    index = index_with(first)
    entry = index.stories[1]
    entry.members[0] = features(item_id=1, title=first, lang="es", outlet="feed:1", when=NOW, topics=PP,
                                entities=[], counts=[{"event": "held", "number": 14}])
    at = NOW + timedelta(hours=3)
    title = "Más de 600 personas siguen presas por motivos políticos en Venezuela, según Foro Penal"
    item = features(item_id=2, title=title, lang="es", outlet="feed:2", when=at, topics=PP, entities=[],
                    counts=[{"event": "held", "number": 600}])
    assert not item.update_cue
    assert index.decide(item, now=at, window=WINDOW).story_id is None
    assert features(item_id=3, title="Excarcelan a 20 presos políticos más", lang="es", outlet="x", when=at,
                    topics=PP, entities=[], counts=[]).update_cue


def test_a_story_of_a_bare_name_takes_no_telling_of_an_event() -> None:
    """A headline of a name alone starts a story that nothing else joins: told after it, the
    release had joined the name's story (a short headline's cosine is high), apart from the
    release's first telling."""
    index = index_with("Perkins Rocha sale del Helicoide con medida de arresto domiciliario", "Perkins Rocha")
    name_only = max(index.stories)
    decision = _decide(index, "PERKINS ROCHA EXCARCELADO: PASARÁ A ARRESTO DOMICILIARIO", 2)
    assert decision.story_id == 1
    assert any(n["story"] == name_only and "thin story" in n.get("conflicts", []) for n in decision.signals["rejected"])


def test_another_strike_is_no_update_of_the_first_ones_toll() -> None:
    """"Comando Sur ataca otra lancha…: tres muertos" tells another strike: its "otra" is no
    tally's "otros" (more of the same count), so the tolls (four, three) keep them apart."""
    index = index_with("Cuatro muertos deja ataque del Comando Sur contra embarcación en aguas del Pacífico", topics=US)
    decision = _decide(index, "Comando Sur ataca otra lancha presuntamente cargada de drogas en el Caribe: tres muertos", 3, US)
    assert decision.story_id is None
    assert "numbers" in _conflicts(decision)


def test_an_oil_company_in_capitals_is_named() -> None:
    index = index_with("OFAC otorga licencia a Repsol para exportar crudo venezolano a España", topics=US)
    decision = _decide(index, "TESORO DE EEUU MODIFICA LICENCIA DE CHEVRON: AUTORIZA PAGOS DIRECTOS A PDVSA", 3, US)
    assert decision.story_id is None and "organisations" in _conflicts(decision)

