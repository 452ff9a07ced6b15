from django.core.management import call_command

from osseo.audit.services import verify_chain
from osseo.portal.models import Enquiry


def test_the_demo_seeds_enquiries_at_every_triage_step(db, capsys):
    call_command("demo")
    rows = list(Enquiry.objects.order_by("id").values_list("name", "status"))
    assert rows == [
        ("Kensa Rowe", "new"),
        ("Jory Treloar", "new"),
        ("Elowen Hocking", "contacted"),
        ("Piran Angove", "closed"),
        ("Tamsyn Pascoe", "converted"),
    ]
    converted = Enquiry.objects.get(status="converted")
    assert converted.episode.phase == "referral"
    assert converted.patient.record_number == "DEMO-ENQ-1"
    assert "Subject:" not in capsys.readouterr().out  # the demo sends no email
    assert verify_chain().ok
