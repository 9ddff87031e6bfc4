"""`monitor feeds add URL | remove NAME | import FILE.opml | export`: edit feeds.yaml in place.

The file is read and written with ruamel.yaml's round-trip mode, so comments, order and
the operator's formatting stay. Every change is checked with the full config validation
before it is written (atomically: a temporary file, then a rename), and any problem is
one line on stderr with the file left as it was.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import re
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from pydantic import ValidationError

from core.config import (
    AppConfig,
    ConfigError,
    FeedConfig,
    Selectors,
    Settings,
    config_path_from,
    feed_url_key,
    load_config,
    parse_config,
    stripped,
)
from core.config.values import check_url
from core.durations import format_duration, parse_duration
from core.logs import for_terminal
from core.urls import redact_secrets, redact_userinfo
from monitor.cli_common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    add_group,
    common_options,
    utf8_stdout,
)

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/rdf+xml", "application/json", "application/xml", "text/xml")
COMMON_PATHS = ("/feed", "/feed/", "/rss", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml",
                "/feed.json", "/rss/", "/?feed=rss2")
MAX_CANDIDATES = 12
TITLE_CHARS = 100  # of a discovered feed's title in the line `feeds add` prints
MAX_OPML_BYTES = 2_000_000
MAX_OPML_FEEDS = 1_000
PAGE_OR_FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
                       "text/html;q=0.9, application/xml;q=0.8, */*;q=0.5")


class Refused(Exception):
    """One clear line for the operator; nothing was changed. `code`: the exit status, 2 for
    bad input (the default), 1 for a runtime failure (a fetch that failed, a read-only file)."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def _say(text: str, *, error: bool = False) -> None:
    """A line to the terminal, every URL in it without its `user:password@` ("***@"), as
    check-config and the logs show it: a feed's URL given or configured may carry one."""
    print(for_terminal(redact_secrets(text)), file=sys.stderr if error else sys.stdout)


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    fsub = add_group(
        sub, common, "feeds", "feeds_command", "add, remove, import or export feeds in feeds.yaml",
        "Edit the feeds of the config in place (comments and order kept): `add URL` "
        "discovers the feed of a page, `remove NAME`, `import FILE.opml`, `export` (OPML 2.0).",
    )
    common = common_options(nested=True)
    a = fsub.add_parser("add", parents=[common], help="discover the feed of a page and add it")
    a.add_argument("url", help="the site's page or the feed itself")
    a.add_argument("--name", help="feed name (default: from the site's host)")
    a.add_argument("--outlet", help="the outlet's name in alerts (default: from the feed's title, "
                   "where it names the site)")
    a.add_argument("--language", choices=("es", "en"), help="default: the feed's or the page's language")
    a.add_argument("--interval", help="poll interval such as 10m (default: the config's default)")
    a.set_defaults(handler=cmd_add)
    r = fsub.add_parser("remove", parents=[common], help="remove a feed by name")
    r.add_argument("name")
    r.set_defaults(handler=cmd_remove)
    i = fsub.add_parser("import", parents=[common], help="add the feeds of an OPML file")
    i.add_argument("file")
    i.add_argument("--language", choices=("es", "en"), default=None,
                   help="for outlines without a language attribute (default: refuse them)")
    i.set_defaults(handler=cmd_import)
    e = fsub.add_parser("export", parents=[common], help="print the feeds as OPML 2.0")
    e.set_defaults(handler=cmd_export)


# ---------------------------------------------------------------------------
# the file: round-trip load, checked atomic write


def _yaml(text: str = "") -> Any:
    """The round-trip YAML that writes `text`'s indentation back (the shipped file's style,
    2/4/2, for a file that has none to go by)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(**_indentation(text))
    return yaml


_KEY_ONLY = re.compile(r"^( *)([^\s#-][^#]*):\s*(#.*)?$")  # a key whose value starts on the next line
_KEY = re.compile(r"^( *)[^\s#-][^#:]*:(\s|$)")
_ENTRY = re.compile(r"^( *)-( +)[^\s#]")  # a block sequence's entry: its dash, then its text


def _indentation(text: str) -> dict[str, int]:
    """How `text` indents: a nested mapping's keys (`mapping`), a block sequence's entries
    relative to their key (`sequence`, where the entry's text starts; `offset`, where its dash
    is), the list of feeds' first. An edit wrote every line in the shipped file's style: an
    operator's file indented otherwise was re-indented whole, its diff hiding the one feed
    added. (ruamel's own guess measured the dash from the last key that ends its line, so a
    comment after `feeds:` re-indented the list: it was measured from a key above.)"""
    style = {"mapping": 2, "sequence": 4, "offset": 2}
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    mapping: int | None = None
    sequences: dict[str, int] | None = None
    for line, after in zip(lines, lines[1:], strict=False):
        if not (parent := _KEY_ONLY.match(line)):
            continue
        column = len(parent.group(1))
        if mapping is None and (child := _KEY.match(after)) and len(child.group(1)) > column:
            mapping = len(child.group(1)) - column
        if (entry := _ENTRY.match(after)) and len(entry.group(1)) >= column:
            offset = len(entry.group(1)) - column
            found = {"offset": offset, "sequence": offset + 1 + len(entry.group(2))}
            if sequences is None or parent.group(2).strip() == "feeds":
                sequences = found
    style.update(sequences or {})
    if mapping is not None:
        style["mapping"] = mapping
    return style


def _user(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def not_writable(target: Path, uid: int) -> str:
    """Why user `uid` cannot replace `target`, and what to do. It said `is read-only` alone, of
    the root-owned /etc/monitor/feeds.yaml (mode 644) an operator edits as the service's user
    (docs/OPERATIONS.md, "Commands on the server"), or a container's `:ro` volume."""
    folder = target.parent
    with contextlib.suppress(OSError):
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "its file system is mounted read-only (a container's :ro volume?): edit it where it is writable"
    me = _user(uid)
    info = target.stat()
    if not os.access(target, os.W_OK):
        return (f"it belongs to {_user(info.st_uid)} (mode {info.st_mode & 0o777:o}) and this command runs "
                f"as {me}: {_as(info.st_uid)}")
    owner = folder.stat().st_uid
    return (f"its folder {folder} belongs to {_user(owner)} and this command runs as {me} (the file is "
            f"replaced whole, a new file renamed over it, so its folder must be writable): {_as(owner)}")


def _as(uid: int) -> str:
    return "run it with sudo" if uid == 0 else f"run it as {_user(uid)} (sudo -u {_user(uid)} …)"


@dataclass
class ConfigFile:
    path: Path
    text: str
    data: Any  # ruamel CommentedMap
    config: AppConfig
    newline: str = "\n"  # the file's line ends, written back as they were

    @classmethod
    def open(cls, path: str) -> ConfigFile:
        p = Path(path)
        config = load_config(p)  # a ConfigError for a missing or invalid file
        with p.open(encoding="utf-8", newline="") as fh:  # line ends as they are
            raw = fh.read()
        text = raw.replace("\r\n", "\n")
        return cls(p, text, _yaml(text).load(text), config, "\r\n" if "\r\n" in raw else "\n")

    @classmethod
    def open_writable(cls, config: str | None) -> ConfigFile:
        """The config named by --config (else $MONITOR_CONFIG, ./feeds.yaml), to be edited:
        Refused when it is read-only."""
        cfg = cls.open(config_path_from(config))
        cfg.writable()
        return cfg

    def writable(self) -> None:
        target = self.path.resolve()
        if not os.access(target, os.W_OK) or not os.access(target.parent, os.W_OK):
            raise Refused(f"{self.path} is read-only: {not_writable(target, os.getuid())}; nothing changed",
                          EXIT_FAILURE)

    def feeds(self) -> Any:
        from ruamel.yaml.comments import CommentedSeq

        feeds = self.data.get("feeds")
        if feeds is None:
            feeds = self.data["feeds"] = CommentedSeq()
        return feeds

    def save(self) -> AppConfig:
        """Validate the edited tree and write it; the original file stays on any problem."""
        buf = io.StringIO()
        _yaml(self.text).dump(self.data, buf)
        text = buf.getvalue()
        try:
            config = parse_config(text, str(self.path))
        except ConfigError as exc:
            first = exc.issues[0] if exc.issues else None
            raise Refused(f"the change would make {self.path} invalid ({first}): nothing changed") from None
        lost = _lost_comments(self.text, text)
        if lost:
            raise Refused(f"the change would lose a comment ({lost[0]!r}): nothing changed")
        try:
            self._write(text)
        except OSError as exc:  # a full disk, a directory that refuses the temporary file
            raise Refused(f"cannot write {self.path}: {exc.strerror or exc}: nothing changed",
                          EXIT_FAILURE) from None
        return config

    def _write(self, text: str) -> None:
        """Replace the file at once (a temporary file renamed over it, its mode, owner and
        group kept): a failure half way leaves the original as it was. `sudo monitor feeds add`
        on a file private to the service's user left it root's, which the service could no
        longer read (`config reload rejected: cannot read the file`, exit 2 at the next start).
        A symbolic link's target is what is replaced: the rename replaced the link itself with a
        copy, and the file it pointed to (a checkout of the operators' configs) kept the feed."""
        target = self.path.resolve()
        info = target.stat()
        fd, tmp = tempfile.mkstemp(prefix=".feeds-", suffix=".yaml", dir=target.parent)
        try:
            # a file saved with CRLF (a Windows editor) was written back with LF: every line
            # changed in the operator's diff, for one feed added
            with os.fdopen(fd, "w", encoding="utf-8", newline=self.newline) as fh:
                fh.write(text)
            os.chmod(tmp, info.st_mode & 0o7777)
            if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                with contextlib.suppress(PermissionError):  # only root may give a file away
                    os.chown(tmp, info.st_uid, info.st_gid)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _lost_comments(before: str, after: str) -> list[str]:
    """Comment lines of `before` that `after` no longer has (a safety net for edits)."""
    have = {line.strip() for line in after.splitlines()}
    return [line.strip() for line in before.splitlines()
            if line.strip().startswith("#") and line.strip() not in have]


def _flow_entry(values: dict[str, Any]) -> Any:
    from ruamel.yaml.comments import CommentedMap

    entry = CommentedMap(values)
    entry.fa.set_flow_style()
    return entry


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "feed"


def _name_from_url(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "feed").lower()
    except ValueError:  # "http://[::1/feed": the URL's own check refuses it with a clear error
        host = "feed"
    host = re.sub(r"^(www|rss|feeds?)\.", "", host)
    host = re.sub(r"\.(com|org|net|es|gov|info|uno|ve)(\.[a-z]{2})?$", "", host)
    return _slug(host)


# What separates a site's name from the rest of its feed's title: "El Pitazo – Noticias",
# "Portada | BBC News Mundo", "\"presos políticos\" - Google News", "Infobae: Venezuela".
_TITLE_PARTS = re.compile(r"\s+[-–—|»·:]\s+|:\s+")
OUTLET_CHARS = 60  # a part longer than this is a slogan or a headline, not a name


def _compact(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in folded if c.isalnum() and not unicodedata.combining(c))


_HOST_WORDS = {"www", "rss", "feed", "feeds", "com", "org", "net", "gob", "gov", "edu", "info", "news"}
_GENERIC_TITLES = {"feed", "rss", "atom", "news", "noticias", "home", "inicio", "portada", "blog"}


def _site_labels(url: str) -> list[str]:
    """The labels that name the site in its host ("elpitazo" of www.elpitazo.net, "google" of
    news.google.com, "cnnespanol" and "cnn" of cnnespanol.cnn.com); none for an address."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return []
    labels = host.split(".")
    if all(label.isdigit() for label in labels) or ":" in host:
        return []
    return [label for label in labels
            if len(label) >= 3 and label not in _HOST_WORDS and re.search("[a-z]", label)]


def outlet_from_title(title: str, url: str) -> str | None:
    """The outlet's name from its feed's title: the part of it that names the site of `url`
    (Google News's searches are "\"…\" - Google News"); a short title of one part, as it is;
    else None (a title that says only what the feed is about names no outlet)."""
    whole = " ".join((title or "").split())
    parts = [p for p in (" ".join(p.split()) for p in _TITLE_PARTS.split(whole))
             if p and len(p) <= OUTLET_CHARS and _compact(p) not in _GENERIC_TITLES
             and not any(unicodedata.category(c) == "Cc" for c in p)]
    for label in _site_labels(url):
        for part in parts:
            compact = _compact(part)
            if label in compact or (len(compact) >= 4 and compact in label):
                return part
    if len(parts) == 1 and parts[0] == whole and 3 <= len(whole) <= OUTLET_CHARS // 2:
        return whole
    return None


def _same_url(config: AppConfig, url: str) -> FeedConfig | None:
    """The feed of `url` however it is written: case, the default port, a fragment, an
    internationalized host or its IDNA form ("ñandú.example", "xn--and-6ma2c.example")."""
    key = feed_url_key(url)
    return next((f for f in config.feeds if feed_url_key(f.url) == key), None)


def _check_url_unique(config: AppConfig, url: str) -> None:
    same = _same_url(config, url)
    if same is not None:
        written = "" if same.url == url else f" (written {same.url}: the same address)"
        raise Refused(f"{url} is already in the config as '{same.name}'{written}")


def _check_unique(config: AppConfig, name: str, url: str) -> None:
    if config.feed(name) is not None:
        raise Refused(f"a feed named '{name}' already exists: choose another with --name")
    _check_url_unique(config, url)


# ---------------------------------------------------------------------------
# add: discover a page's feed


@dataclass
class Found:
    url: str
    title: str
    language: str | None
    entries: int


def _alternate_links(body: bytes, base: str) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body[:2_000_000], "html.parser")
    out: list[str] = []
    for link in soup.find_all("link", href=True):
        rel = link.get("rel") or []
        rels = [r.lower() for r in (rel if isinstance(rel, list) else [rel])]
        kind = str(link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rels and kind in FEED_TYPES:
            try:
                out.append(urljoin(base, str(link["href"]).strip()))
            except ValueError:  # a page's malformed link ("http://[::1/feed"): not a candidate
                continue
    return out


def _page_language(body: bytes) -> str | None:
    """The language a page or feed declares: `<html lang>`, `xml:lang`, RSS `<language>`,
    JSON Feed `"language"`."""
    head = body[:20_000]
    for pattern in (rb"<html[^>]*\blang=[\"']?([a-zA-Z]{2})", rb"\bxml:lang=[\"']([a-zA-Z]{2})",
                    rb"<language>\s*([a-zA-Z]{2})", rb'"language"\s*:\s*"([a-zA-Z]{2})'):
        m = re.search(pattern, head, re.I)
        if m:
            return m.group(1).decode().lower()
    return None


def _language(parsed: Any) -> str | None:
    langs = [e.language[:2].lower() for e in parsed.entries if e.language]
    return max(set(langs), key=langs.count) if langs else None


async def discover(url: str, settings: Settings) -> Found:
    """The feed of `url`: the URL itself when it is a feed, else its `<link rel=alternate>`
    feeds, else common paths; each candidate is fetched and parsed."""
    from monitor.fetch.client import Fetcher
    from monitor.parse import parse_any

    async with Fetcher(settings, trusted=[url]) as fetcher:
        page = await fetcher.fetch(url, accept=PAGE_OR_FEED_ACCEPT)
        if not page.ok:
            raise Refused(f"cannot fetch {url}: {page.error}", EXIT_FAILURE)
        parsed = parse_any(page.body, page.headers, page.final_url)
        if not parsed.fatal:
            return Found(url, parsed.title, _language(parsed) or _page_language(page.body), len(parsed.entries))
        lang = _page_language(page.body)
        links = _alternate_links(page.body, page.final_url)
        root = f"{urlsplit(page.final_url).scheme}://{urlsplit(page.final_url).netloc}"
        candidates = list(dict.fromkeys([*links, *(root + p for p in COMMON_PATHS)]))[:MAX_CANDIDATES]
        problems: list[tuple[str, int]] = []  # the page's own feed links that failed, and how
        for candidate in candidates:
            result = await fetcher.fetch(candidate)
            if not result.ok:
                if candidate in links:
                    problems.append((f"{candidate}: {result.error}", EXIT_FAILURE))
                continue
            feed = parse_any(result.body, result.headers, result.final_url)
            if feed.fatal:
                if candidate in links:
                    problems.append((f"{candidate}: {feed.problem or 'does not parse'}", EXIT_USAGE))
                continue
            return Found(candidate, feed.title, _language(feed) or _page_language(result.body) or lang,
                         len(feed.entries))
    if problems:
        raise Refused(f"no working feed at {url}: {problems[0][0]}", problems[0][1])
    raise Refused(f"no feed found at {url} (no <link rel=\"alternate\"> feed, none at common paths)")


def _outlet(given: str | None, found: Found, name: str) -> str | None:
    """The `outlet` to write: --outlet as given, else the site's name from the feed's title;
    none when it is the feed's name anyway."""
    outlet = given if given is not None else outlet_from_title(found.title, found.url)
    return outlet if outlet and outlet != name else None


def cmd_add(args: argparse.Namespace) -> int:
    try:
        cfg = ConfigFile.open_writable(args.config)
        interval = None
        if args.interval:
            try:
                interval = format_duration(parse_duration(args.interval))
            except ValueError as exc:
                raise Refused(f"--interval: {exc}") from None
        try:
            check_url(args.url)  # as check-config would refuse it in the file: bad input, no fetch
        except ValueError as exc:
            raise Refused(str(exc)) from None
        outlet_given = None
        if args.outlet is not None:
            outlet_given = stripped(args.outlet)  # as the config keeps it
            if not outlet_given:
                raise Refused("--outlet is empty")
        given = None
        if args.name is not None:
            given = stripped(args.name)  # as the config keeps it: " x " is the feed x
            if not given:
                raise Refused("--name is empty")
            _check_unique(cfg.config, given, args.url)  # its URL too: before a fetch of a source polled
        else:
            _check_url_unique(cfg.config, args.url)  # before a fetch of a source already polled
        found = asyncio.run(discover(args.url, cfg.config.settings))
        # a name derived from the host is made unique (-2, -3...); one given with --name is not
        name = given or _unique(_name_from_url(found.url), {f.name for f in cfg.config.feeds})
        _check_unique(cfg.config, name, found.url)
        language = args.language or (found.language if found.language in ("es", "en") else None)
        if language is None:
            raise Refused(f"cannot tell the language of {found.url}: give --language es or en")
        outlet = _outlet(outlet_given, found, name)
        values: dict[str, Any] = {"name": name, **({"outlet": outlet} if outlet else {}),
                                  "url": found.url, "language": language}
        if interval:
            values["interval"] = interval
        cfg.feeds().append(_flow_entry(values))
        cfg.save()
    except Refused as exc:
        _say(f"error: {exc}", error=True)
        return exc.code
    # the site's own words: one line, cut (a title of 5,000 characters was printed whole)
    from alerts.render import shorten

    shown = shorten(" ".join(found.title.split()), TITLE_CHARS) if found.title else ""
    title = f" ({shown})" if shown else ""
    named = (f"alerts name it {outlet}" if outlet else
             f"alerts name it {name} (no site name in its title: give --outlet to name the outlet)")
    _say(f"added {name}: {found.url}{title}, {found.entries} entries, language {language}; {named}; "
         f"the running service picks it up on its next reload")
    return EXIT_OK


# ---------------------------------------------------------------------------
# remove


def cmd_remove(args: argparse.Namespace) -> int:
    try:
        cfg = ConfigFile.open_writable(args.config)
        feeds = cfg.feeds()
        wanted = stripped(args.name)  # names compared as the config keeps them
        index = next((i for i, f in enumerate(feeds) if isinstance(f, dict)
                      and isinstance(f.get("name"), str) and stripped(f["name"]) == wanted), None)
        if index is None:
            names = ", ".join(str(f.get("name")) for f in feeds if isinstance(f, dict))
            raise Refused(f"no feed named '{args.name}'; feeds: {names or 'none'}")
        if len(feeds) == 1:
            _empty_keeping_comments(cfg.data, "feeds")
        else:
            _delete_keeping_comments(feeds, index)
        cfg.save()
    except Refused as exc:
        _say(f"error: {exc}", error=True)
        return exc.code
    _say(f"removed {wanted}")
    return EXIT_OK


def _delete_keeping_comments(seq: Any, index: int) -> None:
    """Delete item `index`, keeping every comment. ruamel keeps a group heading
    (`# Rights groups`) as a comment before the item under it, and the comments that follow
    an item (the next group's heading) after it: after its last key in block style, in
    the list's slot for a flow-style entry. When the item goes, its heading moves to the
    next item; what followed it moves to the item above (the first item: to the next)."""
    slot = seq.ca.items.get(index) or [None, None, None, None]
    before, after = slot[1], _joined(slot[0], _take_trailing_comment(seq[index]))
    del seq[index]  # ruamel shifts the comments of the later items
    if before and index < len(seq):
        next_slot = seq.ca.items.setdefault(index, [None, None, None, None])
        next_slot[1] = list(before) + list(next_slot[1] or [])
    elif before:
        after = _joined(_as_trailing(before), after)
    if after is None:
        return
    if index > 0:
        _append_trailing_comment(seq, index - 1, after)
    elif seq:
        first = seq.ca.items.setdefault(0, [None, None, None, None])
        first[1] = [after] + list(first[1] or [])
    # (never empty here: the only entry goes through _empty_keeping_comments)


def _empty_keeping_comments(parent: Any, key: str) -> None:
    """Remove the only entry of `parent[key]`: `key: []`, every comment of the list and of
    its entry (the one above it, those after it such as the next section's heading) kept,
    in their order, on the lines that follow `key: []`. An emptied block list cannot keep
    them itself: ruamel would write them between `key:` and `[]`, which does not parse."""
    from ruamel.yaml.comments import CommentedSeq

    seq = parent[key]
    before_key = (parent.ca.items.get(key) or [None, None])[:2]  # the comments above `key:` stay
    ordered = _comment_tokens(parent, key, seq)
    key_line = parent.lc.key(key)[0] if key in parent.lc.data else -1
    indent = seq.lc.item(0)[1] if len(seq) else 2  # where the entry's dash was
    lines = _comment_lines(ordered, indent)
    empty = CommentedSeq()
    empty.fa.set_flow_style()
    parent[key] = empty
    head = ordered[0][0] if ordered else None
    if head is None or not any(line.strip() for line in lines):
        parent.ca.items[key] = [*before_key, None, None]
        return
    if head.start_mark.line == key_line and lines and lines[0].strip():  # `key:  # note`
        head.value = lines[0].strip() + "\n" + "".join(line + "\n" for line in lines[1:])
    else:
        head.value = "\n" + "\n".join(lines) + "\n"
    parent.ca.items[key] = [*before_key, head, None]


def _comment_tokens(parent: Any, key: str, seq: Any) -> list[tuple[Any, bool]]:
    """The comment tokens after `key:` and in the list `seq` under it, each once, in the
    document's order, with whether it follows content on its line."""
    tokens: dict[int, tuple[Any, bool]] = {}  # id -> (token, follows content on its line)

    def gather(slot: Any, trailing: bool = False) -> None:
        if slot is None:
            return
        if isinstance(slot, list):
            for i, part in enumerate(slot):
                gather(part, trailing or (len(slot) == 4 and i in (0, 2)))
        else:
            tokens.setdefault(id(slot), (slot, trailing))

    def walk(node: Any) -> None:
        ca = getattr(node, "ca", None)
        if ca is not None:
            gather(ca.comment)
            for slot in ca.items.values():
                gather(slot)
            gather(getattr(ca, "end", None))
        for child in node.values() if isinstance(node, dict) else node if isinstance(node, list) else ():
            walk(child)

    gather((parent.ca.items.get(key) or [None] * 4)[2:])
    walk(seq)
    return sorted(tokens.values(), key=lambda t: (t[0].start_mark.line, t[0].start_mark.column))


def _comment_lines(ordered: list[tuple[Any, bool]], indent: int) -> list[str]:
    """The comments' lines as they are to follow `key: []`: a comment on its own line at its
    column, one that ended the entry's line at the entry's `indent`, blank lines kept."""
    lines: list[str] = []
    seen: set[tuple[int, int, str]] = set()
    for token, trailing in ordered:
        where = (token.start_mark.line, token.start_mark.column, token.value)
        if where in seen:  # ruamel keeps the comment above a list's first item twice
            continue
        seen.add(where)
        text = token.value.removesuffix("\n")
        if trailing and text.startswith("\n"):
            text = text[1:]  # that newline ended the entry's line: not a blank line
            first_column = token.start_mark.column
        else:  # a comment on its own line, or at the end of the entry's line (moved under it)
            first_column = indent if trailing else token.start_mark.column
        for n, line in enumerate(text.split("\n")):
            if not line.strip():
                lines.append("")
            elif n == 0:
                lines.append(" " * first_column + line.strip())
            else:
                lines.append(line.rstrip())  # these keep their own indentation
    return lines


def _last_slot(node: Any) -> list[Any] | None:
    """The comment slot after the last key of a block-style mapping entry (descending into
    a last value that is itself a mapping, as `selectors:` is)."""
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(node, CommentedMap) or not node or node.fa.flow_style():
        return None
    last = list(node)[-1]
    if isinstance(node[last], CommentedMap) and node[last] and not node[last].fa.flow_style():
        return _last_slot(node[last])
    return node.ca.items.setdefault(last, [None, None, None, None])


def _take_trailing_comment(node: Any) -> Any:
    slot = _last_slot(node)
    if slot is None or slot[2] is None:
        return None
    token, slot[2] = slot[2], None
    return token


def _append_trailing_comment(seq: Any, index: int, token: Any) -> None:
    slot = _last_slot(seq[index])
    if slot is not None:
        slot[2] = _joined(slot[2], token)
        return
    slot = seq.ca.items.setdefault(index, [None, None, None, None])
    slot[0] = _joined(slot[0], token)


def _as_trailing(tokens: list[Any]) -> Any:
    """Heading tokens (`# X` lines before an item) as one comment that follows an item."""
    head = tokens[0]
    head.value = "\n" + "".join(" " * t.start_mark.column + t.value for t in tokens)
    return head


def _joined(first: Any, second: Any) -> Any:
    """Two comments that follow an item (each starts by ending the item's line) as one."""
    if first is None or second is None:
        return first if second is None else second
    first.value = first.value + (second.value[1:] if second.value.startswith("\n") else second.value)
    return first


# ---------------------------------------------------------------------------
# OPML


# A page feed's type and CSS selectors, and every feed's name, travel as extra outline
# attributes, so an export imported again gives the same feeds (OPML itself only knows RSS
# outlines); the outline's title is the outlet that alerts name.
SELECTOR_ATTRS = {"item": "monitorItem", "title": "monitorTitle", "link": "monitorLink",
                  "date": "monitorDate", "summary": "monitorSummary", "date_order": "monitorDateOrder"}


@dataclass
class Outline:
    name: str
    url: str
    language: str | None
    interval: str | None
    type: str = "rss"
    selectors: dict[str, str] | None = None
    enabled: bool = True
    outlet: str | None = None


def read_opml(path: str) -> list[Outline]:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_OPML_BYTES:
            raise Refused(f"{path} is larger than {MAX_OPML_BYTES:,} bytes: nothing imported")
        raw = p.read_bytes()
    except OSError as exc:
        raise Refused(f"cannot read {path}: {exc.strerror or exc}") from None
    if b"<!DOCTYPE" in raw[:4096].upper() or b"<!ENTITY" in raw.upper():
        raise Refused(f"{path}: DOCTYPE and entities are not accepted in OPML: nothing imported")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise Refused(f"{path} is not valid XML ({exc}): nothing imported") from None
    if root.tag.lower() != "opml":
        raise Refused(f"{path} is not OPML (its root is <{root.tag}>): nothing imported")
    out: list[Outline] = []
    for node in root.iter("outline"):
        url = (node.get("xmlUrl") or node.get("xmlurl") or "").strip()
        if not url:
            continue
        if len(out) >= MAX_OPML_FEEDS:
            raise Refused(f"{path} has more than {MAX_OPML_FEEDS:,} feeds: nothing imported")
        # line breaks and tabs (`&#10;`, the only control characters XML lets an attribute hold)
        # are spaces: a name or outlet with one is refused by the config
        title = " ".join((node.get("title") or node.get("text") or "").split())
        name = " ".join((node.get("monitorName") or "").split())[:200] or (
            _slug(title) if title else _name_from_url(url))
        lang = (node.get("language") or "")[:2].lower() or None
        out.append(Outline(name, url, lang, node.get("interval"), *_page_selectors(path, node, url),
                           enabled=(node.get("enabled") or "").lower() != "false",
                           outlet=title[:200] if title and title != name else None))
    if not out:
        raise Refused(f"{path} has no outline with an xmlUrl: nothing imported")
    return out


def _page_selectors(path: str, node: ET.Element, url: str) -> tuple[str, dict[str, str] | None]:
    """The outline's feed type and, for a page feed, its selectors (checked like feeds.yaml's)."""
    kind = (node.get("monitorType") or "rss").strip().lower()
    if kind == "rss":
        return "rss", None
    if kind != "page":
        raise Refused(f"{path}: {url} has monitorType {kind!r} (rss or page): nothing imported")
    selectors = {key: node.get(attr, "") for key, attr in SELECTOR_ATTRS.items() if node.get(attr)}
    try:
        Selectors(**selectors)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise Refused(f"{path}: page feed {url} has bad selectors ({problems}): nothing imported") from None
    return "page", selectors


def cmd_import(args: argparse.Namespace) -> int:
    try:
        cfg = ConfigFile.open_writable(args.config)
        outlines = read_opml(args.file)
        names = {f.name for f in cfg.config.feeds}
        urls = {feed_url_key(f.url) for f in cfg.config.feeds}
        added, skipped = 0, 0
        feeds = cfg.feeds()
        for o in outlines:
            if feed_url_key(o.url) in urls:
                skipped += 1
                continue
            language = o.language if o.language in ("es", "en") else args.language
            if language is None:
                raise Refused(f"{o.url} has no language es or en: give --language; nothing imported")
            name = _unique(o.name, names)
            values: dict[str, Any] = {"name": name}
            if o.outlet and o.outlet != name:
                values["outlet"] = o.outlet
            values |= {"url": o.url, "language": language}
            if o.type != "rss":
                values["type"] = o.type
                values["selectors"] = _flow_entry(dict(o.selectors or {}))
            if not o.enabled:
                values["enabled"] = False
            if o.interval:
                try:
                    values["interval"] = format_duration(parse_duration(o.interval))
                except ValueError as exc:
                    raise Refused(f"{o.url}: interval {o.interval!r}: {exc}; nothing imported") from None
            feeds.append(_flow_entry(values))
            names.add(name)
            urls.add(feed_url_key(o.url))
            added += 1
        if added:
            cfg.save()
    except Refused as exc:
        _say(f"error: {exc}", error=True)
        return exc.code
    _say(f"imported {added} feeds from {args.file}" + (f"; {skipped} already present" if skipped else ""))
    return EXIT_OK


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    n = 2
    while f"{name}-{n}" in taken:
        n += 1
    return f"{name}-{n}"


def export_opml(feeds: Iterable[Any], title: str = "Venezuela monitor feeds") -> str:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = ET.SubElement(root, "body")
    for f in feeds:
        url = redact_userinfo(f.url, "")  # no credentials out, a password's own "@" included
        attrs = {"text": f.display_name, "title": f.display_name, "type": "rss", "xmlUrl": url,
                 "language": f.language, "interval": format_duration(f.interval), "monitorName": f.name}
        if f.type != "rss":
            attrs["monitorType"] = f.type
            for key, attr in SELECTOR_ATTRS.items():
                if (value := getattr(f.selectors, key, None)) is not None:
                    attrs[attr] = value
        if not f.enabled:
            attrs["enabled"] = "false"
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def cmd_export(args: argparse.Namespace) -> int:
    config = load_config(config_path_from(args.config))
    utf8_stdout()  # as the OPML's own declaration says
    sys.stdout.write(export_opml(config.feeds))
    return EXIT_OK
