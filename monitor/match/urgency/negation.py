"""Denial and negation: the event denied ("niega que hubo bombardeos") or negated a few words
back in its clause ("Ningún preso político fue excarcelado", "None of the prisoners were freed")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.match.urgency.words_before import FILLERS, GOES_ON
from monitor.match.urgency.written import stop_between

# A denial calls the event off as a "no" does: "Cabello niega que hubo bombardeos", "desmiente la
# excarcelación", "no es cierto que…", "es falso que…", "denies that … were released". After
# "que"/"that" either the event at once ("falso que excarcelaron"), or up to three words ending in
# a verb of being or an auxiliary ("niega que EE UU haya bombardeado"), so that an act told beside
# it stays the news ("niega que hubo torturas y excarcelan a 20"). "Niega"/"rechaza" without
# "que" is a release refused ("niega la liberación de X") and is read as before; "desmiente"
# denies whatever follows it.
_BEING = (r"hubo|hay|haya|hayan|habido|hubiera|hubieran|hubiese|hubiesen|haber|ha|han|habia|habian|se|sido"
          r"|fue|fueron|fuera|fueran|sea|sean|es|son|estan|esten|existan|existen|existieran|ocurrido"
          r"|ocurrieron|producido|producidos|registrado|registrados|realizado|realizados|there|is|are|was"
          r"|were|has|have|had|been|any|ever")
_DENY_THAT = (r"(?:niega|niegan|nego|negaron|rechaza|rechazan|rechazo|rechazaron|descarta|descartan|descarto"
              r"|descartaron|desmiente|desmienten|desmintio|desmintieron|refuta|refutan|refuto|refutaron"
              r"|(?:es |son )?(?:falso|falsa|falsos|falsas)|no es cierto|no es verdad|denies|denied|deny|denying"
              r"|refutes|refuted|is false|is not true|not true) (?:que|that)")
_DENY = (r"desmiente|desmienten|desmintio|desmintieron|refuta|refutan|refuto|refutaron"
         r"|(?:denies|denied|deny|denying|refutes|refuted) reports? (?:of|that)")
_DENIED = re.compile(
    r"(?:^| )(?:" + _DENY_THAT + r"(?:(?: [a-z0-9]+){0,3}? (?:" + _BEING + r"))?|" + _DENY + r")"
    r"(?: (?:" + _BEING + r"))*(?: (?:" + "|".join(FILLERS) + r"))*$"
)

# A negation reaches the event a few words on in its clause, not only the word before it: "Ningún
# preso político fue excarcelado", "No se han producido nuevas excarcelaciones", "No hay venezolanos
# entre las víctimas del ataque", "None of the prisoners were released". A conjunction or a word
# of time between opens another clause ("No hubo aviso pero excarcelan a 20", "…no fueron avisados
# y excarcelan…"). "Sin" denies only the noun right after it: "sin excarcelación" is none, "Sin
# aviso, excarcelan a 20" a release.
_NEGATIONS = frozenset({"no", "ningun", "ninguna", "ninguno", "ningunos", "ningunas", "nadie", "tampoco",
                        "nunca", "jamas", "not", "none", "never", "nobody", "neither"})
_CLAUSE_ENDS = frozenset({"sino", "pero", "y", "e", "o", "u", "mientras", "aunque", "cuando", "porque", "pues",
                          "tras", "luego", "despues", "ademas", "but", "and", "or", "while", "although",
                          "though", "because", "after", "yet", "as", "so", "then"})
_NEGATION_WORDS = 6  # how many words may stand between the negation and the event
_WITHOUT = re.compile(r"(?:^| )sin(?: (?:el|la|los|las|un|una|su|sus|nuevas|nuevos|mas))*$")


def denied(words: Sequence[str]) -> bool:
    """Whether a denial just before the event after `words` calls it off ("niega que hubo
    bombardeos"); a figure between is passed over ("niega que hubo 20 excarcelaciones")."""
    return bool(_DENIED.search(" ".join([w for w in words if not w.isdigit()][-8:])))


def negated(words: Sequence[str], raw: str | None) -> bool:
    """Whether a negation a few words back, in the same clause, denies the event after `words`
    ("Ningún preso político fue excarcelado", "sin excarcelación"); `raw` shows where a sentence
    or a clause ends ("No es la primera vez: detienen a…", "…no comparece; EE UU bombardea…")."""
    if _WITHOUT.search(" ".join(words[-4:])):
        return True
    for k in range(len(words) - 1, max(len(words) - 2 - _NEGATION_WORDS, -1), -1):
        word = words[k]
        if word in _CLAUSE_ENDS:
            return False
        if word in _NEGATIONS:
            if k + 1 < len(words) and words[k + 1] in GOES_ON:
                return False
            return raw is None or not stop_between(raw, k, len(words))
    return False


