"""Rendering: escaping of hostile text, Telegram's length rule, the plain-text form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alerts.render import (
    MAX_ENTITIES,
    MAX_TEXT,
    WORDS,
    AlertView,
    DigestEntry,
    clock_time,
    entity_count,
    html_to_text,
    render_alert,
    render_digest,
    render_update,
    tg_len,
    topic_label,
)
from alerts.summary import sentences, summarize
from devtools.tghtml import TelegramHTMLError, parse_html

TZ = ZoneInfo("America/Caracas")

HOSTILE = [
    "<script>alert('x')</script>",
    "Tom & Jerry &amp; co &#x; &foo; &",
    "<b>unclosed <i>tags",
    "</b></a> closing first",
    'quote " and \' and <a href="javascript:x">link</a>',
    "emoji 🇻🇪👩🏽‍⚖️🔥 and ZWJ",
    "עברית right-to-left العربية \u202e override \u200f mark",
    "control \x00\x07\x1b chars and a lone surrogate \ud800 here",
    "tg-spoiler <tg-spoiler>x</tg-spoiler> <span class=tg-spoiler>y</span>",
    "> quoted < less 1 < 2 > 0",
]


def view(**kw: object) -> AlertView:
    base = dict(
        lang="es", topics=["political_prisoners"], urgency="high", outlet="El Pitazo",
        published=datetime(2026, 3, 14, 13, 30, tzinfo=UTC).isoformat(),
        title="Excarcelan a 87 presos políticos", summary="Foro Penal verificó 61 excarcelaciones.",
        counts=[{"event": "released", "number": 87, "source": None},
                {"event": "released", "number": 61, "source": "Foro Penal"}],
        url="https://elpitazo.net/nota?a=1&b=2", also=["BBC Mundo"],
    )
    base.update(kw)
    return AlertView(**base)  # type: ignore[arg-type]


def test_message_layout() -> None:
    r = render_alert(view(), TZ)
    shown = parse_html(r.html)
    assert "🔴 URGENTE · Presos políticos" in shown
    assert "El Pitazo · 14/03/2026 09:30" in shown  # 13:30 UTC is 09:30 in Caracas
    assert "<b>Excarcelan a 87 presos políticos</b>" in r.html
    assert "87 excarcelados · 61 verificados por Foro Penal" in shown
    assert 'href="https://elpitazo.net/nota?a=1&amp;b=2"' in r.html
    assert "También: BBC Mundo" in shown
    assert "#PresosPolíticos #Venezuela" in shown
    assert "<" not in r.text and "&amp;" not in r.text  # plain text is readable, not HTML
    assert "https://elpitazo.net/nota?a=1&b=2" in r.text


@pytest.mark.parametrize("bad", HOSTILE)
def test_hostile_text_is_escaped(bad: str) -> None:
    r = render_alert(view(title=bad, summary=bad, outlet=bad, also=[bad], url="https://x.org/" + bad), TZ)
    shown = parse_html(r.html)  # raises when Telegram would refuse it
    assert tg_len(shown) <= MAX_TEXT
    assert "\x00" not in r.html and "\ud800" not in r.html
    if bad.startswith("<script>"):
        assert "<script>" in shown and "<script>" not in r.html


def test_update_and_english() -> None:
    r = render_update(view(lang="en", summary="", counts=[{"event": "released", "number": 61, "source": "Foro Penal"}]), TZ)
    shown = parse_html(r.html)
    assert shown.startswith("🆕 Update")
    assert "61 verified by Foro Penal" in shown


def test_an_english_message_names_the_month() -> None:
    """An English channel read "03/12/2026 15:01" for 3 December: in the United States that is
    12 March. Its alerts, updates and roundups name the month; Spanish ones keep dd/mm/yyyy."""
    december = datetime(2026, 12, 3, 19, 1, tzinfo=UTC)  # 15:01 in Caracas
    r = render_alert(view(lang="en", outlet="AP", published=december.isoformat()), TZ)
    assert "AP · 3 Dec 2026 15:01" in parse_html(r.html) and "AP · 3 Dec 2026 15:01" in r.text
    r = render_update(view(lang="en", outlet="AP", published=december.isoformat()), TZ)
    assert "AP · 3 Dec 2026 15:01" in parse_html(r.html)
    assert "El Pitazo · 03/12/2026 15:01" in parse_html(render_alert(view(published=december.isoformat()), TZ).html)
    entries = [DigestEntry("political_prisoners", "high", f"Story {d}", "AP", (december - timedelta(days=d)).isoformat(), None)
               for d in (1, 0)]
    [part] = render_digest(entries, "en", TZ, heading_time=december)
    shown = parse_html(part.html)
    assert "Roundup · 3 Dec 2026 15:01" in shown
    assert "Story 1 — AP · 2 Dec 15:01" in shown and "Story 0 — AP · 15:01" in shown


def test_a_date_written_without_a_time_is_shown_as_its_day() -> None:
    """A page dating its items "December 3, 2026" (stored 00:00 UTC of that day) was shown
    "2 Dec 2026 20:00" in Caracas: the day before, at a time nobody wrote. The item says so
    (`items.date_only`): a moment of 00:00 UTC (20:00 in Caracas) is a time like any other."""
    day = datetime(2026, 12, 3, tzinfo=UTC)
    shown = render_alert(view(lang="en", outlet="State Dept", published=day.isoformat(), date_only=True), TZ)
    assert "State Dept · 3 Dec 2026\n" in shown.text
    assert "El Pitazo · 03/12/2026\n" in render_alert(view(published=day.isoformat(), date_only=True), TZ).text
    assert "El Pitazo · 02/12/2026 20:00" in render_alert(view(published=day.isoformat()), TZ).text
    entries = [DigestEntry("political_prisoners", "high", "Story", "AP", day.isoformat(), None, date_only=True),
               DigestEntry("political_prisoners", "high", "At eight", "AP", day.isoformat(), None)]
    [part] = render_digest(entries, "en", TZ, heading_time=day)
    assert "Story — AP · 3 Dec" in parse_html(part.html) and "At eight — AP · 20:00" in parse_html(part.html)
    assert "Roundup · 2 Dec 2026 20:00" in parse_html(part.html)  # the roundup's own time
    old = AlertView.from_json({k: v for k, v in view(published=day.isoformat()).to_json().items() if k != "date_only"})
    assert not old.date_only  # a view stored before the flag shows its time, as it did


def test_a_topic_named_with_accents_keeps_its_letters_in_the_hashtag() -> None:
    """An operator's topic "represión" or "presos_políticos" gave #RepresiN and #PresosPolTicos."""
    from alerts.render import hashtags

    assert hashtags(["represión"], "es") == ["#Represión", "#Venezuela"]
    assert hashtags(["presos_políticos", "niños-detenidos"], "es") == ["#PresosPolíticos", "#NiñosDetenidos", "#Venezuela"]
    r = render_alert(view(topics=["represión"]), TZ)
    assert parse_html(r.html).endswith("#Represión #Venezuela")


def test_long_summary_is_shortened_not_cut() -> None:
    summary = ("Ampersand & <tag> " * 600) + "🇻🇪" * 2000
    r = render_alert(view(summary=summary, title="T & <b>" * 100), TZ)
    shown = parse_html(r.html)
    assert tg_len(shown) <= MAX_TEXT and tg_len(r.text) <= MAX_TEXT
    assert tg_len(shown) > MAX_TEXT - 200  # shortened only as much as needed
    assert "…" in shown
    assert shown.rstrip().endswith("#PresosPolíticos #Venezuela")  # the tail survived


@pytest.mark.parametrize(("tail", "whole"), [
    ("🇻🇪" * 40, "🇻🇪"),                       # flags: pairs of regional letters
    ("👨\u200d👩\u200d👧\u200d👦" * 40, "👨\u200d👩\u200d👧\u200d👦"),  # a family: people joined by ZWJ
    ("✊🏽" * 80, "✊🏽"),                       # a fist and its skin tone
])
def test_a_long_title_is_cut_between_whole_emoji(tail: str, whole: str) -> None:
    """A 300-character title cut inside a flag showed a lone letter (🇻 alone), and inside a
    family a part of it: the cut now falls between what a phone draws as one character."""
    kept = 0
    for lead in range(240, 300, 7):  # the cut meets the emoji at each offset of it
        title = "x" * lead + tail
        shown = parse_html(render_alert(view(title=title), TZ).html)
        line = next(line for line in shown.splitlines() if line.startswith("x"))
        assert line.endswith("…")
        emoji = line[lead:-1]
        assert emoji == whole * (len(emoji) // len(whole)), (lead, emoji)
        kept += len(emoji) // len(whole)
    assert kept > 0


def test_utf16_counting() -> None:
    assert tg_len("a") == 1 and tg_len("ñ") == 1 and tg_len("🇻🇪") == 4 and tg_len("😀") == 2
    # a summary of astral characters: 2 units each, so fewer fit than len() suggests
    r = render_alert(view(summary="😀" * 5000), TZ)
    assert len(html_to_text(r.html)) < MAX_TEXT
    assert tg_len(parse_html(r.html)) <= MAX_TEXT


def test_digest_groups_and_splits() -> None:
    entries = [
        DigestEntry("us_actions", "normal", f"US story {i} & <x>", "Reuters", None, f"https://r.com/{i}")
        for i in range(40)
    ] + [
        DigestEntry("political_prisoners", "high", f"Preso {i} " + "x" * 200, "El Pitazo", None, None, sources=3)
        for i in range(30)
    ]
    parts = render_digest(entries, "es", TZ, heading_time=datetime(2026, 3, 14, 12, tzinfo=UTC))
    assert len(parts) >= 2
    shown = [parse_html(p.html) for p in parts]
    assert all(tg_len(s) <= MAX_TEXT for s in shown)
    joined = "\n".join(shown)
    assert joined.index("Presos políticos") < joined.index("EE. UU. y Venezuela")  # most urgent first
    assert joined.count("+2 medios") == 30
    assert all(f"US story {i} & <x>" in joined for i in range(40))


def test_a_digest_message_never_ends_with_a_topic_heading() -> None:
    """A topic's heading goes with its first story: a roundup split just after the heading sent
    "EE. UU. y Venezuela (5 noticias)" as the last line of one message, its stories in the next."""
    when = datetime(2026, 3, 14, 13, 30, tzinfo=UTC)
    for extra in range(40, 100):  # title lengths that move the split across the second heading
        entries = [
            DigestEntry("political_prisoners", "high", f"Título {i} sobre presos políticos " + "x" * extra,
                        "El Pitazo", when.isoformat(), f"https://elpitazo.net/{i}")
            for i in range(25)
        ] + [DigestEntry("us_actions", "normal", f"US title {i}", "BBC", when.isoformat(), f"https://bbc.com/{i}")
             for i in range(5)]
        parts = render_digest(entries, "es", TZ, heading_time=when)
        for part in parts:
            for shown in (parse_html(part.html), part.text):
                last = shown.rstrip().splitlines()[-1]
                assert "—" in last or last.startswith("   http"), (extra, last)


def test_each_message_of_a_long_roundup_says_whose_roundup_and_topic_its_lines_are() -> None:
    """3 January replayed: the 21:00 roundup's 36 US stories took two messages, the second
    began "🟠 Donald Trump: “Estamos listos para una segunda ola…”" under no heading, so its
    notification and a reader scrolling back saw lines of no roundup and no topic. Each message
    after the first opens with the roundup's heading marked continued, and one that begins
    inside a topic with the topic's name marked continued."""
    when = datetime(2026, 1, 4, 2, 0, tzinfo=UTC)  # 3 January 22:00 in Caracas
    for lang, more in (("es", "continuación"), ("en", "continued")):
        entries = [DigestEntry("us_actions", "normal", f"Title {i}", "Infobae", when.isoformat(), f"https://i.com/{i}")
                   for i in range(60)] + [
            DigestEntry("political_prisoners", "normal", "Preso", "Infobae", when.isoformat(), "https://i.com/p")]
        parts = render_digest(entries, lang, TZ, heading_time=when)
        assert len(parts) == 2, len(parts)
        label = topic_label("us_actions", lang)
        for shown in (parse_html(parts[1].html), parts[1].text):
            head, topic = [line for line in shown.splitlines() if line][:2]
            assert head == f"🗞 {WORDS[lang]['digest']} · {clock_time(when, TZ, lang)} ({more})", head
            assert topic == f"{label} ({more})", topic
        assert entity_count(parts[1].html) <= MAX_ENTITIES
        assert "Title 59" in parse_html(parts[1].html)


def test_a_digest_counts_one_more_outlet_in_the_singular() -> None:
    """A story told by two outlets read "El Pitazo +1 medios" ("+1 outlets" in English)."""
    when = datetime(2026, 3, 14, 13, 30, tzinfo=UTC)
    for lang, one, two in (("es", "+1 medio ·", "+2 medios ·"), ("en", "+1 outlet ·", "+2 outlets ·")):
        entries = [DigestEntry("political_prisoners", "high", f"Title {n}", "El Pitazo", when.isoformat(), None, sources=n)
                   for n in (2, 3)]
        [part] = render_digest(entries, lang, TZ, heading_time=when)
        shown = parse_html(part.html)
        assert f"El Pitazo {one}" in shown and f"El Pitazo {two}" in shown
        assert f"El Pitazo {one}" in part.text


def test_a_digest_dates_the_stories_of_an_earlier_day() -> None:
    """A roundup covers 24 h or more (one schedule time a day, a service down for days): four
    stories of four days all read "07:05"."""
    when = datetime(2026, 3, 14, 12, 5, tzinfo=UTC)  # 08:05 in Caracas
    entries = [DigestEntry("political_prisoners", "high", f"Noticia {d}", "El Pitazo",
                           (when - timedelta(days=d, hours=1)).isoformat(), None) for d in (2, 1, 0)]
    [part] = render_digest(entries, "es", TZ, heading_time=when)
    for shown in (parse_html(part.html), part.text):
        assert "Noticia 2 — El Pitazo · 12/03 07:05" in shown
        assert "Noticia 1 — El Pitazo · 13/03 07:05" in shown
        assert "Noticia 0 — El Pitazo · 07:05" in shown  # the roundup's own day: the time alone


@pytest.mark.parametrize(
    "markup",
    ["<script>x</script>", "a & b", "<b>x", "<b><i>x</b></i>", "<a>x</a>", "x > y", "&nbsp;",
     '<span class="x">y</span>', "<pre><b>x</b></pre>", "<br/>"],
)
def test_validator_rejects(markup: str) -> None:
    with pytest.raises(TelegramHTMLError, match="can't parse entities"):
        parse_html(markup)


def test_validator_accepts_documented_html() -> None:
    markup = (
        '<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike>'
        '<del>d</del><a href="http://x.org/?a=1&amp;b=2">l</a><code>c</code>'
        '<pre><code class="language-python">p</code></pre><tg-spoiler>t</tg-spoiler>'
        '<span class="tg-spoiler">sp</span><blockquote>q</blockquote><b><i>nested</i></b>'
        "&lt;&gt;&amp;&quot;&#65;&#x42;"
    )
    assert parse_html(markup) == 'bsieunskdlcptspqnested<>&"AB'


def test_summary_prefers_relevant_sentences_and_drops_boilerplate() -> None:
    text = (
        "El día amaneció nublado en Caracas y hubo tráfico en la autopista. "
        "Suscríbete a nuestro boletín para recibir noticias. "
        "La ONG Foro Penal verificó 61 excarcelaciones de presos políticos este sábado. "
        "Lee también: otras noticias del día. "
        "Los familiares esperaban desde la madrugada frente al Rodeo I. "
    ) * 2
    s = summarize(text=text, summary="resumen corto", title="Excarcelan presos", terms=["presos políticos"], numbers=[61])
    assert s.startswith("La ONG Foro Penal verificó 61")
    assert "Suscríbete" not in s and "Lee también" not in s
    assert len(s) <= 350
    assert summarize(text=None, summary="<p>Solo el <b>resumen</b> del feed.</p>", title="x") == "Solo el resumen del feed."
    assert len(summarize(text=None, summary="palabra " * 200, title="x")) <= 350


def test_a_summary_never_splits_a_sentence_at_an_abbreviation() -> None:
    """"EE. UU.", "U.S." and "Gen." end no sentence: the summary put the relevant sentences first
    and showed "…sanciones. El Gobierno de EE." and "Treasury on Monday sanctioned…"."""
    es = (
        "El Gobierno de EE. UU. anunció este lunes nuevas sanciones contra funcionarios venezolanos. "
        "La medida afecta a 12 personas vinculadas al Sebin. "
        "Según el Tesoro, la decisión busca presionar por la liberación de presos políticos."
    )
    s = summarize(text=None, summary=es, title="x", terms=["presos políticos"], numbers=[12])
    assert "El Gobierno de EE. UU. anunció este lunes" in s
    assert not s.endswith("EE.")
    en = (
        "The U.S. Treasury on Monday sanctioned 12 Venezuelan officials. "
        "Gen. Vladimir Padrino López was among those named by the Treasury Department. "
        "Rights groups welcomed the move against political prisoners' jailers."
    )
    s = summarize(text=None, summary=en, title="x", terms=["political prisoners"], numbers=[12])
    assert s.startswith("The U.S. Treasury on Monday sanctioned 12")
    assert "Gen. Vladimir Padrino López" in s


def test_english_wire_abbreviations_end_no_sentence() -> None:
    """AP copy abbreviates ranks, companies, numbers and states ("Adm.", "Corp.", "No.", "Fla."):
    an alert showed "(AP) — Venezuelan exiles…", "Alvin Holsey, said…" and "…Southern Command, Adm."
    as three sentences of its summary."""
    en = (
        "DORAL, Fla. (AP) — Venezuelan exiles in South Florida celebrated Wednesday as news spread that "
        "87 political prisoners had been freed. "
        "The head of U.S. Southern Command, Adm. Alvin Holsey, said the naval deployment would continue. "
        "Sen. Rick Scott, R-Fla., called the releases a first step."
    )
    s = summarize(text=None, summary=en, title="x", terms=["political prisoners"], numbers=[87])
    assert s.startswith("DORAL, Fla. (AP) — Venezuelan exiles"), s
    assert "The head of U.S. Southern Command, Adm. Alvin Holsey, said" in s and not s.endswith("Adm."), s
    assert sentences("Chevron Corp. CEO Mike Wirth met the No. 2 official, Amb. John McNamara. Maj. Gen. "
                     "Ana Ruiz spoke.") == [
        "Chevron Corp. CEO Mike Wirth met the No. 2 official, Amb. John McNamara.", "Maj. Gen. Ana Ruiz spoke."]


def test_news_words_that_boilerplate_also_uses_keep_their_sentence() -> None:
    """"boletín", "ver más" and "more at" inside a sentence are news, not a call to subscribe or
    a link label: the sentences with the figures were dropped and the summary kept neither."""
    es = (
        "Foro Penal publicó este lunes su boletín: 806 presos políticos siguen detenidos en Venezuela. "
        "El director de la ONG pidió la liberación de todos. "
        "La cifra incluye a 180 militares, y podrían ver más detenciones en los próximos días. "
        "Suscríbete a nuestro boletín. Ver más noticias"
    )
    s = summarize(text=None, summary=es, title="x", terms=["presos políticos"], numbers=[806, 180])
    assert "806 presos políticos siguen detenidos" in s and "180 militares" in s
    assert "Suscríbete" not in s and "Ver más noticias" not in s
    en = "Many more at risk: 806 political prisoners remain behind bars, Foro Penal said. More at elpitazo.net"
    s = summarize(text=None, summary=en, title="x", terms=["political prisoners"], numbers=[806])
    assert s == "Many more at risk: 806 political prisoners remain behind bars, Foro Penal said."


def test_sources_are_named_in_the_channels_language() -> None:
    """The count reader's canonical names ("the United Nations", "Italy") are never shown as
    such in a Spanish channel; a state announces releases of its citizens, it verifies none."""
    from alerts.render import count_phrase

    un = {"event": "held", "number": 800, "source": "the United Nations"}
    assert count_phrase(un, "es") == "800 presos (según la ONU)"
    assert count_phrase(un, "en") == "800 held (according to the UN)"
    assert count_phrase({**un, "source": "the Pentagon", "event": "dead", "number": 3}, "es") == (
        "3 muertos (según el Pentágono)")
    ngo = {"event": "released", "number": 53, "source": "an NGO"}
    assert count_phrase(ngo, "es") == "53 verificados por una ONG"
    assert count_phrase({**ngo, "source": "NGOs"}, "en") == "53 verified by NGOs"
    italy = {"event": "released", "number": 2, "source": "Italy"}
    assert count_phrase(italy, "es") == "2 excarcelados (según Italia)"
    assert count_phrase(italy, "en") == "2 released (according to Italy)"
    assert count_phrase({**italy, "source": "Trump"}, "es") == "2 excarcelados (según Trump)"
    assert count_phrase({**italy, "source": "Foro Penal"}, "es") == "2 verificados por Foro Penal"


def test_government_figures_are_announced_not_verified() -> None:
    from alerts.render import count_phrase, counts_line

    gov = {"event": "released", "number": 99, "source": "the government"}
    assert count_phrase(gov, "es") == "99 excarcelados según el Gobierno"
    assert count_phrase(gov, "en") == "99 released per the government"
    assert count_phrase({"event": "released", "number": 61, "source": "Foro Penal"}, "es") == (
        "61 verificados por Foro Penal"
    )
    # a government voice by name announces too: never "verificados por Delcy Rodríguez"
    delcy = {"event": "released", "number": 406, "source": "Delcy Rodríguez"}
    assert count_phrase(delcy, "es") == "406 excarcelados según Delcy Rodríguez"
    assert count_phrase(delcy, "en") == "406 released according to Delcy Rodríguez"
    # people on top of a figure told before ("liberó a otros tres") are a plus, not a total
    more = {"event": "released", "number": 3, "source": "Foro Penal", "additional": True}
    assert count_phrase(more, "es") == "+3 verificados por Foro Penal"
    assert count_phrase({**more, "source": None}, "en") == "+3 released"
    # a part of the prisoners with its group ("entre ellos 180 militares"), in the channel's language
    part = {"event": "held", "number": 180, "source": "Foro Penal", "part": "military"}
    assert count_phrase(part, "es") == "180 militares presos (según Foro Penal)"
    assert count_phrase(part, "en") == "180 military held (according to Foro Penal)"
    # a part of a release is told with its event: "verificados" alone does not say what was
    assert count_phrase({**more, "part": "spaniards"}, "es") == "+3 españoles excarcelados (verificados por Foro Penal)"
    # thousands as each language writes them
    thousand = {"event": "held", "number": 1000, "source": None}
    assert (count_phrase(thousand, "es"), count_phrase(thousand, "en")) == ("1.000 presos", "1,000 held")
    assert count_phrase({**more, "number": 1200}, "es") == "+1.200 verificados por Foro Penal"
    # a figure as exactly as it was stated ("más de 400", "at least 711")
    claimed = {"event": "released", "number": 400, "source": "the government", "qualifier": "more than"}
    assert count_phrase(claimed, "es") == "más de 400 excarcelados según el Gobierno"
    assert count_phrase(claimed, "en") == "more than 400 released per the government"
    assert count_phrase({**part, "qualifier": "at least"}, "es") == "al menos 180 militares presos (según Foro Penal)"
    # a range is one figure, not its two ends
    low = {"event": "released", "number": 56, "source": "PUD", "upto": 76}
    high = {"event": "released", "number": 76, "source": "PUD"}
    assert counts_line([low, high], "es") == "56–76 excarcelados (verificados por PUD)"
    assert counts_line([high], "en") == "76 released (verified by PUD)"  # the second end alone (a reply) stands


def test_a_release_verified_by_a_source_readers_do_not_know_counts_releases_names_the_event() -> None:
    """Real w0293, "…informó que 14 periodistas detenidos… fueron liberados", was sent as
    "14 periodistas verificados por SNTP": verified what? The rights groups the tally's verified
    line is made of keep the short form; the SNTP, the PUD and a part say the event."""
    from alerts.render import count_phrase
    from core.count import RELEASE_COUNTERS

    sntp = {"event": "released", "number": 14, "source": "SNTP", "part": "journalists"}
    assert count_phrase(sntp, "es") == "14 periodistas excarcelados (verificados por SNTP)"
    assert count_phrase(sntp, "en") == "14 journalists released (verified by SNTP)"
    assert count_phrase({**sntp, "part": None}, "es") == "14 excarcelados (verificados por SNTP)"
    for source in RELEASE_COUNTERS:
        assert " excarcelados" not in count_phrase({"event": "released", "number": 61, "source": source}, "es")
    assert count_phrase({"event": "released", "number": 56, "source": "PUD & Foro Penal"}, "es") == (
        "56 verificados por PUD y Foro Penal")  # one of them counts releases
    # an outlet reports a figure, it verifies none (real w0186, "NYTimes: … asciende a 80 personas")
    assert count_phrase({"event": "dead", "number": 80, "source": "NYTimes"}, "es") == "80 muertos (según NYTimes)"
    assert count_phrase({"event": "released", "number": 80, "source": "Reuters"}, "en") == (
        "80 released (according to Reuters)")


def test_a_section_label_the_outlet_appended_is_not_shown() -> None:
    """Real titles carry their outlet's section on a line of its own ("…\nPOLÍTICA"): a
    reader sees the headline; a title's own second line stays."""
    r = render_alert(view(title="Comida, baños, traslados: los costos de esperar\nPOLÍTICA"), TZ)
    assert "<b>Comida, baños, traslados: los costos de esperar</b>" in r.html
    assert "POLÍTICA" not in r.text
    own = render_alert(view(title="Machado:\nVenezuela será libre muy pronto"), TZ)
    assert "Venezuela será libre muy pronto" in own.text
    digest = render_digest([DigestEntry("us_actions", "normal", "Rubio habla de Venezuela\nEE UU", "El Nacional", None, None)],
                           "es", TZ, heading_time=datetime(2026, 3, 14, 12, tzinfo=UTC))
    assert "Rubio habla de Venezuela" in digest[0].text and "EE UU" not in digest[0].text
