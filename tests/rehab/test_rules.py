"""The pure rules: phase checks, the prescription on every phase boundary, flags, follow-up dates."""

import datetime as dt
from decimal import Decimal

import pytest

from osseo.rehab import rules
from osseo.rehab.queries import phases_of
from tests.rehab.conftest import SLOW, STANDARD, protocol

START = dt.date(2026, 3, 2)  # day 1
D = Decimal


def _on(day):
    return START + dt.timedelta(days=day - 1)


@pytest.mark.parametrize(
    ("day", "status", "phase", "target_kg", "gate", "aid"),
    [
        (1, "before_start", None, None, None, None),
        (2, "before_start", None, None, None, None),
        (3, "in_phase", 1, D("40.0"), 5, False),  # first day of phase 1: 50 % of 80 kg
        (9, "in_phase", 1, D("40.0"), 5, False),
        (10, "in_phase", 2, D("40.0"), None, True),  # the shared boundary day: the later phase
        (11, "in_phase", 2, D("40.0"), None, True),
        (34, "in_phase", 2, D("40.0"), None, True),
        (35, "in_phase", 3, D("80.0"), 5, True),  # full weight bearing from day 35
        (42, "in_phase", 3, D("80.0"), 5, True),
        (43, "after_end", None, None, None, None),
    ],
)
def test_the_radboud_standard_prescription_on_every_phase_boundary(
    db, day, status, phase, target_kg, gate, aid
):
    rx = rules.prescription(phases_of(protocol(STANDARD)), START, D(80), _on(day))
    assert (rx.day, rx.status, rx.phase, rx.target_kg, rx.pain_gate_nrs, rx.walking_aid) == (
        day,
        status,
        phase,
        target_kg,
        gate,
        aid,
    )


def test_the_radboud_standard_first_phase_has_the_published_dose(db):
    first = phases_of(protocol(STANDARD))[0]
    assert (
        first.sessions_per_day,
        first.minutes_per_session,
        first.target_percent_body_weight,
    ) == (
        3,
        30,
        D(50),
    )
    assert protocol(STANDARD).validated
    assert "osseointegration.eu" in protocol(STANDARD).source


def test_the_radboud_slow_weeks_6_to_12_have_no_numbers_and_are_not_validated(db):
    slow = protocol(SLOW)
    phases = phases_of(slow)
    assert [(p.start_day, p.end_day, p.validated) for p in phases] == [
        (1, 42, True),
        (43, 84, False),
    ]
    assert not slow.validated
    rx42 = rules.prescription(phases, START, D(70), _on(42))
    rx43 = rules.prescription(phases, START, D(70), _on(43))
    assert (rx42.phase, rx42.target_kg, rx42.validated) == (1, D("35.0"), True)
    assert (rx43.phase, rx43.target_kg, rx43.validated) == (2, None, False)


def test_a_target_in_kg_is_used_as_is():
    phases = [rules.Phase(1, 7, None, D(20), 2, 15, False, 4, validated=True)]
    assert rules.prescription(phases, START, D(95), START).target_kg == D(20)


def test_pain_over_the_gate_holds_the_load_at_the_earlier_phase():
    phases = [
        rules.Phase(1, 5, D(25), None, 3, 30, False, 5, validated=True),
        rules.Phase(6, 10, D(50), None, 3, 30, True, 5, validated=True),
    ]
    logs = [(_on(5), 6)]  # the last day of phase 1 hurt: NRS 6 >= 5
    held = rules.hold_phase(phases, START, logs, _on(6))
    rx = rules.prescription(phases, START, D(80), _on(6), held_at_phase=held)
    assert (rx.phase, rx.held, rx.held_at_phase, rx.target_kg) == (2, True, 1, D("20.0"))
    calm = rules.hold_phase(phases, START, [(_on(5), 4)], _on(6))
    assert calm is None


@pytest.mark.parametrize(
    ("applied", "pain", "flags"),
    [
        (D(40), 2, []),
        (D(32), 2, []),  # exactly 20 % under: not more than the share
        (D("31.9"), 2, ["under_loading"]),
        (D(44), 2, []),  # exactly 10 % over
        (D("44.1"), 2, ["over_loading"]),
        (D(40), 4, []),
        (D(40), 5, ["pain_over_gate"]),  # NRS must stay below 5
        (D(10), 8, ["under_loading", "pain_over_gate"]),
    ],
)
def test_the_flag_rules(applied, pain, flags):
    phases = [rules.Phase(1, 10, D(50), None, 3, 30, False, 5, validated=True)]
    rx = rules.prescription(phases, START, D(80), START)
    assert rules.log_flags(rx, applied, pain, under_share=D("0.2"), over_share=D("0.1")) == flags


def test_any_load_before_the_first_loading_phase_is_over_loading():
    phases = [rules.Phase(3, 10, D(50), None, 3, 30, False, 5, validated=True)]
    rx = rules.prescription(phases, START, D(80), START)
    assert rules.log_flags(rx, D(5), 0, under_share=D("0.2"), over_share=D("0.1")) == [
        "over_loading"
    ]
    assert rules.log_flags(rx, D(0), 0, under_share=D("0.2"), over_share=D("0.1")) == []


def test_missing_days_are_loading_days_up_to_yesterday_without_a_log():
    phases = [rules.Phase(3, 10, D(50), None, 3, 30, False, 5, validated=True)]
    logged = {_on(3), _on(5)}
    assert rules.missing_days(phases, START, logged, today=_on(7)) == [_on(4), _on(6)]


@pytest.mark.parametrize(
    "bad",
    [
        [],
        [rules.Phase(0, 3, D(50), None, 1, 1, True, 5)],
        [rules.Phase(5, 3, D(50), None, 1, 1, True, 5)],
        [rules.Phase(1, 3, D(50), D(20), 1, 1, True, 5)],
        [rules.Phase(1, 3, None, None, 1, 1, True, 5, validated=True)],
        [rules.Phase(1, 3, D(150), None, 1, 1, True, 5)],
        [rules.Phase(1, 3, D(50), None, 1, 1, True, 11)],
        [
            rules.Phase(1, 10, D(50), None, 1, 1, True, 5),
            rules.Phase(5, 20, D(60), None, 1, 1, True, 5),
        ],
    ],
)
def test_malformed_phases_are_refused(bad):
    assert rules.phase_problems(bad)


def test_phases_may_share_their_boundary_day():
    ok = [
        rules.Phase(3, 10, D(50), None, 3, 30, False, 5),
        rules.Phase(10, 35, D(50), None, None, None, True, None),
    ]
    assert rules.phase_problems(ok) == {}


def test_the_follow_up_schedule_is_3_6_12_months_then_yearly():
    visits = rules.follow_up_schedule(
        dt.date(2024, 8, 31), [3, 6, 12], 12, until=dt.date(2027, 9, 1)
    )
    assert [(v.label, v.due) for v in visits] == [
        ("3 months", dt.date(2024, 11, 30)),  # the 31st becomes the month's last day
        ("6 months", dt.date(2025, 2, 28)),
        ("1 year", dt.date(2025, 8, 31)),
        ("2 years", dt.date(2026, 8, 31)),
        ("3 years", dt.date(2027, 8, 31)),
    ]


def test_only_the_6mwt_carries_a_loinc_code():
    coded = {k: s.system for k, s in rules.FUNCTION_TESTS.items()}
    assert [k for k, system in coded.items() if system == rules.LOINC] == ["six_minute_walk"]
    assert rules.FUNCTION_TESTS["six_minute_walk"].code == "64098-7"
    assert rules.function_test_problem("k_level", D("2.5"))
    assert rules.function_test_problem("k_level", D(5))
    assert rules.function_test_problem("k_level", D(4)) is None


def test_a_value_out_of_range_names_the_unit_but_never_a_ucum_annotation():
    from decimal import Decimal

    from osseo.rehab.rules import function_test_problem

    assert function_test_problem("k_level", Decimal(7)) == "Enter a value from 0 to 4."
    assert function_test_problem("timed_up_and_go", Decimal(-1)) == "Enter a value from 0 to 600 s."
    assert (
        function_test_problem("wear_hours", Decimal(25))
        == "Enter a value from 0 to 24 hours a day."
    )
