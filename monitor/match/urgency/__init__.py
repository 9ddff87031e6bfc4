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

from monitor.match.urgency.decide import decide_urgency
from monitor.match.urgency.figures import HIGH_EVENTS

__all__ = ["HIGH_EVENTS", "decide_urgency"]
