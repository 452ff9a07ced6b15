"""Shared Q-TFA test data: SYNTHETIC rules, numbers invented for tests, not the published ones."""

from osseo.outcomes.instruments.qtfa import QtfaRules

SYNTHETIC_RULES = QtfaRules(
    source="Test fixture: made-up numbers, NOT the published Q-TFA values",
    hours_per_day={1: 0, 2: 4, 3: 8, 4: 16},
    section_points={
        "capability": {1: 0, 2: 50, 3: 100},
        "walking-aid": {1: 0, 2: 100},
        "walking-habits": {1: 0, 2: 25, 3: 50, 4: 75, 5: 100},
        "problem": {1: 0, 2: 50, 3: 100},
        "global": {1: 0, 2: 25, 3: 50, 4: 75, 5: 100},
    },
    item_points={"capability.12": {1: 100, 2: 50, 3: 0}},  # a reversed item
)


def qtfa_form():
    """A complete Q-TFA form; beside each answer, its points under SYNTHETIC_RULES."""
    answers = {"use.days": 5, "use.hours": 3}
    answers |= {f"capability.{n}": 3 for n in range(1, 9)}  # 8 x 100
    answers |= {f"capability.{n}": 2 for n in range(9, 12)}  # 3 x 50
    answers |= {"capability.12": 1}  # reversed: 1 -> 100
    answers |= {"walking-aid.1": 2, "walking-aid.2": 1}  # 100, 0
    answers |= {f"walking-habits.{n}": 6 - n for n in range(1, 6)}  # 5,4,3,2,1
    answers |= {f"problem.{n}": 3 for n in range(1, 11)}  # 10 x 100
    answers |= {f"problem.{n}": 1 for n in range(11, 31)}  # 20 x 0
    answers |= {"global.1": 4, "global.2": 4, "global.3": 5}  # 75, 75, 100
    return answers
