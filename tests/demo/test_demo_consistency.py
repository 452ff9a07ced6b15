"""The demo hangs together and follows the site profiles (issue 16): dates in order (birth,
amputation, operations, parts, rehab, events after the stoma exists, today), body weights that
are a person's, and no rule of one site applied to another (loading programmes, walking aids,
function tests, questionnaires, load recordings)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from osseo.complications.models import AdverseEvent, EventKind
from osseo.connectors.models import ActivityDay, BodyWeight, LoadRecording, MaintenanceRecord
from osseo.outcomes.assigned import instrument_sites
from osseo.outcomes.models import QuestionnaireResponse
from osseo.patients.models import Patient
from osseo.patients.sites import PROFILES
from osseo.rehab.models import FunctionTest, LoadLog, RehabPlan
from osseo.rehab.queries import tests_for as offered_tests
from osseo.surgery.models import Device, DeviceStatus, Procedure, ProcedureKind, RecordStatus

pytestmark = pytest.mark.usefixtures("seeded_demo")

# The parts that pass through the skin: they exist once the stoma does.
THROUGH_SKIN = {"dualcone", "abutment", "abutment_screw", "safety_device"}
# Complications of the stoma itself or of the parts through it.
OF_THE_STOMA = {
    EventKind.STOMA_HYPERGRANULATION,
    EventKind.REDUNDANT_TISSUE,
    EventKind.CONNECTOR_FAILURE,
}


def _clinic_patients():
    return Patient.objects.exclude(care_teams__organisation__demonstration=True).prefetch_related(
        "limbs"
    )


def _stoma_made(limb):
    """The day the limb's stoma was made: its signed single-stage or stage-2 operation."""
    dates = Procedure.objects.filter(
        limb=limb,
        status=RecordStatus.SIGNED,
        kind__in=[ProcedureKind.SINGLE_STAGE, ProcedureKind.STAGE_2],
    ).values_list("performed_on", flat=True)
    return min(dates, default=None)


def test_every_date_is_in_order_from_birth_to_today(db):
    today = timezone.localdate()
    checked = 0
    for patient in _clinic_patients():
        for limb in patient.limbs.all():
            if limb.amputation_date:
                assert patient.birth_date < limb.amputation_date <= today, limb
            operations = Procedure.objects.filter(limb=limb).order_by("performed_on", "id")
            for op in operations:
                assert op.performed_on <= today, op
                if limb.amputation_date:
                    assert op.performed_on > limb.amputation_date, (limb, op)
                checked += 1
            stage_1 = operations.filter(kind=ProcedureKind.STAGE_1).first()
            stage_2 = operations.filter(kind=ProcedureKind.STAGE_2).first()
            if stage_1 and stage_2:
                assert stage_1.performed_on < stage_2.performed_on, limb
    assert checked > 0


def test_parts_through_the_skin_and_stoma_events_come_after_the_stoma(db):
    checked = 0
    for patient in _clinic_patients():
        for limb in patient.limbs.all():
            stoma = _stoma_made(limb)
            # The parts of signed records (a draft's parts are only recorded, not in place).
            parts = Device.objects.filter(limb=limb, kind__in=THROUGH_SKIN).exclude(
                status=DeviceStatus.RECORDED
            )
            events = AdverseEvent.objects.filter(limb=limb, kind__in=OF_THE_STOMA)
            upkeep = MaintenanceRecord.objects.filter(limb=limb)
            if stoma is None:
                assert not parts.exists() and not events.exists() and not upkeep.exists(), limb
                continue
            for part in parts:
                assert part.placed_on >= stoma, part
                checked += 1
            for event in events:
                assert event.onset_on >= stoma, event
            for record in upkeep:
                assert record.performed_on >= stoma, record
    assert checked > 0


def test_rehab_follows_the_operation_and_the_site_profile(db):
    today = timezone.localdate()
    plans = RehabPlan.objects.select_related("limb", "protocol", "patient")
    assert plans.exists()
    measures = set()
    for plan in plans:
        site = plan.limb.site
        assert site in plan.protocol.sites, plan
        stoma = _stoma_made(plan.limb)
        assert stoma is not None and plan.start_date >= stoma, plan
        measures.add(plan.measure)
        lower = PROFILES[site].lower_limb
        if plan.body_weight_kg is not None:
            assert Decimal(35) <= plan.body_weight_kg <= Decimal(150), plan
        for log in LoadLog.objects.filter(plan=plan):
            assert plan.start_date <= log.date <= today, log
            assert log.amount is not None, log
            # A walking aid is a lower-limb matter.
            assert lower or not log.walking_aid, (site, log.walking_aid)
    # The demo shows more than the lower-limb programmes: a clinic's own in wear hours too.
    assert measures >= {"load", "wear_hours"}


def test_tests_questionnaires_and_recordings_follow_each_patients_sites(db):
    for patient in _clinic_patients():
        offered = set(offered_tests(patient))
        for test in FunctionTest.objects.filter(patient=patient):
            assert test.kind in offered, (patient, test.kind)
        taking = instrument_sites(patient)
        for response in QuestionnaireResponse.objects.filter(patient=patient).select_related(
            "questionnaire", "limb"
        ):
            code = response.questionnaire.code
            assert code in taking, (patient, code)
            if response.limb_id:
                assert response.limb in taking[code], (patient, code, response.limb)
        for recording in LoadRecording.objects.filter(patient=patient).select_related("limb"):
            assert recording.limb is not None, recording
            assert PROFILES[recording.limb.site].load_recordings, recording
        sites = {limb.site for limb in patient.limbs.all()}
        if ActivityDay.objects.filter(patient=patient).exists():
            assert any(PROFILES[s].lower_limb for s in sites), patient  # steps for walkers


def test_body_weights_are_a_persons(db):
    weights = list(
        BodyWeight.objects.values_list("weight_kg", "measured_on", "patient__birth_date")
    )
    assert weights
    for kg, on, born in weights:
        assert Decimal(35) <= kg <= Decimal(150)
        assert born < on <= timezone.localdate()
        assert (on - born) > dt.timedelta(days=16 * 365)
