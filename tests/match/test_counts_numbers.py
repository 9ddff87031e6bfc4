"""Numbers as the counts extractor reads them: digits, number words, and bad input that
must neither raise nor cost (or invent) a count."""

import pytest

from monitor.match.counts import extract_counts
from monitor.match.counts.numbers import TOKEN, numbers_in, parse_number


def counts(text: str) -> list[tuple[str, int]]:
    return [(c.event, c.number) for c in extract_counts([text])]


def value(text: str) -> int | None:
    parsed = parse_number(TOKEN.findall(text), 0)
    return parsed[0] if parsed else None


@pytest.mark.parametrize("text,expected", [
    ("87", 87), ("1.200", 1200), ("1,200", 1200), ("10.000", 10000), ("2 mil", 2000),
    ("ciento nueve", 109), ("dos mil", 2000), ("veintiocho", 28), ("veintiun", 21),
    ("treinta y un", 31), ("treinta y uno", 31), ("three hundred", 300),
    ("un centenar", 100), ("medio centenar", 50), ("un millar", 1000),
    ("٨٧", 87), ("١٬٢٠٠", 1200),  # Arabic-Indic digits and thousands separator
])
def test_number_values(text: str, expected: int) -> None:
    assert value(text) == expected


@pytest.mark.parametrize("text", [
    "3.5", "1.2.3", "1,,200", "1/2", "12/01/2026", "1" + "0" * 30, "9" * 5000, "decenas",
])
def test_not_a_count_number(text: str) -> None:
    assert value(text) is None


@pytest.mark.parametrize("text,expected", [
    ("Excarcelan a ciento nueve presos políticos", [("released", 109)]),
    ("Detienen a veintiún manifestantes", [("arrested", 21)]),
    ("Liberan a treinta y un presos políticos", [("released", 31)]),
    ("Foro Penal verificó un centenar de excarcelaciones", [("released", 100)]),
    ("Excarcelan a 87presos políticos", [("released", 87)]),  # a typo glues the count to its noun
    ("Excarcelan a ٨٧ presos políticos", [("released", 87)]),
    ("Excarcelan a 87 presos políticos", [("released", 87)]),
    # stray separators, huge figures, fractions, a text of numbers: no count, no error
    ("Excarcelan a 1.2.3 presos políticos", []),
    ("Excarcelan a 1,,200 presos políticos", []),
    ("Excarcelan a " + "1" + "0" * 30 + " presos políticos", []),
    ("Liberan a " + "9" * 5000 + " presos", []),
    ("Excarcelan a ½ de los presos políticos", []),
    ("Excarcelan a 1/2 de los presos políticos", []),
    ("12 34 56 7.8 9,10", []),
    # ages and frequencies are quantities, not counts; "under 18" is an age, "over 18" a qualifier
    ("The group said four of those freed were under 18 when they were arrested", [("released", 4)]),
    ("Over 18 prisoners were freed", [("released", 18)]),
    ("Twelve protesters arrested at 16 were released", [("released", 12)]),
    ("Must report to a court every 15 days", []),
    ("", []),
    ("٣", []),
])
def test_counts_on_odd_numbers(text: str, expected: list[tuple[str, int]]) -> None:
    assert counts(text) == expected


def test_a_glued_code_is_no_count() -> None:
    assert counts("Liberan a 3 presos detenidos tras el 28J") == [("released", 3)]
    assert counts("el 1Ene liberaron a 5 presos") == [("released", 5)]


def test_a_sentence_is_read_when_it_has_a_figure_in_any_form() -> None:
    """The pre-filter looks words up in a set: number words must stay single tokens, and every
    form of a figure (digits, words, a death stem, 'un preso') still gets the sentence read."""
    from monitor.match.counts.extract import _NUMBER_TOKENS, _WORD, _worth_a_look

    assert all(_WORD.fullmatch(w) for w in _NUMBER_TOKENS)
    for sentence in ["excarcelan a 87 presos", "liberan a veintiocho presos politicos",
                     "murio en custodia", "un centenar de detenidos", "detienen a un periodista",
                     "freed twelve prisoners"]:
        assert _worth_a_look(sentence), sentence
    for sentence in ["el gobierno anuncia nuevas medidas", "una reunion en caracas", "unos presos"]:
        assert not _worth_a_look(sentence), sentence


@pytest.mark.parametrize("text,expected", [
    ("Ascienden a 8 las excarcelaciones de presos políticos, según Foro Penal", {8}),
    ("Foro Penal: ascienden a ocho las excarcelaciones", {8}),  # the same figure in words
    ("Ascienden a dieciséis las excarcelaciones", {16}),
    ("Foro Penal: 1.200 presos políticos; 87 excarcelados", {1200, 87}),
    ("Twenty-one prisoners freed", {21}),
    ("Excarcelan a un preso político en 2026", set()),  # an article and a year: no figure
    # a live page's hour and day are no figures: retitled each hour, it used up its revisions
    ("EN VIVO | Excarcelaciones en Venezuela, actualizado a las 10:30", set()),
    ("EN VIVO | Lo que sabemos de la jornada del 3 de enero", set()),
    ("Live: Venezuela prisoner releases, January 4, 10.30 h", set()),
    ("Ascienden a 16 las excarcelaciones del 3 de enero, a las 10:30", {16}),
    # in English: an hour with a.m./p.m., a day with its ordinal ending
    ("LIVE: Venezuela frees 41 political prisoners, updated 9 a.m. ET", {41}),
    ("Venezuela live updates, 3pm", set()),
    ("Excarcelaciones en Venezuela, actualizado a las 10 p. m.", set()),
    ("Live: Venezuela prisoner releases, January 4th", set()),
    ("Live: Venezuela prisoner releases on the 4th of January", set()),
    ("Venezuela news: Sunday 4th January", set()),
    ("Foro Penal: 1,200 held on Jan. 21st", {1200}),
    ("Venezuela frees 3 Americans, 2 Colombians", {3, 2}),
    # "may", "set" and "mar" are words as often as months: a day only where no word follows
    ("Venezuela says 20 may be freed under amnesty deal", {20}),
    ("Some 30 set to walk free from El Helicoide, relatives say", {30}),
    ("Venezuela to set 40 political prisoners free", {40}),
    ("Vigil outside El Helicoide on 10 May, day 20 of the hunger strike", {20}),
    ("Live: Venezuela on May 10", set()),
    ("Live: 41 freed on May 10 in Caracas", {41}),  # "may" before a number is no verb
])
def test_the_numbers_a_headline_states(text: str, expected: set[int]) -> None:
    """What a revision of a headline is told by (monitor/ingest/dedup.py)."""
    assert numbers_in(text) == expected
