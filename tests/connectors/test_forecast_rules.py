"""The forecast rules, over plain values: time limit first, activity limit first, overload."""

import datetime as dt

import pytest

from osseo.connectors import rules

FITTED = dt.date(2026, 1, 5)
POLICY = rules.Policy(
    time_limit_months=12,
    activity_limit_cycles=1.5e6,
    reference_load_n=800.0,
    sn_exponent_m=4.0,
    overload_threshold_n=1500.0,
)


def steady(steps, start=FITTED, days=100):
    return [(start + dt.timedelta(days=i), steps) for i in range(days)]


def test_the_time_limit_comes_first_for_a_quiet_wearer():
    result = rules.forecast(
        placed_on=FITTED,
        today=dt.date(2026, 4, 20),
        policy=POLICY,
        days=steady(2000),
        body_weight_kg=800 / rules.STANDARD_GRAVITY,  # one step = one cycle at 800 N
    )
    assert result.basis == "time"
    assert result.due_on == dt.date(2027, 1, 5)
    # 100 days x 2000 = 200 k cycles; 1.3 M left at 2000 a day = 650 days after 14 April.
    assert result.activity_due_on == dt.date(2026, 4, 14) + dt.timedelta(days=650)
    assert result.basis_text == (
        "Time: fitted 5 January 2026, limit 12 months, due 5 January 2027 "
        "(activity: 200 k of 1.5 M equivalent cycles; at 2,000 steps a day, "
        "due 24 January 2028)"
    )
    assert result.notes[0] == "The service policy is not validated."
    assert result.notes[-1] == rules.CAVEAT


def test_the_activity_limit_comes_first_for_a_busy_wearer_at_the_recent_30_day_rate():
    # 70 days at 5,000 then 30 days at 12,000: the recent rate is 12,000 a day.
    days = steady(5000, days=70) + steady(12000, start=FITTED + dt.timedelta(days=70), days=30)
    result = rules.forecast(
        placed_on=FITTED,
        today=dt.date(2026, 4, 20),
        policy=POLICY,
        days=days,
        body_weight_kg=800 / rules.STANDARD_GRAVITY,
    )
    total = 70 * 5000 + 30 * 12000  # 710 k
    assert result.cumulative_cycles == pytest.approx(total)
    assert result.daily_steps == 12000
    assert result.basis == "activity"
    # (1.5 M - 710 k) / 12 k = 65.8 -> 66 days after the last day with data (14 April).
    assert result.due_on == dt.date(2026, 4, 14) + dt.timedelta(days=66)
    assert result.basis_text.startswith(
        "Activity: 710 k of 1.5 M equivalent cycles; at 12,000 steps a day, due 19 June 2026"
    )


def test_a_heavier_wearer_wears_faster_by_the_fourth_power():
    light = rules.steps_conversion(
        POLICY, body_weight_kg=800 / rules.STANDARD_GRAVITY, recording=None
    )
    heavy = rules.steps_conversion(
        POLICY, body_weight_kg=1.1 * 800 / rules.STANDARD_GRAVITY, recording=None
    )
    assert light.cycles_per_step == pytest.approx(1.0)
    assert heavy.cycles_per_step == pytest.approx(1.1**4)
    assert heavy.text.startswith("assumption: one step is one load cycle at the body weight")


def test_a_recording_figure_overrides_the_body_weight_assumption():
    figure = rules.RecordingFigure(dt.date(2026, 3, 1), "walk.csv", 0.5, 1100.0, 12.0)
    conversion = rules.steps_conversion(POLICY, body_weight_kg=90.0, recording=figure)
    assert conversion.cycles_per_step == 0.5
    assert "measured in the recording walk.csv of 1 March 2026" in conversion.text


def test_an_overload_while_the_part_is_in_place_asks_for_an_inspection_at_once():
    overload = rules.RecordingFigure(dt.date(2026, 2, 10), "stairs.csv", None, 1620.0, 73.5)
    earlier = rules.RecordingFigure(dt.date(2025, 12, 1), "old.csv", None, 2000.0, 1.0)
    result = rules.forecast(
        placed_on=FITTED,
        today=dt.date(2026, 4, 20),
        policy=POLICY,
        days=steady(2000),
        body_weight_kg=800 / rules.STANDARD_GRAVITY,
        overloads=[overload, earlier],
    )
    assert result.basis == "overload"
    assert result.due_on == dt.date(2026, 2, 10)
    assert result.inspection == (
        "overload: peak 1,620 N at 73.5 s in the recording stairs.csv of 10 February 2026, at or "
        "above the 1,500 N threshold: inspect the part"
    )
    assert result.basis_text.startswith("Overload: peak 1,620 N")


def test_a_limit_already_passed_is_due_on_the_day_it_was_reached():
    result = rules.forecast(
        placed_on=FITTED,
        today=dt.date(2026, 4, 20),
        policy=rules.Policy(activity_limit_cycles=10_000, reference_load_n=800, sn_exponent_m=4),
        days=steady(4000, days=5),
        body_weight_kg=800 / rules.STANDARD_GRAVITY,
    )
    assert result.due_on == FITTED + dt.timedelta(days=2)
    assert result.basis == "activity"


def test_without_a_policy_weight_or_steps_the_forecast_says_what_is_missing():
    assert rules.forecast(placed_on=FITTED, today=FITTED, policy=None, days=[]).basis_text == (
        "No service policy is set for this kind of part."
    )
    no_weight = rules.forecast(
        placed_on=FITTED, today=FITTED, policy=POLICY, days=steady(10, days=1)
    )
    assert "No activity forecast: no body weight is recorded for the patient." in no_weight.notes
    assert no_weight.basis == "time"
    no_steps = rules.forecast(
        placed_on=FITTED, today=FITTED, policy=POLICY, days=[], body_weight_kg=80
    )
    assert "No activity forecast: no daily steps since the part was fitted." in no_steps.notes


def test_the_month_arithmetic_keeps_the_end_of_short_months():
    assert rules.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert rules.add_months(dt.date(2026, 11, 30), 15) == dt.date(2028, 2, 29)
