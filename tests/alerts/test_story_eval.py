"""The story evaluation: B-cubed on hand-made groups, the real assigner replayed over a small
groups file written for this test, `monitor eval-stories`, and the shared January groups."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from story_helpers import write_story_files

from monitor.cli import main
from monitor.story_eval import (
    FEED_ORDERS,
    FeedShape,
    bcubed,
    dates_only_times,
    evaluate,
    load_groups,
    load_headlines,
    pooled,
    report,
    score,
)

HEADLINES = [
    ("h1", "2026-03-02", "Diario Uno", "Foro Penal contabiliza 21 presos políticos excarcelados", ["political_prisoners"]),
    ("h2", "2026-03-02", "Diario Dos", "Foro Penal suma 23 presos políticos excarcelados", ["political_prisoners"]),
    ("h3", "2026-03-02", "Diario Tres", "EE. UU. incauta el petrolero «Aurora Bay» en el mar Caribe", ["us_actions"]),
    ("h4", "2026-03-03", "Diario Uno", "EE. UU. incauta el petrolero «Silver Crane» en el mar Caribe", ["us_actions"]),
    ("h5", "2026-03-03", "Diario Dos", "Excarcelan al activista Anselmo Quintero Bravo tras dos años en El Helicoide",
     ["political_prisoners"]),
    ("h6", "2026-03-03", "Diario Tres", "Excarcelan a la periodista Maribel Ochoa Rangel tras dos años en El Helicoide",
     ["political_prisoners"]),
]
GROUPS = {"windows": [{"days": ["2026-03-02", "2026-03-03"], "stories": [
    {"story": "tally", "ids": ["h1", "h2"]},
    {"story": "Aurora Bay", "ids": ["h3"]},
    {"story": "Silver Crane", "ids": ["h4"]},
    {"story": "Quintero", "ids": ["h5"]},
    {"story": "Ochoa", "ids": ["h6"]},
]}]}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write_story_files(tmp_path, GROUPS, HEADLINES)


def test_bcubed_and_wrong_merges_on_hand_made_groups() -> None:
    gold = {"a": 1, "b": 1, "c": 2, "d": 3}
    assert bcubed(gold, gold) == (1.0, 1.0)
    singletons = {k: k for k in gold}
    p, r = bcubed(singletons, gold)
    assert p == 1.0 and r == pytest.approx((0.5 + 0.5 + 1 + 1) / 4)
    merged = score({k: 0 for k in gold}, gold)
    assert merged.recall == 1.0 and merged.precision == pytest.approx((0.5 + 0.5 + 0.25 + 0.25) / 4)
    assert len(merged.wrong_merges) == 5 and merged.service_stories == 1
    assert score(singletons, gold).alerts_per_story == pytest.approx(4 / 3)
    other = {k + "2": v for k, v in gold.items()}
    both = pooled([(gold, gold), ({k: k for k in other}, other)])
    assert both.items == 8 and both.true_stories == 6 and both.service_stories == 7


def test_the_real_assigner_on_a_small_groups_file(files: tuple[Path, Path], default_config: Any) -> None:
    groups, heads = files
    [result] = evaluate(load_groups(groups), load_headlines(heads), default_config)
    s = result.scores
    assert s.items == 6 and s.true_stories == 5
    assert s.wrong_merges == [] and s.precision == 1.0
    assert s.service_stories == 5 and s.recall == 1.0  # the tally's update joined its story
    assert "| 2026-03-02..2026-03-03 | 6 | 5 | 5 | 1.000 | 1.000 | 1.000 | 1.00 | 0 |" in report([result])


def test_one_pass_classifies_the_window_at_once_by_publication_time(
    files: tuple[Path, Path], default_config: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    groups, heads = files
    [result] = evaluate(load_groups(groups), load_headlines(heads), default_config, one_pass=True)
    # the same stories as the timed replay: two seizures and two releases apart, the tally joined
    assert result.scores.wrong_merges == [] and result.scores.service_stories == 5
    assert main(["eval-stories", str(groups), "--headlines", str(heads), "--one-pass"]) == 0
    assert "| 2026-03-02..2026-03-03 | 6 | 5 | 5 | 1.000 | 1.000 |" in capsys.readouterr().out


def test_dates_only_serves_each_day_at_midnight_in_the_order_a_poll_stores_it() -> None:
    rows = [{"id": i, "date": d, "outlet": o} for i, d, o in [
        ("a1", "2026-03-02", "Uno"), ("b1", "2026-03-02", "Dos"), ("a2", "2026-03-02", "Uno"),
        ("a3", "2026-03-03", "Uno"), ("b2", "2026-03-03", "Dos"), ("b3", "2026-03-03", "Dos"),
    ]]
    timed = dates_only_times(rows)
    # feed after feed, as a poll stores each: its items oldest first although its document
    # lists them newest first (the pipeline's order is storage.items.unclassified_ids')
    assert [r["id"] for r, _ in timed] == ["b1", "b2", "b3", "a1", "a2", "a3"]
    assert {when.isoformat() for _, when in timed} == {"2026-03-02T00:00:00+00:00", "2026-03-03T00:00:00+00:00"}


@pytest.mark.parametrize("order", FEED_ORDERS)
def test_dates_only_feeds_listed_any_way_are_stored_in_their_headlines_order(order: str) -> None:
    # each day's three headlines as the file numbers them; the file lists them oldest first
    rows = [{"id": f"w{n:04d}", "date": d, "outlet": "Uno"} for n, d in [
        (10, "2026-03-02"), (11, "2026-03-02"), (12, "2026-03-02"),
        (20, "2026-03-03"), (21, "2026-03-03"), (22, "2026-03-03")]]
    numbered = [r["id"] for r, _ in dates_only_times(rows, FeedShape(order=order))]
    assert numbered == ["w0010", "w0011", "w0012", "w0020", "w0021", "w0022"]
    # ids without numbers: the document's order alone; a feed sorted on the date alone lists
    # each day oldest first under the newest day, and is read bottom-up, each day reversed
    unnumbered = [r["id"] for r, _ in dates_only_times(rows, FeedShape(order=order, numbered=False))]
    expected = {"by-date": ["w0012", "w0011", "w0010", "w0022", "w0021", "w0020"]}
    assert unnumbered == expected.get(order, numbered)


def test_an_unknown_feed_order_is_refused() -> None:
    with pytest.raises(ValueError, match="newest-first, oldest-first, by-date"):
        dates_only_times([{"id": "w1", "date": "2026-03-02"}], FeedShape(order="random"))


def test_eval_stories_dates_only(files: tuple[Path, Path], default_config: Any,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    groups, heads = files
    [result] = evaluate(load_groups(groups), load_headlines(heads), default_config, dates_only=True)
    # the tally told on one date still joins; the two seizures and two releases stay apart
    assert result.scores.wrong_merges == [] and result.scores.service_stories == 5
    assert main(["eval-stories", str(groups), "--headlines", str(heads), "--dates-only"]) == 0
    assert "| 2026-03-02..2026-03-03 | 6 | 5 | 5 | 1.000 | 1.000 |" in capsys.readouterr().out
    for order in FEED_ORDERS:  # the CLI offers the orders the evaluation knows
        assert main(["eval-stories", str(groups), "--headlines", str(heads), "--dates-only",
                     "--feed-order", order, "--ids-without-numbers"]) == 0
        assert "| 2026-03-02..2026-03-03 | 6 | 5 | 5 | 1.000 | 1.000 |" in capsys.readouterr().out


def test_monitor_eval_stories_prints_the_table(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    groups, heads = files
    assert main(["eval-stories", str(groups), "--headlines", str(heads), "--details"]) == 0
    out = capsys.readouterr().out
    assert "B³ precision" in out and "wrong merges:" in out
    assert main(["eval-stories", str(groups.parent / "missing.json")]) == 2


def test_shared_january_groups_hold_precision(shared_dir: Path, default_config: Any) -> None:
    groups = shared_dir / "real" / "stories_2026-01.json"
    heads = shared_dir / "real" / "headlines_es_2026-01.jsonl"
    if not groups.is_file() or not heads.is_file():
        pytest.skip("the shared January story groups are not present")
    results = evaluate(load_groups(groups), load_headlines(heads), default_config)
    total = pooled((r.pred, r.gold) for r in results)
    assert total.items > 150
    assert total.precision >= 0.95  # wrong merges are worse than splits
    assert total.alerts_per_story < 1.77  # the first matcher's figure on these groups


def test_the_replay_traces_every_scored_pair_with_its_readers_label(tmp_path: Path, default_config: Any) -> None:
    from monitor.story_train import window_pairs

    rows = [
        ("d1", "Diplomáticos estadounidenses llegan a Caracas para evaluar la reapertura de la embajada"),
        ("d2", "Funcionarios de EE. UU. aterrizan en Caracas para estudiar la reapertura de su embajada"),
        ("d3", "Diplomáticos de EE. UU. se reúnen en Bogotá con la oposición venezolana"),
    ]
    heads = tmp_path / "headlines.jsonl"
    heads.write_text("".join(json.dumps({"id": i, "lang": "es", "date": "2026-03-02", "outlet": f"o{i}", "title": t,
                                         "summary": "", "topics": ["us_actions"]}) + "\n" for i, t in rows), encoding="utf-8")
    groups = tmp_path / "groups.json"
    groups.write_text(json.dumps({"windows": [{"days": ["2026-03-02"], "stories": [
        {"story": "arrival", "ids": ["d1", "d2"]}, {"story": "Bogotá", "ids": ["d3"]}]}]}), encoding="utf-8")
    [pairs] = window_pairs([str(groups)], load_headlines(heads), default_config)
    joined = [p for p in pairs if (p["item_guid"], p["with_guid"]) == ("d2", "d1")]
    assert joined and joined[0]["label"] == 1 and joined[0]["text"] > 0
    assert all(p["label"] == int(p["with_guid"] in {"d1", "d2"} and p["item_guid"] in {"d1", "d2"}) for p in pairs)
    assert all(not p.get("conflicts") for p in pairs)  # a conflict always splits: not the model's to learn
    assert window_pairs([str(groups)], load_headlines(heads), default_config, frozenset({"2026-03-02"})) == []


def _split_bench(tmp_path: Path, first: str, second: str) -> str:
    """What bench/story_splits.py --measure prints for two us_actions titles of one day that the
    readers put in one story."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    heads = [
        {"id": f"x{n}", "date": "2026-03-01", "lang": "es", "outlet": outlet, "topics": ["us_actions"], "title": title}
        for n, (outlet, title) in enumerate((("a", first), ("b", second)), start=1)
    ]
    groups = {"windows": [{"days": ["2026-03-01"], "stories": [{"story": "one, as if", "ids": ["x1", "x2"]}]}]}
    (tmp_path / "h.jsonl").write_text("\n".join(json.dumps(h) for h in heads), encoding="utf-8")
    (tmp_path / "g.json").write_text(json.dumps(groups), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(root / "bench" / "story_splits.py"), "--headlines", str(tmp_path / "h.jsonl"),
         "--shared-groups", str(tmp_path / "g.json"), "--measure"],
        capture_output=True, text=True, check=True, cwd=root,
    ).stdout


def test_the_split_bench_counts_an_item_told_in_other_words_by_cause(tmp_path) -> None:
    """bench/story_splits.py: two tellings of one readers' story that share no wording land apart,
    and the second is counted as scored under the floor, with the words it shares."""
    out = _split_bench(tmp_path, "Estados Unidos incauta el petrolero Olina en el mar Caribe",
                       "Trump anuncia nuevas sanciones contra funcionarios de Venezuela")
    assert "2 items, 1 placed apart" in out
    assert "- 1 under 0.30, sharing " in out


def test_the_split_bench_counts_the_beat_s_words_apart_from_the_words_that_tell_an_event(tmp_path) -> None:
    """bench/story_splits.py: "Estados Unidos" and "Venezuela" are the words that made both items
    relevant (the beat's, weighed at half their rarity), not evidence of one event: the split item
    shares two words besides names and none besides the beat's."""
    out = _split_bench(tmp_path, "Estados Unidos incauta un petrolero frente a las costas de Venezuela",
                       "Trump dice que Estados Unidos controlará el petróleo de Venezuela por años")
    assert "- 1 under 0.30, sharing 0 words besides names and the beat's words" in out
    assert "(1 sharing 2 words besides names)" in out


def test_eval_stories_gives_the_intervals_of_the_pooled_figures(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Readers who took the two seizures for one: the service's split shows as recall under 1,
    with an interval as wide as four stories leave it; precision has no spread to show."""
    joined = json.loads(json.dumps(GROUPS))
    stories = joined["windows"][0]["stories"]
    stories[1]["ids"] += stories.pop(2)["ids"]
    groups, heads = write_story_files(tmp_path, joined, HEADLINES)
    assert main(["eval-stories", str(groups), "--headlines", str(heads), "--intervals"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("95 % intervals"))
    assert "B³ precision 1.000 [1.000, 1.000]" in line
    recall = line.split("B³ recall ")[1].split(", alerts")[0]
    value, low, high = (float(x) for x in recall.replace("[", "").replace("]", "").replace(",", "").split())
    assert value == pytest.approx(5 / 6, abs=1e-3) and low < value < high == 1.0
    assert "alerts per true story 1.250 [1.000, " in line  # five alerts for four stories, one of them the split
