"""What one key's model cannot see: names used twice, unknown topics, and the cautions
(valid values that most often are a mistake: warned, never refused)."""

from __future__ import annotations

import difflib
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from core.config.errors import Loc
from core.config.models import AppConfig, RulesConfig
from core.config.values import MIN_RETENTION, MIN_STORY_WINDOW, stripped
from core.durations import format_duration, parse_duration
from core.rules import validate_rules
from core.urls import ascii_host


def _duplicates(data: Any, key: str) -> list[tuple[Loc, str]]:
    """Names used twice, compared as the model keeps them (stripped: "a" and "a " are one
    name, and one row in the database)."""
    out: list[tuple[Loc, str]] = []
    seen: dict[str, int] = {}
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return out
    for i, entry in enumerate(entries):
        raw = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(raw, str) or not (name := stripped(raw)):
            continue  # the model reports a missing or empty name
        if name in seen:
            spaces = "; names are compared without surrounding spaces" if raw != name else ""
            out.append(((key, i, "name"),
                        f"duplicate name '{name}' (first used at {key}[{seen[name]}]{spaces})"))
        else:
            seen[name] = i
    return out


def feed_url_key(url: str) -> str:
    """A feed URL as fetched: scheme and host in lower case, an internationalized host in
    IDNA ("ñandú.example" is "xn--and-6ma2c.example": before, the two spellings were two
    feeds of one source, in silence), the default port and the fragment dropped (the query
    is kept whole: it may choose the feed). One that cannot be parsed is its text (the model
    reports it)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme, host = parts.scheme.lower(), ascii_host(parts.hostname or "")
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{port}" if port and port != {"http": 80, "https": 443}.get(scheme) else ""
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def _duplicate_urls(data: Any) -> list[tuple[Loc, str]]:
    """Enabled feeds of one URL: its document fetched twice a round, its items stored under
    both feeds (or raced in by two polls at once). Two `page` feeds with other selectors
    read other parts of one page, and may share it."""
    feeds = data.get("feeds") if isinstance(data, dict) else None
    out: list[tuple[Loc, str]] = []
    seen: dict[Any, int] = {}
    for i, feed in enumerate(feeds if isinstance(feeds, list) else []):
        url = feed.get("url") if isinstance(feed, dict) else None
        if not isinstance(url, str) or feed.get("enabled", True) is False:
            continue
        key: Any = feed_url_key(url)
        page = feed.get("type") == "page"
        if page:
            selectors = feed.get("selectors")
            key = (key, tuple(sorted((str(k), str(v).strip()) for k, v in selectors.items()))
                   if isinstance(selectors, dict) else None)
        if key not in seen:
            seen[key] = i
            continue
        first = seen[key]
        name = feeds[first].get("name")
        if page:
            out.append((("feeds", i, "url"), f"the same URL and selectors as feeds[{first}] ('{name}'): "
                        "its items would be fetched and stored twice; remove one"))
        else:
            out.append((("feeds", i, "url"), f"the same URL as feeds[{first}] ('{name}'): its items would "
                        "be fetched and stored twice; remove one (only two page feeds with other selectors "
                        "may share a URL)"))
    return out


def _shared_chats(data: Any) -> list[tuple[Loc, str]]:
    """Two instant channels of one chat that take a topic in a language both accept: each is
    its own alert row, so every such alert reached the chat twice. Values the models refuse
    are theirs to report."""
    channels = data.get("channels") if isinstance(data, dict) else None
    out: list[tuple[Loc, str]] = []
    seen: list[tuple[int, str, set[str], set[str] | None]] = []
    for i, channel in enumerate(channels if isinstance(channels, list) else []):
        if not isinstance(channel, dict) or channel.get("mode", "instant") != "instant":
            continue
        chat, topics, languages = channel.get("chat_id"), channel.get("topics"), channel.get("languages")
        if not isinstance(chat, str | int) or str(chat).strip() == "console" or not isinstance(topics, list):
            continue
        chat = str(chat).strip().lower()  # @names are not case-sensitive
        langs = {str(x) for x in languages} if isinstance(languages, list) else None
        mine = {str(t) for t in topics}
        for j, other_chat, other_topics, other_langs in seen:
            both = sorted(mine & other_topics)
            if other_chat == chat and both and (langs is None or other_langs is None or langs & other_langs):
                out.append((("channels", i, "chat_id"),
                            f"the same chat as channels[{j}] ('{channels[j].get('name')}'), both instant with "
                            f"topic '{both[0]}': its alerts would reach the chat twice; list the topics in one "
                            "channel, or give each its own languages"))
                break
        seen.append((i, chat, mine, langs))
    return out


def _unknown_topics(data: Any, known: list[str]) -> list[tuple[Loc, str]]:
    if not isinstance(data, dict):
        return []
    out: list[tuple[Loc, str]] = []
    channels = data.get("channels")
    for i, channel in enumerate(channels if isinstance(channels, list) else []):
        names = channel.get("topics") if isinstance(channel, dict) else None
        for j, topic in enumerate(names if isinstance(names, list) else []):
            if isinstance(topic, str) and topic not in known:
                close = difflib.get_close_matches(topic, known, n=1, cutoff=0.6)
                hint = (f"; did you mean '{close[0]}'?" if close
                        else f"; known topics: {', '.join(known)}" if known
                        else "; the file defines no topics (see the error at topics)")
                out.append((("channels", i, "topics", j), f"unknown topic '{topic}'{hint}"))
    return out


def cross_checks(data: Any, topics: list[str]) -> list[tuple[Loc, str]]:
    return _duplicates(data, "feeds") + _duplicates(data, "channels") + _unknown_topics(data, topics)


def caution_checks(data: Any) -> list[tuple[Loc, str]]:
    """What a valid config may mean and most often does not: check-config warns (exit 0) and
    the service logs it at start and at each reload. DESIGN.md allows these values (an
    outside check writes its own feeds and channels), so they stop nothing."""
    return (_duplicate_urls(data) + _shared_chats(data) + _idle_schedules(data) + _short_retention(data)
            + _short_windows(data))


def _idle_schedules(data: Any) -> list[tuple[Loc, str]]:
    """A `schedule:` on an instant channel: it sends each alert at once and no roundup, so the
    times an operator wrote (mode: digest forgotten, or left from one) did nothing, in silence."""
    channels = data.get("channels") if isinstance(data, dict) else None
    return [(("channels", i, "schedule"),
             f"channel '{channel.get('name')}' is instant (mode: instant, the default): it sends each alert "
             "at once and no roundup, so its schedule does nothing; write mode: digest for roundups at these times")
            for i, channel in enumerate(channels if isinstance(channels, list) else [])
            if isinstance(channel, dict) and channel.get("mode", "instant") == "instant" and channel.get("schedule")]


def _short_windows(data: Any) -> list[tuple[Loc, str]]:
    """A story window under an hour (an event's later reports are new alerts), and a delivery
    lease no longer than a send may take (another replica sends the message again)."""
    settings = data.get("settings") if isinstance(data, dict) else None
    if not isinstance(settings, dict):
        return []
    try:
        window = parse_duration(settings["story_window"]) if "story_window" in settings else None
        lease = parse_duration(settings.get("delivery_lease", "45s"))
        send = parse_duration(settings.get("request_timeout", "30s"))
    except (ValueError, TypeError):
        return []  # the model reports it
    out: list[tuple[Loc, str]] = []
    if window is not None and timedelta(0) < window < MIN_STORY_WINDOW:
        out.append((("settings", "story_window"),
                    f"story_window {format_duration(window)}: a report of an event more than "
                    f"{format_duration(window)} after its first is an alert of its own; 48h is the default"))
    if timedelta(0) < lease <= send:
        out.append((("settings", "delivery_lease"),
                    f"delivery_lease {format_duration(lease)} is no longer than request_timeout "
                    f"{format_duration(send)}: with replicas, a message whose send is slow can be claimed "
                    "and sent again by another replica; make it longer than request_timeout"))
    return out


def _short_retention(data: Any) -> list[tuple[Loc, str]]:
    """A retention under a day: `0s`, written to mean "keep for ever", deleted every item that
    matched no topic at the first pass, and the feeds' items were stored again every 6 h."""
    settings = data.get("settings") if isinstance(data, dict) else None
    value = settings.get("retention") if isinstance(settings, dict) else None
    try:
        retention = parse_duration(value) if value is not None else None
    except ValueError:
        return []  # the model reports it
    if retention is None or retention >= MIN_RETENTION:
        return []
    return [(("settings", "retention"),
             f"retention {format_duration(retention)} deletes the items that matched no topic at each pass "
             "(every 6 h), and those the feeds still list are stored again; "
             f"{format_duration(MIN_RETENTION)} or more keeps them (36500d for 100 years)")]


def rule_checks(config: AppConfig | RulesConfig) -> list[tuple[Loc, str]]:
    return list(validate_rules(config.topics, config.entities))
