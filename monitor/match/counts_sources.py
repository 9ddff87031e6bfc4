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
        ("SNTP", r"\bsntp\b|sindicato nacional de trabajadores de la prensa|sindicato de trabajadores de la prensa"),
        ("PUD", r"\bpud\b|plataforma unitaria"),
        ("Jorge Rodríguez", r"\bjorge rodriguez\b"),
        ("Delcy Rodríguez", r"\bdelcy\b"),
        ("the government", r"\bgobierno\b|\bgovernment\b|\bejecutivo\b|\bregimen\b|\bregime\b"
                           r"|\bministr\w*|\bministerio (?:de|del|publico)\b(?! (?:relaciones |asuntos )?exteriores)|fiscal general|attorney general|\bfiscalia\b"
                           r"|(?<=\bby )caracas\b|(?<=\bpor )caracas\b|\bcaracas (?=said|says|announced)"
                           r"|\bmaduro\b|\bcabello\b|\bsaab\b|\bpadrino lopez\b"),
        ("Trump", r"\btrump\b"),
        ("the Justice Department", r"justice department|department of justice"
                                   r"|departamento de justicia|\bdoj\b"),
        ("*", r"\bla ong\b|\bla organizacion\b|\bthe group\b|\bthe organi[sz]ation\b"
              r"|\brights group\b|\bthe ngo\b|\bla ong\b|\bthe watchdog\b"),
    ]
]


_ATTRIBUTION = re.compile(
    r"\b(?:dijo|dice|dicen|informo|informa|informaron|anuncio|anuncia|anunciaron|verifico|verifica|verifican"
    r"|(?:ha|han|habia|habian) (?:verificado|registrado|contabilizado|confirmado|documentado|informado|anunciado)"
    r"|confirma|confirmo|confirman|contabiliza|contabilizo|contabilizan|registra|registro|denuncia|denuncio"
    r"|suma|sumo|suman|totaliza|totalizo"
    r"|reporta|reporto|senala|senalo|indica|indico|asegura|aseguro|afirma|afirmo|estima|estimo"
    r"|cifra|cifro|documenta|documento|said|says|say|reported|reports|confirmed|confirms"
    r"|verified|verifies|counted|counts|tally|tallies|announced|announces|estimates|estimated"
    r"|documented|stated|states|claimed|claims|told|puts|put|places|situa|situan|incluye|includes|habla|hablan|hablo|eleva|elevo|raises|raised|actualiza|actualizo)\b|:|'s (?:tally|count|figures|latest)"
)


_SAID = re.compile(r"\s+(?:said|says|reported|reports|dijo|informo|senalo|indico)\b")


# who states a figure, named after it: "las 87 excarcelaciones anunciadas por el Gobierno",
# "de las más de 400 que anunció el Gobierno", "800 excarcelados desde diciembre, dice Cabello"
_STATED_BY = re.compile(
    r"(?:(?:anunciad|informad|reportad|verificad|confirmad|contabilizad|registrad|documentad|prometid)[oa]s?"
    r"\s+por|\b(?:announced|reported|claimed|verified|confirmed|counted|promised)\s+by|\bque\s+(?:(?:ha|han|habia|habian)\s+)?(?:anuncio|anunciaron|anunciado|informo|informaron|informado"
    r"|reporto|reportaron|reportado|verifico|verificaron|verificado|confirmo|confirmaron|confirmado|contabilizo"
    r"|registro|prometio|dijo|dice)|,\s*(?:dice|dijo|afirma|afirmo|asegura|aseguro|informa|informo|senala|senalo"
    r"|indica|indico|confirma|confirmo))\s+(?:(?:el|la|los|las|the)\s+)?(?:(?!(?:que|de|a|en)\s)[a-z]+\s+)?$"
)


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


_JOINED = re.compile(r"\s+(?:y|e|and)\s+(?:(?:el|la|los|las|the)\s+)?")
_PARTITIVE = re.compile(r"\b(?:de (?:los|las)|of the)\b")
_CLAUSE_BREAK = re.compile(r"[,;:.]")
OWN_PHRASE_WORDS = 8  # "116 excarcelaciones de presos políticos anunciadas por": the noun and its complement


def _own_phrase(between: str, cue: str, *, partitive_ok: bool) -> bool:
    """Whether a source named after the figure names the figure's own: ", dice X" closes the
    sentence; "anunciadas por X", "que anunció X" must follow the figure's noun, not a
    later clause ("887, pese a las excarcelaciones anunciadas por el Gobierno"), nor the
    whole of a part ("37 de los excarcelados que anunció el Gobierno")."""
    if cue.startswith(","):
        return True
    if _CLAUSE_BREAK.search(between) or len(between.split()) > OWN_PHRASE_WORDS:
        return False
    return partitive_ok or not _PARTITIVE.search(between)


def stated_after(sent: Sentence, mentions: list[tuple[int, int, str]], end: int,
                 number_starts: Sequence[int], *, said: bool = True) -> str | None:
    """A source named after the figure, with no other figure between: "... 4 muertos, según
    el Pentágono", "las 87 excarcelaciones anunciadas por el Gobierno". `said=False` takes
    only a source the figure's own noun phrase names (anunciadas por, que anunció)."""
    text = sent.text
    for m_start, m_end, name in mentions:
        if m_start < end or any(end <= s < m_start for s in number_starts):
            continue
        before = text[max(0, m_start - 40):m_start]
        own = (cue := _STATED_BY.search(before)) is not None and _own_phrase(
            text[end:m_start - len(before) + cue.start()], cue.group(), partitive_ok=not said)
        if own or said and (_PREP.search(before) or _SAID.match(text, m_end)):
            return name
    return None


def attribute(sent: Sentence, mentions: list[tuple[int, int, str]], pos: tuple[int, int],
              number_starts: Sequence[int]) -> str | None:
    start, end = pos
    text = sent.text
    after = stated_after(sent, mentions, end, number_starts)
    if after is not None:
        return after  # "... rose to 953, Foro Penal said"
    best, best_end = None, -1
    for m_start, m_end, name in mentions:
        if m_end <= start:
            between = text[m_end:start]
            said = _ATTRIBUTION.search(between)
            if best is not None and said and said.group() != ":" and _JOINED.fullmatch(text, best_end, m_start):
                # "Foro Penal y la PUD confirman 56": the first named speaks for both (but
                # "Provea y Foro Penal difieren: 1.050 vs. 884" gives each its own figure)
                continue
            if said or _PREP.search(text[max(0, m_start - 30):m_start]):
                best, best_end = name, m_end
    if best is None:  # "25 muertos y 2.200 detenidos, según el gobierno": the whole sentence
        for m_start, _, name in mentions:
            if m_start >= end and _PREP.search(text[max(0, m_start - 30):m_start]):
                return name
    return best


def canonical_source(raw: str | None) -> str | None:
    """A stated source as the matcher names it, for comparing labels with what it found: the
    first known source the text names ("la ONG Foro Penal", "Foro Penal y la PUD" → Foro
    Penal), else the folded text without its article."""
    if not raw or not raw.strip():
        return None
    folded = fold(raw).strip()
    found = [name for _, _, name in source_mentions(folded, []) if name != "*"]
    if found:
        return found[0]
    return re.sub(r"^(?:el|la|los|las|the)\s+", "", folded)

