"""Config values that validated but broke a command later: each is now refused by
`monitor check-config` (and so by every command and the hot reload) as
`location (line N): message`, exit 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core.config import load_config

ROOT = Path(__file__).resolve().parents[2]


def monitor(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "MONITOR_CONFIG", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL")}
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def refused(path: Path, *args: str) -> list[str]:
    """The error lines of `monitor check-config PATH` (or of ARGS), which must exit 2."""
    done = monitor(*(args or ("check-config",)), *(() if args else (str(path),)))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return [line.strip() for line in done.stderr.splitlines()[1:]]


def write(tmp_path: Path, text: str, name: str = "feeds.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# the User-Agent header: printable ASCII, one line


def test_non_ascii_user_agent_is_refused_before_any_request(tmp_path: Path) -> None:
    path = write(tmp_path, 'settings:\n  user_agent: "Monitor de presos políticos (+{contact_url})"\n'
                           "rules: [venezuela-2026]\n")
    [error] = refused(path)
    assert error.startswith("settings.user_agent (line 2): user_agent must be printable ASCII")
    # poll-once stops on the same line instead of a UnicodeEncodeError from httpx
    [error] = refused(path, "poll-once", "--config", str(path), "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert error.startswith("settings.user_agent (line 2)")


def test_non_ascii_contact_url_and_a_line_break_are_refused_with_their_lines(tmp_path: Path) -> None:
    path = write(tmp_path, 'settings:\n  contact_url: "https://ñandú.example/presos/políticos"\n'
                           '  user_agent: "Monitor\\r\\nX-Evil: 1 (+{contact_url})"\nrules: [venezuela-2026]\n')
    contact, agent = refused(path)
    assert contact.startswith("settings.contact_url (line 2): contact_url 'https://ñandú.example/presos/políticos' "
                              "must be printable ASCII")
    assert "'https://xn--and-6ma2c.example/presos/pol%C3%ADticos'" in contact  # the form to write
    assert agent.startswith("settings.user_agent (line 3)") and "'\\r'" in agent


def test_an_ascii_user_agent_is_the_header_sent(tmp_path: Path) -> None:
    path = write(tmp_path, 'settings:\n  contact_url: "https://xn--and-6ma2c.example/"\n'
                           '  user_agent: "Monitor/1 (+{contact_url})"\nrules: [venezuela-2026]\n')
    header = load_config(path).settings.user_agent_header
    assert header == "Monitor/1 (+https://xn--and-6ma2c.example/)"
    header.encode("ascii")

