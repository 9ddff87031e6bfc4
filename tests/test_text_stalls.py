"""Hostile text: titles, summaries, texts and dates written to stall the poll thread (a regex
that backtracks, a scanner that reads a run once per character of it). Each case runs in a
process of its own with a deadline far beyond what it takes now (milliseconds) and far short
of what it took before (minutes): a fault shows as a timeout, not as a hung suite. Figures of
every entry point on every shape: bench/hostile_text.py, docs/MATCHING.md and docs/INGESTION.md."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 60  # seconds; each case takes well under 1 s now


def _run(code: str) -> str:
    """`code` run by the project's Python in the project's directory; its output."""
    try:
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                              text=True, timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after {DEADLINE} s")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_run_of_blanks_in_a_text_is_cut_into_sentences_in_linear_time():
    """The counts' sentence breaks tried their dash branch at every blank of a run, each time
    reading to the run's end: 64,000 spaces took 32 s, these runs together some minutes. A
    page's "<p>" tags and a text's soft hyphens become such runs in the classifier."""
    out = _run("""
        from monitor.match import build_classifier
        from monitor.match.evaluate import load_rules
        clf = build_classifier(*load_rules("feeds.yaml"))
        for blanks in ("", " " * 149_000, "<p>" * 49_000, " \\u00ad" * 74_000, " \\n" * 74_000):
            text = blanks + "Excarcelan a 20 presos políticos, según Foro Penal - El Pitazo"
            found = clf.classify(title="Excarcelan a presos políticos en Venezuela", text=text, lang="es")
            print(sorted((c.event, c.number, c.source) for c in found.counts))
    """)
    assert out.splitlines() == ["[('released', 20, 'Foro Penal')]"] * 5  # as without the blanks


@pytest.mark.parametrize("kind", ["rss", "json", "page"])
def test_a_long_date_is_read_in_linear_time(kind):
    """A date of 200,000 letters: the written date's month-first pattern tried every letter of the
    run, each reading the run to its end (16 KB took 1.8 s, 64 KB 29 s; this one some minutes),
    whichever reader the feed goes through. The item is kept, without a date."""
    out = _run(f"""
        import json
        from datetime import UTC, datetime
        from core.config import Selectors
        from monitor.parse import parse_any
        from monitor.parse.page import parse_page
        now = datetime(2026, 1, 14, 12, tzinfo=UTC)
        date = "a" * 200_000
        if "{kind}" == "rss":
            body = (f"<rss version='2.0'><channel><title>F</title><item><title>T</title>"
                    f"<link>https://x.test/1</link><pubDate>{{date}}</pubDate></item></channel></rss>")
            parsed = parse_any(body.encode(), {{}}, "https://x.test/feed", now=now)
        elif "{kind}" == "json":
            body = json.dumps({{"version": "https://jsonfeed.org/version/1.1", "title": "F", "items": [
                {{"id": "1", "url": "https://x.test/1", "title": "T", "date_published": date}}]}})
            parsed = parse_any(body.encode(), {{}}, "https://x.test/feed", now=now)
        else:
            body = f"<html><body><div class=n><h2>T</h2><a href=/1>l</a><time>{{date}}</time></div></body></html>"
            parsed = parse_page(body.encode(), {{}}, "https://x.test/", Selectors(item="div.n", title="h2",
                                link="a@href", date="time"), now=now)
        print(len(parsed.entries), parsed.entries[0].published)
    """)
    assert out.split() == ["1", "None"]


def test_a_title_of_deaths_looks_back_a_few_words_from_each(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a title's dead are its prisoners' relatives reads the words before each death word:
    all of the title's before it were split for each (a 200,000-character title of "murieron 10"
    to `monitor classify`: 6.9 s), of which the last seven are read. Counted in words, not timed."""
    from monitor.match.urgency import deaths

    longest = 0
    relatives_death = deaths.relatives_death

    def counted(haystack: str, start: int, words: list[str]) -> bool:
        nonlocal longest
        longest = max(longest, len(words))
        return relatives_death(haystack, start, words)

    monkeypatch.setattr(deaths, "relatives_death", counted)
    assert not deaths.dead_are_relatives(" murieron 10" * 1_000 + " ")
    assert longest == deaths._RELATIVE_WORDS
    assert deaths.dead_are_relatives(" la madre de un preso politico murio ")  # told in the words before
    assert not deaths.dead_are_relatives(" la madre de uno de los tres presos politicos que ayer murio ")  # 8 words


def test_a_page_listing_one_link_twice_under_a_title_of_blanks_is_read_in_linear_time():
    """Two listings of one link are compared for a title cut short with an ellipsis; the
    ellipsis pattern was tried at every blank of a run in the title, each reading the run to its
    end (64,000 spaces: 26 s; these 200,000 some minutes). They are one article, as before."""
    out = _run("""
        from datetime import UTC, datetime
        from core.config import Selectors
        from monitor.parse.page import parse_page
        title = "Liberan a" + " " * 200_000 + "20 presos"
        item = f'<div class=n><h2>{title}</h2><a href="/a/1">l</a></div>'
        body = f"<html><body><section>{item}</section><ul><li>{item}</li></ul></body></html>"
        parsed = parse_page(body.encode(), {}, "https://x.test/", Selectors(item="div.n", title="h2", link="a@href"),
                            now=datetime(2026, 1, 14, 12, tzinfo=UTC))
        print(len(parsed.entries), " ".join(parsed.entries[0].title.split()))
    """)
    assert out.split() == ["1", "Liberan", "a", "20", "presos"]


def test_a_long_run_of_scheme_letters_is_redacted_in_linear_time():
    """Every log line goes through `redact_secrets`: its userinfo pattern began a scheme at every
    letter of a run of "a.a.a.…" or "a-a-a-…" and read each to the run's end (32,000 characters
    took 1.7 s; these 400,000 some minutes). A URL's password after the run is still hidden."""
    out = _run("""
        from core.urls import redact_secrets
        for run in ("a." * 200_000, "a-" * 200_000, "x" * 200_000):
            print(redact_secrets(run + " https://user:pw@feeds.example/rss?token=abc").split()[-1])
        print(redact_secrets("log: 1https://user:pw@host/feed"))
    """)
    assert out.splitlines() == ["https://***@feeds.example/rss?token=***"] * 3 + ["log: 1https://***@host/feed"]


def test_a_feeds_own_entities_are_never_expanded(tmp_path):
    """A DOCTYPE's entities: nine levels of ten ("billion laughs", 3 GB expanded) and one naming a
    file on the host (XXE). Neither is expanded: the laughs' item is read with the reference as
    written (the parse problem names the undefined entity), the file's reference is dropped and
    the file never read."""
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cr3t-on-the-host")
    out = _run(f"""
        from monitor.parse import parse_any
        levels = "".join(f'<!ENTITY {{chr(98 + i)}} "' + f"&{{chr(97 + i)}};" * 10 + '">' for i in range(9))
        for doctype, ref in ((f'<!ENTITY a "lollollollollollollollollollol">{{levels}}', "j"),
                             ('<!ENTITY x SYSTEM "file://{secret}">', "x")):
            doc = (f'<?xml version="1.0"?><!DOCTYPE rss [{{doctype}}]><rss version="2.0"><channel>'
                   f'<title>t</title><item><title>Presos &{{ref}};</title><link>https://x.example/1</link>'
                   '</item></channel></rss>')
            parsed = parse_any(doc.encode(), {{"content-type": "application/rss+xml"}}, "https://x.example/feed")
            print([e.title for e in parsed.entries], bool(parsed.problems))
    """)
    assert out.splitlines() == ["['Presos &j;'] True", "['Presos'] False"]
