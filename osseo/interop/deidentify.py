"""De-identification of the bulk export (`osseo fhir bulk-export DIR --deidentify`).

What leaves (docs/sources.md#deidentification):
- no direct identifier (docs/sources.md#deidentification): a Patient keeps its gender and its
  10-year age band (an extension, `AGE_BAND`: at the first signed implantation, or today for a
  patient with none; one band for 90 and over) and nothing else: no name, NHS or record number,
  telecom, address, birth date or year of birth (a year of birth would be finer than the band
  the small cells are counted on); every id and every `Type/id` reference is a
  keyed pseudonym (the same within one export and from one export to the next, so references
  hold and the registry can follow a patient, but not Osseo's own id); people's names, reference
  displays and the audit trail's ids are left out; a Device keeps its product (GTIN, maker,
  model) but not its label, lot, serial or dates;
- no free text: notes, descriptions and comments are left out, and the signed operative record
  (DocumentReference, Osseo's structured record with its free-text notes) is not exported;
- dates shifted per patient: every date and time of a patient's resources moves by the same
  whole number of days, from -182 to +182 and never 0, derived from an HMAC-SHA-256 of the
  patient's id under `OSSEO_DEIDENTIFY_KEY` (osseo/settings.py: held outside the database,
  the environment or var/deidentify_key). Intervals within a patient survive; without the key
  the shift cannot be recomputed or undone, and it differs between patients;
- small cells (k-anonymity at the clinic's registry threshold `registry_min_at_risk`, the
  setting the registry's de-identified data set uses): each patient's cells are, per signed
  implant, (site, sex, the age band the Patient shows, year implanted), and for a patient
  with no implant, per limb, (site, sex, age band, "not implanted"). A patient with every
  cell shared by at least the threshold is exported as is; otherwise, if every (site, year) is
  shared by at least the threshold, the patient is generalised (gender and age band left
  out); otherwise the patient's whole record is suppressed. The manifest counts both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Min, OuterRef, QuerySet, Subquery

from osseo.accounts.clinic_settings import ResolvedSetting, resolve
from osseo.accounts.models import Organisation, OrganisationKind, User
from osseo.patients.models import Patient, ResidualLimb
from osseo.surgery.models import Device, DeviceKind, RecordStatus

from .systems import LOCAL_BASE, UCUM

SHIFT_DAYS = 182  # the largest shift either way: half a year, so seasons blur but years hold
KEPT, GENERALISED, SUPPRESSED = 0, 1, 2
NOT_IMPLANTED = "not implanted"
AGE_BAND = f"{LOCAL_BASE}/StructureDefinition/age-band"
# Elements holding a date, dateTime or instant in the resources Osseo emits.
DATE_ELEMENTS = frozenset(
    {
        "birthDate",
        "onsetDateTime",
        "abatementDateTime",
        "performedDateTime",
        "effectiveDateTime",
        "occurrenceDateTime",
        "authoredOn",
        "authored",
        "recorded",
        "issued",
        "created",
        "date",
        "start",
        "end",
        "valueDate",
        "valueDateTime",
        "valueInstant",
    }
)
# Free text and identifying detail, wherever it sits.
LEFT_OUT = frozenset({"note", "description", "comment", "policy"})
LEFT_OUT_OF: dict[str, frozenset[str]] = {
    "Patient": frozenset({"identifier", "name", "telecom", "address", "contact", "photo"}),
    "Device": frozenset(
        {"lotNumber", "serialNumber", "expirationDate", "manufactureDate", "deviceName"}
    ),
    "Procedure": frozenset({"report"}),
    "Appointment": frozenset({"cancelationReason"}),  # a reason in words: free text
    "Practitioner": frozenset({"identifier", "name", "telecom", "address"}),
}
NOT_EXPORTED = frozenset({"DocumentReference"})
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(.*)$")


def registry_threshold(actor: User | None) -> ResolvedSetting:
    """The clinic's registry threshold (`registry_min_at_risk`, its value and whether it is
    validated): the actor's organisation's or, for the operator, the strictest of the clinics'
    (not a demonstration centre's)."""
    if actor is not None:
        return resolve(actor.membership.organisation, "registry_min_at_risk")
    clinics = Organisation.objects.filter(kind=OrganisationKind.OI_CLINIC, demonstration=False)
    settings_ = [resolve(c, "registry_min_at_risk") for c in clinics]
    return max(
        settings_,
        key=lambda s: int(s.value),
        default=resolve(None, "registry_min_at_risk"),
    )


def _mac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def date_shift(patient_id: str, key: bytes | None = None) -> int:
    """The patient's shift in days, -SHIFT_DAYS..SHIFT_DAYS and never 0, from a keyed hash of
    their id."""
    mac = _mac(key or settings.OSSEO_DEIDENTIFY_KEY, f"date-shift:{patient_id}")
    days = int.from_bytes(mac[:8]) % (2 * SHIFT_DAYS) - SHIFT_DAYS
    return days if days < 0 else days + 1


def pseudonym(kind: str, key_: str, key: bytes | None = None) -> str:
    """A stable keyed pseudonym for the resource `kind/key_` (a valid FHIR id)."""
    return _mac(key or settings.OSSEO_DEIDENTIFY_KEY, f"id:{kind}/{key_}").hex()[:32]


def age(born: dt.date, on: dt.date) -> int:
    return int((on - born).days / 365.25)


def age_band(born: dt.date, on: dt.date) -> str:
    """The 10-year band of the age on `on`; 90 and over is one band
    (docs/sources.md#deidentification)."""
    low = min(age(born, on) // 10 * 10, 90)
    return "90+" if low == 90 else f"{low}-{low + 9}"


def _signed_implants() -> QuerySet[Device]:
    return Device.objects.filter(kind=DeviceKind.IMPLANT, placed_by__status=RecordStatus.SIGNED)


def cells(patients: QuerySet[Patient], today: dt.date) -> Iterator[tuple[str, tuple, tuple]]:
    """(patient id, fine cell, coarse cell) for each signed implant of `patients`, and for each
    limb of a patient with none (see the module's notes), streamed from the database. The age
    band is the one the export shows: at the patient's first implantation (`first_implanted`),
    or today for a patient with none."""
    implants = _signed_implants().filter(patient_id__in=patients.values("pk"))
    first = (
        _signed_implants()
        .filter(patient_id=OuterRef("patient_id"))
        .order_by("placed_on")
        .values("placed_on")[:1]
    )
    rows = implants.annotate(first=Subquery(first)).values_list(
        "patient__uuid", "limb__site", "patient__sex", "patient__birth_date", "placed_on", "first"
    )
    for uuid, site, sex, born, placed, earliest in rows.iterator(2000):
        year = str(placed.year) if placed else ""
        band = age_band(born, earliest or today)
        yield str(uuid), (site, sex, band, year), (site, year)
    others = patients.exclude(pk__in=implants.values("patient_id"))
    limbs = ResidualLimb.objects.filter(patient_id__in=others.values("pk"))
    with_limb: set[int] = set()
    for pk, uuid, site, sex, born in limbs.values_list(
        "patient_id", "patient__uuid", "site", "patient__sex", "patient__birth_date"
    ).iterator(2000):
        with_limb.add(pk)
        band = age_band(born, today)
        yield str(uuid), (site, sex, band, NOT_IMPLANTED), (site, NOT_IMPLANTED)
    for pk, uuid, sex, born in others.values_list("pk", "uuid", "sex", "birth_date").iterator(2000):
        if pk not in with_limb:
            band = age_band(born, today)
            yield str(uuid), ("", sex, band, NOT_IMPLANTED), ("", NOT_IMPLANTED)


def first_implanted(patients: list[Patient]) -> dict[str, dt.date]:
    """Each patient's first signed implantation, by patient id (those with one)."""
    rows = (
        _signed_implants()
        .filter(patient_id__in=[p.pk for p in patients])
        .values("patient__uuid")
        .annotate(first=Min("placed_on"))
        .values_list("patient__uuid", "first")
    )
    return {str(uuid): first for uuid, first in rows if first}


def age_band_extension(band: str) -> dict[str, Any]:
    """The age band as an extension of the Patient (a Range of years, UCUM `a`)."""

    def years(value: int) -> dict[str, Any]:
        return {"value": value, "unit": "a", "system": UCUM, "code": "a"}

    low, _, high = band.rstrip("+").partition("-")
    span: dict[str, Any] = {"low": years(int(low))}
    if high:
        span["high"] = years(int(high))
    return {"url": AGE_BAND, "valueRange": span}


class Deidentifier:
    """Turns each resource of an identified export into its de-identified form (or None)."""

    def __init__(
        self,
        patients: QuerySet[Patient],
        *,
        threshold: int,
        threshold_label: str = "not validated",
        today: dt.date,
        key: bytes | None = None,
    ) -> None:
        self.key = key or settings.OSSEO_DEIDENTIFY_KEY
        self.threshold = threshold
        self.threshold_label = threshold_label
        fine: Counter[tuple] = Counter()
        coarse: Counter[tuple] = Counter()
        for _, f, c in cells(patients, today):
            fine[f] += 1
            coarse[c] += 1
        # Only the patients not kept as they are: few, whatever the registry's size.
        self.levels: dict[str, int] = {}
        for patient, f, c in cells(patients, today):
            level = KEPT if fine[f] >= threshold else GENERALISED
            if coarse[c] < threshold:
                level = SUPPRESSED
            if level > self.levels.get(patient, KEPT):
                self.levels[patient] = level
        self.today = today
        self.left_out: Counter[str] = Counter()
        self.first: dict[str, dt.date] = {}

    def prepare(self, group: list[Patient], *, keep: bool = False) -> None:
        """Read what the batch's Patients show (each one's first implantation) before they are
        mapped; `keep` adds to what earlier batches read instead of replacing it."""
        found = first_implanted(group)
        self.first = self.first | found if keep else found

    def level(self, patient_id: str) -> int:
        return self.levels.get(patient_id, KEPT)

    def suppressed_in(self, group: list[Patient]) -> int:
        return sum(1 for p in group if self.level(str(p.uuid)) == SUPPRESSED)

    def summary(self) -> dict[str, Any]:
        levels = Counter(self.levels.values())
        return {
            "threshold": self.threshold,
            "thresholdSource": self.threshold_label,
            "patientsGeneralised": levels[GENERALISED],
            "patientsSuppressed": levels[SUPPRESSED],
            "resourcesSuppressed": self.left_out["suppressed"],
            "resourcesLeftOut": dict(
                sorted((k, v) for k, v in self.left_out.items() if k != "suppressed")
            ),
        }

    def apply(self, patient_id: str, resource: dict[str, Any]) -> dict[str, Any] | None:
        """The de-identified resource of the patient `patient_id`, or None when it is not
        exported (a suppressed patient's, or a kind that is free text)."""
        kind = resource["resourceType"]
        level = self.level(patient_id)
        if level == SUPPRESSED:
            self.left_out["suppressed"] += 1
            return None
        if kind in NOT_EXPORTED:
            self.left_out[kind] += 1
            return None
        days = date_shift(patient_id, self.key)
        out = self._clean(resource, kind, dt.timedelta(days=days))
        if kind == "Patient":
            born = resource.get("birthDate")
            out.pop("birthDate", None)
            if level == GENERALISED:
                out.pop("gender", None)
            elif born:
                on = self.first.get(patient_id, self.today)
                band = age_band(dt.date.fromisoformat(born[:10]), on)
                out["extension"] = [*out.get("extension", []), age_band_extension(band)]
        if kind == "Provenance":
            out["target"] = [t for t in out["target"] if not _names("DocumentReference", t)]
            for agent in out["agent"]:
                if "reference" not in agent["who"]:  # the command line or the system
                    agent["who"] = {"display": "Osseo"}
        return out

    def shared(self, resource: dict[str, Any]) -> dict[str, Any]:
        """A Practitioner or Organization named by the records: no name for a person, and a
        pseudonymous id."""
        return self._clean(resource, resource["resourceType"], None)

    def _clean(self, node: Any, kind: str, delta: dt.timedelta | None) -> Any:
        if isinstance(node, list):
            return [self._clean(item, kind, delta) for item in node]
        if not isinstance(node, dict):
            return node
        drop = LEFT_OUT | LEFT_OUT_OF.get(kind, frozenset()) if "resourceType" in node else LEFT_OUT
        out: dict[str, Any] = {}
        for name, value in node.items():
            if name in drop:
                continue
            if name == "id" and "resourceType" in node:
                out["id"] = pseudonym(node["resourceType"], value, self.key)
            elif name == "reference" and isinstance(value, str) and "/" in value:
                target, key_ = value.split("/", 1)
                out["reference"] = f"{target}/{pseudonym(target, key_, self.key)}"
            elif name == "display" and "reference" in node:
                continue  # who the reference names, in words: a person's name
            elif name in DATE_ELEMENTS and isinstance(value, str) and delta is not None:
                out[name] = _shift(value, delta)
            elif name == "udiCarrier":
                out[name] = [_product_only(c) for c in value]
            else:
                out[name] = self._clean(value, kind, delta)
        return out


def _names(kind: str, reference: dict[str, Any]) -> bool:
    return str(reference.get("reference", "")).startswith(f"{kind}/")


def _product_only(carrier: dict[str, Any]) -> dict[str, Any]:
    """The UDI carrier without the label (which holds the lot, serial and dates)."""
    return {k: v for k, v in carrier.items() if k in ("deviceIdentifier", "issuer", "entryType")}


def _shift(value: str, delta: dt.timedelta) -> str:
    """A FHIR date, dateTime or instant moved by `delta` (the time of day and zone kept); a
    partial date (a year, or a year and month) cannot be moved exactly and keeps its year only."""
    match = _DATE.match(value)
    if match is None:
        return value[:4]
    day = dt.date.fromisoformat(match.group(1)) + delta
    return day.isoformat() + match.group(2)
