"""A strike or a boarding told by its verb is urgent with a vessel or a target after it
(monitor/match/urgency/verbs.py): "EE UU destruye otra lancha", "Coast Guard boards tanker".
The same verbs aimed at people or things of no arms, and an attack that has not happened
("before any attack"), are not."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("title, lang", [
    ("EE UU destruye otra lancha en el Caribe", "es"),
    ("Estados Unidos destruyó una embarcación con drogas frente a Venezuela", "es"),
    ("EE UU hunde otra lancha cerca de Venezuela", "es"),
    ("Fuerzas de EE UU abordan un petrolero venezolano en el Caribe", "es"),
    ("US attacks drug boat off Venezuela", "en"),
    ("US attack on a boat in the Caribbean", "en"),
    ("US military destroys another drug boat off Venezuela", "en"),
    ("US Navy sinks a drug boat off Venezuela", "en"),
    ("US Coast Guard boards tanker carrying Venezuelan oil", "en"),
    ("US forces board tanker in Caribbean, crew detained", "en"),
    ("US attacked Caracas on January 3, Rodríguez says", "en"),
    ("US attacked a military position in Venezuela, Caracas says", "en"),
])
def test_a_strike_or_boarding_of_a_vessel_is_urgent(shipped, title, lang):
    assert shipped.classify(title=title, lang=lang).urgency == "high"


@pytest.mark.parametrize("title, summary, lang", [
    ("Trump attacks Democrats over Venezuela vote", "", "en"),
    ("Rubio attacks Venezuela's Rodríguez over prisoners", "", "en"),
    ("Hegseth defends second strike on survivors of boat attack", "", "en"),
    ("La guerra de Trump destruye la economía venezolana, dice Delcy Rodríguez", "", "es"),
    ("Trump aborda con Machado la transición en Venezuela", "", "es"),
    # a position "on" something is a view, not a target of arms
    ("Rubio attacks Democrats' position on Venezuela", "", "en"),
    ("Trump attacks the Fed's position on rates amid Venezuela tensions", "", "en"),
    ("Senate advances war powers resolution on Venezuela in 52-47 vote",
     "Several Republicans joined Democrats to demand congressional approval before any attack on "
     "Venezuelan soil.", "en"),
])
def test_the_verbs_without_a_target_or_before_any_attack_are_not(shipped, title, summary, lang):
    assert shipped.classify(title=title, summary=summary, lang=lang).urgency == "normal"


@pytest.mark.parametrize("title, lang, topic", [
    ("EE UU deporta a 200 venezolanos en vuelo a Maiquetía", "es", "us_actions"),
    ("US deports 200 Venezuelans on flight to Caracas", "en", "us_actions"),
    ("Fiscalía de EE UU presenta nuevos cargos contra Diosdado Cabello", "es", "us_actions"),
    ("Federal prosecutors add charges against Maduro's son Nicolás Maduro Guerra", "en", "us_actions"),
    ("Trasladan a Freddy Superlano a arresto domiciliario", "es", "political_prisoners"),
    ("Otorgan casa por cárcel a Perkins Rocha", "es", "political_prisoners"),
])
def test_a_deportation_new_charges_or_house_arrest_told_by_the_verb_is_urgent(shipped, title, lang, topic):
    result = shipped.classify(title=title, lang=lang)
    assert topic in result.topics and result.urgency == "high"


@pytest.mark.parametrize("title", [
    "Trump amenaza con deportar a miles de venezolanos",
    "Perkins Rocha sigue en arresto domiciliario",
    "Piden casa por cárcel a Perkins Rocha",
])
def test_a_threat_a_state_or_a_demand_is_not(shipped, title):
    assert shipped.classify(title=title, lang="es").urgency == "normal"


@pytest.mark.parametrize("title, summary", [
    ("Trump threatens to destroy Venezuelan drug boats", ""),
    ("Hegseth vows to sink every drug boat from Venezuela", ""),
    ("Pentagon plans to destroy Venezuelan drug labs", ""),
    ("Trump administration wants to board tankers, sources say", ""),
    ("Trump threatens to seize Venezuelan tankers", ""),
    ("Senate advances measure to limit Trump's power to strike Venezuela", ""),
    ("UN experts say at least 400 remain arbitrarily detained in Venezuela",
     "The working group urged Caracas to release them without conditions."),
])
def test_a_verb_after_to_is_threatened_planned_or_asked_not_done(shipped, title, summary):
    """An urgent verb in its bare form after "to" is what is to come (monitor/match/urgency/english.py)."""
    assert shipped.classify(title=title, summary=summary, lang="en").urgency == "normal"


@pytest.mark.parametrize("title", [
    "Relatives wake up to release of 20 political prisoners in Caracas",
    "Maduro responds to strike on boat off Venezuela that killed 11",
])
def test_a_noun_after_to_is_still_the_event(shipped, title):
    """Only a bare verb after "to" is to come: "to release of…", "to strike on…" are nouns.
    ("ties relief to release of…" was one, until a release made a condition was read as one:
    tests/match/test_urgency_conditions.py.)"""
    assert shipped.classify(title=title, lang="en").urgency == "high"


@pytest.mark.parametrize("title", [
    "Rubio y Machado abordan la situación de los puertos venezolanos",
    "Congreso de EE UU aborda crisis de buques petroleros venezolanos",
    "Sanciones de EE UU hunden el puerto de La Guaira",
    "Sanciones de EE UU hunden las exportaciones de petroleros venezolanos",
])
def test_a_subject_taken_up_or_a_port_ruined_is_no_boarding_or_sinking(shipped, title):
    """"abordar" also takes up a subject and "hundir" ruins: sinking and boarding are of a vessel
    itself, not of a port nor of a vessel that complements another noun (verbs.py)."""
    result = shipped.classify(title=title, lang="es")
    assert "us_actions" in result.topics and result.urgency == "normal"


@pytest.mark.parametrize("title, lang", [
    ("Guardacostas de EE UU abordan el petrolero Centuries en el Caribe", "es"),
    ("EE UU hunde un semisumergible de narcotraficantes frente a Venezuela", "es"),
    ("US Coast Guard boards third Venezuelan oil tanker in ten days", "en"),
])
def test_a_vessel_boarded_or_sunk_is_still_urgent(shipped, title, lang):
    assert shipped.classify(title=title, lang=lang).urgency == "high"


@pytest.mark.parametrize("title, lang", [
    ("Abogado de Maduro teme nuevos cargos en Nueva York", "es"),
    ("Familias temen la muerte de presos políticos en Venezuela", "es"),
    ("Relatives fear death of jailed Venezuelan activist", "en"),
])
def test_an_event_feared_is_not_the_event(shipped, title, lang):
    """Feared is not happened (words_before.py), as awaited or asked is not."""
    result = shipped.classify(title=title, lang=lang)
    assert result.topics and result.urgency == "normal"


@pytest.mark.parametrize("title", [
    "Rubio asume nuevos cargos en la administración Trump tras la captura de Maduro",
    "Trump designa a Grenell en nuevos cargos para Venezuela",
])
def test_new_posts_in_a_government_are_no_new_charges(shipped, title):
    """"cargos" are also posts: "nuevos cargos" tells charges only with "contra"/"por" (or
    "presentados"...) after it or a verb of charging before it (verbs.py, posts_not_charges)."""
    result = shipped.classify(title=title, lang="es")
    assert "us_actions" in result.topics and result.urgency == "normal"


@pytest.mark.parametrize("title, summary", [
    ("Maduro enfrenta nuevos cargos en EE UU", ""),
    ("Nuevos cargos contra Cilia Flores en Nueva York", ""),
    ("Fiscalía de EE.UU. añade cargos de lavado de dinero contra Cilia Flores",
     "Los nuevos cargos, presentados el 12 de marzo, podrían sumar hasta 20 años de prisión."),
])
def test_new_charges_against_someone_stay_urgent(shipped, title, summary):
    assert shipped.classify(title=title, summary=summary, lang="es").urgency == "high"
