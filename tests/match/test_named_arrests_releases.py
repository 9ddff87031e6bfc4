"""Arrests and releases of people the service cannot know by name, told in the everyday words of
Spanish news: "el arresto de" (the noun, not only "arrestos"), every form of "aprehender", "recupera
su libertad", "quedan en libertad", someone walking out of a prison for political prisoners, a
radio host ("locutor"), a rights defender written "DDHH", an election witness ("testigo de mesa"),
"se llevaron a" an activist, "publicaciones en X", "juicio contra" an activist, the courts "con
competencia en terrorismo", "presos por pensar distinto", a hearing of someone held ("la audiencia
preliminar del periodista X"), relatives asking for someone's release ("Madre de X exige su
liberación").
Each was a missed arrest or release: no topic at all."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("title", [
    "Sindicalistas denuncian el arresto de Pedro Gil, dirigente de los trabajadores del aluminio",
    "Movimiento estudiantil denuncia arresto de los dirigentes Ana Ruiz y Luis Mora",
    "Aprehenden a un segundo sindicalista de la siderúrgica en Ciudad Guayana",
    "Aprehenden a universitario en Mérida tras protesta frente al rectorado",
    "Detienen a locutor de radio comunitaria en Valle de la Pascua",
    "Policía regional detiene al locutor Édgar Tovar tras criticar al gobernador",
    "Detienen a defensor de DDHH en Anzoátegui",
    "Detienen a defensora de DD.HH. en Barquisimeto",
    "Funcionarios del Sebin se llevan a la reportera Ana Díaz de su vivienda",
    "Periodista zuliano Omar Villegas recupera su libertad tras casi tres años tras las rejas",
    "Testigo de mesa Carmen Aponte recupera su libertad en Carabobo",
    "Estudiantes Daniela Ortiz y Samuel Brito quedan en libertad con régimen de presentación",
    "Coronel Hernán Villasmil sale de Ramo Verde tras casi siete años de prisión",
    "Carmen Rivas deja el INOF y cumplirá arresto domiciliario",
    "Familiares del periodista Jesús Fuenmayor desconocen su paradero",
    "Sin orden judicial se llevaron a Gustavo Lira, activista de derechos humanos",
    "Aprehenden a un hombre en Maracay por publicaciones en X contra el gobierno",
    "Arranca el juicio contra el activista Nelson Ramírez en un tribunal de Caracas",
    "Tribunal con competencia en terrorismo pospone la audiencia de Gabriela Sifontes",
    "Obispos: «No habrá paz mientras haya presos por pensar distinto»",
    "Difieren por tercera vez la audiencia preliminar de la activista Gabriela Sifontes",
    "Tribunal aplaza la audiencia de presentación del dirigente sindical Omar Castillo",
    "Fijan para marzo la audiencia de juicio contra el periodista Andrés Quintero",
    "Madre de Ana Ruiz exige su liberación y denuncia que no la dejan verla",
    "Familiares de Pedro Gil pidieron que sea liberado por su estado de salud",
    "Esposa del sargento Luis Mora reclama su liberación tras dos años sin juicio",
])
def test_a_named_arrest_or_release_in_plain_words_is_political_prisoners_news(shipped, title):
    assert shipped.classify(title=title, lang="es").topics == ["political_prisoners"]


@pytest.mark.parametrize("title", [
    "Paciente recupera su libertad de movimiento tras una cirugía de cadera",
    "Aprehenden a dos hombres por el robo de una moto en Maracay",
    "Hermanos recuperan la libertad tras ser secuestrados por el ELN en Colombia",
    "El locutor Juan Pérez sale del aire tras 20 años en la radio",
    "Cicpc aprehende a banda de secuestradores en Zulia",
    "Se llevaron a la final del torneo a los dos mejores equipos del país",
    "Juicio contra el exalcalde acusado de corrupción se reanuda en Valencia",
    "Difieren la audiencia preliminar de los acusados por el homicidio de un comerciante",
    "Periodista deportivo gana audiencia en su nuevo programa de radio",
    "El jugador pide su liberación del contrato y su familia lo respalda",
])
def test_the_same_words_without_a_political_prisoner_are_not(shipped, title):
    assert shipped.classify(title=title, lang="es").topics == []
