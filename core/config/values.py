"""The values the models share: durations, URLs, names and time zones."""

from __future__ import annotations

import ipaddress
import unicodedata
from datetime import timedelta
from typing import Annotated
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)

from core.durations import MAX_DURATION, format_duration, parse_duration
from core.urls import hide_userinfo

DEFAULT_CONFIG = "feeds.yaml"

DEFAULT_INTERVAL = timedelta(minutes=10)  # a feed's poll interval when feeds.yaml gives none
MIN_STORY_WINDOW = timedelta(hours=1)
MIN_RETENTION = timedelta(days=1)
Duration = Annotated[
    timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^\s*(\d+(\.\d+)?\s*[smhdwSMHDW]\s*)+$|^\d+$"},
                              {"type": "number", "minimum": 0, "maximum": int(MAX_DURATION.total_seconds())}],
                    "description": "a duration such as 90s, 10m, 6h, 2d or 1h30m (a number: seconds)"}),
]

OFF_WORDS = ("off", "false", "no", "none")


def _duration_or_off(value: object) -> timedelta:
    """A duration, or `off` (also `0`): timedelta(0), the feature off."""
    if value is False or value is None or (isinstance(value, str) and value.strip().lower() in OFF_WORDS):
        return timedelta(0)
    return parse_duration(value)


# a duration that may be switched off: `off` or `0` is timedelta(0), written back as `off`
DurationOrOff = Annotated[
    timedelta, BeforeValidator(_duration_or_off),
    PlainSerializer(lambda d: format_duration(d) if d else "off", return_type=str),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^\s*(\d+(\.\d+)?\s*[smhdwSMHDW]\s*)+$|^\d+$"},
                              {"type": "number", "minimum": 0, "maximum": int(MAX_DURATION.total_seconds())},
                              {"type": "string", "enum": ["off"]}],
                    "description": "a duration such as 30m, 6h or 2d (a number: seconds), or off (also 0)"}),
]


def check_url(value: str) -> str:
    shown = hide_userinfo(value)  # never echo a password, one not percent-encoded too
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError(f"invalid URL {shown!r}: cannot be parsed") from None
    # a zero-width space or a direction mark pasted with the link: invisible in the file, and
    # the URL fetched another (HTTP 404 at every poll) or none at all
    if hidden := next((c for c in value if unicodedata.category(c) in ("Cc", "Cf") and not c.isspace()), None):
        raise ValueError(f"invalid URL {shown!r}: it contains the invisible character U+{ord(hidden):04X} "
                         "(pasted with the link?): remove it")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"invalid URL {shown!r}: expected http:// or https:// and a host name")
    if any(ch.isspace() for ch in value):
        raise ValueError(f"invalid URL {shown!r}: it contains white space")
    if _password_read_as_port(parts):
        raise ValueError(f"invalid URL {shown!r}: its password holds a '/' (read as a port and a path): "
                         "write it percent-encoded, '/' as %2F")
    return value


def _password_read_as_port(parts: SplitResult) -> bool:
    """`https://ana:12/34@host/rss`: a password of digits then '/' parses as a port, and the
    rest as a path whose first segment holds an '@' past its start (`/@user`, Medium's form,
    has it first). Accepted, the password was shown wherever the URL was."""
    segment = parts.path.split("/")[1] if parts.path.count("/") else ""
    return parts.port is not None and "@" in segment[1:]


def plain_name(value: str | None, what: str) -> str | None:
    """`value` unless it holds a control character (YAML's "\\x07", "\\u0000", "\\x1b[31m"), or
    U+FFFE/U+FFFF: names go into log lines, messages and `monitor feeds export`'s OPML, which
    XML 1.0 allows none of (no reader parsed it). The file's own are refused by YAML already."""
    bad = next((ch for ch in value or "" if unicodedata.category(ch) == "Cc" or ch in "\ufffe\uffff"), None)
    if bad is not None:
        kind = "control character" if unicodedata.category(bad) == "Cc" else "character"
        raise ValueError(f"the {kind} U+{ord(bad):04X} is not allowed in {what} (written as an escape "
                         f"in quotes?): remove it")
    return value


def header_safe(value: str) -> bool:
    """True when `value` can be sent as an HTTP header value: printable ASCII, so no CR/LF."""
    return all(" " <= ch <= "~" for ch in value)


def ascii_url(value: str) -> str:
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
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


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


def known_zone(value: str) -> str:
    """`value` when it names an IANA time zone; a ValueError that says what to write."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder ("America")
        raise ValueError(f"unknown time zone {value!r}: use an IANA name such as America/Caracas") from None
    return value
