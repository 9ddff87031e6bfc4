"""The command line as an operator uses it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def monitor(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MONITOR_CONFIG", "TELEGRAM_BOT_TOKEN")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args], cwd=cwd, env=full_env, input=stdin,
        capture_output=True, text=True, timeout=60,
    )


def test_check_config_on_the_default_file():
    result = monitor("check-config")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("feeds.yaml: OK")
    assert "2 topics" in result.stdout


def test_check_config_reports_every_error_with_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "topics:\n  political_prisoners: {any: [presos], context: [venezuela]}\n"
        "feeds:\n  - {name: a, url: 'notaurl', language: es, interval: 1s}\n"
        "channels:\n  - {name: c, chat_id: '@chan_nel', topics: [us_actions]}\n",
        encoding="utf-8",
    )
    result = monitor("check-config", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "feeds[0].url (line 4): invalid URL" in result.stderr
    assert "feeds[0].interval (line 4): interval 1s is too short" in result.stderr
    assert "channels[0].topics[0] (line 6): unknown topic 'us_actions'" in result.stderr


def test_check_config_warns_of_a_likely_mistake_and_exits_0(tmp_path):
    """A retention of hours (or two feeds of one URL, tests/config) is valid (DESIGN.md sets no
    rule on it) and most often a mistake: check-config says so on stderr, exit 0."""
    text = (ROOT / "feeds.yaml").read_text(encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    assert "\n  retention: 90d" in text
    cfg.write_text(text.replace("\n  retention: 90d", "\n  retention: 12h", 1), encoding="utf-8")
    result = monitor("check-config", str(cfg))
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout
    assert "warning: settings.retention (line " in result.stderr and "retention 12h deletes" in result.stderr


def test_check_config_reads_monitor_config_from_the_environment(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text("feeds: {", encoding="utf-8")
    result = monitor("check-config", env={"MONITOR_CONFIG": str(bad)})
    assert result.returncode == 2 and "(YAML syntax)" in result.stderr


def stored_database(path: Path, *feeds: str) -> str:
    """A migrated SQLite database at `path` holding rows for `feeds`; its URL."""
    from storage.db import open_database
    from storage.feeds import sync_feeds

    url = f"sqlite:///{path}"
    db = open_database(url)
    try:
        with db.session() as session:
            sync_feeds(session, [(name, f"https://{name}.example/feed") for name in feeds])
            session.commit()
    finally:
        db.dispose()
    return url


def test_tally_table_shows_a_links_escape_sequences_escaped(tmp_path):
    """A feed's link is stored as the feed wrote it; the table is for a terminal, so its
    escape sequences (clear the screen, hide what follows) are printed escaped."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from storage.db import open_database
    from storage.models import Count, Feed, Item, Match

    url = stored_database(tmp_path / "m.db", "hostil")
    link = "https://hostil.example/61\x1b[2J\x1b[8m\x9b8m"
    db = open_database(url)
    try:
        with db.session() as s:
            feed = s.scalars(select(Feed).where(Feed.name == "hostil")).one()
            now = datetime.now(UTC)
            item = Item(feed=feed, guid="1", url=link, title="Foro Penal verifica 61 excarcelaciones",
                        summary="", language="es", published_at=now, fetched_at=now,
                        content_hash="h1", classified_at=now)
            s.add(item)
            s.flush()
            s.add(Count(item_id=item.id, event="released", number=61, source="Foro Penal"))
            s.add(Match(item_id=item.id, topic="political_prisoners", urgency="normal", terms=[], explain=[]))
            s.commit()
    finally:
        db.dispose()
    result = monitor("tally", "--db", url)
    assert result.returncode == 0, result.stderr
    assert "https://hostil.example/61\\x1b[2J\\x1b[8m\\x9b8m" in result.stdout
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout


def test_status_on_an_empty_database(tmp_path):
    result = monitor("status", "--db", stored_database(tmp_path / "fresh.db"))
    assert result.returncode == 0, result.stderr
    assert "Feeds (" in result.stdout and "Alert queue (0 pending)" in result.stdout
    assert "el-pitazo" in result.stdout and "never" in result.stdout


def test_status_uses_database_url_from_the_environment(tmp_path):
    url = stored_database(tmp_path / "env.db", "only-in-env-db")
    result = monitor("status", env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "only-in-env-db" in result.stdout


@pytest.mark.parametrize(("command", "code"), [
    (["status"], 0), (["tally"], 0), (["stories"], 0), (["eval-stories", "--splits"], 0), (["stories", "--split", "5"], 2),
], ids=["status", "tally", "stories", "eval-stories --splits", "stories --split"])
def test_a_missing_database_is_shown_empty_and_never_created(tmp_path, command, code):
    """A fresh install (or a mistyped --db): empty figures and a note, no file made (`stories`
    and `eval-stories --splits` made an empty database where the operator had mistyped)."""
    result = monitor(*command, "--db", f"sqlite:///{tmp_path / 'nope' / 'typo.db'}")
    assert result.returncode == code, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"note: no database at sqlite:///{tmp_path}/nope/typo.db yet: nothing stored to show (the "
        "service creates it on its first run; check --db, $DATABASE_URL and settings.database_url)"
    )
    if command == ["status"]:
        assert "Feeds (" in result.stdout and "Alert queue (0 pending)" in result.stdout
    elif code == 0:
        assert "Traceback" not in result.stdout and result.stdout.strip()
    else:
        assert result.stderr.splitlines()[1:] == ["error: No item 5."]
    assert not (tmp_path / "nope").exists()


INVALID_WITH_DB = """settings:
  database_url: {url}
  timezon: UTC
rules: [venezuela-2026]
"""


@pytest.mark.parametrize("command", ["status", "tally"])
def test_an_invalid_config_still_names_the_database(tmp_path, command):
    """A typo elsewhere in the file: the warning, then the operator's database (not
    ./data/monitor.db, which is neither opened nor created); --db and $DATABASE_URL still
    come first."""
    url = stored_database(tmp_path / "operators.db", "only-in-operators-db")
    config = tmp_path / "feeds.yaml"
    config.write_text(INVALID_WITH_DB.format(url=url), encoding="utf-8")
    result = monitor(command, "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "settings.timezon (line 3): unknown key 'timezon'" in result.stderr
    assert "Traceback" not in result.stderr
    if command == "status":
        assert "only-in-operators-db" in result.stdout
    assert not (tmp_path / "data").exists()
    other = stored_database(tmp_path / "other.db", "only-in-other-db")
    for flags, env in ((["--db", other], {}), ([], {"DATABASE_URL": other})):
        result = monitor(command, "--config", str(config), *flags, cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
        if command == "status":
            assert "only-in-other-db" in result.stdout and "only-in-operators-db" not in result.stdout
    config.write_text(INVALID_WITH_DB.format(url=f"sqlite:///{tmp_path / 'gone.db'}"), encoding="utf-8")
    result = monitor(command, "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0 and "note: no database at" in result.stderr and "gone.db" in result.stderr
    assert not (tmp_path / "gone.db").exists() and not (tmp_path / "data").exists()


def test_read_only_database_is_one_line(tmp_path):
    """A database that cannot be written (read-only mount, permissions) and needs migrating."""
    import sqlite3

    path = tmp_path / "ro.db"
    sqlite3.connect(path).execute("CREATE TABLE unrelated (x)").connection.close()
    result = monitor("status", "--db", f"sqlite:///file:{path}?mode=ro&uri=true")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot open database"), result.stderr
    assert "readonly" in lines[0]


def test_database_from_a_newer_version_is_one_line_and_exit_2(tmp_path):
    """An operator who rolled back after an upgrade got exit 1 and a guess ("was it written by
    a newer version?"): under systemd (Restart=on-failure, no start limit) the service was
    started again every 10 s for ever, each time refused. A restart cannot mend it: exit 2, as
    for an invalid config (RestartPreventExitStatus=2), naming both schemas and what to do."""
    import sqlite3

    from storage.db import head_revision

    url = stored_database(tmp_path / "newer.db")
    with sqlite3.connect(tmp_path / "newer.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    result = monitor("status", "--db", url)
    assert result.returncode == 2
    assert result.stderr == (
        f"error: database {url} is at schema 9999, written by a newer version of the monitor (this "
        f"one knows up to {head_revision()}): run that version again, or restore the backup taken "
        "before the upgrade\n")


@pytest.mark.parametrize(
    "url,code",
    [("postgresql+psycopg://nobody@127.0.0.1:1/none", 1), ("notadb://x", 2)],
)
def test_unreachable_database_is_one_clear_line(url, code):
    """A server that does not answer is a runtime failure (1: systemd tries again); a URL no
    server could answer is invalid usage (2: fix it, then restart)."""
    result = monitor("status", "--db", url)
    assert result.returncode == code, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:" if code == 1 else "--db: "), result.stderr
    assert "Traceback" not in result.stderr


def test_status_on_an_absolute_path_written_with_three_slashes_says_how_to_write_it(tmp_path):
    """`monitor status` with `sqlite:///opt/monitor/data/monitor.db` run from another folder
    than / said `note: no database at … yet` of the database that was there all along."""
    from storage.db import open_database

    real = tmp_path / "monitor.db"
    open_database(f"sqlite:///{real}").dispose()  # made by the service's first run
    result = monitor("status", "--db", f"sqlite://{real}")
    assert result.returncode == 2, result.stderr
    assert result.stderr.endswith(f"for {real} write sqlite:///{real} (four slashes)\n"), result.stderr
    assert not (ROOT / str(real.parent)[1:]).exists()


def test_database_file_that_is_not_a_database(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    result = monitor("status", "--db", f"sqlite:///{junk}")
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot open database") and "Traceback" not in result.stderr


def test_a_refused_telegram_api_url_stops_the_commands_that_use_it_and_check_config_warns(tmp_path):
    """docs/CONFIG.md: a TELEGRAM_API_URL other than https or loopback http stops the
    service's commands with exit 2 and one line; check-config checks the file (exit 0, its
    one-line summary) and warns on stderr."""
    env = {"TELEGRAM_API_URL": "http://203.0.113.9/"}
    refused = ("TELEGRAM_API_URL: 'http://203.0.113.9/' is refused: use https://, or http:// only to a "
               "loopback address (127.0.0.1, ::1, localhost)")
    result = monitor("check-config", env=env)
    assert result.returncode == 0 and result.stdout.startswith("feeds.yaml: OK")
    assert result.stdout.count("\n") == 1
    assert result.stderr.strip() == (f"warning: {refused}; run, poll-once, status and the other commands "
                                     "that read it stop on it (docs/CONFIG.md, 'Environment')")
    db = stored_database(tmp_path / "m.db")
    for command in ("poll-once", "status", "tally", "stories"):
        result = monitor(command, "--db", db, env=env)
        assert result.returncode == 2 and result.stderr.strip() == refused, (command, result.stderr)


def test_a_comment_after_database_url_stops_the_commands_and_opens_no_other_database(
    tmp_path, monkeypatch, capsys
):
    """systemd keeps a comment written after the value in an env file: `sqlite:///data/m.db  # mine`
    opened a new, empty database of that name beside the real one (every feed's first poll again,
    the queue and the stories gone). Now exit 2 with one line naming the variable; check-config
    warns. In process (main()): the exit code and stderr are those of the command line."""
    from monitor.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MONITOR_CONFIG", str(ROOT / "feeds.yaml"))
    monkeypatch.setenv("DATABASE_URL", "sqlite:///data/m.db  # mine")
    for command in ("poll-once", "status"):
        assert main([command]) == 2, command
        assert capsys.readouterr().err.strip().splitlines() == [
            "DATABASE_URL: 'sqlite:///data/m.db  # mine' contains white space (a comment after the "
            "value?); expected sqlite:///data/monitor.db (relative to the working directory; "
            "sqlite:////opt/monitor/data/monitor.db for an absolute path) or "
            "postgresql+psycopg://user:password@host/dbname"], command
    assert not (tmp_path / "data").exists()
    assert main(["check-config"]) == 0
    assert "warning: DATABASE_URL: 'sqlite:///data/m.db  # mine' contains" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_URL", "sqlite:///My Data/m.db")  # a space inside a path: a path
    assert main(["status"]) == 0
    assert "no database at sqlite:///My Data/m.db yet" in capsys.readouterr().err


@pytest.mark.parametrize("url,said", [
    ("mysql://bob:hunter2@db.example/m", "'mysql://bob:***@db.example/m': mysql is not supported"),
    ("postgresql+psycopg2://bob:hunter2@db.example/m", "the driver psycopg2 is not installed"),
    ("bob:hunter2@db.example/m", "'***@db.example/m' is not a database URL"),
])
def test_a_database_url_no_server_could_answer_is_a_usage_error(url, said, capsys):
    from monitor.cli import main

    assert main(["status", "--config", str(ROOT / "feeds.yaml"), "--db", url]) == 2
    out = capsys.readouterr()
    assert out.err.startswith("--db: ") and said in out.err and out.err.count("\n") == 1, out.err
    assert "hunter2" not in out.err + out.out


@pytest.mark.parametrize("command", ["run", "poll-once", "classify", "check-config", "status"])
def test_every_command_has_help(command):
    result = monitor(command, "--help")
    assert result.returncode == 0
    assert "--config" in result.stdout and "--db" in result.stdout
    assert len(result.stdout.splitlines()) > 5


def test_the_parser_imports_neither_the_matcher_nor_the_database():
    """`monitor --help` builds every command's parser; the matcher (its regexes, counts
    lexicons) and SQLAlchemy are imported by the commands that use them. Before, `people` and
    `train`/`eval` imported the matcher at module level and --help took about twice as long
    (bench/bench_cli_start.py)."""
    code = ("import sys; from monitor.cli import build_parser; build_parser(); "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith(('monitor.match', 'sqlalchemy', 'alembic')))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_service_imports_the_html_parser_only_for_a_page_feed():
    """`run` and `poll-once` import the service; BeautifulSoup and soupsieve (a tenth of a
    second of every start) are imported by the first `page` feed read, not by a service whose
    feeds are RSS, Atom or JSON (the suite's few hundred `monitor` processes, most operators')."""
    code = (
        "import sys; from datetime import UTC, datetime; import monitor.service, monitor.ingest.poll as p\n"
        "from core.config import FeedConfig, Selectors; from monitor.fetch.client import FetchResult\n"
        "before = sorted(m for m in sys.modules if m.split('.')[0] in ('bs4', 'soupsieve'))\n"
        "feed = FeedConfig(name='p', url='https://medio.example/', language='es', type='page',\n"
        "                  selectors=Selectors(item='li', title='a', link='a@href'))\n"
        "page = FetchResult(url='https://medio.example/', final_url='https://medio.example/',\n"
        "                   status=200, body=b'<ul><li><a href=\"/1\">Uno</a></li></ul>')\n"
        "parsed = p._parse(feed, page, UTC, 100, datetime.now(UTC))\n"
        "print(before, [(e.title, e.link) for e in parsed.entries], 'bs4' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]", "[('Uno',", "'https://medio.example/1')]", "True"], result.stdout


def test_unknown_command_is_a_usage_error():
    result = monitor("frobnicate")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_a_reader_that_closes_the_pipe_early_gets_no_traceback():
    """`monitor rules show | head` (75 KB, more than a pipe holds): stops quietly, exit 0."""
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "rules", "show"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10).startswith(b"# effectiv")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=30) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("command", [
    ["check-config"], ["schema"], ["rules", "show"], ["feeds", "export"], ["tally", "--format", "json"],
    ["tally", "--format", "csv"], ["tally"], ["stories", "--format", "json"], ["status"], ["people"],
    ["eval", "tests/data/labelled_dev.jsonl"],
], ids=" ".join)
def test_output_that_cannot_be_written_is_one_line_and_exit_1(tmp_path, command):
    """`monitor tally --format json > figures.json` on a full disk: exit 1 and why, in one line
    on stderr (README: never a traceback); before, every command but classify ended in one."""
    url = stored_database(tmp_path / "m.db", "uno")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MONITOR_CONFIG", "TELEGRAM_BOT_TOKEN")}
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "monitor", *command, "--db", url], cwd=ROOT, env=env,
                                stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == "error: cannot write the output: No space left on device"


def json_lines(stderr: str) -> list[dict[str, str]]:
    """Every line of `stderr` as the log's JSON object (a line that is none fails the test)."""
    entries = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    assert all(list(e)[:4] == ["time", "level", "logger", "message"] for e in entries), entries
    return entries


def test_with_log_format_json_every_line_on_stderr_is_a_json_object(tmp_path):
    """The unit runs `monitor run --log-format json` and OPERATIONS.md reads its log with jq: a
    refused config was written as plain text there, and jq stopped at it ('parse error: Invalid
    numeric literal') without a word of why the service would not start."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [venezuela-2026]\nfeeds:\n  - {name: a, url: 'notaurl', language: es}\n"
                   "channels:\n  - {name: c, chat_id: '@chan_nel', topics: [nope]}\n", encoding="utf-8")
    written = bad.stat().st_mtime - 60  # written before the start: read at once, not after 2 s unchanged
    os.utime(bad, (written, written))
    refused = monitor("run", "--log-format", "json", "--config", str(bad), "--db", f"sqlite:///{tmp_path}/m.db")
    assert refused.returncode == 2
    entries = json_lines(refused.stderr)
    assert [e["message"] for e in entries if e["level"] == "error"] == [
        f"{bad}: 2 errors", "feeds[0].url (line 3): invalid URL 'notaurl': expected http:// or https:// "
        "and a host name", "channels[0].topics[0] (line 5): unknown topic 'nope'; known topics: "
        "political_prisoners, us_actions"]

    missing = monitor("status", "--log-format", "json", "--db", f"sqlite:///{tmp_path}/none.db")
    assert missing.returncode == 0, missing.stderr
    [note] = [e for e in json_lines(missing.stderr) if e["message"].startswith("note: no database at")]
    assert note["level"] == "info"

    tally = monitor("tally", "--format", "json", "--log-format", "json", "--config", str(bad),
                    "--db", f"sqlite:///{tmp_path}/none.db")
    assert tally.returncode == 0, tally.stderr
    assert json.loads(tally.stdout) == {"figures": [], "timeline": []}
    levels = {e["message"].split(":")[0]: e["level"] for e in json_lines(tally.stderr)}
    assert levels["warning"] == "warning" and levels["note"] == "info", levels


@pytest.mark.parametrize(("flags", "said"), [
    (["--near", "99"], "error: No story 99."),
    (["--split", "999"], "error: No item 999."),
    (["--merge", "98", "99"], "error: No story 98. No story 99."),
], ids=["near", "split", "merge"])
def test_stories_with_a_number_that_names_nothing_is_a_usage_error(tmp_path, flags, said):
    """A story or item number that does not exist is bad input, exit 2 like an unknown feed
    name; it was exit 1, the code of a runtime failure (a database down)."""
    result = monitor("stories", "--db", stored_database(tmp_path / "s.db"), *flags)
    assert (result.returncode, result.stderr.splitlines(), result.stdout) == (2, [said], "")


def test_stories_since_a_time_with_an_offset_is_told_in_utc(tmp_path):
    """`--since 2026-03-01T00:00-04:00` was answered "No stories since 2026-03-01 00:00 UTC.",
    four hours before the time searched from."""
    db = stored_database(tmp_path / "s.db")
    result = monitor("stories", "--db", db, "--since", "2026-03-01T00:00-04:00")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "No stories since 2026-03-01 04:00 UTC."


def test_stories_since_without_an_offset_is_read_in_settings_timezone(tmp_path):
    """An operator in Caracas who types `--since 2026-03-01T00:00` means Caracas time: it was
    read as UTC, four hours early. The shipped feeds.yaml is set to America/Caracas."""
    db = stored_database(tmp_path / "s.db")
    for since in ("2026-03-01T00:00", "2026-03-01"):
        result = monitor("stories", "--db", db, "--since", since)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "No stories since 2026-03-01 04:00 UTC."
    assert "settings.timezone" in monitor("stories", "--help").stdout


@pytest.mark.parametrize("since", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+01:00"])
def test_stories_since_a_time_beyond_the_calendar_in_utc_is_one_line(tmp_path, since):
    result = monitor("stories", "--db", stored_database(tmp_path / "s.db"), "--since", since)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: --since {since!r} is out of range once in UTC (years 1 to 9999)"


@pytest.mark.parametrize("argv", [
    ["feeds", "--config", "{mine}", "export"], ["feeds", "export", "--config", "{mine}"],
    ["rules", "--config", "{mine}", "show", "--topic", "mine"],
    ["rules", "show", "--topic", "mine", "--config", "{mine}"],
])
def test_config_before_or_after_a_subcommands_action_is_the_file_read(tmp_path, monkeypatch, capsys, argv):
    """`monitor feeds --config PATH add URL` read ./feeds.yaml instead (the action's own
    default replaced the option given before it), and would have edited the wrong file."""
    from monitor.cli import main

    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "topics:\n  mine: {any: [hola mundo], context_required: never}\n"
        "feeds:\n  - {name: only-mine, url: 'https://example.org/feed', language: es}\n"
        "channels:\n  - {name: c, chat_id: console, topics: [mine]}\n", encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)  # no ./feeds.yaml here
    assert main([arg.format(mine=mine) for arg in argv]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert ("only-mine" in out) if argv[0] == "feeds" else ("hola mundo" in out)


@pytest.mark.parametrize("argv", [
    ["--config", "{mine}", "feeds", "export"], ["--config", "{mine}", "rules", "show", "--topic", "mine"],
    ["--config", "{other}", "feeds", "export", "--config", "{mine}"],  # the command's own wins
])
def test_config_before_the_command_is_the_file_read(tmp_path, monkeypatch, capsys, argv):
    """`monitor --config PATH poll-once`, as other tools take global options, stopped with
    `argument COMMAND: invalid choice: 'PATH'` (exit 2)."""
    from monitor.cli import main

    mine, other = tmp_path / "mine.yaml", tmp_path / "other.yaml"
    mine.write_text(
        "topics:\n  mine: {any: [hola mundo], context_required: never}\n"
        "feeds:\n  - {name: only-mine, url: 'https://example.org/feed', language: es}\n"
        "channels:\n  - {name: c, chat_id: console, topics: [mine]}\n", encoding="utf-8",
    )
    other.write_text(mine.read_text(encoding="utf-8").replace("only-mine", "not-mine"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no ./feeds.yaml here
    assert main([arg.format(mine=mine, other=other) for arg in argv]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert ("only-mine" in out) if argv[2] == "feeds" else ("hola mundo" in out)


def test_db_before_the_command_is_the_database_read(tmp_path, capsys):
    from monitor.cli import main

    db = f"sqlite:///{tmp_path / 'm.db'}"
    assert main(["--db", db, "people", "add", "Teodoro Quintana"]) == 0, capsys.readouterr().err
    assert main(["people", "--db", db, "--all"]) == 0
    assert "Teodoro Quintana" in capsys.readouterr().out


def test_db_before_or_after_a_people_action_is_the_database_written(tmp_path, capsys):
    """`monitor people add NAME --db URL` was refused as unrecognized arguments."""
    from monitor.cli import main

    db = f"sqlite:///{tmp_path / 'm.db'}"
    assert main(["people", "add", "Teodoro Quintana", "--db", db]) == 0, capsys.readouterr().err
    assert main(["people", "--db", db, "remove", "Teodoro Quintana"]) == 0
    assert main(["people", "--db", db, "--all"]) == 0
    assert "Teodoro Quintana" in capsys.readouterr().out


def test_status_without_a_config_says_it_cannot_be_found_not_that_it_is_invalid(tmp_path, monkeypatch, capsys):
    """Run where there is no feeds.yaml, `monitor status` began with "feeds.yaml is invalid" and
    said only on the next line that the file was missing."""
    from monitor.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["status"]) == 0
    first = capsys.readouterr().err.splitlines()[0]
    assert first == "warning: feeds.yaml cannot be found; showing the database only"
    (tmp_path / "feeds.yaml").write_text("feeds: 3\n")
    assert main(["status"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == "warning: feeds.yaml is invalid; showing the database only"


@pytest.mark.parametrize("locale", [
    {"PYTHONIOENCODING": "latin-1"},
    # LANG=C with Python's UTF-8 coercion off: ASCII with surrogateescape, not strict
    {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"},
])
def test_a_terminal_not_in_utf8_gets_readable_tables_and_utf8_files(tmp_path, locale):
    """Under a Latin-1 locale (or PYTHONIOENCODING=latin-1), check-config's "OK —" ended in a
    UnicodeEncodeError traceback, exit 1, and `feeds export` wrote "Crónica" in Latin-1 below its
    own `encoding="UTF-8"` declaration, an OPML that no reader (`feeds import` included) takes.
    What a person reads has the missing characters escaped; what a program reads is UTF-8."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(
        "rules: [venezuela-2026]\nfeeds:\n"
        "  - {name: cronica, outlet: Crónica Uno, url: 'https://a.example/feed', language: es}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("MONITOR_CONFIG", "PYTHONIOENCODING", "LC_ALL")}
    env.update(locale)
    check = subprocess.run([sys.executable, "-m", "monitor", "check-config", str(cfg)], cwd=ROOT, env=env,
                           capture_output=True, timeout=60)
    assert check.returncode == 0, check.stderr.decode(errors="replace")
    assert check.stdout.decode("latin-1").startswith(f"{cfg}: OK \\u2014 1 feeds")
    export = subprocess.run([sys.executable, "-m", "monitor", "feeds", "export", "--config", str(cfg)], cwd=ROOT,
                            env=env, capture_output=True, timeout=60)
    assert export.returncode == 0, export.stderr.decode(errors="replace")
    assert 'text="Crónica Uno"' in export.stdout.decode("utf-8")
    # `rules show` of a config in a folder named with an accent: its heading in Latin-1 and the
    # rules below it in UTF-8, a file no editor reads whole
    folder = tmp_path / "configuración"
    folder.mkdir()
    (folder / "feeds.yaml").write_text(cfg.read_text(encoding="utf-8"), encoding="utf-8")
    rules = subprocess.run([sys.executable, "-m", "monitor", "rules", "show", "--config", str(folder / "feeds.yaml"),
                            "--topic", "us_actions"], cwd=ROOT, env=env, capture_output=True, timeout=60)
    assert rules.returncode == 0, rules.stderr.decode(errors="replace")
    assert rules.stdout.decode("utf-8").startswith(f"# effective rules of {folder / 'feeds.yaml'}: ")


@pytest.mark.parametrize("command", ["status", "poll-once", "stories"])
def test_a_database_name_too_long_for_the_file_system_is_one_line(tmp_path, command):
    """A file name of 300 characters (a pasted line in DATABASE_URL): Path.exists() raised
    `OSError: [Errno 36] File name too long`, a traceback, exit 1."""
    url = f"sqlite:///{tmp_path}/{'a' * 300}.db"
    result = monitor(command, "--db", url)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("error: cannot open database sqlite:///") and line.endswith(
        "unable to open database file; its name is too long for the file system")


def test_status_beside_another_program_on_the_health_address_is_no_traceback(tmp_path):
    """Another program on settings.http_listen whose own /healthz says `{"status": "ok",
    "database": "up"}`: `monitor status` read "database" as the service's object, an
    AttributeError traceback, exit 1, and no tables."""
    from devtools.feedserver import FeedServer

    with FeedServer() as server:
        server.set_route("/healthz", '{"status": "ok", "database": "up", "scheduler": "alive"}',
                         content_type="application/json")
        cfg = tmp_path / "feeds.yaml"
        cfg.write_text(f"settings: {{http_listen: '127.0.0.1:{server.port}'}}\n"
                       "rules: [venezuela-2026]\nfeeds: []\nchannels: []\n", encoding="utf-8")
        result = monitor("status", "--config", str(cfg), "--db", f"sqlite:///{tmp_path / 'none.db'}")
        url = server.url("/healthz")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Service: {url}: answered, not with a health report: "
                                    "another program on that address?")
    assert "Alert queue (0 pending)" in result.stdout


@pytest.mark.parametrize(("argv", "shown"), [
    (["feeds", "remove", "el-nacional", "--config", ""], "--config"),
    (["--config", "", "feeds", "remove", "el-nacional"], "--config"),
    (["check-config", ""], "PATH"),
    (["status", "--db", ""], "--db"),
    (["tally", "--chart", ""], "--chart"),  # no chart written, exit 0
    (["people", "seed", "--from", "x.jsonl", "--out", ""], "--out"),
])
def test_an_empty_config_or_db_argument_is_refused_not_read_as_absent(tmp_path, argv, shown):
    """`monitor feeds remove NAME --config "$CFG"` with CFG unset edited ./feeds.yaml, and
    `check-config ""` said OK of it: an empty value was taken as no option at all."""
    text = (ROOT / "feeds.yaml").read_text(encoding="utf-8")
    (tmp_path / "feeds.yaml").write_text(text, encoding="utf-8")
    result = monitor(*argv, cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert result.stderr == f"error: {shown} is empty (an unset shell variable?); give a value or leave it out\n"
    assert (tmp_path / "feeds.yaml").read_text(encoding="utf-8") == text
    assert not (tmp_path / "data").exists()


def test_channels_enable_never_creates_a_database(tmp_path):
    """`monitor channels enable presos` run from another directory than the service's made
    an empty data/monitor.db there and answered `presos is not disabled`: the operator took
    the channel for enabled, and it stayed disabled in the service's database."""
    result = monitor("channels", "enable", "prisoners-console", "--config", str(ROOT / "feeds.yaml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("note: no database at sqlite:///data/monitor.db yet")
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("url,said", [
    ("mysql://bob:hunter2@db.example/m", "'mysql://bob:***@db.example/m': mysql is not supported"),
    ("'sqlite:///data/monitor.db  # mine'", "contains white space (a comment after the value?)"),
])
def test_check_config_refuses_a_database_url_in_the_file_that_the_service_would_refuse(
        tmp_path, url, said):
    """docs/OPERATIONS.md has the operator run check-config, "exit 0 before going on", then
    start the service. A settings.database_url no server could answer passed (exit 0, not a
    word) while run, poll-once and status stopped on it with exit 2, which the unit does not
    restart. Now it is an error at its line, its password hidden."""
    config = tmp_path / "feeds.yaml"
    config.write_text((ROOT / "feeds.yaml").read_text(encoding="utf-8").replace(
        "\nsettings:\n", f"\nsettings:\n  database_url: {url}\n", 1),
        encoding="utf-8")
    line = config.read_text(encoding="utf-8").splitlines().index(f"  database_url: {url}") + 1
    result = monitor("check-config", str(config), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"settings.database_url (line {line}): " in result.stderr and said in result.stderr
    assert "hunter2" not in result.stdout + result.stderr
    assert monitor("status", "--config", str(config), cwd=tmp_path).returncode == 2  # as the check says
