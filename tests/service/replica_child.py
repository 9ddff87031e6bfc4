"""One replica of tests/service/test_replicas_pg.py: `monitor run` in-process, with the
feeds' intervals, the leader lease and the poll margin shortened so that the test takes
seconds (feeds.yaml's minimum interval is 30 s), and its own /healthz port.

    python replica_child.py CONFIG DB_URL INTERVAL_S LEADER_TTL_S HEALTH_PORT
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.config import load_config, resolve_runtime  # noqa: E402
from core.logs import setup_logging  # noqa: E402
from monitor.service import Service  # noqa: E402
from storage.db import open_database  # noqa: E402


def main() -> int:
    config_path, db_url, interval, ttl, port = sys.argv[1:6]
    setup_logging("INFO")  # the service's own: the token redacted, httpx's request lines off
    config = load_config(config_path)
    config.feeds = [f.model_copy(update={"interval": timedelta(seconds=float(interval))})
                    for f in config.feeds]
    config.settings = config.settings.model_copy(update={"http_listen": f"127.0.0.1:{port}"})
    runtime = resolve_runtime(config, config_path=config_path, db_flag=db_url)
    db = open_database(db_url)
    service = Service(
        config, runtime, db,
        scheduler_options={"jitter": 0.05},
        replica_options={"leader_ttl": timedelta(seconds=float(ttl)),
                         "poll_margin": timedelta(seconds=0.5)},
    )
    service._watch_config = _no_reload  # type: ignore[method-assign]  # keep the short intervals
    return asyncio.run(service.run())


async def _no_reload() -> None:
    return None


if __name__ == "__main__":
    raise SystemExit(main())
