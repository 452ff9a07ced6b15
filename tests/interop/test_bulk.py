"""`osseo fhir bulk-export DIR`: NDJSON per resource type and a manifest in the FHIR Bulk Data
layout, every resource valid and every reference resolved, within the actor's scope, never the
demonstration centres', audited."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError

from osseo.accounts.actions import create_organisation
from osseo.audit.models import AuditEntry
from osseo.interop import bulk, validate
from tests.conftest import make_patient, make_user
from tests.interop.bulk import bulk_export, read
from tests.interop.conftest import RECORDED_KINDS


def test_it_writes_one_ndjson_file_per_type_and_a_bulk_data_manifest(recorded, tmp_path):
    manifest = bulk_export(tmp_path)
    assert sorted(manifest) == [
        "error",
        "extension",
        "output",
        "request",
        "requiresAccessToken",
        "transactionTime",
    ]
    assert manifest["request"] == "http://localhost:8000/api/v1/fhir/$export"
    assert manifest["requiresAccessToken"] is False
    assert manifest["error"] == []
    types = [item["type"] for item in manifest["output"]]
    assert types == RECORDED_KINDS
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == sorted([*(f"{t}.ndjson" for t in types), "manifest.json"])
    for item in manifest["output"]:
        assert item["url"] == f"{item['type']}.ndjson"
        lines = (tmp_path / item["url"]).read_text().splitlines()
        assert item["count"] == len(lines)
        assert {json.loads(line)["resourceType"] for line in lines} == {item["type"]}
    about = manifest["extension"][bulk.EXTENSION]
    # The operator exports every patient: the clinic's and the other clinic's.
    assert about == {"patients": 2, "deidentified": False}


def test_every_resource_validates_and_every_reference_resolves(recorded, tmp_path):
    exported = read(tmp_path, bulk_export(tmp_path))
    present = {f"{kind}/{r['id']}" for kind, rs in exported.items() for r in rs}
    for resources in exported.values():
        for resource in resources:
            assert validate.check(resource) == [], resource["resourceType"]
            dangling = [r for r in validate.references(resource) if r not in present]
            assert dangling == []


def test_it_holds_the_same_resources_as_each_patients_everything(recorded, tmp_path):
    from osseo.interop import everything

    world = recorded
    exported = read(tmp_path, bulk_export(tmp_path, "--validate"))
    everything_ids = {
        f"{r['resourceType']}/{r['id']}"
        for patient in (world.patient, world.other_patient)
        for r in everything.resources(patient)
    }
    bulk_ids = {
        f"{kind}/{r['id']}"
        for kind, rs in exported.items()
        if kind not in ("Practitioner", "Organization")
        for r in rs
    }
    assert bulk_ids == everything_ids


def test_small_batches_write_the_same_resources(recorded, tmp_path):
    whole = read(tmp_path / "a", bulk_export(tmp_path / "a"))
    bulk.export(tmp_path / "b", actor=None, batch=1)
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    batched = read(tmp_path / "b", manifest)
    assert {k: sorted(r["id"] for r in v) for k, v in batched.items()} == {
        k: sorted(r["id"] for r in v) for k, v in whole.items()
    }


def test_an_account_exports_only_its_organisations_patients(recorded, tmp_path):
    world = recorded
    mine = read(tmp_path / "surgeon", bulk_export(tmp_path / "surgeon", "--actor", "surgeon"))
    assert [p["id"] for p in mine["Patient"]] == [str(world.patient.uuid)]
    theirs = read(tmp_path / "outsider", bulk_export(tmp_path / "outsider", "--actor", "outsider"))
    assert [p["id"] for p in theirs["Patient"]] == [str(world.other_patient.uuid)]
    assert "Procedure" not in theirs


@pytest.mark.parametrize("username", ["coordinator", "rehab", "patient"])
def test_an_account_without_the_registry_export_permission_is_refused(recorded, tmp_path, username):
    with pytest.raises(CommandError, match="may not"):
        bulk_export(tmp_path / "out", "--actor", username)
    assert not (tmp_path / "out").exists()
    assert not AuditEntry.objects.filter(action="interop.bulk.exported").exists()


def test_a_demonstration_centres_synthetic_patients_are_never_exported(world, tmp_path):
    centre = create_organisation(name="Demo centre", slug="demo-c", kind="oi_clinic")
    centre.demonstration = True
    centre.save(update_fields=["demonstration"])
    synthetic = make_patient(make_user("demo-user", "coordinator", centre), given_name="Synth")
    exported = read(tmp_path, bulk_export(tmp_path))
    ids = {p["id"] for p in exported["Patient"]}
    assert str(synthetic.uuid) not in ids
    assert ids == {str(world.patient.uuid), str(world.other_patient.uuid)}


def test_a_folder_holding_files_is_refused_and_left_alone(world, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="not empty"):
        bulk_export(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_it_is_audited_once_and_as_a_read_of_each_record(recorded, tmp_path):
    world = recorded
    bulk_export(tmp_path, "--actor", "surgeon")
    entry = AuditEntry.objects.get(action="interop.bulk.exported")
    assert entry.actor == world.users["surgeon"]
    assert entry.changes["patients"] == 1
    assert entry.changes["deidentified"] is False
    assert entry.changes["resources"]["Patient"] == 1
    read_ = AuditEntry.objects.get(action="interop.record.exported")
    assert (read_.patient, read_.changes["via"]) == (world.patient, "bulk export")


def test_a_resource_failing_the_checks_goes_to_the_error_file_as_an_operation_outcome(tmp_path):
    files = bulk.NdjsonFiles(tmp_path)
    bulk._write(files, {"resourceType": "Patient", "id": "p1", "gender": "robot"}, True)
    bulk._write(files, {"resourceType": "Patient", "id": "p2", "gender": "female"}, True)
    files.close()
    [outcome] = [json.loads(line) for line in (tmp_path / bulk.ERRORS).read_text().splitlines()]
    assert outcome["resourceType"] == "OperationOutcome"
    assert validate.check(outcome) == []
    assert [i["expression"] for i in outcome["issue"]] == [["Patient.gender"]] * len(
        outcome["issue"]
    )
    assert "Patient/p1" in outcome["issue"][0]["diagnostics"]
    assert [json.loads(line)["id"] for line in (tmp_path / "Patient.ndjson").open()] == ["p2"]
    manifest = bulk._manifest(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), files, 1, None)
    assert manifest["error"] == [{"type": "OperationOutcome", "url": bulk.ERRORS, "count": 1}]
    assert manifest["output"] == [{"type": "Patient", "url": "Patient.ndjson", "count": 1}]
