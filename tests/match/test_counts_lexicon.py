"""The counts lexicon as data: lemmas with `~` inflections (core.terms), stems, phrases and
maps of events, one file per language; entries in the wrong shape are refused by name."""

from __future__ import annotations

import pytest

from monitor.match import counts_cues, counts_lexicon
from monitor.match.counts import extract_counts
from monitor.match.counts_lexicon import Lexicon, read_files


def test_shipped_files_one_per_language_with_lemmas():
    files = read_files()
    assert len(files) == len(counts_lexicon.LANGUAGES) == 2
    es, en = files
    assert "preso~" in es["prisoner"] and "prisoner~" in en["prisoner"]
    # the lemma gives its inflections: no form is written twice
    assert {"preso", "presa", "presos", "presas", "prisoner", "prisoners"} <= counts_lexicon.PRISONER
    assert {"detenido", "detenida", "detenidos", "detenidas"} <= counts_lexicon.DETAINEE


def test_tables_are_the_union_of_the_languages():
    assert {"personas", "people"} <= counts_cues.GENERIC_PEOPLE
    assert counts_lexicon.EVENT_NOUN["excarcelaciones"] == "released"
    assert counts_lexicon.EVENT_NOUN["deaths"] == "dead"
    assert counts_lexicon.AFTER_PAIR[("walk", "free")] == "released"
    assert ("de", "ellos") in counts_lexicon.SUBSET and ("of", "them") in counts_lexicon.SUBSET
    assert "<org>" in counts_lexicon.MODIFIERS and "," in counts_cues.AFTER_CLAIM


def test_stems_read_as_prefixes_in_the_files_order():
    events = [ev for ev, _ in counts_lexicon.BEFORE_PREFIX]
    assert events == ["released", "arrested", "dead", "held"]
    assert "excarcel" in dict(counts_lexicon.BEFORE_PREFIX)["released"]
    assert "exigen".startswith(counts_lexicon.DEMAND)


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
