"""Logging never carries the bot token, whatever logs it (httpx URLs, exceptions, tracebacks)."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import pytest

from core.logs import redact, setup_logging
from devtools.feedserver import FeedServer

ROOT = Path(__file__).resolve().parents[1]

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@contextmanager
def _ok_server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def captured(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    stream = io.StringIO()
    setup_logging("DEBUG", "text", stream)
    yield stream
    setup_logging("WARNING", "text", io.StringIO())


def test_redact_removes_token_in_urls_and_bare():
    assert TOKEN not in redact(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage")
    assert redact(f"token is {TOKEN}.") == "token is <redacted>."
    assert redact("sent message 42 to @presos_ve") == "sent message 42 to @presos_ve"


def test_token_absent_from_httpx_request_logs(captured):
    logging.getLogger("httpx").setLevel(logging.DEBUG)

    with _ok_server() as url, httpx.Client() as client:
        assert client.post(f"{url}/bot{TOKEN}/getMe").status_code == 200
    output = captured.getvalue()
    assert "getMe" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output


def test_token_absent_from_exceptions_and_tracebacks(captured):
    log = logging.getLogger("monitor.test")
    try:
        raise RuntimeError(f"request to https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        log.exception("delivery failed for %s", f"/bot{TOKEN}/x")
    output = captured.getvalue()
    assert "RuntimeError" in output and "Traceback" in output
    assert TOKEN not in output


def test_json_lines_format(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    stream = io.StringIO()
    setup_logging("INFO", "json", stream)
    try:
        logging.getLogger("monitor.x").info("polled %s with %s", "pitazo", TOKEN)
    finally:
        setup_logging("WARNING", "text", io.StringIO())
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["level"] == "info" and line["logger"] == "monitor.x"
    assert line["message"] == "polled pitazo with <redacted>"


def test_redact_removes_passwords_written_in_urls():
    assert redact("GET https://ana:s3cr3t@feeds.example.org/rss") == "GET https://<redacted>@feeds.example.org/rss"
    assert redact("(b'Location', b'http://u:p@10.0.0.1/x')") == "(b'Location', b'http://<redacted>@10.0.0.1/x')"
    assert redact("write to ana@example.org at 10:30") == "write to ana@example.org at 10:30"
    assert redact("GET https://ana:s3@cr3t@feeds.example.org/rss?to=a@b") == (
        "GET https://<redacted>@feeds.example.org/rss?to=a@b")


def test_a_url_a_message_masked_already_keeps_its_mask():
    """The service's start-up line names its database as storage.db.redact_url shows it
    (`postgresql+psycopg://monitor:***@db/monitor`) and its proxy as `http://***@proxy:3128`, as
    docs/OPERATIONS.md quotes them; the filter rewrote both as `<redacted>@`, the user name
    too, where the docs promise `<redacted>@` only for what no message redacted before it."""
    line = ("starting: database postgresql+psycopg://monitor:***@db.example.org/monitor, delivery Telegram"
            " at https://api.telegram.org through the proxy http://***@127.0.0.1:3128")
    assert redact(line) == line
    # a password beginning with the mask, or a real one beside a masked URL, is still hidden
    assert redact("https://ana:***@evil@host/rss") == "https://<redacted>@host/rss"
    assert redact("x://***@a/ https://ana:pw@host/rss") == "x://***@a/ https://<redacted>@host/rss"
    assert redact("https://ana:s3cr3t@feeds.example.org/rss") == "https://<redacted>@feeds.example.org/rss"


@pytest.mark.parametrize("userinfo", ["lector:clave-secreta", "lector:clave@secreta"])
def test_password_in_a_redirect_location_absent_from_debug_traces(captured, userinfo):
    """httpcore's DEBUG traces print response headers, a redirect's Location included; a
    password may hold an '@' (the userinfo ends at the authority's last one)."""

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(302)
            self.send_header("Location", f"http://{userinfo}@127.0.0.1:9/next")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        with httpx.Client(follow_redirects=False) as client:
            assert client.get(f"http://127.0.0.1:{server.server_address[1]}/feed").status_code == 302
    finally:
        server.shutdown()
        server.server_close()
    output = captured.getvalue()
    assert "Location" in output  # the trace ran, with the header in it
    assert "secreta" not in output and "lector:" not in output


def test_a_feed_cannot_write_escape_sequences_or_lines_into_the_log(tmp_path):
    """An item's link with escape sequences and a line break: stored without them (as
    browsers read a link), so it can neither drive the operator's terminal nor start a
    line of its own in the log."""
    link = ("http://127.0.0.1:9/nota\x1b[2J\x1b[32m\x9b8m"
            "\n13:00:00 INFO    monitor.delivery: alert 9 to presos sent")
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": [{
        "id": "1", "url": link, "title": "Excarcelan a 20 presos políticos en Venezuela",
        "date_published": datetime.now(UTC).isoformat()}]}
    with FeedServer() as server:
        server.set_route("/feed.json", json.dumps(feed).encode(), content_type="application/feed+json")
        config = tmp_path / "feeds.yaml"
        config.write_text(f"""rules: [venezuela-2026]
settings: {{allow_private: ["127.0.0.1"]}}
feeds:
  - {{name: hostil, url: "{server.url('/feed.json')}", language: es, fetch_article: always}}
channels:
  - {{name: presos, chat_id: console, topics: [political_prisoners]}}
""", encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "monitor", "poll-once", "--config", str(config),
             "--db", f"sqlite:///{tmp_path / 'm.db'}"],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        )
    assert done.returncode == 0, done.stderr
    assert "no article text for http://127.0.0.1:9/nota[2J[32m8m13:00:00" in done.stderr
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", done.stderr)
    assert all(re.match(r"\d\d:\d\d:\d\d ", line) for line in done.stderr.splitlines()), done.stderr


def test_the_log_writes_control_characters_of_a_message_escaped(captured):
    """Whatever else reaches a log line from outside (a server's error, a title) cannot
    drive the terminal or forge a line: its control characters are written escaped."""
    logging.getLogger("monitor.test").warning("fetch failed: %s", "bad\x1b[2J\x9b8m\n13:00:00 INFO forged")
    line = captured.getvalue()
    assert "fetch failed: bad\\x1b[2J\\x9b8m\\n13:00:00 INFO forged" in line
    assert line.count("\n") == 1 and not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", line)


_CRASH = """
import gc, sys, threading
from monitor.cli import main
main(["schema", "--log-format", FORMAT])  # any command: it installs the hooks
URL = "https://api.telegram.org/bot{token}/sendMessage?key=s3cr3tkey"

def boom():
    raise RuntimeError("thread failed at " + URL)

thread = threading.Thread(target=boom, name="poller")
thread.start(); thread.join()

class Leaky:
    def __del__(self):
        raise ValueError("finalizer failed at " + URL)

Leaky(); gc.collect()
raise ConnectionError("main failed at " + URL)
"""


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_what_python_prints_itself_on_a_crash_goes_through_the_redacting_log(tmp_path, fmt):
    """An exception nothing caught (the command's, a thread's, a finalizer's) was printed by
    Python's own hooks, past the log's filter: the token and a feed's key in its text whole."""
    script = _CRASH.replace("FORMAT", repr(fmt)).replace("{token}", TOKEN)
    env = {"PATH": "/usr/bin:/bin", "TELEGRAM_BOT_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1, run.stderr
    assert TOKEN not in run.stderr and "s3cr3tkey" not in run.stderr, run.stderr
    for told in ("thread failed at", "finalizer failed at", "main failed at"):
        assert told in run.stderr
    assert "ConnectionError" in run.stderr and "uncaught exception in thread poller" in run.stderr
    if fmt == "json":  # each a log line jq can read, the traceback inside it
        entries = [json.loads(line) for line in run.stderr.splitlines() if line.strip()]
        crashes = [e for e in entries if e["logger"] == "monitor.crash"]
        assert [e["level"] for e in crashes] == ["critical", "error", "critical"]
        assert all("Traceback" in e["exception"] for e in crashes)
