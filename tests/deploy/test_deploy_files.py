"""The systemd unit passes `systemd-analyze verify` with no warning, and its hardening and
the Dockerfile's pins stay in place."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "monitor.service"


def unit_sections() -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return {name: dict(parser[name]) for name in parser.sections()}


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify(tmp_path: Path) -> None:
    # The unit names the install path; verify it against an executable that exists here.
    unit = tmp_path / "monitor.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace(
        "/opt/monitor/.venv/bin/monitor", shutil.which("true") or "/bin/true"))
    done = subprocess.run(["systemd-analyze", "verify", str(unit)],
                          capture_output=True, text=True, timeout=60)
    problems = [line for line in (done.stdout + done.stderr).splitlines()
                if line.strip() and "Failed to" not in line]  # no systemd as PID 1 here
    assert done.returncode == 0 and problems == [], done.stdout + done.stderr


def test_unit_hardening() -> None:
    sections = unit_sections()
    unit, service = sections["Unit"], sections["Service"]
    assert unit["StartLimitIntervalSec"]
    assert "StartLimitIntervalSec" not in service  # systemd ignores it there
    assert service["CapabilityBoundingSet"] == ""
    assert service["SystemCallFilter"] == "@system-service"
    assert service["UMask"] == "0077"
    assert set(service["RestrictAddressFamilies"].split()) <= {"AF_INET", "AF_INET6", "AF_UNIX"}
    for key in ("ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
                "LockPersonality", "RestrictNamespaces", "NoNewPrivileges"):
        assert service[key] == "yes", key
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == "/opt/monitor/data"


def test_unit_restarts_runtime_failures_for_good_and_config_errors_never(tmp_path: Path) -> None:
    """A database still down at boot made `monitor run` exit 1 at once, five times in a minute,
    and systemd's start limit then left the service dead until someone noticed. Exit 1 (runtime)
    is retried with no limit; exit 2 (config, environment) is not: restarting cannot fix it."""
    unit, service = unit_sections()["Unit"], unit_sections()["Service"]
    assert unit["StartLimitIntervalSec"] == "0"
    assert service["Restart"] == "on-failure" and service["RestartPreventExitStatus"] == "2"
    config = tmp_path / "feeds.yaml"
    config.write_text((ROOT / "feeds.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("feeds: []\n", encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    for path, db, code in ((config, "sqlite:////proc/no-such-dir/monitor.db", 1),
                           (bad, f"sqlite:///{tmp_path}/monitor.db", 2)):
        done = subprocess.run([sys.executable, "-m", "monitor", "run", "--config", str(path),
                               "--db", db], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == code, done.stderr


def test_unit_requires_its_env_file() -> None:
    """Without the env file (a typo in its name, a file never created) the service would start
    with no token and print every alert to the journal, marking it sent: refuse to start."""
    service = unit_sections()["Service"]
    assert service["EnvironmentFile"] == "/etc/monitor/monitor.env"


def test_unit_gives_matplotlib_a_writable_cache() -> None:
    """The tally's chart imports matplotlib, whose cache defaults to $HOME (/opt/monitor, read-only
    under ProtectSystem=strict): it then warned twice in the log after every start."""
    service = unit_sections()["Service"]
    assert service["CacheDirectory"] == "monitor"
    assert service["Environment"] == "MPLCONFIGDIR=/var/cache/monitor"


def test_the_docs_commands_as_the_service_user_give_matplotlib_the_unit_s_cache() -> None:
    """OPERATIONS.md's `m()` helper and its `poll-once` line run as `monitor`, whose home
    (/opt/monitor) is root's: `m tally --chart` warned that matplotlib's config folder is not
    writable. They set MPLCONFIGDIR to the folder the unit makes for it."""
    docs = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    cache = unit_sections()["Service"]["Environment"]  # MPLCONFIGDIR=/var/cache/monitor
    helper = re.search(r"^m\(\) \{.*?\}", docs, re.M | re.S)
    poll_once = re.search(r"sudo sh -c '[^']*poll-once'", docs)
    assert helper and poll_once
    for command in (helper.group(0), poll_once.group(0)):
        assert cache in command, command
        assert command.index(cache) < command.index(".venv/bin/monitor"), command


def test_dockerfile_pins_and_ownership() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^FROM (\S+)", text, re.M)
    assert base and re.fullmatch(r"python:3\.11\.\d+-slim-\w+@sha256:[0-9a-f]{64}", base.group(1))
    assert "pip install --require-hashes --no-deps -r requirements-run.lock && pip check" in text
    assert "pip install --require-hashes --no-deps -r requirements-build.lock" in text
    assert "pip install --no-deps --no-build-isolation ." in text  # with the locked build tools
    assert "chown monitor:monitor /app/data" in text
    assert "chown" not in text.replace("chown monitor:monitor /app/data", "")  # /app stays root's
    user = text.index("USER monitor")
    assert all(text.index(copy) < user for copy in re.findall(r"^COPY .*$", text, re.M))


def test_the_container_examples_rotate_their_logs() -> None:
    """Docker's json-file log driver keeps every line of a container until it is removed: the
    docs' `docker run` and compose examples grew it for months, on the disk of the database."""
    docs = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\n#", "\n")
    runs = [m.group(0) for text in (docs, dockerfile)
            for m in re.finditer(r"docker run -d (?:[^\n]*\\\n)*[^\n]*", text)]
    assert len(runs) == 2
    for run in runs:
        assert "--log-opt max-size=10m --log-opt max-file=3" in run, run
    [compose] = [b for b in re.findall(r"^```yaml\n(.*?)^```", docs, re.M | re.S)
                 if re.search(r"^services:", b, re.M)]
    # read as text: ruamel refuses the file's `[pgdata:/var/…]`, which compose's parser takes
    services = re.split(r"^  (\w+):\n", compose.split("\nvolumes:")[0], flags=re.M)[1:]
    assert services[::2] == ["db", "monitor"]
    for name, block in zip(services[::2], services[1::2], strict=True):
        [logging] = re.findall(r"^    logging: (.*)$", block, re.M)
        assert logging.startswith(("&logs ", "*logs")), name
    assert "logging: &logs {driver: json-file, options: {max-size: 10m, max-file: \"3\"}}" in compose


def test_locks_pin_every_requirement_with_hashes() -> None:
    expected = {"requirements.lock": {"lxml-html-clean", "brotli", "httpx", "trafilatura", "psycopg"},
                "requirements-run.lock": {"lxml-html-clean", "brotli", "httpx", "psycopg"},
                "requirements-build.lock": {"setuptools", "wheel"}}
    for name, required in expected.items():
        text = (ROOT / name).read_text(encoding="utf-8")
        pins = re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", text, re.M)
        assert pins and all("--hash=sha256:" in block
                            for block in re.split(r"\n(?=[A-Za-z0-9])", text)
                            if re.match(r"[A-Za-z0-9_.\-]+==", block))
        assert required <= {n.lower().replace("_", "-") for n, _ in pins}
    full = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    run = (ROOT / "requirements-run.lock").read_text(encoding="utf-8")
    build = (ROOT / "requirements-build.lock").read_text(encoding="utf-8")
    assert "pytest==" in full and "scikit-learn==" in full and "pytest==" not in run
    pinned = set(re.findall(r"^([A-Za-z0-9_.\-]+==\S+)", full, re.M))
    assert set(re.findall(r"^([A-Za-z0-9_.\-]+==\S+)", run, re.M)) <= pinned  # same versions
    shared = {p for p in re.findall(r"^([A-Za-z0-9_.\-]+==\S+)", build, re.M)
              if p.split("==")[0] in {q.split("==")[0] for q in pinned}}
    assert shared <= pinned  # the build tools' dependencies (packaging) at the full lock's versions


def test_the_locks_install_without_the_resolver_and_are_checked() -> None:
    """The locks hold every transitive dependency: installed with --no-deps (pip's resolver,
    reading the index for a dependency's extras, refused the hashed install once a newer lxml
    was out), then `pip check` proves nothing is missing, here as in `make` and the image."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for lock in ("$(LOCK)", "$(RUN_LOCK)"):
        assert f"pip install --quiet --no-deps -r {lock}\n" in makefile
    # The build tools from their own lock, hashes checked, and no isolated build fetching them.
    assert makefile.count("pip install --quiet --no-deps -r $(BUILD_LOCK)\n") == 2
    assert makefile.count("--no-build-isolation -e .\n") == 2
    assert makefile.count("$(BIN)/python -m pip check") == 2
    checked = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_upgrade_steps_install_the_unit_again_and_containers_get_time_to_stop() -> None:
    """The documented upgrade pulled and reinstalled the code but left the unit copied at install
    in /etc/systemd/system: a service installed from the release of migration 0010 kept
    `EnvironmentFile=-` and `StartLimitBurst=5` (both fixed in the repository since) for good.
    And `docker stop` kills after 10 s, the service may take 12 s."""
    ops = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    section = ops[ops.index("## Upgrading"):]
    steps = section[section.index("```sh"):section.index("```", section.index("```sh") + 5)].splitlines()
    copy = next(i for i, line in enumerate(steps) if "cp deploy/monitor.service /etc/systemd/system/" in line)
    start = next(i for i, line in enumerate(steps) if "systemctl start monitor" in line)
    assert "systemctl daemon-reload" in steps[copy] and copy < start
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^# Run: docker run .*--stop-timeout 15", docker, re.MULTILINE)
    assert "docker stop -t 15" in section and "--stop-timeout 15" in section


def test_the_compose_replicas_keep_their_restore_marks_in_a_named_volume() -> None:
    """The compose file's replicas had no volume for /app/data: each container an anonymous
    one, so a rolling upgrade's new containers started without the restore marks and the
    journal of sends, and a dump put back afterwards was re-sent and re-alerted."""
    ops = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    start = ops.index("```yaml", ops.index("A compose file for PostgreSQL"))
    compose = ops[start:ops.index("```", start + 7)]
    service = compose[compose.index("  monitor:"):compose.index("\nvolumes:")]
    mount = re.search(r"\b([\w-]+):/app/data\b", service)
    assert mount, service
    assert re.search(rf"^  {mount.group(1)}:\s*$", compose[compose.index("\nvolumes:"):], re.MULTILINE), compose
