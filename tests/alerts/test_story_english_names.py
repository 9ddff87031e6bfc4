"""Who an English headline names. Title Case ("Venezuela Releases Five Americans Held in Its
Prisons", common in US outlets' feeds) capitalizes every word, and its words were read as names
("prisons", "months"): one event told in Title Case and in sentence case made two alerts on a
`people` conflict. Nationalities ("two Colombians", "Venezuelan political prisoners") were read
as people too. Titles written for these tests in the style of US outlets."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from story_helpers import NOW, PP, WINDOW

from alerts.stories.features import StoryEntry, features
from alerts.stories.match import Decision, StoryIndex
from alerts.stories.text import ENGLISH_WORDS_FILE, is_title_case, person_names, prepare
from monitor import story_words

BACKGROUND = [
    "Foro Penal denounces new arrests of activists in Zulia",
    "US Treasury extends Chevron license to operate in Venezuela",
    "Relatives of political prisoners start hunger strike outside Tocuyito prison",
    "UN calls on Venezuela to free all political prisoners",
    "US military strikes another alleged drug boat in the Caribbean, killing three",
]


def _feats(item_id: int, title: str, hours: float = 0.0):
    return features(item_id=item_id, title=title, lang="en", outlet=f"feed:{item_id}",
                    when=NOW + timedelta(hours=hours), topics=PP, entities=[], counts=[])


def _second_joins_first(first: str, second: str) -> Decision:
    index = StoryIndex()
    index.pairs = None
    index.add_story(StoryEntry(1, first, NOW, NOW, set(PP), [_feats(1, first)]))
    for k, other in enumerate(BACKGROUND, start=10):
        index.add_story(StoryEntry(k, other, NOW, NOW, set(PP), [_feats(k, other)]))
    return index.decide(_feats(2, second, 2), now=NOW + timedelta(hours=2), window=WINDOW)


def test_a_title_case_headline_names_only_what_no_english_text_writes_in_lower_case() -> None:
    title = "Venezuela Releases Journalist Roland Carreño After 14 Months in Prison"
    assert is_title_case(title) and prepare(title, "en").caps
    assert prepare(title, "en").people == (frozenset({"roland", "carreno"}),)
    assert prepare("Venezuela Releases Five Americans Held in Its Prisons", "en").people == ()
    # sentence case and Spanish are read as before: their capitals are names
    assert not is_title_case("Venezuela releases journalist Roland Carreño after 14 months in prison")
    spanish = "Rocío, Guanipa, Perkins, Tudares, Pilieri… Delcy Rodríguez abriría cárceles a más de 400 presos"
    assert not is_title_case(spanish) and not prepare(spanish, "es").caps


def test_one_release_told_in_title_case_and_in_sentence_case_is_one_story() -> None:
    decision = _second_joins_first("Venezuela Releases Five Americans Held in Its Prisons",
                                   "Venezuela releases five Americans held in its prisons")
    assert decision.story_id == 1


def test_two_peoples_releases_in_one_title_case_wording_are_two_stories() -> None:
    first = "Venezuela Releases Journalist Roland Carreño After 14 Months in Prison"
    for second in ("Venezuela Releases Journalist Jesús Medina After 14 Months in Prison",
                   "Venezuela releases journalist Jesús Medina after 14 months in prison"):
        decision = _second_joins_first(first, second)
        assert decision.story_id is None
    assert _second_joins_first(first, "Venezuela releases journalist Roland Carreño after 14 months").story_id == 1


def test_nationalities_are_no_people() -> None:
    assert person_names("Dozens of Venezuelan political prisoners released, rights group says") == []
    assert person_names("Two Colombian nationals freed by Venezuela after spying charges dropped") == []
    assert person_names("Venezuela frees American Joseph Tanner after a year in El Rodeo") == [
        frozenset({"joseph", "tanner"})]
    decision = _second_joins_first("Two Colombian nationals freed by Venezuela after spying charges dropped",
                                   "Venezuela frees two Colombians held on spying charges")
    assert decision.story_id == 1


def test_the_english_words_are_those_the_labelled_sets_write_in_lower_case(tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("".join(json.dumps(item) + "\n" for item in [
        {"lang": "en", "title": "Venezuela frees Roland Carreño, a journalist", "summary": "He spent months in prison."},
        {"lang": "es", "title": "Excarcelan a Roland Carreño tras meses preso", "summary": ""},
    ]), encoding="utf-8")
    out = tmp_path / "words.txt"
    assert story_words.main([str(labelled), "--out", str(out)]) == 0
    words = {w for w in out.read_text(encoding="utf-8").splitlines() if not w.startswith("#")}
    assert words == {"frees", "journalist", "spent", "months", "in", "prison"}  # no name, no Spanish
    assert story_words.main([str(tmp_path / "missing.jsonl"), "--out", str(out)]) == 2


def test_the_shipped_english_words_are_what_the_command_writes(tmp_path: Path) -> None:
    out = tmp_path / "words.txt"
    assert story_words.main(["--out", str(out)]) == 0
    assert out.read_bytes() == ENGLISH_WORDS_FILE.read_bytes()
