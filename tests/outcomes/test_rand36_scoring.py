"""RAND-36 scoring against examples worked by hand from RAND's Table 1 and Table 2.

RAND, "Scoring Rules for the RAND 36-Item Health Survey (Version 1.0)",
http://www.rand.org/health/surveys_tools/mos/mos_core_36item_scoring.html
"""

import pytest

from osseo.outcomes.instruments import ScoringError
from osseo.outcomes.instruments.rand36 import score

# One complete form. Beside each answer: RAND Table 1's recoded value.
COMPLETE = {
    1: 2,  # 1,2,20,22,34,36: 2 -> 75
    2: 3,  # -> 50, but item 2 (health change) is in no scale
    3: 1,  # 3-12: 1 -> 0
    4: 2,  # 2 -> 50
    5: 3,  # 3 -> 100
    6: 2,  # 50
    7: 3,  # 100
    8: 2,  # 50
    9: 1,  # 0
    10: 2,  # 50
    11: 3,  # 100
    12: 3,  # 100
    13: 1,  # 13-19: 1 -> 0
    14: 1,  # 0
    15: 2,  # 2 -> 100
    16: 2,  # 100
    17: 2,  # 100
    18: 2,  # 100
    19: 1,  # 0
    20: 2,  # 75
    21: 3,  # 21,23,26,27,30: 3 -> 60
    22: 2,  # 75
    23: 2,  # 2 -> 80
    24: 5,  # 24,25,28,29,31: 5 -> 80
    25: 6,  # 6 -> 100
    26: 2,  # 80
    27: 3,  # 60
    28: 5,  # 80
    29: 4,  # 4 -> 60
    30: 3,  # 60
    31: 5,  # 80
    32: 4,  # 32,33,35: 4 -> 75
    33: 4,  # 75
    34: 2,  # 75
    35: 3,  # 3 -> 50
    36: 2,  # 75
}


def test_it_scores_a_complete_form_as_the_mean_of_each_scales_recoded_items():
    # physical functioning (3-12): (0+50+100+50+100+50+0+50+100+100) / 10 = 600 / 10 = 60
    # role physical (13-16): (0+0+100+100) / 4 = 50
    # role emotional (17-19): (100+100+0) / 3 = 66.67
    # energy/fatigue (23,27,29,31): (80+60+60+80) / 4 = 280 / 4 = 70
    # emotional well-being (24,25,26,28,30): (80+100+80+80+60) / 5 = 400 / 5 = 80
    # social functioning (20,32): (75+75) / 2 = 75
    # pain (21,22): (60+75) / 2 = 67.5
    # general health (1,33,34,35,36): (75+75+75+50+75) / 5 = 350 / 5 = 70
    assert score(COMPLETE) == {
        "physical_functioning": 60.0,
        "role_physical": 50.0,
        "role_emotional": pytest.approx(200 / 3),
        "energy_fatigue": 70.0,
        "emotional_wellbeing": 80.0,
        "social_functioning": 75.0,
        "pain": 67.5,
        "general_health": 70.0,
    }


def test_it_returns_the_scales_in_the_order_of_the_api_contract():
    assert list(score(COMPLETE)) == [
        "physical_functioning",
        "role_physical",
        "role_emotional",
        "energy_fatigue",
        "emotional_wellbeing",
        "social_functioning",
        "pain",
        "general_health",
    ]


def test_it_scores_the_best_answers_100_and_the_worst_answers_0_on_every_scale():
    best = {1: 1, 2: 1, 20: 1, 22: 1, 34: 1, 36: 1, 21: 1, 23: 1, 26: 1, 27: 1, 30: 1}
    best |= dict.fromkeys(range(3, 13), 3) | dict.fromkeys(range(13, 20), 2)
    best |= {24: 6, 25: 6, 28: 6, 29: 6, 31: 6, 32: 5, 33: 5, 35: 5}
    worst = {1: 5, 2: 5, 20: 5, 22: 5, 34: 5, 36: 5, 21: 6, 23: 6, 26: 6, 27: 6, 30: 6}
    worst |= dict.fromkeys(range(3, 20), 1)
    worst |= {24: 1, 25: 1, 28: 1, 29: 1, 31: 1, 32: 1, 33: 1, 35: 1}

    assert set(score(best).values()) == {100.0}
    assert set(score(worst).values()) == {0.0}


def test_it_averages_a_scale_over_its_answered_items_only():
    # The energy/fatigue example scored by hand in "Scoring the RAND SF-36-item Health
    # Survey 1.0" (http://chiro.org/LINKS/How_to_score_the_SF-36.shtml): 4 on item 23 -> 40,
    # 3 on item 27 -> 60, 3 on item 29 -> 40, item 31 left blank. (40+60+40) / 3 = 46.67.
    scores = score({23: 4, 27: 3, 29: 3})

    assert scores["energy_fatigue"] == pytest.approx(140 / 3)


def test_it_leaves_a_scale_with_no_answered_item_empty():
    # Only pain is answered: (21: 1 -> 100, 22: 5 -> 0) / 2 = 50; every other scale is None.
    assert score({21: 1, 22: 5}) == {
        "physical_functioning": None,
        "role_physical": None,
        "role_emotional": None,
        "energy_fatigue": None,
        "emotional_wellbeing": None,
        "social_functioning": None,
        "pain": 50.0,
        "general_health": None,
    }


def test_it_treats_a_null_answer_as_unanswered():
    # Social functioning: item 20 answered 1 -> 100, item 32 null -> left out: 100 / 1.
    assert score({"20": 1, "32": None})["social_functioning"] == 100.0


def test_it_scores_an_empty_form_as_all_empty_scales():
    assert set(score({}).values()) == {None}


def test_it_does_not_let_the_health_change_item_move_any_scale():
    without_item_2 = {k: v for k, v in COMPLETE.items() if k != 2}

    assert score(COMPLETE | {2: 1}) == score(without_item_2) == score(COMPLETE | {2: 5})


def test_it_accepts_item_numbers_as_strings_or_integers_alike():
    as_strings = {str(item): response for item, response in COMPLETE.items()}
    mixed = {(str(item) if item % 2 else item): response for item, response in COMPLETE.items()}

    assert score(as_strings) == score(COMPLETE) == score(mixed)


@pytest.mark.parametrize(
    ("item", "response"),
    [
        (3, 4),  # physical functioning items have 3 responses
        (13, 3),  # yes/no items have 2
        (21, 7),  # bodily pain has 6
        (32, 6),  # item 32 has 5, unlike the 6 of items 23-31
        (1, 0),
        (36, -1),
        (2, 6),  # item 2 is unscored but still range-checked
    ],
)
def test_it_refuses_a_response_outside_the_items_range_and_names_the_item(item, response):
    with pytest.raises(ScoringError) as raised:
        score(COMPLETE | {item: response})

    assert raised.value.item == str(item)
    assert f"item {item}:" in str(raised.value)
    assert f"response {response} is outside" in str(raised.value)


@pytest.mark.parametrize("key", [0, 37, "37", "abc", "1a", ""])
def test_it_refuses_an_item_the_survey_does_not_have(key):
    with pytest.raises(ScoringError) as raised:
        score({key: 1})

    assert raised.value.item == str(key)
    assert "no such item" in str(raised.value)


@pytest.mark.parametrize("response", ["3", 3.0, True, [3]])
def test_it_refuses_an_answer_that_is_not_a_whole_response_number(response):
    with pytest.raises(ScoringError) as raised:
        score({"7": response})

    assert raised.value.item == "7"


def test_it_refuses_the_same_item_given_as_both_a_number_and_a_string():
    with pytest.raises(ScoringError) as raised:
        score({7: 1, "7": 3})

    assert raised.value.item == "7"
    assert "answered twice" in str(raised.value)
