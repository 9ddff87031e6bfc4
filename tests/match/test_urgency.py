from core.rules import EntitySpec, TopicRules
from monitor.match import build_classifier

C = build_classifier(
    {
        "t": TopicRules(
            any=["preso~ político~", "detenido~"],
            context_required="never",
            urgent=["excarcel*"],
            urgent_with_person=["detenido~"],
        )
    },
    [EntitySpec(name="Rocío San Miguel", type="person")],
)


def test_release_is_high():
    assert C.classify(title="Excarcelan a presos políticos").urgency == "high"


def test_count_of_released_is_high():
    assert C.classify(title="Salen 12 presos políticos", summary="12 presos políticos fueron excarcelados").urgency == "high"


def test_arrest_of_named_person_is_high_unnamed_is_normal():
    assert C.classify(title="Rocío San Miguel fue detenida").urgency == "high"
    assert C.classify(title="Detenido el periodista Juan Pérez en Caracas").urgency == "high"
    assert C.classify(title="Un periodista fue detenido en Caracas").urgency == "normal"


def test_plain_mention_is_normal_and_passing_mention_is_low():
    assert C.classify(title="Informe sobre presos políticos").urgency == "normal"
    assert C.classify(title="Economía", text="... y los presos políticos ...").urgency == "low"
    assert C.classify(title="Economía").urgency == "low"
