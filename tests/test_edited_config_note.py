"""The suite says why its config tests fail when the checkout's feeds.yaml was edited by the
README's first steps (a feed added, a channel put in), on a real git checkout."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, edited_config_note


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_an_edited_feeds_yaml_is_named_and_a_shipped_one_is_not(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    shutil.copyfile(ROOT / "feeds.yaml", checkout / "feeds.yaml")
    assert edited_config_note(checkout) is None  # not a git checkout: nothing git can tell
    git(checkout, "init", "-q")
    git(checkout, "add", "feeds.yaml")
    git(checkout, "commit", "-q", "-m", "shipped")
    assert edited_config_note(checkout) is None
    with (checkout / "feeds.yaml").open("a", encoding="utf-8") as file:  # the README's channel
        file.write('  - {name: presos, chat_id: "@presos", topics: [political_prisoners]}\n')
    note = edited_config_note(checkout)
    assert note is not None and note.startswith("feeds.yaml has local edits (git diff feeds.yaml)")
    assert "MONITOR_CONFIG=PATH" in note
