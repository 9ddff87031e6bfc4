"""Another strike, seizure or flight of the same kind is another event: told in another sea, as
"un nuevo ataque" or "otros 142 deportados", or with another figure under a superlative ("el más
reciente ataque"). Titles in the style of a probe of US actions of April 2026, where each had
merged (a boat strike in the Pacific and one in the Caribbean; two deportation flights)."""

from __future__ import annotations

from datetime import timedelta

from story_helpers import NOW, WINDOW, feats, index_with

from alerts.stories.features import features
from alerts.stories.match import StoryIndex

US = ["us_actions"]


def _joins(index: StoryIndex, title: str, hours: float) -> int | None:
    at = NOW + timedelta(hours=hours)
    return index.decide(feats(2, title, at, outlet="feed:2", topics=US), now=at, window=WINDOW).story_id


def _flags(title: str) -> tuple[bool, bool, frozenset[str]]:
    f = features(item_id=1, title=title, lang="es", outlet="x", when=NOW, topics=US, entities=[], counts=[])
    return f.update_cue, f.another, f.seas


def test_a_strike_in_another_sea_is_another_strike() -> None:
    index = index_with("Estados Unidos bombardeó otra lancha en el océano Pacífico y dejó cuatro muertos", topics=US)
    assert _joins(index, "Tres muertos deja el más reciente ataque de Estados Unidos contra una lancha en el Caribe",
                  10) is None
    assert _joins(index, "EE. UU. ataca otra lancha en el Pacífico: cuatro muertos, según el Comando Sur", 1) == 1


def test_a_superlative_is_no_update_and_a_new_strike_is_another() -> None:
    assert _flags("Tres muertos deja el más reciente ataque de EE. UU. contra una lancha")[0] is False
    assert _flags("Excarcelan a más presos políticos en Tocorón")[0] is True
    assert _flags("Comando Sur reporta un nuevo ataque a una narcolancha en el Pacífico: tres muertos")[1:] == (
        True, frozenset({"pacific"}))
    assert _flags("Llega a Venezuela el segundo vuelo de deportación de la semana")[1] is True
    # a sea read only for a strike or seizure: a meeting in the Caribbean has none
    assert _flags("Cumbre del Caribe debate la situación de Venezuela")[2] == frozenset()


def test_another_deportation_flight_is_another_story() -> None:
    index = index_with("Llegó a Maiquetía vuelo con 178 venezolanos repatriados desde Phoenix, Arizona", topics=US)
    assert _joins(index, "Otros 142 venezolanos deportados desde Houston arribaron este martes al aeropuerto de "
                         "Maiquetía", 26) is None
    assert _joins(index, "Aterriza en Maiquetía un vuelo de deportados desde EEUU con 178 migrantes a bordo", 2) == 1
