"""Arrests counted as political ("detenciones políticas", "political arrests") are the beat's,
whoever counts them: an NGO's monthly figure without Foro Penal's name was no news at all."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("title, lang, number", [
    ("ONG reporta 35 nuevas detenciones políticas en marzo", "es", 35),
    ("Observatorio denuncia 35 nuevas detenciones políticas en Lara", "es", 35),
    ("NGO counts 35 new political arrests in March", "en", 35),
])
def test_political_arrests_are_political_prisoners_news(shipped, title, lang, number):
    result = shipped.classify(title=title, lang=lang)
    assert result.topics == ["political_prisoners"]
    assert [(c.event, c.number) for c in result.counts] == [("arrested", number)]


@pytest.mark.parametrize("title", [
    "Nicaragua: ONG denuncia 40 nuevas detenciones políticas en Managua",
    "Cuba registra 50 detenciones políticas en marzo, según Cubalex",
])
def test_political_arrests_elsewhere_are_not(shipped, title):
    assert shipped.classify(title=title, lang="es").topics == []
