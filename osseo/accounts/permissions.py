"""Who may do what: the one permission table, tested as a matrix (tests/accounts/test_matrix.py).

A grant names the roles that hold a permission and the kinds of organisation they must work for.
Patient-scoped permissions additionally need the patient to be in the user's care scope
(`osseo.patients.queries`): staff see the patients their organisation cares for, and a patient
account sees its own record only. Later issues add rows here, never checks elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import OrganisationKind, Role, User

CLINIC = frozenset({OrganisationKind.OI_CLINIC})
ANY_ORG = frozenset({OrganisationKind.OI_CLINIC, OrganisationKind.REHAB_PARTNER})
CLINICAL_STAFF = frozenset(
    {
        Role.SURGEON,
        Role.ANAESTHETIST,
        Role.REHAB_SPECIALIST,
        Role.PROSTHETIST,
        Role.COORDINATOR,
        Role.CLINIC_ADMIN,
    }
)
PATHWAY_EDITORS = frozenset({Role.COORDINATOR, Role.SURGEON, Role.CLINIC_ADMIN})


@dataclass(frozen=True)
class Grant:
    roles: frozenset[str]
    org_kinds: frozenset[str]
    own_record: bool = False  # a patient account holds it for its own record


TABLE: dict[str, Grant] = {
    # Reading a patient's record: all clinical staff of a caring organisation; the patient.
    "patient.view": Grant(CLINICAL_STAFF, ANY_ORG, own_record=True),
    # Creating and editing patients, limbs and episodes, and moving episodes along the pathway.
    "patient.create": Grant(PATHWAY_EDITORS, CLINIC),
    "patient.edit": Grant(PATHWAY_EDITORS, CLINIC),
    "limb.create": Grant(PATHWAY_EDITORS, CLINIC),
    "episode.create": Grant(PATHWAY_EDITORS, CLINIC),
    "episode.transition": Grant(PATHWAY_EDITORS, CLINIC),
    # A pathway gate overridden, with a reason (issue 17): surgeons only; never the MDT gate.
    "gate.override": Grant(frozenset({Role.SURGEON}), CLINIC),
    # A pending override withdrawn, with a reason: by the surgeon who gave it (the action checks
    # that it is theirs) or a clinic administrator.
    "gate.withdraw": Grant(frozenset({Role.SURGEON, Role.CLINIC_ADMIN}), CLINIC),
    # Surgery (issue 3): the MDT assessment, the plan, the anaesthetist's agreement, operations.
    "assessment.record": Grant(
        frozenset({Role.SURGEON, Role.COORDINATOR, Role.CLINIC_ADMIN}), CLINIC
    ),
    "plan.edit": Grant(frozenset({Role.SURGEON}), CLINIC),
    "plan.anaesthesia": Grant(frozenset({Role.ANAESTHETIST}), CLINIC),
    "procedure.record": Grant(frozenset({Role.SURGEON}), CLINIC),
    "procedure.sign": Grant(frozenset({Role.SURGEON}), CLINIC),
    "catalogue.manage": Grant(frozenset({Role.CLINIC_ADMIN}), CLINIC),
    # Complications (issue 7): graded adverse events and their treatments; an operative
    # treatment also needs procedure.record. A death closes the episodes, as editors do.
    "complication.record": Grant(frozenset({Role.SURGEON, Role.COORDINATOR}), CLINIC),
    "death.record": Grant(PATHWAY_EDITORS, CLINIC),
    # Outcome measures (issue 7): staff at any caring organisation enter questionnaire answers.
    "outcome.record": Grant(CLINICAL_STAFF, ANY_ORG),
    # Connector parts and activity (osseo/connectors): replacing a dualcone or other connector
    # part, importing daily steps, load recordings and body weight; the list of parts due.
    "connector.replace": Grant(frozenset({Role.SURGEON, Role.PROSTHETIST}), ANY_ORG),
    "activity.import": Grant(frozenset({Role.SURGEON, Role.PROSTHETIST}), ANY_ORG),
    "connectors.due_list": Grant(CLINICAL_STAFF, ANY_ORG),
    # Triage of public enquiries: the clinic's queue, notes, status and conversion (osseo/portal).
    "enquiry.triage": Grant(frozenset({Role.COORDINATOR, Role.CLINIC_ADMIN}), CLINIC),
    # Registry (issue 8): the clinic's aggregate evidence, and its de-identified exports.
    "registry.view": Grant(frozenset({Role.SURGEON, Role.COORDINATOR, Role.CLINIC_ADMIN}), CLINIC),
    "registry.export": Grant(frozenset({Role.SURGEON, Role.CLINIC_ADMIN}), CLINIC),
    # Rehabilitation (osseo/rehab): the clinic refers a patient to a partner (opening the partner's
    # care-team access to that patient only); rehab staff at the clinic or the partner make plans
    # and record function tests; they and the patient log the daily loading.
    "referral.manage": Grant(PATHWAY_EDITORS, CLINIC),
    "rehab.write": Grant(frozenset({Role.REHAB_SPECIALIST, Role.PROSTHETIST}), ANY_ORG),
    "rehab.log": Grant(
        frozenset({Role.REHAB_SPECIALIST, Role.PROSTHETIST}), ANY_ORG, own_record=True
    ),
    "protocol.manage": Grant(frozenset({Role.REHAB_SPECIALIST, Role.CLINIC_ADMIN}), ANY_ORG),
    # Follow-up: the clinic's due and overdue lists, and recording a visit held.
    "followup.view": Grant(CLINICAL_STAFF, CLINIC),
    "followup.record": Grant(PATHWAY_EDITORS | {Role.REHAB_SPECIALIST, Role.PROSTHETIST}, CLINIC),
    # The clinic's week (osseo/scheduling, issue 22): MDT meetings (read by the clinic's staff;
    # made, with attendees and agenda, by editors), the theatre list, appointments booked for a
    # patient (seen by the patient too: their own), and each user's calendar feed.
    "mdt.view": Grant(CLINICAL_STAFF, CLINIC),
    "mdt.manage": Grant(PATHWAY_EDITORS, CLINIC),
    "theatre.view": Grant(CLINICAL_STAFF, CLINIC),
    "appointment.view": Grant(CLINICAL_STAFF, ANY_ORG, own_record=True),
    "appointment.book": Grant(PATHWAY_EDITORS | {Role.REHAB_SPECIALIST, Role.PROSTHETIST}, ANY_ORG),
    "calendar.subscribe": Grant(CLINICAL_STAFF, ANY_ORG, own_record=True),
    # A patient's access history and the organisation's audit trail.
    "audit.view": Grant(frozenset({Role.CLINIC_ADMIN}), CLINIC),
    # Accounts and clinic settings.
    "accounts.manage": Grant(frozenset({Role.CLINIC_ADMIN}), ANY_ORG),
    "settings.manage": Grant(frozenset({Role.CLINIC_ADMIN}), CLINIC),
    # Issue 19: an organisation's own contact details (its clinic administrator, clinic or
    # partner); the rehabilitation partners a clinic works with; inviting a patient to an account.
    "organisation.contact": Grant(frozenset({Role.CLINIC_ADMIN}), ANY_ORG),
    "partners.manage": Grant(frozenset({Role.CLINIC_ADMIN}), CLINIC),
    "patient.invite": Grant(frozenset({Role.COORDINATOR, Role.CLINIC_ADMIN}), CLINIC),
    # Issue 21: a patient keeps their own phone, e-mail and address (no staff role holds it).
    "patient.own_contact": Grant(frozenset(), frozenset(), own_record=True),
    # ... answers the questionnaires their clinic asks of them, saved as they go; and sends their
    # own daily steps (the same file and checks as the clinic's import).
    "outcome.own": Grant(frozenset(), frozenset(), own_record=True),
    "activity.own": Grant(frozenset(), frozenset(), own_record=True),
}


def has_permission(user: User | None, permission: str) -> bool:
    """Whether the user's role and organisation hold `permission` (patient scope not included)."""
    grant = TABLE[permission]  # KeyError for a misspelt permission: fail loudly
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    membership = getattr(user, "membership", None)
    if membership is None:
        return False
    if membership.role == Role.PATIENT:
        return grant.own_record
    return membership.role in grant.roles and membership.organisation.kind in grant.org_kinds


def require_permission(user: User | None, permission: str) -> None:
    """Raise PermissionDenied (a 403) unless the user's role holds `permission`."""
    from django.core.exceptions import PermissionDenied

    if not has_permission(user, permission):
        raise PermissionDenied(f"Your role may not do this ({permission}).")
