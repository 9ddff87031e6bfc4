"""The demo's summary of what each chat received (devtools/demo)."""

from __future__ import annotations

from devtools.demo.__main__ import chat_summary


def test_the_summary_of_a_chat_reads_as_english() -> None:
    """It read '3 messages (2 of them a reply; …)' and '1 message (0 of them a reply; …)'."""
    assert chat_summary(2, 1, 2) == "2 messages (1 of them a reply; 2 edits in all)"
    assert chat_summary(3, 2, 1) == "3 messages (2 of them replies; 1 edit in all)"
    assert chat_summary(1, 0, 0) == "1 message (0 of them replies; 0 edits in all)"
