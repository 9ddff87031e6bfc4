"""The people described, not their event: a participle after a noun ("la lista de los presos
políticos excarcelados"), the freed as the subject of a present verb ("excarcelados enfrentan…"),
and a relative clause ("un hombre que fue excarcelado en…")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.match.urgency.speakers import SAID
from monitor.match.urgency.written import stop_between

# A release participle describing the people a headline is about, not telling their release:
# "el crudo relato de los italianos excarcelados", "la lista completa de los presos políticos
# excarcelados", "la situación de la activista venezolana excarcelada". A preposition and an
# article, then one to three words (no verb of a passive: "a los que fueron excarcelados" is
# told as it was), just before the participle.
_PARTICIPLE = re.compile(r" ?(?:excarcelad[oa]s?|liberad[oa]s?) ")
_DESCRIBED = re.compile(
    r"(?:^| )[a-z]+ (?:los|las|la|el|un|una|unos|unas|sus|su)"
    r"(?: (?!(?:fue|fueron|es|son|ha|han|habia|habian|sido|sera|seran|que)\b)[a-z]+){1,3}$"
)
# So too a plural participle after the people's noun and before a verb of the present telling
# how they fare: "Denuncian que presos políticos excarcelados enfrentan medidas cautelares",
# "…excarcelados siguen bajo régimen de presentación" (the third person plural, "-an"/"-en"). Not
# after an auxiliary or a figure ("fueron excarcelados", "56 excarcelados"), nor before a word of
# another kind ending so ("excarcelados también", "…en", "…recién").
_PLURAL_PARTICIPLE = re.compile(r" ?(?:excarcelad|liberad)[oa]s (?P<verb>[a-z]+(?:an|en)) ")
_NOT_A_VERB = frozenset({"tambien", "recien", "quien", "bien", "alguien", "joven", "orden", "origen",
                         "imagen", "regimen", "segun"})
# …except a verb of leaving prison or coming home, which is the release told: "Presos políticos
# excarcelados salen de El Rodeo I", "…abandonan Tocorón", "…llegan a Caracas", "…regresan a sus
# hogares".
_LEAVING = frozenset({"salen", "abandonan", "dejan", "llegan", "arriban", "regresan", "vuelven",
                      "retornan", "aterrizan"})
_NOT_THE_PEOPLE = frozenset({"fue", "fueron", "ha", "han", "habia", "habian", "es", "son", "ser", "sido",
                             "haber", "seran", "sean", "serian", "estan", "quedan", "quedaron"})
# A relative clause describing someone or something the headline is about, not telling its own
# event: "el primer deseo de un hombre que fue excarcelado", "EE UU lanzó la operación que
# capturó a Maduro", "Maduro, who was captured…". After "que"/"that", an article and one or two
# words before it (a noun: "Denuncian que detuvieron a…", "La ONG denuncia que…" are what is
# told, and "los que fueron excarcelados" a release); "quien(es)"/"who" is a relative anywhere.
# A time of the news after the term ("que fue detenido anoche") tells it, and stays urgent.
_RELATIVE_CLAUSE = re.compile(
    r"(?:(?:^| )(?:el|la|los|las|un|una|unos|unas|al|del|the|a|an)(?P<noun>(?: [a-z]+){1,2}) (?:que|that)"
    r"|[a-z] (?:quien|quienes|who))"
    r"(?: (?:fue|fueron|ha sido|han sido|habia sido|habian sido|habria sido|was|were|has been|have been"
    r"|had been))?$"
)
# Verbs of telling: "que" after them (or after them and whom they tell: "informó a los familiares
# que…") opens what is told, not a relative clause.
_SPEAKER_VERB = re.compile(
    SAID.pattern
    + r"| (?:revela|revelan|revelo|alerta|alertan|alerto|asegura|aseguran|aseguro|afirma|afirman|afirmo"
      r"|senala|senalan|senalo|indica|indican|indico|explica|explico|sostiene|precisa|preciso|agrega"
      r"|agrego|anade|anadio|cree|creen|sabe|saben|estima|estiman|recuerda|recordo|denuncia|denuncian"
      r"|denunciaron|anuncia|anuncio|anuncian|anunciaron|confirma|confirmo|confirman|confirmaron"
      r"|verifica|verifico|reporta|reporto|reportan|reportaron|informa|informo|informan|informaron"
      r"|says|said|reports|reported|confirms|confirmed|announces|announced|tells|told) "
)
_NEWS_TIME = re.compile(
    r"(?: [a-z]+){0,3} (?:hoy|anoche|ayer|esta madrugada|esta manana|esta noche|este (?:lunes|martes"
    r"|miercoles|jueves|viernes|sabado|domingo)|en las ultimas horas|today|yesterday|last night"
    r"|this (?:morning|week)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)) "
)


def how_the_freed_fare(haystack: str, start: int, words: Sequence[str]) -> bool:
    """Whether the plural participle at `start` names the subject of a present verb ("presos
    políticos excarcelados enfrentan…"): how the people already freed fare, not their release."""
    m = _PLURAL_PARTICIPLE.match(haystack, start)
    if m is None or not words or words[-1] in _NOT_THE_PEOPLE or words[-1].isdigit():
        return False
    return m["verb"] not in _NOT_A_VERB and m["verb"] not in _LEAVING


def in_a_relative_clause(haystack: str, start: int, words: Sequence[str]) -> bool:
    """Whether the term at `start` opens a relative clause describing someone ("un hombre que fue
    excarcelado en…"), with no time of the news after it ("…que fue detenido anoche")."""
    before = " ".join(words[-6:])
    clause = _RELATIVE_CLAUSE.search(before)
    if clause is None:
        return False
    if clause["noun"]:  # the noun, and the two words before its article, hold no verb of telling
        teller = before[:clause.start()].split()[-2:]
        if _SPEAKER_VERB.search(" " + " ".join(teller) + clause["noun"] + " "):
            return False
    term = haystack.find(" ", start + 1)  # the term's first word ends here
    return not _NEWS_TIME.match(haystack, term)


def participle_describes(haystack: str, start: int, words: Sequence[str]) -> bool:
    """Whether the release participle at `start`, after `words`, describes the people ("el relato
    de los italianos excarcelados"), not their release."""
    return bool(_PARTICIPLE.match(haystack, start) and _DESCRIBED.search(" ".join(words[-5:])))


# A release told as a noun that a copula then weighs ("Rubio: la liberación de presos políticos es
# condición para levantar sanciones", "Landau: la excarcelación de los presos es una prioridad",
# "Machado: la liberación de todos los presos es el primer paso de la transición"): a goal or a
# condition talked about, not a release. Up to six words of its complement between the noun and
# the copula, which is not a relative clause's ("La excarcelación de X, que es la principal exigencia
# de la ONG, se produjo anoche" tells it; "…de los presos que quedan es condición…" weighs it), and
# no stop between ("Excarcelación de X: es urgente atender su salud"); "es un hecho", "es
# inminente" are not in the list and stay the event.
_RELEASE_NOUN = re.compile(r" ?(?:liberacion|liberaciones|excarcelacion|excarcelaciones|release|releases) ")
_WEIGHED = re.compile(
    r"(?P<between>(?:[a-z0-9]+ ){0,6}?)"
    r"(?:es|son|seria|serian|sera|seran|sigue siendo|is|are|would be|will be|remains)"
    r" (?:(?:un|una|el|la|a|an|the|su|sus|nuestra|nuestro|our|their) )?"
    r"(?:(?:primer|primera|gran|principal|unica|unico|first|main|top|key|only|big) )?"
    r"(?:condicion|condiciones|prioridad|prioridades|paso|requisito|requisitos|clave|objetivo|meta|exigencia"
    r"|necesaria|necesarias|urgente|urgentes|fundamental|fundamentales|indispensable|innegociable"
    r"|irrenunciable|imprescindible|esencial|condition|conditions|priority|step|requirement|prerequisite"
    r"|goal|demand|essential|necessary|urgent|must|non negotiable)\b"
)


_RELATIVE_PRONOUNS = frozenset({"que", "quien", "quienes", "cual", "cuales", "which", "who", "that"})


def weighed_as_a_goal(haystack: str, start: int, words: Sequence[str], raw: str | None = None) -> bool:
    """Whether the release noun at `start`, after `words`, is the subject of a copula that weighs
    it as a goal, a condition or a priority (_WEIGHED), with no stop of `raw` between them."""
    noun = _RELEASE_NOUN.match(haystack, start)
    weighed = _WEIGHED.match(haystack, noun.end()) if noun is not None else None
    if weighed is None:
        return False
    between = weighed["between"].split()
    if between[-1:] and between[-1] in _RELATIVE_PRONOUNS:
        return False
    return raw is None or not stop_between(raw, len(words), len(words) + 1 + len(between))
