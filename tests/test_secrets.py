"""Passwords and URL userinfo never appear in errors, logs, `monitor status` or summaries."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from core.config import ConfigError, FeedConfig, Settings, parse_config
from core.logs import redact as redact_log
from core.urls import redact_userinfo
from devtools.feedserver import FeedServer
from devtools.samples import SampleItem, rss
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from monitor.status import render_status
from storage.db import Database, DatabaseError, open_database, redact_url

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("url,hidden,shown", [
    ("postgresql+psycopg://bob:hunter2@db.example/m", ["hunter2"], "bob:***@db.example/m"),
    ("postgresql+psycopg://bob:s3cr@tpass@db.example/m", ["s3cr", "tpass"], "bob:***@db.example/m"),
    ("postgresql://bob:pw@h/db?password=hunter2&sslmode=require", ["hunter2"], "password=***"),
    ("postgresql://bob:hunter2@h:notaport/db", ["hunter2"], "bob:***@h:notaport"),
    ("sqlite:///data/monitor.db", [], "sqlite:///data/monitor.db"),
])
def test_redact_url(url: str, hidden: list[str], shown: str) -> None:
    text = redact_url(url)
    assert shown in text
    for secret in hidden:
        assert secret not in text


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://bob:hunter2@db.example:notaport/m",  # SQLAlchemy cannot parse it
    "postgresql+psycopg://bob:hun@ter2@127.0.0.1:1/m",  # '@' in the password
    "postgresql+psycopg://bob:hunter2@127.0.0.1:1/m",  # nobody listens
    "://bob:hunter2@",
])
def test_database_errors_never_show_the_password(url: str) -> None:
    with pytest.raises(DatabaseError) as err:
        open_database(url)
    message = str(err.value)
    assert "hunter2" not in message and "hun" not in message.replace("hunt", "")
    assert "ter2" not in message


@pytest.mark.parametrize("command", ["status", "poll-once", "check-config"])
def test_cli_with_a_malformed_database_url(command: str, tmp_path: Path) -> None:
    url = "postgresql+psycopg://bob:s3cr@t-pa55@db.example:notaport/m"
    done = subprocess.run(
        [sys.executable, "-m", "monitor", command, "--config", str(ROOT / "feeds.yaml")],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATABASE_URL": url},
    )
    out = done.stdout + done.stderr
    assert "s3cr" not in out and "t-pa55" not in out
    assert "Traceback" not in out
    if command != "check-config":  # check-config does not open the database
        assert done.returncode == 2 and "bob:***@" in done.stderr  # invalid usage: a restart cannot fix it


def test_database_url_property_hides_an_at_sign_password(db_url: str) -> None:
    db = open_database(db_url)
    try:
        assert db.url == redact_url(db_url)
    finally:
        db.dispose()


def test_redact_userinfo_in_free_text() -> None:
    text = "moved https://ana:pa55@w0rd@feeds.example/rss -> http://x.example/a@b?c=d@e"
    out = redact_userinfo(text)
    assert "pa55" not in out and "w0rd" not in out
    assert "https://***@feeds.example/rss" in out and "http://x.example/a@b?c=d@e" in out


def test_config_errors_never_echo_a_password() -> None:
    text = (ROOT / "feeds.yaml").read_text(encoding="utf-8")
    text = text.replace("feeds:\n", "feeds:\n  - {name: bad, url: 'ftp://ana:hunter2@h.example/', "
                        "language: es}\n", 1)
    with pytest.raises(ConfigError) as err:
        parse_config(text)
    assert "hunter2" not in err.value.render() and "ftp://***@h.example/" in err.value.render()


async def test_feed_credentials_not_logged_on_a_permanent_redirect(
    server: FeedServer, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings()
    server.set_route("/new", rss([SampleItem("Nota", "https://news.example/1", "texto")]))
    server.set_route("/old", redirect=server.url("/new").replace("http://", "http://ana:pa55w0rd@"),
                     status=301)
    server.set_route("/gone", redirect="ftp://ana:pa55w0rd@files.example/x", status=302)
    url = server.url("/old").replace("http://", "http://ana:pa55w0rd@")
    caplog.set_level(logging.DEBUG, "monitor")
    caplog.set_level(logging.INFO, "httpx")  # logs every request with its URL
    async with Fetcher(settings, deadline=10) as fetcher:
        moved = await poll_feed(FeedConfig(name="moved", url=url, language="es"), settings,
                                fetcher, db)
        gone = await poll_feed(
            FeedConfig(name="gone", url=server.url("/gone").replace("http://", "http://ana:pa55w0rd@"),
                       language="es"), settings, fetcher, db)
    assert moved.redirected_to and gone.status == "error"
    assert server.hits("/old")[0].headers.get("authorization", "").startswith("Basic ")
    shown = "\n".join([moved.summary_line(), gone.summary_line(), caplog.text,
                       render_status(db, None, now=moved.polled_at)])
    assert "moved permanently" in shown and "unsupported" in shown
    assert "pa55w0rd" not in shown


async def test_feed_credentials_never_reach_the_database(server: FeedServer, db: Database) -> None:
    """feeds.yaml keeps the userinfo; the feeds table keeps the URL without it, and the next
    poll still authenticates (the credentials come from the config, not from the row)."""
    settings = Settings()
    server.set_route("/new", rss([SampleItem("Nota", "https://news.example/1", "texto")]))
    server.set_route("/old", redirect=server.url("/new").replace("http://", "http://ana:pa55w0rd@"),
                     status=301)
    feed = FeedConfig(name="private", url=server.url("/old").replace("http://", "http://ana:pa55w0rd@"),
                      language="es")
    async with Fetcher(settings, deadline=10) as fetcher:
        await poll_feed(feed, settings, fetcher, db)
        await poll_feed(feed, settings, fetcher, db)
    with db.session() as session:
        cells = [str(v) for row in session.execute(text("SELECT * FROM feeds")) for v in row]
    assert cells and not [c for c in cells if "pa55w0rd" in c]
    assert len(server.hits("/old")) == 2  # a redirect carrying credentials is not remembered
    assert all(h.headers.get("authorization", "").startswith("Basic ") for h in server.hits("/old"))


@pytest.mark.parametrize("password", ["e", "on", "c%40t"])
def test_a_short_password_is_hidden_without_garbling_the_error(password: str) -> None:
    """A password was replaced wherever its letters stood: the password `e` gave "conn***ction
    fail***d: conn***ction to s***rv***r" (and hid nothing more). Now only where no letter or
    digit adjoins it, as it stands in a URL or a connection string."""
    with pytest.raises(DatabaseError) as err:
        open_database(f"postgresql+psycopg://bob:{password}@127.0.0.1:1/monitor")
    message = str(err.value)
    assert message.startswith("cannot open database postgresql+psycopg://bob:***@127.0.0.1:1/monitor: ")
    assert "connection to server" in message and "failed" in message
    assert f":{password}@" not in message


# A password not percent-encoded: its '/', '#', '?' or space ended the authority for the
# old pattern (`//[^/?#\s]*@`), and the refusal quoted the URL with the password in it.
UNENCODED = ["Zq/55w0rd", "Zq#55w0rd", "Zq?55w0rd", "Zq 55w0rd", "12/55w0rd"]


@pytest.mark.parametrize("password", UNENCODED)
def test_a_refused_feed_url_never_echoes_an_unencoded_password(password: str) -> None:
    text = (ROOT / "feeds.yaml").read_text(encoding="utf-8")
    text = text.replace("feeds:\n", "feeds:\n  - {name: bad, url: 'ftp://ana:" + password
                        + "@h.example/rss', language: es}\n", 1)
    with pytest.raises(ConfigError) as err:
        parse_config(text)
    shown = err.value.render()
    assert "55w0rd" not in shown and "'ftp://***@h.example/rss'" in shown


@pytest.mark.parametrize("password", UNENCODED)
def test_a_proxy_url_never_shows_an_unencoded_password(password: str, tmp_path: Path) -> None:
    """Refused (cannot be parsed, white space) or accepted (`12/…` reads as a port), the
    proxy's URL is shown without the password: in the refusal and in the start-up line."""
    from core.proxy import ProxyChoice, proxy_problem

    choice = ProxyChoice(f"http://ana:{password}@127.0.0.1:3128", "TELEGRAM_PROXY")
    shown = f"{choice.shown} {proxy_problem(choice)}"
    assert "55w0rd" not in shown and "http://***@127.0.0.1:3128" in shown
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "status", "--config", str(ROOT / "feeds.yaml"),
         "--db", f"sqlite:///{tmp_path / 'm.db'}"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "TELEGRAM_PROXY": choice.url,
             "TELEGRAM_BOT_TOKEN": "123456789:" + "A" * 35},
    )
    assert "55w0rd" not in done.stdout + done.stderr


def test_a_proxy_url_without_a_scheme_never_shows_its_password() -> None:
    from core.proxy import ProxyChoice, proxy_problem

    choice = ProxyChoice("ana:Zq55w0rd@proxy.example:3128", "HTTPS_PROXY")
    assert "55w0rd" not in f"{choice.shown} {proxy_problem(choice)}"


@pytest.mark.parametrize("password", UNENCODED[:4])  # `12/…` reads as a port: not refused
def test_a_refused_bot_api_url_never_echoes_its_password(password: str) -> None:
    from core.config.runtime import api_url_problem

    problem = api_url_problem(f"https://ana:{password}@api.example/")
    assert problem and "55w0rd" not in problem


async def test_a_token_in_a_feed_urls_query_stays_in_feeds_yaml(
    server: FeedServer, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A private feed's key in its query (`?token=…`, `&api_key=…`) is a password by another
    name: it was written to feeds.url, to the remembered redirect (feeds.effective_url), to
    the status page and, with httpx at INFO, to the log; it stays in feeds.yaml now, and the
    polls still send it (the URL they fetch comes from the config)."""
    from monitor.status_page import render_status_page

    server.set_route("/new", rss([SampleItem("Nota", "https://news.example/1", "texto")]))
    server.set_route("/old", redirect=server.url("/new?api_key=ZqNewK3y&lang=es"), status=301)
    server.set_route("/bad", b"<html>502</html>", status=502)
    feeds = [FeedConfig(name="moved", url=server.url("/old?token=ZqTok3n"), language="es"),
             FeedConfig(name="bad", url=server.url("/bad?lang=es&apikey=ZqK3y"), language="es")]
    config = parse_config((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    config = config.model_copy(update={"feeds": feeds})
    settings = Settings()
    caplog.set_level(logging.DEBUG, "monitor")
    caplog.set_level(logging.INFO, "httpx")  # logs every request with its URL
    async with Fetcher(settings, deadline=10) as fetcher:
        results = [await poll_feed(f, settings, fetcher, db) for f in feeds + feeds[:1]]
    assert [r.status for r in results] == ["new", "error", "unchanged"]
    assert len(server.hits("/old")) == 2  # the redirect is followed each time, not remembered
    with db.session() as session:
        cells = [str(v) for row in session.execute(text("SELECT * FROM feeds")) for v in row]
    logged = [redact_log(r.getMessage()) for r in caplog.records]
    shown = "\n".join([*cells, *logged, *(r.summary_line() for r in results),
                       render_status_page(db, config, now=results[0].polled_at)])
    assert "token=***" in shown and "apikey=***" in shown and "lang=es" in shown
    assert "Zq" not in shown


def test_a_password_read_as_a_port_is_refused_not_stored() -> None:
    """`https://ana:12/55w0rd@h.example/rss` parses as the host `ana`, port 12, and a path
    holding the rest: it was accepted, and every log line, `feeds.url` and the status page
    showed the password (the userinfo pattern stops at the first '/')."""
    from core.config.values import check_url

    with pytest.raises(ValueError) as err:
        check_url("https://ana:12/55w0rd@h.example/rss")
    assert "55w0rd" not in str(err.value) and "%2F" in str(err.value)
    for fine in ("https://medium.com/@user/feed", "https://h.example:8443/@user/feed",
                 "https://h.example:8443/rss?by=ana@h.example"):
        assert check_url(fine) == fine
