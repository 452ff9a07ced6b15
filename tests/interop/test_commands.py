"""`osseo fhir export` and `osseo fhir import`: the same Bundle and the same import as the API."""

import json

import pytest
from django.core.management import CommandError, call_command

from osseo.audit.models import AuditEntry
from osseo.interop import validate
from osseo.patients.models import Patient
from tests.interop.test_import import REFERRAL


def test_export_writes_the_patients_bundle_and_audits_the_command_line(recorded, tmp_path):
    world = recorded
    out = tmp_path / "record.json"
    call_command("fhir", "export", "--patient", str(world.patient.uuid), "--output", str(out))
    bundle = json.loads(out.read_text())
    assert bundle["type"] == "searchset"
    assert validate.bundle_problems(bundle) == []
    assert bundle["entry"][0]["resource"]["id"] == str(world.patient.uuid)
    entry = AuditEntry.objects.get(action="interop.record.exported")
    assert entry.actor is None and entry.actor_label.startswith("cli: ")


def test_export_as_an_account_outside_the_patients_care_is_refused(recorded):
    with pytest.raises(CommandError, match="that you may see"):
        call_command(
            "fhir", "export", "--patient", str(recorded.patient.uuid), "--actor", "outsider"
        )


def test_import_creates_the_referral_and_prints_each_location(world, tmp_path, capsys):
    path = tmp_path / "referral.json"
    path.write_text(json.dumps(REFERRAL))
    call_command("fhir", "import", str(path), "--actor", "coordinator")
    printed = capsys.readouterr().out.splitlines()
    patient = Patient.objects.get(nhs_number="9000000009")
    assert printed[0] == f"201 Created: Patient/{patient.uuid}"


def test_a_refused_import_prints_each_problem_by_entry_path(world, tmp_path, capsys):
    bundle = json.loads(json.dumps(REFERRAL))
    bundle["entry"][1]["resource"]["resourceType"] = "Observation"
    path = tmp_path / "referral.json"
    path.write_text(json.dumps(bundle))
    with pytest.raises(CommandError, match="refused, nothing imported"):
        call_command("fhir", "import", str(path), "--actor", "coordinator")
    assert "Bundle.entry[1].resource.resourceType" in capsys.readouterr().err
    assert not Patient.objects.filter(nhs_number="9000000009").exists()
