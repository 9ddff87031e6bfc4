"""A release weighed as a goal or made a condition is talked about, not done: "Rubio: la
liberación de presos políticos es condición para levantar sanciones" and "Washington condiciona
el alivio de sanciones a la liberación de…" were urgent as if prisoners walked out
(monitor/match/urgency/described.py `weighed_as_a_goal`, words_before.py `CONDITIONED`)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("title", [
    "Rubio: la liberación de presos políticos es condición para levantar sanciones",
    "Landau: la excarcelación de los presos políticos es una prioridad para Washington",
    "Machado: la liberación de todos los presos es el primer paso de la transición",
    "Rubio says release of political prisoners is a condition for sanctions relief",
    "Rubio condiciona el levantamiento de sanciones a la liberación de presos políticos",
    "Washington condiciona nuevas licencias petroleras a la liberación de todos los presos políticos",
    "Treasury ties further sanctions relief to the release of jailed soldiers",
    # a relative clause inside the complement, the copula the main clause's
    "La excarcelación de los presos políticos que quedan es condición para levantar sanciones",
])
def test_a_release_weighed_or_made_a_condition_is_not_the_event(shipped, title):
    result = shipped.classify(title=title, lang="es")
    assert "political_prisoners" in result.topics
    assert result.urgency == "normal"


@pytest.mark.parametrize("title", [
    "Foro Penal: la excarcelación de 30 presos políticos se confirmó esta noche",
    "La liberación de Rocío San Miguel es un hecho, confirma su abogado",
    "Excarcelan a 30 presos políticos tras la condición impuesta por Washington",
    # the copula of a relative clause, or one past a stop, does not weigh the release
    "La excarcelación de Rocío San Miguel, que es la principal exigencia de la ONG, se produjo anoche",
    "Excarcelación de Perkins Rocha: es urgente atender su salud, dice su esposa",
])
def test_a_release_told_stays_urgent(shipped, title):
    assert shipped.classify(title=title, lang="es").urgency == "high"


@pytest.mark.parametrize("title, summary", [
    # "tied to" is "linked to" before any event other than a release
    ("US sanctions officials tied to arrest of Machado aide", ""),
    ("Venezuelan gang members tied to the strike on boat deported", ""),
    # a release told beside a condition on the rest, in the title or the summary
    ("Excarcelan a 20 presos políticos; EE UU condiciona sanciones a la liberación del resto", ""),
    ("Excarcelan a 20 presos políticos",
     "EE UU condiciona el levantamiento de sanciones a la liberación del resto de los presos políticos."),
])
def test_only_a_release_is_made_a_condition(shipped, title, summary):
    assert shipped.classify(title=title, summary=summary, lang="es").urgency == "high"
