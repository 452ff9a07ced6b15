"""The demo obeys the gates (issue 17): every demo episode got where it is through its gates (the
same check the moves run, run again over the seeded records), and the demo holds at least one
patient at each gate."""

from django.core.management import call_command

from osseo.pathway import gates
from osseo.pathway.models import Episode, Phase
from osseo.pathway.queries import entry_unmet, gate_facts

# Each gate, and the phase its patients wait in.
HELD_IN = {
    Phase.PLANNING: Phase.ASSESSMENT,
    Phase.SURGERY: Phase.PLANNING,
    gates.OPERATION: Phase.SURGERY,
    Phase.REHABILITATION: Phase.SURGERY,
    Phase.FOLLOW_UP: Phase.REHABILITATION,
}


def test_the_demo_obeys_the_gates_and_holds_a_patient_at_each(db):
    call_command("demo")
    episodes = list(Episode.objects.select_related("patient", "limb"))
    assert {str(e): [r.code for r in entry_unmet(e)] for e in episodes if entry_unmet(e)} == {}
    held = {}
    for move, phase in HELD_IN.items():
        held[move] = sorted(
            e.patient.family_name
            for e in episodes
            if e.phase == phase and gates.unmet(move, gate_facts(e), from_phase=phase)[0]
        )
    assert all(held.values()), held
    # Every demo operation was recorded on an agreed anaesthesia plan.
    from osseo.surgery.models import Procedure

    assert not Procedure.objects.filter(planned_anaesthesia="").exists()
