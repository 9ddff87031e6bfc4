"""Feeds polled by a real `monitor poll-once` process for a tally test: the shipped feeds.yaml
with the test's feeds (and settings) in its place, a SQLite file beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]


def poll_once(tmp: Path, feeds: list[dict[str, Any]], **settings: Any) -> tuple[list[str], str]:
    """One `monitor poll-once` over `feeds`; (`monitor tally`'s arguments, the database URL)."""
    yaml = YAML()
    config = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    config["settings"].update(settings)
    config["feeds"] = feeds
    path, db = tmp / "feeds.yaml", f"sqlite:///{tmp / 'monitor.db'}"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(config, fh)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MONITOR_CONFIG", "TELEGRAM_BOT_TOKEN")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-m", "monitor", "poll-once", "--config", str(path), "--db", db],
                          env=env, capture_output=True, text=True, timeout=120, cwd=tmp)
    assert done.returncode == 0, done.stderr
    return ["tally", "--config", str(path), "--db", db], db
