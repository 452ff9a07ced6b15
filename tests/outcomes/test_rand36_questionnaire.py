"""The RAND-36 as a FHIR-shaped Questionnaire: items, options, and agreement with the scorer."""

from osseo.outcomes.instruments.rand36 import (
    ANSWER_SYSTEM,
    RECODE,
    SCALE_ITEMS,
    questionnaire,
)


def _answerable(q):
    return [item for item in q["item"] if item["type"] == "choice"]


def test_it_is_a_questionnaire_resource_with_items_1_to_36_in_order():
    q = questionnaire()

    assert q["resourceType"] == "Questionnaire"
    assert q["url"] == "https://osseo.example/fhir/Questionnaire/rand-36"
    assert q["title"] == "RAND 36-Item Health Survey 1.0"
    assert q["status"] == "active"
    assert "Public domain" in q["copyright"]
    assert "developed at RAND as part of the Medical Outcomes Study" in q["copyright"]
    assert [item["linkId"] for item in _answerable(q)] == [str(n) for n in range(1, 37)]


def test_every_item_offers_exactly_the_responses_rands_table_recodes():
    for item in _answerable(questionnaire()):
        codes = [option["valueCoding"]["code"] for option in item["answerOption"]]
        assert codes == [str(r) for r in sorted(RECODE[int(item["linkId"])])], item["linkId"]


def test_its_answer_codes_are_the_projects_own_code_system_not_loinc_or_snomed():
    for item in _answerable(questionnaire()):
        for option in item["answerOption"]:
            assert option["valueCoding"]["system"] == ANSWER_SYSTEM


def test_it_uses_rands_wording_for_items_and_responses():
    items = {item["linkId"]: item for item in questionnaire()["item"]}

    assert items["1"]["text"] == "In general, would you say your health is:"
    assert [o["valueCoding"]["display"] for o in items["1"]["answerOption"]] == [
        "Excellent",
        "Very good",
        "Good",
        "Fair",
        "Poor",
    ]
    assert items["23"]["text"] == "Did you feel full of pep?"
    assert items["32"]["answerOption"][2]["valueCoding"]["display"] == "Some of the time"
    assert items["36"]["text"] == "My health is excellent"
    assert items["stem-true-false"]["type"] == "display"


def test_each_scored_item_is_in_exactly_one_scale_and_item_2_in_none():
    scored = [item for items in SCALE_ITEMS.values() for item in items]

    assert sorted(scored) == [n for n in range(1, 37) if n != 2]


def test_it_hands_out_a_fresh_copy_that_callers_may_change():
    first = questionnaire()
    first["item"].clear()

    assert len(_answerable(questionnaire())) == 36
