"""feeds.yaml validation: the shipped config is valid; broken ones say where and why."""

from __future__ import annotations

import re
from datetime import timedelta
from textwrap import dedent

import pytest

from core.config import ConfigError, parse_config, resolve_runtime
from core.durations import format_duration, parse_duration

BASE = """\
settings:
  timezone: America/Caracas
topics:
  political_prisoners: {any: [presos politicos], context: [venezuela]}
  us_actions: {any: [sanciones], context: [venezuela]}
feeds:
  - name: pitazo
    url: https://elpitazo.net/feed/
    language: es
    interval: 10m
channels:
  - name: prisoners
    chat_id: "@presos_ve"
    topics: [political_prisoners]
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(dedent(text), "test.yaml")
    return [str(issue) for issue in info.value.issues]


def test_default_config_is_valid(default_config):
    assert {"political_prisoners", "us_actions"} <= set(default_config.topics)
    assert len(default_config.feeds) >= 10
    languages = {f.language for f in default_config.feeds}
    assert languages == {"es", "en"}
    assert any(f.type == "page" for f in default_config.feeds)
    for topic in ("political_prisoners", "us_actions"):
        assert any(topic in c.topics for c in default_config.channels)


def test_base_config_is_valid_and_has_defaults():
    config = parse_config(BASE)
    assert config.settings.backfill_window == timedelta(hours=24)
    assert config.settings.http_listen == "127.0.0.1:9108"
    assert config.feeds[0].interval == timedelta(minutes=10)
    assert config.feeds[0].type == "rss" and config.feeds[0].enabled
    assert config.channels[0].mode == "instant"


def cautions_of(text: str) -> list[str]:
    return [str(issue) for issue in parse_config(text).cautions]


@pytest.mark.parametrize("retention", ["0s", "0d", "0", "12h"])
def test_a_retention_under_a_day_is_warned_of(retention):
    """`retention: 0s` (meant as "keep for ever", or "no retention") passed check-config in
    silence, and the first pass deleted every item that matched no topic; the feeds' items were
    then stored and classified again, and deleted again, every 6 h. DESIGN.md sets no floor
    (a check may want a short one), so it is a warning, not an error."""
    text = BASE.replace("settings:\n", f"settings:\n  retention: {retention}\n")
    shown = format_duration(parse_duration(retention))
    assert cautions_of(text) == [
        f"settings.retention (line 2): retention {shown} deletes the items that matched no topic at each "
        "pass (every 6 h), and those the feeds still list are stored again; 1d or more keeps them "
        "(36500d for 100 years)"]
    assert parse_config(text).settings.retention == parse_duration(retention)
    assert cautions_of(BASE.replace("settings:\n", "settings:\n  retention: 1d\n")) == []


@pytest.mark.parametrize("mode", ["", "    mode: instant\n"])
def test_a_schedule_on_an_instant_channel_is_warned_of(mode):
    """`schedule: ['08:00']` without `mode: digest` (forgotten, or left when a channel was made
    instant) was accepted in silence: the channel sent each alert at once and no roundup."""
    text = BASE + mode + "    schedule: ['08:00', '20:00']\n"
    line = 16 if mode else 15
    assert cautions_of(text) == [
        f"channels[0].schedule (line {line}): channel 'prisoners' is instant (mode: instant, the default): it "
        "sends each alert at once and no roundup, so its schedule does nothing; write mode: digest for "
        "roundups at these times"]
    assert cautions_of(BASE + "    mode: digest\n    schedule: ['08:00', '20:00']\n") == []


@pytest.mark.parametrize("key", ["request_timeout", "connect_timeout"])
def test_a_fetch_timeout_under_a_second_is_refused(key):
    """`request_timeout: 0s` or `connect_timeout: 0s` passed check-config, and then every fetch
    failed at once ("timeout (WriteTimeout)", "connect timeout"): every feed seemed down."""
    text = BASE.replace("settings:\n", f"settings:\n  {key}: 0s\n")
    assert errors_of(text) == [f"settings.{key} (line 2): {key} 0s is too short: every fetch would time "
                               "out; 1s is the minimum"]
    assert parse_config(BASE.replace("settings:\n", f"settings:\n  {key}: 1s\n"))


@pytest.mark.parametrize(("key", "why"), [
    ("story_window", "every report of an event would be an alert of its own"),
    ("delivery_lease", "a message being sent could be claimed and sent again at once"),
])
def test_a_zero_story_window_or_delivery_lease_is_refused(key, why):
    """`story_window: 0s` passed check-config and every report of an event became an alert of
    its own; `delivery_lease: 0s` made a message being sent claimable again at once."""
    text = BASE.replace("settings:\n", f"settings:\n  {key}: 0s\n")
    assert errors_of(text) == [f"settings.{key} (line 2): {key} 0s is too short: {why}; 1s is the minimum"]


def test_a_short_story_window_or_a_lease_shorter_than_a_send_is_warned_of():
    text = BASE.replace("settings:\n", "settings:\n  story_window: 30m\n  delivery_lease: 20s\n")
    assert cautions_of(text) == [
        "settings.story_window (line 2): story_window 30m: a report of an event more than 30m after its "
        "first is an alert of its own; 48h is the default",
        "settings.delivery_lease (line 3): delivery_lease 20s is no longer than request_timeout 30s: with "
        "replicas, a message whose send is slow can be claimed and sent again by another replica; make it "
        "longer than request_timeout",
    ]
    fine = BASE.replace("settings:\n", "settings:\n  story_window: 1h\n  delivery_lease: 20s\n  request_timeout: 15s\n")
    assert cautions_of(fine) == []


@pytest.mark.parametrize("window", ["0s", "5m", None])
def test_any_interval_from_30s_is_accepted_whatever_the_backfill_window(window):
    """DESIGN.md: a feed's interval is accepted from 30s up. `interval: 2d` was refused against
    the default 24h window (and any window under an interval), because what a feed published
    between two polls was stored as backfill; after a feed's first poll its window is now at
    least two intervals (tests/ingest/test_poll_feed.py, the daily feed)."""
    text = BASE.replace("    interval: 10m\n", "    interval: 2d\n")
    if window is not None:
        text = text.replace("settings:\n", f"settings:\n  backfill_window: {window}\n")
    assert parse_config(text).feeds[0].interval == timedelta(days=2)


BROKEN = [
    # (replace this, with this, expected "location (line N): message" fragment)
    ("interval: 10m", "interval: 10 minutes", "feeds[0].interval (line 10): invalid duration"),
    ("interval: 10m", "interval: 5s", "feeds[0].interval (line 10): interval 5s is too short"),
    ("interval: 10m", "interval: 10", "feeds[0].interval (line 10): interval 10s is too short: 30s is the minimum "
     "(a number without a unit is seconds: write 10m for 10 minutes)"),
    ("    topics: [political_prisoners]", "    topics: [political_prisoners]\n    mode: digest\n    schedule: 08:00",
     "channels[0].schedule (line 16): schedule is a list of times: write schedule: ['08:00']"),
    ("language: es", "language: pt", "feeds[0].language (line 9): Input should be 'es' or 'en'"),
    ("url: https://elpitazo.net/feed/", "url: elpitazo.net/feed", "feeds[0].url (line 8): invalid URL"),
    ("    url: https://elpitazo.net/feed/\n", "", "feeds[0].url (line 7): required key is missing"),
    ("timezone: America/Caracas", "timezone: Mars/Olympus", "settings.timezone (line 2): unknown time zone"),
    ("timezone: America/Caracas", "timezon: America/Caracas", "settings.timezon (line 2): unknown key 'timezon'; did you mean 'timezone'?"),
    ("    interval: 10m", "    intervall: 10m", "feeds[0].intervall (line 10): unknown key 'intervall'; did you mean 'interval'?"),
    ("topics: [political_prisoners]", "topics: political_prisoners",
     "channels[0].topics (line 14): a list is needed, even of one: write topics: [political_prisoners]"),
    ("topics: [political_prisoners]", "topics: [political_prisoner]", "channels[0].topics[0] (line 14): unknown topic 'political_prisoner'; did you mean 'political_prisoners'?"),
    ('chat_id: "@presos_ve"', "chat_id: presos ve", "channels[0].chat_id (line 13): invalid chat_id"),
    # what operators write for a channel: its name without the @, its t.me link, a name too short
    ('chat_id: "@presos_ve"', "chat_id: presos_ve", "channels[0].chat_id (line 13): invalid chat_id 'presos_ve': "
     "use @channelname, a numeric id, or console; did you mean '@presos_ve'?"),
    ('chat_id: "@presos_ve"', "chat_id: https://t.me/presos_ve", "channels[0].chat_id (line 13): invalid chat_id 'https://t.me/presos_ve': "
     "use @channelname, a numeric id, or console; did you mean '@presos_ve'?"),
    # a numeric id in other digits (Arabic-Indic, full-width): Python's int() takes them, Telegram does not
    ('chat_id: "@presos_ve"', 'chat_id: "-١٠٠١٢٣"', "channels[0].chat_id (line 13): invalid chat_id '-١٠٠١٢٣': "
     "use @channelname, a numeric id, or console; write it with the digits 0-9: '-100123'"),
    ('chat_id: "@presos_ve"', 'chat_id: "１２３"', "channels[0].chat_id (line 13): invalid chat_id '１２３': "
     "use @channelname, a numeric id, or console; write it with the digits 0-9: '123'"),
    ('chat_id: "@presos_ve"', 'chat_id: "@pv"', "channels[0].chat_id (line 13): invalid chat_id '@pv': use @channelname, a numeric id, or "
     "console; a @name is a letter then 3 to 31 letters, digits or _"),
    ("    topics: [political_prisoners]", "    topics: [political_prisoners]\n    mode: digest", "channels[0] (line 12): a digest channel needs a schedule"),
    ("    topics: [political_prisoners]", "    topics: [political_prisoners]\n    mode: loud", "channels[0].mode (line 15): Input should be 'instant' or 'digest'"),
    ("    interval: 10m", "    interval: 10m\n    type: page", "feeds[0] (line 7): a feed of type page needs selectors"),
    ("    interval: 10m", "    interval: 10m\n    type: page\n    selectors: {item: 'li.r@href', title: a, link: a@href}",
     "feeds[0].selectors.item (line 12): the item selector takes no @attribute"),
    ("  us_actions:", "  " + "x" * 101 + ": {any: [y]}\n  us_actions:",
     "topics." + "x" * 101 + " (line 5): a topic id has at most 100 characters (the database's columns that "
     "store it are that long), not 101: shorten it"),
    ("  us_actions:", '  "": {any: [y]}\n  us_actions:', "topics. (line 5): a topic id is empty: give the topic a name"),
    ("    interval: 10m", "    interval: 10m\n    outlet: " + "El Pitazo " * 21,
     "feeds[0].outlet (line 11): String should have at most 200 characters"),
    ("    interval: 10m", "    interval: 10m\n    enabled: perhaps", "feeds[0].enabled (line 11): Input should be a valid boolean"),
    ("settings:\n  timezone: America/Caracas\n", "settings:\n  http_listen: localhost\n", "settings.http_listen (line 2): invalid address"),
    ("    topics: [political_prisoners]", "    topics: [political_prisoners]\n    tally_chart: sometimes", "channels[0].tally_chart (line 15): invalid tally_chart 'sometimes': use true, false, daily, weekly, off"),
    ("    topics: [political_prisoners]", "    topics: [political_prisoners]\n    tally_chart: {every: monthly}", "channels[0].tally_chart.every (line 15): Input should be 'daily', 'weekly' or 'off'"),
]


@pytest.mark.parametrize(("written", "every"), [
    ("", None), ("true", "weekly"), ("false", None), ("daily", "daily"), ("off", None),
    ("{every: weekly, day: friday}", "weekly"),
])
def test_tally_chart_shorthands(written, every):
    text = BASE.replace("    topics: [political_prisoners]",
                        "    topics: [political_prisoners]" + (f"\n    tally_chart: {written}" if written else ""))
    schedule = parse_config(dedent(text), "test.yaml").channels[0].chart_schedule
    assert (schedule.every if schedule else None) == every


@pytest.mark.parametrize(("old", "new", "expected"), BROKEN)
def test_broken_config_reports_location_and_message(old, new, expected):
    assert old in BASE
    issues = errors_of(BASE.replace(old, new, 1))
    assert any(issue.startswith(expected) for issue in issues), issues


def test_duplicate_names_are_reported_with_first_use():
    text = BASE + '  - {name: prisoners, chat_id: "-1001234567", topics: [us_actions]}\n'
    text = text.replace("feeds:\n", "feeds:\n  - {name: pitazo, url: 'https://a.org/x', language: es}\n")
    issues = errors_of(text)
    assert any(
        i.startswith("feeds[1].name (line 8): duplicate name 'pitazo' (first used at feeds[0])")
        for i in issues
    ), issues
    assert any(i.startswith("channels[1].name (line 16): duplicate name 'prisoners'") for i in issues), issues


def test_two_feeds_of_one_url_are_warned_of_unless_pages_with_other_selectors():
    """Two rss feeds of one URL passed check-config in silence: the document was fetched twice
    per round, and items without a link stored twice (under both feeds), or raced in by two
    polls at once. Two pages of one URL with other selectors read other parts of it: no
    warning. DESIGN.md makes only feed names unique, so it stops nothing."""
    text = BASE.replace("feeds:\n", "feeds:\n  - {name: pitazo-2, url: 'HTTPS://ElPitazo.net:443/feed/#x', language: en}\n"
                        "  - {name: off, url: 'https://elpitazo.net/feed/', language: es, enabled: false}\n")
    assert cautions_of(text) == [
        "feeds[2].url (line 10): the same URL as feeds[0] ('pitazo-2'): its items would be fetched and "
        "stored twice; remove one (only two page feeds with other selectors may share a URL)"]
    page = "{name: %s, url: 'https://ve.example/', type: page, language: es, selectors: {item: %s, title: a, link: a@href}}"
    pages = BASE.replace("feeds:\n", "feeds:\n  - " + page % ("p1", "li") + "\n  - " + page % ("p2", "article") + "\n")
    assert [f.name for f in parse_config(pages).feeds] == ["p1", "p2", "pitazo"] and cautions_of(pages) == []
    broken = BASE.replace("feeds:\n", "feeds:\n  - {name: v6, url: 'https://[::1', language: es}\n")
    assert errors_of(broken) == ["feeds[0].url (line 7): invalid URL 'https://[::1': cannot be parsed"]
    same = BASE.replace("feeds:\n", "feeds:\n  - " + page % ("p1", "li") + "\n  - " + page % ("p2", "' li '") + "\n")
    assert cautions_of(same) == [
        "feeds[1].url (line 8): the same URL and selectors as feeds[0] ('p1'): its items would be "
        "fetched and stored twice; remove one"]


def test_two_instant_channels_of_one_chat_with_a_topic_in_common_are_warned_of():
    """Each channel gets its own alert row: an item of political_prisoners reached @presos_ve
    twice, from 'prisoners' and from 'all', and check-config said nothing. A digest beside it,
    or other languages, is fine."""
    text = BASE + '  - {name: all, chat_id: "@Presos_VE", topics: [us_actions, political_prisoners]}\n'
    assert cautions_of(text) == [
        "channels[1].chat_id (line 15): the same chat as channels[0] ('prisoners'), both instant with topic "
        "'political_prisoners': its alerts would reach the chat twice; list the topics in one channel, "
        "or give each its own languages"]
    fine = [' - {name: us, chat_id: "@presos_ve", topics: [us_actions]}',
            ' - {name: en, chat_id: "@presos_ve", topics: [political_prisoners], languages: [en]}',
            ' - {name: d, chat_id: "@presos_ve", topics: [political_prisoners], mode: digest, schedule: ["08:00"]}',
            ' - {name: c2, chat_id: "-100123", topics: [political_prisoners]}']
    config = parse_config(BASE.replace("    topics: [political_prisoners]\n", "    topics: [political_prisoners]\n"
                                       "    languages: [es]\n") + "".join(f" {line}\n" for line in fine))
    assert len(config.channels) == 5 and config.cautions == []


def test_every_error_is_reported_at_once():
    text = BASE.replace("interval: 10m", "interval: forever").replace("language: es", "language: xx")
    text = text.replace("topics: [political_prisoners]", "topics: [nope]")
    issues = errors_of(text)
    assert len(issues) == 3, issues
    assert [i.split(" ")[0] for i in issues] == ["feeds[0].language", "feeds[0].interval", "channels[0].topics[0]"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("settings: [unclosed\n", "(YAML syntax) (line 2)"),
        ("feeds:\n  - name: a\n   url: b\n", "(YAML syntax) (line 3)"),
        ("", "(top level): the file is empty"),
        ("- just\n- a list\n", "(top level) (line 1): expected a mapping"),
        ("feeds: []\n", "topics (line 1): no topics: write rules: [venezuela-2026]"),
        ("topics: {}\n", "topics (line 1): Dictionary should have at least 1 item"),
        ("topics:\n  political_prisoners: {}\n", "topics.political_prisoners (line 2)"),
    ],
)
def test_unusable_files(text, expected):
    issues = errors_of(text)
    assert any(i.startswith(expected) for i in issues), issues


def test_a_file_written_without_the_rule_pack_says_how_to_name_it():
    """An operator's first feeds.yaml, written from docs/CONFIG.md's feeds and channels: with no
    `rules:` check-config said `topics (line 1): required key is missing` and `unknown topic
    'political_prisoners'; known topics: none`, which sent them to write the rules themselves."""
    issues = errors_of(dedent("""\
        feeds:
          - {name: el-pitazo, url: "https://elpitazo.net/feed/", language: es}
        channels:
          - {name: presos, chat_id: "@presos", topics: [political_prisoners]}
        """))
    assert issues == [
        'topics (line 1): no topics: write rules: [venezuela-2026] for the shipped rule pack\'s '
        '(shipped packs: venezuela-2026), or topics of your own (docs/CONFIG.md, "Rule packs")',
        "channels[0].topics[0] (line 4): unknown topic 'political_prisoners'; the file defines no "
        "topics (see the error at topics)",
    ]
    fixed = parse_config("rules: [venezuela-2026]\nfeeds: []\n"
                         "channels: [{name: presos, chat_id: '@presos', topics: [political_prisoners]}]\n", "test.yaml")
    assert fixed.channels[0].topics == ["political_prisoners"]


def test_missing_file_is_a_config_error(tmp_path):
    from core.config import load_config

    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


def test_a_missing_config_says_where_it_was_looked_for_and_how_to_name_another(tmp_path, monkeypatch):
    """`feeds.yaml: file not found`, run from another directory than the checkout, left the
    operator guessing which file was meant and how to give the right one."""
    from core.config import load_config

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as err:
        load_config("feeds.yaml")
    assert err.value.render() == (
        f"feeds.yaml: file not found ({tmp_path / 'feeds.yaml'}, the config named by --config PATH, "
        "else $MONITOR_CONFIG, else ./feeds.yaml in the working directory)")
    with pytest.raises(ConfigError) as err:
        load_config("/etc/monitor/feeds.yaml  # mine")
    assert err.value.render() == ("/etc/monitor/feeds.yaml  # mine: file not found (a comment after "
                                  "the value in an env file? put it on a line of its own)")


def test_a_config_that_is_a_dangling_link_says_where_it_points(tmp_path):
    """/etc/monitor/feeds.yaml, a link to a checkout moved away: `ls` shows the file, and the
    error said only `file not found (…)` of it."""
    from core.config import load_config

    link = tmp_path / "feeds.yaml"
    link.symlink_to(tmp_path / "moved" / "feeds.yaml")
    with pytest.raises(ConfigError) as err:
        load_config(link)
    assert err.value.render() == (
        f"{link}: file not found: it is a symbolic link to {tmp_path / 'moved' / 'feeds.yaml'}, which does not exist")


@pytest.mark.parametrize("name", ["feeds.yaml\n", "feeds.yaml ", " feeds.yaml"])
def test_a_config_name_with_white_space_around_it_says_so_on_one_line(tmp_path, monkeypatch, name):
    """`MONITOR_CONFIG` with a pasted line break (or a space an env file kept) named a file that
    is there: the error said `file not found (…/feeds.yaml`, its line broken in the name, and
    nothing of the white space."""
    from core.config import load_config

    monkeypatch.chdir(tmp_path)
    (tmp_path / "feeds.yaml").write_text(BASE, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(name)
    shown = name if name.isprintable() else repr(name)
    assert err.value.render() == (
        f"{shown}: file not found: the name {name!r} begins or ends with white space (a space or "
        "line break after the value of --config or $MONITOR_CONFIG?)")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("10m", 600), ("6h", 21600), ("2d", 172800), ("1h30m", 5400), (45, 45), ("120", 120)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "ten minutes", "10x", "m10", "-5m", True, None, "1h 30 parsecs"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_duration_round_trips():
    for text in ("45s", "10m", "6h", "1d2h"):
        assert format_duration(parse_duration(text)) == text


def test_environment_overrides_the_file():
    config = parse_config(BASE.replace("  timezone: America/Caracas\n", "  database_url: sqlite:///from-file.db\n"))
    runtime = resolve_runtime(config, config_path="x.yaml", env={})
    assert runtime.database_url == "sqlite:///from-file.db"
    assert runtime.telegram_api_url == "https://api.telegram.org" and runtime.bot_token is None
    env = {"DATABASE_URL": "sqlite:///env.db", "TELEGRAM_API_URL": "http://127.0.0.1:9/", "TELEGRAM_BOT_TOKEN": "123:abc"}
    runtime = resolve_runtime(config, config_path="x.yaml", env=env)
    assert runtime.database_url == "sqlite:///env.db"
    assert runtime.telegram_api_url == "http://127.0.0.1:9"
    assert runtime.bot_token == "123:abc" and "123:abc" not in repr(runtime)
    flag = resolve_runtime(config, config_path="x.yaml", db_flag="sqlite:///flag.db", env=env)
    assert flag.database_url == "sqlite:///flag.db"


@pytest.mark.parametrize("token,why", [
    ("123456789:AAHfake-token_for_tests  # the bot", "contains white space (a comment after the value?)"),
    ("123456789:AAHfake/token#for_tests", "holds characters no bot token has (/, ?, #, % or a non-ASCII one)"),
    # a secret made from `echo TOKEN > file`, an env file saved with CRLF: "a comment after the
    # value?" was the only cause said, and there was none to see
    *((f"123456789:AAHfake-token_for_tests{end}", "begins or ends with white space or a line break (the "
       "token pasted with its line, or an env file saved with Windows line ends?)") for end in ("\n", "\r", " ")),
])
def test_a_bot_token_that_can_never_be_right_is_refused_without_quoting_it(token, why):
    """A comment an env file kept after the token made Telegram refuse every send, retried for
    ever as if Telegram were down; now the commands that send stop with exit 2 (ConfigError)."""
    with pytest.raises(ConfigError) as err:
        resolve_runtime(None, config_path="x.yaml", env={"TELEGRAM_BOT_TOKEN": token})
    said = err.value.render()
    assert said == f"TELEGRAM_BOT_TOKEN: the value {why}; alerts cannot be sent with it"
    assert "AAHfake" not in said


@pytest.mark.parametrize("token", ["bot123456789:AAHfake-token_for_tests", "test-token", "TOKEN"])
def test_a_bot_token_of_another_form_than_botfathers_is_used(token):
    # a local Bot API server's or an outside check's emulator may take any token: Telegram's
    # refusal (401) is what tells a wrong one, with what to do (docs/OPERATIONS.md)
    runtime = resolve_runtime(None, config_path="x.yaml", env={"TELEGRAM_BOT_TOKEN": token})
    assert runtime.bot_token == token


def test_without_a_token_the_telegram_channels_are_named_not_the_console_ones():
    """No token: every channel prints to the console and its alerts are marked sent, so a
    Telegram channel never gets them; the warning names each such channel, and is silent
    with a token or with console channels only."""
    from core.config import console_fallback

    config = parse_config(BASE + '  - {name: screen-copy, chat_id: console, topics: [us_actions]}\n')
    without = resolve_runtime(config, config_path="x.yaml", env={})
    said = console_fallback(config, without)
    assert said is not None
    assert "1 Telegram channel(s), prisoners (@presos_ve)," in said and "screen-copy" not in said
    assert said.startswith("TELEGRAM_BOT_TOKEN is not set") and "marked sent" in said
    with_token = resolve_runtime(config, config_path="x.yaml", env={"TELEGRAM_BOT_TOKEN": "123:abc"})
    assert console_fallback(config, with_token) is None
    console_only = parse_config(BASE.replace('"@presos_ve"', "console"))
    assert console_fallback(console_only, without) is None


@pytest.mark.parametrize("text,line,column", [
    ("settings:\n\ttimezone: America/Caracas\n", 2, 1),
    ("settings:\n  timezone: America/Caracas\n  \tretention: 90d\n", 3, 3),
    ("settings:\n  retention:\t90d\n", 2, 13),
])
def test_a_tab_is_named_with_its_line_column_and_fix(text, line, column):
    """ruamel said `found character '\\t' that cannot start any token`, which names no fix."""
    assert errors_of(text) == [
        f"(YAML syntax) (line {line}): a tab at column {column}: YAML takes only spaces there "
        "(indentation included); replace the tab with spaces"
    ]


@pytest.mark.parametrize("text,expected", [
    # a key one space short of its siblings (ruamel: expected <block end>, but found '<block mapping start>')
    ("feeds:\n  - name: a\n   url: b\n",
     "(YAML syntax) (line 3): this line is indented to column 4, off the block begun at line 2, column 3: "
     "indent it with as many spaces as the keys of its mapping (or the '-' of its list) above it"),
    # a feed's key written at the column of the list's '-' (ruamel: ... but found '?')
    ("feeds:\n  - name: a\n    url: https://a.example/feed\n  enabled: false\n",
     "(YAML syntax) (line 4): a key at column 3, where the list begun at line 2, column 3 has its '-': "
     "indent it as the keys of the item above it, or begin the line with '- '"),
    # a second feed's '-' at the column of the first feed's keys (ruamel: ... but found '-')
    ("feeds:\n- name: a\n  url: https://a.example/feed\n  - name: b\n",
     "(YAML syntax) (line 4): a '-' at column 3, where the mapping begun at line 2, column 3 has its keys: "
     "indent it as the '-' of the other items of its list"),
    # a plain value holding ': ' (ruamel: mapping values are not allowed here)
    ("feeds:\n  - outlet: Caracas: hoy\n",
     "(YAML syntax) (line 2): a ': ' at column 20 where YAML expects none: quote a value that holds ': ' "
     "(name: \"Caracas: hoy\"), or indent the line as the keys beside it, not deeper"),
    # a flow mapping never closed (ruamel: expected ',' or '}', but got '<stream end>')
    ("channels:\n  - {name: a, chat_id: console, topics: [political_prisoners]\n",
     "(YAML syntax) (line 3): the '{' opened at line 2, column 5 is not closed: close it with } "
     "(or separate its items with commas)"),
    ("settings: {timezone: \"UTC}\n",
     "(YAML syntax) (line 2): the quote opened at line 1, column 22 is never closed: end the value with the same quote"),
])
def test_a_layout_slip_names_its_fix(text, expected):
    """ruamel's parser words (`expected <block end>, but found '?'`, `mapping values are not
    allowed here`) named neither the cause nor the fix of an operator's commonest slips after the
    tab: a line indented off its block, a value holding ': ', a bracket or quote left open."""
    assert errors_of(text) == [expected]


def test_a_section_whose_entries_are_all_commented_out_says_so():
    """`feeds:` with every feed commented out (to stop them all for a while) is YAML's null:
    pydantic said `Input should be a valid list`, of a section that looks like one."""
    assert errors_of(
        "rules: [venezuela-2026]\nsettings:\n  # timezone: UTC\nfeeds:\n  # - {name: a}\n  -\n"
    ) == [
        "settings (line 2): nothing follows 'settings:' (its entries commented out?): give them, or write settings: {}",
        "feeds[0] (line 6): an empty entry (a '-' with nothing after it): remove the line",
    ]
    assert errors_of("rules: [venezuela-2026]\nchannels:\n  # - {name: c}\n") == [
        "channels (line 2): nothing follows 'channels:' (its entries commented out?): give them, or write channels: []",
    ]


@pytest.mark.parametrize("text,line,key", [
    ("settings:\n  database_url: postgresql://monitor:s3cret@db/monitor\nsettings:\n  timezone: UTC\n",
     3, "settings"),
    ("feeds:\n  - {name: a, url: 'https://a.example/feed', language: es, language: en}\n", 2, "language"),
])
def test_a_key_written_twice_is_named_without_its_values(text, line, key):
    """ruamel quoted both values of the key whole: a `feeds:` written twice printed every feed
    on one line, a `settings:` written twice the database_url's password."""
    assert errors_of(text) == [
        f"(YAML syntax) (line {line}): the key '{key}' is written twice in one mapping: keep one (merge the two)"
    ]


@pytest.mark.parametrize("text,line,value", [
    ("channels:\n  - name: a\n    chat_id: @presos_ve\n    topics: [political_prisoners]\n", 3, "@presos_ve"),
    ("channels:\n  - {name: a, chat_id: @presos_ve, topics: [political_prisoners]}\n", 2, "@presos_ve"),
    ("feeds:\n  - name: `pitazo`\n", 2, "`pitazo`"),
])
def test_a_value_begun_with_at_unquoted_says_to_quote_it(text, line, value):
    """`chat_id: @presos` unquoted, the commonest way to write a channel: ruamel said `found
    character '@' that cannot start any token`."""
    [error] = errors_of(text)
    assert error == f"(YAML syntax) (line {line}): a value beginning with {value[0]} must be quoted in YAML: " \
        f'write "{value}"'


def test_config_limits_fit_the_columns_that_store_them():
    """PostgreSQL refuses a longer value with the row that holds it (SQLite does not check)."""
    from core.config import TOPIC_CHARS, ChannelConfig, FeedConfig
    from storage.models import Channel, Feed, Feedback, Match

    def limit(model, field: str) -> int:
        return next(m.max_length for m in model.model_fields[field].metadata if hasattr(m, "max_length"))

    assert Match.__table__.c.topic.type.length == Feedback.__table__.c.topic.type.length == TOPIC_CHARS
    assert Feed.__table__.c.name.type.length == limit(FeedConfig, "name")
    assert Channel.__table__.c.name.type.length == limit(ChannelConfig, "name")


def test_the_default_feeds_name_their_outlets_as_readers_know_them(default_config):
    """Messages name a feed by its `outlet` (default: its `name`): with the default feeds.yaml
    every alert read "🔗 Leer en el-pitazo", "También: bbc-mundo, efecto-cocuyo"."""
    for feed in default_config.feeds:
        assert feed.outlet and feed.display_name != feed.name, feed.name
        assert not re.fullmatch(r"[a-z0-9-]+", feed.display_name), feed.display_name
    assert default_config.feed("el-pitazo").display_name == "El Pitazo"


@pytest.mark.parametrize(("written", "value"), [
    (None, timedelta(hours=6)), ("2d", timedelta(days=2)), ("off", timedelta(0)), ("0", timedelta(0)),
    ("0s", timedelta(0)), ("10m", timedelta(minutes=10)),
])
def test_catch_up_after_is_a_duration_or_off(written, value):
    """settings.catch_up_after (alerts/catch_up.py): 6h by default; `off` or 0 turns it off."""
    text = BASE if written is None else BASE.replace("settings:\n", f"settings:\n  catch_up_after: {written}\n")
    assert parse_config(text).settings.catch_up_after == value


def test_a_catch_up_after_shorter_than_ten_minutes_is_refused():
    """A backlog sent at the chat's rate (20 a minute) waits minutes: a catch-up after 2 minutes
    would fold alerts that are only waiting their turn."""
    text = BASE.replace("settings:\n", "settings:\n  catch_up_after: 2m\n")
    assert errors_of(text) == [
        "settings.catch_up_after (line 2): catch_up_after 2m is too short: alerts still going out at the "
        "chat's rate would be folded; 10m is the minimum (off: no catch-up)"]


def test_the_schema_takes_catch_up_after_off_or_a_duration():
    jsonschema = pytest.importorskip("jsonschema")
    from monitor.config_cli import config_schema

    prop = config_schema()["$defs"]["Settings"]["properties"]["catch_up_after"]
    assert prop["default"] == "6h"
    check = jsonschema.Draft202012Validator({k: v for k, v in prop.items() if k != "default"})
    assert [bool(list(check.iter_errors(v))) for v in ("off", "6h", 0, "soon")] == [False, False, False, True]
