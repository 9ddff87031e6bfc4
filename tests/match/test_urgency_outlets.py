"""An outlet's name before a colon is its source, not a speaker (docs/MATCHING.md, "Urgency",
"An outlet's name before a colon"): "Efecto Cocuyo: Liberación de…" is a release told, where
"Luis Carlos Díaz: Liberaciones se complican…" is what a person says."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import load_config
from core.text import haystack
from monitor.match.urgency.speakers import outlets, speaker_words

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("title", "lang"),
    [
        ("Efecto Cocuyo: Liberación de Rocío San Miguel", "es"),
        ("Crónica Uno: Liberación de presos políticos en Tocorón", "es"),
        ("Cronica Uno: Excarcelación de presos políticos en Tocuyito", "es"),  # written without its accent
        ("Tal Cual: Excarcelación de presos políticos en El Rodeo I", "es"),
        ("Noticiero Digital: Excarcelación de presos políticos en El Rodeo I", "es"),
        ("Efecto Cocuyo: Ataque de EE. UU. contra una lancha en el Caribe", "es"),
        ("Washington Post: Release of Rocío San Miguel from El Helicoide", "en"),
        ("Wall Street Journal: Release of political prisoners in Venezuela", "en"),
        ("Caracas Chronicles: The release of Rocío San Miguel", "en"),
    ],
)
def test_an_outlet_s_name_before_a_colon_is_its_source(shipped, title, lang):
    r = shipped.classify(title=title, lang=lang)
    assert r.topics and r.urgency == "high"


@pytest.mark.parametrize(
    ("title", "urgency", "lang"),
    [
        ("Luis Carlos Díaz: Liberación de presos políticos en El Rodeo I", "normal", "es"),
        ("Marco Rubio: The release of political prisoners in Venezuela is a first step", "normal", "en"),
        ("Human Rights Watch: Release of political prisoners in Venezuela", "normal", "en"),
        # a rights group reporting a release speaks, as before: the act must be told
        ("Foro Penal: Liberación de Rocío San Miguel", "normal", "es"),
        ("Foro Penal: Liberación de Rocío San Miguel confirmada", "high", "es"),
    ],
)
def test_a_person_or_a_rights_group_before_a_colon_still_speaks(shipped, title, urgency, lang):
    r = shipped.classify(title=title, lang=lang)
    assert r.topics and r.urgency == urgency


def test_outlet_names_are_compared_folded_and_whole():
    assert speaker_words("Luis Carlos Díaz: Liberaciones se complican") == 3
    assert speaker_words("Foro Penal: Liberación de X") == 2
    for raw in ("Efecto Cocuyo: Liberación de X", "Cronica Uno: Liberación de X",
                "The Washington Post: Release of X", "Crónica  Uno : Liberación de X"):
        assert speaker_words(raw) == 0, raw
    # a name is an outlet only whole: a person named like one still speaks
    assert speaker_words("Efecto Cocuyo Díaz: Liberaciones se complican") == 3


NOT_OUTLETS = {"Foro Penal", "Provea", "Acceso a la Justicia", "Human Rights Watch", "Google News",
               "US Embassy in Venezuela", "US State Department", "OFAC (US Treasury)"}
# the outlets of the January headlines (../shared/real/headlines_es_2026-01.jsonl)
JANUARY = ["Caraota Digital", "La Verdad", "Noticiero Digital", "Diario Versión Final", "Infobae",
           "Caracol Noticias", "CNN en Español", "El Nacional", "RCN"]


def test_the_shipped_feeds_and_january_outlets_are_listed_and_no_rights_group():
    config = load_config(ROOT / "feeds.yaml")
    shipped = {f.outlet for f in config.feeds if f.outlet}
    news = (shipped - NOT_OUTLETS) | set(JANUARY)
    assert len(news) > 20
    assert sorted(n for n in news if haystack(n) not in outlets()) == []
    assert sorted(n for n in NOT_OUTLETS if haystack(n) in outlets()) == []
