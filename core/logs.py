"""Logging: readable on a terminal, JSON lines on request, and never the bot token
nor a password written in a URL.

The token travels inside Bot API URLs (`/bot<token>/sendMessage`), which httpx
logs at INFO; the redaction happens in a filter on every handler so that no
library's log line, exception text or traceback can carry it out.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
from datetime import UTC, datetime
from types import TracebackType

from core.urls import redact_secrets

_TOKEN_IN_URL = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")
_BARE_TOKEN = re.compile(r"\b\d{6,12}:[A-Za-z0-9_-]{30,}\b")
# C0 and C1 control characters: in a message, any of them (a new line too) came from outside
# text (a feed's link) and could start a forged line or drive the operator's terminal
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # tracebacks keep their lines
# and the bidirectional controls a stored title keeps (U+202E shows "txt.exe" as "exe.txt" and
# the rest of the line reversed): what a table printed for a terminal must not carry raw
_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    text = _TOKEN_IN_URL.sub("/bot<redacted>", text)
    # a feed's URL, a redirect's Location, `?token=…`; what a message masked already keeps its `***@`
    text = redact_secrets(text, "<redacted>@", keep_masked=True)
    return _BARE_TOKEN.sub("<redacted>", text)


def _escaped(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]  # "\\x1b", "\\n"


def escape_controls(text: str, *, keep_lines: bool = False) -> str:
    """`text` with its control characters written escaped (`\\x1b`, `\\n`), so outside text
    (a feed's link) can neither drive a terminal nor start a line of its own; with
    `keep_lines`, tabs and new lines stay (a traceback, a table)."""
    return (_CONTROL_BUT_LINES if keep_lines else _CONTROL).sub(_escaped, text)


def for_terminal(text: str) -> str:
    """A table for a terminal (`monitor stories`, `people`, `tally`) with the control and
    bidirectional characters of stored text written escaped (`\\x1b`, `\\u202e`); lines kept."""
    return _TERMINAL.sub(_escaped, text)


class RedactingFilter(logging.Filter):
    """Renders each record's message and traceback once, with secrets removed and control
    characters shown escaped (a message is one line)."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = escape_controls(redact(record.getMessage(), self.secrets))
        record.args = None
        if record.exc_info:
            text = redact(logging.Formatter().formatException(record.exc_info), self.secrets)
            record.exc_text = escape_controls(text, keep_lines=True)
            record.exc_info = None
        if record.stack_info:
            record.stack_info = escape_controls(redact(record.stack_info, self.secrets), keep_lines=True)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        for key in ("feed", "channel", "alert_id", "story_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str = "INFO", fmt: str = "text", stream: object = None) -> None:
    """Configure the root logger once; safe to call again (replaces our handler)."""
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.addFilter(RedactingFilter((token,) if token else ()))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
        )
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_monitor", False)]:
        root.removeHandler(old)
    handler._monitor = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # httpx logs every request at INFO (with the token in the URL, redacted above);
    # at INFO that is noise for operators.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)



def install_crash_hooks() -> None:
    """What Python prints itself, outside any log call, goes through the log too: an exception
    nothing caught (the command's, a thread's) and one raised where it cannot be (`__del__`, a
    closed generator). Python's own hooks wrote those tracebacks straight to stderr, past the
    redacting filter, so a URL carrying the bot token or a feed's key in an exception's text was
    printed whole (and as plain text among `--log-format json` lines)."""
    crash = logging.getLogger("monitor.crash")

    def uncaught(kind: type[BaseException], value: BaseException,
                 traceback: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, traceback)  # nothing secret, as Python prints it
            return
        crash.critical("uncaught exception", exc_info=(kind, value, traceback))

    def in_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:  # as Python's own hook: a thread's exit is no error
            return
        name = args.thread.name if args.thread is not None else "?"
        crash.critical("uncaught exception in thread %s", name,
                       exc_info=(args.exc_type, args.exc_value, args.exc_traceback))

    def unraisable(hook_args: sys.UnraisableHookArgs) -> None:
        where = hook_args.err_msg or "Exception ignored in"
        crash.error("%s: %r", where, hook_args.object,
                    exc_info=(hook_args.exc_type, hook_args.exc_value, hook_args.exc_traceback))

    sys.excepthook = uncaught
    threading.excepthook = in_thread
    sys.unraisablehook = unraisable

_LINE_OF_INPUT = re.compile(r"(\S+: )?line \d+: ")  # classify's and eval's reports of a skipped line


def _level_of(head: str) -> int:
    """The level of a command's own message on stderr, from its first line: `warning: …`,
    `note: …`, a skipped input line (`line 6: invalid JSON`); anything else is an error (`error:
    …`, a refused config's `feeds.yaml: 2 errors`, `DATABASE_URL: 'mysql://…': …`)."""
    word = head.split(":", 1)[0].strip().lower()
    if word == "warning":
        return logging.WARNING
    if word == "note":
        return logging.INFO
    return logging.WARNING if _LINE_OF_INPUT.match(head) else logging.ERROR


class LoggedLines:
    """Standard error for a command run with `--log-format json`: what the command writes there
    itself (its `error:`, `warning:` and `note:` lines, a refused config's errors) goes out as the
    log's JSON objects, a line each, at the level of its message's first line, and whatever the
    log level (as it was printed). Before, these lines were plain text among the JSON ones, and
    the unit's `journalctl -o cat | jq` stopped at the first ('parse error: Invalid numeric
    literal'): a config the service refused at start was not shown at all."""

    def __init__(self, stream: object, logger: logging.Logger) -> None:
        self.stream = stream
        self._logger = logger
        self._pending = ""

    def write(self, text: str) -> int:
        # print() writes its text, then its end ("\n"): one message each, lines and all
        self._pending += text
        if self._pending.endswith("\n"):
            self.flush()
        return len(text)

    def flush(self) -> None:
        message, self._pending = self._pending, ""
        lines = [line.strip() for line in message.splitlines() if line.strip()]
        if not lines:
            return
        level = _level_of(lines[0])
        for line in lines:  # never filtered by --log-level: printed before, whatever it said
            self._logger.handle(self._logger.makeRecord(self._logger.name, level, "(cli)", 0, line, None, None))

    def __getattr__(self, name: str) -> object:  # isatty, fileno, encoding…
        return getattr(self.stream, name)
