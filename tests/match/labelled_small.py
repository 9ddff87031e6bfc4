"""A small labelled set written for the learned-model tests (made-up headlines from
templates; nothing from ../shared). Deterministic: the same items every time."""

from __future__ import annotations

import itertools

PLACES = ["El Helicoide", "Tocorón", "Rodeo I", "Yare", "Ramo Verde", "Tocuyito", "Zona 7"]
PEOPLE = ["el periodista Luis Pérez", "la activista Ana Rivas", "el dirigente Juan Mora",
          "el sindicalista Pedro Gil", "la abogada Marta Sosa", "el coronel José Díaz"]
US = ["Washington", "el Departamento de Estado", "el Tesoro de EE.UU.", "el Pentágono",
      "la Casa Blanca", "el Comando Sur"]
US_ACTS = ["anuncia nuevas sanciones contra", "despliega buques frente a", "renueva la licencia petrolera de",
           "congela activos de funcionarios de", "ofrece recompensa por jefes de", "designa como terrorista a un cartel de"]
CHATTER = ["Suben los precios de la harina en", "Festival de música llena los teatros de",
           "Lluvias dejan calles anegadas en", "Equipo de béisbol gana el campeonato en",
           "Abren nuevo centro comercial en", "Reportan fallas del servicio eléctrico en"]
CITIES = ["Caracas", "Maracaibo", "Valencia", "Barquisimeto", "Mérida", "Cumaná"]


def items() -> list[dict]:
    out: list[dict] = []
    n = itertools.count(1)
    for verb, place in itertools.product(["Excarcelan a presos políticos de", "Liberan a detenidos políticos en",
                                          "Denuncian torturas a presos políticos en"], PLACES):
        out.append({"id": f"s{next(n)}", "title": f"{verb} {place}", "topics": ["political_prisoners"]})
    for verb, who in itertools.product(["Detienen a", "Desaparecen a", "Excarcelan a"], PEOPLE):
        out.append({"id": f"s{next(n)}", "title": f"{verb} {who} en Caracas, denuncia Foro Penal",
                    "topics": ["political_prisoners"]})
    for actor, act in itertools.product(US, US_ACTS):
        out.append({"id": f"s{next(n)}", "title": f"{actor} {act} Venezuela", "topics": ["us_actions"]})
    for what, city in itertools.product(CHATTER, CITIES):
        out.append({"id": f"s{next(n)}", "title": f"{what} {city}", "topics": []})
    for item in out:
        item.update(lang="es", summary="", counts=[])
    return out
