"""`monitor feeds add/remove/import/export` against a real loopback HTTP server
(devtools/feedserver.py) and real files: comments kept, bad input refused in one line."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from core.config import load_config
from devtools.feedserver import FeedServer
from monitor.cli import main

ROOT = Path(__file__).resolve().parents[2]

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="es">
  <title>Diario de prueba</title><id>urn:x</id><updated>2026-01-05T10:00:00Z</updated>
  <entry><title>Excarcelan a dos presos políticos</title><id>urn:1</id>
    <link href="http://127.0.0.1/a1"/><updated>2026-01-05T10:00:00Z</updated></entry>
</feed>"""
PAGE = """<!doctype html><html lang="es"><head><title>Diario</title>
<link rel="alternate" type="application/atom+xml" title="Noticias" href="/noticias.atom">
</head><body><h1>Diario</h1></body></html>"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    shipped = (ROOT / "feeds.yaml").read_text(encoding="utf-8")
    path = tmp_path / "feeds.yaml"
    path.write_text(shipped, encoding="utf-8")
    return path


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_discovers_the_atom_link_of_a_page(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = config.read_text(encoding="utf-8")
    with FeedServer() as server:
        server.set_route("/", PAGE, content_type="text/html; charset=utf-8")
        server.set_route("/noticias.atom", ATOM, content_type="application/atom+xml")
        code, out, err = run(capsys, "feeds", "add", server.url("/"), "--config", str(config),
                             "--interval", "15m")
        assert code == 0, err
        assert "added 127-0-0-1" in out and "1 entries, language es" in out
        feed_url = server.url("/noticias.atom")
        # the URL of a feed itself; the name derived from the same host is made unique
        server.set_route("/otra.atom", ATOM.replace("urn:x", "urn:y"), content_type="application/atom+xml")
        code, out, err = run(capsys, "feeds", "add", server.url("/otra.atom"), "--config", str(config))
        assert code == 0 and "added 127-0-0-1-2" in out, err
    after = config.read_text(encoding="utf-8")
    assert comments(after) == comments(before)
    assert after.startswith(before.split("\nchannels:")[0])  # only appended after the last feed
    assert (f'- {{name: 127-0-0-1, outlet: Diario de prueba, url: {feed_url}, language: es, interval: 15m}}'
            in after)
    added = load_config(config).feed("127-0-0-1")
    assert added is not None and added.url == feed_url
    assert run(capsys, "check-config", str(config))[0] == 0


def test_add_finds_the_feed_of_a_folder_served_by_the_feed_server(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """The README's way to try `feeds add` offline: a folder served by `python -m
    devtools.feedserver DIR`, its root given. The root answered 404 (only files were served), so
    `monitor feeds add http://127.0.0.1:PORT/` said `cannot fetch …: HTTP 404`; now a folder's
    path answers its index.html, as a web server does."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "noticias.atom").write_text(ATOM, encoding="utf-8")
    with FeedServer(static_dir=site) as server:
        code, out, err = run(capsys, "feeds", "add", server.url("/"), "--config", str(config))
        feed_url = server.url("/noticias.atom")
    assert code == 0, err
    assert out.startswith(f"added 127-0-0-1: {feed_url} (Diario de prueba), 1 entries, language es")
    added = load_config(config).feed("127-0-0-1")
    assert added is not None and added.url == feed_url


def test_add_names_the_outlet_by_the_site_its_feeds_title_names(
    config: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`feeds add` wrote no `outlet`, so the feed's alerts read "Leer en 127-0-0-1-2" (the name
    made from the host) until the operator edited the file. The outlet is now the part of the
    feed's title that names its site ("El Pitazo – Noticias de Venezuela" of elpitazo.net), a short
    title of one part as it is, else none, and the line says so and how to give one."""
    titled = ATOM.replace("<title>Diario de prueba</title>", "<title>{}</title>")
    with FeedServer() as server:
        server.set_route("/uno.atom", titled.format("Noticias de Venezuela y del mundo, todo el día"),
                         content_type="application/atom+xml")
        server.set_route("/dos.atom", titled.format("Noticias de Venezuela y del mundo, todo el día")
                         .replace("urn:x", "urn:2"), content_type="application/atom+xml")
        code, out, err = run(capsys, "feeds", "add", server.url("/uno.atom"), "--config", str(config))
        assert code == 0, err
        assert "alerts name it 127-0-0-1 (no site name in its title: give --outlet" in out
        code, out, err = run(capsys, "feeds", "add", server.url("/dos.atom"), "--config", str(config),
                             "--name", "dos", "--outlet", " El Pitazo ")
        assert code == 0 and "alerts name it El Pitazo;" in out, err
        code, out, err = run(capsys, "feeds", "add", server.url("/dos.atom"), "--config", str(config),
                             "--name", "tres", "--outlet", " ")
        assert code == 2 and "--outlet is empty" in err
    loaded = load_config(config)
    assert loaded.feed("127-0-0-1").outlet is None
    assert loaded.feed("127-0-0-1").display_name == "127-0-0-1"
    assert loaded.feed("dos").display_name == "El Pitazo"
    assert loaded.feed("tres") is None


@pytest.mark.parametrize(("title", "url", "outlet"), [
    ("El Pitazo – Noticias de Venezuela", "https://elpitazo.net/feed/", "El Pitazo"),
    ('"presos políticos" - Google News', "https://news.google.com/rss/search?q=x", "Google News"),
    ("Infobae: Venezuela", "https://www.infobae.com/feeds/rss/", "Infobae"),
    ("CNN en Español", "https://cnnespanol.cnn.com/feed/", "CNN en Español"),
    ("Runrun.es – En defensa de tus derechos humanos", "https://runrun.es/feed/", "Runrun.es"),
    ("Diario de prueba", "http://127.0.0.1:8000/feed", "Diario de prueba"),
    ("Portada | BBC News Mundo", "https://feeds.bbci.co.uk/mundo/rss.xml", None),
    ("Noticias de Venezuela y del mundo, todo el día", "https://example.org/feed", None),
    ("Feed", "https://runrun.es/feed", None),
    ("", "https://elpitazo.net/feed/", None),
])
def test_the_outlet_read_from_a_feeds_title(title: str, url: str, outlet: str | None) -> None:
    from monitor.feeds_cli import outlet_from_title

    assert outlet_from_title(title, url) == outlet


def test_a_feed_password_never_reaches_the_terminal_nor_an_export(
    config: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`feeds add` printed the URL it was given or found with its `user:password@` ("added x:
    http://reader:s3cr%40t@…"), and a refused add printed the password of the feed already
    configured ("written http://reader:…@…"); an export of a password holding a raw "@" wrote
    its end as the URL's userinfo. Now every line says "***@" and the export no userinfo; the
    config keeps the password (the poll needs it)."""
    with FeedServer() as server:
        server.set_route("/feed.atom", ATOM, content_type="application/atom+xml")
        url = server.url("/feed.atom").replace("http://", "http://reader:s3cr%40t@")
        code, out, err = run(capsys, "feeds", "add", url, "--config", str(config))
        assert code == 0 and out.startswith("added 127-0-0-1: http://***@127.0.0.1:"), err
        lines = [out + err]
        again = server.url("/feed.atom").replace("http://", "http://other:s3cr%40t2@")
        code, out, err = run(capsys, "feeds", "add", again, "--config", str(config))
        assert code == 2 and "(written http://***@127.0.0.1:" in err
        lines.append(out + err)
        missing = server.url("/nothing").replace("http://", "http://reader:s3cr%40t@")
        code, out, err = run(capsys, "feeds", "add", missing, "--config", str(config))
        assert code == 1 and err.startswith("error: cannot fetch http://***@127.0.0.1:")
        lines.append(out + err)
    assert load_config(config).feed("127-0-0-1").url == url
    shown = "".join(lines)
    assert "s3cr" not in shown and "reader" not in shown and "other" not in shown
    config.write_text("rules: [venezuela-2026]\nfeeds:\n"
                      "  - {name: raw, url: 'https://reader:p@ss@example.org/feed', language: es}\n", encoding="utf-8")
    code, out, err = run(capsys, "feeds", "export", "--config", str(config))
    assert code == 0, err
    urls = {o.get("xmlUrl") for o in ET.fromstring(out).iter("outline")}
    assert "https://example.org/feed" in urls and not any("@" in u for u in urls)
    assert "s3cr" not in out and "ss@" not in out


def test_add_refuses_bad_input_in_one_line_and_changes_nothing(
    config: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    before = config.read_text(encoding="utf-8")
    with FeedServer() as server:
        server.set_route("/plain", "<html><body>no feed here</body></html>", content_type="text/html")
        server.set_route("/broken", PAGE.replace("/noticias.atom", "/rota.atom"), content_type="text/html")
        server.set_route("/rota.atom", "<feed><title>cut", content_type="application/atom+xml")
        server.set_route("/feed.atom", ATOM, content_type="application/atom+xml")
        cases = [
            (server.url("/plain"), [], "no feed found at"),
            (server.url("/broken"), [], "no working feed at"),
            (server.url("/feed.atom"), ["--name", "efecto-cocuyo"], "a feed named 'efecto-cocuyo' already exists"),
            ("https://efectococuyo.com/feed/", ["--name", "otro"], "already in the config as 'efecto-cocuyo'"),
        ]
        for url, extra, message in cases:
            code, out, err = run(capsys, "feeds", "add", url, "--config", str(config), *extra)
            assert code != 0 and message in err, (url, err)
            assert len(err.strip().splitlines()) == 1 and not out
            assert config.read_text(encoding="utf-8") == before
        if os.geteuid() != 0:  # root writes read-only files anyway
            config.chmod(0o444)
            code, _, err = run(capsys, "feeds", "add", server.url("/feed.atom"), "--config", str(config))
            assert code != 0 and "read-only" in err
            config.chmod(0o644)
    assert config.read_text(encoding="utf-8") == before


def test_add_exits_1_when_the_fetch_fails_and_2_when_the_url_is_no_feed(
    config: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """A network failure is a runtime failure (exit 1, as DESIGN.md's exit codes say); a
    page without a working feed is bad input (exit 2). Nothing changed either way."""
    import socket

    before = config.read_text(encoding="utf-8")
    with socket.socket() as sock:  # a port on which nothing listens
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/feed"
    with FeedServer() as server:
        server.set_route("/gone", PAGE.replace("/noticias.atom", "/missing.atom"), content_type="text/html")
        server.set_route("/broken", PAGE.replace("/noticias.atom", "/rota.atom"), content_type="text/html")
        server.set_route("/rota.atom", "<feed><title>cut", content_type="application/atom+xml")
        server.set_route("/plain", "<html><body>no feed here</body></html>", content_type="text/html")
        cases = [
            (closed, 1, f"error: cannot fetch {closed}: "),
            (server.url("/gone"), 1, f"error: no working feed at {server.url('/gone')}: "
                                     f"{server.url('/missing.atom')}: "),
            (server.url("/broken"), 2, "error: no working feed at"),
            (server.url("/plain"), 2, "error: no feed found at"),
        ]
        for url, expected, message in cases:
            code, out, err = run(capsys, "feeds", "add", url, "--config", str(config))
            assert (code, out) == (expected, ""), (url, err)
            assert err.startswith(message) and err.count("\n") == 1, err
    assert config.read_text(encoding="utf-8") == before


@pytest.mark.parametrize("url, said", [
    ("not a url", "invalid URL 'not a url': expected http:// or https:// and a host name"),
    ("ftp://example.org/feed", "invalid URL 'ftp://example.org/feed': expected http:// or https://"),
    ("https://user:s3cret@", "invalid URL 'https://***@': expected http:// or https://"),
])
def test_add_refuses_a_url_that_is_no_web_address_as_bad_input(
    config: Path, capsys: pytest.CaptureFixture[str], url: str, said: str,
) -> None:
    """Bad input, as check-config says it of a feed's url (exit 2). It was tried as a fetch:
    `error: cannot fetch not a url: ValueError: unknown url type: '/not%20a%20url'`, exit 1."""
    before = config.read_text(encoding="utf-8")
    code, out, err = run(capsys, "feeds", "add", url, "--config", str(config), "--language", "es")
    assert (code, out) == (2, ""), err
    assert err.startswith(f"error: {said}") and err.count("\n") == 1 and "s3cret" not in err, err
    assert config.read_text(encoding="utf-8") == before


def test_add_skips_a_feed_link_that_is_no_valid_url(
    config: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """A page listing a feed at `http://0177.0.0.1/feed` (an octal address httpx refuses)
    stopped `feeds add` with a traceback; the link is now one that failed."""
    bad = '<link rel="alternate" type="application/rss+xml" href="http://0177.0.0.1/feed">'
    with FeedServer() as server:
        server.set_route("/", PAGE.replace("<link ", bad + "\n<link "), content_type="text/html")
        server.set_route("/noticias.atom", ATOM, content_type="application/atom+xml")
        code, out, err = run(capsys, "feeds", "add", server.url("/"), "--config", str(config))
        assert code == 0 and "added 127-0-0-1" in out, err
        assert load_config(config).feeds[-1].url == server.url("/noticias.atom")
        server.set_route("/only-bad", PAGE.replace('href="/noticias.atom"', 'href="http://0177.0.0.1/feed"'),
                         content_type="text/html")
        code, out, err = run(capsys, "feeds", "add", server.url("/only-bad"), "--config", str(config))
        assert (code, out) == (1, "") and err.count("\n") == 1, err
        assert "http://0177.0.0.1/feed: invalid URL: " in err
        # a link the URL parser itself refuses (an unclosed IPv6 bracket) stopped it with a traceback
        server.set_route("/unparsable", PAGE.replace('href="/noticias.atom"', 'href="http://[::1/feed"'),
                         content_type="text/html")
        code, out, err = run(capsys, "feeds", "add", server.url("/unparsable"), "--config", str(config))
    assert code == 2 and err.count("\n") == 1 and "no feed found at" in err, err


def test_add_and_remove_take_a_name_as_the_config_keeps_it(
    config: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`--name " efecto-cocuyo "` is the feed efecto-cocuyo: refused before any fetch (the
    URL below would not answer), not written as a second feed of the same name."""
    before = config.read_text(encoding="utf-8")
    for name, message in ((" efecto-cocuyo ", "a feed named 'efecto-cocuyo' already exists"),
                          ("  ", "--name is empty")):
        code, out, err = run(capsys, "feeds", "add", "http://127.0.0.1:9/feed.xml", "--name", name,
                             "--config", str(config))
        assert code == 2 and err.startswith(f"error: {message}") and err.count("\n") == 1 and not out
    assert config.read_text(encoding="utf-8") == before
    code, out, err = run(capsys, "feeds", "remove", "efecto-cocuyo ", "--config", str(config))
    assert code == 0 and out == "removed efecto-cocuyo\n", err
    assert load_config(config).feed("efecto-cocuyo") is None


def test_remove_keeps_comments_and_other_entries(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = config.read_text(encoding="utf-8")
    shipped = load_config(config)
    for name in ("el-nacional", "hrw-venezuela", "efecto-cocuyo", "gnews-us-venezuela"):
        code, out, err = run(capsys, "feeds", "remove", name, "--config", str(config))
        assert code == 0, err
    after = config.read_text(encoding="utf-8")
    assert comments(after) == comments(before)
    left = [f.name for f in load_config(config).feeds]
    assert left == [f.name for f in shipped.feeds
                    if f.name not in ("el-nacional", "hrw-venezuela", "efecto-cocuyo", "gnews-us-venezuela")]
    code, _, err = run(capsys, "feeds", "remove", "nope", "--config", str(config))
    assert code == 2 and err.startswith("error: no feed named 'nope'")


def test_removing_whole_groups_and_the_last_feed_keeps_every_comment(
    config: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """Headings live before the item under them or after the item above; removing the
    last feed of a group, or of the list, moves them instead of refusing."""
    before = config.read_text(encoding="utf-8")
    names = [f.name for f in load_config(config).feeds]
    for name in reversed(names[-9:]):  # the tail: Google News, the US government, more
        code, _, err = run(capsys, "feeds", "remove", name, "--config", str(config))
        assert code == 0, err
    after = config.read_text(encoding="utf-8")
    assert comments(after) == comments(before)
    assert [f.name for f in load_config(config).feeds] == names[:-9]
    code, out, err = run(capsys, "check-config", str(config))
    assert code == 0, err


ONLY_FEED = [
    (  # a comment above the only feed, one after it, and the next section's heading
        'feeds:\n  # the only feed\n  - {name: x, url: "https://x.example/feed", language: es}\n'
        "  # add more here\n\n# Channels\nchannels:\n",
        "feeds: []\n  # the only feed\n  # add more here\n\n# Channels\nchannels:\n",
    ),
    (
        'feeds:\n  # the only feed\n  - {name: x, url: "https://x.example/feed", language: es}\nchannels:\n',
        "feeds: []\n  # the only feed\nchannels:\n",
    ),
    (
        'feeds:\n  - {name: x, url: "https://x.example/feed", language: es}\n\n# Channels\nchannels:\n',
        "feeds: []\n\n# Channels\nchannels:\n",
    ),
    (  # block style, comments at the ends of lines and in a nested mapping; one above `feeds:`
        "# the feeds\nfeeds:  # polled\n  # the only feed\n  - name: x  # short\n"
        '    url: "https://x.example/feed"\n    language: es\n    type: page\n'
        "    selectors:\n      item: div  # each story\n      title: h2\n      link: a@href\n"
        "    # more later\n\n# Channels\nchannels:\n",
        "# the feeds\nfeeds: [] # polled\n  # the only feed\n    # short\n    # each story\n"
        "    # more later\n\n# Channels\nchannels:\n",
    ),
]


@pytest.mark.parametrize(("written", "left"), ONLY_FEED, ids=["above-after-heading", "above", "heading", "block"])
def test_removing_the_only_feed_leaves_an_empty_list_and_its_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str, left: str,
) -> None:
    channel = "  - {name: c, chat_id: console, topics: [political_prisoners]}\n"
    path = tmp_path / "feeds.yaml"
    path.write_text(f"rules: [venezuela-2026]\n{written}{channel}", encoding="utf-8")
    code, out, err = run(capsys, "feeds", "remove", "x", "--config", str(path))
    assert (code, out, err) == (0, "removed x\n", "")
    assert path.read_text(encoding="utf-8") == f"rules: [venezuela-2026]\n{left}{channel}"
    assert load_config(path).feeds == []


def test_removing_every_shipped_feed_keeps_every_comment_in_place(
    config: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    before = config.read_text(encoding="utf-8")
    for feed in load_config(config).feeds:
        code, _, err = run(capsys, "feeds", "remove", feed.name, "--config", str(config))
        assert code == 0, err
    after = config.read_text(encoding="utf-8")
    assert comments(after) == comments(before)
    head = before.split("\nfeeds:")[0]
    assert after.startswith(head + "\nfeeds: []\n")  # the comments above `feeds:` stay above it
    assert load_config(config).feeds == []


def opml(n: int, start: int = 0) -> str:
    outlines = "\n".join(
        f'<outline text="Medio {i}" type="rss" xmlUrl="https://medio{i}.example.org/feed" '
        f'language="{"es" if i % 2 else "en"}" interval="{10 + i % 3 * 5}m"/>'
        for i in range(start, start + n)
    )
    return f'<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>' \
           f'<outline text="grupo">{outlines}</outline></body></opml>'


def test_import_50_and_export_loses_no_url(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    before = config.read_text(encoding="utf-8")
    src = tmp_path / "in.opml"
    src.write_text(opml(50), encoding="utf-8")
    code, out, err = run(capsys, "feeds", "import", str(src), "--config", str(config))
    assert code == 0 and "imported 50 feeds" in out, err
    assert comments(config.read_text(encoding="utf-8")) == comments(before)
    code, out, err = run(capsys, "feeds", "export", "--config", str(config))
    assert code == 0
    root = ET.fromstring(out)
    assert root.get("version") == "2.0"
    exported = {o.get("xmlUrl"): o for o in root.iter("outline")}
    for i in range(50):
        o = exported[f"https://medio{i}.example.org/feed"]
        assert o.get("language") == ("es" if i % 2 else "en") and o.get("interval") == f"{10 + i % 3 * 5}m"
    assert {f.url for f in load_config(config).feeds} <= set(exported)
    # the export imports again into an empty feed list without loss
    again = tmp_path / "again.yaml"
    again.write_text("rules: [venezuela-2026]\nfeeds: []\n", encoding="utf-8")
    (tmp_path / "out.opml").write_text(out, encoding="utf-8")
    code, out2, err = run(capsys, "feeds", "import", str(tmp_path / "out.opml"), "--config", str(again))
    assert code == 0, err
    assert {f.url for f in load_config(again).feeds} == set(exported)
    # importing the same file twice adds nothing
    code, out, _ = run(capsys, "feeds", "import", str(src), "--config", str(config))
    assert code == 0 and "imported 0 feeds" in out and "50 already present" in out


PAGE_FEEDS = """rules: [venezuela-2026]
feeds:
  - name: pagina
    url: https://pagina.example.org/noticias
    type: page
    language: es
    interval: 15m
    enabled: false
    selectors: {item: "article.nota", title: "h2 a", link: "h2 a@href", date: "time@datetime",
                date_order: month_first}
  - name: otra
    url: https://otra.example.org/rss
    language: en
"""


def _exported_and_imported(capsys: pytest.CaptureFixture[str], src: Path, tmp_path: Path, *, feeds: int) -> Path:
    """`feeds export` of `src`, then `feeds import` of that OPML into a config with no feeds: the
    new config's path."""
    code, out, err = run(capsys, "feeds", "export", "--config", str(src))
    assert code == 0, err
    (tmp_path / "out.opml").write_text(out, encoding="utf-8")
    again = tmp_path / "again.yaml"
    again.write_text("rules: [venezuela-2026]\nfeeds: []\n", encoding="utf-8")
    code, out, err = run(capsys, "feeds", "import", str(tmp_path / "out.opml"), "--config", str(again))
    assert code == 0 and f"imported {feeds} feeds" in out, err
    return again


def test_export_then_import_keeps_page_feeds_and_their_selectors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    src = tmp_path / "src.yaml"
    src.write_text(PAGE_FEEDS, encoding="utf-8")
    again = _exported_and_imported(capsys, src, tmp_path, feeds=2)
    by_url = {f.url: f for f in load_config(again).feeds}
    page = by_url["https://pagina.example.org/noticias"]
    assert page.type == "page" and page.enabled is False
    assert page.selectors is not None and page.selectors.model_dump() == {
        "item": "article.nota", "title": "h2 a", "link": "h2 a@href", "date": "time@datetime", "summary": None,
        "date_order": "month_first"}
    other = by_url["https://otra.example.org/rss"]
    assert other.type == "rss" and other.selectors is None and other.enabled is True


def test_export_then_import_keeps_names_and_outlets(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """The shipped feeds' outlets are what every alert names ("Leer en El Pitazo"): an export
    imported into a new config gave them back as bare names ("Leer en el-pitazo"), and the
    four Google News searches, exported as "Google News", came back as google-news, -2, -3, -4."""
    again = _exported_and_imported(capsys, config, tmp_path, feeds=26)
    shipped = [(f.name, f.display_name, f.url) for f in load_config(config).feeds]
    assert [(f.name, f.display_name, f.url) for f in load_config(again).feeds] == shipped


CONTROL_NAMES = r"""rules: [venezuela-2026]
feeds:
  - name: "pitazo\x07"
    url: https://elpitazo.net/feed/
    language: es
  - name: cocuyo
    outlet: "Efecto \x1b[31mCocuyo"
    url: https://efectococuyo.com/feed/
    language: es
channels:
  - name: "presos\u0000"
    chat_id: console
    topics: [political_prisoners]
"""


def test_a_control_character_in_a_name_is_refused_and_no_unreadable_opml_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """YAML's escapes ("\x07", "\u0000", "\x1b[31m") put control characters in names, which
    XML 1.0 allows nowhere: check-config said OK and `feeds export` wrote an OPML no reader
    parsed (`not well-formed (invalid token)`). Names of quotes, markup and accents still go
    out and come back whole."""
    src = tmp_path / "src.yaml"
    src.write_text(CONTROL_NAMES, encoding="utf-8")
    code, out, err = run(capsys, "feeds", "export", "--config", str(src))
    assert (code, out) == (2, "")
    assert [line.strip() for line in err.splitlines()[1:]] == [
        "feeds[0].name (line 3): the control character U+0007 is not allowed in a feed's name (written as an "
        "escape in quotes?): remove it",
        "feeds[1].outlet (line 7): the control character U+001B is not allowed in a feed's outlet (written as an "
        "escape in quotes?): remove it",
        "channels[0].name (line 11): the control character U+0000 is not allowed in a channel's name (written as "
        "an escape in quotes?): remove it"]
    src.write_text("rules: [venezuela-2026]\nfeeds:\n"
                   "  - {name: \"a&b <c> 'd' \\\"e\\\"\", outlet: \"Ñandú & <Co> \\\"x\\\"\", "
                   "url: 'https://a.example/feed', language: es}\n", encoding="utf-8")
    again = _exported_and_imported(capsys, src, tmp_path, feeds=1)
    [feed] = load_config(again).feeds
    assert (feed.name, feed.outlet) == ("a&b <c> 'd' \"e\"", 'Ñandú & <Co> "x"')


def _imported(tmp_path: Path, capsys: pytest.CaptureFixture[str], outlines: str) -> list[tuple[str, str | None]]:
    """Another reader's OPML of `outlines` imported into an empty config: (name, outlet) of its feeds."""
    src = tmp_path / "reader.opml"
    src.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>', encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("rules: [venezuela-2026]\nfeeds: []\n", encoding="utf-8")
    code, out, err = run(capsys, "feeds", "import", str(src), "--config", str(cfg))
    assert code == 0, err
    return [(f.name, f.outlet) for f in load_config(cfg).feeds]


def test_import_takes_another_readers_titles_as_outlets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """Another reader's OPML has no monitorName: the name is made from the title, which stays
    the outlet shown in alerts (a title that is the name already adds no outlet)."""
    assert _imported(tmp_path, capsys, '<outline text="El Pitazo" xmlUrl="https://elpitazo.net/feed/" language="es"/>'
                                        '<outline text="runrunes" xmlUrl="https://runrun.es/feed/" language="es"/>') == [
        ("el-pitazo", "El Pitazo"), ("runrunes", None)]


def test_import_reads_a_title_s_line_breaks_as_spaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """A reader's title written over two lines (`&#10;`, a tab) is one outlet: the config refuses
    control characters in names, and the import refused the whole file for it."""
    assert _imported(tmp_path, capsys, '<outline text="El&#10;Pitazo&#9; " xmlUrl="https://elpitazo.net/feed/" '
                                       'language="es"/><outline text="x" monitorName="runrunes&#10;es" '
                                       'xmlUrl="https://runrun.es/feed/" language="es"/>') == [
        ("el-pitazo", "El Pitazo"), ("runrunes es", "x")]


@pytest.mark.parametrize("body, message", [
    ("<opml><body><outline xmlUrl='x'></body>", "is not valid XML"),
    ('<opml><body><outline xmlUrl="https://a.example.org/" language="es" monitorType="page" '
     'monitorItem="div" monitorTitle="h2"/></body></opml>', "bad selectors (link: Field required)"),
    ('<opml><body><outline xmlUrl="https://a.example.org/" language="es" monitorType="page" '
     'monitorItem="div[" monitorTitle="h2" monitorLink="a@href"/></body></opml>', "invalid CSS selector"),
    ('<opml><body><outline xmlUrl="https://a.example.org/" language="es" monitorType="json"/></body></opml>',
     "monitorType 'json'"),
    (opml(10_000), "more than 1,000 feeds"),
    # an outline without a title named from its URL, whose host cannot be read: a traceback before
    ('<opml><body><outline xmlUrl="http://[::1/feed" language="es"/></body></opml>',
     "invalid URL 'http://[::1/feed': cannot be parsed"),
    ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><opml><body/></opml>', "DOCTYPE"),
    ("<rss/>", "is not OPML"),
])
def test_import_refuses_bad_opml(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, message: str,
) -> None:
    before = config.read_text(encoding="utf-8")
    src = tmp_path / "bad.opml"
    src.write_text(body, encoding="utf-8")
    code, out, err = run(capsys, "feeds", "import", str(src), "--config", str(config))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert config.read_text(encoding="utf-8") == before


def test_a_write_that_fails_half_way_is_one_line_and_leaves_the_file(config: Path) -> None:
    """A full disk, played by a file-size limit on the process (RLIMIT_FSIZE; Python ignores
    SIGXFSZ, so the write fails with EFBIG): one error line, exit 1, the file as it was and no
    temporary file left beside it."""
    import resource
    import subprocess
    import sys

    before = config.read_text(encoding="utf-8")

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    result = subprocess.run(
        [sys.executable, "-m", "monitor", "feeds", "remove", "el-pitazo", "--config", str(config)],
        capture_output=True, text=True, cwd=ROOT, preexec_fn=small_files, timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [f"error: cannot write {config}: File too large: nothing changed"]
    assert config.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in config.parent.iterdir()) == ["feeds.yaml"]


IDN = "https://ñandú.example/feed"
PUNYCODE = "https://xn--and-6ma2c.example/feed"


@pytest.mark.parametrize(("written", "added"), [(IDN, PUNYCODE), (PUNYCODE, "HTTPS://ÑANDÚ.example:443/feed")])
def test_a_feed_written_as_an_idn_and_as_punycode_is_one_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str, added: str,
) -> None:
    """`feeds add` of the other spelling of a host (its IDNA form) fetched it and added a second
    feed of the same source, and check-config said nothing: the feed was polled twice a round,
    its items without a link stored twice. Now the add is refused before any fetch (the host
    here resolves nowhere), an import skips it, and check-config warns of the pair."""
    config = tmp_path / "feeds.yaml"
    config.write_text(f"rules: [venezuela-2026]\nfeeds:\n  - {{name: nandu, url: '{written}', language: es}}\n",
                      encoding="utf-8")
    before = config.read_text(encoding="utf-8")
    code, out, err = run(capsys, "feeds", "add", added, "--config", str(config))
    assert code == 2 and not out
    assert err.strip() == f"error: {added} is already in the config as 'nandu' (written {written}: the same address)"
    src = tmp_path / "in.opml"
    src.write_text(f'<opml version="2.0"><body><outline type="rss" text="x" xmlUrl="{added}"/></body></opml>',
                   encoding="utf-8")
    code, out, _ = run(capsys, "feeds", "import", str(src), "--config", str(config), "--language", "es")
    assert code == 0 and "imported 0 feeds" in out and "1 already present" in out
    assert config.read_text(encoding="utf-8") == before
    config.write_text(before + f"  - {{name: otro, url: '{added}', language: es}}\n", encoding="utf-8")
    code, _, err = run(capsys, "check-config", str(config))
    assert code == 0 and "feeds[1].url (line 4): the same URL as feeds[0] ('nandu')" in err


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
def test_an_edit_as_root_keeps_the_owner_the_service_reads_the_file_as(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sudo monitor feeds remove …` on a feeds.yaml private to the service's user (0600) left
    it root's: the service could no longer read it (`config reload rejected: cannot read the
    file`, and exit 2 at its next start)."""
    config.chmod(0o600)
    os.chown(config, 65534, 65534)  # nobody: the service's user here
    code, _, err = run(capsys, "feeds", "remove", "el-nacional", "--config", str(config))
    assert code == 0, err
    info = config.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (65534, 65534, 0o600)


STYLES = {
    "dashes at the key's column, settings by 4": """settings:
    timezone: America/Caracas
rules:
- venezuela-2026
feeds:
- name: uno
  url: https://example.org/uno.xml
  language: es
  selectors:
      item: article
      title: h2
      link: a@href
  type: page
- name: dos  # the second
  url: https://example.org/dos.xml
  language: es
  interval: 15m
channels:
- name: presos
  chat_id: console
  topics:
  - political_prisoners
""",
    "a comment after feeds: and a deeper key above it": """settings:
  timezone: America/Caracas
  tally:
    sources:
      Foro Penal: [foropenal]
rules: [venezuela-2026]
feeds:  # ruamel's guess measured the dashes from 'sources:'
- name: uno
  url: https://example.org/uno.xml
  language: es
- name: dos  # the second
  url: https://example.org/dos.xml
  language: es
  interval: 15m
channels:
- name: presos
  chat_id: console
  topics: [political_prisoners]
""",
    "everything by 4": """settings:
    timezone: America/Caracas
rules:
    - venezuela-2026
feeds:
    - name: uno
      url: https://example.org/uno.xml
      language: es
    - name: dos  # the second
      url: https://example.org/dos.xml
      language: es
      interval: 15m
channels:
    - name: presos
      chat_id: console
      topics:
          - political_prisoners
""",
}


@pytest.mark.parametrize("style", list(STYLES))
def test_edits_keep_the_files_own_indentation(style: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An edit wrote every line in the shipped file's style (2/4/2): an operator's file indented
    otherwise was re-indented whole, its diff hiding the one feed added or removed. Now the
    file's own indentation is written back: the only lines that change are the feed's."""
    import difflib

    path = tmp_path / "feeds.yaml"
    before = STYLES[style]
    path.write_text(before, encoding="utf-8")
    code, _, err = run(capsys, "feeds", "remove", "dos", "--config", str(path))
    assert code == 0, err
    with FeedServer() as server:
        server.set_route("/feed.atom", ATOM, content_type="application/atom+xml")
        code, _, err = run(capsys, "feeds", "add", server.url("/feed.atom"), "--config", str(path))
        assert code == 0, err
        url = server.url("/feed.atom")
    after = path.read_text(encoding="utf-8")
    changed = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]
    removed = [line[2:] for line in changed if line.startswith("-")]
    added = [line[2:] for line in changed if line.startswith("+")]
    assert [line.strip() for line in removed] == [
        "- name: dos  # the second", "url: https://example.org/dos.xml", "language: es", "interval: 15m"]
    assert len(added) == 1 and url in added[0], added
    assert load_config(path).feed("uno") is not None


def test_an_edit_through_a_symbolic_link_changes_the_file_it_points_to(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """/etc/monitor/feeds.yaml, a link to a checkout of the operators' configs: the rename put a
    copy in the link's place, and the checkout's file (what the next deploy links again) kept
    the feed removed; later edits to it no longer reached the service."""
    etc = tmp_path / "etc"
    etc.mkdir()
    link = etc / "feeds.yaml"
    link.symlink_to(config)
    code, _, err = run(capsys, "feeds", "remove", "el-nacional", "--config", str(link))
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == config.resolve()
    assert load_config(config).feed("el-nacional") is None
    assert [p.name for p in etc.iterdir()] == ["feeds.yaml"]  # no temporary file beside the link


def test_a_file_with_crlf_line_ends_keeps_them(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A feeds.yaml saved by a Windows editor (CRLF) was written back with LF: every one of its
    lines changed in the operator's diff for one feed removed."""
    before = config.read_bytes().replace(b"\n", b"\r\n")
    config.write_bytes(before)
    code, _, err = run(capsys, "feeds", "remove", "el-nacional", "--config", str(config))
    assert code == 0, err
    after = config.read_bytes()
    assert after.count(b"\r\n") == after.count(b"\n") == before.count(b"\r\n") - 1
    assert [line for line in before.split(b"\r\n") if line not in after.split(b"\r\n")] == [
        next(line for line in before.split(b"\r\n") if b"name: el-nacional" in line)]


def test_add_shows_a_hostile_feed_title_escaped_and_cut(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The line `feeds add` prints names the feed by its own title, which the site writes: an
    escape sequence in it (a character reference the lenient parser decodes) cleared the
    operator's screen, a direction override reversed the line, and a title of 5,000 characters
    was printed whole. Now escaped and cut at 100 characters, like the stories' titles."""
    hostile = ATOM.replace("<title>Diario de prueba</title>",
                           "<title>Diario&#27;[2J&#x202e; de prueba\x1b[8m " + "largo " * 1000 + "</title>")
    with FeedServer() as server:
        server.set_route("/hostil.atom", hostile, content_type="application/atom+xml")
        code, out, err = run(capsys, "feeds", "add", server.url("/hostil.atom"), "--config", str(config))
    assert code == 0, err
    assert "\x1b" not in out and "\u202e" not in out and len(out) < 400
    assert "(Diario\\x1b[2J\\u202e de prueba\\x1b[8m largo largo" in out and "…), 1 entries" in out


MINIMAL = """rules: [venezuela-2026]
feeds:
  - {name: pitazo, url: "https://elpitazo.net/feed/", language: es}
channels:
  - {name: pp, chat_id: console, topics: [political_prisoners]}
"""


def _as_nobody() -> list[str] | None:
    """The command line that runs this checkout's `monitor` as the user nobody: root's tests
    write what they are refused. The venv's own Python may sit under /root (mode 0700, a pyenv),
    so the system's Python of the same version runs it, the venv's packages on its path."""
    import pwd
    import shutil
    import subprocess
    import sys
    import sysconfig

    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if os.geteuid() != 0 or not system.exists() or shutil.which("runuser") is None:
        return None
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        return None
    path = f"{ROOT}:{sysconfig.get_paths()['purelib']}"
    argv = ["runuser", "-u", "nobody", "--", "env", f"PYTHONPATH={path}", str(system)]
    probe = subprocess.run([*argv, "-c", "import monitor.feeds_cli"], capture_output=True, check=False)
    return argv if probe.returncode == 0 else None


def test_a_config_the_user_cannot_write_says_whose_it_is_and_how_to_run(tmp_path: Path) -> None:
    """`monitor feeds add` as the service's user on the root-owned /etc/monitor/feeds.yaml
    (mode 644, docs/OPERATIONS.md) said `… is read-only: nothing changed`, of a file that is
    not: now whose it is, or whose its folder is, and to run it with sudo."""
    import subprocess
    import tempfile

    argv = _as_nobody()
    if argv is None:
        pytest.skip("needs root, runuser, the user nobody and /usr/bin/python3.11")
    folder = Path(tempfile.mkdtemp(dir="/tmp", prefix="monitor-etc-"))  # pytest's tmp_path is private
    try:
        folder.chmod(0o755)
        config = folder / "feeds.yaml"
        config.write_text(MINIMAL, encoding="utf-8")
        config.chmod(0o644)

        def add() -> subprocess.CompletedProcess[str]:
            return subprocess.run([*argv, "-m", "monitor", "feeds", "add", "http://127.0.0.1:9/",
                                   "--config", str(config)], capture_output=True, text=True, cwd=tmp_path,
                                  timeout=120, check=False)

        owned = add()
        config.chmod(0o666)  # the file writable, its folder not: the file is replaced, not written in place
        in_folder = add()
    finally:
        shutil.rmtree(folder)
    assert (owned.returncode, owned.stderr) == (1, (
        f"error: {config} is read-only: it belongs to root (mode 644) and this command runs as nobody: "
        "run it with sudo; nothing changed\n"))
    assert (in_folder.returncode, in_folder.stderr) == (1, (
        f"error: {config} is read-only: its folder {folder} belongs to root and this command runs as nobody "
        "(the file is replaced whole, a new file renamed over it, so its folder must be writable): run it "
        "with sudo; nothing changed\n"))
