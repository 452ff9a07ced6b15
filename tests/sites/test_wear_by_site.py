"""Wear basis by site: steps and gait recordings drive a part's forecast for lower limbs only;
other sites are forecast by time. A part placed at surgery has its forecast from the signature;
the due list names each part's site; a recording's cycles per step outside the plausibility band
is flagged and not applied, and a plausible one applies from its own date forward only."""

import datetime as dt

import pytest

from osseo.connectors import rules
from osseo.connectors.actions import import_daily_steps, record_body_weight, set_service_policy
from osseo.connectors.models import Forecast
from osseo.demo.connectors import DEMO_POLICY
from osseo.patients.sites import SITES
from osseo.surgery.models import Device
from tests.conftest import api_client
from tests.sites.conftest import site_patient

SIGNED = dt.date(2026, 1, 5)


@pytest.fixture
def policies(world):
    for kind in ("dualcone", "abutment"):
        set_service_policy(actor=world.users["clinic_admin"], kind=kind, values=DEMO_POLICY)
    return world


@pytest.mark.parametrize("site", SITES)
def test_each_sites_part_is_forecast_on_its_sites_basis_from_the_signature(policies, site):
    world = policies
    patient, (limb,) = site_patient(world, site, on=SIGNED, refer=False)
    part = Device.objects.get(limb=limb, kind__in=["dualcone", "abutment"])
    signed = Forecast.objects.get(device=part)  # made when the record was signed
    assert signed.time_due_on == dt.date(2027, 1, 5)
    prosthetist = world.users["prosthetist"]
    record_body_weight(actor=prosthetist, patient=patient, measured_on=SIGNED, weight_kg=82)
    days = {SIGNED + dt.timedelta(days=i): 20000 for i in range(60)}
    import_daily_steps(actor=prosthetist, patient=patient, days=days, source="test.csv")
    forecast = Forecast.objects.get(device=part)
    lower = site in ("femur", "tibia")
    assert (forecast.cumulative_cycles is not None) == lower
    assert forecast.basis == ("activity" if lower else "time")
    by_time = [n for n in forecast.notes if n.startswith("Forecast by time")]
    assert bool(by_time) == (not lower)


def test_the_due_list_names_each_parts_site(policies):
    world = policies
    site_patient(world, "humerus", "femur", on=dt.date(2025, 1, 6), refer=False)
    body = api_client(world.users["prosthetist"]).get("/api/v1/connectors/due").json()
    assert sorted((i["kind"], i["site"]) for i in body["items"]) == [
        ("dualcone", "femur"),
        ("dualcone", "humerus"),
    ]


# --- Recordings: plausibility band and forward only, as pure rules ----------------------------

FITTED = dt.date(2026, 1, 5)
POLICY = rules.Policy(
    time_limit_months=120,
    activity_limit_cycles=5e6,
    reference_load_n=800.0,
    sn_exponent_m=4.0,
    cycles_per_step_min=0.05,
    cycles_per_step_max=20.0,
)
DAYS = [(FITTED + dt.timedelta(days=i), 1000) for i in range(100)]
WEIGHT = 800 / rules.STANDARD_GRAVITY  # one step = one cycle at 800 N


def _forecast(*recordings, policy=POLICY):
    return rules.forecast(
        placed_on=FITTED,
        today=FITTED + dt.timedelta(days=100),
        policy=policy,
        days=DAYS,
        body_weight_kg=WEIGHT,
        recordings=recordings,
    )


def test_a_spike_recording_cannot_move_a_forecast():
    plain = _forecast()
    spike = rules.RecordingFigure(dt.date(2026, 1, 6), "spike.csv", 153.6, 2100.0, 3.0)
    spiked = _forecast(spike)
    assert (spiked.due_on, spiked.cumulative_cycles) == (plain.due_on, plain.cumulative_cycles)
    assert (
        "The recording spike.csv of 6 January 2026 gives 154 cycles per step, outside the "
        "plausibility band 0.05 to 20 (not validated): flagged for review, not applied."
    ) in spiked.notes
    no_steps = rules.RecordingFigure(dt.date(2026, 1, 6), "spike.csv", None, 2100.0, 3.0)
    assert _forecast(no_steps).cumulative_cycles == plain.cumulative_cycles


def test_without_a_band_no_recording_is_applied():
    loose = rules.Policy(
        **{**POLICY.__dict__, "cycles_per_step_min": None, "cycles_per_step_max": None}
    )
    figure = rules.RecordingFigure(dt.date(2026, 2, 1), "walk.csv", 2.0, 900.0, 3.0)
    assert _forecast(figure, policy=loose).cumulative_cycles == pytest.approx(100 * 1000)


def test_a_recordings_figure_applies_from_its_own_date_forward_never_before():
    walk = rules.RecordingFigure(FITTED + dt.timedelta(days=50), "walk.csv", 2.0, 900.0, 3.0)
    result = _forecast(walk)
    assert result.cumulative_cycles == pytest.approx(50 * 1000 * 1.0 + 50 * 1000 * 2.0)
    assert result.daily_cycles == pytest.approx(2000.0)
    later = rules.RecordingFigure(FITTED + dt.timedelta(days=80), "stairs.csv", 3.0, 950.0, 3.0)
    both = _forecast(walk, later)
    assert both.cumulative_cycles == pytest.approx(50_000 + 30 * 2000 + 20 * 3000)
