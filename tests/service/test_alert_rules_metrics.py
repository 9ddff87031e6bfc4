"""deploy/prometheus/monitor-alerts.yml reads the service's own /metrics: every metric and label
its rules name is in what a running service serves, so a renamed metric or label breaks this
test rather than the operator's alerting (docs/OPERATIONS.md, "Alerting rules")."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from ruamel.yaml import YAML
from service_world import TOKEN, World

from core.config import load_config, resolve_runtime
from monitor.health import HealthServer
from monitor.service import Service
from storage.db import open_database

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "monitor-alerts.yml"
TARGET_LABELS = {"job", "instance"}  # Prometheus adds them at the scrape


def rule_expressions() -> dict[str, str]:
    groups = YAML(typ="safe").load(RULES.read_text(encoding="utf-8"))["groups"]
    return {rule["alert"]: rule["expr"] for group in groups for rule in group["rules"]}


def names_and_labels(expr: str) -> dict[str, set[str]]:
    """Each `monitor_*` metric an expression reads, with the labels it matches or groups by."""
    used: dict[str, set[str]] = {}
    for name, matchers in re.findall(r"\b(monitor_\w+)(\{[^}]*\})?", expr):
        used.setdefault(name, set()).update(re.findall(r"(\w+)\s*[!=]~?", matchers))
    for by, name in re.findall(r"\bby \(([^)]*)\) \((?:\w+\()?(monitor_\w+)", expr):
        used[name].update(label.strip() for label in by.split(","))
    return {name: labels - TARGET_LABELS for name, labels in used.items()}


def scrape(world: World) -> dict[str, set[str]]:
    """A service of two feeds (one failing) and a channel on the emulator: its /metrics after a
    poll of each and a delivery, as sample name -> the label names of its samples."""
    world.feed("pitazo")
    world.publish("pitazo", "Excarcelan a 87 presos políticos del penal de Tocorón", "Familiares esperaban.")
    world.feed("caido")
    world.server.set_route("/caido.xml", b"gone", status=500)
    world.write_config([{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}])
    config = load_config(world.config_path)
    runtime = resolve_runtime(config, config_path=str(world.config_path), db_flag=world.db_url,
                              env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": world.emulator.api_url})

    async def scenario() -> str:
        service = Service(config, runtime, open_database(world.db_url))
        server = HealthServer("127.0.0.1:0", service.metrics, service.health).start()
        try:
            assert (await service.poll("pitazo")).status == "new"
            assert (await service.poll("caido")).status == "error"
            await service.classify_pending()
            await service.worker.deliver_pending()
            return httpx.get(f"{server.address}/metrics", timeout=10).text
        finally:
            server.stop()
            await service.close()

    samples: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(asyncio.run(scenario())):
        for sample in family.samples:
            samples.setdefault(sample.name, set()).update(sample.labels)
    return samples


def test_every_metric_and_label_the_alert_rules_read_is_served(world: World) -> None:
    served = scrape(world)
    used = {alert: names_and_labels(expr) for alert, expr in rule_expressions().items()}
    assert sum(len(names) for names in used.values()) >= 10  # the parse found the rules' metrics
    missing = {
        f"{alert}: {name}{sorted(labels - served.get(name, set())) or ''}"
        for alert, names in used.items() for name, labels in names.items()
        if name not in served or not labels <= served[name]
    }
    assert not missing, f"the rules read series /metrics does not serve: {sorted(missing)}"
    assert {"monitor_poll_failures_total", "monitor_alerts_failed_total", "monitor_items_failed_total"} <= set(served)


CHANNELS = """rules: [venezuela-2026]
feeds: [{name: medio, url: "http://127.0.0.1:9/feed.xml", language: es}]
channels:
  - {name: presos, chat_id: console, topics: [political_prisoners]}
"""


def test_each_channels_send_counters_are_served_at_0_from_the_start_and_from_a_reload(tmp_path: Path) -> None:
    """A channel's `monitor_alerts_failed_total` appeared with its first given-up send, at 1:
    increase() has no earlier sample to compare with, so MonitorAlertSendFailed never fired for
    it (`promtool test rules` on a series '_x5 1x30': no alert). Each channel of feeds.yaml now
    has its send counters at 0 from the start, and a channel a reload adds from that reload."""
    path = tmp_path / "feeds.yaml"
    path.write_text(CHANNELS, encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'm.db'}"
    config = load_config(path)
    runtime = resolve_runtime(config, config_path=str(path), db_flag=db_url, env={})

    async def scenario() -> tuple[str, str]:
        service = Service(config, runtime, open_database(db_url))
        try:
            started = generate_latest(service.metrics.registry).decode()
            path.write_text(CHANNELS + "  - {name: eeuu, chat_id: console, topics: [us_actions]}\n", encoding="utf-8")
            assert await service.reload()
            return started, generate_latest(service.metrics.registry).decode()
        finally:
            await service.close()

    started, reloaded = asyncio.run(scenario())
    for counter in ("monitor_alerts_sent_total", "monitor_alerts_failed_total", "monitor_alerts_retried_total"):
        assert f'{counter}{{channel="presos"}} 0.0' in started
        assert 'channel="eeuu"' not in started
        assert f'{counter}{{channel="eeuu"}} 0.0' in reloaded
