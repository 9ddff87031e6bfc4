"""feeds.yaml: pydantic models for every key, and errors an operator can act on.

Every problem is reported at once as `feeds[3].interval (line 42): message`.
The YAML is read with ruamel.yaml's round-trip loader because it keeps the line
of every key and list item.
"""

from __future__ import annotations

import codecs
import difflib
import ipaddress
import os
import re
import stat
import types
import typing
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Union
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from core.durations import MAX_DURATION, format_duration, parse_duration
from core.proxy import hide_password, proxy_problem, telegram_proxy
from core.rule_packs import PACK_KEYS, Source, TopicChange, available_packs, merge, pack_path
from core.rules import EntitySpec, TopicRules, validate_rules
from core.urls import ascii_host
from storage.errors import url_problem as database_url_problem

DEFAULT_CONFIG = "feeds.yaml"
MAX_CONFIG_BYTES = 1_000_000
MAX_YAML_NODES = 200_000  # after aliases are expanded (the shipped file has about 6,000)
MAX_YAML_ALIASES = 1_000  # collections used again through an alias
MAX_YAML_DEPTH = 64
DEFAULT_DB_URL = "sqlite:///data/monitor.db"
DEFAULT_API_URL = "https://api.telegram.org"
URGENCIES = ("low", "normal", "high")

DEFAULT_INTERVAL = timedelta(minutes=10)  # a feed's poll interval when feeds.yaml gives none
MIN_STORY_WINDOW = timedelta(hours=1)
MIN_RETENTION = timedelta(days=1)
Duration = Annotated[
    timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^\s*(\d+(\.\d+)?\s*[smhdwSMHDW]\s*)+$|^\d+$"},
                              {"type": "number", "minimum": 0, "maximum": int(MAX_DURATION.total_seconds())}],
                    "description": "a duration such as 90s, 10m, 6h, 2d or 1h30m (a number: seconds)"}),
]


def _check_url(value: str) -> str:
    shown = re.sub(r"//[^/?#\s]*@", "//***@", value)  # never echo a password
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError(f"invalid URL {shown!r}: cannot be parsed") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"invalid URL {shown!r}: expected http:// or https:// and a host name")
    if any(ch.isspace() for ch in value):
        raise ValueError(f"invalid URL {shown!r}: it contains white space")
    return value


def header_safe(value: str) -> bool:
    """True when `value` can be sent as an HTTP header value: printable ASCII, so no CR/LF."""
    return all(" " <= ch <= "~" for ch in value)


def _ascii_url(value: str) -> str:
    """`value` with an IDNA host and a percent-encoded rest: the form to suggest."""
    parts = urlsplit(value)
    try:
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except UnicodeError:
        host = quote(parts.hostname or "", safe="")
    netloc = host + (f":{parts.port}" if parts.port else "")
    safe = "/%:@!$&'()*+,;=-._~?"
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=safe),
                       quote(parts.query, safe=safe), quote(parts.fragment, safe=safe)))


def parse_allow_entry(entry: str) -> str | ipaddress.IPv4Network | ipaddress.IPv6Network:
    """An entry of settings.allow_private: a network, or a host name (lower-cased)."""
    text = str(entry).strip()
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        pass
    host = text.lower().rstrip(".")
    if not host or any(ch in host for ch in "/:@ \t"):
        raise ValueError(
            f"invalid allow_private entry {entry!r}: use a host name or a CIDR such as "
            "10.0.0.0/8 or fd00::/8"
        )
    return host


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


_STRIPPED = TypeAdapter(str, config=ConfigDict(str_strip_whitespace=True))


def stripped(text: str) -> str:
    """`text` as the models keep a string: without the white space around it (pydantic's
    own stripping, which differs from str.strip for a few control characters). A text pydantic
    refuses (a lone surrogate, YAML's "\\ud800") is stripped by str.strip: the model reports it
    (before, the cross-checks that compare names let its ValidationError out: a traceback)."""
    try:
        return _STRIPPED.validate_python(text)
    except ValidationError:
        return text.strip()


class Limits(Strict):
    """Per-feed limits (issue 13): a settings-level default, overridable per feed."""

    # entries read from one fetched document; the rest are not read (reported)
    max_entries_per_document: int = Field(default=500, ge=1, le=100_000)
    # new items stored per feed and poll; the rest wait for the next poll (reported)
    max_new_items_per_poll: int = Field(default=200, ge=1, le=100_000)
    # messages per feed and channel in any hour; more are folded into one message
    max_alerts_per_hour: int = Field(default=20, ge=1, le=10_000)


LIMIT_KEYS = tuple(Limits.model_fields)


class TallySettings(Strict):
    """settings.tally: how the tally names and classes the sources of figures (docs/TALLY.md)."""

    # canonical name -> other spellings, e.g. {"Foro Penal": ["foropenal", "Foro Penal Venezolano"]}
    sources: dict[str, list[str]] = Field(default_factory=dict)
    # extra sources whose released figures are verifications and whose held figures are credible
    rights_groups: list[str] = Field(default_factory=list)
    # extra sources whose released figures are announcements
    government: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names(self) -> TallySettings:
        for name, aliases in self.sources.items():
            if not name.strip() or any(not a.strip() for a in aliases):
                raise ValueError("tally.sources: a source name or alias is empty")
        both = set(self.rights_groups) & set(self.government)
        if both:
            raise ValueError(
                f"tally: {sorted(both)} listed both as rights_groups and as government"
            )
        return self


class Settings(Limits):
    timezone: str = "America/Caracas"
    http_listen: str = "127.0.0.1:9108"
    admin_chat_id: int | str | None = None
    # Telegram user ids allowed to give commands in the admin chat (others are ignored)
    admin_user_ids: list[int] = Field(default_factory=list)
    backfill_window: Duration = timedelta(hours=24)
    retention: Duration = timedelta(days=90)
    contact_url: str = "https://github.com/venezuela-monitor/monitor"
    user_agent: str = "VenezuelaMonitor/0.1 (news alerts for human-rights advocates; +{contact_url})"
    database_url: str | None = None
    telegram_api_url: str | None = None
    request_timeout: Duration = timedelta(seconds=30)
    connect_timeout: Duration = timedelta(seconds=10)
    max_body_bytes: int = Field(default=10_000_000, ge=10_000)
    max_redirects: int = Field(default=5, ge=0, le=20)
    concurrency: int = Field(default=20, ge=1, le=500)
    per_host_concurrency: int = Field(default=2, ge=1, le=50)
    max_backoff: Duration = timedelta(hours=6)
    # First polls after start-up are spread over this (default: each feed's interval).
    startup_spread: Duration | None = None
    article_fetch_limit: int = Field(default=5, ge=0)
    story_window: Duration = timedelta(hours=48)
    link_previews: bool = False
    # A message claimed for sending by a process that died is sent again after this.
    delivery_lease: Duration = timedelta(seconds=45)
    channel_rate_per_minute: int = Field(default=20, ge=1)
    global_rate_per_second: int = Field(default=25, ge=1)
    # Hosts or CIDRs that links taken from content may reach although not public.
    allow_private: list[str] = Field(default_factory=list)
    tally: TallySettings = Field(default_factory=TallySettings)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @field_validator("request_timeout", "connect_timeout")
    @classmethod
    def _timeout(cls, value: timedelta, info: ValidationInfo) -> timedelta:
        if value < timedelta(seconds=1):  # 0s: every fetch failed at once, feeds "down"
            raise ValueError(
                f"{info.field_name} {format_duration(value)} is too short: every fetch would time out; "
                "1s is the minimum"
            )
        return value

    @field_validator("story_window", "delivery_lease")
    @classmethod
    def _not_zero(cls, value: timedelta, info: ValidationInfo) -> timedelta:
        if value <= timedelta(0):  # 0s: no story ever found (every report an alert), or a send reclaimed at once
            what = ("every report of an event would be an alert of its own" if info.field_name == "story_window"
                    else "a message being sent could be claimed and sent again at once")
            raise ValueError(f"{info.field_name} {format_duration(value)} is too short: {what}; 1s is the minimum")
        return value

    @field_validator("admin_chat_id")
    @classmethod
    def _numeric_admin_chat(cls, value: int | str | None) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = str(value).strip()
        if not text.lstrip("-").isdigit():
            raise ValueError(
                f"admin_chat_id must be a numeric chat id, not {text!r} (a @name can be taken "
                "by anyone): forward a message from the chat to @userinfobot, or send the bot a "
                "message and read message.chat.id from getUpdates (docs/OPERATIONS.md, "
                "'Finding a chat id')"
            )
        return int(text)

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url_from_env_only(cls, value: str | None) -> None:
        if value is not None:
            raise ValueError(
                "telegram_api_url is no longer read from feeds.yaml (the bot token is sent "
                "there): remove it and set the environment variable TELEGRAM_API_URL instead "
                "(https, or http on a loopback address)"
            )
        return None

    @model_validator(mode="after")
    def _operators_known(self) -> Settings:
        chat = self.admin_chat_id
        if isinstance(chat, int) and chat < 0 and not self.admin_user_ids:
            raise ValueError(
                "admin_user_ids is required with a group admin_chat_id: list the Telegram user "
                "ids of the operators (forward one of their messages to @userinfobot to see it)"
            )
        return self

    @property
    def operator_ids(self) -> frozenset[int]:
        """Users whose commands are answered: admin_user_ids, and the user of a private
        admin chat (whose chat id is the user's id)."""
        ids = set(self.admin_user_ids)
        if isinstance(self.admin_chat_id, int) and self.admin_chat_id > 0:
            ids.add(self.admin_chat_id)
        return frozenset(ids)

    @field_validator("http_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"invalid address {value!r}: expected host:port, e.g. 127.0.0.1:9108")
        return value

    @field_validator("contact_url")
    @classmethod
    def _contact(cls, value: str) -> str:
        value = _check_url(value)
        if not header_safe(value):
            shown = re.sub(r"//[^/?#\s]*@", "//***@", value)
            raise ValueError(
                f"contact_url {shown!r} must be printable ASCII (it goes into the User-Agent "
                f"header, where nothing else is allowed): write it as {_ascii_url(value)!r}"
            )
        return value

    @field_validator("user_agent")
    @classmethod
    def _agent(cls, value: str) -> str:
        if not header_safe(value):
            bad = next(ch for ch in value if not header_safe(ch))
            raise ValueError(
                f"user_agent must be printable ASCII on one line (it is sent as the User-Agent "
                f"header), not {bad!r}: write it without accents or line breaks"
            )
        return value

    @field_validator("allow_private")
    @classmethod
    def _allow_private(cls, value: list[str]) -> list[str]:
        for entry in value:
            parse_allow_entry(entry)
        return value

    @property
    def user_agent_header(self) -> str:
        return self.user_agent.replace("{contact_url}", self.contact_url)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def known_zone(value: str) -> str:
    """`value` when it names an IANA time zone; a ValueError that says what to write."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder ("America")
        raise ValueError(f"unknown time zone {value!r}: use an IANA name such as America/Caracas") from None
    return value


class Selectors(Strict):
    """CSS selectors of a `page` feed; `a@href` picks the attribute `href` of `a`."""

    item: str
    title: str
    link: str
    date: str | None = None
    summary: str | None = None
    # how the page writes numeric dates (03/12/2026): day first as Spanish and British
    # pages do, month first as US pages do; unset, the page's own dates decide (a 25/12 or a
    # 12/25 among them), else day first
    date_order: Literal["day_first", "month_first"] | None = None

    @field_validator("item", "title", "link", "date", "summary")
    @classmethod
    def _css(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        css, at, attr = value.partition("@")
        if not css.strip() and not attr:
            raise ValueError("empty selector")
        if at and info.field_name == "item":  # items are elements: every poll would fail
            raise ValueError(f"the item selector takes no @attribute: {value!r}, use {css.strip()!r}")
        try:
            import soupsieve

            soupsieve.compile(css.strip() or "*")
        except Exception as exc:  # soupsieve raises its own SelectorSyntaxError
            raise ValueError(f"invalid CSS selector {css!r}: {str(exc).splitlines()[0]}") from None
        return value


class FeedConfig(Strict):
    name: str = Field(min_length=1, max_length=200)
    # display name in messages; default: the feed name (as long at most: a longer one would
    # leave no room for the headline on a phone, and pushed messages past Telegram's limit)
    outlet: str | None = Field(default=None, max_length=200)
    url: str
    type: Literal["rss", "page"] = "rss"
    language: Literal["es", "en"]
    interval: Duration = DEFAULT_INTERVAL
    enabled: bool = True
    selectors: Selectors | None = None
    fetch_article: Literal["auto", "always", "never"] = "auto"
    # the zone of times the feed writes without an offset ("14:30"); default settings.timezone
    timezone: str | None = None
    # overrides of the settings' per-feed limits (class Limits)
    max_entries_per_document: int | None = Field(default=None, ge=1, le=100_000)
    max_new_items_per_poll: int | None = Field(default=None, ge=1, le=100_000)
    max_alerts_per_hour: int | None = Field(default=None, ge=1, le=10_000)

    def limits(self, settings: Limits) -> Limits:
        """This feed's limits: its own values, else the settings'."""
        return Limits(**{
            k: getattr(self, k) if getattr(self, k) is not None else getattr(settings, k)
            for k in LIMIT_KEYS
        })

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _check_url(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else known_zone(value)

    def zone(self, settings: Settings) -> ZoneInfo:
        """The zone of the times this feed writes without an offset."""
        return ZoneInfo(self.timezone) if self.timezone else settings.tz

    @property
    def display_name(self) -> str:
        return self.outlet or self.name

    @field_validator("interval")
    @classmethod
    def _min_interval(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=30):
            raise ValueError(f"interval {format_duration(value)} is too short: 30s is the minimum")
        return value

    @model_validator(mode="after")
    def _page_needs_selectors(self) -> FeedConfig:
        if self.type == "page" and self.selectors is None:
            raise ValueError("a feed of type page needs selectors (item, title, link)")
        return self


_CHAT_ID = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,31}|-?\d{1,20}|console)$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class TallyChartSchedule(Strict):
    """channels[].tally_chart: when the tally's chart goes to the channel (docs/TALLY.md)."""

    every: Literal["daily", "weekly", "off"] = "weekly"
    day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
    at: str = "09:00"  # HH:MM in settings.timezone

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        if not _HHMM.match(str(value)):
            raise ValueError(f"invalid time {value!r}: use HH:MM in settings.timezone, e.g. 09:00")
        return value


def _chart_shorthand(value: Any) -> Any:
    """`tally_chart: true | false | daily | weekly | off` as the schedule they stand for."""
    if value is True:
        return {}
    if value is False:
        return {"every": "off"}
    if isinstance(value, str) and value in ("daily", "weekly", "off"):
        return {"every": value}
    if value is None or isinstance(value, dict | TallyChartSchedule):
        return value
    raise ValueError(f"invalid tally_chart {value!r}: use true, false, daily, weekly, off, "
                     "or {every: daily|weekly|off, day: monday, at: '09:00'}")


class ChannelConfig(Strict):
    name: str = Field(min_length=1, max_length=200)
    # a number (-1001234567890) is taken as its text; the schema says both are accepted
    chat_id: Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v,
                                            json_schema_input_type=int | str)]
    topics: list[str] = Field(min_length=1)
    mode: Literal["instant", "digest"] = "instant"
    languages: list[Literal["es", "en"]] | None = None
    min_urgency: Literal["low", "normal", "high"] = "low"
    schedule: list[str] | None = None
    link_previews: bool | None = None
    # the tally's chart by sendPhoto: digest channels weekly by default; true, false or a schedule
    tally_chart: Annotated[TallyChartSchedule | None, BeforeValidator(
        _chart_shorthand,
        json_schema_input_type=TallyChartSchedule | bool | Literal["daily", "weekly", "off"] | None,
    )] = None
    # one message with the live figures, pinned at the top of the channel (docs/TALLY.md)
    pin_tally: bool = False

    @field_validator("chat_id")
    @classmethod
    def _chat_id(cls, value: str) -> str:
        if not _CHAT_ID.match(value):
            raise ValueError(
                f"invalid chat_id {value!r}: use @channelname, a numeric id, or console"
            )
        return value

    @field_validator("schedule")
    @classmethod
    def _times(cls, value: list[str] | None) -> list[str] | None:
        for t in value or []:
            if not _HHMM.match(str(t)):
                raise ValueError(f"invalid time {t!r}: use HH:MM in settings.timezone, e.g. 08:00")
        # a time listed twice is one roundup (it is one scheduler job per channel and time)
        return None if value is None else list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _digest_schedule(self) -> ChannelConfig:
        if self.mode == "digest" and not self.schedule:
            raise ValueError("a digest channel needs a schedule, e.g. schedule: ['08:00', '20:00']")
        return self

    @property
    def is_console(self) -> bool:
        return self.chat_id == "console"

    @property
    def chart_schedule(self) -> TallyChartSchedule | None:
        """When the tally's chart is due here: `tally_chart` as written, else weekly for a
        digest channel and never for an instant one; None when off."""
        value = self.tally_chart
        if value is None:
            value = TallyChartSchedule(every="weekly" if self.mode == "digest" else "off")
        return None if value.every == "off" else value


# Topic ids are stored in columns of 100 characters (storage.models: matches.topic,
# feedback.topic): PostgreSQL refuses a longer one with every item that matches it.
TOPIC_CHARS = 100
TopicId = Annotated[str, Field(min_length=1, max_length=TOPIC_CHARS)]


class AppConfig(Strict):
    settings: Settings = Field(default_factory=Settings)
    # rule packs shipped with the package (or pack files), merged into topics and entities
    rules: list[str] = Field(default_factory=list)
    # local changes to the packs' topics: terms added and disabled
    rule_changes: dict[str, TopicChange] = Field(default_factory=dict)
    topics: dict[TopicId, TopicRules] = Field(min_length=1)
    entities: list[EntitySpec] = Field(default_factory=list)
    feeds: list[FeedConfig] = Field(default_factory=list)
    channels: list[ChannelConfig] = Field(default_factory=list)

    # feed() by name without a scan (status views and per-item checks of 10,000 feeds); built
    # for the list it was built from, so a copy with other feeds builds its own
    _feed_index: tuple[list[FeedConfig], dict[str, FeedConfig]] | None = PrivateAttr(default=None)
    _cautions: list[ConfigIssue] = PrivateAttr(default_factory=list)

    @property
    def cautions(self) -> list[ConfigIssue]:
        """Valid values that most often are a mistake (`_cautions`): warned, never refused."""
        return self._cautions

    def feed(self, name: str) -> FeedConfig | None:
        if self._feed_index is None or self._feed_index[0] is not self.feeds:
            index: dict[str, FeedConfig] = {}
            for f in self.feeds:
                index.setdefault(f.name, f)
            self._feed_index = (self.feeds, index)
        return self._feed_index[1].get(name)

    def channel(self, name: str) -> ChannelConfig | None:
        return next((c for c in self.channels if c.name == name), None)

    @property
    def enabled_feeds(self) -> list[FeedConfig]:
        return [f for f in self.feeds if f.enabled]

    def summary(self) -> str:
        enabled = len(self.enabled_feeds)
        return (
            f"{len(self.feeds)} feeds ({enabled} enabled), {len(self.topics)} topics "
            f"({', '.join(self.topics)}), {len(self.entities)} entities, "
            f"{len(self.channels)} channels"
        )


class RulesConfig(BaseModel):
    """The matching rules of a config alone (packs merged), the rest of the file not read:
    for commands that need only the rules (`monitor classify`, `eval`, `train`)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    rules: list[str] = Field(default_factory=list)
    rule_changes: dict[str, TopicChange] = Field(default_factory=dict)
    topics: dict[str, TopicRules] = Field(min_length=1)
    entities: list[EntitySpec] = Field(default_factory=list)


# ---------------------------------------------------------------------------
# Errors with locations


@dataclass(frozen=True)
class ConfigIssue:
    location: str
    line: int | None
    message: str
    file: str | None = None  # a rule pack's file; None: the config itself

    def __str__(self) -> str:
        where = f"{self.location} (line {self.line})" if self.line else self.location
        if self.file:
            where = f"{self.file}: {where}"
        return f"{where}: {self.message}" if where else self.message


class ConfigError(Exception):
    """An invalid config; `issues` holds every problem found."""

    def __init__(self, path: str, issues: list[ConfigIssue]) -> None:
        self.path = path
        self.issues = issues
        super().__init__(self.render())

    def render(self) -> str:
        if len(self.issues) == 1 and not self.issues[0].location:  # about the file itself
            return f"{self.path}: {self.issues[0].message}"
        head = f"{self.path}: {len(self.issues)} error{'s' if len(self.issues) != 1 else ''}"
        return "\n".join([head, *(f"  {issue}" for issue in self.issues)])


Loc = tuple[str | int, ...]


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _resolve(data: Any, loc: Loc) -> tuple[Loc, int | None]:
    """Follow `loc` through the YAML tree; return the path that exists and its line (1-based).

    Parts that are not in the data (pydantic's union tags, a missing key) are
    dropped, except a missing last key, which keeps its name and its parent's line.
    A key that came through a merge key (`<<: *defaults`) has no line of its own in
    this mapping: it gets the mapping's line, where `<<` pulls it in.
    """
    node, path, line = data, [], None
    if isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
        line = node.lc.line + 1
    for i, part in enumerate(loc):
        if isinstance(node, CommentedMap) and part in node:
            own = node.lc.data.get(part)  # absent for a merged key
            if own is not None:
                line = own[0] + 1
            elif node.lc.line is not None:
                line = node.lc.line + 1
            node = node[part]
            path.append(part)
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
            path.append(part)
        elif i == len(loc) - 1 and isinstance(part, str) and isinstance(node, dict):
            path.append(part)
    return tuple(path), line


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            tp = models[0] if models else args[0]
        else:
            return tp


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    tp: Any = root
    for part in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                return None
            tp = field.annotation
        elif origin is list:
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _message(error: dict[str, Any], loc: Loc) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        model = _model_at(AppConfig, loc[:-1])
        hint = ""
        if model is not None:
            close = difflib.get_close_matches(key, list(model.model_fields), n=1, cutoff=0.6)
            if close:
                hint = f"; did you mean '{close[0]}'?"
            else:
                hint = f"; known keys: {', '.join(model.model_fields)}"
        return f"unknown key '{key}'{hint}"
    if kind == "missing":
        return "required key is missing"
    msg = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if kind in ("literal_error", "enum"):
        got = error.get("input")
        return f"{msg} (got {got!r})"
    return msg


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
                hint = f"; did you mean '{close[0]}'?" if close else f"; known topics: {', '.join(known) or 'none'}"
                out.append((("channels", i, "topics", j), f"unknown topic '{topic}'{hint}"))
    return out


def _cross_checks(data: Any, topics: list[str]) -> list[tuple[Loc, str]]:
    return _duplicates(data, "feeds") + _duplicates(data, "channels") + _unknown_topics(data, topics)


def _cautions(data: Any) -> list[tuple[Loc, str]]:
    """What a valid config may mean and most often does not: check-config warns (exit 0) and
    the service logs it at start and at each reload. DESIGN.md allows these values (an
    outside check writes its own feeds and channels), so they stop nothing."""
    return _duplicate_urls(data) + _shared_chats(data) + _short_retention(data) + _short_windows(data)


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


def _rule_checks(config: AppConfig | RulesConfig) -> list[tuple[Loc, str]]:
    return list(validate_rules(config.topics, config.entities))


def _issue(data: Any, loc: Loc, message: str, file: str | None = None) -> ConfigIssue:
    path, line = _resolve(data, loc)
    return ConfigIssue(format_loc(path) or "(top level)", line, message, file)


class _Located:
    """A scalar YAML reads but Python cannot hold (the date 2026-02-30, an integer of 5,000
    digits) is a YAML error at its line, not a ValueError from the loader."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)  # type: ignore[misc]
        except (ValueError, OverflowError) as exc:
            shown = str(node.value)[:40] + ("..." if len(str(node.value)) > 40 else "")
            raise ConstructorError(
                None, None, f"cannot read {shown}: {str(exc).split(';')[0]}; quote it to write it as text",
                node.start_mark,
            ) from None


    def check_mapping_key(self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any) -> bool:
        _hashable(key, key_node)
        return bool(super().check_mapping_key(node, key_node, mapping, key, value))  # type: ignore[misc]

    def check_set_key(self, node: Any, key_node: Any, setting: Any, key: Any) -> None:
        _hashable(key, key_node)
        super().check_set_key(node, key_node, setting, key)  # type: ignore[misc]


def _hashable(key: Any, key_node: Any) -> None:
    """A key YAML's `? ` wrote as a list or mapping holding a list: ruamel cannot hash it and
    raised TypeError (a traceback from check-config); a YAML error at the key's line instead."""
    try:
        hash(key)
    except TypeError:
        raise ConstructorError(
            None, None, "a key must be a single value, not a list or a mapping", key_node.start_mark,
        ) from None


class _RoundTrip(_Located, RoundTripConstructor):
    pass


class _Safe(_Located, SafeConstructor):
    pass


def _load_yaml(text: str, path: str, *, fast: bool = False) -> Any:
    """The round-trip YAML tree of `text` (with lines), refused when it would expand too far.
    `fast`: plain data from the C loader, no lines (a shipped pack, read again with lines
    only when it holds an error)."""
    yaml = YAML(typ="safe", pure=False) if fast else YAML(typ="rt")
    yaml.Constructor = _Safe if fast else _RoundTrip
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(path, [ConfigIssue("(YAML syntax)", line, problem)]) from None
    except YAMLError as exc:
        raise ConfigError(path, [ConfigIssue("(YAML syntax)", None, str(exc))]) from None
    except RecursionError:
        problem = f"nested deeper than {MAX_YAML_DEPTH} levels"
        raise ConfigError(path, [ConfigIssue("(YAML)", None, problem)]) from None
    if data is None:
        raise ConfigError(path, [ConfigIssue("(top level)", None, "the file is empty")])
    problem = _expansion_problem(data)
    if problem:
        raise ConfigError(path, [ConfigIssue("(YAML)", None, problem)])
    return data


def _load_packs(data: Any, path: str, fast: bool = False) -> tuple[list[Source], list[ConfigIssue]]:
    """The packs named under `rules:`, each checked on its own (errors name the pack file)."""
    refs = data.get("rules")
    if not isinstance(refs, list):
        return [], []  # absent, or the model reports the shape
    base = Path(path).parent
    packs: list[Source] = []
    issues: list[ConfigIssue] = []
    for i, ref in enumerate(refs):
        if not isinstance(ref, str):
            continue
        file = pack_path(ref, base)
        try:
            text = _utf8(_read_regular_file(file))
            pack = _load_yaml(text, str(file), fast=fast)
        except _NotUtf8 as exc:
            issues.append(ConfigIssue("(encoding)", exc.line, exc.message, str(file)))
            continue
        except FileNotFoundError:
            known = ", ".join(available_packs()) or "none"
            issues.append(_issue(data, ("rules", i), f"no rule pack '{ref}'; shipped packs: {known}"))
            continue
        except (_Refused, OSError, UnicodeDecodeError) as exc:
            issues.append(_issue(data, ("rules", i), f"rule pack '{ref}' cannot be read: {exc}"))
            continue
        except ConfigError as exc:
            issues += [ConfigIssue(x.location, x.line, x.message, str(file)) for x in exc.issues]
            continue
        if not isinstance(pack, dict):
            issues.append(ConfigIssue("(top level)", 1, "a rule pack is a mapping: " + ", ".join(PACK_KEYS), str(file)))
            continue
        unknown = [k for k in pack if k not in PACK_KEYS]
        issues += [
            _issue(pack, (str(k),), f"unknown key '{k}' in a rule pack; known keys: {', '.join(PACK_KEYS)}", str(file))
            for k in unknown
        ]
        packs.append(Source(pack, str(file), str(pack.get("pack") or ref), str(pack.get("version") or "")))
    return packs, issues


def parse_config(text: str, path: str = DEFAULT_CONFIG) -> AppConfig:
    """Validate the YAML `text`; raise ConfigError listing every problem.

    Rule packs are read first with the fast C loader; when one holds an error, everything
    is read again with lines, so the error names its line in the pack."""
    try:
        return _parse_config(text, path, fast=True)
    except ConfigError as exc:
        if not any(issue.file for issue in exc.issues):
            raise
    return _parse_config(text, path, fast=False)


def _parse_config(text: str, path: str, *, fast: bool, rules_only: bool = False) -> Any:
    data = _load_yaml(text, path)
    if not isinstance(data, dict):
        raise ConfigError(
            path, [ConfigIssue("(top level)", 1, "expected a mapping with settings, rules, feeds, channels")]
        )

    packs, issues = _load_packs(data, path, fast)
    own = Source(data)
    merged = merge(own, packs)
    plain = _plain(data)
    if rules_only:
        plain = {k: v for k, v in plain.items() if k in RulesConfig.model_fields}
    for key, value in (("topics", merged.topics), ("entities", merged.entities)):
        shape = dict if key == "topics" else list
        if isinstance(data.get(key), shape) or (packs and key not in data):
            plain[key] = _plain(value)  # else absent, or a wrong shape the model reports

    def located(loc: Loc, message: str) -> ConfigIssue:
        hit = merged.origin(loc) if loc and loc[0] in ("topics", "entities") else None
        if hit is None:
            return _issue(data, loc, message)
        source, at = hit
        return _issue(source.data, at, message, source.path)

    config: AppConfig | RulesConfig | None = None
    try:
        config = (RulesConfig if rules_only else AppConfig).model_validate(plain)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            issues.append(located(loc, _message(error, loc)))
    issues += [_issue(source.data, loc, msg, source.path) for source, loc, msg in merged.problems]
    if not rules_only:
        issues += [_issue(data, loc, msg) for loc, msg in _cross_checks(data, [str(t) for t in merged.topics])]
    if config is not None:
        issues += [located(tuple(loc), msg) for loc, msg in _rule_checks(config)]
    if issues:
        issues = list(dict.fromkeys(issues))  # a near rule of rule_changes is checked twice
        issues.sort(key=lambda i: (i.file or "", i.line or 0, i.location))
        raise ConfigError(path, issues)
    assert config is not None
    if isinstance(config, AppConfig):
        config._cautions = [_issue(data, loc, msg) for loc, msg in _cautions(data)]
    return config


def _expansion_problem(data: Any) -> str | None:
    """Why the document is refused before it is expanded, or None.

    Anchors and aliases share one object per anchored collection, so loading stays
    small; expanding them (for validation) is what explodes ("billion laughs"). The
    expanded size is counted with one visit per distinct collection.
    """
    sizes: dict[int, int] = {}
    aliases = 0

    def size(node: Any, depth: int) -> int:
        nonlocal aliases
        if not isinstance(node, dict | list):
            return 1
        if depth > MAX_YAML_DEPTH:
            raise _Refused(f"nested deeper than {MAX_YAML_DEPTH} levels")
        known = sizes.get(id(node))
        if known is not None:
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise _Refused(f"more than {MAX_YAML_ALIASES} uses of anchors (aliases)")
            return known
        children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        total = 1
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_YAML_NODES:
                raise _Refused(
                    f"expands to more than {MAX_YAML_NODES:,} values (anchors and aliases)"
                )
        sizes[id(node)] = total
        return total

    try:
        size(data, 0)
    except _Refused as exc:
        return str(exc)
    return None


class _Refused(Exception):
    pass


def _plain(node: Any) -> Any:
    """ruamel's round-trip containers as plain dicts and lists (pydantic wants those)."""
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, str | int) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _read_config_text(p: Path) -> str:
    """The text of a config file; a missing or unreadable file is a ConfigError."""
    try:
        return _utf8(_read_regular_file(p))
    except _NotUtf8 as exc:
        raise ConfigError(str(p), [ConfigIssue("(encoding)", exc.line, exc.message)]) from None
    except FileNotFoundError:
        raise ConfigError(str(p), [ConfigIssue("", None, _not_found(p))]) from None
    except _Refused as exc:
        raise ConfigError(str(p), [ConfigIssue("", None, str(exc))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(p), [ConfigIssue("", None, f"cannot read the file: {exc}")]) from None


def _not_found(p: Path) -> str:
    """`file not found`, with where it was looked for and how to name another: run from another
    directory, the default ./feeds.yaml is not the operator's, and the line said no more."""
    if " #" in str(p):  # systemd keeps a comment written after the value in an env file
        return "file not found (a comment after the value in an env file? put it on a line of its own)"
    where = "" if p.is_absolute() else f"{p.absolute()}, "
    return (f"file not found ({where}the config named by --config PATH, else $MONITOR_CONFIG, "
            "else ./feeds.yaml in the working directory)")


class _NotUtf8(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def _utf8(data: bytes) -> str:
    """The text of a config or pack file, which must be UTF-8: another encoding (an editor's
    Latin-1 or UTF-16) is a _NotUtf8 naming its first line that is not."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _NotUtf8(1, "the file is UTF-16: save it as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _NotUtf8(line, f"not UTF-8 (byte 0x{data[exc.start]:02x}): save the file as UTF-8") from None


def load_config(path: str | os.PathLike[str]) -> AppConfig:
    """Read and validate a config file; a missing or unreadable file is a ConfigError too."""
    p = Path(path)
    text = _read_config_text(p)
    return parse_config(text, str(p))


def load_rules(path: str | os.PathLike[str]) -> RulesConfig:
    """The effective topics and entities of a config file (packs merged with its local
    changes), validated and located like `load_config`; the other keys are not read."""
    p = Path(path)
    text = _read_config_text(p)
    try:
        return _parse_config(text, str(p), fast=True, rules_only=True)
    except ConfigError as exc:
        if not any(issue.file for issue in exc.issues):
            raise
    return _parse_config(text, str(p), fast=False, rules_only=True)


def _read_regular_file(p: Path) -> bytes:
    """The bytes of a regular file of at most MAX_CONFIG_BYTES. Opened without blocking
    (a FIFO would wait for a writer) and checked on the open descriptor."""
    fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise _Refused(f"not a regular file ({kind})")
        if info.st_size > MAX_CONFIG_BYTES:
            raise _Refused(f"larger than {MAX_CONFIG_BYTES:,} bytes")
        chunks, size = [], 0
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_CONFIG_BYTES:  # grew while being read
                raise _Refused(f"larger than {MAX_CONFIG_BYTES:,} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------
# Runtime: the environment (README.md, "Configuration") over the file


@dataclass(frozen=True)
class Runtime:
    """Where things are, after command-line flags, the environment and the file."""

    config_path: str
    database_url: str
    telegram_api_url: str
    bot_token: str | None
    telegram_proxy: str | None = None  # may carry a password: never shown (core.proxy)

    @property
    def has_telegram(self) -> bool:
        return bool(self.bot_token)

    def __repr__(self) -> str:  # never show the token
        token = "set" if self.bot_token else "unset"
        return (
            f"Runtime(config_path={self.config_path!r}, database_url=<redacted>, "
            f"telegram_api_url={self.telegram_api_url!r}, bot_token={token}, "
            f"telegram_proxy={hide_password(self.telegram_proxy) if self.telegram_proxy else None!r})"
        )


def config_path_from(cli_value: str | None, env: typing.Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return cli_value or env.get("MONITOR_CONFIG") or DEFAULT_CONFIG


def resolve_runtime(
    config: AppConfig | None,
    *,
    config_path: str,
    db_flag: str | None = None,
    env: typing.Mapping[str, str] | None = None,
    file_database_url: str | None = None,
) -> Runtime:
    """Flags over the environment over the file. `file_database_url` stands for the file's
    settings.database_url when there is no valid `config` (`raw_database_url`)."""
    env = os.environ if env is None else env
    from_file = config.settings.database_url if config else file_database_url
    db = db_flag or env.get("DATABASE_URL") or from_file or DEFAULT_DB_URL
    problem = database_url_problem(db)
    if problem:  # named by where it came from; exit 2, as TELEGRAM_API_URL's
        source = ("--db" if db_flag else "DATABASE_URL" if env.get("DATABASE_URL")
                  else "settings.database_url")
        raise ConfigError(source, [ConfigIssue("", None, problem)])
    api = env.get("TELEGRAM_API_URL") or DEFAULT_API_URL
    problem = api_url_problem(api)
    if problem:
        raise ConfigError("TELEGRAM_API_URL", [ConfigIssue("", None, problem)])
    token = env.get("TELEGRAM_BOT_TOKEN") or None
    if token is not None and (problem := token_problem(token)):
        raise ConfigError("TELEGRAM_BOT_TOKEN", [ConfigIssue("", None, problem)])
    proxy = telegram_proxy(api, env) if token else None
    if proxy is not None and (problem := proxy_problem(proxy)):
        raise ConfigError(proxy.variable, [ConfigIssue("", None, problem)])
    return Runtime(config_path, db, api.rstrip("/"), token, proxy.url if proxy else None)


def raw_database_url(path: str | os.PathLike[str]) -> str | None:
    """settings.database_url as written in a config that failed validation, when it is a
    string: `monitor status` and `tally` still show the operator's database, not the
    default one. None when the file cannot be read as YAML or has no such string."""
    try:
        data = _load_yaml(_read_config_text(Path(path)), str(path))
    except ConfigError:
        return None
    settings = data.get("settings") if isinstance(data, dict) else None
    value = settings.get("database_url") if isinstance(settings, dict) else None
    return value.strip() or None if isinstance(value, str) else None


_TOKEN_UNSAFE = re.compile(r"[^\x21-\x7e]|[/?#%]")  # what no token has and no URL path can carry


def token_problem(token: str) -> str | None:
    """Why a bot token can never be right, never quoting it; None when it may be. A comment an
    env file kept after the value (systemd reads up to the end of the line) made Telegram
    refuse every send, retried for ever as if the token were only wrong. A token of another
    form than @BotFather's (`123456789:AA…`) may be a local Bot API server's or a test's: it
    is sent, and a refusal says what to do."""
    if any(c.isspace() for c in token):
        return "the value contains white space (a comment after the value?); alerts cannot be sent with it"
    if _TOKEN_UNSAFE.search(token):
        return ("the value holds characters no bot token has (/, ?, #, % or a non-ASCII one); "
                "alerts cannot be sent with it")
    return None


def api_url_problem(url: str) -> str | None:
    """Why a Bot API root is refused (the token goes there): only https, or http to a
    loopback address (a local Bot API server or the emulator); None when it is fine."""
    shown = re.sub(r"//[^/?#\s]*@", "//***@", url)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return f"{shown!r} cannot be parsed as a URL"
    if parts.username or parts.password:
        return f"{shown!r} must not carry a user name or password"
    if any(ch.isspace() for ch in url):  # an env file's comment after the value, kept by systemd
        return f"{shown!r} contains white space (a comment after the value?)"
    if parts.scheme == "https" and host:
        return None
    if parts.scheme == "http" and _is_loopback(host):
        return None
    return f"{shown!r} is refused: use https://, or http:// only to a loopback address (127.0.0.1, ::1, localhost)"


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
