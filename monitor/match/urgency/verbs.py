"""Verbs of a blockade and an attack with their objects: "bloquea" tells a blockade only of a ship
or a passage, "ataca" an attack only on a target of arms, "destruye", "hunde", "aborda" (and
English "attacks", "destroyed", "sank", "boards") a strike or a boarding only of a vessel or a
target."""

from __future__ import annotations

import re

# A blockade is of ships: the verb "bloquea" tells one only with a ship, a port or a passage after
# it ("EE UU bloquea el paso de un petrolero", "bloquea a un buque cisterna"); a Senate that
# "bloquea resolución que limitaba acciones militares…" (w0888) or a judge who "bloquea
# deportaciones" blocks no ship. The nouns ("bloqueo naval") tell one anyway.
_BLOCK_VERB = re.compile(r" ?bloque(?:a|an|o|aron|ara|aria|ado|ada|ados|adas|ando|ar) ")
_OF_SHIPS = re.compile(
    r" ?bloque[a-z]* (?:[a-z]+ ){0,4}(?:petrolero|petroleros|buque|buques|barco|barcos|tanquero"
    r"|tanqueros|embarcacion|embarcaciones|navio|navios|nave|naves|paso|puerto|puertos|cargamento"
    r"|cargamentos|crudo|exportaciones|costa|costas|aguas) "
)
# An attack told with the verb is one on a target ("EE UU ataca otra lancha en el Caribe", "atacan
# una embarcación frente a Venezuela", "atacó posiciones"); "Trump ataca a los demócratas por la
# votación" attacks with words. The verb counts with a boat, a place or a target up to four words
# after it, or with nothing after it that names whom ("atacaron anoche": the act alone).
_ATTACK_VERB = re.compile(r" ?(?:ataca|atacan|atacaron|ataco) ")
_ON_A_TARGET = re.compile(
    r" ?ataca[a-z]* (?:[a-z]+ ){0,4}(?:lancha|lanchas|narcolancha|narcolanchas|embarcacion|embarcaciones"
    r"|barco|barcos|buque|buques|bote|botes|nave|naves|objetivo|objetivos|posiciones|instalaciones"
    r"|puerto|puertos|muelle|base|bases|pista|pistas|campamento|campamentos|venezuela|caracas|territorio"
    r"|costa|costas|caribe|pacifico|blanco|blancos|refineria|aeropuerto|fuerte|tuna|narcotraficantes) "
)
_ATTACK_ON_WHOM = re.compile(r" ?ataca[a-z]* (?:a|al|a la|a las|a los) ")


def attacks_with_words(haystack: str, start: int) -> bool:
    """Whether the term at `start` is the verb "atacar" aimed at someone, with no target of arms."""
    return (bool(_ATTACK_VERB.match(haystack, start)) and bool(_ATTACK_ON_WHOM.match(haystack, start))
            and not _ON_A_TARGET.match(haystack, start))


def blocks_no_ship(haystack: str, start: int) -> bool:
    """Whether the term at `start` is the verb "bloquear" with no ship or passage after it."""
    return bool(_BLOCK_VERB.match(haystack, start)) and not _OF_SHIPS.match(haystack, start)


# Verbs that tell a strike or a boarding only with a vessel or a target of arms after them: "EE UU
# destruye otra lancha en el Caribe", "Fuerzas de EE UU abordan un petrolero", "US military
# destroys another drug boat", "Coast Guard boards tanker", "US attacks drug boat off Venezuela";
# not "Trump attacks Democrats over Venezuela vote" nor "la guerra destruye familias". The English
# noun is urgent only as an "attack on" something (the rules' term): "survivors of boat attack" is
# background. Venezuela or Caracas count only as the verb's own object ("attacked Caracas", not
# "attacks Venezuela's Rodríguez").
_STRIKE_VERB = re.compile(
    r" ?(?:destruye|destruyen|destruyo|destruyeron|attacks|attacked|destroy|destroys|destroyed) "
)
_ON_A_VESSEL = re.compile(
    r" ?[a-z]+ (?:(?:venezuela|caracas) (?!s )|(?:[a-z0-9]+ ){0,4}(?:lancha|lanchas|narcolancha"
    r"|narcolanchas|embarcacion|embarcaciones|barco|barcos|buque|buques|bote|botes|nave|naves"
    r"|petrolero|petroleros|tanquero|tanqueros|semisumergible|semisumergibles|navio|navios|objetivo"
    r"|objetivos|posiciones|instalaciones|puerto|puertos|muelle|base|bases|pista|pistas|campamento"
    r"|campamentos|laboratorio|laboratorios|refineria|aeropuerto|avioneta|avionetas|aeronave"
    r"|boat|boats|speedboat|speedboats|vessel|vessels|ship|ships|tanker|tankers|craft|submersible"
    # a position "on" something is a view ("attacks Democrats' position on Venezuela")
    r"|target|targets|position(?! (?:on|about|over) )|positions|facility|facilities|camp|camps|dock"
    r"|docks|port|ports"
    r"|airstrip|airstrips|lab|labs|refinery|aircraft|plane|planes) )"
)
# Sinking and boarding are of a vessel only, and of the vessel itself: "hunde otra lancha", "abordan
# un petrolero", "boards third Venezuelan oil tanker"; Spanish "abordar" is also to take up a
# subject ("Rubio y Machado abordan la situación de los puertos", "Congreso aborda crisis de
# buques petroleros") and "hundir" to ruin ("Sanciones hunden el puerto de La Guaira"): a port, or
# a vessel a noun's complement ("de", "of", "sobre") after the verb, is no sinking or boarding.
_SINK_OR_BOARD = re.compile(
    r" ?(?:hunde|hunden|hundio|hundieron|aborda|abordan|abordo|abordaron|sink|sinks|sank|sunk|board"
    r"|boards|boarded) "
)
_THE_VESSEL = re.compile(
    r" ?[a-z]+ (?:(?!(?:de|del|of|sobre|about|on) )[a-z0-9]+ ){0,4}(?:lancha|lanchas|narcolancha"
    r"|narcolanchas|embarcacion|embarcaciones|barco|barcos|buque|buques|bote|botes|nave|naves|petrolero"
    r"|petroleros|tanquero|tanqueros|semisumergible|semisumergibles|navio|navios|boat|boats|speedboat"
    r"|speedboats|vessel|vessels|ship|ships|tanker|tankers|craft|submersible) "
)


def strikes_no_target(haystack: str, start: int) -> bool:
    """Whether the term at `start` is a verb of striking with no vessel or target after it, or of
    sinking or boarding with no vessel as its object."""
    if _SINK_OR_BOARD.match(haystack, start):
        return not _THE_VESSEL.match(haystack, start)
    return bool(_STRIKE_VERB.match(haystack, start)) and not _ON_A_VESSEL.match(haystack, start)


# "nuevos cargos" are new charges against someone ("Fiscalía presenta nuevos cargos contra
# Diosdado Cabello", "Maduro enfrenta nuevos cargos") or new posts in a government ("Rubio asume
# nuevos cargos en la administración Trump", "designa a Grenell en nuevos cargos"): charges only
# with "contra" or "por" just after, or a verb of charging just before.
_NEW_CHARGES = re.compile(r" ?nuevos cargos ")
_AGAINST_SOMEONE = re.compile(
    r" ?nuevos cargos (?:[a-z0-9]+ ){0,2}(?:contra|por|presentados|formulados|imputados|anadidos) "
)
_CHARGING = re.compile(
    r"(?:^| )(?:presenta|presentan|presento|presentaron|formula|formulan|formulo|formularon|imputa"
    r"|imputan|imputo|imputaron|anade|anaden|anadio|anadieron|agrega|agregan|agrego|agregaron|suma"
    r"|suman|sumo|sumaron|enfrenta|enfrentan|enfrento|enfrentara|enfrentaria|acusa|acusan|acuso"
    r"|acusaron|revela|revelan|revelo)(?: (?:los|sus|[0-9]+|dos|tres|cuatro|cinco|seis))?$"
)


def posts_not_charges(haystack: str, start: int, words: list[str]) -> bool:
    """Whether the term at `start`, after `words`, is "nuevos cargos" with nothing telling charges."""
    return (bool(_NEW_CHARGES.match(haystack, start)) and not _AGAINST_SOMEONE.match(haystack, start)
            and not _CHARGING.search(" ".join(words[-3:])))
