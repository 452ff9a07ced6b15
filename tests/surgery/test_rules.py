"""The surgical planning rules, called directly with plain values (no database)."""

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal

import pytest

from osseo.patients.models import Side as SideChoices
from osseo.patients.models import Site as SiteChoices
from osseo.surgery.eligibility import Flag, decision_problem, eligibility_flags
from osseo.surgery.rules import (
    DEFAULT_STAGE_WINDOW,
    RADBOUD_STAGE_WINDOW,
    SIDES,
    SITES,
    CatalogueSize,
    Option,
    Window,
    add_months,
    anaesthesia_options,
    anaesthesia_problem,
    date_problem,
    default_fixation,
    fitting_sizes,
    plan_preview,
    recommended_strategy,
    side_problem,
    site_problem,
    strategy_problem,
    window_dates,
)

LIMB_SITES = ["femur", "tibia", "humerus", "radius_ulna", "hand"]

# --- Sites -------------------------------------------------------------------------------------


def test_the_site_and_side_codes_are_the_patient_records_codes():
    assert list(SITES) == list(SiteChoices.values)
    assert list(SIDES) == list(SideChoices.values)


def test_importing_the_rules_the_flags_and_the_udi_parser_loads_no_django():
    probe = (
        "import sys, osseo.surgery.rules, osseo.surgery.eligibility, osseo.surgery.gs1; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_an_unknown_site_is_named_with_the_known_ones():
    assert site_problem("knee") == (
        "Unknown site 'knee'; sites are: femur, tibia, humerus, radius_ulna, hand, craniofacial."
    )
    assert site_problem("femur") is None


@pytest.mark.parametrize("site", LIMB_SITES)
def test_a_limb_implant_is_on_the_left_or_the_right(site):
    assert side_problem(site, "left") is None
    assert side_problem(site, "right") is None
    assert (
        side_problem(site, "not_applicable") == "A limb implant is on the left or the right side."
    )


def test_a_craniofacial_implant_may_be_midline():
    assert side_problem("craniofacial", "not_applicable") is None
    assert side_problem("craniofacial", "left") is None


def test_an_unknown_side_is_refused():
    assert side_problem("femur", "up") == (
        "Unknown side 'up'; sides are: left, right, not_applicable."
    )


# --- Staging -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("site", "strategy"),
    [
        ("femur", "single_stage"),
        ("tibia", "single_stage"),
        ("humerus", "single_stage"),
        ("radius_ulna", "single_stage"),
        ("hand", "staged"),
        ("craniofacial", "staged"),
    ],
)
def test_each_site_has_the_guides_recommended_strategy(site, strategy):
    assert recommended_strategy(site) == strategy


def test_the_recommendation_refuses_an_unknown_site():
    with pytest.raises(ValueError, match="Unknown site 'knee'"):
        recommended_strategy("knee")


@pytest.mark.parametrize("site", SITES)
def test_following_the_recommendation_needs_no_reason(site):
    assert strategy_problem(site, recommended_strategy(site), "") is None


@pytest.mark.parametrize(
    ("site", "chosen", "message"),
    [
        (
            "femur",
            "staged",
            "Single-stage is recommended for this site; "
            "record a reason for choosing staged (two or more operations).",
        ),
        (
            "hand",
            "single_stage",
            "Staged (two or more operations) is recommended for this site; "
            "record a reason for choosing single-stage.",
        ),
    ],
)
def test_going_against_the_recommendation_needs_a_reason(site, chosen, message):
    assert strategy_problem(site, chosen, "  ") == message
    assert strategy_problem(site, chosen, "Poor soft-tissue cover; stage it.") is None


@pytest.mark.parametrize("site", SITES)
def test_the_surgeon_may_choose_either_strategy_with_a_reason(site):
    for chosen in ("single_stage", "staged"):
        assert strategy_problem(site, chosen, "Surgeon's judgement after MDT.") is None


def test_an_unknown_strategy_or_site_is_refused():
    assert strategy_problem("femur", "three_stage", "why not") == (
        "Unknown strategy 'three_stage'; strategies are: single_stage, staged."
    )
    assert strategy_problem("knee", "staged", "x").startswith("Unknown site 'knee'")


# --- Calendar months and the stage window ------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 8, 31), 6, dt.date(2026, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),  # leap year
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2025, 10, 31), 4, dt.date(2026, 2, 28)),
        (dt.date(2025, 5, 31), 4, dt.date(2025, 9, 30)),
        (dt.date(2025, 11, 30), 4, dt.date(2026, 3, 30)),
        (dt.date(2025, 11, 15), 6, dt.date(2026, 5, 15)),
        (dt.date(2025, 12, 31), 12, dt.date(2026, 12, 31)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2025, 2, 28), 0, dt.date(2025, 2, 28)),
    ],
)
def test_calendar_months_clamp_to_the_end_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


def test_the_default_stage_window_is_the_guides_4_to_6_months():
    window = DEFAULT_STAGE_WINDOW
    assert (window.minimum, window.maximum, window.unit) == (4, 6, "months")
    assert window.source == "Clinic patient guide, 'The Osseointegration Procedure'"
    assert DEFAULT_STAGE_WINDOW.label == "4 to 6 months"


def test_the_window_runs_4_to_6_calendar_months_after_the_previous_stage():
    assert window_dates(dt.date(2025, 8, 31)) == (dt.date(2025, 12, 31), dt.date(2026, 2, 28))
    assert window_dates(dt.date(2025, 10, 31)) == (dt.date(2026, 2, 28), dt.date(2026, 4, 30))


def test_a_window_in_weeks_counts_whole_weeks_like_radboud():
    assert RADBOUD_STAGE_WINDOW.label == "6 to 8 weeks"
    assert window_dates(dt.date(2025, 3, 1), RADBOUD_STAGE_WINDOW) == (
        dt.date(2025, 4, 12),
        dt.date(2025, 4, 26),
    )


@pytest.mark.parametrize(
    ("minimum", "maximum", "unit"),
    [(6, 4, "months"), (-1, 2, "weeks"), (0, 0, "weeks"), (4, 6, "days")],
)
def test_a_window_that_cannot_be_is_refused(minimum, maximum, unit):
    with pytest.raises(ValueError):
        Window(minimum, maximum, unit)


@pytest.mark.parametrize(
    "planned", [dt.date(2025, 12, 31), dt.date(2026, 1, 20), dt.date(2026, 2, 28)]
)
def test_a_date_inside_the_window_needs_no_reason(planned):
    assert date_problem(planned, dt.date(2025, 8, 31), DEFAULT_STAGE_WINDOW, "") is None


def test_a_date_before_the_window_needs_a_reason():
    problem = date_problem(dt.date(2025, 12, 30), dt.date(2025, 8, 31), DEFAULT_STAGE_WINDOW, "")
    assert problem == (
        "30 December 2025 is earlier than the 4 to 6 months window after the previous stage "
        "(31 December 2025 to 28 February 2026); record a reason to plan it then."
    )


def test_a_date_after_the_window_needs_a_reason():
    problem = date_problem(dt.date(2026, 3, 1), dt.date(2025, 8, 31), DEFAULT_STAGE_WINDOW, " ")
    assert problem == (
        "1 March 2026 is later than the 4 to 6 months window after the previous stage "
        "(31 December 2025 to 28 February 2026); record a reason to plan it then."
    )


def test_a_date_outside_the_window_is_allowed_with_a_reason():
    reason = "Theatre list full until March."
    assert (
        date_problem(dt.date(2026, 3, 1), dt.date(2025, 8, 31), DEFAULT_STAGE_WINDOW, reason)
        is None
    )


@pytest.mark.parametrize("planned", [dt.date(2025, 8, 31), dt.date(2025, 8, 1)])
def test_a_date_on_or_before_the_previous_stage_is_refused_even_with_a_reason(planned):
    problem = date_problem(planned, dt.date(2025, 8, 31), DEFAULT_STAGE_WINDOW, "Urgent.")
    assert problem == "The next stage must be after the previous one on 31 August 2025."


def test_the_window_check_uses_the_clinics_window_in_weeks():
    previous = dt.date(2025, 3, 1)
    assert date_problem(dt.date(2025, 4, 20), previous, RADBOUD_STAGE_WINDOW, "") is None
    assert date_problem(dt.date(2025, 7, 1), previous, RADBOUD_STAGE_WINDOW, "") == (
        "1 July 2025 is later than the 6 to 8 weeks window after the previous stage "
        "(12 April 2025 to 26 April 2025); record a reason to plan it then."
    )


# --- Anaesthesia -------------------------------------------------------------------------------

GUIDE_SURGERY = "Clinic patient guide, 'The Surgery'"


@pytest.mark.parametrize(
    ("site", "codes"),
    [
        ("femur", ["general", "general_spinal", "general_epidural", "regional_iv_sedation"]),
        ("tibia", ["general", "general_spinal", "general_epidural", "regional_iv_sedation"]),
        ("humerus", ["general", "general_brachial_plexus", "regional_iv_sedation"]),
        ("radius_ulna", ["general", "general_brachial_plexus", "regional_iv_sedation"]),
        ("hand", ["general", "general_brachial_plexus", "regional_iv_sedation"]),
        ("craniofacial", ["general"]),
    ],
)
def test_each_site_offers_the_guides_anaesthesia_options(site, codes):
    options = anaesthesia_options(site)
    assert [option.code for option in options] == codes
    assert {option.source for option in options} == {GUIDE_SURGERY}
    for code in codes:
        assert anaesthesia_problem(site, code) is None


def test_each_anaesthesia_option_has_a_plain_english_label():
    assert anaesthesia_options("femur") == [
        Option("general", "General anaesthesia", GUIDE_SURGERY),
        Option("general_spinal", "General anaesthesia with a spinal block", GUIDE_SURGERY),
        Option("general_epidural", "General anaesthesia with an epidural block", GUIDE_SURGERY),
        Option(
            "regional_iv_sedation",
            "Regional anaesthesia alone, with intravenous sedation",
            GUIDE_SURGERY,
        ),
    ]
    assert anaesthesia_options("hand")[1] == Option(
        "general_brachial_plexus",
        "General anaesthesia with a brachial plexus nerve block",
        GUIDE_SURGERY,
    )


def test_a_lower_limb_block_is_not_offered_for_the_upper_limb_and_vice_versa():
    assert anaesthesia_problem("humerus", "general_spinal") == (
        "General anaesthesia with a spinal block is not an option for this site; the options "
        "are: general anaesthesia, general anaesthesia with a brachial plexus nerve block, "
        "regional anaesthesia alone, with intravenous sedation."
    )
    assert anaesthesia_problem("tibia", "general_brachial_plexus").startswith(
        "General anaesthesia with a brachial plexus nerve block is not an option for this site"
    )


def test_craniofacial_surgery_is_under_general_anaesthesia_only_unless_the_clinic_adds_more():
    assert anaesthesia_problem("craniofacial", "regional_iv_sedation") == (
        "Regional anaesthesia alone, with intravenous sedation is not an option for this site; "
        "the options are: general anaesthesia."
    )
    local = Option("local_sedation", "Local anaesthesia with sedation", "Anaesthetist, 2025")
    assert anaesthesia_options("craniofacial", clinic_options=[local]) == [
        Option("general", "General anaesthesia", GUIDE_SURGERY),
        local,
    ]
    assert anaesthesia_problem("craniofacial", "local_sedation", clinic_options=[local]) is None


def test_a_clinic_option_does_not_replace_the_guides_option_of_the_same_code():
    duplicate = Option("general", "GA (clinic wording)", "clinic")
    assert (
        anaesthesia_options("tibia", clinic_options=[duplicate])[0].label == "General anaesthesia"
    )


def test_an_unknown_anaesthesia_code_or_site_is_refused():
    assert anaesthesia_problem("craniofacial", "hypnosis") == (
        "Unknown anaesthesia 'hypnosis'; for this site the options are: general anaesthesia."
    )
    assert anaesthesia_problem("knee", "general").startswith("Unknown site 'knee'")
    with pytest.raises(ValueError, match="Unknown site"):
        anaesthesia_options("knee")


# --- Fixation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("site", SITES)
def test_press_fit_is_the_default_fixation_at_every_site(site):
    assert default_fixation(site) == "press_fit"


def test_the_default_fixation_refuses_an_unknown_site():
    with pytest.raises(ValueError, match="Unknown site"):
        default_fixation("knee")


# --- Implant sizes -----------------------------------------------------------------------------

CATALOGUE = [
    CatalogueSize("F-14-140", "femur", "press_fit", Decimal(14), Decimal(140)),
    CatalogueSize("F-14-160", "femur", "press_fit", Decimal(14), Decimal(160)),
    CatalogueSize("F-15-140", "femur", "press_fit", Decimal("15.5"), Decimal(140)),
    CatalogueSize("F-16-140", "femur", "press_fit", Decimal(16), Decimal(140)),
    CatalogueSize("F-13-120", "femur", "press_fit", Decimal(13), Decimal(120)),
    CatalogueSize("FT-14-140", "femur", "threaded", Decimal(14), Decimal(140)),
    CatalogueSize("T-14-140", "tibia", "press_fit", Decimal(14), Decimal(140)),
]


def keys(sizes):
    return [size.key for size in sizes]


def test_the_sizes_that_fit_come_widest_then_longest_first():
    fits = fitting_sizes(CATALOGUE, site="femur", canal_diameter_mm="15.5", usable_length_mm=160)
    assert keys(fits) == ["F-15-140", "F-14-160", "F-14-140", "FT-14-140", "F-13-120"]


def test_a_size_equal_to_the_measurement_fits():
    fits = fitting_sizes(CATALOGUE, site="femur", canal_diameter_mm=14, usable_length_mm=140)
    assert keys(fits) == ["F-14-140", "FT-14-140", "F-13-120"]


def test_a_size_wider_or_longer_than_the_bone_does_not_fit():
    fits = fitting_sizes(CATALOGUE, site="femur", canal_diameter_mm=13.9, usable_length_mm=139)
    assert keys(fits) == ["F-13-120"]


def test_the_fixation_filter_keeps_only_that_fixation():
    fits = fitting_sizes(
        CATALOGUE, site="femur", canal_diameter_mm=20, usable_length_mm=200, fixation="threaded"
    )
    assert keys(fits) == ["FT-14-140"]


def test_only_sizes_for_the_site_are_offered():
    fits = fitting_sizes(CATALOGUE, site="tibia", canal_diameter_mm=20, usable_length_mm=200)
    assert keys(fits) == ["T-14-140"]
    assert (
        fitting_sizes(CATALOGUE, site="humerus", canal_diameter_mm=20, usable_length_mm=200) == []
    )


def test_there_is_no_clearance_unless_the_clinic_sets_one():
    exact = fitting_sizes(CATALOGUE, site="femur", canal_diameter_mm=16, usable_length_mm=140)
    assert keys(exact)[0] == "F-16-140"
    narrower = fitting_sizes(
        CATALOGUE,
        site="femur",
        canal_diameter_mm=16,
        usable_length_mm=140,
        diameter_clearance_mm="0.5",
    )
    assert keys(narrower) == ["F-15-140", "F-14-140", "FT-14-140", "F-13-120"]
    shorter = fitting_sizes(
        CATALOGUE, site="femur", canal_diameter_mm=16, usable_length_mm=140, length_clearance_mm=20
    )
    assert keys(shorter) == ["F-13-120"]


def test_float_measurements_compare_exactly():
    size = CatalogueSize("F-141", "femur", "press_fit", 14.1, 100)
    assert size.diameter_mm == Decimal("14.1")
    fits = fitting_sizes([size], site="femur", canal_diameter_mm=14.1, usable_length_mm=100.0)
    assert keys(fits) == ["F-141"]


@pytest.mark.parametrize("bad", [-1, "nan", "abc"])
def test_a_negative_or_non_numeric_measurement_is_refused(bad):
    with pytest.raises((ValueError, ArithmeticError)):
        fitting_sizes(CATALOGUE, site="femur", canal_diameter_mm=bad, usable_length_mm=100)


# --- Eligibility -------------------------------------------------------------------------------

NO_FINDINGS = {"age_years": 45, "dysvascular": False, "active_infection": False}


def codes(flags):
    return [flag.code for flag in flags]


def test_an_adult_with_no_findings_raises_no_flags():
    assert eligibility_flags(**NO_FINDINGS, short_or_poor_bone=False) == []


def test_a_patient_under_18_is_flagged_and_18_is_not():
    flags = eligibility_flags(**NO_FINDINGS | {"age_years": 17}, short_or_poor_bone=False)
    assert codes(flags) == ["under_18"]
    assert flags[0].text == (
        "Under 18: published programmes treat adults only, to avoid disturbing the growth plate."
    )
    assert "NHS England policy 2206" in flags[0].source
    assert eligibility_flags(**NO_FINDINGS | {"age_years": 18}, short_or_poor_bone=False) == []


def test_dysvascular_amputation_or_peripheral_vascular_disease_is_flagged():
    dysvascular = eligibility_flags(**NO_FINDINGS | {"dysvascular": True}, short_or_poor_bone=False)
    pvd = eligibility_flags(
        **NO_FINDINGS, short_or_poor_bone=False, peripheral_vascular_disease=True
    )
    assert codes(dysvascular) == codes(pvd) == ["dysvascular"]
    assert "NCT02720159" in pvd[0].source
    assert "NCT06737770" in pvd[0].source


def test_active_infection_is_flagged():
    flags = eligibility_flags(**NO_FINDINGS | {"active_infection": True}, short_or_poor_bone=False)
    assert flags == [
        Flag(
            "active_infection",
            "Active infection: trials have excluded it.",
            "docs/sources.md#eligibility Aetiology: Rizzoli trial excludes active infection "
            "(NCT06737770)",
        )
    ]


def test_short_or_poor_bone_suggests_radboud_slow_loading():
    (flag,) = eligibility_flags(**NO_FINDINGS, short_or_poor_bone=True)
    assert flag.code == "short_or_poor_bone"
    assert flag.suggests == "radboud_slow_loading"
    assert "docs/sources.md#radboud-loading" in flag.source


def test_an_amputation_under_6_months_ago_is_flagged():
    recent = eligibility_flags(**NO_FINDINGS, short_or_poor_bone=False, months_since_amputation=5)
    assert codes(recent) == ["recent_amputation"]
    settled = eligibility_flags(**NO_FINDINGS, short_or_poor_bone=False, months_since_amputation=6)
    assert settled == []


def test_every_finding_raises_its_flag_in_a_fixed_order():
    flags = eligibility_flags(
        age_years=16,
        dysvascular=True,
        active_infection=True,
        short_or_poor_bone=True,
        months_since_amputation=2,
    )
    assert codes(flags) == [
        "under_18",
        "dysvascular",
        "active_infection",
        "short_or_poor_bone",
        "recent_amputation",
    ]
    assert all(flag.source.startswith("docs/sources.md#") for flag in flags)


def test_an_eligible_decision_over_a_flag_needs_a_reason():
    flags = eligibility_flags(**NO_FINDINGS | {"dysvascular": True}, short_or_poor_bone=True)
    assert decision_problem("eligible", flags, "") == (
        "Record a reason for deciding eligible despite the flags: dysvascular, short_or_poor_bone."
    )
    assert decision_problem("eligible", flags, "Good collateral flow on angiography.") is None


def test_an_eligible_decision_without_flags_and_other_decisions_need_no_reason():
    assert decision_problem("eligible", [], "") is None
    flags = eligibility_flags(**NO_FINDINGS | {"active_infection": True}, short_or_poor_bone=False)
    assert decision_problem("not_eligible", flags, "") is None
    assert decision_problem("defer", flags, "") is None


def test_an_unknown_decision_is_refused():
    assert decision_problem("maybe", [], "") == (
        "Unknown decision 'maybe'; decisions are: eligible, not_eligible, defer."
    )


# --- Plan preview ------------------------------------------------------------------------------


def test_the_preview_of_a_femur_plan_is_single_stage_without_a_window():
    preview = plan_preview("femur", "left")
    assert preview == {
        "site": "femur",
        "side": "left",
        "strategy": "single_stage",
        "recommended_strategy": "single_stage",
        "anaesthesia_options": [
            {"code": "general", "label": "General anaesthesia"},
            {"code": "general_spinal", "label": "General anaesthesia with a spinal block"},
            {"code": "general_epidural", "label": "General anaesthesia with an epidural block"},
            {
                "code": "regional_iv_sedation",
                "label": "Regional anaesthesia alone, with intravenous sedation",
            },
        ],
        "default_fixation": "press_fit",
        "rationale": [
            {
                "text": "Single-stage surgery is recommended: the guide says it can lead to "
                "faster recovery and reduce the risk of complications such as infections.",
                "source": "Clinic patient guide, 'The Osseointegration Procedure'",
            },
            {
                "text": "Anaesthesia options follow the guide; further options are clinic data.",
                "source": "Clinic patient guide, 'The Surgery'",
            },
            {
                "text": "Press-fit implants have been shown to have fewer complications, "
                "particularly in the lower limb.",
                "source": "Clinic patient guide, 'The Surgery', Implant Insertion",
            },
        ],
    }


def test_the_preview_of_a_hand_plan_is_staged_with_the_window():
    preview = plan_preview("hand", "right", previous_stage=dt.date(2025, 8, 31))
    assert preview["strategy"] == "staged"
    assert preview["stage_window"] == {
        "minimum": 4,
        "maximum": 6,
        "unit": "months",
        "label": "4 to 6 months",
        "source": "Clinic patient guide, 'The Osseointegration Procedure'",
        "earliest": "2025-12-31",
        "latest": "2026-02-28",
    }
    assert preview["rationale"][0]["text"].startswith("Staged surgery is recommended")
    assert preview["rationale"][-1] == {
        "text": "The next stage is due 4 to 6 months after the previous one.",
        "source": "Clinic patient guide, 'The Osseointegration Procedure'",
    }


def test_the_preview_follows_the_surgeons_choice_and_the_clinics_window():
    preview = plan_preview("femur", "left", strategy="staged", stage_window=RADBOUD_STAGE_WINDOW)
    assert (preview["strategy"], preview["recommended_strategy"]) == ("staged", "single_stage")
    assert preview["stage_window"]["label"] == "6 to 8 weeks"
    assert "earliest" not in preview["stage_window"]


@pytest.mark.parametrize("site", SITES)
def test_the_preview_of_every_site_is_json_ready(site):
    side = "not_applicable" if site == "craniofacial" else "left"
    preview = plan_preview(site, side, previous_stage=dt.date(2025, 1, 31))
    assert json.loads(json.dumps(preview)) == preview
    assert preview["strategy"] == recommended_strategy(site)
    assert ("stage_window" in preview) == (preview["strategy"] == "staged")
    assert [o["code"] for o in preview["anaesthesia_options"]] == [
        o.code for o in anaesthesia_options(site)
    ]


@pytest.mark.parametrize(
    ("site", "side", "strategy", "message"),
    [
        ("knee", "left", None, "Unknown site 'knee'"),
        ("femur", "not_applicable", None, "A limb implant is on the left or the right side."),
        ("femur", "left", "three_stage", "Unknown strategy 'three_stage'"),
    ],
)
def test_the_preview_refuses_an_unknown_site_side_or_strategy(site, side, strategy, message):
    with pytest.raises(ValueError, match=message):
        plan_preview(site, side, strategy=strategy)
