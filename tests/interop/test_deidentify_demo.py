"""`osseo fhir bulk-export DIR --deidentify` on the whole demo: no demo patient's name, NHS or
record number, telecom, address, birth date or id survives anywhere in the output. (A module of
its own: the seeded demo lasts the module.)"""

import re

from osseo.accounts.actions import set_clinic_setting
from osseo.accounts.models import User
from osseo.interop import bulk, validate
from osseo.patients.models import Patient
from tests.interop.bulk import bulk_export, read


def _leaves(node):
    if isinstance(node, dict):
        yield from node
        for value in node.values():
            yield from _leaves(value)
    elif isinstance(node, list):
        for item in node:
            yield from _leaves(item)


def test_no_demo_patients_identifier_survives(seeded_demo, db, tmp_path):
    # Threshold 1: no patient suppressed, so every record is searched.
    for admin in User.objects.filter(membership__role="clinic_admin", is_active=True):
        set_clinic_setting(actor=admin, key="registry_min_at_risk", value=1, source="")
    manifest = bulk_export(tmp_path, "--deidentify")
    exported = read(tmp_path, manifest)
    about = manifest["extension"][bulk.EXTENSION]
    assert (
        about["patients"]
        == Patient.objects.exclude(care_teams__organisation__demonstration=True).count()
    )
    assert about["patientsSuppressed"] == 0
    text = "\n".join(p.read_text() for p in tmp_path.glob("*.ndjson"))
    leaks = []
    for patient in Patient.objects.all():
        words = [patient.given_name, patient.family_name]
        values = [
            patient.nhs_number,
            patient.record_number,
            patient.phone,
            patient.email,
            patient.address,
            str(patient.uuid),
        ]
        for word in words:
            if re.search(rf"\b{re.escape(word)}\b", text):
                leaks.append((str(patient.uuid), word))
        leaks += [(str(patient.uuid), v) for v in values if v and v in text]
    assert leaks == []
    for resources in exported.values():
        for resource in resources:
            # No birth date anywhere (a shifted date elsewhere may by chance equal some
            # patient's birth date, so the dates are checked by element, not as text).
            private = {"note", "description", "identifier", "birthDate"} | (
                {"name"} if resource["resourceType"] != "Organization" else set()
            )
            assert private & set(_leaves(resource)) == set()
            assert validate.check(resource) == []
