"""Speakers and quotations: an event told as a noun ("la liberación", "el ataque") in someone's
words is what they say about it, not the event; what a speaker reports is there is the event."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from core.count import outlet_names
from core.text import fold, haystack
from monitor.match.urgency.words_before import FILLERS
from monitor.match.urgency.written import quoted

# What a speaker reports is there is the event reported, not their view of it: "Petro dice que
# hay bombardeos sobre Caracas", "denuncian que hubo detenciones", "says there were strikes" (not
# "dice que no hay…", "niega que hubo…", "dice que las excarcelaciones…").
REPORTED_THERE = re.compile(
    r" (?:dice|dicen|dijo|dijeron|afirma|afirman|afirmo|asegura|aseguran|aseguro|denuncia|denuncian"
    r"|denuncio|alerta|alertan|alerto|reporta|reportan|reporto|informa|informan|informo|confirma|confirman"
    r"|confirmo|says|said|reports|reported|warns|warned)(?: que| that)? (?:hay|hubo|se registran"
    r"|se registraron|se escuchan|se escucharon|there are|there were|there have been)"
    r"(?: (?:" + "|".join(FILLERS) + r"))* $"
)
# A release told as a noun ("las excarcelaciones", "la liberación") is often what someone says
# about releases, not one: "Edmundo González exige celeridad en excarcelaciones", "el Comité
# rechazó el uso de las excarcelaciones como propaganda", "UE: «La liberación de europeos es un
# alivio»". Such a noun does not tell the event after a speaker's word a few words back (with
# no word of the act between: "anuncia", "confirma", "verifica"), nor inside a quotation. So too
# a capture or an attack told as a noun: "Trump: “La gente … está muy satisfecha con la captura
# de Maduro”", "«CAPTURA DE MADURO ENVÍA UN MENSAJE AL MUNDO», DIJO…", "Delcy Rodríguez
# considera «vergonzoso» que un venezolano agradezca el ataque".
_EVENT_NOUN = re.compile(r" ?(?:liberacion|liberaciones|excarcelacion|excarcelaciones|release|releases"
                         r"|captura|ataque|ataques|bombardeo|bombardeos|capture|attack|attacks) ")
SAID = re.compile(
    r" (?:lamenta|lamentan|lamento|denuncia|denuncian|denuncio|denunciaron|rechaza|rechazan|rechazo"
    r"|rechazaron|califica|califican|califico|critica|critican|critico|criticaron|cuestiona|cuestionan"
    r"|cuestiono|tilda|tildo|dice|dijo|habla|hablo|opina|considera|valora|valoro|exige|exigen|exigio"
    r"|exigieron|pide|piden|pidio|reclama|reclaman|insiste|advierte|advirtio|confia|confian"
    r"|says|said|criticizes|criticized|slams|questions|questioned|denounce|denounces|denounced|decry"
    r"|decries|decried) "
)
# A practice denounced, not one event: forced disappearances in the plural after a speaker's word,
# with no one named after them ("Familiares … denuncian desapariciones forzadas"). "Denuncian la
# desaparición forzada de X", "…desapariciones forzadas de 12 presos políticos" name whom.
_PRACTICE = re.compile(r" ?(?:desapariciones forzadas|forced disappearances|enforced disappearances)"
                       r"(?! (?:de|del|of|en contra de|against) )")
_ACT = re.compile(
    r" (?:anuncia|anuncio|anuncian|anunciaron|confirma|confirmo|confirman|confirmaron|verifica"
    r"|verifico|verifican|reporta|reporto|reportan|registra|registran|informa|informo|ordena|ordeno"
    r"|comienza|comenzo|comenzaron|inicia|inicio|produce|producen|produciendo|produjo|produjeron"
    r"|ejecuta|ejecuto|ejecutado|ejecutamos|realiza|realizo|realizado|realizamos|lanza|lanzo|lanzado"
    r"|lanzamos|carried out|launched|conducted"
    r"|announces|announced|confirms|confirmed) "
)
_SAID_WORDS = 8
# A speaker's name before a colon opens their words, as a quotation does: "Luis Carlos Díaz:
# Liberaciones se complican porque…", "Maduro Guerra: El país no puede olvidar el ataque…". Two to
# four capitalized words (a name, not an outlet's "Reuters:" or "CBS:", nor an acronym or a
# title in capitals, "EE UU:", "EN VIVO:"), no rubric ("Breaking News:") nor a preposition
# ("Inside El Helicoide:", "Desde Caracas:").
_COLON = re.compile(r"^\s*([^:«»“”\"]{3,60}?)\s*:\s")
_RUBRIC = frozenset({"ultima", "hora", "breaking", "news", "live", "updates", "update", "video", "videos",
                     "fotos", "vivo", "directo", "minuto", "urgente", "alerta", "exclusiva", "exclusive",
                     "opinion", "analisis", "analysis", "editorial", "entrevista", "interview",
                     # a place or a time, not a name ("Inside El Helicoide: former detainees…")
                     "inside", "in", "from", "at", "on", "en", "desde", "dentro", "tras", "sobre",
                     "con", "entre", "hacia", "durante"})
# A place before a colon is a dateline, not a speaker ("Ciudad Bolívar: Excarcelación de…",
# "Los Teques: Liberación…"): no name of a person opens with an article or these words.
_NO_NAME_OPENS = frozenset({"el", "la", "los", "las", "the", "ciudad", "puerto", "san", "santa", "santo",
                            "nueva", "nuevo", "isla", "estado", "villa", "valle", "new", "port", "fort",
                            "saint", "city"})
# A news outlet's or an agency's name before a colon is its source, as a dateline is, not a speaker:
# "Efecto Cocuyo: Liberación de Rocío San Miguel", "Washington Post: Release of…". The names are
# package data (`core/data/outlets.txt`); rights groups are not among them and speak
# ("Foro Penal: Liberación de X" is what Foro Penal says).
# The act told after the event's noun, in the speaker's words too: "Foro Penal: Liberación de Rocío
# San Miguel confirmada".
_DONE = re.compile(r" (?:confirmad|verificad|concretad|ejecutad|realizad)[oa]s? ")


def speaker_words(raw: str) -> int:
    """How many words a speaker's name before a colon opening `raw` has ("Luis Carlos Díaz:
    …" -> 3); 0 when it opens with none, or with a news outlet's name ("Efecto Cocuyo: …")."""
    m = _COLON.match(raw)
    if m is None or haystack(m.group(1)) in outlets():
        return 0
    names = m.group(1).split()
    if not 2 <= len(names) <= 4 or any(not (w[:1].isupper() and w[1:].isalpha() and w[1:].islower())
                                       for w in names):
        return 0
    if any(fold(w) in _RUBRIC for w in names) or fold(names[0]) in _NO_NAME_OPENS:
        return 0
    return len(names)


@lru_cache(maxsize=1)
def outlets() -> frozenset[str]:
    """The names of news outlets and agencies (`core/data/outlets.txt`), each folded as a
    haystack (" efecto cocuyo "); read once per process."""
    return frozenset(outlet_names())


def noun_told(haystack: str, start: int, words: Sequence[str], raw: str | None) -> bool:
    """Whether the term at `start`, after `words`, is told as the event: any term but a noun of the
    event (or a practice) is; such a noun is, in a speaker's words after a colon or a word of saying,
    only with a word of the act ("confirma", "confirmada"), and never inside a quotation."""
    practice = _PRACTICE.match(haystack, start) is not None
    if not (practice or _EVENT_NOUN.match(haystack, start)):
        return True
    speaker = speaker_words(raw) if raw is not None else 0
    if 0 < speaker <= len(words):  # the speaker's words after "Name Surname:"
        return bool(_ACT.search(" " + " ".join(words[speaker:]) + " ") or _DONE.search(haystack, start))
    said = " " + " ".join(words[-_SAID_WORDS:]) + " "
    cue = max((m.end() for m in SAID.finditer(said)), default=0)
    if _ACT.search(said, max(cue - 1, 0)):
        return True  # "Foro Penal confirma la excarcelación", "«Se están produciendo excarcelaciones»"
    if cue:
        return False  # what someone says about releases
    return raw is None or not quoted(raw, len(words))
