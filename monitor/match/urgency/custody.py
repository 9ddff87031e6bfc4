"""Custody: a person named taken into custody or before a court, told by where they arrive or
are held ("Maduro llegó al tribunal de Manhattan", "held at a Brooklyn jail"), or arrested told
of a pronoun ("Lo arrestan…") or of what they do ("Detienen a locutor…"); someone walking out of
a prison for political prisoners ("sale de Ramo Verde"); and how long someone has been held,
which is their state, not an arrest ("tras 374 días detenido"). Whether each place found tells the headline's own event is
read by the caller (`event.tells_the_event`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from monitor.match.urgency.deaths import RELATIVE
from monitor.match.urgency.written import comma_after

# How long someone has been held, told with the state: "tras 374 días detenido", "tras más de
# un año detenido" (no arrest). Only before a participle of being held: "Tras 374 días,
# excarcelan a…" tells the release.
_HELD_FOR = re.compile(
    r"(?:^| )(?:tras|luego de|despues de|after) (?:mas de |casi |cerca de )?[a-z0-9]+ (?:dias?|semanas?|mes"
    r"|meses|anos?|days?|weeks?|months?|years?)$"
)
_HELD = re.compile(
    r" ?(?:(?:detenid|arrestad|apresad|capturad|secuestrad|encarcelad|desaparecid|recluid)[oa]s?"
    r"|held|detained|jailed|imprisoned|missing) "
)
# A pronoun for the person arrested stands for their name: "Lo arrestan en Anzoátegui por…",
# "La detuvieron en Maiquetía", "police arrested him". Spanish puts the pronoun just before a
# finite verb (not "la captura", "los detenidos", "las detenciones": an article and a noun),
# English just after a past ("arrested them"; not "to arrest them", an intent).
_CLITIC = re.compile(r"(?:^| )(?:lo|la|los|las)$")
_FINITE = re.compile(r"(?!(?:[a-z]+(?:ad|id)[oa]s?|[a-z]+cion(?:es)?) )[a-z]+(?:an|en|aron|ieron|o|e) ")
_OBJECT_AFTER = re.compile(r"[a-z]+ed (?:him|her|them) ")
# A person taken into custody or before a court, told without a word of arrest: an arrival, an
# entry, a transfer or an appearance whose place is a prison or a court ("Maduro llegó al
# tribunal de Manhattan", "ingresó a cárcel en Brooklyn", "es trasladado a tribunal federal",
# "compareció ante la Justicia", "ya están en la corte", "arrived at a Manhattan court"), or whose
# purpose is a trial ("llegó a Estados Unidos para ser juzgado", "to face charges"). Urgent while
# a person is named, as an arrest. Not the future ("comparecerá"), a plan ("trasladarían"), a
# noun ("la comparecencia"), a bare "está en prisión" (a state; "ya está" tells it new), nor "se
# presenta ante el tribunal" (released prisoners' regime of presentation). Held somewhere, told
# in the present, is custody too ("está detenido en un buque militar", "is being held at").
_CUSTODY_VERB = re.compile(
    r" (?:llega|llegan|llego|llegaron|ha llegado|han llegado|arriba|arriban|arribo|arribaron"
    r"|ingresa|ingresan|ingreso|ingresaron|(?:es|son|fue|fueron|ha sido|han sido) (?:ingresad|conducid|llevad)[oa]s?"
    r"|comparece|comparecen|comparecio|comparecieron|ya (?:esta|estan)|arrives|arrived"
    r"|(?P<moved>trasladan|trasladaron|traslado|(?:es|son|fue|fueron|ha sido|han sido) trasladad[oa]s?"
    r"|(?:is|are|was|were|has been|have been) (?:taken|transferred|brought|booked))"
    r"|(?P<appears>appears|appeared)|(?P<heldat>held|jailed|detained|locked up)|(?P<held>(?:ya )?(?:esta|estan) (?:detenid|arrestad)[oa]s?|is being held"
    r"|are being held))(?= )"
)
# Held somewhere, told in the present ("Maduro está detenido en un buque militar"): where the
# person is, not since when ("está detenido desde 2024 en…" is their state).
_HELD_IN = re.compile(r" (?:en|in|at|on) (?!(?:[a-z0-9]+ ){0,5}(?:desde|since) )")
_PLACE = (r" (?:(?:carcel|carceles|prision|penal|penitenciari[a-z]+|calabozos?|celda"
          r"|centro (?:de detencion|de reclusion|penitenciario)|tribunal|tribunales|corte|juzgado|juez|jueza"
          r"|justicia|court|courthouse|courtroom|jail|prison|judge|detention (?:center|centre|facility)|custody)"
          r"(?! (?:penal internacional|interamericana|idh|suprema|supremo|internacional))"
          r"|para (?:ser juzgad[oa]s?|enfrentar (?:cargos|a la justicia|(?:un )?juicio)|comparecer)"
          r"|to (?:face (?:charges|trial|justice|a judge)|stand trial|be tried|appear in court)) ")
# A transfer names whom between the verb and the place ("Trasladan al periodista X a la cárcel
# de…"), and the prison by its name as often as not ("…a El Helicoide"; not for an arrival:
# "Delcy Rodríguez llega a El Helicoide" may be a visit).
_PRISONS = (r" (?:el helicoide|helicoide|el rodeo|rodeo i|rodeo iii|tocoron|tocuyito|yare|ramo verde"
            r"|la tumba|zona 7|inof|boleita) ")
# Headline English drops the verb of being: "Maduro held at Brooklyn jail" (a place of custody
# after it; "Protest held in Caracas" is none).
_HELD_AT = re.compile(r" (?:at|in|inside)(?: [a-z]+){0,4}?" + _PLACE)
# …but what is held may be an event, not the person: "Hearing for Maduro held in Manhattan court".
_IS = frozenset({"is", "are", "was", "were", "be", "been", "remains", "remain"})  # a state: "he is held in…"
_HELD_EVENT = re.compile(r"(?:^| )(?:hearing|hearings|trial|vigil|rally|protest|meeting|talks|session"
                         r"|ceremony|mass|march|event|conference|briefing|funeral|vote|election)(?: [a-z]+){0,3}$")
_ARRIVED_AT = re.compile(r"(?: [a-z]+){0,4}?" + _PLACE)
_MOVED_TO = re.compile(r"(?: [a-z]+){0,6}?(?:" + _PLACE + "|" + _PRISONS + ")")
# "appears" is also "seems" ("appears frail in court"), and "appeared in a jail uniform" is no
# place: in English an appearance is before a court or a judge, right after "in", "before", "at".
_APPEARS_BEFORE = re.compile(r" (?:in|before|at)(?: (?:a|an|the|federal|us|u s|new york|manhattan))*"
                             r" (?:court|courtroom|courthouse|judge) ")
# A hearing again is a step of a trial already told, not the person's arrival before it.
_AGAIN = re.compile(r" (?:de nuevo|nuevamente|otra vez|por segunda vez|again|for the second time) ")
# Who arrives may be a visitor or a case, not the person held: "La madre de X llegó a la
# cárcel", "El abogado de X llega al tribunal", "La denuncia contra X llega a la Corte"; the
# arrival may be the time of something else ("desde que ingresó a prisión, X ha perdido…").
_NOT_THE_HELD = re.compile(
    r"(?:^| )(?:" + RELATIVE + r"|abogad[oa]s?|defensa|defensor[a-z]*|lawyers?|attorneys?|caso|casos"
    r"|denuncias?|demandas?|expediente|querella|causa|solicitud|peticion|recurso|cases?|lawsuit"
    r"|complaint|petition) (?:de|del|of|contra|against) "
)
_TIME_OF = re.compile(r"(?:^| )(?:(?:desde|despues de|luego de|antes de|hasta) que|cuando|since|after"
                      r"|before|when|until)$")


def held_for(haystack: str, start: int, before: str) -> bool:
    """Whether the participle of being held at `start` follows how long (`before`: "tras 374
    días detenido"): a state, not an arrest."""
    return bool(_HELD_FOR.search(before) and _HELD.match(haystack, start))


def arrivals_in_custody(hay: Sequence[str], raw: Sequence[str] | None) -> Iterator[tuple[int, int]]:
    """The fields and offsets, in the title and summary, of an arrival in custody or in court
    ("Maduro llegó al tribunal de Manhattan") told of the person who arrives."""
    for f in (0, 1):
        text = hay[f]
        for m in _CUSTODY_VERB.finditer(text):
            where = (_APPEARS_BEFORE if m["appears"] else _HELD_AT if m["heldat"] else _MOVED_TO if m["moved"] else _HELD_IN if m["held"]
                     else _ARRIVED_AT)
            place = where.match(text, m.end())
            if place is None or _AGAIN.search(text, m.start(), place.end() + 1):
                continue
            words = text[:m.start()].split()
            before = " " + " ".join(words[-7:]) + " "
            if _NOT_THE_HELD.search(before) or _TIME_OF.search(before.rstrip()):
                continue
            if m["heldat"] and (_HELD_EVENT.search(before.rstrip()) or words[-1:] and words[-1] in _IS
                                or comma_after(raw[f] if raw else None, len(words) - 1)):
                continue  # an event held, a state ("he is held in…"), an aside ("The couple, held at…")
            yield f, m.start()


def arrests_of_a_pronoun(tids: Sequence[int], hits: Mapping[int, list[tuple[int, int, int]]],
                         hay: Sequence[str]) -> Iterator[tuple[int, int]]:
    """The fields and offsets of a term (an arrest verb) told of a pronoun ("Lo arrestan…",
    "arrested him") in the title or summary."""
    for f, start in _prominent_hits(tids, hits):
        text = hay[f]
        spanish = _CLITIC.search(text[:start].rstrip()) and _FINITE.match(text, start + 1)
        if spanish or _OBJECT_AFTER.match(text, start + 1):
            yield f, start


def _prominent_hits(tids: Sequence[int], hits: Mapping[int, list[tuple[int, int, int]]]) -> Iterator[tuple[int, int]]:
    """The field and offset of each hit of a term of `tids` in the title or summary."""
    for t in tids:
        for f, start, _ in hits.get(t, ()):
            if f < 2:
                yield f, start


# A person told by what they do stands for their name as a pronoun does: "Detienen a locutor de
# radio comunitaria", "Arrestan al activista…", "Aprehenden a defensora de DDHH". Only the
# arrest's object, right after the verb's "a"/"al" (not "Detienen a 20 personas tras protesta
# de periodistas").
_ROLE_OBJECT = re.compile(
    r"(?:a|al|a la|a las|a los|a un|a una|a otro|a otra|a otros|a otras|a dos|a tres) "
    r"(?:(?:joven|conocid[oa]|reconocid[oa]|destacad[oa]|veteran[oa]|otr[oa]) )?"
    r"(?:periodistas?|reporter[oa]s?|fotoperiodistas?|camarograf[oa]s?|locutor(?:a|es|as)?"
    r"|activistas?|defensor(?:a|es|as)?|sindicalistas?|dirigentes?|opositor(?:a|es|as)?"
    r"|lider(?:es)? (?:opositor|sindical|estudiantil)\w*|tuiter[oa]s?|tiktokers?|influencers?"
    r"|coordinador(?:a|es|as)?|concejal(?:a|es|as)?|exdiputad[oa]s?|diputad[oa]s?|alcaldes?|alcaldesa"
    r"|militar(?:es)? disidentes?) "
)
_ENGLISH_FINITE = re.compile(r"(?:arrests|arrested|detains|detained|jails|jailed|seizes|seized) ")
_ENGLISH_ROLE_OBJECT = re.compile(
    r"(?:an? |the |another |two |three )?(?:prominent |veteran |opposition |local )?"
    r"(?:journalists?|reporters?|photojournalists?|activists?|rights defenders?|human rights defenders?"
    r"|trade unionists?|union leaders?|opposition leaders?|opposition figures?|dissidents?) "
)


def arrests_of_a_role(tids: Sequence[int], hits: Mapping[int, list[tuple[int, int, int]]],
                      hay: Sequence[str]) -> Iterator[tuple[int, int]]:
    """The fields and offsets of a term (an arrest verb) whose object is a person told by what
    they do ("Detienen a periodista…", "arrest journalist") in the title or summary."""
    for f, start in _prominent_hits(tids, hits):
        text = hay[f]
        verb = _FINITE.match(text, start + 1) or _ENGLISH_FINITE.match(text, start + 1)
        if verb and (_ROLE_OBJECT.match(text, verb.end()) or _ENGLISH_ROLE_OBJECT.match(text, verb.end())):
            yield f, start

# Someone walking out of a prison for political prisoners: "Dirigente sindical sale de Ramo
# Verde tras ocho meses", "Salen del Rodeo I otros 20 presos", "deja el INOF". A release, as
# "sale en libertad". Not "tras salir de…" (an infinitive, the background), not the towns that
# share a prison's name (Tocorón, Tocuyito, Yare), as the relevance rule.
_WALKS_OUT = re.compile(
    r" (?:sale|salen|salio|salieron|deja|dejan|dejo|dejaron) (?:de|del|de la|el|la) "
    r"(?:el )?(?:helicoide|rodeo(?: i| iii| 1| 3)?|ramo verde|la tumba|tumba|zona 7|inof) "
)


# ... not a visitor walking out ("Abogados de presos políticos salen de Ramo Verde sin poder
# verlos", "Madre de X sale del Helicoide tras visitarlo")
_VISITOR = re.compile(
    r" (?:abogad[oa]s?|familiar(?:es)?|madres?|padres?|esposas?|esposos?|hij[oa]s?|herman[oa]s?"
    r"|delegacion(?:es)?|comision(?:es)?|visitantes?|fiscal(?:es)?|defensor del pueblo|defensoria"
    r"|lawyers?|relatives?|mother|wife) "
)
_VISIT_AFTER = re.compile(r" (?:tras|luego de|despues de) (?:la |una )?visit|sin poder (?:ver|visit)")


def walks_out_of_prison(hay: Sequence[str]) -> Iterator[tuple[int, int]]:
    """The title's or summary's offsets of someone walking out of a prison for political
    prisoners."""
    for f in (0, 1):
        if f < len(hay):
            text = hay[f]
            for m in _WALKS_OUT.finditer(text):
                before = " " + " ".join(text[:m.start()].split()[-8:]) + " "
                after = " ".join(text[m.end():].split()[:8])
                if not _VISITOR.search(before) and not _VISIT_AFTER.search(" " + after):
                    yield f, m.start()
