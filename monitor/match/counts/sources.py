"""Who states a count: sources named in the sentence and their attribution."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from core.count import count_sources, outlet, outlet_names
from core.text import fold, haystack
from monitor.match.counts.joint import GENERIC, GENERIC_NGO, UNNAMED, joins, joint, listed
from monitor.match.counts.numbers import Sentence

NGO = "an NGO"  # "ONG verifican 53 de las 116": an unnamed rights group, unless the item names one
NGOS_UNNAMED = "NGOs"  # "las ONG estiman…", "NGOs have verified…": never one named group
# the groups of the table below that "la ONG" may stand for (never a government, the UN, a party)
NGOS = ("Foro Penal", "JEP", "Provea", "OVP", "Clippve", "SNTP")

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
                           r"|\bministr\w*|(?<!foreign )\bminister\b|\bministerio (?:de|del|publico)\b(?! (?:relaciones |asuntos )?exteriores)|fiscal general|attorney general|\bfiscalia\b"
                           r"|(?<=\bby )caracas\b|(?<=\bpor )caracas\b|\bcaracas (?=said|says|announced)"
                           # "Venezuela says it freed 110": the state speaking, as wires write it
                           r"|^(?:[a-z ]+: )?venezuela (?=says|said|announced|announces|claims|claimed)"
                           r"|\bmaduro\b|\bcabello\b|\bsaab\b|\bpadrino lopez\b|\biris varela\b"),
        ("Trump", r"\btrump\b"),
        ("the Justice Department", r"justice department|department of justice"
                                   r"|departamento de justicia|\bdoj\b"),
        (GENERIC, r"\bla organizacion\b|\bthe group\b|\bthe organi[sz]ation\b|\brights group\b|\bthe watchdog\b"),
        (NGOS_UNNAMED, r"\b(?:(?:las |the )?(?:ongs|ngos|oeneges)\b|las ong\b|(?:human )?rights groups\b"
                       r"|organizaciones (?:no gubernamentales|de derechos humanos))"),
        (GENERIC_NGO, r"\b(?:(?:una |la |the |an )?(?:ong|oenege|ngo)\b(?: (?:venezolana|independiente"
                      r"|de derechos humanos|venezuelan|independent))?|organizacion no gubernamental)"),
    ]
]

# Offices that speak for a foreign government: "el Gobierno de Italia", "canciller español".
_OFFICES = (r"(?:gobierno|canciller|cancilleria|ministr[oa] de (?:asuntos )?exteriores|ministerio de (?:asuntos )?"
            r"exteriores|embajada|embajador|embajadora|president[ea]|primer ministro|primera ministra|autoridades"
            r"|government|foreign minist(?:er|ry)|embassy|president|prime minister|authorities)")


def _words(words: list[str]) -> str:
    """Alternatives of folded words, a space also standing for dots ("ee uu": "ee. uu.", "ee.uu.")."""
    return "|".join(r"[\s.]+".join(re.escape(part) for part in w.split()) for w in sorted(words, key=len, reverse=True))


def _spaced(words: str) -> str:
    """Words as the country table keys them: dots and runs of spaces one space ("ee. uu." → "ee uu")."""
    return re.sub(r"[\s.]+", " ", words).strip()


def _government(names: list[str], adjectives: list[str]) -> re.Pattern[str]:
    """A foreign government as a source: its name, alone or after an office ("Alemania
    anunció", "el Gobierno de Italia"); an adjective only beside an office ("canciller
    español", "Spanish government"): "tres italianos" are people, not Italy."""
    name = _words(names)
    # a name after "de" is whose act it was ("Ofensiva de EE UU: … un centenar de fallecidos"), not a speaker
    parts = [rf"\b{_OFFICES} (?:de |del |of |of the )?(?:{name})\b", rf"\b(?:{name})'s {_OFFICES}\b",
             rf"(?<!\bde )(?<!\bdel )(?<!\bof )\b(?:{name})\b"]
    if adjectives:
        adj = _words(adjectives)
        parts += [rf"\b{_OFFICES} (?:{adj})\b", rf"\b(?:{adj}) {_OFFICES}\b"]
    return re.compile("|".join(parts))


GOVERNMENTS: tuple[str, ...] = tuple(count_sources()["governments"])
# what "the NGO", "the group" never stands for: a government, Venezuela's or a foreign one
NOT_GROUPS = UNNAMED | {"the government", *GOVERNMENTS}


@cache
def _government_pattern(key: str) -> re.Pattern[str]:
    """A country's pattern, compiled the first time a sentence names the country: the 16
    patterns cost 40 ms at import, a tenth of `monitor classify`'s start (bench_cli_start.py)."""
    entry = count_sources()["governments"][key]
    return _government(list(entry.get("names") or []), list(entry.get("adjectives") or []))


# one scan for any country's word first: the patterns above, each a few alternatives after an
# office, cost a scan each and most sentences name no country (the classifier reads every
# matched item's fields: docs/SCALE.md, "Classification speed")
_COUNTRY_OF = {
    _spaced(word): key for key, entry in count_sources()["governments"].items()
    for word in [*(entry.get("names") or []), *(entry.get("adjectives") or [])]
}
_ANY_COUNTRY = re.compile(rf"\b(?:{_words(list(_COUNTRY_OF))})\b")


_COUNTRY_TOKENS = frozenset(word.split()[0] for word in _COUNTRY_OF)
_TOKENS = re.compile(r"[a-z]+")


def _countries(text: str) -> list[str]:
    """The foreign governments whose words the text has, in the table's order."""
    if _COUNTRY_TOKENS.isdisjoint(_TOKENS.findall(text)):
        return []
    found = {_COUNTRY_OF.get(_spaced(m.group())) for m in _ANY_COUNTRY.finditer(text)}
    return [key for key in GOVERNMENTS if key in found]


_ATTRIBUTION = re.compile(
    r"\b(?:dijo|dice|dicen|informo|informa|informaron|anuncio|anuncia|anunciaron|verifico|verifica|verifican"
    r"|(?:ha|han|habia|habian) (?:verificado|registrado|contabilizado|confirmado|documentado|informado|anunciado)"
    r"|confirma|confirmo|confirman|contabiliza|contabilizo|contabilizan|registra|registro|denuncia|denuncio"
    r"|suma|sumo|suman|totaliza|totalizo"
    # the plural and its past, as sources named together state a figure: "Foro Penal, Provea y
    # Cofavic registran 800", "las ONG contabilizaron 300"
    r"|registran|registraron|contabilizaron|confirmaron|verificaron|reportan|reportaron|documentan|documentaron"
    r"|denuncian|denunciaron|senalan|senalaron|indican|indicaron|aseguran|aseguraron|afirman|afirmaron"
    r"|estiman|estimaron|cifran|cifraron|totalizan|totalizaron|sumaron"
    r"|reporta|reporto|senala|senalo|indica|indico|asegura|aseguro|afirma|afirmo|estima|estimo"
    r"|cifra|cifro|documenta|documento|said|says|say|reported|reports|confirmed|confirms|confirm"
    r"|verify|count|estimate"  # "Foro Penal and Provea confirm 56", "NGOs count 840"
    r"|verified|verifies|counted|counts|tally|tallies|announced|announces|estimates|estimated"
    r"|documented|stated|states|claimed|claims|told|puts|put|places|situa|situan|incluye|includes|habla|hablan|hablo|eleva|elevo|raises|raised|actualiza|actualizo"
    # a source that revises its own figure: "Foro Penal reduce a 777 la cifra", "corrige: son 134"
    r"|reduce|redujo|rebaja|rebajo|corrige|corrigio|lowers|lowered|revises|revised"
    # what a speaker holds, warns of or lets out is stated too: "Iris Varela considera a Maduro y
    # Cilia Flores como los dos únicos presos políticos", "Foro Penal advierte que hay 800…"
    # (until December 2026 these gave no source, though "asegura" and "afirma" did)
    r"|considera|consideran|considero|consideraron|cree|creen|calcula|calculan|calcularon"
    r"|sostiene|sostienen|sostuvo|advierte|advierten|advirtio|alerta|alertan|alerto|revela|revelan|revelo"
    r"|precisa|precisan|precisaron|detalla|detallan|detallo|explica|explican|explico|recuerda|recuerdan"
    r"|recordo|reconoce|reconocen|reconocio|admite|admiten|admitio|insiste|insisten|insistio"
    r"|considers|considered|believes|believe|warns|warned|reveals|revealed|acknowledges|acknowledged"
    r"|admits|admitted|notes|noted|explains|explained|insists|insisted"
    r")\b|:|'s (?:tally|count|figures|latest)"
)


# one who speaks for a source: "el director de Foro Penal", "Foro Penal's Alfredo Romero", "Foro Penal director"
_ROLE = (r"(?:director|directora|presidente|presidenta|vicepresidente|vicepresidenta|coordinador|coordinadora"
         r"|abogado|abogada|vocero|vocera|portavoz|fundador|fundadora|head|president|vice president|lawyer|chief"
         r"|spokesman|spokeswoman|spokesperson|coordinator|founder)")
_ROLE_OF = rf"(?:{_ROLE}\s+(?:de|del|of)\s+(?:(?:el|la|the)\s+)?)?"
_SAID = re.compile(rf"(?:'s(?:\s+[a-z]+){{1,3}}?|\s+{_ROLE}(?:\s+[a-z]+){{0,3}}?)?"
                   r"\s+(?:said|says|reported|reports|dijo|informo|senalo|indico)\b")


# who states a figure, named after it: "las 87 excarcelaciones anunciadas por el Gobierno",
# "de las más de 400 que anunció el Gobierno", "800 excarcelados desde diciembre, dice Cabello"
_STATED_BY = re.compile(
    r"(?:(?:anunciad|informad|reportad|verificad|confirmad|contabilizad|registrad|documentad|prometid)[oa]s?"
    r"\s+por|\b(?:announced|reported|claimed|verified|confirmed|counted|promised)\s+by|\bque\s+(?:(?:ha|han|habia|habian)\s+)?(?:anuncio|anunciaron|anunciado|informo|informaron|informado"
    r"|reporto|reportaron|reportado|verifico|verificaron|verificado|confirmo|confirmaron|confirmado|contabilizo"
    r"|registro|prometio|dijo|dice)|,\s*(?:dice|dijo|afirma|afirmo|asegura|aseguro|informa|informo|senala|senalo"
    r"|indica|indico|confirma|confirmo|denuncia|denuncio|reporta|reporto|registra|verifica|verifico"
    r"|says|said))\s+(?:(?:el|la|los|las|the)\s+)?(?:(?!(?:que|de|a|en)\s)[a-z]+\s+)?" + _ROLE_OF + "$"
)
# ", says X" names the speaker only when X closes the clause ("…, says Foro Penal"); else "says"
# opens a clause of its own ("Foro Penal verifies 33 releases, says government list had ghost names")
_SAYS = re.compile(r",\s*(?:says|said)\b")
_CLAUSE_END = re.compile(rf"(?:'s(?:\s+[a-z]+){{1,3}}?|\s+{_ROLE}(?:\s+[a-z]+){{0,3}}?)?\s*(?:[,;:.!?]|$)")


_PREP = re.compile(
    r"(?:segun|according to|de acuerdo con|by|per|citing|reported by|announced by|confirmed by)"
    r"\s+(?:(?:el|la|los|las|the)\s+)?" + _ROLE_OF + "$"
)
# a foreign government after a bare "by" did something ("the deal brokered by Washington"), said nothing
_BARE_BY = re.compile(r"(?<!reported )(?<!announced )(?<!confirmed )\b(?:by|per)\s+(?:the\s+)?" + _ROLE_OF + "$")


def _prep_before(text: str, m_start: int, name: str) -> bool:
    """Whether the source named at `m_start` follows "según", "according to" (for a foreign
    government, not a bare "by")."""
    before = text[max(0, m_start - 30):m_start]
    return _PREP.search(before) is not None and not (name in GOVERNMENTS and _BARE_BY.search(before))


# words without which a pattern cannot match (each alternative holds one), checked before its
# scan: most sentences name no source, and a pattern opening with \b is tried at every position
# of the sentence, where a word is found in C (every pattern has its words: a sentence that names
# no source costs no scan at all)
_ANCHORS = {
    "Foro Penal": ("foro penal",),
    "JEP": ("jep", "encuentro y perdon"),
    "Provea": ("provea",),
    "OVP": ("observatorio venezolano de prisiones", "ovp"),
    "Clippve": ("clippve", "comite por la libertad de los presos politicos"),
    "Southern Command": ("comando sur", "southern command", "southcom"),
    "SNTP": ("sntp", "trabajadores de la prensa"),
    "PUD": ("pud", "plataforma unitaria"),
    "Jorge Rodríguez": ("jorge rodriguez",),
    "Delcy Rodríguez": ("delcy",),
    "Trump": ("trump",),
    "the Justice Department": ("justice department", "department of justice", "departamento de justicia", "doj"),
    GENERIC: ("la organizacion", "the group", "the organi", "rights group", "the watchdog"),
    # Caracas and Venezuela only as the state speaking: their names alone are in most sentences
    "the government": ("gobierno", "government", "ejecutivo", "regime", "minist", "fiscal", "attorney general",
                       "by caracas", "por caracas", "caracas said", "caracas says", "caracas announced",
                       "maduro", "cabello", "saab", "padrino lopez", "iris varela",
                       "venezuela says", "venezuela said", "venezuela announce", "venezuela claim"),
    "the Pentagon": ("pentagon", "department of", "departamento de", "hegseth", "secretari", "secretary"),
    "the United Nations": ("naciones unidas", "united nations", "onu", "experts"),
    "IACHR": ("cidh", "iachr", "comision interamericana", "inter-american commission"),
    NGOS_UNNAMED: ("ong", "ngo", "oenege", "rights group", "organizaciones"),
    GENERIC_NGO: ("ong", "ngo", "oenege", "organizacion"),
}
_TABLE = frozenset({n for n, _ in SOURCES} | set(GOVERNMENTS))


# a headline's lead-in before its colon: "NYTimes: Número de muertes … asciende a 80 personas"
_LEAD = re.compile(r"\s*([^:«»“”\"]{2,40}?)\s*:\s")


def outlet_lead(text: str) -> tuple[int, int, str] | None:
    """An outlet or an agency opening a (folded) sentence before a colon ("nytimes: …", "efe:
    …"), as a mention named as core/data/outlets.txt writes it; else None."""
    m = _LEAD.match(text)
    name = outlet_names().get(haystack(m.group(1))) if m else None
    return None if m is None or name is None else (m.start(1), m.end(1), name)


# what makes an outlet's lead-in no source: someone it quotes or reports saying the figure
# ("NYT: «Alto funcionario afirma que unas 40 personas murieron…»": the official's figure)
_QUOTES = re.compile(r"[«»“”\"]")


def _outlet_states(between: str) -> bool:
    """Whether the words from an outlet's lead-in to a figure are the outlet's own: its colon,
    then no quotation, and no verb of saying of someone else's."""
    rest = between.lstrip()
    return rest.startswith(":") and _QUOTES.search(rest) is None and _ATTRIBUTION.search(rest, 1) is None


def source_mentions(text: str, named: Sequence[str]) -> list[tuple[int, int, str]]:
    """The sources a (folded) sentence names, in order; of two that overlap, the longer
    ("gobierno español" is Spain's, not "the government" of "gobierno")."""
    out = []
    for name, pattern in SOURCES:
        for word in _ANCHORS[name]:
            if word in text:
                break
        else:
            continue  # none of the words its pattern needs: no scan
        for m in pattern.finditer(text):
            out.append((m.start(), m.end(), name))
    for name in _countries(text):
        for m in _government_pattern(name).finditer(text):
            out.append((m.start(), m.end(), name))
    if (lead := outlet_lead(text)) is not None:
        out.append(lead)
    for name in named:  # gazetteer organisations not in the table above
        if name not in _TABLE:
            for m in re.finditer(rf"\b{re.escape(fold(name))}\b", text):
                out.append((m.start(), m.end(), name))
    kept: list[tuple[int, int, str]] = []
    for mention in sorted(out, key=lambda m: (m[0], -m[1])):
        if kept and mention[0] < kept[-1][1]:
            continue  # inside (or across) the longer one found first
        if kept and kept[-1][2] in UNNAMED and mention[0] - kept[-1][1] <= 1:
            # "la ONG Control Ciudadano", "rights group Foro Penal": the name it introduces,
            # from where the introduction starts ("según la ONG Foro Penal")
            mention = (kept.pop()[0], mention[1], mention[2])
        kept.append(mention)
    return kept


# a source alone at the end of a headline, after a colon or a dash, states its figure (wire
# style: "Venezuela frees 87 political prisoners: Foro Penal", "… -rights group")
_CLOSING = re.compile(r"(?::|\s[-–—])\s*(?:(?:el|la|los|las|the)\s+)?$")
_OPENS = re.compile(r"\s*(?:(?:el|la|los|las|the)\s+)?")
_ENDS = re.compile(r"[\s.!?\"'”»]*")


def closing_source(text: str, mentions: list[tuple[int, int, str]], after: int) -> str | None:
    """The source that closes the sentence after a colon or a dash, past `after`, if one does."""
    if not mentions or mentions[-1][0] < after:
        return None
    m_start, m_end, name = mentions[-1]
    if _ENDS.fullmatch(text, m_end) is None or _CLOSING.search(text, 0, m_start) is None:
        return None
    return name


def only_source(text: str, named: Sequence[str]) -> bool:
    """Whether a piece of a headline is one source and nothing else ("Foro Penal", "the Pentagon")."""
    return sole_source(text, named) is not None


def sole_source(text: str, named: Sequence[str]) -> str | None:
    """The source a piece of a headline is and nothing else, else None."""
    mentions = source_mentions(text, named)
    if len(mentions) == 1 and _OPENS.fullmatch(text, 0, mentions[0][0]) is not None and (
            _ENDS.fullmatch(text, mentions[0][1]) is not None):
        return mentions[0][2]
    return None


def generic(source: str | None, named: str | None) -> str | None:
    """A generic mention resolved: the item's one named source of its kind (`named`: any
    for "the group", one of `NGOS` for "la ONG"), else an unnamed NGO for "ONG", "una ONG
    venezolana" (nothing for "the group")."""
    if source == GENERIC:
        return named
    if source == GENERIC_NGO:
        return named or NGO
    return source


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
            text[end:m_start - len(before) + cue.start()], cue.group(), partitive_ok=not said) and (
            not _SAYS.match(cue.group()) or _CLAUSE_END.match(text, m_end) is not None)
        if own or said and (_prep_before(text, m_start, name) or _SAID.match(text, m_end)):
            return name
    return None


# a demand of release states the figure it names when its speaker opens the sentence: "SNTP
# exigió la liberación de seis periodistas", "EE. UU. pide la liberación de los 1.000 presos políticos"
# (not "Machado agradece a Trump y pide…": Trump is not the one asking)
_DEMAND = re.compile(r"[\s.]*(?:pide|piden|pidio|exige|exigen|exigio|reclama|reclaman|reclamo|demands|demanded"
                     r"|urges|urged|calls for|called for)\b")
_RELEASE = re.compile(r"\b(?:liber|excarcel|releas|free)")
_OPENING = re.compile(r"(?:(?:el|la|los|las|the)\s+)?")


def _said(text: str, m_start: int, between: str, name: str) -> re.Match[str] | None:
    """The words by which the source named before a figure states it, if any. A foreign
    government's colon must follow its name opening the sentence ("EE. UU.: …"): "Canje con
    Washington: regresan 10 estadounidenses" is not Washington's figure."""
    said = _ATTRIBUTION.search(between)
    opens = _OPENING.fullmatch(text[:m_start]) is not None
    if said is not None and said.group() == ":" and name in GOVERNMENTS and not (opens and between.lstrip(". ").startswith(":")):
        said = _ATTRIBUTION.search(between.replace(":", " "))
    if said is None and opens and _RELEASE.search(between):
        said = _DEMAND.match(between)
    return said or _PLURAL_SAYS.match(between)


# verbs that are nouns too ("the group's report documents arrests in 22 states"): a source's
# verb only right after its name ("Rights groups report at least 22 new arrests")
_PLURAL_SAYS = re.compile(r"\s+(?:report|document|announce)\b")


# a figure whose noun says it was stated, without saying by whom: not the speaker's own
_ANNOUNCED_BY_SOMEONE = re.compile(
    r"(?:\s+[a-z]+){0,3}?\s+(?:anunciad|informad|reportad|prometid)[oa]s?\b(?!\s+(?:por|por el|por la)\b)")


def attribute(sent: Sentence, mentions: list[tuple[int, int, str]], pos: tuple[int, int],
              number_starts: Sequence[int]) -> str | None:
    start, end = pos
    text = sent.text
    after = stated_after(sent, mentions, end, number_starts)
    if after is not None:
        return after  # "... rose to 953, Foro Penal said"
    if _ANNOUNCED_BY_SOMEONE.match(text, end):
        return None  # "exige publicar la lista de los 626 excarcelados anunciados": someone else's figure
    best, best_end, by_prep = None, -1, False
    lists = listed(text, mentions)
    # an outlet's lead-in states a figure only in a sentence that names no other source
    # ("Prodavinci: más de 18.000 detenciones…, según los registros de Foro Penal": Foro Penal's)
    lead = outlet_lead(text) if len(mentions) == 1 else None
    for idx, (m_start, m_end, name) in enumerate(mentions):
        if m_end <= start:
            between = text[m_end:start]
            said = _said(text, m_start, between, name)
            if said and outlet(name) and ((m_start, m_end, name) != lead or not _outlet_states(between)):  # a lead-in only
                said = None  # the outlet tells someone else's figure
            if best is not None and idx in lists and best_end == mentions[idx - 1][1] and joins(
                    said, by_and=lists[idx], by_prep=by_prep):
                # "La PUD y Foro Penal confirman 56", "Foro Penal, Provea y JEP confirman 800",
                # "según Provea y Foro Penal, hay 900": all of them state it, "PUD & Foro Penal"
                best, best_end = joint(best, name), m_end
                continue
            prep = _prep_before(text, m_start, name)
            if said or prep:
                best, best_end, by_prep = name, m_end, prep
    if best is None:  # "25 muertos y 2.200 detenidos, según el gobierno": the whole sentence
        for m_start, _, name in mentions:
            if m_start >= end and _prep_before(text, m_start, name):
                return name
        return closing_source(text, mentions, end)
    return best


def canonical_source(raw: str | None) -> str | None:
    """A stated source as the matcher names it, for comparing labels with what it found: the
    first known source the text names ("la ONG Foro Penal", "Foro Penal y la PUD" → Foro
    Penal), else the folded text without its article."""
    if not raw or not raw.strip():
        return None
    folded = fold(raw).strip()
    if folded == "venezuela":  # a label's "Venezuela" (says 64 freed) is the state speaking: the government
        return "the government"
    found = [generic(name, None) for _, _, name in source_mentions(folded, []) if name != GENERIC]
    if found:
        return found[0]
    return re.sub(r"^(?:el|la|los|las|the)\s+", "", folded)

