"""deploy/prometheus/monitor-alerts.yml reads the service's own /metrics: every metric and label
its rules name is in what a running service serves, so a renamed metric or label breaks this
test rather than the operator's alerting (docs/OPERATIONS.md, "Alerting rules")."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from ruamel.yaml import YAML
from service_world import TOKEN, World, free_port, wait_for

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


def two_feeds(world: World) -> Service:
    """A service of two feeds, pitazo with a release and caido answering 500, a page feed
    (pagina), and channel presos on the emulator."""
    world.feed("pitazo")
    world.publish("pitazo", "Excarcelan a 87 presos políticos del penal de Tocorón", "Familiares esperaban.")
    world.feed("caido")
    world.server.set_route("/caido.xml", b"gone", status=500)
    world.write_config([{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}])
    world.server.set_route("/robots.txt", b"", status=404)
    world.server.set_route("/pagina/", b"<html><body><article><h2><a href='/n/1'>Lluvias en Caracas</a></h2>"
                           b"</article></body></html>", content_type="text/html")
    yaml = YAML()
    written = yaml.load(world.config_path.read_text(encoding="utf-8"))
    written["feeds"].append({"name": "pagina", "url": world.server.url("/pagina/"), "type": "page", "language": "es",
                             "fetch_article": "never", "selectors": {"item": "article", "title": "h2", "link": "a@href"}})
    with world.config_path.open("w", encoding="utf-8") as fh:
        yaml.dump(written, fh)
    config = load_config(world.config_path)
    runtime = resolve_runtime(config, config_path=str(world.config_path), db_flag=world.db_url,
                              env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": world.emulator.api_url})
    return Service(config, runtime, open_database(world.db_url))


def scrape(world: World) -> dict[str, set[str]]:
    """The /metrics of `two_feeds` after a poll of each and a delivery, as sample name -> the
    label names of its samples."""

    async def scenario() -> str:
        service = two_feeds(world)
        server = HealthServer("127.0.0.1:0", service.metrics, service.health).start()
        try:
            assert (await service.poll("pitazo")).status == "new"
            assert (await service.poll("caido")).status == "error"
            assert (await service.poll("pagina")).status == "new"
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
    assert {"monitor_poll_failures_total", "monitor_alerts_failed_total", "monitor_items_failed_total",
            "monitor_page_item_drops_total"} <= set(served)


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


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/-/ready", timeout=10).status_code == 200
    except httpx.HTTPError:  # not listening yet
        return False


def _launch(config: Path, tmp_path: Path) -> tuple[subprocess.Popen[bytes], int, str]:
    """Prometheus on a port `free_port()` found, once ready or exited; its port and its log."""
    port = free_port()
    log = tmp_path / f"prometheus-{port}.log"
    with log.open("wb") as out:
        prometheus = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}"], stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: prometheus.poll() is not None or _ready(port), 60, "Prometheus to be ready")
    except AssertionError:
        prometheus.kill()
        prometheus.wait()
        raise
    return prometheus, port, log.read_text(encoding="utf-8", errors="replace")


def start_prometheus(config: Path, tmp_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Prometheus, once ready, and its API's URL. From when it listens until its storage is open
    its API answers 503 "Service Unavailable", no JSON (up to 23 ms here): a query then failed
    the test, 1 run in 20 beside two busy loops. The port `free_port()` found may be taken
    before it binds (its log says so): another is tried."""
    for _ in range(3):
        prometheus, port, log = _launch(config, tmp_path)
        if prometheus.poll() is None:
            return prometheus, f"http://127.0.0.1:{port}/api/v1"
        if "address already in use" not in log:
            break
    raise AssertionError(f"Prometheus exited: {log[-2000:]}")


@pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus not installed (Debian: prometheus)")
def test_a_real_prometheus_fires_on_a_channels_first_given_up_send(world: World, tmp_path: Path) -> None:
    """Prometheus (Debian's 2.42) scrapes a running service every second with the rules loaded:
    every rule evaluates without error, and the first send Telegram refuses for good (a 400)
    fires MonitorAlertSendFailed. Before the counters at 0 it stayed silent: the series went
    from absent to 1 (this set-up by hand: ALERTS empty 25 s after the send; here the old code
    fails the wait for the channel's series at 0)."""
    config = tmp_path / "prometheus.yml"

    def query(api: str, expr: str) -> list[dict]:
        answer = httpx.get(f"{api}/query", params={"query": expr}, timeout=10)
        answer.raise_for_status()
        return list(answer.json()["data"]["result"])

    async def scenario() -> list[dict]:
        service = two_feeds(world)
        server = HealthServer("127.0.0.1:0", service.metrics, service.health).start()  # no port to lose
        config.write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            f"rule_files: [{RULES}]\n"
            f"scrape_configs: [{{job_name: monitor, static_configs: [{{targets: "
            f"['127.0.0.1:{server.httpd.server_address[1]}']}}]}}]\n",
            encoding="utf-8")
        try:
            prometheus, api = await asyncio.to_thread(start_prometheus, config, tmp_path)
            try:
                await service.poll("pitazo")
                await service.classify_pending()
                await asyncio.to_thread(wait_for, lambda: query(
                    api, 'count_over_time(monitor_alerts_failed_total{channel="presos"}[1m]) >= 2'),
                    60, "two scrapes of the channel's failed sends")
                world.emulator.fail_next(1, "400", "@presos_test")
                await service.worker.deliver_pending()
                await asyncio.to_thread(wait_for, lambda: query(
                    api, 'ALERTS{alertname="MonitorAlertSendFailed", alertstate="firing", channel="presos"}'),
                    60, "MonitorAlertSendFailed to fire")
                return list(httpx.get(f"{api}/rules", timeout=10).json()["data"]["groups"])
            finally:
                prometheus.terminate()
                prometheus.wait(timeout=30)
        finally:
            server.stop()
            await service.close()

    groups = asyncio.run(scenario())
    health = {rule["name"]: (rule["health"], rule.get("lastError", "")) for g in groups for rule in g["rules"]}
    assert len(health) == 11
    assert set(health.values()) == {("ok", "")}, health
