"""Word tables of the counts extractor (folded): number-adjacent nouns, people, events."""

from __future__ import annotations

_EVENT_NOUNS = {
    "dead": "muertos muertas muertes fallecidos fallecidas deaths dead fatalities killed asesinados "
            "asesinadas asesinatos bajas bodies cuerpos cadaveres",
    "arrested": "detenciones arrestos arrests capturas aprehensiones detentions arrestados arrestadas "
                "apresados apresadas capturados capturadas aprehendidos desapariciones disappearances",
    "released": "excarcelaciones excarcelados excarceladas liberaciones releases liberados liberadas "
                "excarcelacion salidas",
}


EVENT_NOUN = {w: ev for ev, ws in _EVENT_NOUNS.items() for w in ws.split()}


PRISONER = set(["presos", "presas", "preso", "presa", "prisoners", "prisoner", "prisioneros", "prisioneras"])


DETAINEE = set(["detenidos", "detenidas", "detenido", "detenida", "detainees", "detainee"])


PEOPLE = PRISONER | DETAINEE | set(
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
SINGULAR_PARTICIPLE = {
    **dict.fromkeys(["detenido", "detenida", "arrestado", "arrestada", "capturado", "capturada",
                     "apresado", "apresada", "aprehendido", "aprehendida", "arrested", "detained"],
                    "arrested"),
    **dict.fromkeys(["excarcelado", "excarcelada", "liberado", "liberada", "released", "freed"],
                    "released"),
}


# adjectives between "un <person>" and its participle ("un ciudadano ucraniano detenido")
SINGULAR_ADJ = {"politico", "politica", "venezolano", "venezolana", "extranjero", "extranjera",
                 "ucraniano", "ucraniana", "colombiano", "colombiana", "estadounidense", "espanol",
                 "espanola", "militar", "opositor", "opositora", "joven", "sindical", "estudiantil",
                 "venezuelan", "american", "political", "opposition"}


SINGULAR_PERSON = set(
    ["capitan", "coronel", "teniente", "sargento", "general", "captain", "colonel", "lieutenant",
     "sergeant", "comisario", "inspector"] + ["survivor", "sobreviviente", "superviviente", "preso", "presa", "prisoner", "detenido", "detenida", "detainee", "persona", "person", "activista", "activist", "periodista", "journalist", "dirigente", "lider", "leader", "opositor", "militar", "soldado", "soldier", "oficial", "officer", "sindicalista", "estudiante", "student", "hombre", "man", "mujer", "woman", "joven", "defensor", "defender", "reo", "inmate", "ciudadano", "citizen", "venezolano", "venezuelan"]
    + ["ciudadana", "extranjero", "extranjera", "estadounidense", "colombiano", "colombiana", "espanol",
       "espanola", "gendarme", "policia", "funcionario", "funcionaria", "adolescente", "abogado",
       "abogada", "concejal", "alcalde", "alcaldesa", "diputado", "diputada", "coordinador",
       "coordinadora", "sacerdote", "medico", "medica", "profesor", "profesora", "opositora",
       "activist", "journalist", "lawyer", "priest"]
)


MODIFIERS = set(
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


AFTER_HELD = set(["permanecen", "permanece", "siguen", "sigue", "continuan", "continua", "remain", "remains", "remained", "still", "rejas", "bars", "held", "custodia", "custody",
                   "quedan", "imprisoned", "estan", "estaban", "seguian", "llevan"])


# held only right after a people noun ("doce militares presos"), not after a bare number
# ("300 madres de presos")
AFTER_HELD_NOUN = {"presos", "presas", "prisoners", "prisioneros", "recluidos", "recluidas", "incomunicados", "incomunicadas",
                    "incommunicado",
                    # moved between prisons: still in custody ("85 detainees moved to Rodeo I"),
                    # but not ships or planes; a later predicate wins ("moved to house arrest")
                    "moved", "transferred", "trasladados", "trasladadas", "relocated"}


AFTER_EVENT = {
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
AFTER_PAIR = {("walk", "free"): "released", ("walked", "free"): "released", ("walked", "out"): "released",
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
DEMAND = ("exig", "pide", "piden", "pidi", "pedi", "pedid", "reclam", "solicit", "insta", "insto",
           "demand", "urge", "urgi", "calls", "call", "called", "calling", "ask", "seek", "sought",
           "press", "negoci", "negotiat", "llamado", "llama", "clamor", "abog", "push", "want",
           "campaign", "campana", "exhort", "presion", "must", "should", "debe", "deben",
           "condicion", "tied", "conditioned", "conditions")


# "de ellos 165 militares", "of whom 40 women": a subset of the count before
SUBSET = {("de", "ellos"), ("de", "ellas"), ("entre", "ellos"), ("entre", "ellas"), ("of", "them"),
           ("of", "whom"), ("los", "cuales"), ("las", "cuales"), ("among", "them"), ("among", "whom")}


# "entre ellos hay 170", "among them were four": a copula between the subset and the number
SUBSET_GLUE = {"hay", "habia", "figuran", "figuraban", "estan", "estaban", "se", "encuentran",
                "cuentan", "were", "are", "was", "is", "there"}


# "la cifra incluye 87", "the figure includes 100": a subset of the tally before
INCLUDES = {"incluye", "incluyen", "incluia", "incluyo", "comprende", "includes", "include",
             "included", "comprises"}


SUBSET_WORDS = {"including", "incluidos", "incluidas", "incluyendo", "among"}


# "170 of them military", "dos de ellas de periodistas": a subset named after the number
SUBSET_AFTER = {("of", "them"), ("de", "ellos"), ("de", "ellas"), ("of", "whom")}


# "pasaron de 800 a 953", "rises from 838 to 906", "rise to 11": a tally that changes
CHANGE = {"pasaron", "paso", "pasa", "pasan", "subio", "sube", "suben", "subieron", "aumento",
           "aumentaron", "aumenta", "aumentan", "bajo", "baja", "bajan", "bajaron", "cayo", "cae",
           "caen", "cayeron", "disminuyo", "disminuye", "ascendio", "ascienden", "asciende", "crecio",
           "rise", "rises", "rose", "risen", "rising", "fall", "falls", "fell", "fallen", "falling",
           "drop", "drops", "dropped", "climb", "climbs", "climbed", "increase", "increases",
           "increased", "decrease", "decreases", "decreased", "grew", "grown", "grows", "jump",
           "jumps", "jumped", "went", "goes"}


# counted things that are not people: "the releases came in four rounds", "four strikes"
NOT_PEOPLE = {"heridos", "heridas", "lesionados", "injured", "wounded", "bombardeos", "bombings", "entrevistas", "interviews", "testimonios", "testimonies",
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
TALLY_NOUN = {"numero", "cifra", "total", "number", "count", "tally", "figure", "toll", "lista",
               "list", "balance", "registro"}


# participles that, right after the people noun, describe them ("mujeres detenidas en el INOF
# recibieron medidas cautelares", "people detained after the election had died"): a later
# predicate of another event wins
ADJECTIVAL = {"detenidos", "detenidas", "detained", "arrested", "arrestados", "arrestadas", "apresados",
               "capturados", "capturadas", "jailed", "encarcelados", "encarceladas", "aprehendidos",
               "presos", "presas", "recluidos", "recluidas", "held", "imprisoned",
               "moved", "transferred", "trasladados", "trasladadas", "relocated",
               # "four activists freed in December re-arrested": a later predicate wins
               "freed", "excarcelados", "excarceladas"}


BEFORE_PREFIX = (
    ("released", ("excarcel", "liber", "releas", "solt")),
    ("arrested", ("arrest", "detien", "detuv", "detain", "captur", "apres", "encarcel", "jail",
                  "deten", "aprehend")),
    ("dead", ("mata", "mato", "kill", "asesin", "muere", "murio", "murie", "fallec", "died", "dies",
              "death", "muert")),
    ("held", ("contabiliz", "registr", "tally", "mantien", "traslad", "transferr", "visit")),
)


BEFORE_EXACT = {
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


INHERIT = set(["agrego", "agrega", "added", "adds", "confirma", "confirmo", "confirman", "confirmaron", "confirmar", "verifico", "verifica", "verificaron", "verificar", "verified", "verify", "confirm", "confirmed", "confirms", "verifies", "solo", "only", "of"])


VERIFY = ("verific", "confirm", "constat", "corrobor", "document")


# adverbs between a verb and its figure ("ha verificado hasta ahora 94", "has so far confirmed")
ADVERBS = {"hasta", "ahora", "el", "momento", "so", "far", "ya", "already", "solo", "only", "just",
            "apenas", "unicamente", "por", "now", "until", "at", "least", "al", "menos",
            "mas", "de", "more", "than", "about", "some", "unos", "unas", "alrededor", "around"}


TALLY = set(["cifra", "cifras", "total", "totaliza", "balance", "registro", "registra", "contabiliza", "tally", "count", "figure", "figures", "hay", "suman", "record", "highest", "alta", "lista", "list", "cuenta", "cuentan", "counts", "counted", "reports", "reported", "reporta", "reporto", "documenta", "documents", "registered", "registrado", "registraba", "concentran", "concentra", "cierra", "cerro", "closes", "closed", "ends", "ended", "termina", "termino"])


QUALIFIER = set(["mas", "more", "al", "least", "unos", "unas", "some", "about", "casi", "nearly", "over", "around", "alrededor", "aproximadamente", "approximately"])


DEAD_WORDS = ("fallec", "muert", "dead", "killed", "died")


DEAD_VERB = ("muere", "murio", "fallec", "died", "dies", "muerte", "death")

