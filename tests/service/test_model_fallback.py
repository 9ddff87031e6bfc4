"""`monitor run` with a corrupt relevance model: rules alone, said once in the log, on
/healthz and in the admin chat; a config reload keeps the model it has (or has not)."""

from __future__ import annotations

import json
import signal
import urllib.request

import pytest
from service_world import wait_for

ADMIN = 4242
PRESOS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]


def healthz(world) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{world.http_port}/healthz", timeout=5) as r:
        return json.loads(r.read().decode())


def model_reports(world) -> list[str]:
    return [t for t in world.texts(str(ADMIN)) if "relevance model off" in t]


def test_corrupt_model_runs_on_rules_and_says_so_once(world, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = world.tmp / "relevance.json"
    bad.write_text('{"format": "venezuela-monitor/relevance", "version": 1, "vocab', encoding="utf-8")
    monkeypatch.setenv("MONITOR_MODEL", str(bad))
    world.feed("pitazo")
    world.publish("pitazo", "Detienen al periodista Luis Pérez en Caracas, denuncia el SNTP")
    world.write_config(PRESOS, settings={"admin_chat_id": ADMIN})
    proc = world.start()

    # the rules still alert
    wait_for(lambda: world.emulator.messages("@presos_test"), 60, "the first alert")
    report = healthz(world)
    assert report["status"] == "ok"
    assert report["model"]["loaded"] is False and report["model"]["mode"] == "rules only"
    assert "is corrupt" in report["model"]["problem"] and str(bad) in report["model"]["problem"]

    [message] = wait_for(lambda: model_reports(world), 30, "the admin chat report")
    assert "is corrupt" in message and "rules alone" in message

    # a reload reuses what was loaded: no second warning, no second message. The reload adds
    # a feed, which is polled at once (an old feed would wait for its 30 s interval).
    world.feed("efecto")
    world.publish("efecto", "Excarcelan a 15 presos políticos del Rodeo I")
    world.write_config(PRESOS, settings={"admin_chat_id": ADMIN})
    proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "config reloaded" in world.log_of(), 30, "the reload")
    wait_for(lambda: len(world.emulator.messages("@presos_test")) >= 2, 60, "the second alert")
    assert world.log_of().count("relevance model off") == 1
    assert len(model_reports(world)) == 1
    assert healthz(world)["model"]["loaded"] is False
    assert proc.poll() is None
