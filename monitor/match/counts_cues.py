"""Word tables of the counts extractor (folded): cue words of phrasing rules."""

from __future__ import annotations

GENERIC_PEOPLE = {"personas", "people", "persons", "individuos", "individuals"}


LEAVES = {"deja", "dejo", "left", "leaves"}


ONLY = {"solo", "only", "just", "apenas", "unicamente"}


DEMAND_GLUE = {"a", "al", "la", "el", "los", "las", "de", "del", "por", "para", "que", "se", "the",
                "for", "to", "of", "immediate", "inmediata", "urgent", "pronta", "su", "sus", "their",
                "his", "her", "full", "plena"}


MEMBER = {"forman", "forma", "formaban", "figuran", "figura", "figuraban", "integran", "integra",
           "estan", "son", "are", "were"}


PRISONS = {"tocuyito", "tocoron", "rodeo", "helicoide", "yare", "ramo", "zona", "boleita", "inof",
            "tumba", "uribana", "cecot"}


_KIN = {"madre", "padre", "hijo", "hija", "esposa", "esposo", "hermano", "hermana", "familiar",
        "mother", "father", "son", "daughter", "wife", "husband", "brother", "sister", "abuela",
        "grandmother"}


FORMER = {"former", "ex", "antiguos", "antiguas"}


NEGATION = {"not", "no", "never", "nunca", "ni"}


DURATION_LEAD = {"tras", "despues", "after", "hace", "durante", "for", "por", "luego", "de", "mas",
                  "than", "over"}


STATE_WORDS = {"currently", "actualmente", "still", "aun", "todavia", "estan", "siguen", "remain",
                "remains", "permanecen", "quedan"}


AUX = {"have", "has", "had", "been", "being", "are", "were", "is", "since", "already", "ya", "han",
        "ser", "be", "currently", "actualmente", "todavia", "aun",
        "habian", "habia", "sido", "siendo", "estan", "now", "ahora", "reportedly", "presuntamente"}


REMAIN_VERB = {"remain", "remains", "remained", "permanecen", "permanecieron", "siguen", "quedan"}


NOT_CUSTODY = {"aboard", "bordo", "board", "free", "libres", "silent", "calm", "missing",
                "desaparecidos", "hospitalized", "hospitalizados", "hidden", "escondidos", "abroad"}


PASSIVE = {"fueron", "han", "habian", "sido", "ya", "luego", "despues", "quedaron", "were", "have",
            "been", "later", "then"}


PARTITIVE = {"de", "of"}


ARTICLES = {"las", "los", "the"}


GROUP_DET = {"the", "those", "these", "los", "las", "esos", "esas", "estos", "estas", "aquellos",
              "aquellas", "its", "their", "sus", "our", "nuestros", "his", "her", "su"}


COPULA = {"son", "eran", "are", "were", "fueron", "estan", "estaban"}


EXCHANGE = (("a", "cambio", "de"), ("in", "exchange", "for"), ("swap", "for"), ("exchange", "for"),
             ("canje", "por"), ("trade", "for"), ("traded", "for"), ("canjeados", "por"))


RELATIVES = {"familiares", "relatives", "families", "madres", "mothers", "parientes", "familias",
              "casos", "cases", "abogados", "lawyers"}


COUNT_VERBS = ("count", "cuent", "contabiliz", "registr", "report", "tall")


REMAINING = {"remaining", "restantes"}


MORE = {"new", "nuevos", "nuevas", "more", "mas"}


HELD_STATE = {"presos", "presas", "detenidos", "detenidas", "recluidos", "recluidas", "detained",
               "jailed", "imprisoned", "held", "encarcelados", "encarceladas"}


VERSUS = {"vs", "versus"}


# what may follow "the remaining N" when N are people ("the remaining 12 songs" are not)
REMAINING_NEXT = {"seran", "son", "fueron", "siguen", "permanecen", "quedan", "estan", "continuan",
                   "were", "are", "will", "would", "remain", "remained", "still", "continue", "have",
                   "han", "en", "in", "at", "se", "pasaron", "pasan", "quedaron", "had"}


KEEP = {"tiene", "tienen", "tenia", "tenian", "mantiene", "mantienen", "mantenia", "mantenian"}


HOLDS = {"holds", "hold", "holding", "retiene", "retienen", "mantiene", "mantienen"}


PROTEST = ("protest", "manifest", "marcha", "march", "concentracion", "rally", "vigil")


SURVIVOR = {"survivor", "sobreviviente", "superviviente"}


SURVIVORS = SURVIVOR | {"survivors", "sobrevivientes", "supervivientes"}


RUNNING = {"van", "suman", "totalizan", "totaliza", "sumando", "total", "totaling", "totalling"}


# "el Gobierno habla de 400", "the government claims 400": a rival figure for the count before
CLAIM_OF = {"habla", "hablan", "hablo", "hablaba", "hablado", "talked", "talks", "talk", "speaks", "speak", "spoke"}


PUTS = {"puts", "put", "putting", "places", "placed", "sets", "set", "pegs", "pegged", "situa",
         "situan", "situo", "ubica", "ubican", "ubico", "cifra", "cifran", "cifro", "estima",
         "estiman", "estimates", "estimated"}


# "Foro Penal registra 1.580", "the group has documented 51": a rival figure for the same event
RECORDS = ("registr", "contabiliz", "document", "recorded", "records", "tallied", "counted", "count",
            "reportaba", "reporto", "reported")


ANNOUNCED = ("anunciad", "announced", "prometid", "promised")


PROMISE = ("prometi", "promet", "anunci", "dijo", "said", "claim", "asegur")


CLAIM = {"says", "dice", "afirma", "asegura", "claims", "claimed", "claim", "cita", "citan", "cito", "cifra", "cifran", "cifro"}


AFTER_CLAIM = {",", "y", "and", "pero", "but", "antes", "before", "en", "in", "desde", "since", "hasta",
                "until", "durante", "during", "tras", "after", "este", "esta", "this", "last"}


WAS = {"eran", "era", "were", "was", "habia", "fueron", "sumaban", "totalled", "totaled"}


VERSUS_PAIR = {("frente", "a"), ("compared", "to"), ("compared", "with"), ("contra", "los"),
                ("against", "the"), ("up", "from"), ("down", "from")}


PRENOMINAL = {"detained": "arrested", "arrested": "arrested", "jailed": "held", "imprisoned": "held"}


CUSTODY = {"custody", "custodia", "prison", "prision", "carcel", "jail", "detention", "detencion",
            "cell", "celda", "calabozo", "calabozos", "penal",
            # "el dirigente sindical detenido hace ocho meses": described as held
            "detenido", "detenida", "detained", "jailed", "imprisoned", "encarcelado", "encarcelada",
            "recluido", "recluida", "preso", "presa"}

