"""One speaker's two statements of a day that share only a word of two meanings, or a modal verb,
are two stories (titles in the style of a probe of statements of February 2026, where they had
merged)."""

from __future__ import annotations

from datetime import timedelta

from story_helpers import NOW, WINDOW, feats, index_with

from alerts.stories.text import terms

US_PP = ["us_actions", "political_prisoners"]


def test_holding_elections_is_not_celebrating() -> None:
    assert "celebr" not in terms("Rubio: Venezuela debe celebrar elecciones libres antes de que termine 2026")
    assert "celebr" not in terms("Trump asegura que Venezuela celebrará unas elecciones cuando esté lista")
    assert "celebr" in terms("Rubio celebró las nuevas excarcelaciones en Venezuela")


def test_a_modal_verb_is_no_shared_wording() -> None:
    assert "deb" not in terms("Deben salir todos, sin excepción")
    assert "deb" not in terms("Must be freed now", "en")


def test_two_statements_of_one_speaker_sharing_only_such_words_are_two_stories() -> None:
    index = index_with("Rubio celebró las nuevas excarcelaciones en Venezuela: “Deben salir todos, sin excepción”",
                       topics=US_PP)
    at = NOW + timedelta(hours=3)
    item = feats(2, "Rubio: Venezuela debe celebrar elecciones libres antes de que termine 2026", at,
                 outlet="feed:2", topics=US_PP)
    assert index.decide(item, now=at, window=WINDOW).story_id is None
