"""The registry the outcomes app will use: one shape for every instrument."""

import pytest

from osseo.outcomes.instruments import INSTRUMENTS
from osseo.outcomes.instruments.qtfa import instrument as qtfa_instrument
from osseo.outcomes.instruments.rand36 import score as rand36_score
from tests.outcomes.synthetic_qtfa import SYNTHETIC_RULES, qtfa_form


def test_it_registers_rand_36_and_q_tfa_by_their_api_codes():
    assert list(INSTRUMENTS) == ["rand-36", "q-tfa"]
    assert [i.code for i in INSTRUMENTS.values()] == ["rand-36", "q-tfa"]


@pytest.mark.parametrize("code", ["rand-36", "q-tfa"])
def test_each_instrument_offers_a_fhir_questionnaire_and_ordered_scales(code):
    instrument = INSTRUMENTS[code]

    assert instrument.questionnaire["resourceType"] == "Questionnaire"
    for scale in instrument.scales:
        code_, label, higher_is_better = scale
        assert isinstance(code_, str)
        assert isinstance(label, str)
        assert isinstance(higher_is_better, bool)


def test_rand_36_scores_through_the_registry_as_it_does_directly():
    answers = {"21": 2, "22": 3}

    assert INSTRUMENTS["rand-36"].score(answers) == rand36_score(answers)
    assert list(INSTRUMENTS["rand-36"].score(answers)) == [
        s.code for s in INSTRUMENTS["rand-36"].scales
    ]


def test_q_tfa_with_rules_returns_one_score_per_scale_in_order():
    configured = qtfa_instrument(rules=SYNTHETIC_RULES)

    assert list(configured.score(qtfa_form())) == [s.code for s in configured.scales]
