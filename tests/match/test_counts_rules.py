"""The named attribution rules, run on their own examples and counter-examples
(monitor/match/data/count_rules.yaml), grouped by phrasing in the test ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from monitor.match.counts import extract_counts
from monitor.match.counts.classify import RULES, rule_name

DATA = Path(__file__).resolve().parents[2] / "monitor" / "match" / "data" / "count_rules.yaml"
SPEC = YAML(typ="safe").load(DATA.read_text(encoding="utf-8"))["rules"]


def _cases(kind: str) -> list:
    return [
        pytest.param(rule, case["text"], case["counts"],
                     id=f"{spec['phrasing']}/{rule}/{case['text'][:40]}")
        for rule, spec in SPEC.items() for case in spec.get(kind) or []
    ]


def _run(text: str) -> tuple[list[list], set[str]]:
    counts = extract_counts([text])
    return ([[c.event, c.number] + ([c.source] if c.source else []) for c in counts],
            {c.rule for c in counts})


def test_every_rule_is_described_in_order() -> None:
    assert list(SPEC) == [rule_name(r) for r in RULES]


@pytest.mark.parametrize("rule,text,expected", _cases("examples"))
def test_example(rule: str, text: str, expected: list[list]) -> None:
    counts, rules = _run(text)
    assert counts == expected
    if expected:  # a rule that answers "not a count" leaves no count to name it
        assert rule in rules


@pytest.mark.parametrize("rule,text,expected", _cases("counter"))
def test_counter_example(rule: str, text: str, expected: list[list]) -> None:
    counts, rules = _run(text)
    assert counts == expected
    assert rule not in rules


def test_classify_explain_names_each_counts_rule(shipped) -> None:
    import io
    import json

    from monitor.match.jsonl import classify_stream

    line = json.dumps({"id": "a", "lang": "es",
                       "title": "Foro Penal verificó 61 de las 87 excarcelaciones anunciadas"})
    for explain, keys in ((False, {"event", "number", "source", "confident"}),
                          (True, {"event", "number", "source", "confident", "rule"})):
        out = io.StringIO()
        classify_stream(shipped, io.StringIO(line + "\n"), out, io.StringIO(), explain=explain)
        counts = json.loads(out.getvalue())["counts"]
        assert [(c["event"], c["number"]) for c in counts] == [("released", 61), ("released", 87)]
        assert all(set(c) == keys and c["confident"] is True for c in counts)
        if explain:
            assert [c["rule"] for c in counts] == ["noun.noun_or_verb", "noun.part_of_whole"]


def test_a_whole_told_among_a_whole_again_and_again_is_read_once_each(monkeypatch: pytest.MonkeyPatch) -> None:
    """At "among"/"entre" the scan reads the whole's predicate, which scans on to the next
    "among" and starts over: the same scans again at each repeat, 1.65 times the work each (a
    title of 23 "among detainees", 392 characters, took 6.5 s; one of 1,000 never ended, and
    held the classifier at every start). Counted in scans of one word (`_phrase`), not timed."""
    import monitor.match.counts.after as after
    from monitor.match.counts.extract import read_counts

    scans = 0
    phrase = after._phrase

    def counted(*args: object) -> object:
        nonlocal scans
        scans += 1
        return phrase(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(after, "_phrase", counted)
    for title in ("Venezuela frees 5 women " + "among detainees " * 23,
                  "Excarcelan a 5 mujeres " + "detenidos entre detenidos " * 22):
        scans = 0
        read_counts([title])
        assert scans < 2_000, (title[:30], scans)
    # the figure of a part among its whole is read as before
    assert {(c.event, c.number) for c in read_counts(["Eleven journalists among prisoners freed in Venezuela"])} == {
        ("released", 11)}


def test_each_sentence_is_looked_at_once_for_the_event_a_bare_figure_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    """"Son 134 y no 143." with no event of its own takes the nearest earlier sentence's: each
    such figure looked back through every earlier sentence (200,000 characters: 71 s). Counted in
    sentences looked at (`mentioned_event`), not timed."""
    import monitor.match.counts.corrections as corrections
    import monitor.match.counts.extract as extract
    from monitor.match.counts.context import mentioned_event

    looks = 0

    def counted(text: str) -> str | None:
        nonlocal looks
        looks += 1
        return mentioned_event(text)

    monkeypatch.setattr(extract, "mentioned_event", counted)
    monkeypatch.setattr(corrections, "mentioned_event", counted)
    text = "Liberaron a varios presos políticos. " + "Son 134 y no 143. " * 2_000
    found = extract.read_counts(["Excarcelan a presos políticos en Venezuela", "", text])
    assert looks < 5_000, looks
    assert {(c.event, c.number) for c in found} == {("released", 134)}  # the event told before


def test_a_run_on_sentence_is_read_in_pieces_and_keeps_its_figures():
    """A "sentence" of thousands of words (no full stop) is read in pieces cut after a comma: each
    figure is weighed against the others of its piece, not of the whole run (whose cost was the
    square of their number: 196,000 characters took two minutes; bench/bench_counts_runon.py)."""
    from monitor.match.counts.extract import MAX_SENTENCE_CHARS, _bounded, read_counts

    runon = ", ".join(["Excarcelan a 20 presos políticos"] * 400) + ", y detienen a 7 activistas en Caracas"
    pieces = _bounded(runon)
    assert len(pieces) > 1 and all(len(p) <= MAX_SENTENCE_CHARS for p in pieces)
    assert "".join(pieces) == runon  # nothing lost at the cuts
    assert all(not p.startswith(" ") or p.startswith(" Excarcelan") or p.startswith(" y ") for p in pieces[1:])
    found = {(c.event, c.number) for c in read_counts(["", "", runon])}
    assert found == {("released", 20), ("arrested", 7)}  # the last figure, far past the first piece
    short = "Excarcelan a 20 presos políticos, según Foro Penal"
    assert _bounded(short) == [short]


def test_an_item_is_read_up_to_max_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text of figures alone ("1 1 1 …" to the field's 200,000 characters: 100,000 of them,
    4-6 s of weighing) is read up to MAX_FIGURES; the title's figures come first and are kept."""
    from monitor.match.counts import extract

    weighed = 0
    number_event = extract._number_event

    def counted(*args: object, **kwargs: object) -> object:
        nonlocal weighed
        weighed += 1
        return number_event(*args, **kwargs)

    monkeypatch.setattr(extract, "_number_event", counted)
    found = extract.read_counts(["Excarcelan a 12 presos políticos en Venezuela", "", "1 " * 100_000])
    assert weighed <= extract.MAX_FIGURES
    assert ("released", 12) in {(c.event, c.number) for c in found}
