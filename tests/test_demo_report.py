"""The demo's summary of what each chat received (devtools/demo)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.demo.__main__ import chat_summary


def test_the_summary_of_a_chat_reads_as_english() -> None:
    """It read '3 messages (2 of them a reply; …)' and '1 message (0 of them a reply; …)'."""
    assert chat_summary(2, 1, 2) == "2 messages (1 of them a reply; 2 edits in all)"
    assert chat_summary(3, 2, 1) == "3 messages (2 of them replies; 1 edit in all)"
    assert chat_summary(1, 0, 0) == "1 message (0 of them replies; 0 edits in all)"


def test_the_demo_names_what_it_did_not_show() -> None:
    from devtools.demo.__main__ import unexpected

    assert unexpected(1, 2, 1, 1, 1, 0, []) == []
    assert unexpected(1, 1, 1, 1, 0, 0, []) == ["the roundup channel received no roundup"]
    assert unexpected(2, 0, 1, 1, 1, 3, ["Album launch"]) == [
        "the release: 2 messages, not 1", "the release's message was never edited to name the other outlets",
        "3 alerts still queued", "noise or backlog sent: Album launch"]


@pytest.mark.slow(seconds=50)
def test_make_demo_tells_its_whole_story() -> None:
    """`make demo` end to end (45 s): the release in one message edited and replied to, the US
    story, a roundup, nothing queued, no noise. Its roundup channel had received nothing since
    the late roundup's period ends at its schedule time (the demo asked the scheduler's roundup
    of 08:00 for the stories of its own minute), and the run still ended with exit 0."""
    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
    env["MPLCONFIGDIR"] = env.get("MPLCONFIGDIR", "/tmp")
    run = subprocess.run([sys.executable, "-m", "devtools.demo"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=110)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "- @resumen_demo: 1 message" in run.stdout
    assert "edited 0 time(s)" not in run.stdout
