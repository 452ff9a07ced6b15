"""`osseo fhir bulk-export DIR --deidentify`: no direct identifier or free text survives, dates
move by one keyed offset per patient, small cells are generalised or suppressed and counted."""

import datetime as dt
import json

from django.utils import timezone

from osseo.accounts.actions import set_clinic_setting
from osseo.interop import bulk, deidentify, validate
from osseo.interop.deidentify import DATE_ELEMENTS, date_shift, pseudonym
from tests.conftest import make_patient
from tests.interop.bulk import bulk_export, operated_patient, read


def _dates(node, path=""):
    """{path: value} of every date element of a resource."""
    found = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if key in DATE_ELEMENTS and isinstance(value, str):
                found[f"{path}.{key}"] = value
            else:
                found |= _dates(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found |= _dates(item, f"{path}[{i}]")
    return found


def _by_pseudonym(exported):
    return {f"{kind}/{r['id']}": r for kind, resources in exported.items() for r in resources}


def _threshold(world, value):
    set_clinic_setting(
        actor=world.users["clinic_admin"], key="registry_min_at_risk", value=value, source=""
    )


def test_every_resource_validates_and_every_reference_resolves(recorded, tmp_path):
    _threshold(recorded, 1)
    manifest = bulk_export(tmp_path, "--deidentify", "--validate")
    assert manifest["error"] == []
    exported = read(tmp_path, manifest)
    present = set(_by_pseudonym(exported))
    for resources in exported.values():
        for resource in resources:
            assert validate.check(resource) == []
            assert [r for r in validate.references(resource) if r not in present] == []
    assert "DocumentReference" not in exported  # the operative record is free text


def _band(low, high=None):
    def years(value):
        return {"value": value, "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"}

    span = {"low": years(low)} | ({"high": years(high)} if high is not None else {})
    return [{"url": deidentify.AGE_BAND, "valueRange": span}]


def test_a_patient_keeps_only_gender_and_age_band_under_a_pseudonym(recorded, tmp_path):
    world = recorded
    _threshold(world, 1)
    exported = read(tmp_path, bulk_export(tmp_path, "--deidentify", "--actor", "surgeon"))
    [patient] = exported["Patient"]
    # Born 17 May 1980, implanted 10 January 2025: 44 at implantation.
    assert patient == {
        "resourceType": "Patient",
        "id": pseudonym("Patient", str(world.patient.uuid)),
        "gender": "female",
        "extension": _band(40, 49),
    }
    [device] = [d for d in exported["Device"] if d["type"]["coding"][0]["code"] == "implant"]
    assert "lotNumber" not in device and "expirationDate" not in device
    assert set(device["udiCarrier"][0]) <= {"deviceIdentifier", "issuer", "entryType"}
    assert all("name" not in p for p in exported["Practitioner"])


def test_dates_move_by_one_keyed_offset_within_a_patient_and_differ_between_them(
    recorded, tmp_path
):
    world = recorded
    _threshold(world, 1)
    others = [
        operated_patient(world, given_name=name, family_name="Shift") for name in ("Cai", "Dee")
    ]
    patients = [world.patient, *others]
    plain = read(tmp_path / "plain", bulk_export(tmp_path / "plain", "--actor", "surgeon"))
    hidden = _by_pseudonym(
        read(
            tmp_path / "hidden",
            bulk_export(tmp_path / "hidden", "--deidentify", "--actor", "surgeon"),
        )
    )
    offsets = {}
    for patient in patients:
        key = str(patient.uuid)
        seen = set()
        for kind, resources in plain.items():
            for resource in resources:
                if key not in json.dumps(resource) or kind == "DocumentReference":
                    continue
                twin = hidden[f"{kind}/{pseudonym(kind, resource['id'])}"]
                before, after = _dates(resource), _dates(twin)
                for path, value in before.items():
                    if path == ".birthDate":
                        continue
                    moved = dt.date.fromisoformat(after[path][:10]) - dt.date.fromisoformat(
                        value[:10]
                    )
                    assert after[path][10:] == value[10:]  # the time of day is kept
                    seen.add(moved.days)
        assert len(seen) == 1, patient  # one offset for all of a patient's dates
        offsets[key] = seen.pop()
        assert offsets[key] == date_shift(key) != 0
        assert abs(offsets[key]) <= deidentify.SHIFT_DAYS
    assert len(set(offsets.values())) > 1  # patients move differently
    # Without the key, the offset is not what it is under it.
    other_key = b"another key of at least thirty-two bytes!"
    assert [date_shift(k, other_key) for k in offsets] != list(offsets.values())


def test_small_cells_are_generalised_or_suppressed_and_counted(recorded, tmp_path):
    world = recorded
    _threshold(world, 2)
    # The world's patient (femur, female, born 1980, operated 2025) shares her cell with Eve;
    # Finn differs by sex only (generalised); Gus has the only tibial implant (suppressed).
    eve = operated_patient(world, given_name="Eve", family_name="Same")
    finn = operated_patient(world, given_name="Finn", family_name="Male", sex="male")
    gus = operated_patient(world, given_name="Gus", family_name="Arm", site="tibia")
    manifest = bulk_export(tmp_path, "--deidentify", "--actor", "surgeon")
    about = manifest["extension"][bulk.EXTENSION]
    assert about["deidentified"] is True
    assert about["threshold"] == 2
    assert about["thresholdSource"] == "not validated"  # the clinic set it without a source
    assert (about["patientsGeneralised"], about["patientsSuppressed"]) == (1, 1)
    assert about["patients"] == 3
    assert about["resourcesSuppressed"] > 0
    patients = {p["id"]: p for p in read(tmp_path, manifest)["Patient"]}
    kept = [pseudonym("Patient", str(p.uuid)) for p in (world.patient, eve)]
    assert all({"gender", "extension"} <= set(patients[k]) for k in kept)
    assert set(patients[pseudonym("Patient", str(finn.uuid))]) == {"resourceType", "id"}
    assert pseudonym("Patient", str(gus.uuid)) not in patients
    text = "".join(p.read_text() for p in tmp_path.glob("*.ndjson"))
    assert pseudonym("Patient", str(gus.uuid)) not in text  # none of his resources either


def test_ninety_and_over_is_one_band_and_a_patient_without_an_implant_is_banded_today(
    world, tmp_path
):
    _threshold(world, 1)
    old = make_patient(world.users["coordinator"], given_name="Ida", birth_date=dt.date(1920, 2, 2))
    exported = read(tmp_path, bulk_export(tmp_path, "--deidentify", "--actor", "surgeon"))
    patients = {p["id"]: p for p in exported["Patient"]}
    assert patients[pseudonym("Patient", str(old.uuid))] == {
        "resourceType": "Patient",
        "id": pseudonym("Patient", str(old.uuid)),
        "gender": "female",
        "extension": _band(90),
    }
    # Born 17 May 1980 and not implanted: banded on the day of the export.
    today = timezone.localdate()
    low = deidentify.age(dt.date(1980, 5, 17), today) // 10 * 10
    young = patients[pseudonym("Patient", str(world.patient.uuid))]
    assert young["extension"] == _band(low, low + 9)
