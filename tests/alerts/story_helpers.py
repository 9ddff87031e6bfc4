"""A small story index for the matcher's unit tests: one story under test among a few
unrelated stories of the beat, so that the story's words are rare enough to weigh."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alerts.stories.features import ItemFeatures, StoryEntry, features
from alerts.stories.match import StoryIndex

NOW = datetime(2026, 3, 14, 14, 0, tzinfo=UTC)
PP = ["political_prisoners"]
WINDOW = timedelta(hours=48)
# one day of a groups file: a vigil told by two outlets and a tally (the story benches' tests)
VIGIL_DAY = [  # id, date, outlet, title, labelled topics
    ("v1", "2026-03-02", "Diario 0", "Familiares de presos políticos mantienen vigilia frente a El Helicoide", PP),
    ("v2", "2026-03-02", "Diario 1", "Familiares de presos políticos cumplen vigilia frente a El Helicoide", PP),
    ("f1", "2026-03-02", "Diario 2", "Foro Penal contabiliza 21 presos políticos excarcelados en Tocorón", PP),
]
VIGIL_DAY_GROUPS = {"windows": [{"days": ["2026-03-02"], "stories": [{"story": "vigil", "ids": ["v1", "v2"]},
                                                                     {"story": "tally", "ids": ["f1"]}]}]}
OTHER_NEWS = [
    "Foro Penal denuncia nuevas detenciones de activistas en Zulia",
    "Provea publica informe anual sobre torturas en cárceles",
    "Madres de presos inician huelga de hambre en Tocuyito",
    "ONU pide liberar a presos políticos en Venezuela",
    "Abogados denuncian traslados de presos a Rodeo I",
]


def feats(item_id: int, title: str, at: datetime, outlet: str = "feed:1", topics: list[str] = PP) -> ItemFeatures:
    return features(item_id=item_id, title=title, lang="es", outlet=outlet, when=at, topics=topics,
                    entities=[], counts=[])


def index_with(title: str, *more: str, topics: list[str] = PP, traced: bool = False) -> StoryIndex:
    """Story 1 is `title`; stories 10, 11, ... are OTHER_NEWS and `more`. The rules alone decide
    (no pair model); `traced` records every scored pair, however far under the threshold."""
    index = StoryIndex()
    index.pairs = None
    if traced:
        index.trace = []
        index.floor = -1.0
    index.add_story(StoryEntry(1, title, NOW, NOW, set(topics), [feats(1, title, NOW, topics=topics)]))
    for k, other in enumerate([*OTHER_NEWS, *more], start=10):
        index.add_story(StoryEntry(k, other, NOW, NOW, set(PP), [feats(k, other, NOW)]))
    return index


def write_story_files(tmp_path: Path, groups: dict[str, Any], headlines: list[tuple[str, str, str, str, list[str]]]
                      ) -> tuple[Path, Path]:
    """A groups file and its headlines file (id, date, outlet, title, topics) for eval-stories."""
    groups_file = tmp_path / "stories.json"
    groups_file.write_text(json.dumps(groups), encoding="utf-8")
    heads = tmp_path / "headlines_test.jsonl"
    heads.write_text("".join(
        json.dumps({"id": i, "lang": "es", "date": d, "outlet": o, "title": t, "summary": "", "topics": tp}) + "\n"
        for i, d, o, t, tp in headlines
    ), encoding="utf-8")
    return groups_file, heads
