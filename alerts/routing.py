"""Which channels get a story: its topics, the channel's languages and minimum urgency."""

from __future__ import annotations

from collections.abc import Iterable

from core.config import ChannelConfig

URGENCY_RANK = {"low": 0, "normal": 1, "high": 2}


def urgency_at_least(urgency: str, minimum: str) -> bool:
    return URGENCY_RANK.get(urgency, 1) >= URGENCY_RANK.get(minimum, 0)


def language_ok(channel: ChannelConfig, language: str | None) -> bool:
    if not channel.languages:
        return True
    return (language or "")[:2].lower() in channel.languages


def channel_accepts(channel: ChannelConfig, topics: Iterable[str], urgency: str, language: str | None) -> bool:
    """True when `channel` wants an item with these topics, urgency and language."""
    return (
        bool(set(topics) & set(channel.topics))
        and urgency_at_least(urgency, channel.min_urgency)
        and language_ok(channel, language)
    )
