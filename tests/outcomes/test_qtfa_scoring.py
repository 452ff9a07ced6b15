"""Q-TFA scoring: the verified combination rules, applied with made-up item points.

The published response points are not verified in Osseo, so these tests use SYNTHETIC_RULES,
numbers invented for the test (see synthetic_qtfa.py). They check the arithmetic Osseo does with
whatever rules the clinic supplies, not the published values.
"""

import pytest

from osseo.outcomes.instruments import INSTRUMENTS, ScoringError, ScoringNotConfigured
from osseo.outcomes.instruments.qtfa import QtfaRules, instrument, questionnaire, score
from tests.outcomes.synthetic_qtfa import SYNTHETIC_RULES, qtfa_form


def test_it_computes_the_four_scores_of_a_worked_example():
    # prosthetic use: 5 days x 8 h / (7 days x 16 h, the top response) x 100 = 4000/112 = 35.71
    # capability: (8 x 100 + 3 x 50 + 100) / 12 = 1050 / 12 = 87.5
    # walking aid: (100 + 0) / 2 = 50; walking habits: (100+75+50+25+0) / 5 = 50
    # mobility, the mean of the three subscores: (87.5 + 50 + 50) / 3 = 62.5
    # problem: (10 x 100 + 20 x 0) / 30 = 33.33; global: (75 + 75 + 100) / 3 = 83.33
    assert score(qtfa_form(), SYNTHETIC_RULES) == {
        "prosthetic_use": pytest.approx(4000 / 112),
        "mobility": 62.5,
        "problem": pytest.approx(100 / 3),
        "global": pytest.approx(250 / 3),
    }


def test_it_scores_prosthetic_use_100_for_every_day_at_the_top_hours_response():
    assert score({"use.days": 7, "use.hours": 4}, SYNTHETIC_RULES)["prosthetic_use"] == 100.0


def test_it_scores_prosthetic_use_0_for_no_days_of_use():
    assert score({"use.days": 0, "use.hours": 4}, SYNTHETIC_RULES)["prosthetic_use"] == 0.0


def test_it_leaves_a_score_empty_when_one_of_its_items_is_unanswered():
    answers = qtfa_form()
    del answers["problem.30"]
    answers["use.hours"] = None

    scores = score(answers, SYNTHETIC_RULES)

    assert scores["problem"] is None
    assert scores["prosthetic_use"] is None
    assert scores["mobility"] == 62.5
    assert scores["global"] == pytest.approx(250 / 3)


def test_it_leaves_mobility_empty_when_any_of_its_three_subscores_is_incomplete():
    answers = qtfa_form()
    del answers["walking-aid.2"]

    assert score(answers, SYNTHETIC_RULES)["mobility"] is None


def test_it_reports_problem_as_the_one_score_where_higher_is_worse():
    directions = {scale.code: scale.higher_is_better for scale in INSTRUMENTS["q-tfa"].scales}

    assert directions == {
        "prosthetic_use": True,
        "mobility": True,
        "problem": False,
        "global": True,
    }


@pytest.mark.parametrize(
    ("item", "response"),
    [("use.days", 8), ("use.days", -1), ("use.hours", 5), ("capability.3", 4), ("global.1", 0)],
)
def test_it_refuses_a_response_the_rules_do_not_list_and_names_the_item(item, response):
    with pytest.raises(ScoringError) as raised:
        score(qtfa_form() | {item: response}, SYNTHETIC_RULES)

    assert raised.value.item == item
    assert f"response {response} is not one of" in str(raised.value)


@pytest.mark.parametrize("key", ["capability.13", "problem.31", "3a", 1])
def test_it_refuses_an_item_the_structure_does_not_have(key):
    with pytest.raises(ScoringError) as raised:
        score({key: 1}, SYNTHETIC_RULES)

    assert raised.value.item == str(key)


def test_it_refuses_to_score_without_the_clinics_rules():
    with pytest.raises(ScoringNotConfigured, match="not verified"):
        score(qtfa_form())


def test_the_registered_q_tfa_refuses_to_score_until_rules_are_supplied():
    with pytest.raises(ScoringNotConfigured):
        INSTRUMENTS["q-tfa"].score(qtfa_form())

    assert instrument(rules=SYNTHETIC_RULES).score(qtfa_form())["mobility"] == 62.5


def test_it_has_the_published_item_counts_per_section():
    groups = {group["linkId"]: group["item"] for group in questionnaire()["item"]}

    assert {section: len(items) for section, items in groups.items()} == {
        "use": 2,
        "capability": 12,
        "walking-aid": 2,
        "walking-habits": 5,
        "problem": 30,
        "global": 3,
    }


def test_it_is_meant_for_the_femur_site():
    assert INSTRUMENTS["q-tfa"].sites == ("femur",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source": " "}, "need a source"),
        ({"hours_per_day": {1: 0}}, "more than 0 hours"),
        ({"section_points": {"capability": {1: 0, 2: 101}}}, "must be 0-100"),
        ({"section_points": {"capability": {1: -5}}}, "must be 0-100"),
        ({"section_points": {"capability": {"1": 0}}}, "must be integers"),
        ({"section_points": {"balance": {1: 0}}}, "no Q-TFA section 'balance'"),
        ({"section_points": {"capability": {1: 0}}}, "no points given for items: walking-aid.1"),
        ({"item_points": {"use.days": {1: 0}}}, "no scored Q-TFA item 'use.days'"),
    ],
)
def test_it_refuses_rules_that_cannot_give_0_to_100_scores(change, message):
    fields = {
        "source": SYNTHETIC_RULES.source,
        "hours_per_day": SYNTHETIC_RULES.hours_per_day,
        "section_points": SYNTHETIC_RULES.section_points,
    } | change

    with pytest.raises(ValueError, match=message):
        QtfaRules(**fields)


def test_it_reads_rules_from_parsed_json_with_string_response_numbers():
    rules = QtfaRules.from_mapping(
        {
            "source": "Test fixture: made-up numbers",
            "hours_per_day": {"1": 0, "2": 4, "3": 8, "4": 16},
            "section_points": {
                section: {str(k): v for k, v in points.items()}
                for section, points in SYNTHETIC_RULES.section_points.items()
            },
            "item_points": {"capability.12": {"1": 100, "2": 50, "3": 0}},
        }
    )

    assert rules.validated is False
    assert score(qtfa_form(), rules) == score(qtfa_form(), SYNTHETIC_RULES)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"source": "x", "section_points": {}}, "need 'hours_per_day'"),
        ({"source": "x", "hours_per_day": {"one": 1}, "section_points": {}}, "not an integer"),
        ({"source": "x", "hours": {}}, "unknown Q-TFA rules keys: hours"),
    ],
)
def test_it_refuses_malformed_rules_json(data, message):
    with pytest.raises(ValueError, match=message):
        QtfaRules.from_mapping(data)
