from django.core.management import call_command

from osseo.accounts.models import User
from osseo.patients.queries import patients_for
from osseo.rehab.models import FunctionTest, LoadLog, RehabPlan


def test_the_demo_refers_rehab_and_follow_up_patients_with_plans_logs_and_flags(db):
    call_command("demo")
    rehab = User.objects.get(username="rehab")
    seen = patients_for(rehab)
    assert seen.count() >= 4
    # Every limb patient has a plan of a protocol for that limb's site; head and neck, none.
    limbs = seen.exclude(limbs__site="craniofacial")
    assert set(RehabPlan.objects.values_list("patient", flat=True)) == set(
        limbs.values_list("pk", flat=True)
    )
    for plan in RehabPlan.objects.select_related("limb", "protocol"):
        assert plan.limb.site in plan.protocol.sites
    flags = {f for fl in LoadLog.objects.values_list("flags", flat=True) for f in fl}
    assert {"under_loading", "pain_over_gate"} <= flags
    assert FunctionTest.objects.filter(kind="six_minute_walk").exists()
