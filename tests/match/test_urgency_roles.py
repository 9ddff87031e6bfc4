"""Urgent arrests and releases of people the service cannot know by name: an arrest whose object
is told by what the person does ("Detienen a locutor…", "arrests journalist"), and someone walking
out of a prison for political prisoners ("sale de Ramo Verde"). Before December 2026 both read
`normal`, so a channel with `min_urgency: high` missed them (monitor/match/urgency/custody.py)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("title", "lang"), [
    # an arrest whose object is told by what the person does
    ("Detienen a locutor de radio comunitaria en Valle de la Pascua", "es"),
    ("Arrestan a periodista en Anzoátegui un día después de aprobada la amnistía", "es"),
    ("Detuvieron a una periodista en el estado Táchira pese a la vigencia de la ley", "es"),
    ("Detienen a defensor de DDHH en Anzoátegui", "es"),
    ("Capturan a líder sindical de la siderúrgica acusado de boicot", "es"),
    ("DETIENEN AL SINDICALISTA DE SIDOR RUBÉN AGUILERA EN PUERTO ORDAZ", "es"),
    ("Venezuela arrests journalist who reported on blackouts", "en"),
    # walking out of a prison for political prisoners: a release
    ("Coronel Hernán Villasmil sale de Ramo Verde tras casi siete años de prisión", "es"),
    ("Sale de Rodeo I el sindicalista Reinaldo Cardozo tras ocho meses", "es"),
    ("Carmen Rivas deja el INOF y cumplirá arresto domiciliario", "es"),
    ("Presos políticos salen del Rodeo I y se reencuentran con sus familias", "es"),
    ("Mariela Quintero sale de El Helicoide con medida cautelar", "es"),
])
def test_an_arrest_of_someone_told_by_what_they_do_and_a_walk_out_of_prison_are_urgent(shipped, title, lang):
    r = shipped.classify(title=title, lang=lang)
    assert r.topics == ["political_prisoners"] and r.urgency == "high"


@pytest.mark.parametrize("title", [
    # the background, a demand, an explainer, a denial
    "Tras salir de Ramo Verde, el coronel Juan Pérez denuncia torturas",
    "Cuando salió de El Helicoide, el activista no podía caminar",
    "Exigen que el sindicalista Omar Castillo salga de El Helicoide",
    "¿Por qué detienen a periodistas en Venezuela?",
    "Gobierno niega que detuvieron a periodista en Lara",
    # visitors walking out
    "Abogados de presos políticos salen de Ramo Verde sin poder verlos",
    "Madre del activista Juan Pérez sale del Helicoide tras visitarlo",
])
def test_the_same_words_that_tell_no_arrest_or_release_now_are_not_urgent(shipped, title):
    r = shipped.classify(title=title, lang="es")
    assert r.topics == ["political_prisoners"] and r.urgency == "normal"
