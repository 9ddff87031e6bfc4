"""Who states a count: sources named in the sentence and their attribution."""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.text import fold
from monitor.match.counts_numbers import Sentence

# -- sources ----------------------------------------------------------------------
SOURCES: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern))
    for name, pattern in [
        ("Foro Penal", r"\bforo penal\b"),
        ("JEP", r"\bjep\b|justicia,? encuentro y perdon"),
        ("Provea", r"\bprovea\b"),
        ("OVP", r"observatorio venezolano de prisiones|\bovp\b"),
        ("Clippve", r"\bclippve\b|comite por la libertad de los presos politicos"),
        ("the United Nations", r"naciones unidas|united nations|\bonu\b|\bu ?n\b experts"),
        ("IACHR", r"\bcidh\b|\biachr\b|comision interamericana|inter-american commission"),
        ("the Pentagon", r"\bpentagon\w*|department of (?:defense|war)|departamento de (?:defensa|guerra)"
                         r"|\bhegseth\b|secretari[oa] de (?:defensa|guerra)|(?:defense|war) secretary"),
        ("Southern Command", r"comando sur|southern command|southcom"),
        ("Jorge Rodríguez", r"\bjorge rodriguez\b"),
        ("Delcy Rodríguez", r"\bdelcy\b"),
        ("the government", r"\bgobierno\b|\bgovernment\b|\bejecutivo\b|\bregimen\b|\bregime\b"
                           r"|\bministr\w*|fiscal general|attorney general|\bfiscalia\b"
                           r"|(?<=\bby )caracas\b|(?<=\bpor )caracas\b|\bcaracas (?=said|says|announced)"
                           r"|\bmaduro\b|\bcabello\b|\bsaab\b"),
        ("Trump", r"\btrump\b"),
        ("the Justice Department", r"justice department|department of justice"
                                   r"|departamento de justicia|\bdoj\b"),
        ("*", r"\bla ong\b|\bla organizacion\b|\bthe group\b|\bthe organi[sz]ation\b"
              r"|\brights group\b|\bthe ngo\b|\bla ong\b|\bthe watchdog\b"),
    ]
]


_ATTRIBUTION = re.compile(
    r"\b(?:dijo|dice|dicen|informo|informa|informaron|anuncio|anuncia|anunciaron|verifico|verifica"
    r"|confirma|confirmo|confirman|contabiliza|contabilizo|contabilizan|registra|registro|denuncia|denuncio"
    r"|suma|sumo|suman|totaliza|totalizo"
    r"|reporta|reporto|senala|senalo|indica|indico|asegura|aseguro|afirma|afirmo|estima|estimo"
    r"|cifra|cifro|documenta|documento|said|says|say|reported|reports|confirmed|confirms"
    r"|verified|verifies|counted|counts|tally|tallies|announced|announces|estimates|estimated"
    r"|documented|stated|states|claimed|claims|told|puts|put|places|situa|situan|incluye|includes|habla|hablan|hablo|eleva|elevo|raises|raised|actualiza|actualizo)\b|:|'s (?:tally|count|figures|latest)"
)


_SAID = re.compile(r"\s+(?:said|says|reported|reports|dijo|informo|senalo|indico)\b")


_PREP = re.compile(
    r"(?:segun|according to|de acuerdo con|by|per|citing|reported by|announced by|confirmed by)"
    r"\s+(?:(?:el|la|los|las|the)\s+)?$"
)


def source_mentions(text: str, named: Sequence[str]) -> list[tuple[int, int, str]]:
    out = []
    for name, pattern in SOURCES:
        for m in pattern.finditer(text):
            out.append((m.start(), m.end(), name))
    for name in named:  # gazetteer organisations not in the table above
        if name not in {n for n, _ in SOURCES}:
            for m in re.finditer(rf"\b{re.escape(fold(name))}\b", text):
                out.append((m.start(), m.end(), name))
    return sorted(out)


def attribute(sent: Sentence, mentions: list[tuple[int, int, str]], pos: tuple[int, int],
               number_starts: Sequence[int]) -> str | None:
    start, end = pos
    text = sent.text
    # "... 4 muertos, según el Pentágono": a following source with no other count between
    for m_start, m_end, name in mentions:
        if (
            m_start >= end
            and not any(end <= s < m_start for s in number_starts)
            and (_PREP.search(text[max(0, m_start - 30):m_start]) or _SAID.match(text, m_end))
        ):
            return name  # "... rose to 953, Foro Penal said"
    best = None
    for m_start, m_end, name in mentions:
        if m_end <= start:
            between = text[m_end:start]
            before = text[max(0, m_start - 30):m_start]
            if _ATTRIBUTION.search(between) or _PREP.search(before):
                best = name
    if best is None:  # "25 muertos y 2.200 detenidos, según el gobierno": the whole sentence
        for m_start, _, name in mentions:
            if m_start >= end and _PREP.search(text[max(0, m_start - 30):m_start]):
                return name
    return best

