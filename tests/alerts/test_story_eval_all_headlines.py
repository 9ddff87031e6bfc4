"""`monitor eval-stories --all-headlines`: every headline of a window's days is served, relevant
or not, and only the labelled items the classifier finds relevant are scored, as an outside
check that feeds the service whole outlets does."""

from __future__ import annotations

from pathlib import Path

import pytest
from story_helpers import write_story_files

from core.config import load_config
from monitor.cli import main
from monitor.story_eval import evaluate, load_groups, load_headlines

ROOT = Path(__file__).resolve().parents[2]
DAY = "2026-03-02"
HEADLINES = [  # id, date, outlet, title, labelled topics
    ("a1", DAY, "Diario 0", "Foro Penal contabiliza 21 presos políticos excarcelados", ["political_prisoners"]),
    ("a2", DAY, "Diario 1", "Selección venezolana de fútbol gana amistoso en Caracas", []),
    ("a3", DAY, "Diario 2", "Foro Penal suma 23 presos políticos excarcelados", ["political_prisoners"]),
    ("a4", DAY, "Diario 3", "Precio del dólar oficial sube en Venezuela", []),
    ("a5", DAY, "Diario 4", "Una mañana distinta en Caracas", ["political_prisoners"]),  # readers' call; no rule sees it
]
GROUPS = {"windows": [{"days": [DAY], "stories": [{"story": "tally", "ids": ["a1", "a3"]},
                                                  {"story": "morning", "ids": ["a5"]}]}]}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write_story_files(tmp_path, GROUPS, HEADLINES)


def test_only_what_the_classifier_finds_relevant_is_scored(files: tuple[Path, Path]) -> None:
    groups, heads = files
    config = load_config(ROOT / "feeds.yaml")
    windows, rows = load_groups(groups), load_headlines(heads)

    [labelled] = evaluate(windows, rows, config)
    assert set(labelled.pred) == {"a1", "a3", "a5"}  # the labels make a5 relevant

    [served] = evaluate(windows, rows, config, all_headlines=True)
    assert set(served.gold) == {"a1", "a3"} and served.labelled == 3
    assert served.pred["a1"] == served.pred["a3"]
    assert served.scores.items == 2 and served.scores.recall == 1.0


def test_the_command_says_how_many_labelled_items_were_scored(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    groups, heads = files
    db = f"sqlite:///{tmp_path / 'unused.db'}"
    assert main(["eval-stories", "--db", db, "--config", str(ROOT / "feeds.yaml"), str(groups),
                 "--headlines", str(heads), "--all-headlines"]) == 0
    out = capsys.readouterr().out
    assert "scored 2 of 3 labelled items" in out
    assert main(["eval-stories", "--db", db, "--config", str(ROOT / "feeds.yaml"), str(groups),
                 "--headlines", str(heads)]) == 0
    assert "scored" not in capsys.readouterr().out


def test_a_headline_is_stored_as_the_service_stores_a_feeds_title(tmp_path: Path) -> None:
    """The service drops the section label an outlet puts on a title's last line ("…\\nPOLÍTICA")
    before it stores and classifies the item (monitor/ingest/normalize.py `feed_title`); the
    replay classified the label too, so "…centros clandestinos de detención\\nPOLÍTICA" matched
    the term `detención~ política~` there and nowhere in the service."""
    from monitor.story_eval import _dated

    row = {"id": "w1", "date": DAY, "outlet": "Diario 0", "lang": "es",
           "title": "En Venezuela persisten los “centros clandestinos de detención”\nPOLÍTICA"}
    assert _dated(row).title == "En Venezuela persisten los “centros clandestinos de detención”"
