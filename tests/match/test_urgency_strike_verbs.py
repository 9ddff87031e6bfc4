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
])
def test_a_strike_or_boarding_of_a_vessel_is_urgent(shipped, title, lang):
    assert shipped.classify(title=title, lang=lang).urgency == "high"


@pytest.mark.parametrize("title, summary, lang", [
    ("Trump attacks Democrats over Venezuela vote", "", "en"),
    ("Rubio attacks Venezuela's Rodríguez over prisoners", "", "en"),
    ("Hegseth defends second strike on survivors of boat attack", "", "en"),
    ("La guerra de Trump destruye la economía venezolana, dice Delcy Rodríguez", "", "es"),
    ("Trump aborda con Machado la transición en Venezuela", "", "es"),
    ("Senate advances war powers resolution on Venezuela in 52-47 vote",
     "Several Republicans joined Democrats to demand congressional approval before any attack on "
     "Venezuelan soil.", "en"),
])
def test_the_verbs_without_a_target_or_before_any_attack_are_not(shipped, title, summary, lang):
    assert shipped.classify(title=title, summary=summary, lang=lang).urgency == "normal"
