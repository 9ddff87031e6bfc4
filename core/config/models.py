"""feeds.yaml's keys as pydantic models: one class per section, a validator per rule an
operator can break (the messages say what to write instead)."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core.config.errors import ConfigIssue
from core.config.values import (
    DEFAULT_INTERVAL,
    Duration,
    DurationOrOff,
    Strict,
    ascii_url,
    check_url,
    header_safe,
    known_zone,
    parse_allow_entry,
    plain_name,
)
from core.durations import format_duration
from core.rule_packs import TopicChange
from core.rules import EntitySpec, TopicRules
from core.urls import hide_userinfo


class Limits(Strict):
    """Per-feed limits (issue 13): a settings-level default, overridable per feed."""

    # entries read from one fetched document; the rest are not read (reported)
    max_entries_per_document: int = Field(default=500, ge=1, le=100_000)
    # new items stored per feed and poll; the rest wait for the next poll (reported)
    max_new_items_per_poll: int = Field(default=200, ge=1, le=100_000)
    # messages per feed and channel in any hour; more are folded into one message
    max_alerts_per_hour: int = Field(default=20, ge=1, le=10_000)


LIMIT_KEYS = tuple(Limits.model_fields)
MIN_CATCH_UP = timedelta(minutes=10)


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


# a chat id as Telegram writes it (\\d and str.isdigit take other scripts' digits too: "١٢٣", "１２３")
_NUMERIC_ID = re.compile(r"-?[0-9]+")
_OTHER_DIGITS = re.compile(r"-?\d+")


def _ascii_digits(text: str) -> str:
    """`text`, a sign and decimal digits of any script, in the digits 0-9."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


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
    # A channel's `new` alerts queued longer ago than this (a Telegram outage, a disabled channel
    # enabled again) go out folded into catch-up messages, not one by one (alerts/catch_up.py).
    catch_up_after: DurationOrOff = timedelta(hours=6)
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

    @field_validator("catch_up_after")
    @classmethod
    def _catch_up_after(cls, value: timedelta) -> timedelta:
        if timedelta(0) < value < MIN_CATCH_UP:  # a backlog sent at the chat's rate would fold itself
            raise ValueError(
                f"catch_up_after {format_duration(value)} is too short: alerts still going out at the chat's "
                f"rate would be folded; {format_duration(MIN_CATCH_UP)} is the minimum (off: no catch-up)"
            )
        return value

    @field_validator("admin_chat_id")
    @classmethod
    def _numeric_admin_chat(cls, value: int | str | None) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = str(value).strip()
        if not _NUMERIC_ID.fullmatch(text):
            if _OTHER_DIGITS.fullmatch(text):  # int() took "١٢٣" and "１２３": Telegram's ids are ASCII
                raise ValueError(f"admin_chat_id {text!r} must be written with the digits 0-9: "
                                 f"write {_ascii_digits(text)}")
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
        value = check_url(value)
        if not header_safe(value):
            shown = hide_userinfo(value)
            raise ValueError(
                f"contact_url {shown!r} must be printable ASCII (it goes into the User-Agent "
                f"header, where nothing else is allowed): write it as {ascii_url(value)!r}"
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
        return check_url(value)

    @field_validator("name", "outlet")
    @classmethod
    def _plain(cls, value: str | None, info: ValidationInfo) -> str | None:
        return plain_name(value, f"a feed's {info.field_name}")

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

    @field_validator("interval", mode="before")
    @classmethod
    def _bare_minutes(cls, value: object) -> object:
        """`interval: 10` meant ten minutes more often than ten seconds: say how to write it."""
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 30:
            raise ValueError(f"interval {value}s is too short: 30s is the minimum (a number without "
                             f"a unit is seconds: write {value}m for {value} minutes)")
        return value

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


_CHAT_ID = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,31}|-?[0-9]{1,20}|console)$")


_CHAT_LINK = re.compile(r"^(?:https?://)?(?:t\.me|telegram\.me)/(?:s/)?([A-Za-z][A-Za-z0-9_]*)/?$", re.IGNORECASE)


def _chat_id_hint(value: str) -> str:
    """What the operator most likely meant: the name without its @, the channel's t.me link, or
    the id in the digits 0-9 (Python's int() takes others, Telegram does not)."""
    if _OTHER_DIGITS.fullmatch(value.strip()):
        return f"; write it with the digits 0-9: '{_ascii_digits(value.strip())}'"
    name = m.group(1) if (m := _CHAT_LINK.match(value.strip())) else value.strip()
    if _CHAT_ID.match(f"@{name}") and name.lower() != "console":
        return f"; did you mean '@{name}'?"
    if re.fullmatch(r"@?[A-Za-z][A-Za-z0-9_]*", name):
        return "; a @name is a letter then 3 to 31 letters, digits or _"
    return ""
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

    @field_validator("name")
    @classmethod
    def _plain(cls, value: str) -> str:
        return plain_name(value, "a channel's name") or value

    @field_validator("chat_id")
    @classmethod
    def _chat_id(cls, value: str) -> str:
        if not _CHAT_ID.match(value):
            raise ValueError(
                f"invalid chat_id {value!r}: use @channelname, a numeric id, or console{_chat_id_hint(value)}"
            )
        return value

    @field_validator("schedule", mode="before")
    @classmethod
    def _one_time_written_alone(cls, value: object) -> object:
        if isinstance(value, str | int | float):  # `schedule: 08:00`: pydantic said "Input should be a valid list"
            example = f"'{value}'" if isinstance(value, str) and _HHMM.match(value) else "'08:00', '20:00'"
            raise ValueError(f"schedule is a list of times: write schedule: [{example}]")
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

    def feed_zone(self, name: str) -> ZoneInfo:
        """A feed's zone (`timezone`, else settings.timezone): where its dates start."""
        feed = self.feed(name)
        return feed.zone(self.settings) if feed else self.settings.tz

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

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, defer_build=True)
    rules: list[str] = Field(default_factory=list)
    rule_changes: dict[str, TopicChange] = Field(default_factory=dict)
    topics: dict[str, TopicRules] = Field(min_length=1)
    entities: list[EntitySpec] = Field(default_factory=list)
