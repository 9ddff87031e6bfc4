"""A release told by "libertad" is urgent as "excarcelan" is (docs/MATCHING.md, "Urgency"):
"Sale en libertad X", "quedaron en libertad", "fue puesto en libertad", a prisoner's own "hoy
salimos en libertad". Asking for it, hoping for it or naming it as a state is not."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("title", [
    "Sale en libertad el dirigente Freddy Superlano tras 18 meses detenido",
    "Freddy Superlano sale en libertad",
    "Tres presos políticos quedaron en libertad este martes en Caracas",
    "El periodista Roland Carreño fue puesto en libertad",
    "Juan Pablo Guanipa: hoy salimos en libertad",
    "Activist walks free after 18 months in Venezuelan jail",
])
def test_a_release_told_by_libertad_is_urgent(shipped, title):
    lang = "en" if title.startswith("Activist") else "es"
    assert shipped.classify(title=title, lang=lang).urgency == "high"


@pytest.mark.parametrize("title", [
    "Exigen que Freddy Superlano sea puesto en libertad",
    "Familia espera que Perkins Rocha salga en libertad",
    "Exigen libertad plena para los periodistas que permanecen detenidos",
    "Rocío San Miguel en libertad: revelan que fue operada dos veces",
])
def test_libertad_asked_for_hoped_for_or_as_a_state_is_not(shipped, title):
    assert shipped.classify(title=title, lang="es").urgency == "normal"


@pytest.mark.parametrize("title", [
    "Departamento de Estado saluda la liberación de presos políticos venezolanos",
    "Gobierno de Italia aplaude la excarcelación de Alberto Trentini",
    "Gobierno valora la liberación de Rocío San Miguel",
])
def test_a_release_welcomed_is_not_the_event(shipped, title):
    assert shipped.classify(title=title, lang="es").urgency == "normal"


@pytest.mark.parametrize("title, lang", [
    ("¿Cuándo sale en libertad Freddy Superlano?", "es"),
    ("Cuándo quedan en libertad los presos políticos venezolanos", "es"),
    ("¿Cuándo excarcelan a los presos políticos?", "es"),
    ("¿Por qué EE UU deporta a venezolanos sin juicio?", "es"),
    ("Cuando salió en libertad, Freddy Superlano habló con la prensa", "es"),
    ("Why Venezuela freed 20 political prisoners now", "en"),
])
def test_when_or_why_asked_is_no_event_told(shipped, title, lang):
    """A question of when or why (or "cuando" opening the background) is an explainer, as
    "¿Quiénes son los excarcelados?" is (monitor/match/urgency/explainers.py)."""
    result = shipped.classify(title=title, lang=lang)
    assert result.topics and result.urgency == "normal"


@pytest.mark.parametrize("title", [
    "Exigen que Perkins Rocha sea excarcelado",
    "Exigen que Rocío San Miguel pase a arresto domiciliario",
    "Perkins Rocha podría ser excarcelado esta semana",
    "Rocío San Miguel podría pasar a arresto domiciliario",
])
def test_asked_with_que_or_what_may_come_is_not_the_event(shipped, title):
    """A demand with "que" and whom between, and Spanish "podría"/"podrá", as English "could"
    and "may" already were (words_before.py)."""
    result = shipped.classify(title=title, lang="es")
    assert result.topics == ["political_prisoners"] and result.urgency == "normal"


@pytest.mark.parametrize("title, summary", [
    ("Gobierno evalúa excarcelar a 300 presos políticos", ""),
    ("Gobierno planea excarcelar a 500 presos políticos esta semana", ""),
    ("Gobierno considera excarcelar a 150 presos políticos", ""),
    ("Delcy Rodríguez sopesa liberar a 300 presos políticos", ""),
    ("Venezuela mulls the release of 250 political prisoners", ""),
    ("Trump confirma que autorizó a la CIA a operar de forma encubierta en Venezuela",
     "El presidente dijo a periodistas en la Casa Blanca que también evalúa ataques en tierra."),
])
def test_a_release_or_an_attack_planned_is_not_the_event(shipped, title, summary):
    result = shipped.classify(title=title, summary=summary, lang="es")
    assert result.urgency == "normal"
    assert all(c.event != "released" for c in result.counts)  # a plan frees no one


@pytest.mark.parametrize("title", [
    "Foro Penal considera insuficiente la excarcelación de 40 presos políticos",
    "Provea considera tardía la liberación de 40 presos políticos",
])
def test_a_release_judged_is_no_plan(shipped, title):
    """"considera" weighs a release only with function words between ("considera liberar",
    "considera la posibilidad de"); "considera insuficiente la excarcelación de 40" judges one done."""
    result = shipped.classify(title=title, lang="es")
    assert [(c.event, c.number) for c in result.counts] == [("released", 40)]
    assert result.urgency == "high"


def test_students_freed_are_no_plan(shipped):
    """The planned words are whole words: "estudia" plans, "estudiantes" are people."""
    result = shipped.classify(title="Excarcelan a 12 estudiantes detenidos en las protestas de Mérida", lang="es")
    assert [(c.event, c.number) for c in result.counts] == [("released", 12)]


@pytest.mark.parametrize("title, urgency", [
    ("Liberada la defensora Rocío San Miguel tras casi dos años presa", "high"),
    ("Liberado el estadounidense detenido en Táchira; otros dos siguen presos, dice Washington", "high"),
    # elsewhere the bare participle describes the people
    ("Italianos liberados en Venezuela rompieron el silencio sobre Maduro", "normal"),
    ("Panameño liberado denuncia que estuvo secuestrado en Venezuela", "normal"),
])
def test_a_release_participle_opening_the_title_tells_the_release(shipped, title, urgency):
    assert shipped.classify(title=title, lang="es").urgency == urgency
