"""The deterministic, fictional demo cohort, built through the same actions the users call."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from osseo.accounts.actions import create_user, enrol_totp_for
from osseo.accounts.models import Organisation, OrganisationKind, Role, User
from osseo.accounts.organisation_actions import add_organisation, add_partnership
from osseo.audit.context import acting_as
from osseo.demo import complications as demo_complications
from osseo.demo import surgery as demo_surgery
from osseo.demo.reference import ensure_reference_data
from osseo.demo.rehab import seed_rehab
from osseo.pathway.actions import open_episode, transition_to
from osseo.pathway.machine import ORDER
from osseo.pathway.models import Episode, Phase
from osseo.patients.actions import add_limb, create_patient
from osseo.patients.models import Patient, Site
from osseo.patients.nhs import nhs_check_digit
from osseo.portal.actions import add_note, convert_enquiry, receive_enquiry, set_status

# The demo administrator's authenticator secret (hex): RFC 6238 Appendix B's published test key,
# so it is plainly not a secret; a local demo database only.
DEMO_ADMIN_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_PASSWORD = "osseo-demo-2026"  # fictional accounts on a local demo database only  # noqa: S105
SEED = 20261126
COHORT = 48

# Fictional names, none belonging to a real patient.
GIVEN = [
    "Alys",
    "Bryn",
    "Cerys",
    "Dafydd",
    "Elin",
    "Ffion",
    "Gethin",
    "Heledd",
    "Ianto",
    "Lowri",
    "Macsen",
    "Nia",
    "Owain",
    "Rhian",
    "Siôn",
    "Tegan",
    "Wyn",
    "Aled",
    "Betsan",
    "Carwyn",
    "Delyth",
    "Emrys",
    "Glenys",
    "Huw",
]
FAMILY = [
    "Ashdown",
    "Brackley",
    "Corran",
    "Dunmere",
    "Eastleigh",
    "Fenwick",
    "Garrow",
    "Holloway",
    "Ingleby",
    "Jessop",
    "Kerridge",
    "Lanyon",
    "Morcombe",
    "Northam",
    "Ottery",
    "Pendower",
    "Quarrell",
    "Redvers",
    "Stallard",
    "Trevose",
]
USERS = [
    ("surgeon", Role.SURGEON, "demo-clinic", "Morwenna", "Hale"),
    ("anaesthetist", Role.ANAESTHETIST, "demo-clinic", "Idris", "Penrose"),
    ("prosthetist", Role.PROSTHETIST, "demo-clinic", "Kit", "Arundel"),
    ("coordinator", Role.COORDINATOR, "demo-clinic", "Tamsin", "Vosper"),
    ("admin", Role.CLINIC_ADMIN, "demo-clinic", "Jago", "Polglase"),
    ("rehab", Role.REHAB_SPECIALIST, "demo-rehab", "Demelza", "Carne"),
]
SITES = [s.value for s in Site]
TARGETS: list[str] = [*ORDER, Phase.DECLINED, Phase.CLOSED]
REASONS: dict[str, str] = {
    Phase.DECLINED: "Not eligible at MDT: dysvascular limb (demo).",
    Phase.CLOSED: "Discharged to long-term follow-up elsewhere (demo).",
}


# Fictional public enquiries: (name, email, phone, site, side, year, cause, problems, triage step).
ENQUIRIES = [
    (
        "Kensa Rowe",
        "kensa@example.org",
        "",
        "femur",
        "right",
        2011,
        "trauma",
        "Socket sores every summer.",
        "new",
    ),
    (
        "Jory Treloar",
        "",
        "01632 960 901",
        "tibia",
        "left",
        2019,
        "vascular",
        "Cannot wear the socket for more than two hours.",
        "new",
    ),
    (
        "Elowen Hocking",
        "elowen@example.org",
        "01632 960 902",
        "humerus",
        "left",
        2008,
        "tumour",
        "The arm prosthesis is too heavy to use.",
        "contacted",
    ),
    (
        "Piran Angove",
        "piran@example.org",
        "",
        "femur",
        "left",
        2015,
        "trauma",
        "Volume changes; the socket never fits.",
        "closed",
    ),
    (
        "Tamsyn Pascoe",
        "tamsyn@example.org",
        "",
        "tibia",
        "right",
        2017,
        "infection",
        "Skin breakdown at the socket rim.",
        "converted",
    ),
]


def _seed_enquiries(clinic: Organisation, coordinator: User) -> None:
    for name, email, phone, site, side, year, cause, problems, step in ENQUIRIES:
        enquiry = receive_enquiry(
            organisation=clinic,
            data={
                "name": name,
                "email": email,
                "phone": phone,
                "site": site,
                "side": side,
                "amputation_year": year,
                "cause": cause,
                "prosthesis_problems": problems,
                "heard_from": "Limb centre (demo)",
                "consent": True,
                "message": "",
            },
            notify=False,
        )
        if step == "new":
            continue
        add_note(actor=coordinator, enquiry=enquiry, text="Phoned; talked it through (demo).")
        if step == "contacted":
            set_status(actor=coordinator, enquiry=enquiry, status="contacted")
        elif step == "closed":
            set_status(
                actor=coordinator,
                enquiry=enquiry,
                status="closed",
                reason="Chose to keep their socket prosthesis for now (demo).",
            )
        else:
            given, family = name.split()
            convert_enquiry(
                actor=coordinator,
                enquiry=enquiry,
                patient_data={
                    "given_name": given,
                    "family_name": family,
                    "birth_date": dt.date(1976, 4, 9),
                    "sex": "female",
                    "record_number": "DEMO-ENQ-1",
                    "email": email,
                },
                limb_data={
                    "site": site,
                    "side": side,
                    "amputation_date": dt.date(year, 3, 1),
                    "cause": cause,
                },
            )


@dataclass
class DemoResult:
    created: bool
    patients: int
    users: list[tuple[str, str, str]]


def _nhs_number(rng: random.Random) -> str:
    # 999 prefix: the NHS range reserved for test data, so no real patient is ever matched.
    while True:
        first_nine = "999" + "".join(str(rng.randint(0, 9)) for _ in range(6))
        check = nhs_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)


# Patients held at a gate (issue 17), so the demo shows each gate stopping someone: by cohort
# index. The others in assessment and planning are held there too (no decision yet; no plan yet).
HELD_DEFERRED = 9  # in assessment: the MDT deferred its decision
HELD_UNAGREED = 3  # in surgery: the plan's anaesthesia is not agreed, so no operation is recorded
HELD_DRAFT = 11  # in surgery: the operation is recorded but its record is not signed
HELD_NO_REHAB_PLAN = 4  # in rehabilitation: no rehabilitation plan yet (seed_rehab skips it)
FOLLOW_UP_REASON = "Rehabilitation completed with the partner; its plan is kept there (demo)."


def _walk(
    staff: dict[str, User],
    episode: Episode,
    target: str,
    staged: bool,
    n: int,
    catalogue: dict[str, Any],
) -> None:
    """Walk an episode to `target` through the same actions a clinic uses at each phase, meeting
    each gate (osseo/pathway/gates.py) the way a clinic does."""
    coordinator, surgeon = staff["coordinator"], staff["surgeon"]
    actor = surgeon if n % 2 else coordinator
    if target in (Phase.DECLINED, Phase.CLOSED):
        transition_to(actor=actor, episode=episode, to_phase=Phase.ASSESSMENT)
        if target == Phase.DECLINED:
            demo_surgery.assess(staff, episode, eligible=False, n=n)
        transition_to(actor=actor, episode=episode, to_phase=target, reason=REASONS[target])
        return
    for phase in ORDER[1 : ORDER.index(target) + 1]:
        if phase == Phase.PLANNING:
            demo_surgery.assess(staff, episode, eligible=True, n=n)
        if phase == Phase.SURGERY:
            demo_surgery.plan(staff, episode, staged=staged, agree=n != HELD_UNAGREED)
        reason = FOLLOW_UP_REASON if phase == Phase.FOLLOW_UP else ""
        transition_to(actor=actor, episode=episode, to_phase=phase, reason=reason)
        if phase != Phase.SURGERY or (target == Phase.SURGERY and n != HELD_DRAFT):
            continue
        dualcone = catalogue["dualcone"]
        if staged:
            # A staged procedure (guide: head, neck and hand "may still require multiple, staged
            # procedures"): stage 1, back to planning, then stage 2.
            demo_surgery.operate(surgeon, episode, kind="stage_1", n=n, dualcone=dualcone)
            transition_to(
                actor=actor,
                episode=episode,
                to_phase=Phase.PLANNING,
                reason="Stage 1 done; planning stage 2 (demo).",
            )
            transition_to(actor=actor, episode=episode, to_phase=Phase.SURGERY)
        demo_surgery.operate(
            surgeon,
            episode,
            kind="stage_2" if staged else "single_stage",
            n=n,
            dualcone=dualcone,
            sign=n != HELD_DRAFT,
        )
    if target == Phase.ASSESSMENT and n == HELD_DEFERRED:
        demo_surgery.assess(staff, episode, eligible=True, n=n, decision="defer")


def seed_demo() -> DemoResult:
    from osseo.demo.patients import PATIENT_ACCOUNTS, patient_account, seed_patient_accounts

    users = [(u, str(r), org) for u, r, org, *_ in USERS] + [("patient", "patient", "demo-clinic")]
    users += [(u, f"patient ({what})", "demo-clinic") for u, what in PATIENT_ACCOUNTS]
    if Organisation.objects.filter(slug="demo-clinic").exists():
        return DemoResult(False, Patient.objects.count(), users)
    ensure_reference_data()  # the migrations' rows, in case the database was flushed
    rng = random.Random(SEED)  # noqa: S311  deterministic: the same cohort on every machine
    with transaction.atomic(), acting_as(label="osseo demo"):
        # Fictional contact details: telephone numbers from the ranges Ofcom keeps for drama.
        clinic = add_organisation(
            actor=None,
            name="Demo Osseointegration Clinic",
            slug="demo-clinic",
            kind=OrganisationKind.OI_CLINIC,
            contact={
                "telephone": "0113 496 0000",
                "out_of_hours": "0113 496 0999",
                "email": "osseointegration@example.org",
                "address": "Demo Osseointegration Clinic\n1 Example Road\nLeeds",
            },
        )
        partner = add_organisation(
            actor=None,
            name="Demo Rehabilitation Partner",
            slug="demo-rehab",
            kind=OrganisationKind.REHAB_PARTNER,
            contact={"telephone": "0161 496 0000", "email": "rehab@example.org"},
        )
        add_partnership(clinic=clinic, partner=partner)  # the clinic refers to this partner
        staff: dict[str, User] = {}
        for username, role, org_slug, first, last in USERS:
            staff[username] = create_user(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                organisation=Organisation.objects.get(slug=org_slug),
                first_name=first,
                last_name=last,
                check_password=False,
            )
        # The demo clinic requires a second factor of its administrator (the default): `osseo demo`
        # prints the authenticator URI and the recovery codes.
        enrol_totp_for(user=staff["admin"], key=DEMO_ADMIN_TOTP_KEY)
        coordinator = staff["coordinator"]
        catalogue = demo_surgery.seed_catalogue(staff["admin"])
        first_patient = None
        episodes: list[Episode] = []
        for i in range(COHORT):
            site = SITES[i % len(SITES)]
            birth = dt.date(1950 + rng.randint(0, 50), rng.randint(1, 12), rng.randint(1, 28))
            patient = create_patient(
                actor=coordinator,
                data={
                    "given_name": GIVEN[i % len(GIVEN)],
                    "family_name": FAMILY[(i * 7) % len(FAMILY)],
                    "birth_date": birth,
                    "sex": ["female", "male"][i % 2] if i % 11 else "other",
                    "nhs_number": _nhs_number(rng) if i % 4 else "",
                    "record_number": f"DEMO-{1000 + i}",
                    "funding_route": ["nhs", "private", "insurer", "research"][i % 4],
                    "email": f"patient{i}@example.org" if i % 3 else "",
                    "phone": f"01632 960{i:03d}" if i % 2 else "",
                },
            )
            first_patient = first_patient or patient
            amputated = birth + dt.timedelta(days=rng.randint(18 * 365, 20 * 365))
            limb = add_limb(
                actor=coordinator,
                patient=patient,
                data={
                    "site": site,
                    "side": "not_applicable"
                    if site == "craniofacial" and i % 2
                    else ["left", "right"][i % 2],
                    "amputation_date": None if site == "craniofacial" and i % 4 == 0 else amputated,
                    "cause": ["trauma", "tumour", "vascular", "infection", "congenital", "other"][
                        (i // 6) % 6
                    ],
                    "notes": "",
                },
            )
            episode = open_episode(actor=coordinator, limb=limb)
            target = TARGETS[i % len(TARGETS)]
            # Guide: head, neck and hand implants "may still require multiple, staged procedures".
            staged = site in ("craniofacial", "hand")
            _walk(staff, episode, target, staged, i, catalogue)
            episodes.append(episode)
        assert first_patient is not None
        seed_rehab(staff, partner, [e for i, e in enumerate(episodes) if i != HELD_NO_REHAB_PLAN])
        # Complications first: a revision exchanges parts, and the connector histories and
        # forecasts then start from the parts in place after it.
        demo_complications.seed(staff)
        from osseo.demo.connectors import seed_connectors

        seed_connectors(staff, rng)
        _seed_enquiries(clinic, coordinator)
        from osseo.demo.week import seed_week

        seed_week(staff)
        patient_account(clinic, "patient", DEMO_PASSWORD, first_patient)
        # The patient's own pages at three points of the pathway (osseo/me).
        seed_patient_accounts(clinic, DEMO_PASSWORD, taken={first_patient.pk})
    return DemoResult(True, COHORT, users)
