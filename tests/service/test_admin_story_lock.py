"""The service gives the admin chat its classification lock, so that /split and /merge never
change the story index while the pipeline's thread places items (the admin side of this is
tests/alerts/test_story_merge_command.py::test_merge_waits_while_the_pipeline_places_items)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.config import load_config, resolve_runtime
from monitor.service import Service
from storage.db import open_database

CONFIG = """rules: [venezuela-2026]
feeds: [{name: medio, url: "http://127.0.0.1:9/feed.xml", language: es}]
channels: [{name: presos, chat_id: console, topics: [political_prisoners]}]
"""


def test_story_commands_share_the_lock_of_classification(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    config = load_config(path)
    db_url = f"sqlite:///{tmp_path / 'm.db'}"
    runtime = resolve_runtime(config, config_path=str(path), db_flag=db_url, env={})

    async def scenario() -> None:
        service = Service(config, runtime, open_database(db_url))
        try:
            assert service.admin.story_lock is service._classify_lock
            async with service._classify_lock:  # classify_pending holds it while placing items
                assert service.admin.story_lock.locked()
        finally:
            await service.close()

    asyncio.run(scenario())
