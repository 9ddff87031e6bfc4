"""Urgency of a relevant item.

high:   a count of people released, arrested or dead; or a topic's `urgent` term
        (release, strike, death...) in the title or summary; or an
        `urgent_with_person` term (arrest...) there while a person is named. The term must
        tell the headline's own event: not its background ("tras la captura de Maduro"), not
        what someone asks or waits for ("exigen la liberación", "a la espera de
        excarcelaciones"), not the subject of an explainer ("¿Quiénes son los excarcelados?"),
        not recalled, described in a relative clause ("un hombre que fue excarcelado") or said
        after a speaker's colon ("Luis Carlos Díaz: Liberaciones se complican…"), not denied
        ("niega que hubo bombardeos") or negated a few words back in its clause ("Ningún preso
        político fue excarcelado"). Also a
        person named taken into custody or before a court, told by where they arrive ("Maduro
        llegó al tribunal de Manhattan", "está detenido en un buque militar"); an arrest verb
        told of a pronoun ("Lo arrestan…"); a speaker reporting the event ("dice que hay
        bombardeos"). English alike: not a release, strike or flight to come ("will be freed",
        "to receive two deportation flights"), welcomed, defended or voted on, nor "freed"/"jailed"
        before a noun ("Freed Venezuelan journalist describes…"); "held at" a prison is custody.
low:    a mention in passing: the topics' signals occur only in the full text.
normal: everything else that is relevant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from core.count import Count
from core.text import fold

HIGH_EVENTS = frozenset({"released", "arrested", "dead"})

# Words that may stand between those below and the term: "exigen la inmediata liberación".
_FILLERS = (
    "el", "la", "los", "las", "lo", "su", "sus", "un", "una", "unos", "unas", "del", "de", "nuevas",
    "nuevos", "mas", "inmediata", "inmediato", "pronta", "plena", "urgente", "segunda", "ola",
    "aviso", "anuncio", "recientes", "ultimas", "ultimos", "ser", "sido", "haber", "being", "been",
    "the", "a", "an", "his", "her", "their", "more", "new", "immediate",
    # English: "demand faster releases", "await prisoner releases", "defends second strike"
    "faster", "quicker", "swift", "swifter", "speedy", "further", "prisoner", "second",
)
# After "no" these tell the event going on, not denied: "no solo liberaron a X sino…", "no cesan
# las excarcelaciones".
_GOES_ON = ("solo", "solamente", "unicamente", "cesa", "cesan", "para", "paran", "terminan", "acaban",
            "dejan", "only", "just", "stop")
# A few things to come: "to receive two deportation flights", "will free dozens of".
_FEW = r"one|two|three|four|five|six|seven|eight|nine|ten|dozens of|hundreds of|more|all"
# After "to", only a verb: "to be freed", "to resume flights" ("moved to house arrest" is no plan).
_TO_COME = (r"(?:be|get|see|free|release|receive|resume|restart|begin|start|launch|carry out|conduct"
            r"|allow|accept|expand|increase|send|stage|hold|order)")
# The words just before an urgent term (in the folded haystack) that make it something other
# than the headline's own event: its background, or what is asked, awaited or complained of.
_NOT_THE_EVENT = re.compile(
    r"(?:^| )(?:"
    # background: "tras la captura", "luego del ataque", "desde su excarcelación"
    r"tras|luego de|luego del|despues de|despues del|antes de|antes del|desde|durante"
    r"|after|following|since|before|amid"
    # asked for: "exigen la liberación", "piden la excarcelación", "calls for the release", also
    # with where or of whom between ("exigen en la Fiscalía la liberación", "piden ante la CIDH
    # excarcelar a…", "urged in Geneva the release")
    r"|(?:exige|exigen|exigio|exigieron|exigir|exigimos|pide|piden|pidio|pidieron|pedir|pedimos"
    r"|reclama|reclaman|reclamo|reclamaron|solicita|solicitan|solicito|solicitaron|urge|urgen|insta|instan"
    r"|demand|demands|demanded|demanding|urges|urged)"
    r"(?: (?:en|ante|a|al|desde|frente a|in|at|before|to|from)(?: [a-z]+){1,3})?"
    r"|abogan por|abogar por|llaman a|llama a|luchan por|lucha por|call for|calls for|called for"
    # awaited or delayed: "a la espera de excarcelaciones", "lentitud en las liberaciones"
    r"|espera de|esperan|espera|esperar|aguardan|aguarda|aguardar|await|awaits|awaiting|waiting for"
    r"|lentitud en|lentitud de|retraso en|retrasos en|incumplimiento de"
    # its slow pace: "ante el lento avance en las excarcelaciones", "el ritmo de las liberaciones"
    r"|(?:lento|lenta|lentos|lentas|escaso|escasos|poco) (?:avance|avances|progreso|progresos|ritmo)"
    r" (?:en|de|del)|ritmo de|ritmo del|ritmo en|demora en|demora de|demoras en|retraso de|retrasos de"
    r"|(?:slow )?(?:pace|progress) (?:of|on|in)|delay in|delays in|delay of|delays of"
    # commented, celebrated, pictured, rumoured: "agradeció por la captura", "fotos de la
    # operación", "rumores de posibles liberaciones", "la misión para capturar a Maduro"
    r"|celebra|celebran|celebro|agradece|agradecio|destaca|destaco|reprocha|reprocho|lamenta|lamento"
    r"|rechaza|rechazo|critica|critico|burlarse de|detalles de|detalles sobre"
    # pictured, with up to two words between ("los videos más impactantes de las explosiones")
    r"|(?:fotos|foto|videos|video|imagenes|imagen)(?: [a-z]+){0,2} de"
    r"|rumores de|posibles|posible|por|para|celebrates|praises|(?:photos|videos|images)(?: [a-z]+){0,2} of|details of"
    # did not happen: "no hubo liberaciones", "no confirman liberación", "canceló una segunda ola
    # de ataques"; despite or about it: "pese al bloqueo", "investigación sobre las muertes"
    r"|no|no (?!(?:" + "|".join(_GOES_ON) + r")\b)[a-z]+|cancelo|cancela|cancelan|cancelar|cancelacion|descarta|descarto|suspende|suspendio"
    r"|suspension"
    # halted or feared halted: "crece el temor de que se frenen las excarcelaciones"
    r"|frena|frenan|frenen|frene|frenar|freno|frenaron|paraliza|paralizan|paralicen|paralizar|halt|halts"
    r"|halted|stall|stalls|stalled"
    # wished for: "confía en … y que sigan liberaciones"
    r"|que sigan|que continuen|que haya"
    r"|pese a|pese al|a pesar de|a pesar del|sobre|proceso de"
    # told as the background of something else: "la operación que llevó a la captura", "el
    # helicóptero que participó en la captura", "sobreviviente de ataque de EE. UU."
    r"|que (?:llevo|llevaron|condujo|termino|culmino|participo|participaron|permitio|murio|murieron|fallecio"
    r"|fallecieron) (?:a|en|con)"
    r"|sobreviviente de|sobrevivientes de|sobreviviente del|sobrevivientes del|survivor of|survivors of"
    # what someone says: "Trump afirma que …", "lamenta que …" (a figure stated is a count above)
    r"|(?:dice|dijo|afirma|afirmo|asegura|aseguro|lamenta|lamento|considera|cree|opina|advierte|advirtio"
    r"|dicen|dijeron|afirman|afirmaron|aseguran|aseguraron|lamentan|lamentaron|consideran|creen|opinan"
    r"|advierten|advirtieron"
    r"|says|said|claims|believes|say|claim|believe) que(?: [a-z]+){0,3}"
    # recalled or retold: "Hijo de Maduro recordó cómo vivió los ataques", "relata la noche de
    # la captura" (the event, days later, as a memory)
    r"|(?:recuerda|recuerdan|recordo|recordaron|rememora|rememoran|rememoro|relata|relatan|relato"
    r"|relataron|narra|narran|narro|narraron|revive|reviven|revivio|recalls|recalled|remembers"
    r"|remembered|recounts|recounted)(?: [a-z]+){0,3}"
    # English, still to come: "will be released", "would be freed", "are expected to be freed",
    # "to receive two deportation flights", "will resume deportation flights", "plans flights"
    r"|(?:(?:will|would|shall|could|may|might)(?: [a-z]+)?|to " + _TO_COME + r")(?: (?:[0-9]+|" + _FEW + r"))?"
    r"|(?:plans|plan|planned|planning|proposes|proposed|considers|considering|weighs|weighing|prepares"
    r"|preparing)(?: (?:[0-9]+|" + _FEW + r"))?"
    # English, welcomed, defended or voted on: "welcomes Venezuela prisoner releases", "Hegseth
    # defends boat strikes", "resolution on Venezuela strikes", "votes on strikes"
    r"|(?:welcomes|welcomed|welcome|welcoming|hails|hailed|defends|defended|defend|defending|justifies"
    r"|justified|justify)(?: [a-z]+){0,2}"
    r"|(?:resolution|resolutions|vote|votes|voted|voting|debate|debates|debated|hearing|hearings|inquiry"
    r"|probe|investigation|legality)(?: [a-z]+)? (?:on|into|over|about|of|against)(?: [a-z]+){0,2}"
    r")(?: (?:" + "|".join(_FILLERS) + r"))*\s*$"
)
_WORDS_BEFORE = 6  # how far back the words above are looked for
# English "after" opens the background with a clause as well as a noun: "oil exports rebound after
# US eases blockade", "votes on war powers after boat strikes" (Spanish "tras" takes a noun). A
# comma between ends it: "Hours after Trump's warning, US strikes another boat" is the event.
# …of a noun only: "Teen detained after 2024 protests freed after 19 months" tells the release.
_PAST_VERB = re.compile(r" ?[a-z]+ed ")
_AFTER_CLAUSE = re.compile(r"(?:^| )(?:after|following|amid)(?: [a-z0-9]+){1,3}$")
# English "freed", "jailed" before a noun describe the people ("Freed Venezuelan journalist
# describes…", "Jailed activist's mother…", "families of jailed soldiers"): at the start of the
# title or after an article, a preposition or a possessive, and followed by a word that no verb
# of an event takes ("freed by", "freed from", "jailed for", "released after", "freed 20").
_EN_PARTICIPLE = re.compile(r" ?(?:freed|jailed|imprisoned|detained|released|arrested) (?P<next>[a-z0-9]+) ")
_EN_DESCRIBES = frozenset({"the", "a", "an", "of", "for", "with", "his", "her", "their", "its", "s", "newly",
                           "recently", "other", "fellow", "among"})
_EN_VERB_NEXT = frozenset({"by", "from", "after", "in", "at", "on", "for", "as", "over", "under", "without",
                           "with", "last", "this", "yesterday", "today", "and", "but", "following", "amid",
                           "into", "when", "while", "since", "before", "to", "early", "late", "hours",
                           "days", "weeks", "months", "years", "again", "despite", "out", "back", "up",
                           "him", "her", "them", "overnight", "or", "nearly", "almost", "more",
                           "all", "dozens", "hundreds", "some", "several", "two", "three", "four", "five"})
# What a speaker reports is there is the event reported, not their view of it: "Petro dice que
# hay bombardeos sobre Caracas", "denuncian que hubo detenciones", "says there were strikes" (not
# "dice que no hay…", "niega que hubo…", "dice que las excarcelaciones…").
_REPORTED_THERE = re.compile(
    r" (?:dice|dicen|dijo|dijeron|afirma|afirman|afirmo|asegura|aseguran|aseguro|denuncia|denuncian"
    r"|denuncio|alerta|alertan|alerto|reporta|reportan|reporto|informa|informan|informo|confirma|confirman"
    r"|confirmo|says|said|reports|reported|warns|warned)(?: que| that)? (?:hay|hubo|se registran"
    r"|se registraron|se escuchan|se escucharon|there are|there were|there have been)"
    r"(?: (?:" + "|".join(_FILLERS) + r"))* $"
)
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
    r"(?: (?:" + _BEING + r"))*(?: (?:" + "|".join(_FILLERS) + r"))*$"
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
_SAID = re.compile(
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
# A place before a colon is a dateline, not a speaker ("Ciudad Bolívar: Excarcelación de…",
# "Los Teques: Liberación…"): no name of a person opens with an article or these words.
_NO_NAME_OPENS = frozenset({"el", "la", "los", "las", "the", "ciudad", "puerto", "san", "santa", "santo",
                            "nueva", "nuevo", "isla", "estado", "villa", "valle", "new", "port", "fort",
                            "saint", "city"})
# The act told after the event's noun, in the speaker's words too: "Foro Penal: Liberación de Rocío
# San Miguel confirmada".
_DONE = re.compile(r" (?:confirmad|verificad|concretad|ejecutad|realizad)[oa]s? ")
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
# A release word (for a figure of released: `_release_in_passing`) and the words of background just
# before it: "tras la liberación de los dos italianos".
_RELEASE_WORD = re.compile(r" (?:excarcel|liber|releas|freed)[a-z]*")
_BACKGROUND = re.compile(
    r"(?:^| )(?:tras|luego de|luego del|despues de|despues del|after|following)"
    r"(?: (?:" + "|".join(_FILLERS) + r"))*$"
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
# A death told of a prisoner's relative is not the prisoner's: "Murió la madre del expreso
# político Ramón Centeno", "Murieron las madres de tres presos políticos" (readers: normal, not
# a death in custody to wake anyone for). The death word is followed by the relative and "de",
# or the relative and "de" come a few words before it ("La madre del preso político X murió").
_DEATH = re.compile(r" ?(?:muere|mueren|murio|murieron|fallece|fallecen|fallecio|fallecieron|muerte"
                    r"|died|dies|death) ")
# A death that threatens, not one that happened: "enfrenta una muerte lenta en prisión", "en
# riesgo de muerte", "faces death".
_THREATENED = re.compile(
    r"(?:^| )(?:enfrenta|enfrentan|enfrentaria|riesgo de|peligro de|faces|face|risk of)"
    r"(?: (?:" + "|".join(_FILLERS) + r"))*$"
)
_RELATIVE = (r"(?:madre|madres|padre|padres|hijo|hija|hijos|hijas|esposa|esposo|hermano|hermana|hermanos"
             r"|hermanas|abuela|abuelo|familiar|familiares|mother|mothers|father|fathers|son|daughter|wife"
             r"|husband|brother|sister|relative|relatives)")
_RELATIVE_AFTER = re.compile(r"(?: (?:la|el|las|los|una|un|su|sus|the|a|his|her|their))* " + _RELATIVE
                             + r" (?:de|del|of) ")
_RELATIVE_BEFORE = re.compile(r"(?:^| )" + _RELATIVE + r" (?:de|del|of) ")
_RELATIVE_WORDS = 7
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
    _SAID.pattern
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
    r"(?:^| )(?:" + _RELATIVE + r"|abogad[oa]s?|defensa|defensor[a-z]*|lawyers?|attorneys?|caso|casos"
    r"|denuncias?|demandas?|expediente|querella|causa|solicitud|peticion|recurso|cases?|lawsuit"
    r"|complaint|petition) (?:de|del|of|contra|against) "
)
_TIME_OF = re.compile(r"(?:^| )(?:(?:desde|despues de|luego de|antes de|hasta) que|cuando|since|after"
                      r"|before|when|until)$")
_QUOTES = {"«": 1, "»": -1, "“": 1, "”": -1}
# An explainer or a question about the event, not the event told ("¿Quiénes son los
# excarcelados?", "Lo que se sabe de…", "Who are the freed…"), also after a rubric ("EN VIDEO:
# Así fue la llegada…", "EN VIVO | ¿Quiénes son…").
_EXPLAINER = re.compile(
    r"^ (?:(?:(?:en )?(?:video|videos|vivo|directo|fotos|imagenes)|ultima hora|live|watch|photos) )?"
    r"(?:quienes son|quien es|cuales son|como fue|como es|como se|como la|como el|asi fue"
    r"|who are|who is|how the) | (?:que se sabe|lo que se sabe|what we know|what to know) "
)
# "Cómo" with its accent opens an explainer whatever its verb ("Cómo impactó la captura…");
# without it, "Como" is "as" ("Como parte del acuerdo, excarcelan a 40…"), read by the list above.
_HOW_ASKED = re.compile(r"^\W*c[óÓ]mo\b", re.IGNORECASE)


def _prominent(tids: Sequence[int], hits: Mapping[int, list[tuple[int, int, int]]],
               hay: Sequence[str] | None = None, raw: Sequence[str] | None = None) -> bool:
    return any(f < 2 and (hay is None or _tells_the_event(hay[f], start, raw[f] if raw else None))
               for t in tids for f, start, _ in hits.get(t, ()))


def _in_custody(hay: Sequence[str], raw: Sequence[str] | None) -> bool:
    """Whether the title or summary tells someone's arrival in custody or in court ("Maduro
    llegó al tribunal de Manhattan"), as the headline's own event."""
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
                                or _comma_after(raw[f] if raw else None, len(words) - 1)):
                continue  # an event held, a state ("he is held in…"), an aside ("The couple, held at…")
            if _tells_the_event(text, m.start(), raw[f] if raw else None):
                return True
    return False


def _of_a_pronoun(tids: Sequence[int], hits: Mapping[int, list[tuple[int, int, int]]],
                  hay: Sequence[str], raw: Sequence[str] | None) -> bool:
    """Whether a term (an arrest verb) is told of a pronoun ("Lo arrestan…", "arrested him") in
    the title or summary, as the headline's own event."""
    for t in tids:
        for f, start, _ in hits.get(t, ()):
            if f >= 2:
                continue
            text = hay[f]
            spanish = _CLITIC.search(text[:start].rstrip()) and _FINITE.match(text, start + 1)
            if (spanish or _OBJECT_AFTER.match(text, start + 1)) and _tells_the_event(
                    text, start, raw[f] if raw else None):
                return True
    return False


def _tells_the_event(haystack: str, start: int, raw: str | None = None) -> bool:
    """Whether the term at `start` of the haystack (" word word ") is the headline's own event;
    `raw`, the field as written, shows the quotations."""
    words = haystack[:start].split()
    before = " ".join(words[-_WORDS_BEFORE:])
    if _REPORTED_THERE.search(" " + before + " "):
        return True
    if _NOT_THE_EVENT.search(before) or _denied(words) or _negated(words, raw) or (
            _HELD_FOR.search(before) and _HELD.match(haystack, start)):
        return False
    if _relatives_death(haystack, start, words) or (_DEATH.match(haystack, start) and _THREATENED.search(before)):
        return False
    if _in_a_relative_clause(haystack, start, words) or _blocks_no_ship(haystack, start) \
            or _attacks_with_words(haystack, start):
        return False
    if _PARTICIPLE.match(haystack, start) and _DESCRIBED.search(" ".join(words[-5:])):
        return False
    if (_after_clause(words, raw) and not _PAST_VERB.match(haystack, start)) or _english_adjective(haystack, start, words, raw):
        return False
    if _how_the_freed_fare(haystack, start, words):
        return False
    practice = _PRACTICE.match(haystack, start) is not None
    if not (practice or _EVENT_NOUN.match(haystack, start)):
        return True
    speaker = _speaker_words(raw) if raw is not None else 0
    if 0 < speaker <= len(words):  # the speaker's words after "Name Surname:"
        return bool(_ACT.search(" " + " ".join(words[speaker:]) + " ") or _DONE.search(haystack, start))
    said = " " + " ".join(words[-_SAID_WORDS:]) + " "
    cue = max((m.end() for m in _SAID.finditer(said)), default=0)
    if _ACT.search(said, max(cue - 1, 0)):
        return True  # "Foro Penal confirma la excarcelación", "«Se están produciendo excarcelaciones»"
    if cue:
        return False  # what someone says about releases
    return raw is None or not _quoted(raw, len(words))


def _after_clause(words: Sequence[str], raw: str | None) -> bool:
    """Whether English "after" (or "following", "amid") a few words back, with no comma or stop
    between, makes the event after `words` the background ("…rebound after US eases blockade")."""
    tail = words[-4:]
    m = _AFTER_CLAUSE.search(" ".join(tail))
    if m is None:
        return False
    first = len(words) - len(m.group().split())
    return raw is None or not _stop_between(raw, first, len(words), commas=True)


def _comma_after(raw: str | None, index: int) -> bool:
    """Whether the word at `index` of `raw` (counted as the haystack counts words) ends with a comma."""
    if raw is None or index < 0:
        return False
    said = re.findall(r"\w+,?", raw)
    return index < len(said) and said[index].endswith(",")


def _english_adjective(haystack: str, start: int, words: Sequence[str], raw: str | None) -> bool:
    """Whether the English participle at `start` describes the people before a noun ("Freed
    Venezuelan journalist describes…", "mother of jailed activist…"), not their release or arrest;
    a colon after it makes it the event ("Freed: Venezuela releases…")."""
    m = _EN_PARTICIPLE.match(haystack, start)
    if m is None or m["next"] in _EN_VERB_NEXT or m["next"].isdigit():
        return False
    if words and words[-1] not in _EN_DESCRIBES:
        return False
    if raw is not None:
        said = re.findall(r"\w+[:,;.!?]?", raw)
        if len(words) < len(said) and said[len(words)][-1] in ":,;.!?":
            return False
    return True


def _denied(words: Sequence[str]) -> bool:
    """Whether a denial just before the event after `words` calls it off ("niega que hubo
    bombardeos"); a figure between is passed over ("niega que hubo 20 excarcelaciones")."""
    return bool(_DENIED.search(" ".join([w for w in words if not w.isdigit()][-8:])))


def _negated(words: Sequence[str], raw: str | None) -> bool:
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
            if k + 1 < len(words) and words[k + 1] in _GOES_ON:
                return False
            return raw is None or not _stop_between(raw, k, len(words))
    return False


def _stop_between(raw: str, first: int, last: int, commas: bool = False) -> bool:
    """Whether a stop (".", ":", ";", "?", "!", "|", a dash; a comma too with `commas`) stands in
    `raw` between the words at `first` and `last` (counted as the haystack counts words); False
    when they cannot be lined up."""
    index = -1
    stops = r"[.:;!?|,\u2013\u2014]" if commas else r"[.:;!?|\u2013\u2014]"
    for m in re.finditer(r"\w+|" + stops + r"(?=\s|$)", raw):
        if m.group()[0].isalnum() or m.group()[0] == "_":
            index += 1
            if index >= last:
                return False
        elif first <= index:
            return True
    return False


def _speaker_words(raw: str) -> int:
    """How many words a speaker's name before a colon opening `raw` has ("Luis Carlos Díaz:
    …" -> 3); 0 when it opens with none."""
    m = _COLON.match(raw)
    if m is None:
        return 0
    names = m.group(1).split()
    if not 2 <= len(names) <= 4 or any(not (w[:1].isupper() and w[1:].isalpha() and w[1:].islower())
                                       for w in names):
        return 0
    if any(fold(w) in _RUBRIC for w in names) or fold(names[0]) in _NO_NAME_OPENS:
        return 0
    return len(names)


def _attacks_with_words(haystack: str, start: int) -> bool:
    """Whether the term at `start` is the verb "atacar" aimed at someone, with no target of arms."""
    return (bool(_ATTACK_VERB.match(haystack, start)) and bool(_ATTACK_ON_WHOM.match(haystack, start))
            and not _ON_A_TARGET.match(haystack, start))


def _blocks_no_ship(haystack: str, start: int) -> bool:
    """Whether the term at `start` is the verb "bloquear" with no ship or passage after it."""
    return bool(_BLOCK_VERB.match(haystack, start)) and not _OF_SHIPS.match(haystack, start)


def _how_the_freed_fare(haystack: str, start: int, words: Sequence[str]) -> bool:
    """Whether the plural participle at `start` names the subject of a present verb ("presos
    políticos excarcelados enfrentan…"): how the people already freed fare, not their release."""
    m = _PLURAL_PARTICIPLE.match(haystack, start)
    if m is None or not words or words[-1] in _NOT_THE_PEOPLE or words[-1].isdigit():
        return False
    return m["verb"] not in _NOT_A_VERB and m["verb"] not in _LEAVING


def _in_a_relative_clause(haystack: str, start: int, words: Sequence[str]) -> bool:
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


def _relatives_death(haystack: str, start: int, words: Sequence[str]) -> bool:
    """Whether the death word at `start` is told of a relative ("murió la madre de…")."""
    death = _DEATH.match(haystack, start)
    if death is None:
        return False
    if _RELATIVE_AFTER.match(haystack, death.end() - 1):
        return True
    return bool(_RELATIVE_BEFORE.search(" " + " ".join(words[-_RELATIVE_WORDS:]) + " "))


def _release_in_passing(title: str, raw: str | None = None) -> bool:
    """Whether every release word of the title is told in passing: in the background ("Italia
    nombrará embajador tras la liberación de los dos italianos"), describing the people ("recibió
    a los dos italianos excarcelados") or denied ("niega que hubo 20 excarcelaciones"), so that its
    figure is not the headline's news. False when the title has no release word (the figure came
    from elsewhere). `raw`: the title as written."""
    found = False
    for m in _RELEASE_WORD.finditer(title):
        found = True
        words = title[:m.start()].split()
        if _BACKGROUND.search(" ".join(words[-_WORDS_BEFORE:])):
            continue
        if _denied(words) or _negated(words, raw):
            continue
        if _PARTICIPLE.match(title, m.start()) and _DESCRIBED.search(" ".join(words[-5:])):
            continue
        return False
    return found


def _dead_are_relatives(title: str) -> bool:
    """Whether the title's deaths are its prisoners' relatives' (its figure of dead is theirs)."""
    return any(_relatives_death(title, m.start(), title[:m.start()].split()) for m in _DEATH.finditer(title))


def _quoted(raw: str, index: int) -> bool:
    """Whether the word at `index` (counted as the haystack counts words) is inside «…» or “…”
    of `raw`; False when the words cannot be lined up."""
    depth = 0
    for k, m in enumerate(re.finditer(r"\w+|[«»“”]", raw)):
        tok = m.group()
        if tok in _QUOTES:
            depth = max(0, depth + _QUOTES[tok])
            index += 1  # a quotation mark is not a word of the haystack
        elif k == index:
            return depth > 0
    return False


def decide_urgency(
    topics: Sequence[Any],
    hits: Mapping[int, list[tuple[int, int, int]]],
    counts: Sequence[Count],
    prominent: bool,
    person_named: bool,
    hay: Sequence[str] | None = None,
    raw: Sequence[str] | None = None,
) -> str:
    """`hay`: the item's haystacks (title, summary, text), to read what precedes an urgent term;
    without them every urgent term counts. `raw`: the same fields as written (quotations)."""
    if not topics:
        return "low"
    if not prominent:
        return "low"
    if hay is not None and (_EXPLAINER.search(hay[0]) or (raw is not None and _HOW_ASKED.match(raw[0]))):
        return "normal"  # "¿Quiénes son los 12 excarcelados?", "Cómo la muerte de 32 cubanos…"
    relatives = hay is not None and _dead_are_relatives(hay[0])
    passing = hay is not None and _release_in_passing(hay[0], raw[0] if raw else None)
    if any(c.event in HIGH_EVENTS and not (c.event == "dead" and relatives)
           and not (c.event == "released" and passing) for c in counts):
        return "high"
    for tp in topics:
        if _prominent(tp.urgent, hits, hay, raw):
            return "high"
        if person_named and _prominent(tp.urgent_with_person, hits, hay, raw):
            return "high"
        if hay is not None and _of_a_pronoun(tp.urgent_with_person, hits, hay, raw):
            return "high"
    if person_named and hay is not None and _in_custody(hay, raw):
        return "high"
    return "normal"
