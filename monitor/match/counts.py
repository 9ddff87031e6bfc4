"""Counts of people released, arrested, held or dead, in Spanish and English.

A number (digits with either thousands separator, or number words up to the
thousands) is a count when it is attached to a people noun ("87 presos políticos",
"three Americans") or an event noun ("61 excarcelaciones", "28 muertos"), or follows
an event verb directly ("kills six"). The event comes from, first match wins: the
event noun itself ("excarcelaciones"); a release, arrest or death verb before the
number ("excarceló a", "frees"); a verb right after the noun ("were released",
"siguen detenidos"); any other verb before it; a default for tallies of political
prisoners (held). A demanded release ("exige liberar a", "demands release of") is
held; tallies ("eleva a N el número de presos políticos", "prisoner count stands at N") take
the event of their noun; in "25 muertos y 2.400 detenidos" each number keeps its own noun.
Dates, ages, durations, years, money, percentages, rates and ordinals are skipped. Vague amounts ("decenas", "dozens") are not numbers at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from core.text import MONTHS, fold

# -- number words -----------------------------------------------------------------
_ES_UNITS = {
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
    "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19,
    "veinte": 20, "veintiun": 21, "veintiuno": 21, "veintiuna": 21, "veintidos": 22,
    "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26,
    "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "treinta": 30, "cuarenta": 40,
    "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90,
}
_ES_HUNDREDS = {
    "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200, "trescientos": 300,
    "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400, "quinientos": 500,
    "quinientas": 500, "seiscientos": 600, "seiscientas": 600, "setecientos": 700,
    "setecientas": 700, "ochocientos": 800, "ochocientas": 800, "novecientos": 900,
    "novecientas": 900,
}
_EN_UNITS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}
_ONE = {"un", "una", "uno", "one", "a", "an"}
_SMALL = {**_ES_UNITS, **_EN_UNITS}
# collective numerals: "un centenar", "medio centenar", "un millar"
_COLLECTIVE = {"centenar": 100, "millar": 1000}
_COLLECTIVE_LEAD = {"un", "medio"}
_NUMBER_WORDS = set(_SMALL) | set(_ES_HUNDREDS) | {"hundred", "thousand", "mil"} | {"one"}

_TOKEN = re.compile(
    r"\d{1,3}(?:[.,]\d{3})+(?![.,]?\d)"  # 1.200 / 1,200 / 10.000
    r"|\d+(?:[.,]\d+)?"  # 87, 3.5
    r"|[^\W\d_]+"  # words
    r"|[%$€:]"
    r"|(?<=\d),(?=\s)"  # "to at least 105, officials said": the noun is not the number's
)
# no break after "EE.UU." / "U.S." ("nueve ciudadanos de EE.UU. siguen presos")
_SENTENCES = re.compile(
    r"(?<=[.!?;])(?<!ee\.uu\.)(?<!\bu\.s\.)(?<!\bvs\.)"
    # abbreviated months and titles do not end a sentence ("since Jan. 8")
    r"(?<!\bjan\.)(?<!\bfeb\.)(?<!\bmar\.)(?<!\bapr\.)(?<!\baug\.)(?<!\bsep\.)(?<!\bsept\.)"
    r"(?<!\boct\.)(?<!\bnov\.)(?<!\bdec\.)(?<!\bene\.)(?<!\bdic\.)(?<!\bno\.)(?<!\bnro\.)"
    r"\s+|\n+|\s+[-–—|]\s+")

# -- vocabularies (folded) ---------------------------------------------------------
# Month names around a number ("3 de enero", "January 3"); "may", "ago" and "set" are also
# ordinary words, and the counts never needed the Spanish abbreviations "ene", "abr", "dic".
_MONTHS = frozenset(MONTHS) - {"may", "ago", "set", "ene", "abr", "dic"}
_TIME = set(
    ["ano", "anos", "year", "years", "yr", "meses", "mes", "month", "months", "dia", "dias", "day", "days", "semana", "semanas", "week", "weeks", "hora", "horas", "hour", "hours", "minuto", "minutos", "minute", "minutes", "decada", "decadas", "decade", "decades", "old", "siglo", "siglos", "noche", "noches", "night", "nights"]
)
_MONEY_AFTER = set(
    ["dolares", "dollars", "usd", "euros", "euro", "bolivares", "bs", "millones", "millon", "million", "millions", "billion", "billones", "bn", "mn", "barriles", "barrels"]
)
_MONEY_BEFORE = {"$", "€", "usd", "us", "bs", "eur"}
_PERCENT = {"%", "percent", "porciento", "pct"}
_ORDINAL_BEFORE = {"numero", "number", "no", "num", "n", "nro", "edad", "aged", "age", "ley", "law",
                   "articulo", "article", "zona", "rodeo", "resolucion", "decreto", "decree", "orden",
                   "order", "f", "mig", "su", "uss", "capitulo", "chapter"}

_EVENT_NOUNS = {
    "dead": "muertos muertas muertes fallecidos fallecidas deaths dead fatalities killed asesinados "
            "asesinadas asesinatos bajas bodies cuerpos cadaveres",
    "arrested": "detenciones arrestos arrests capturas aprehensiones detentions arrestados arrestadas "
                "apresados apresadas capturados capturadas aprehendidos desapariciones disappearances",
    "released": "excarcelaciones excarcelados excarceladas liberaciones releases liberados liberadas "
                "excarcelacion salidas",
}
EVENT_NOUN = {w: ev for ev, ws in _EVENT_NOUNS.items() for w in ws.split()}

_PRISONER = set(["presos", "presas", "preso", "presa", "prisoners", "prisoner", "prisioneros", "prisioneras"])
_DETAINEE = set(["detenidos", "detenidas", "detenido", "detenida", "detainees", "detainee"])
_PEOPLE = _PRISONER | _DETAINEE | set(
    ["personas", "persona", "people", "persons", "ciudadanos", "ciudadanas", "citizens", "manifestantes", "protesters", "protestors", "demonstrators", "activistas", "activists", "activist", "activista", "periodistas", "journalists", "dirigentes", "lideres", "leaders", "opositores", "opositoras", "opponents", "militares", "soldados", "soldiers", "oficiales", "officers", "sindicalistas", "unionists", "trabajadores", "workers", "estudiantes", "students", "adolescentes", "adolescents", "teenagers", "teens", "menores", "minors", "children", "ninos", "ninas", "mujeres", "women", "hombres", "men", "jovenes", "youths", "extranjeros", "foreigners", "venezolanos", "venezolanas", "venezuelans", "estadounidenses", "americans", "defensores", "defensoras", "defenders", "reos", "inmates", "civiles", "civilians", "tripulantes", "crew", "crewmembers", "ocupantes", "occupants", "victimas", "victims", "indigenas", "policias", "police", "funcionarios", "officials", "miembros", "members", "dissidents", "disidentes", "individuals", "individuos", "narcoterroristas", "narcotraficantes", "traficantes", "traffickers", "smugglers", "casos", "cases", "colombianos", "espanoles", "nationals", "rehenes", "hostages", "sacerdotes", "priests", "medicos", "doctors", "abogados", "lawyers", "concejales", "alcaldes", "mayors", "diputados", "lawmakers", "candidatos", "candidates", "testigos", "coordinadores", "coordinators", "militantes", "campesinos", "pescadores", "fishermen", "pasajeros", "passengers", "migrantes", "migrants", "survivors", "sobrevivientes", "supervivientes"]
    # nationalities (foreigners held in Venezuela, Americans swapped...)
    + ["spaniards", "colombians", "peruanos", "peruvians", "ecuatorianos", "ecuadorians", "chilenos",
       "chileans", "argentinos", "argentines", "argentinians", "uruguayos", "uruguayans",
       "dominicanos", "dominicans", "mexicanos", "mexicans", "cubanos", "cubans", "bolivianos",
       "bolivians", "brasilenos", "brazilians", "franceses", "germans", "alemanes", "italianos",
       "italians", "portugueses", "britanicos", "britons", "ucranianos", "ukrainians", "canadienses",
       "canadians", "guyaneses", "trinitarios", "extranjeras"]
    # staff, ranks and other groups of people
    + ["staff", "staffers", "colaboradores", "aides", "escoltas", "bodyguards", "tenientes",
       "coroneles", "capitanes", "sargentos", "generales", "generals", "troops", "sailors",
       "marineros", "guardias", "guards", "agentes", "agents", "empleados", "employees",
       "exmilitares", "veterans", "reservistas", "reservists", "hermanos", "brothers", "sisters",
       "familiares", "relatives", "jovenes", "muchachos", "youths", "chicos", "boys", "girls",
       "residents", "vecinos", "habitantes", "dirigentes", "organizers", "organizadores",
       "voluntarios", "volunteers", "trabajadoras", "maestros", "docentes", "teachers",
       "enfermeras", "nurses", "reporteros", "reporters", "fotografos", "photographers",
       "camarografos", "tuiteros", "tiktokers", "influencers", "sindicalistas", "estadounidense",
       "narcoterroristas", "narcoterrorists", "terrorists", "terroristas",
       "supporters", "simpatizantes", "seguidores", "followers", "sympathizers", "partidarios",
       "backers", "militants", "presos", "captives", "cautivos", "assistants", "asistentes",
       "nurses", "enfermeros", "pensioners", "jubilados", "retirees", "merchants", "comerciantes",
       "sobrinos", "nephews", "primos", "cousins", "reclusos", "reclusas", "internos",
       "connacionales", "compatriotas", "compatriots", "exfuncionarios", "personnel",
       "exministros", "exgerentes", "executives", "ejecutivos", "universitarios", "efectivos"]
)
# "un activista detenido", "una dirigente excarcelada"
_SINGULAR_PARTICIPLE = {
    **dict.fromkeys(["detenido", "detenida", "arrestado", "arrestada", "capturado", "capturada",
                     "apresado", "apresada", "aprehendido", "aprehendida", "arrested", "detained"],
                    "arrested"),
    **dict.fromkeys(["excarcelado", "excarcelada", "liberado", "liberada", "released", "freed"],
                    "released"),
}
# adjectives between "un <person>" and its participle ("un ciudadano ucraniano detenido")
_SINGULAR_ADJ = {"politico", "politica", "venezolano", "venezolana", "extranjero", "extranjera",
                 "ucraniano", "ucraniana", "colombiano", "colombiana", "estadounidense", "espanol",
                 "espanola", "militar", "opositor", "opositora", "joven", "sindical", "estudiantil",
                 "venezuelan", "american", "political", "opposition"}
_SINGULAR_PERSON = set(
    ["capitan", "coronel", "teniente", "sargento", "general", "captain", "colonel", "lieutenant",
     "sergeant", "comisario", "inspector"] + ["survivor", "sobreviviente", "superviviente", "preso", "presa", "prisoner", "detenido", "detenida", "detainee", "persona", "person", "activista", "activist", "periodista", "journalist", "dirigente", "lider", "leader", "opositor", "militar", "soldado", "soldier", "oficial", "officer", "sindicalista", "estudiante", "student", "hombre", "man", "mujer", "woman", "joven", "defensor", "defender", "reo", "inmate", "ciudadano", "citizen", "venezolano", "venezuelan"]
    + ["ciudadana", "extranjero", "extranjera", "estadounidense", "colombiano", "colombiana", "espanol",
       "espanola", "gendarme", "policia", "funcionario", "funcionaria", "adolescente", "abogado",
       "abogada", "concejal", "alcalde", "alcaldesa", "diputado", "diputada", "coordinador",
       "coordinadora", "sacerdote", "medico", "medica", "profesor", "profesora", "opositora",
       "activist", "journalist", "lawyer", "priest"]
)
# Sentences without a digit, a number word, a death word or "un <person>" ("un activista
# detenido") cannot hold a count.
_WORTH_A_LOOK = re.compile(
    r"\d|\b(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b"
    r"|muer|murio|died|dies|death|fallec|centenar|millar"
    r"|\buna? (?:" + "|".join(sorted(_SINGULAR_PERSON, key=len, reverse=True)) + r")\b"
)
_MODIFIERS = set(
    ["<org>", "politicos", "politicas", "political", "venezolanos", "venezolanas", "venezuelan", "de", "del", "of", "los", "las", "the", "more", "mas", "otros", "otras", "other", "nuevos", "nuevas", "new", "presuntos", "presuntas", "alleged", "suspected", "jovenes", "young", "militares", "military", "civiles", "civilian", "opositores", "opposition", "sus", "their", "estadounidenses", "u", "s", "american"]
    + ["army", "navy", "naval", "air", "force", "police", "policiales", "campaign", "its", "su",
       "mid", "ranking", "senior", "junior", "high", "low", "former", "retired", "retirados",
       "active", "activos", "rank", "and", "file", "detained", "jailed", "imprisoned", "local",
       "regional", "party", "del", "partido", "young", "teenage", "female", "male"]
    # nationality adjectives before an English noun ("two Colombian nationals")
    + ["colombian", "spanish", "peruvian", "ecuadorian", "chilean", "argentine", "argentinian",
       "mexican", "cuban", "bolivian", "brazilian", "french", "german", "italian", "british",
       "ukrainian", "canadian", "dual", "foreign", "guyanese", "dominican", "uruguayan"]
    # who states them ("110 announced releases", "41 verified excarcelaciones")
    + ["announced", "anunciadas", "anunciados", "verified", "verificadas", "verificados",
       "confirmed", "confirmadas", "confirmados", "reported", "reportadas", "reportados",
       "documented", "documentadas", "documentados", "official", "oficiales", "claimed"]
    # order and manner ("los dos últimos detenidos", "23 new politically motivated arrests")
    + ["human", "rights", "derechos", "humanos", "us", "permanent", "legal", "narco", "security", "seguridad", "cuban", "cubanos", "ultimos", "ultimas", "last", "first", "primeros", "primeras", "additional", "further",
       "recent", "recientes", "politically", "motivated", "arbitrary", "arbitrarias",
       "arbitrarios",
       # "1,200 post-election detainees", "ten detained National Guard officers", "19 media workers"
       "post", "election", "electoral", "poselectorales", "postelectorales", "national", "guard",
       "guardia", "nacional", "bolivariana", "coast", "media", "press", "prensa"]
)

_AFTER_HELD = set(["permanecen", "permanece", "siguen", "sigue", "continuan", "continua", "remain", "remains", "remained", "still", "rejas", "bars", "held", "custodia", "custody",
                   "quedan", "imprisoned", "estan", "estaban", "seguian", "llevan"])
# held only right after a people noun ("doce militares presos"), not after a bare number
# ("300 madres de presos")
_AFTER_HELD_NOUN = {"presos", "presas", "prisoners", "prisioneros", "recluidos", "recluidas", "incomunicados", "incomunicadas",
                    "incommunicado",
                    # moved between prisons: still in custody ("85 detainees moved to Rodeo I"),
                    # but not ships or planes; a later predicate wins ("moved to house arrest")
                    "moved", "transferred", "trasladados", "trasladadas", "relocated"}
_AFTER_EVENT = {
    **{w: "released" for w in ["excarcelados", "excarceladas", "excarcelado", "excarcelada", "liberados", "liberadas", "liberado", "liberada", "released", "freed", "salieron", "excarcelan", "liberan", "return", "returned", "returning", "regresan", "regresaron", "regresaron", "home",
                                    "vuelven", "volvieron", "cautelares", "cautelar", "excarcelacion",
                                    "sustitutivas", "sustitutiva", "beneficiados", "beneficiadas",
                                    "libertad", "salen", "sale", "released", "walked", "freedom"]},
    **{w: "arrested" for w in ["rearrested", "recapturados", "desaparecidos", "desaparecidas",
                               "disappeared", "arrested", "detained", "arrestados", "arrestadas", "apresados", "capturados", "capturadas", "jailed", "encarcelados", "encarceladas", "detenidos", "detenidas", "aprehendidos", "aprehendidas", "rounded"]},
    **{w: "dead" for w in ["abatidos", "abatidas", "neutralizados", "neutralized", "eliminated",
                           "eliminados", "killing", "murieron", "mueren", "died", "die", "dies", "killed", "fallecieron", "perished", "asesinados", "muertos",
                                "muerto", "muerta", "muertas", "fallecidos", "fallecidas"]},
}
# two-word predicates ("walk free", "let go", "behind bars")
_AFTER_PAIR = {("walk", "free"): "released", ("walked", "free"): "released", ("walked", "out"): "released",
               ("let", "go"): "released", ("set", "free"): "released", ("walk", "out"): "released",
               ("behind", "bars"): "held", ("conditional", "release"): "released",
               ("libertad", "condicional"): "released", ("granted", "release"): "released",
               ("arresto", "domiciliario"): "released", ("house", "arrest"): "released",
               ("detencion", "domiciliaria"): "released", ("por", "carcel"): "released",
               ("re", "arrested"): "arrested", ("re", "detained"): "arrested",
               ("en", "desaparicion"): "held",
               ("in", "jail"): "held", ("in", "prison"): "held", ("en", "prision"): "held"}
# demands and calls: "exige liberar a los 800", "demands release of two Americans", "urges
# Maduro to free" -- the people are still held
_DEMAND = ("exig", "pide", "piden", "pidi", "pedi", "pedid", "reclam", "solicit", "insta", "insto",
           "demand", "urge", "urgi", "calls", "call", "called", "calling", "ask", "seek", "sought",
           "press", "negoci", "negotiat", "llamado", "llama", "clamor", "abog", "push", "want",
           "campaign", "campana", "exhort", "presion", "must", "should", "debe", "deben",
           "condicion", "tied", "conditioned", "conditions")
# "de ellos 165 militares", "of whom 40 women": a subset of the count before
_SUBSET = {("de", "ellos"), ("de", "ellas"), ("entre", "ellos"), ("entre", "ellas"), ("of", "them"),
           ("of", "whom"), ("los", "cuales"), ("las", "cuales"), ("among", "them"), ("among", "whom")}
# "entre ellos hay 170", "among them were four": a copula between the subset and the number
_SUBSET_GLUE = {"hay", "habia", "figuran", "figuraban", "estan", "estaban", "se", "encuentran",
                "cuentan", "were", "are", "was", "is", "there"}
# "la cifra incluye 87", "the figure includes 100": a subset of the tally before
_INCLUDES = {"incluye", "incluyen", "incluia", "incluyo", "comprende", "includes", "include",
             "included", "comprises"}
_SUBSET_WORDS = {"including", "incluidos", "incluidas", "incluyendo", "among"}
# "170 of them military", "dos de ellas de periodistas": a subset named after the number
_SUBSET_AFTER = {("of", "them"), ("de", "ellos"), ("de", "ellas"), ("of", "whom")}
# "pasaron de 800 a 953", "rises from 838 to 906", "rise to 11": a tally that changes
_CHANGE = {"pasaron", "paso", "pasa", "pasan", "subio", "sube", "suben", "subieron", "aumento",
           "aumentaron", "aumenta", "aumentan", "bajo", "baja", "bajan", "bajaron", "cayo", "cae",
           "caen", "cayeron", "disminuyo", "disminuye", "ascendio", "ascienden", "asciende", "crecio",
           "rise", "rises", "rose", "risen", "rising", "fall", "falls", "fell", "fallen", "falling",
           "drop", "drops", "dropped", "climb", "climbs", "climbed", "increase", "increases",
           "increased", "decrease", "decreases", "decreased", "grew", "grown", "grows", "jump",
           "jumps", "jumped", "went", "goes"}
# counted things that are not people: "the releases came in four rounds", "four strikes"
_NOT_PEOPLE = {"heridos", "heridas", "lesionados", "injured", "wounded", "bombardeos", "bombings", "entrevistas", "interviews", "testimonios", "testimonies",
               "rounds", "rondas", "tandas", "batches", "groups", "grupos", "strikes", "ataques",
               "attacks", "boats", "lanchas", "vessels", "buques", "barcos", "embarcaciones",
               "prisons", "carceles", "centros", "centers", "centres", "states", "estados",
               "cities", "ciudades", "operations", "operativos", "lists", "listas", "flights",
               "vuelos", "planes", "aviones", "reports", "informes",
               # measures and things ("deja 27 hectáreas afectadas")
               "hectareas", "hectares", "kilometros", "km", "kilometers", "miles", "millas",
               "toneladas", "tons", "kilos", "kilogramos", "kg", "litros", "liters", "viviendas",
               "casas", "homes", "houses", "vehiculos", "vehicles", "carros", "cars", "camiones",
               "trucks", "tanqueros", "tankers", "petroleros", "armas", "weapons",
               "puntos", "points", "votos", "votes", "goles", "goals", "paginas", "pages"}
# "el número de presos políticos", "political prisoner count", "death toll"
_TALLY_NOUN = {"numero", "cifra", "total", "number", "count", "tally", "figure", "toll", "lista",
               "list", "balance", "registro"}
# participles that, right after the people noun, describe them ("mujeres detenidas en el INOF
# recibieron medidas cautelares", "people detained after the election had died"): a later
# predicate of another event wins
_ADJECTIVAL = {"detenidos", "detenidas", "detained", "arrested", "arrestados", "arrestadas", "apresados",
               "capturados", "capturadas", "jailed", "encarcelados", "encarceladas", "aprehendidos",
               "presos", "presas", "recluidos", "recluidas", "held", "imprisoned",
               "moved", "transferred", "trasladados", "trasladadas", "relocated",
               # "four activists freed in December re-arrested": a later predicate wins
               "freed", "excarcelados", "excarceladas"}

_BEFORE_PREFIX = (
    ("released", ("excarcel", "liber", "releas", "solt")),
    ("arrested", ("arrest", "detien", "detuv", "detain", "captur", "apres", "encarcel", "jail",
                  "deten", "aprehend")),
    ("dead", ("mata", "mato", "kill", "asesin", "muere", "murio", "murie", "fallec", "died", "dies",
              "death", "muert")),
    ("held", ("contabiliz", "registr", "tally", "mantien", "traslad", "transferr", "visit")),
)
_BEFORE_EXACT = {
    "free": "released", "frees": "released", "freed": "released", "freeing": "released",
    "salido": "released", "salieron": "released", "salen": "released",
    "hold": "held", "holds": "held", "holding": "held",
    "counts": "held", "counted": "held", "remain": "held", "quedan": "held",
    "permanecen": "held", "siguen": "held", "behind": "held",
    "deja": "dead", "dejo": "dead", "left": "dead", "leaves": "dead",
    "toll": "dead", "transfer": "held",
    "jails": "held", "condenan": "held", "condenaron": "held", "condenados": "held", "condenadas": "held",
    "sentenced": "held", "sentenciados": "held", "sentencian": "held", "transfers": "held", "met": "held", "meets": "held",
}
_INHERIT = set(["agrego", "agrega", "added", "adds", "confirma", "confirmo", "confirman", "confirmaron", "confirmar", "verifico", "verifica", "verificaron", "verificar", "verified", "verify", "confirm", "confirmed", "confirms", "verifies", "solo", "only", "of"])
_VERIFY = ("verific", "confirm", "constat", "corrobor", "document")
# adverbs between a verb and its figure ("ha verificado hasta ahora 94", "has so far confirmed")
_ADVERBS = {"hasta", "ahora", "el", "momento", "so", "far", "ya", "already", "solo", "only", "just",
            "apenas", "unicamente", "por", "now", "until", "at", "least", "al", "menos",
            "mas", "de", "more", "than", "about", "some", "unos", "unas", "alrededor", "around"}
_TALLY = set(["cifra", "cifras", "total", "totaliza", "balance", "registro", "registra", "contabiliza", "tally", "count", "figure", "figures", "hay", "suman", "record", "highest", "alta", "lista", "list", "cuenta", "cuentan", "counts", "counted", "reports", "reported", "reporta", "reporto", "documenta", "documents", "registered", "registrado", "registraba", "concentran", "concentra", "cierra", "cerro", "closes", "closed", "ends", "ended", "termina", "termino"])
_QUALIFIER = set(["mas", "more", "al", "least", "unos", "unas", "some", "about", "casi", "nearly", "over", "around", "alrededor", "aproximadamente", "approximately"])
_DEAD_WORDS = ("fallec", "muert", "dead", "killed", "died")
_DEAD_VERB = ("muere", "murio", "fallec", "died", "dies", "muerte", "death")

# -- sources ----------------------------------------------------------------------
_SOURCES: list[tuple[str, re.Pattern[str]]] = [
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
    r"|confirma|confirmo|confirman|contabiliza|contabilizo|registra|registro|denuncia|denuncio"
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


_ORG = "<org>"


class _Sentence:
    __slots__ = ("text", "tokens", "spans")

    def __init__(self, text: str, orgs: Sequence[tuple[str, ...]] = ()) -> None:
        self.text = text
        self.tokens: list[str] = []
        self.spans: list[tuple[int, int]] = []
        for m in _TOKEN.finditer(text):
            self.tokens.append(m.group())
            self.spans.append(m.span())
        for name in orgs:  # "Three Vente Venezuela activists": the name is one modifier
            n = len(name)
            k = 0
            while k + n <= len(self.tokens):
                if tuple(self.tokens[k:k + n]) == name:
                    self.tokens[k:k + n] = [_ORG]
                    self.spans[k:k + n] = [(self.spans[k][0], self.spans[k + n - 1][1])]
                k += 1


def _parse_number(tokens: Sequence[str], i: int) -> tuple[int, int, bool] | None:
    """(value, index after the number, is_singular_word) or None."""
    tok = tokens[i]
    if tok[0].isdigit():
        if re.fullmatch(r"\d+[.,]\d{1,2}", tok) or re.fullmatch(r"\d+[.,]\d{4,}", tok):
            return None  # a decimal
        value = int(re.sub(r"[.,]", "", tok))
        j = i + 1
        if j < len(tokens) and tokens[j] in ("mil", "thousand"):
            value *= 1000
            j += 1
        return value, j, False
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if tok in _COLLECTIVE_LEAD and nxt in _COLLECTIVE:
        # "un centenar de excarcelaciones" is 100, as the readers count it; "centenares" is vague
        return _COLLECTIVE[nxt] // (2 if tok == "medio" else 1), i + 2, False
    if tok in _ONE:
        if nxt in ("hundred", "thousand", "mil"):
            pass
        else:
            return (1, i + 1, True) if tok not in ("a", "an") else None
    if tok not in _NUMBER_WORDS and tok not in _ONE:
        return None
    total = current = 0
    j = i
    seen = False
    while j < len(tokens):
        w = tokens[j]
        if w in _SMALL:
            current += _SMALL[w]
        elif w in _ES_HUNDREDS:
            current += _ES_HUNDREDS[w]
        elif w in ("one", "a", "an", "un", "uno", "una") and j + 1 < len(tokens) and tokens[j + 1] in (
            "hundred", "thousand", "mil"
        ):
            current += 1
        elif w in ("one", "uno", "un", "una") and seen and current >= 20 and current % 10 == 0:
            current += 1  # twenty-one, treinta y uno
        elif w == "hundred" and seen:
            current = max(current, 1) * 100
        elif w in ("thousand", "mil"):
            total += max(current, 1) * 1000
            current = 0
        elif w in ("y", "and") and seen and j + 1 < len(tokens) and (
            tokens[j + 1] in _SMALL or tokens[j + 1] in ("un", "uno", "una")
        ):
            pass
        else:
            break
        seen = True
        j += 1
    value = total + current
    if not seen or value == 0:
        return None
    return value, j, False


def _skip(tokens: Sequence[str], i: int, j: int, value: int, raw: str) -> bool:
    prev = tokens[i - 1] if i > 0 else ""
    prev2 = tokens[i - 2] if i > 1 else ""
    nxt = tokens[j] if j < len(tokens) else ""
    nxt2 = tokens[j + 1] if j + 1 < len(tokens) else ""
    if prev in _MONEY_BEFORE or nxt in _MONEY_AFTER or nxt in _PERCENT:
        return True
    if nxt == "por" and nxt2 == "ciento":
        return True
    if nxt in _TIME or nxt in _MONTHS:
        return True
    if prev in _MONTHS and not (value > 31 or (nxt, nxt2) in _SUBSET_AFTER or nxt in _PEOPLE):
        return True  # "December 31", but "freed in December, 31 of them soldiers"
    if nxt in ("de", "of") and nxt2 in _MONTHS:
        return True
    if (nxt, nxt2) in (("de", "cada"), ("of", "every"), ("in", "every"), ("out", "of")) and (
            nxt2 != "of" or j + 2 < len(tokens) and tokens[j + 2] in ("every", "each")):
        return True  # "3 de cada 10": a rate
    if prev in _ORDINAL_BEFORE and not (prev == "number" and (prev2 == "now" or prev2 in _PEOPLE)):
        return True  # "número 15", but "political prisoners now number 884"
    if prev == "de" and prev2 in ("edad", "age"):
        return True
    if prev in ("to", "a", "y", "and", "-") and prev2[:1].isdigit() and i > 2 and (
            tokens[i - 3] in ("aged", "age", "ages", "edades")
            or tokens[i - 3] in ("entre", "between") and i > 3 and tokens[i - 4] in (
                "aged", "age", "ages", "edades", "of", "de", "ranging")):
        return True  # "aged 22 to 40", "de entre 18 y 70", but "entre 56 y 76 excarcelaciones"
    if nxt in ("y", "and", "to", "a", "-") and nxt2[:1].isdigit() and j + 2 < len(tokens) and (
            tokens[j + 2] in _TIME):
        return True  # "de entre 18 y 70 años": the first of two ages
    if nxt in ("st", "nd", "rd", "th") and raw.isdigit():
        return True  # "the 21st attack": an ordinal
    if len(nxt) == 1 and nxt.isalpha() and nxt not in ("a", "y", "o", "e", "u") and value <= 31:
        return True  # "detenido tras el 28J": a date code
    if prev in ("were", "was", "eran", "era", "tenian", "tenia") and (
            nxt in ("when", "cuando") or (nxt in ("to", "a", "y", "and") and nxt2[:1].isdigit())):
        return True  # "some were 14 when they were arrested", "arrested when they were 15 to 17"
    if prev in ("to", "a") and prev2[:1].isdigit() and i > 2 and tokens[i - 3] in ("were", "was", "eran", "tenian"):
        return True
    if nxt in ("when", "cuando") and prev in ("were", "was", "eran", "era", "tenian", "tenia"):
        return True  # "some were 14 when they were arrested": an age
    return raw.isdigit() and len(raw) == 4 and 1900 <= value <= 2100 and nxt not in _PEOPLE


def _subset_before(tokens: Sequence[str], i: int) -> bool:
    """The number at tokens[i] is announced as a subset of the count before: "de ellos 140",
    "entre ellos hay 170", "among them were four", "including 11", "la cifra incluye 87",
    "the figure includes 100"."""
    if i > 0 and tokens[i - 1] in _SUBSET_WORDS:
        # "three Colombians among 19 foreigners released": here the number is the whole
        return not (tokens[i - 1] == "among" and i > 1 and (
            tokens[i - 2] in _PEOPLE or tokens[i - 2] in _SINGULAR_PERSON or tokens[i - 2] == "national"))
    k = i
    while k > 0 and i - k < 2 and tokens[k - 1] in _SUBSET_GLUE:
        k -= 1
    if k > 1 and (tokens[k - 2], tokens[k - 1]) in _SUBSET:
        return True
    if k > 0 and k < i and any(t in ("entre", "among") for t in tokens[max(0, k - 8):k]):
        return True  # "entre los detenidos figuran 170 militares", "among them were four"
    if i > 2 and tokens[i - 1] == "a" and tokens[i - 2] in _INCLUDES and (
            tokens[i + 1:i + 2] and (tokens[i + 1] in _PEOPLE or tokens[i + 1] in _MODIFIERS)):
        return True  # "Provea incluye a 166 personas detenidas por razones conexas"
    return (i > 1 and tokens[i - 1] in _INCLUDES
            and any(t in _TALLY_NOUN or t in EVENT_NOUN or t in _DETAINEE or t in ("dead", "victims")
                    for t in tokens[max(0, i - 4):i - 1]))


def _before_event(tokens: Sequence[str], i: int, window: int = 6) -> str | None:
    if _subset_before(tokens, i):
        # "entre los excarcelados hay tres extranjeros": the among-phrase names the event
        for k in range(i - 1, max(-1, i - 8), -1):
            if tokens[k] in ("entre", "among"):
                for w in tokens[k + 1:k + 4]:
                    if w in EVENT_NOUN:
                        return EVENT_NOUN[w]
                break
        return "inherit"
    low = max(-1, i - 1 - window)
    m = i - 1
    while m > 0 and tokens[m] in ("otros", "otras", "other", "los", "las", "the", "sus", "their"):
        m -= 1
    if m > 0 and tokens[m] in ("a", "al") and tokens[m - 1] in ("y", "e"):
        low = max(-1, i - 16)  # "Excarcelan a X, dirigente de Y, y a otras dos personas"
    only = False
    for k in range(i - 1, -1, -1):
        if k <= low:
            break
        w = tokens[k]
        if w in _ONLY:
            only = True  # "liberó hasta ahora solo a 17": the verb before still names the event
            continue
        if (w[0].isdigit() or w in _NUMBER_WORDS) and tokens[k + 1:k + 2] and tokens[k + 1] in _TIME:
            low = max(-1, low - 2)  # "condenan a 30 años de prisión a tres militares": a duration
            continue
        if w[0].isdigit() or w == ":" or w in _NUMBER_WORDS:
            return None
        nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
        if (_AFTER_PAIR.get((w, nxt)) == "released" and w in ("arresto", "detencion")
                or w == "arrest" and k > 0 and tokens[k - 1] == "house"
                or w == "carcel" and tokens[max(0, k - 2):k] == ["casa", "por"]):
            return "released"  # "liberan bajo arresto domiciliario a dos periodistas"
        if w in ("cautelar", "cautelares", "alternativas", "procesales", "procesal") and not any(
                t in ("cidh", "iachr", "comision") for t in tokens):
            return "released"  # "otorga medida cautelar a 9 detenidos", "beneficios procesales para 225"
        if w == "benefits" and tokens[max(0, k - 1):k] == ["procedural"]:
            return "released"
        if w in ("medidas", "medida") and any(t.startswith("revis") for t in tokens[max(0, k - 3):k]):
            return "released"  # "se han revisado las medidas de 533 personas"
        if w in ("with", "con") and k > 0 and tokens[k - 1] in ("returns", "returned", "regresa", "regreso",
                                                               "vuelve", "volvio", "flies", "flew"):
            return "released"  # "Grenell returns with six Americans"
        if w in ("detention", "detencion") and k > 0 and tokens[k - 1] in ("incommunicado", "incomunicado"):
            return "held"  # "incommunicado detention of at least 10 defenders"
        if w == "libertad" and k > 1 and tokens[k - 1] == "de" and tokens[k - 2].startswith("privativ"):
            return "held"  # "dictan privativa de libertad a 19 detenidos"
        if w in ("detainees", "detainee") or (w == "libertad" and k > 1 and tokens[k - 1] == "de"
                                               and tokens[k - 2].startswith("privad")):
            continue  # a noun, not "detain"; "privados de libertad" is not a release
        if nxt in ("by", "por") and (w in _INHERIT or w.startswith(_VERIFY)):
            return None  # "confirmed by two officials": the confirmers
        if w.startswith(("arrest", "captur", "aprehension")) and (
                tokens[max(0, k - 2):k] in (["ordenes", "de"], ["orden", "de"])
                or nxt in ("warrant", "warrants")):
            return None  # "órdenes de arresto contra tres funcionarios": warrants
        event = _BEFORE_EXACT.get(w)
        if w in _PUTS and nxt in ("en", "at") and k < i - 1:
            return None  # "Foro Penal cifró en 777 los presos políticos": a tally, not the verb before
        if event == "dead" and w in _LEAVES and any(
                t not in _QUALIFIER and t not in _ARTICLES for t in tokens[k + 1:i]):
            return None  # "deja 25 muertos", not "deja por fuera a 200", "deja en libertad a 20"
        if event == "held" and w in _REMAIN_VERB and nxt.endswith(("ndo", "ndose")):
            continue  # "siguen recuperándose dos militares": not in custody
        if event is None:
            near = k >= i - 3 or all(t in _ADVERBS for t in tokens[k + 1:i])
            if near and (w in _INHERIT or w.startswith(_VERIFY)) and (
                    w != "of" or (k > 0 and tokens[k - 1] == "out")):
                return "inherit"  # "Foro Penal ha verificado hasta ahora 94": the same event
            event = next((ev for ev, prefixes in _BEFORE_PREFIX if w.startswith(prefixes)), None)
        if event is None:
            continue
        if _counted_before(tokens, k):
            return None  # "25 people killed and 2,400 detained": "killed" is the 25's
        if event == "arrested" and k > 0 and tokens[k - 1] in _KEEP:
            return "held"  # "Venezuela tiene detenidos a 80 extranjeros": held, not arrested
        if event == "released" and _demanded(tokens, k):
            return "demanded"  # held, and it wins over a participle after the noun
        return event
    return "inherit" if only else None


_GENERIC_PEOPLE = {"personas", "people", "persons", "individuos", "individuals"}
_LEAVES = {"deja", "dejo", "left", "leaves"}
_ONLY = {"solo", "only", "just", "apenas", "unicamente"}


def _demanded(tokens: Sequence[str], k: int) -> bool:
    """The release word tokens[k] is demanded, not done ("exige liberar", "pide a Venezuela
    liberar", "urges Maduro to release", "calls for the immediate release"): a demand word
    with function words and at most two other words (the addressee, "Delcy Rodríguez") in
    between. An "immediate release" ("liberación inmediata de tres") is always asked for."""
    if tokens[k + 1:k + 2] in (["inmediata"], ["immediate"]) or tokens[k - 1:k] == ["immediate"]:
        return True
    for m in range(k - 1, max(-1, k - 8), -1):
        if tokens[m].startswith(_DEMAND):
            # two words only for a named addressee: "pide a Delcy Rodríguez liberar"
            limit = 2 if tokens[m + 1:m + 2] in (["a"], ["al"], ["to"]) or tokens[k - 1] == "to" else 1
            if tokens[m].startswith(("condicion", "conditio", "tied")):
                limit = 3  # "condiciona el alivio de sanciones a la excarcelación de"
            return sum(w not in _DEMAND_GLUE for w in tokens[m + 1:k]) <= limit
    return False


_DEMAND_GLUE = {"a", "al", "la", "el", "los", "las", "de", "del", "por", "para", "que", "se", "the",
                "for", "to", "of", "immediate", "inmediata", "urgent", "pronta", "su", "sus", "their",
                "his", "her", "full", "plena"}


def _counted_before(tokens: Sequence[str], k: int) -> bool:
    """tokens[k] is the predicate of an earlier number ("25 people killed and ...")."""
    for m in range(k - 1, max(-1, k - 5), -1):
        w = tokens[m]
        if w[0].isdigit() or w in _NUMBER_WORDS:
            return True
        if not (w in _PEOPLE or w in _MODIFIERS or w in EVENT_NOUN or w in _QUALIFIER):
            return False
    return False


def _tally_unit(tokens: Sequence[str], i: int, j: int) -> int | None:
    """The noun of a tally around the number: "eleva a 1.084 el número de presos políticos",
    "el número de presos políticos asciende a 1.084", "political prisoner count stands at 884";
    -1 for a (death) toll."""
    k = j
    if k < len(tokens) and tokens[k] in ("el", "la", "the"):
        k += 1
    if k + 1 < len(tokens) and tokens[k] in _TALLY_NOUN and tokens[k + 1] in ("de", "of"):
        return _find_unit(tokens, k + 2)
    for k in range(i - 1, max(-1, i - 12), -1):
        w = tokens[k]
        if w[0].isdigit() or w in _NUMBER_WORDS:
            return None
        if w == "toll":
            return -1  # "death toll rises to 27"
        if w in _TALLY_NOUN:
            if k + 1 < len(tokens) and tokens[k + 1] in ("de", "of"):
                return _find_unit(tokens, k + 2)
            if k > 1 and tokens[k - 1] in ("now", "currently", "ahora"):
                k -= 1  # "political prisoners now number 884"
            if k > 0 and (tokens[k - 1] in _PRISONER or tokens[k - 1] in _DETAINEE
                          or tokens[k - 1] in EVENT_NOUN):
                return k - 1
            return None
    return None


_AGE_LEAD = {"aged", "ages", "edades", "entre", "between"}


def _skip_age_range(tokens: Sequence[str], k: int) -> int:
    """Index after an age range in apposition ("otros 11 menores, de entre 14 y 17 años, siguen
    presos", "five teenagers aged 15 to 17 remain held"), else k."""
    m = k
    lead = False
    while m < len(tokens) and m - k < 3 and tokens[m] in _AGE_LEAD | {"de", "of", "con", "with"}:
        lead = lead or tokens[m] in _AGE_LEAD
        m += 1
    if not (m + 2 < len(tokens) and tokens[m].isdigit() and tokens[m + 1] in ("y", "and", "to", "a", "-")
            and tokens[m + 2].isdigit() and int(tokens[m + 2]) <= 110):
        return k
    m += 3
    if m < len(tokens) and tokens[m] in ("anos", "years", "year"):
        m += 1
        lead = True
        if m < len(tokens) and tokens[m] == "old":
            m += 1
        elif m + 1 < len(tokens) and (tokens[m], tokens[m + 1]) in (("de", "edad"), ("of", "age")):
            m += 2
    return m if lead else k


def _after_event(tokens: Sequence[str], start: int, window: int = 5, noun: bool = True) -> str | None:
    """The event of the predicate after a people noun ("were released", "siguen detenidos").

    A participle right after the noun describes it ("detenidos en el INOF"): it gives its
    event only when no later predicate (within 8 words) gives another one."""
    adjectival = None
    start = _skip_age_range(tokens, start)
    end = min(len(tokens), start + window)
    k = start
    while k < len(tokens) and (k < end or (adjectival and k < start + 9)):
        w = tokens[k]
        if k == start and (skip := _parenthetical_subset(tokens, k)) > k:
            # "34 personas, entre ellas 19 militares, fueron arrestadas": the predicate is
            # the 34's, after the subset
            end += skip - k
            start = k = skip
            continue
        if w[0].isdigit() and _is_date_part(tokens, k):
            end = min(len(tokens), end + 1)  # "detenidos tras el 28 de julio siguen en Tocuyito"
            k += 1
            continue
        if (w[0].isdigit() or w in _SMALL) and tokens[k + 1:k + 2] and tokens[k + 1] in _TIME and (
                k > 0 and tokens[k - 1] in _DURATION_LEAD):
            end = min(len(tokens), end + 2)  # "2 periodistas tras 10 horas detenidos": a duration
            k += 2
            continue
        if w in ("y", "and") and (skip := _coordinated_noun(tokens, k)) > k:
            end = min(len(tokens), end + skip - k)  # "US citizens and permanent residents are held"
            k = skip
            continue
        if w[0].isdigit() or w in ("y", "and", "pero", "but", ":"):
            break
        if (w, tokens[k + 1] if k + 1 < len(tokens) else "") in _SUBSET:
            break  # "12 adolescents detained ..., eight of whom remain in custody": the eight's
        if w in ("sometidos", "sometidas") and tokens[k + 1:k + 4] == ["a", "la", "justicia"]:
            return "arrested"  # "2.000 terroristas han sido sometidos a la justicia"
        if k == start and w in _ADJECTIVAL and tokens[k + 1:k + 4] in (["por", "razones", "politicas"],
                                                          ["for", "political", "reasons"],
                                                          ["por", "motivos", "politicos"]) and not any(
                t in ("since", "desde") for t in tokens[k + 4:k + 6]):
            return "held"  # "110 personas detenidas por razones políticas" (not "... since January")
        if (k == start and w in _ADJECTIVAL and adjectival is None
                and tokens[k + 1:k + 4] in (["por", "el", "regimen"], ["by", "the", "regime"])):
            adjectival = "held"  # "los 87 extranjeros detenidos por el régimen": their state,
            k += 4               # unless a later predicate says otherwise ("... fueron liberados")
            end = min(len(tokens), end + 3)
            continue
        if (noun and w in ("at", "en", "in") and tokens[k + 1:k + 2] and tokens[k + 1] in _PRISONS
                and adjectival is None and k == start):
            return "held"  # "40 detainees at Tocuyito"
        if w in _MEMBER and (member := _member_of(tokens, k + 1)) is not None:
            return member  # "24 periodistas forman parte de la lista de presos políticos"
        if w in ("leave", "leaves", "left", "leaving") and any(t in _CUSTODY for t in tokens[k + 1:k + 3]):
            return "released"  # "252 Venezuelans leave Salvadoran prison"
        if w in _NEGATION:
            if any(t in _AFTER_EVENT or t in _AFTER_HELD for t in tokens[k + 1:k + 4]):
                return None  # "the crew of 27 had not been detained"
            break  # "the 2,000 detained ... were criminals, not political prisoners"
        if w in _AUX:
            end = min(len(tokens), end + 1)  # "12 have since been released"
            k += 1
            continue
        nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
        if w in _REMAIN_VERB and (nxt in _NOT_CUSTODY or tokens[k + 2:k + 3] in (["bordo"], ["board"])):
            break  # "24 crew members remained aboard": not in custody
        event = _AFTER_PAIR.get((w, nxt))
        if event is None:
            held = w in _AFTER_HELD or (noun and w in _AFTER_HELD_NOUN)
            event = "held" if held else _AFTER_EVENT.get(w)
            if event == "arrested" and k > 0 and tokens[k - 1] in _STATE_WORDS:
                event = "held"  # "25 union leaders are currently jailed", "20 ya están detenidos"
        if event is not None:
            if k == start and w in _ADJECTIVAL and adjectival is None:
                adjectival = event
                if nxt in ("desde", "since") and w in _HELD_STATE and tokens[k + 2:k + 3] and (
                        tokens[k + 2][:1].isdigit()):  # "detenidos desde 2019": still held
                    adjectival = "held"
            elif adjectival is None or (event != adjectival and not (
                    adjectival == "released" and event == "held")):
                return event  # "freed in December, re-arrested", not "freed, denies holding"
        k += 1
    return adjectival


_MEMBER = {"forman", "forma", "formaban", "figuran", "figura", "figuraban", "integran", "integra",
           "estan", "son", "are", "were"}


def _member_of(tokens: Sequence[str], k: int) -> str | None:
    """After a verb of membership: "(forman parte de | figuran en) la lista de presos políticos",
    "están entre los excarcelados" -- the event of the group the people belong to."""
    rest = tokens[k:k + 7]
    if not rest or rest[0] not in ("parte", "entre", "en", "among", "part", "on"):
        return None
    for w in rest[1:]:
        if w in _PRISONER:
            return "held"
        if w in EVENT_NOUN:
            return EVENT_NOUN[w]
        if w in _DETAINEE:
            return "arrested"
        if w not in _MODIFIERS and w not in ("la", "lista", "list", "grupo", "group", "parte", "part", "nomina"):
            return None
    return None


_PRISONS = {"tocuyito", "tocoron", "rodeo", "helicoide", "yare", "ramo", "zona", "boleita", "inof",
            "tumba", "uribana", "cecot"}
_KIN = {"madre", "padre", "hijo", "hija", "esposa", "esposo", "hermano", "hermana", "familiar",
        "mother", "father", "son", "daughter", "wife", "husband", "brother", "sister", "abuela",
        "grandmother"}
_FORMER = {"former", "ex", "antiguos", "antiguas"}
_NEGATION = {"not", "no", "never", "nunca", "ni"}


def _is_date_part(tokens: Sequence[str], k: int) -> bool:
    """tokens[k] is a day or a year inside a date ("el 28 de julio", "July 29", "in 2024")."""
    w = tokens[k]
    if len(w) == 4 and w.isdigit() and 1900 <= int(w) <= 2100:
        return True
    nxt = tokens[k + 1:k + 3]
    return w.isdigit() and int(w) <= 31 and (
        (nxt[:1] and nxt[0] in _MONTHS) or (len(nxt) == 2 and nxt[0] == "de" and nxt[1] in _MONTHS)
        or (k > 0 and tokens[k - 1] in _MONTHS))


def _coordinated_noun(tokens: Sequence[str], k: int) -> int:
    """Index after "and <people noun>" at tokens[k] ("and permanent residents"), else k."""
    m = k + 1
    parsed = _parse_number(tokens, m) if m < len(tokens) else None
    if parsed is not None:
        m = parsed[1]  # "127 civiles y 43 militares fueron excarcelados"
    while m < len(tokens) and m - k <= 4 and tokens[m] in _MODIFIERS and tokens[m] not in _PEOPLE:
        m += 1
    if m < len(tokens) and tokens[m] in _PEOPLE and tokens[m] not in ("detenidos", "detenidas"):
        return m + 1
    return k


_DURATION_LEAD = {"tras", "despues", "after", "hace", "durante", "for", "por", "luego", "de", "mas",
                  "than", "over"}
_STATE_WORDS = {"currently", "actualmente", "still", "aun", "todavia", "estan", "siguen", "remain",
                "remains", "permanecen", "quedan"}
_AUX = {"have", "has", "had", "been", "being", "are", "were", "is", "since", "already", "ya", "han",
        "ser", "be", "currently", "actualmente", "todavia", "aun",
        "habian", "habia", "sido", "siendo", "estan", "now", "ahora", "reportedly", "presuntamente"}
_REMAIN_VERB = {"remain", "remains", "remained", "permanecen", "permanecieron", "siguen", "quedan"}
_NOT_CUSTODY = {"aboard", "bordo", "board", "free", "libres", "silent", "calm", "missing",
                "desaparecidos", "hospitalized", "hospitalizados", "hidden", "escondidos", "abroad"}


def _parenthetical_subset(tokens: Sequence[str], k: int) -> int:
    """Index after a subset in apposition at tokens[k] ("entre ellas 19 militares", "among
    them 12 women", "including five minors"), else k."""
    m = k
    if m + 1 < len(tokens) and (tokens[m], tokens[m + 1]) in _SUBSET:
        m += 2
    elif m < len(tokens) and tokens[m] in ("including", "incluidos", "incluidas", "incluyendo"):
        m += 1
    else:
        return k
    parsed = _parse_number(tokens, m) if m < len(tokens) else None
    if parsed is None:
        return k
    unit = _find_unit(tokens, parsed[1])
    return unit + 1 if unit is not None else k


def _find_unit(tokens: Sequence[str], j: int) -> int | None:
    for k in range(j, min(len(tokens), j + 4)):
        w = tokens[k]
        if w in _SINGULAR_PERSON and w in _MODIFIERS and w not in _PEOPLE:
            continue  # "11 Venezuelan soldiers": an adjective here
        if w in EVENT_NOUN or w in _PEOPLE or w in _SINGULAR_PERSON:
            return k
        if w not in _MODIFIERS:
            return None
    return None


def _source_mentions(text: str, named: Sequence[str]) -> list[tuple[int, int, str]]:
    out = []
    for name, pattern in _SOURCES:
        for m in pattern.finditer(text):
            out.append((m.start(), m.end(), name))
    for name in named:  # gazetteer organisations not in the table above
        if name not in {n for n, _ in _SOURCES}:
            for m in re.finditer(rf"\b{re.escape(fold(name))}\b", text):
                out.append((m.start(), m.end(), name))
    return sorted(out)


def _attribute(sent: _Sentence, mentions: list[tuple[int, int, str]], pos: tuple[int, int],
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


def extract_counts(fields: Iterable[str], orgs: Sequence[str] = ()) -> list[dict]:
    """Counts in an item's fields (title, summary, text), deduplicated by event+number."""
    results: list[dict] = []
    index: dict[tuple[str, int], dict] = {}
    last_event: str | None = None
    earlier: list[str] = []  # the item's sentences so far, for a figure with nothing before it
    folded_fields = [fold(f) for f in fields if f]
    generic: list[str | None] = []  # resolved lazily: the one named source of the item
    org_tokens = [t for t in (tuple(_TOKEN.findall(fold(o))) for o in orgs) if len(t) > 1]

    def generic_source() -> str | None:
        if not generic:
            names = []
            for ftext in folded_fields:
                names += [n for n, p in _SOURCES if n not in ("*", "the government") and p.search(ftext)]
                names += [n for n in orgs if fold(n) in ftext]
            names = list(dict.fromkeys(names))
            generic.append(names[0] if len(names) == 1 else None)
        return generic[0]

    for ftext in folded_fields:
        for raw_sentence in _SENTENCES.split(ftext):
            if not raw_sentence:
                continue
            earlier.append(raw_sentence)
            if not _WORTH_A_LOOK.search(raw_sentence):
                continue
            sent = _Sentence(raw_sentence, org_tokens)
            toks = sent.tokens
            found: list[tuple[str, int, int]] = []  # (event, value, token index)
            i = 0
            while i < len(toks):
                parsed = _parse_number(toks, i)
                if parsed is None:
                    i += 1
                    continue
                value, j, singular = parsed
                low = _range_low(toks, i, j)
                if low is not None:
                    # "entre 56 y 76 excarcelaciones": both ends, with the event of the second
                    first, (i, (value, j, singular)) = (value, i), low
                else:
                    first = None
                prev = (found[-1][0], found[-1][2]) if found else None
                skipped = _skip(toks, i, j, value, toks[i]) or _apposition(sent, i, j) or _glued(sent, i)
                event = None if skipped else _classify(toks, i, j, singular, prev)
                if event is None and not skipped and _counted_prisoners(toks, i, j, earlier):
                    event = "held"  # "Foro Penal ... counted 838 as of Monday"
                if (event is not None and i > 0 and toks[i - 1] in _ANAPHORA
                        and _find_unit(toks, j) is None
                        and any(r["number"] == value for r in results)):
                    event = None  # "the six had been held": the six already counted
                if event == "detainees":
                    # a part of "the detainees": of the last count of people held or arrested
                    held = [e for e, _, _ in found if e in ("held", "arrested")] or [
                        r["event"] for r in results if r["event"] in ("held", "arrested")]
                    event = held[-1] if held else "arrested"
                if event == "total":
                    # a total after releases and arrests alike is the tally of those held
                    # ("5 new arrests, 12 releases; total stands at 884")
                    seen = {r["event"] for r in results} | {f[0] for f in found}
                    event = "held" if {"released", "arrested"} <= seen else "inherit"
                if event is not None and event.startswith("inherit"):
                    between = _event_between(toks, found[-1][2] + 1, i) if found else None
                    event = (between or last_event
                             or (event.split(":")[1] if ":" in event else None))
                    if event is None and _verified_figure(toks, i, j):
                        event = _sentence_event(toks, i) or next(
                            filter(None, map(_mentioned_event, reversed(earlier[:-1]))), None)
                    if event is None and _counted_prisoners(toks, i, j, earlier):
                        event = "held"  # "Foro Penal ... counted 838 as of Monday", "NGOs count 840"
                if event is not None:
                    if first is not None:
                        found.append((event, first[0], first[1]))
                    found.append((event, value, i))
                    last_event = event
                i = j
            if not found:
                continue
            then = _colon_predicate(toks, found[-1][2])
            if then is not None and then != found[-1][0]:
                # "Detienen a 16 adolescentes ...: fueron excarcelados": the same people, later
                found.append((then, found[-1][1], found[-1][2]))
            if _HUNGER.search(sent.text):
                found = [f for f in found if f[0] != "held"]  # hunger strikers are not counts
                if not found:
                    continue
            mentions = _source_mentions(sent.text, orgs)
            starts = [sent.spans[k][0] for _, _, k in found]
            wholes = {k2 for (_, _, k1), (_, _, k2) in zip(found, found[1:], strict=False)
                      if k2 > k1 and (_partitive_whole(toks, k1 + 1) is not None
                                      or _is_bare_partitive_whole(toks, k2))}
            for event, value, k in found:
                if k in wholes:  # "Foro Penal verificó 61 de las 87": 87 is not Foro Penal's
                    source = None
                else:
                    source = _attribute(sent, mentions, sent.spans[k], [s for s in starts if s != sent.spans[k][0]])
                if source == "*":
                    source = generic_source()
                key = (event, value)
                if key in index:
                    if index[key]["source"] is None and source:
                        index[key]["source"] = source
                    continue
                index[key] = {"event": event, "number": value, "source": source}
                results.append(index[key])
    return results


_ANAPHORA = {"the", "los", "las", "these", "estos", "estas"}


def _apposition(sent: _Sentence, i: int, j: int) -> bool:
    """An age in apposition: "the former police officer, 61, had been held"."""
    tok = sent.tokens[i]
    if not tok.isdigit() or j != i + 1 or int(tok) > 110:
        return False
    start, end = sent.spans[i]
    return sent.text[:start].rstrip().endswith(",") and sent.text[end:].lstrip().startswith((",", ")"))


_RANGE_LEAD = {"entre", "between"}
_RANGE_GLUE = {"y", "and", "a", "to", "-"}


def _range_low(toks: Sequence[str], i: int, j: int) -> tuple[int, tuple[int, int, bool]] | None:
    """For the first number of a range ("entre 139 y 155 presos", "between 56 and 76"): the
    index and parse of the second number, which carries the noun; else None."""
    k = i - 1
    while k > 0 and toks[k] in _QUALIFIER:
        k -= 1
    if k < 0 or toks[k] not in _RANGE_LEAD or j + 1 >= len(toks) or toks[j] not in _RANGE_GLUE:
        return None
    second = _parse_number(toks, j + 1)
    if second is None or second[2]:
        return None
    return j + 1, second


_PASSIVE = {"fueron", "han", "habian", "sido", "ya", "luego", "despues", "quedaron", "were", "have",
            "been", "later", "then"}


def _colon_predicate(toks: Sequence[str], k: int) -> str | None:
    """After the count at toks[k], a clause after a colon that is only a predicate with no
    subject or number of its own ("...: fueron excarcelados con medidas cautelares")."""
    if ":" not in toks[k + 1:]:
        return None
    m = len(toks) - toks[::-1].index(":")
    if any(t[0].isdigit() or t in _NUMBER_WORDS for t in toks[m:]):
        return None
    start = m
    while m < len(toks) and toks[m] in _PASSIVE:
        m += 1
    if m == start or m >= len(toks):
        return None  # a bare participle could open a new headline ("...: excarcelan a X")
    event = _AFTER_EVENT.get(toks[m])
    return event if event in ("released", "arrested", "dead") else None


def _glued(sent: _Sentence, i: int) -> bool:
    """Digits glued to letters are a code, not a count: "el 1Ene", "tras el 28J", "3er"."""
    toks = sent.tokens
    return (i + 1 < len(toks) and toks[i][0].isdigit() and toks[i + 1][0].isalpha()
            and toks[i + 1] != "mil" and sent.spans[i][1] == sent.spans[i + 1][0])


_PARTITIVE = {"de", "of"}
_ARTICLES = {"las", "los", "the"}


def _partitive_whole(toks: Sequence[str], j: int) -> int | None:
    """Index after M in "N de las M ..." / "N of the M ...", else None."""
    k = j
    if k < len(toks) and toks[k] in _PARTITIVE:
        k += 1
        if k < len(toks) and toks[k] in _ARTICLES:
            k += 1
        parsed = _parse_number(toks, k) if k < len(toks) else None
        if parsed is not None and (k > j + 1 or _find_unit(toks, parsed[1]) is not None):
            return parsed[1]  # "61 de las 87", "19 of 62 detainees"
    return None


def _is_partitive_whole(toks: Sequence[str], i: int) -> bool:
    """toks[i] is M in "N de los M" / "N of the M"."""
    k = i - 1
    if k >= 0 and toks[k] in _ARTICLES:
        k -= 1
    if k < 1 or toks[k] not in _PARTITIVE:
        return False
    if k == i - 1:  # "19 of 62 detainees": no article, the whole has its own noun
        parsed = _parse_number(toks, i)
        if parsed is None or _find_unit(toks, parsed[1]) is None:
            return False
    w = toks[k - 1]
    return w[0].isdigit() or w in _NUMBER_WORDS or w in _ONE


def _is_bare_partitive_whole(toks: Sequence[str], i: int) -> bool:
    """toks[i] is M in "N <noun> de las M" / "N <noun> of the M" with no noun of its own
    ("41 excarcelaciones de las 116 anunciadas"): the whole takes the part's noun."""
    k = i - 1
    if k < 0 or toks[k] not in _ARTICLES:
        return False
    k -= 1
    if k < 1 or toks[k] not in _PARTITIVE or _find_unit(toks, i + 1 + (toks[i + 1:i + 2] == ["mil"])) is not None:
        return False
    for m in range(k - 1, max(-1, k - 5), -1):
        w = toks[m]
        if w[0].isdigit() or w in _NUMBER_WORDS:
            parsed = _parse_number(toks, m)
            return parsed is not None and _find_unit(toks, parsed[1]) == k - 1
        if not (w in _PEOPLE or w in EVENT_NOUN or w in _MODIFIERS):
            return False
    return False


def _classify(toks: Sequence[str], i: int, j: int, singular: bool,
              prev: tuple[str, int] | None = None) -> str | None:
    """Event of the number toks[i:j], or 'inherit' (same as the count before), or None."""
    unit = _find_unit(toks, j)
    whole = _partitive_whole(toks, j)
    from_whole = unit is None and whole is not None
    if from_whole:
        unit = _find_unit(toks, whole)  # "61 de las 87 excarcelaciones": 61 excarcelaciones
    if (not singular and j + 1 < len(toks) and (toks[j], toks[j + 1]) in _SUBSET_AFTER
            and _parse_number(toks, j + 2 if j + 2 < len(toks) else j) is None):
        # "170 of them military", "fifteen of them were still being held": a subset of the
        # count before, unless its own predicate says otherwise
        return _after_event(toks, j + 2, noun=False) or "inherit"
    if unit is None and not singular and whole is None:
        group = _partitive_group(toks, j)
        if group is not None:
            # "two of the defendants are in US custody", "siete de los repatriados fueron
            # detenidos", "three from the group remain": the predicate after the group
            if group + 1 < len(toks) and toks[group] in _DETAINEE and toks[group + 1] in _COPULA:
                return "detainees"  # "884 presos políticos ...; 89 de los detenidos son mujeres"
            event = _after_event(toks, group, window=8, noun=False)
            if event is not None:
                return event
            # "arrestan ... a dos de sus escoltas": the group's noun is the number's
            unit = _find_unit(toks, group)
        if (j < len(toks) and toks[j] in _COPULA and toks[:1] in (["of"], ["de"])
                and toks[1:2] and toks[1] in _GROUP_DET and i > 2):
            own = _after_event(toks, 2, window=4, noun=False)
            if own is not None:
                return own  # "Of those still held, 171 are military"
        if (j < len(toks) and toks[j] in _COPULA and _prev_is_whole(toks, i, prev)
                and _after_event(toks, j, window=4, noun=False) is None):
            return "inherit"  # "de 884 presos políticos, 86 son extranjeros": a subset
        if (prev is not None and toks[:1] in (["de"], ["del"], ["of"])
                and (toks[1:2] in (["los"], ["las"], ["the"]) or toks[1:3] == ["total", "de"])
                and prev[1] <= 3 and _after_event(toks, j, window=4, noun=False) is None):
            return "inherit"  # "De los 87 excarcelados aquel día, 64 deben presentarse"
    if (unit is None and not singular and j + 1 < len(toks) and toks[j] in _VERSUS
            and _parse_number(toks, j + 1) is not None):
        # "1.050 vs. 884 presos políticos": two figures of the same tally
        other = _parse_number(toks, j + 1)
        return _classify(toks, j + 1, other[1], other[2], prev) if other else None
    if unit is None and not singular:
        if j < len(toks) and (toks[j] in _NOT_PEOPLE or (
                toks[j] in _MODIFIERS | _MORE and toks[j + 1:j + 2] and toks[j + 1] in _NOT_PEOPLE)):
            return None  # "the releases came in four rounds", "two new strikes killed eight"
        change = _change_unit(toks, i)
        if change == -2:
            return "inherit"  # "de 800 a 953": the second figure of the same tally
        if change is not None:
            noun = toks[change]
            if any(t.startswith(_DEAD_WORDS) for t in toks[change + 1:change + 4]):
                return "dead"  # "la cifra de presos políticos fallecidos ... asciende a 18"
            if noun in _DETAINEE and _after_event(toks, change, window=2) == "held":
                return "held"  # "el número de personas detenidas por razones políticas pasó de 800"
            return EVENT_NOUN.get(noun) or ("arrested" if noun in _DETAINEE else "held")
        if (whole is None and (_is_partitive_whole(toks, i) or _is_bare_partitive_whole(toks, i))
                and prev is not None and _own_noun_event(toks, prev[1])):
            return prev[0]  # "41 excarcelaciones de las 116 anunciadas"
        unit = _tally_unit(toks, i, j)
        if unit == -1:
            return "dead"
        if unit is not None:
            noun = toks[unit]
            event = EVENT_NOUN.get(noun) or _after_event(toks, unit + 1)
            if event is None and noun in _DETAINEE:
                event = "arrested"
            return event or ("held" if noun in _PRISONER else None)
    if unit is None:
        if singular:
            # "one dies in custody": a bare "one" is a count only for a death
            return "dead" if j < len(toks) and toks[j].startswith(_DEAD_VERB) else None
        before = _before_event(toks, i, window=3)
        if before == "demanded" or _before_event(toks, i, window=6) == "demanded":
            return "held"  # "pide liberar a los más de 700 restantes"
        if _gapped(toks, i, j, prev):
            return prev[0]
        if i > 1 and toks[i - 1] in _HELD_STATE and toks[i - 2] in _REMAIN_VERB | {"continuan"}:
            return "held"  # "permanecen presos 40": the subject after its predicate
        rest = j + (j < len(toks) and toks[j] in _REMAINING)
        other = i > 1 and toks[i - 1] in ("otros", "otras", "other") and toks[i - 2] in _ARTICLES
        if (other or (i > 0 and toks[i - 1] in _REMAINING) or rest > j) and (
                rest == len(toks) or toks[rest] in _REMAINING_NEXT):
            # "los 7 restantes serán presentados", "the remaining 12": those not released
            event = _after_event(toks, rest, noun=False)
            return event if event in ("released", "dead") else "held"
        if (j < len(toks) and toks[j] == "more" and toks[j + 1:j + 2] != ["than"]
                and any(w in _HOLDS for w in toks[max(0, i - 3):i])):
            return "held"  # "frees two Americans and still holds five more"
        event = _after_event(toks, j, window=3, noun=False)
        if event is not None:
            return event
        if j < len(toks) and toks[j] in ("que", "who", "whom", "that"):
            # "de los 1.369 que el gobierno dijo haber liberado", "the 300 that Maduro promised"
            event = _after_event(toks, j + 1, window=6, noun=False)
            if event is not None:
                return event
            if prev is not None and any(w.startswith(_ANNOUNCED + _PROMISE) for w in toks[j + 1:j + 5]):
                return "inherit"
        if (prev is not None and j < len(toks) and toks[j].startswith(_ANNOUNCED)
                and i > 0 and toks[i - 1] in _ARTICLES):
            return "inherit"  # "not the 110 announced by officials": the same event
        if _claimed_figure(toks, i, j):
            return "inherit"  # "210 verificadas; el Gobierno habla de 400": the same event
        if (_running_total(toks, i) or toks[j:j + 2] in (["el", "total"], ["the", "total"])) and not any(
                w in _NOT_PEOPLE for w in toks[j:j + 3]):
            return "total"  # "another 24 freed, bringing the total to 169"; "eleva a 522 el total"
        return before if before in ("dead", "released", "arrested", "inherit") else None
    noun = toks[unit]
    among = _among_held(toks, unit + 1)
    if among is not None:
        return among
    if _is_partitive_whole(toks, i):
        # "excarcelan a tres de los once detenidos": the verb is about the part; the whole
        # is described by its own noun or predicate
        if prev is not None and any(w.startswith(_ANNOUNCED) for w in toks[unit + 1:unit + 3]):
            return prev[0]  # "release of 72 of the 99 prisoners announced": 99 announced freed
        if unit + 1 < len(toks) and toks[unit + 1] in _ADJECTIVAL and noun not in EVENT_NOUN:
            # "three of the five Colombians held in Venezuela freed": "freed" is the part's
            w = toks[unit + 1]
            return "held" if w in _AFTER_HELD or w in _AFTER_HELD_NOUN else _AFTER_EVENT.get(w)
        if noun in _DETAINEE:
            return "arrested"  # "siete de los 19 detenidos en Barinas fueron liberados": 19 arrested
        event = EVENT_NOUN.get(noun) or _after_event(toks, unit + 1)
        return event or ("held" if noun in _PRISONER else None)
    if singular and noun not in _SINGULAR_PERSON:
        return None
    if not singular and noun in _SINGULAR_PERSON and noun not in _PEOPLE:
        return None
    before = _before_event(toks, i)
    if before == "demanded":
        return "held"
    if _in_exchange(toks, i):
        return "released"  # "10 Americans freed in exchange for 252 Venezuelans held in El Salvador"
    if before is None and any(w.startswith(("elimin", "abat")) for w in toks[max(0, i - 3):i]):
        before = "dead"  # "Hemos eliminado a 21 narcoterroristas": people eliminated are killed
    after = _after_event(toks, unit + 1)
    if after is None and (noun in _DETAINEE or noun in _PRISONER):
        # "más de 1.500 detenidos por las protestas poselectorales han recibido medidas de
        # libertad": a release further on
        far = _after_event(toks, unit + 1, window=11)
        after = far if far == "released" else None
    if noun in ("casos", "cases"):
        return before if before in ("dead", "released", "arrested", "inherit") else None
    if (after == "released" and any(w in ("sean", "be", "salgan") for w in toks[unit + 1:unit + 4])
            and any(w.startswith(_DEMAND) for w in toks[max(0, i - 6):i])):
        after = "held"  # "piden que los 12 presos sean liberados", "demand 5 Americans be freed"
    event = EVENT_NOUN.get(noun)
    if from_whole and after is not None and after != event and before is None:
        return after  # "14 de los 87 excarcelados han vuelto a ser detenidos": the part's predicate
    if (noun in _DETAINEE or noun in _PRISONER) and any(t in _FORMER for t in toks[j:unit]):
        return before if before in ("released", "arrested", "dead") else None  # "23 former detainees"
    if (before == "inherit" and after is not None and toks[unit + 1:unit + 2] != []
            and toks[unit + 1] not in _ADJECTIVAL and not _subset_before(toks, i)):
        before = None  # "DHS confirma que 53 migrantes permanecen detenidos": its own predicate
    if event is None and before in ("released", "arrested", "dead", "inherit"):
        event = before
    if (event is None and prev is not None and prev[0] == "released" and unit + 1 < len(toks)
            and toks[unit + 1] in _HELD_STATE and any(t in ("y", "and") for t in toks[prev[1]:i])
            and not _own_noun_event(toks, prev[1])):
        return prev[0]  # "frees 10 Colombians and 2 Spaniards held on conspiracy charges"
    if event == "inherit" and after is not None:
        event = "inherit:" + after  # "HRW documented 12 adolescents detained ...": no count before
    event = event or after or before
    if event is None and not singular and noun in _GENERIC_PEOPLE:
        # "el número de muertes ... asciende a 80 personas": the tally noun names the event
        tally = _tally_unit(toks, i, j)
        if tally == -1 or (tally is not None and toks[tally] in EVENT_NOUN):
            event = "dead" if tally == -1 else EVENT_NOUN[toks[tally]]
    if noun in _SURVIVORS:
        # "kills three and leaves two survivors": not dead; "detain two survivors": in custody;
        # "a second strike that killed two survivors": dead
        if before == "dead":
            return "dead"
        return "held" if event in ("arrested", "held") else None
    if event == "arrested" and "wrongfully" in toks[unit + 1:unit + 3]:
        event = "held"  # "9 Americans 'wrongfully detained'": a status, not an arrest
    if singular:
        if event == "dead" or (event is None and any(w.startswith(_DEAD_VERB) for w in toks)):
            return "dead"
        if event == "held" and noun in _SURVIVOR:
            return "held"  # "one survivor remains in US custody"
        # "Excarcelan a X y a un ciudadano ucraniano", "un activista detenido en ...": "un" is
        # written as a number of people released or arrested (not "un hombre que fue excarcelado")
        m = unit + 1
        while m < len(toks) and m < unit + 3 and toks[m] in _SINGULAR_ADJ:
            m += 1
        if m < len(toks) and toks[m] in _SINGULAR_PARTICIPLE:
            return _SINGULAR_PARTICIPLE[toks[m]]
        if before in ("released", "arrested") and i > 0 and toks[i - 1] in ("a", "al"):
            return before
        return None
    if event is not None:
        return event
    politico = any(t in ("politicos", "politicas", "political", "politica") for t in toks[j:unit + 2])
    if noun in _PRISONER and politico and (
        any(t in _TALLY for t in toks) or (i > 0 and toks[i - 1] in _QUALIFIER | _ARTICLES | _VERSUS)
        or (i > 1 and toks[i - 2] in _QUALIFIER) or _headline_tally(toks, i)
        or _whole_of_subset(toks, unit + 1)
        or (i > 1 and toks[i - 1] in ("en", "at") and toks[i - 2] in _PUTS)  # "cifró en 777 los presos"
    ):
        return "held"  # "más de 800 presos políticos", "los 800 presos políticos"
    if (noun in _DETAINEE or noun in _PEOPLE) and _relatives_of(toks, i) and (
            noun in _DETAINEE or noun in _PRISONER
            or any(t in _HELD_STATE for t in toks[unit + 1:unit + 3])):
        return "held"  # "familiares de 60 detenidos", "relatives of the 30 activists detained there"
    if noun in _DETAINEE and i > 0 and toks[i - 1].startswith(_COUNT_VERBS):
        # "Foro Penal cuenta 937 detenidos" (a stock), "reporta 120 detenidos en 48 horas" (arrests)
        return "held" if toks[i - 1].startswith(("cuent", "count", "contabiliz")) else "arrested"
    if (noun in _DETAINEE and prev is None and ":" in toks[:i]
            and (toks[i - 1] in _QUALIFIER or (i > 1 and toks[i - 2] in _QUALIFIER))):
        return "arrested"  # 'Provea: "al menos 1.500 detenidos"': a quoted tally of arrests
    coordinated = prev is not None and (any(t in ("y", "and") for t in toks[prev[1]:i])
                                        or _listed_after(toks, prev[1], i))
    if noun in _DETAINEE and (coordinated and _own_noun_event(toks, prev[1])
                              or any(t.startswith(_PROTEST) for t in toks)):
        return "arrested"  # "25 muertos y 2.400 detenidos": the second noun is its own
    if coordinated and not _own_noun_event(toks, prev[1]):
        return prev[0]  # "excarcelan a 9 militares y a 4 civiles": the verb's objects
    if noun in _DETAINEE and (
            unit + 2 < len(toks) and toks[unit + 1] in ("y", "and") and _own_noun_event(toks, unit + 2)
            or any(t in ("de", "of") for t in toks[j:unit])):
        if any(t in ("de", "of") for t in toks[j:unit]) and toks[unit + 1:unit + 2] and (
                toks[unit + 1] in _COPULA):
            return "detainees"  # "884 presos políticos ... 89 de los detenidos son mujeres"
        return "arrested"  # "2.000 detenidos y 24 muertos", "220 de los detenidos eran adolescentes"
    if prev is not None and ":" in toks[:i]:
        return prev[0]  # "excarcelan a 16 presos: 10 colombianos, 4 venezolanos": a breakdown
    for w in toks[j:unit]:  # "relatives of 12 detained activists"
        if w in _PRENOMINAL:
            return _PRENOMINAL[w]
    return None


_GROUP_DET = {"the", "those", "these", "los", "las", "esos", "esas", "estos", "estas", "aquellos",
              "aquellas", "its", "their", "sus", "our", "nuestros", "his", "her", "su"}
_COPULA = {"son", "eran", "are", "were", "fueron", "estan", "estaban"}


def _partitive_group(toks: Sequence[str], j: int) -> int | None:
    """Index of the group after a bare number in "N of the <group>", "N de los <group>",
    "N from the <group>" (not "N of the M": a whole with a number), else None."""
    if j + 1 >= len(toks) or toks[j] not in ("of", "de", "from") or toks[j + 1] not in _GROUP_DET:
        return None
    if j + 2 < len(toks) and _parse_number(toks, j + 2) is not None:
        return None
    return j + 2


def _prev_is_whole(toks: Sequence[str], i: int, prev: tuple[str, int] | None) -> bool:
    """The bare number before a copula is a part of the whole announced earlier in the
    sentence ("de 884 presos políticos, 86 son ...", "De los detenidos ..., 114 son ...") or
    just before it ("Foro Penal contabiliza 884 presos políticos; 170 son militares")."""
    if prev is not None or i == 0:
        return True
    return len(toks) > 2 and toks[0] in ("de", "of") and toks[1] in _GROUP_DET and i > 2


_EXCHANGE = (("a", "cambio", "de"), ("in", "exchange", "for"), ("swap", "for"), ("exchange", "for"),
             ("canje", "por"), ("trade", "for"), ("traded", "for"), ("canjeados", "por"))


def _in_exchange(toks: Sequence[str], i: int) -> bool:
    """The number follows "in exchange for" / "a cambio de": people handed over in a swap."""
    k = i
    while k > 0 and (toks[k - 1] in _QUALIFIER or toks[k - 1] in _ARTICLES):
        k -= 1
    return any(tuple(toks[k - len(p):k]) == p for p in _EXCHANGE)


_RELATIVES = {"familiares", "relatives", "families", "madres", "mothers", "parientes", "familias",
              "casos", "cases", "abogados", "lawyers"}


def _relatives_of(toks: Sequence[str], i: int) -> bool:
    """The number follows "familiares de" / "relatives of (the)" / "los casos de"."""
    k = i - 1
    if k >= 0 and toks[k] in _ARTICLES:
        k -= 1
    return k >= 1 and toks[k] in ("de", "of") and toks[k - 1] in _RELATIVES


_HUNGER = re.compile(r"huelga de hambre|hunger strik|refus\w* food|se niegan a comer|stopped eating")
_EVENT_STEM = re.compile(
    r"\b(?:(excarcel|liber|releas|freed|frees)|(arrest|detien|detuv|detain|captur|apres)"
    r"|(kill|muer|murio|died|dies|fallec))")


def _mentioned_event(text: str) -> str | None:
    """The last release/arrest/death word of a sentence with no figure in it."""
    last = None
    for m in _EVENT_STEM.finditer(text):
        last = m
    if last is None:
        return None
    return ("released", "arrested", "dead")[next(n for n in range(3) if last.group(n + 1))]


_COUNT_VERBS = ("count", "cuent", "contabiliz", "registr", "report", "tall")


def _counted_prisoners(toks: Sequence[str], i: int, j: int, earlier: Sequence[str]) -> bool:
    """A bare figure after a counting verb in an item that speaks of political prisoners."""
    k = i - 1
    while k > 0 and toks[k] in _QUALIFIER:
        k -= 1
    if i == 0 or not toks[k].startswith(_COUNT_VERBS) or _find_unit(toks, j) is not None:
        return False
    return any(_PRISONERS_TEXT.search(text) for text in earlier)


_PRISONERS_TEXT = re.compile(r"presos politicos|political prisoners|presas politicas")


def _verified_figure(toks: Sequence[str], i: int, j: int) -> bool:
    """A bare figure right after a verifying verb ("Foro Penal ha verificado 18")."""
    if i == 0 or _find_unit(toks, j) is not None:
        return False
    k = i - 1
    while k > 0 and toks[k] in ("first", "primeros", "primeras", "las", "los", "the"):
        k -= 1  # "Foro Penal confirms first 11"
    w = toks[k]
    return w in ("solo", "only", "just") or w.startswith(_VERIFY)


def _event_between(toks: Sequence[str], start: int, i: int) -> str | None:
    """An arrest/release/death noun between the last count and a subset ("25 deaths during
    protests and the arbitrary detention of hundreds of people, including 220 adolescents")."""
    for k in range(i - 1, start, -1):
        if toks[k] in _EVENT_WORD:
            return _EVENT_WORD[toks[k]]
    return None


_EVENT_WORD = {
    **dict.fromkeys(["detention", "detencion", "detenciones", "arrests", "arresto", "arrestos"],
                    "arrested"),
    **dict.fromkeys(["releases", "liberacion", "excarcelacion", "excarcelaciones"], "released"),
    **dict.fromkeys(["deaths", "muertes"], "dead"),
}


def _sentence_event(toks: Sequence[str], i: int) -> str | None:
    """The release, arrest or death a sentence speaks of before toks[i], for a figure that
    inherits with no count before it ("anuncia la liberación de 'un número importante' de
    presos; Foro Penal ha verificado 18")."""
    for k in range(i - 1, -1, -1):
        w = toks[k]
        for ev, prefixes in _BEFORE_PREFIX:
            if ev != "held" and w.startswith(prefixes) and w not in _PEOPLE:
                return ev
    return None


def _headline_tally(toks: Sequence[str], i: int) -> bool:
    """The number is the whole a statement opens with: "Foro Penal: de 884 presos políticos,
    86 son extranjeros" (not "Rights group: 17 political prisoners on hunger strike")."""
    if i > 0 and toks[i - 1] == ":" and _dated(toks, i):
        return True  # "Foro Penal: 806 presos políticos al 12/01/2026"
    if i == 0 or toks[i - 1] not in ("de", "of"):
        return False
    return i == 1 or toks[i - 2] == ":"


def _dated(toks: Sequence[str], i: int) -> bool:
    """A tally 'as of' a date: "806 presos políticos al 12/01/2026", "884 as of January 5"."""
    rest = toks[i + 1:i + 9]
    for a, b in zip(rest, rest[1:], strict=False):
        if (a in ("al", "hasta") and b[:1].isdigit()) or (a, b) in (("as", "of"), ("al", "cierre")) or (
                a == "al" and b in _MONTHS):
            return True
    return False


def _whole_of_subset(toks: Sequence[str], k: int) -> bool:
    """A subset follows the noun phrase: "921 political prisoners, of whom 176 are soldiers"."""
    for m in range(k, min(len(toks), k + 3)):
        if (toks[m], toks[m + 1] if m + 1 < len(toks) else "") in _SUBSET:
            return True
    return False


def _listed_after(toks: Sequence[str], k: int, i: int) -> bool:
    """The number at i follows the noun phrase of the number at k directly, as in a list
    ("including 5 Colombians, 3 Ukrainians and 2 Americans")."""
    parsed = _parse_number(toks, k)
    if parsed is None or parsed[1] >= i:
        return False
    return all(t in _PEOPLE or t in _MODIFIERS or t in EVENT_NOUN or t == "," for t in toks[parsed[1]:i])


def _gapped(toks: Sequence[str], i: int, j: int, prev: tuple[str, int] | None) -> bool:
    """A bare number in a list whose noun is left out after the first item ("ocho
    excarcelaciones en Zulia, tres en Táchira y dos en Lara")."""
    if prev is None or i - prev[1] > 9:
        return False
    between = toks[prev[1] + 1:i]
    if j < len(toks) and toks[j] in ("en", "in"):
        return toks[j] in between or ":" in between
    # "Foro Penal verificó 146 y Clippve 152": a second source's figure closing the clause
    return (i - prev[1] <= 4 and any(t in ("y", "and") for t in between)
            and (j == len(toks) or toks[j] in (",", "y", "and")))


_REMAINING = {"remaining", "restantes"}
_MORE = {"new", "nuevos", "nuevas", "more", "mas"}
_HELD_STATE = {"presos", "presas", "detenidos", "detenidas", "recluidos", "recluidas", "detained",
               "jailed", "imprisoned", "held", "encarcelados", "encarceladas"}
_VERSUS = {"vs", "versus"}
# what may follow "the remaining N" when N are people ("the remaining 12 songs" are not)
_REMAINING_NEXT = {"seran", "son", "fueron", "siguen", "permanecen", "quedan", "estan", "continuan",
                   "were", "are", "will", "would", "remain", "remained", "still", "continue", "have",
                   "han", "en", "in", "at", "se", "pasaron", "pasan", "quedaron", "had"}
_KEEP = {"tiene", "tienen", "tenia", "tenian", "mantiene", "mantienen", "mantenia", "mantenian"}
_HOLDS = {"holds", "hold", "holding", "retiene", "retienen", "mantiene", "mantienen"}
_PROTEST = ("protest", "manifest", "marcha", "march", "concentracion", "rally", "vigil")
_SURVIVOR = {"survivor", "sobreviviente", "superviviente"}
_SURVIVORS = _SURVIVOR | {"survivors", "sobrevivientes", "supervivientes"}
_RUNNING = {"van", "suman", "totalizan", "totaliza", "sumando", "total", "totaling", "totalling"}


# "el Gobierno habla de 400", "the government claims 400": a rival figure for the count before
_CLAIM_OF = {"habla", "hablan", "hablo", "hablaba", "hablado", "talked", "talks", "talk", "speaks", "speak", "spoke"}
_PUTS = {"puts", "put", "putting", "places", "placed", "sets", "set", "pegs", "pegged", "situa",
         "situan", "situo", "ubica", "ubican", "ubico", "cifra", "cifran", "cifro", "estima",
         "estiman", "estimates", "estimated"}
# "Foro Penal registra 1.580", "the group has documented 51": a rival figure for the same event
_RECORDS = ("registr", "contabiliz", "document", "recorded", "records", "tallied", "counted", "count",
            "reportaba", "reporto", "reported")
_ANNOUNCED = ("anunciad", "announced", "prometid", "promised")
_PROMISE = ("prometi", "promet", "anunci", "dijo", "said", "claim", "asegur")
_CLAIM = {"says", "dice", "afirma", "asegura", "claims", "claimed", "claim", "cita", "citan", "cito", "cifra", "cifran", "cifro"}


_AFTER_CLAIM = {",", "y", "and", "pero", "but", "antes", "before", "en", "in", "desde", "since", "hasta",
                "until", "durante", "during", "tras", "after", "este", "esta", "this", "last"}
_WAS = {"eran", "era", "were", "was", "habia", "fueron", "sumaban", "totalled", "totaled"}
_VERSUS_PAIR = {("frente", "a"), ("compared", "to"), ("compared", "with"), ("contra", "los"),
                ("against", "the"), ("up", "from"), ("down", "from")}


def _claimed_figure(toks: Sequence[str], i: int, j: int) -> bool:
    """A bare number that is the object of a verb of claiming, with nothing after it but a
    clause end or an adverbial ("había contabilizado 1.003 antes de las liberaciones")."""
    while i > 1 and toks[i - 1] in _QUALIFIER:
        i -= 1  # "puts the figure at about 180"
    if j < len(toks) and toks[j] not in _AFTER_CLAIM:
        return False
    if i > 0 and toks[i - 1] in _WAS and (j == len(toks) or toks[j] in (",", "segun", "according")):
        return True  # "la semana pasada eran 83", "in January there were 263": an earlier figure
    if i > 1 and (toks[i - 2], toks[i - 1]) in _VERSUS_PAIR:
        return True  # "60 nuevos arrestos en noviembre, frente a 35 en octubre"
    if i > 1 and toks[i - 1] in ("de", "of") and toks[i - 2] in _CLAIM_OF:
        return True
    if i > 1 and toks[i - 1] in ("at", "en") and any(
            w in _PUTS for w in toks[max(0, i - 5):i - 1]):
        return True  # "government puts the figure at 12", "el Gobierno la sitúa en 12"
    return i > 0 and (toks[i - 1] in _CLAIM or toks[i - 1].startswith(_RECORDS))


def _running_total(toks: Sequence[str], i: int) -> bool:
    """A running total right before a bare number ("bringing the total to 169", "suman 145"):
    the total of the count before."""
    low = max(-1, i - 4)
    for k in range(i - 1, -1, -1):
        if k <= low:
            break
        w = toks[k]
        if w[0].isdigit() and _is_date_part(toks, k):
            low = max(-1, low - 3)  # "taking total since Jan. 8 to 456"
            continue
        if w[0].isdigit() or w in _NUMBER_WORDS:
            return False
        if w in _RUNNING:
            return True
    return False


def _among_held(toks: Sequence[str], k: int) -> str | None:
    """"89 women among the detainees", "12 menores entre los detenidos": a subset of the item's
    tally of prisoners/detainees ("inherit:<fallback>": the count before, else by the noun)."""
    if k >= len(toks) or toks[k] not in ("among", "entre"):
        return None
    m = k + 1 + (k + 1 < len(toks) and toks[k + 1] in _ARTICLES)
    while m < len(toks) and toks[m] in _QUALIFIER | {"than", "de"}:
        m += 1  # "among more than 2,000 people arrested"
    whole = _parse_number(toks, m) if m < len(toks) else None
    if whole is not None and (unit := _find_unit(toks, whole[1])) is not None:
        # "three Colombians among 19 foreigners released": the part shares the whole's event
        return EVENT_NOUN.get(toks[unit]) or _after_event(toks, unit + 1)
    if toks[k + 1:k + 2] in (["them"], ["ellos"], ["ellas"]) and k + 2 == len(toks):
        return "inherit"  # "5 Colombians among them": a subset of the count before
    k += 1
    if k < len(toks) and toks[k] in _ARTICLES:
        k += 1
    if k < len(toks) and toks[k] in _PRISONER | {"reclusos", "reclusas", "inmates"}:
        return "inherit:held"
    if k < len(toks) and toks[k] in _DETAINEE | {"arrestados", "arrestadas", "arrested"}:
        return "inherit:arrested"
    return None


def _change_unit(toks: Sequence[str], i: int) -> int | None:
    """A changing tally: "los presos políticos pasaron de 800 a 953", "Americans jailed rise to
    11", "has risen from seven to 11". The index of the tallied noun for the first figure, -2
    for the second one ("a 953", "to 11" after "from seven"), else None."""
    if i < 2 or toks[i - 1] not in ("de", "from", "a", "to"):
        return None
    if (toks[i - 1] in ("from", "de") and toks[i - 2][:1].isdigit() and i > 2
            and toks[i - 3] in ("to", "a") and any(t in _CHANGE for t in toks[max(0, i - 6):i - 3])):
        return -2  # "count fell to 687 from 863": the earlier figure of the same tally
    if toks[i - 1] in ("a", "to"):
        k = i - 2
        while k >= 0 and (toks[k][0].isdigit() or toks[k] in _NUMBER_WORDS):
            k -= 1
        if k < i - 2:
            if k >= 0 and toks[k] in ("de", "from") and any(t in _CHANGE for t in toks[max(0, k - 3):k]):
                return -2
            return None
    if not (any(t in _CHANGE for t in toks[max(0, i - 4):i - 1])
            or toks[i - 2:i] in (["down", "from"], ["up", "from"])):  # "863 prisoners, down from 1,003"
        return None
    for k in range(i - 2, max(-1, i - 12), -1):
        w = toks[k]
        if (w[0].isdigit() and not _is_date_part(toks, k)) or w in _NUMBER_WORDS:
            return None
        if w in _PEOPLE or w in EVENT_NOUN or w in _PRISONER or w in _DETAINEE:
            return k
    return None


_PRENOMINAL = {"detained": "arrested", "arrested": "arrested", "jailed": "held", "imprisoned": "held"}


def _own_noun_event(toks: Sequence[str], i: int) -> bool:
    """The count at toks[i] took its event from its own noun ("25 muertos")."""
    parsed = _parse_number(toks, i)
    unit = _find_unit(toks, parsed[1]) if parsed else None
    return unit is not None and toks[unit] in EVENT_NOUN


_CUSTODY = {"custody", "custodia", "prison", "prision", "carcel", "jail", "detention", "detencion",
            "cell", "celda", "calabozo", "calabozos", "penal",
            # "el dirigente sindical detenido hace ocho meses": described as held
            "detenido", "detenida", "detained", "jailed", "imprisoned", "encarcelado", "encarcelada",
            "recluido", "recluida", "preso", "presa"}
