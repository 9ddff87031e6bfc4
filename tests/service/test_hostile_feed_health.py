"""`/healthz` keeps answering within 1 s while the running service reads a hostile feed
(issue 13: one 280 KB feed of "<script>" blocked the event loop for 28 s). The real
`monitor run` process polls a feed served on 127.0.0.1 whose items carry 280 KB of
"<script>" and 25,000 "&lt;!--"; the test asks /healthz every 50 ms until the items are
stored and classified."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from service_world import World, wait_for
from sqlalchemy import func, select

from devtools.samples import SampleItem
from storage.db import open_database
from storage.models import Item

PRESOS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]


def ask(url: str) -> tuple[float, int, dict]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return time.monotonic() - started, status, json.loads(body)


def test_healthz_answers_within_a_second_while_a_hostile_feed_is_read(world: World):
    world.feed("hostile")
    world.publish("hostile", "Excarcelan a 12 presos políticos en Tocorón", "<script>" * 35_000)
    world.items["hostile"].insert(0, SampleItem(
        title="Detienen al periodista Luis Pérez en Caracas, denuncia el SNTP",
        link=f"{world.server.base_url}/articles/hostile/2", guid="hostile-2",
        summary="Detenido en Caracas.", content="&lt;!--" * 25_000,
    ))
    world._serve("hostile")
    world.write_config(PRESOS)
    db = open_database(world.db_url)
    world.start()
    url = f"http://127.0.0.1:{world.http_port}/healthz"

    def up() -> bool:
        try:
            return ask(url)[1] == 200
        except OSError:
            return False

    wait_for(up, 30, "the health endpoint")

    def classified() -> int:
        with db.session() as s:
            return s.scalar(select(func.count(Item.id)).where(Item.classified_at.is_not(None))) or 0

    answers: list[tuple[float, int, dict]] = []
    deadline = time.monotonic() + 60
    while classified() < 2 and time.monotonic() < deadline:
        answers.append(ask(url))
        time.sleep(0.05)
    answers.append(ask(url))
    db.dispose()
    assert time.monotonic() < deadline, "the hostile items were not classified within 60 s"
    slowest = max(a[0] for a in answers)
    assert slowest < 1.0, f"/healthz took {slowest:.2f} s"
    assert all(status == 200 and report["status"] == "ok" for _, status, report in answers)
    assert max(report["scheduler"]["heartbeat_age_s"] for _, _, report in answers) < 6.5
    assert "Excarcelan a 12" in " ".join(world.texts("@presos_test")) or wait_for(
        lambda: world.texts("@presos_test"), 20, "the alert")
