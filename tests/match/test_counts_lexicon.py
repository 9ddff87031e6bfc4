"""The counts lexicon as data: lemmas with `~` inflections (core.terms), stems, phrases and
maps of events, one file per language; entries in the wrong shape are refused by name."""

from __future__ import annotations

import pytest

from monitor.match.counts import cues, extract_counts, lexicon
from monitor.match.counts.lexicon import Lexicon, read_files


def test_shipped_files_one_per_language_with_lemmas():
    files = read_files()
    assert len(files) == len(lexicon.LANGUAGES) == 2
    es, en = files
    assert "preso~" in es["prisoner"] and "prisoner~" in en["prisoner"]
    # the lemma gives its inflections: no form is written twice
    assert {"preso", "presa", "presos", "presas", "prisoner", "prisoners"} <= lexicon.PRISONER
    assert {"detenido", "detenida", "detenidos", "detenidas"} <= lexicon.DETAINEE


def test_tables_are_the_union_of_the_languages():
    assert {"personas", "people"} <= cues.GENERIC_PEOPLE
    assert lexicon.EVENT_NOUN["excarcelaciones"] == "released"
    assert lexicon.EVENT_NOUN["deaths"] == "dead"
    assert lexicon.AFTER_PAIR[("walk", "free")] == "released"
    assert ("de", "ellos") in lexicon.SUBSET and ("of", "them") in lexicon.SUBSET
    assert "<org>" in lexicon.MODIFIERS and "," in cues.AFTER_CLAIM


def test_stems_read_as_prefixes_in_the_files_order():
    events = [ev for ev, _ in lexicon.BEFORE_PREFIX]
    assert events == ["released", "arrested", "dead", "held"]
    assert "excarcel" in dict(lexicon.BEFORE_PREFIX)["released"]
    assert "exigen".startswith(lexicon.DEMAND)


def test_a_lemma_reaches_the_extractor():
    counts = extract_counts(["Excarcelan a 12 presas políticas del INOF", ""])
    assert [(c.event, c.number) for c in counts] == [("released", 12)]


@pytest.mark.parametrize(
    ("files", "call", "message"),
    [
        ([{"t": ["excarcel*"]}], lambda lx: lx.words("t"), "is not one word"),
        ([{"t": ["excarcel"]}], lambda lx: lx.stems("t"), "is not a stem"),
        ([{"t": ["ab*"]}], lambda lx: lx.stems("t"), "shorter than 3 letters"),
        ([{"t": {"dead": ["muerto~"]}}, {"t": {"held": ["muertos"]}}],
         lambda lx: lx.event_words("t"), "'muertos' is both dead and held"),
        ([{"t": ["x"]}], lambda lx: lx.event_words("t"), "is not a map of events"),
        ([{"t": {"dead": ["x"]}}], lambda lx: lx.words("t"), "is not a list of entries"),
    ],
)
def test_bad_entries_are_refused_with_their_table(files, call, message):
    with pytest.raises(ValueError, match=message):
        call(Lexicon(files))


def test_a_missing_table_is_named():
    with pytest.raises(KeyError, match="no table 'nope'"):
        Lexicon([{}, {}]).words("nope")
