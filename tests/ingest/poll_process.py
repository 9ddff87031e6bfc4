"""`monitor poll-once --dry-run` as an operator runs it: its own process, the shipped rule
packs, one feed fetched with its articles, alerts printed by a console channel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]


def poll_once_dry_run(tmp_path: Path, feed_url: str, topics: list[str]) -> subprocess.CompletedProcess[str]:
    yaml = YAML()
    shipped = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    config = {
        "settings": {"request_timeout": "2s", "connect_timeout": "1s"},
        "rules": shipped["rules"],
        "feeds": [{"name": "medio", "url": feed_url, "language": "es", "fetch_article": "always"}],
        "channels": [{"name": "alertas", "chat_id": "console", "topics": topics}],
    }
    with (tmp_path / "feeds.yaml").open("w", encoding="utf-8") as fh:
        yaml.dump(config, fh)
    return subprocess.run(
        [sys.executable, "-m", "monitor", "poll-once", "--dry-run", "--config",
         str(tmp_path / "feeds.yaml"), "--db", f"sqlite:///{tmp_path / 'm.db'}"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
