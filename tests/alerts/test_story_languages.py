"""One event told in Spanish and in English is one story: the glossary of the beat
(alerts/stories/glossary.py) reads an English headline's words as their Spanish equivalents."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from test_story_match import NOW, config  # noqa: F401

from alerts.outbox import enqueue_for_item
from alerts.stories.glossary import load_glossary
from alerts.stories.text import terms
from monitor.match import build_classifier
from monitor.story_eval import LanguagePairs, evaluate, load_groups, load_headlines

# each pair shared no word but a name before the glossary (their stories were two)
SAME_EVENT = [
    ("Departamento del Tesoro levanta sanciones a PDVSA", "Treasury lifts sanctions on Venezuela's PDVSA"),
    ("EE. UU. ataca una lancha en el Caribe: tres muertos", "US strike on boat in Caribbean kills three"),
    ("Asamblea Nacional aprueba la Ley de Amnistía en primera discusión",
     "Venezuela's National Assembly approves amnesty law in first reading"),
]
OTHER_EVENTS = [
    ("Excarcelan a Juan Pablo Guanipa tras ocho meses detenido", "Venezuela frees journalist Roland Carreño"),
    ("EE. UU. incauta un petrolero frente a las costas de Venezuela", "US strike on boat in Caribbean kills three"),
    ("EE. UU. sanciona a la petrolera rusa Rosneft por comerciar crudo venezolano",
     "Treasury sanctions Chinese refiner Sinopec over Venezuelan oil"),
]


@pytest.fixture
def put(db: Any, config: Any, add_item: Any) -> Any:  # noqa: F811
    """Classify a title in its language with the shipped rules and queue its alerts."""
    classifier = build_classifier(config.topics, config.entities)

    def put(feed: str, title: str, lang: str, *, at: Any = NOW) -> tuple[list[str], int]:
        with db.session() as s:
            item = add_item(s, feed, title, published=at, lang=lang)
            c = classifier.classify(title=title, lang=lang)
            assert c.topics, f"not relevant: {title}"
            return [a.kind for a in enqueue_for_item(s, item, c, config, now=at)], int(item.story_id or 0)

    return put


def _tell(put: Any, spanish: str, english: str, first: str) -> tuple[tuple[list[str], int], tuple[list[str], int]]:
    later = NOW + timedelta(hours=2)
    if first == "es":
        return put("elpitazo", spanish, "es"), put("reuters", english, "en", at=later)
    return put("reuters", english, "en"), put("elpitazo", spanish, "es", at=later)


@pytest.mark.parametrize("first", ["es", "en"])
@pytest.mark.parametrize(("spanish", "english"), SAME_EVENT)
def test_one_event_told_in_spanish_and_in_english_is_one_story(put: Any, spanish: str, english: str, first: str) -> None:
    a, b = _tell(put, spanish, english, first)
    assert a[0] == ["new"] and b == (["edit"], a[1])


@pytest.mark.parametrize("first", ["es", "en"])
@pytest.mark.parametrize(("spanish", "english"), OTHER_EVENTS)
def test_two_events_told_in_two_languages_stay_two_stories(put: Any, spanish: str, english: str, first: str) -> None:
    a, b = _tell(put, spanish, english, first)
    assert b[0] == ["new"] and b[1] != a[1]


def test_an_english_headline_shares_the_spanish_terms_of_its_words_and_names() -> None:
    spanish = set(terms("EE. UU. levanta sanciones al excarcelado Juan Pablo Guanipa en el Caribe", "es"))
    english = set(terms("US lifts sanctions on freed Juan Pablo Guanipa in the Caribbean", "en"))
    assert english == spanish


def test_a_spanish_headline_is_never_read_through_the_glossary() -> None:
    # "bill" and "lift" are English words of the glossary; in a Spanish title they stay words
    assert terms("Bill Gates visita Caracas en un lift", "es") == ["bill", "gat", "llega", "carac", "lift"]


def _load(words: dict[str, list[str]]) -> Any:
    import json

    return load_glossary(
        json.dumps({"words": words}),
        spanish_terms=lambda text: terms(text, "es"),
        english_stem=lambda word: word.rstrip("s"),
        fold_words=str.lower,
        concept_stems={"seize": "incaut"},
    )


def test_the_glossary_refuses_a_word_a_concept_class_already_has() -> None:
    with pytest.raises(ValueError, match="'seizes' .* already in the class incaut"):
        _load({"incautar": ["seizes"]})


def test_the_glossary_refuses_one_english_word_with_two_meanings() -> None:
    with pytest.raises(ValueError, match="'prisons' .* means both"):
        _load({"preso": ["prison"], "prisión": ["prisons"]})


def test_a_word_whose_spanish_is_several_terms_is_read_as_a_phrase() -> None:
    glossary = _load({"buque de guerra": ["warship"], "sanción": ["sanctions"]})
    assert glossary.phrases == {"warship": "=buque =guerr"} and glossary.stems == {"sanction": "sancion"}


PROBES = Path(__file__).resolve().parents[2] / "bench/data/stories/probes"


@pytest.mark.parametrize(("probe", "floor"), [("jun-01-03_xlang_a", 20), ("jun-08-10_xlang_b", 16)])
def test_the_cross_language_probes_keep_their_joins_across_languages(probe: str, floor: int, default_config: Any) -> None:
    """The written probes of Spanish and English tellings (bench/story_languages.py): before the
    glossary 13 of 63 and 11 of 65 pairs of one story in two languages were joined."""
    headlines = load_headlines(PROBES / f"{probe}.headlines.jsonl")
    [result] = evaluate(load_groups(PROBES / f"{probe}.json"), headlines, default_config)
    pairs = LanguagePairs()
    pairs.add(result.pred, result.gold, {i: str(headlines[i]["lang"]) for i in result.gold})
    assert pairs.cross_joined >= floor and pairs.wrong_cross <= 1
