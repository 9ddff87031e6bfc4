"""deploy/prometheus/monitor-alerts.yml loads in Prometheus (`promtool check rules`), and its
unit tests pass (`promtool test rules`): each alert fires on the series that should fire it and
stays silent on its near misses (a fresh start, a weekly feed, a restart, a reload that removes
a feed...). Skipped where Debian's `prometheus` package (promtool) is not installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

RULES_DIR = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
RULES = RULES_DIR / "monitor-alerts.yml"
UNIT_TESTS = RULES_DIR / "monitor-alerts.test.yml"
ALERTS = ("MonitorDown", "MonitorAbsent", "MonitorNoSuccessfulPoll", "MonitorFeedFailing",
          "MonitorFeedGoneFlat", "MonitorAlertQueueStuck", "MonitorBotApiOutage",
          "MonitorAlertSendFailed", "MonitorItemsSetAside", "MonitorChannelDisabled", "MonitorPageItemDrop")

promtool = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed (Debian: prometheus)")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["promtool", *args], capture_output=True, text=True, timeout=600)


@promtool
def test_promtool_check_rules() -> None:
    done = run("check", "rules", str(RULES))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in done.stdout


@promtool
@pytest.mark.slow(seconds=17)
def test_promtool_unit_tests_pass() -> None:
    """About 20 s of CPU: the gone-flat test evaluates every rule each minute of 9 days."""
    done = run("test", "rules", str(UNIT_TESTS))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_every_alert_has_a_firing_unit_test() -> None:
    """Each alert of the rules is expected to fire in at least one unit test (and the list above
    is the rules' list): an alert without one could not fire and nobody would know."""
    yaml = YAML(typ="safe")
    rules = yaml.load(RULES.read_text(encoding="utf-8"))["groups"]
    tests = yaml.load(UNIT_TESTS.read_text(encoding="utf-8"))["tests"]
    assert sorted(rule["alert"] for group in rules for rule in group["rules"]) == sorted(ALERTS)
    firing = {case["alertname"] for test in tests for case in test["alert_rule_test"] if case["exp_alerts"]}
    silent = {case["alertname"] for test in tests for case in test["alert_rule_test"] if not case["exp_alerts"]}
    assert firing == set(ALERTS)
    assert len(silent) >= 6  # and the near misses are asked, not only the firing
