"""The words just before an urgent term that make it something other than the headline's own
event: its background, what is asked, awaited, commented, said or recalled, what is to come."""

from __future__ import annotations

import re

# Words that may stand between those below and the term: "exigen la inmediata liberación".
FILLERS = (
    "el", "la", "los", "las", "lo", "su", "sus", "un", "una", "unos", "unas", "del", "de", "nuevas",
    "nuevos", "mas", "inmediata", "inmediato", "pronta", "plena", "urgente", "segunda", "ola",
    "aviso", "anuncio", "recientes", "ultimas", "ultimos", "ser", "sido", "haber", "being", "been",
    "the", "a", "an", "his", "her", "their", "more", "new", "immediate",
    # English: "demand faster releases", "await prisoner releases", "defends second strike"
    "faster", "quicker", "swift", "swifter", "speedy", "further", "prisoner", "second",
    # what is not yet: "approval before any attack on Venezuelan soil", "antes de cualquier ataque"
    "any", "cualquier",
)
# After "no" these tell the event going on, not denied: "no solo liberaron a X sino…", "no cesan
# las excarcelaciones".
GOES_ON = ("solo", "solamente", "unicamente", "cesa", "cesan", "para", "paran", "terminan", "acaban",
           "dejan", "only", "just", "stop")
# A few things to come: "to receive two deportation flights", "will free dozens of".
_FEW = r"one|two|three|four|five|six|seven|eight|nine|ten|dozens of|hundreds of|more|all"
# After "to", only a verb: "to be freed", "to resume flights" ("moved to house arrest" is no plan).
_TO_COME = (r"(?:be|get|see|free|release|receive|resume|restart|begin|start|launch|carry out|conduct"
            r"|allow|accept|expand|increase|send|stage|hold|order)")
# The words just before an urgent term (in the folded haystack) that make it something other
# than the headline's own event: its background, or what is asked, awaited or complained of.
NOT_THE_EVENT = re.compile(
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
    # asked with "que" and whom between: "Exigen que Perkins Rocha sea excarcelado", "piden que
    # Rocío San Miguel pase a arresto domiciliario"
    r"|(?:exige|exigen|exigio|exigieron|pide|piden|pidio|pidieron|reclama|reclaman|solicita|solicitan"
    r"|insta|instan|urge|urgen) que(?: [a-z]+){0,4}"
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
    # planned: "Gobierno evalúa excarcelar a 300 presos", "planea liberar a 200"
    r"|evalua|evaluan|evaluara|estudia|estudian|planea|planean|planifica|planifican|analiza|analizan"
    r"|propone|proponen|promete|prometen|contempla|contemplan|considera|consideran|sopesa|sopesan|preve|preven"
    # welcomed: "Departamento de Estado saluda la liberación…", "aplaude la excarcelación"
    r"|saluda|saludan|saludo|saludaron|aplaude|aplauden|aplaudio|aplaudieron|valora|valoran|valoro"
    r"|rechaza|rechazo|critica|critico|burlarse de|detalles de|detalles sobre"
    # pictured, with up to two words between ("los videos más impactantes de las explosiones")
    r"|(?:fotos|foto|videos|video|imagenes|imagen)(?: [a-z]+){0,2} de"
    r"|rumores de|posibles|posible|por|para|celebrates|praises|(?:photos|videos|images)(?: [a-z]+){0,2} of|details of"
    # did not happen: "no hubo liberaciones", "no confirman liberación", "canceló una segunda ola
    # de ataques"; despite or about it: "pese al bloqueo", "investigación sobre las muertes"
    r"|no|no (?!(?:" + "|".join(GOES_ON) + r")\b)[a-z]+|cancelo|cancela|cancelan|cancelar|cancelacion|descarta|descarto|suspende|suspendio"
    r"|suspension"
    # halted or feared halted: "crece el temor de que se frenen las excarcelaciones"
    r"|frena|frenan|frenen|frene|frenar|freno|frenaron|paraliza|paralizan|paralicen|paralizar|halt|halts"
    r"|halted|stall|stalls|stalled"
    # feared: "Abogado de Maduro teme nuevos cargos", "Familias temen la muerte de presos políticos"
    r"|teme|temen|temia|temian|temor de|temor a|miedo a|miedo de|fear|fears|feared|fearing|fear of"
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
    # Spanish, what may come: "podría ser excarcelado esta semana", "podría pasar a arresto
    # domiciliario", "podrán salir en libertad"
    r"|(?:podria|podrian|podra|podran)(?: [a-z]+)?"
    # English, still to come: "will be released", "would be freed", "are expected to be freed",
    # "to receive two deportation flights", "will resume deportation flights", "plans flights"
    r"|(?:(?:will|would|shall|could|may|might)(?: [a-z]+)?|to " + _TO_COME + r")(?: (?:[0-9]+|" + _FEW + r"))?"
    r"|(?:plans|plan|planned|planning|proposes|proposed|considers|considering|weighs|weighing|mulls|mulling|prepares"
    r"|preparing)(?: (?:[0-9]+|" + _FEW + r"))?"
    # English, welcomed, defended or voted on: "welcomes Venezuela prisoner releases", "Hegseth
    # defends boat strikes", "resolution on Venezuela strikes", "votes on strikes"
    r"|(?:welcomes|welcomed|welcome|welcoming|hails|hailed|defends|defended|defend|defending|justifies"
    r"|justified|justify)(?: [a-z]+){0,2}"
    r"|(?:resolution|resolutions|vote|votes|voted|voting|debate|debates|debated|hearing|hearings|inquiry"
    r"|probe|investigation|legality)(?: [a-z]+)? (?:on|into|over|about|of|against)(?: [a-z]+){0,2}"
    r")(?: (?:" + "|".join(FILLERS) + r"))*\s*$"
)
WORDS_BEFORE = 6  # how far back the words above are looked for

# A release made the condition of something else, its object told between: "Rubio condiciona el
# levantamiento de sanciones a la liberación de presos políticos", "ties sanctions relief to the
# release of". Looked for further back than the words above (CONDITIONED_WORDS).
CONDITIONED = re.compile(
    r"\b(?:condiciona|condicionan|condiciono|condicionaron|condicionar|condicionara|condicionaria"
    r"|ties|tied|tie|tying|conditions|conditioned|conditioning)(?: [a-z0-9]+){0,6}"
    r" (?:a|al|to|on|upon)(?: (?:la|las|el|los|the|su|sus|their))?$"
)
CONDITIONED_WORDS = 10
# …and only a release is so made a condition: "tied to" is "linked to" before any other event
# ("US sanctions officials tied to arrest of Machado aide" tells the arrest).
CONDITIONED_TERM = re.compile(
    r" ?(?:liberacion|liberaciones|excarcelacion|excarcelaciones|libertad|liberar|excarcelar"
    r"|release|releases|releasing|freeing|free)\b"
)
