"""outcomes.rules.questions_of: a questionnaire as a patient answers it, one question at a time."""

from osseo.outcomes.instruments import INSTRUMENTS
from osseo.outcomes.rules import questions_of


def test_rand36_is_36_questions_each_with_its_block_instructions_only():
    questions = questions_of(INSTRUMENTS["rand-36"].questionnaire)
    assert [q.link_id for q in questions] == [str(n) for n in range(1, 37)]
    with_stem = [int(q.link_id) for q in questions if q.stem]
    assert with_stem == [*range(3, 20), *range(23, 32), *range(33, 37)]
    third = questions[2]
    assert third.stem.startswith("The following items are about activities")
    assert third.options == (
        (1, "Yes, limited a lot"),
        (2, "Yes, limited a little"),
        (3, "No, not limited at all"),
    )


def test_an_integer_question_keeps_its_bounds():
    questions = questions_of(INSTRUMENTS["q-tfa"].questionnaire)
    days = next(q for q in questions if q.link_id == "use.days")
    assert (days.options, days.low, days.high, days.group) == ((), 0, 7, "Prosthetic use")
