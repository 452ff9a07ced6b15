"""References between the resources of one export, and the people and organisations they name.

Every reference is `Type/id` with Osseo's public UUID as the id; `People` gathers the users and
organisations a mapping names so that the Bundle carries a Practitioner or Organization for each
(no dangling reference: the Bundle's reference integrity is tested)."""

from __future__ import annotations

from typing import Any


def ref(kind: str, key: Any, display: str = "") -> dict[str, str]:
    out = {"reference": f"{kind}/{key}"}
    if display:
        out["display"] = display
    return out


def full_name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()).strip()


class People:
    """The users and organisations named so far, as resources to add to the Bundle."""

    def __init__(self) -> None:
        self.users: dict[str, Any] = {}
        self.organisations: dict[str, Any] = {}

    def user(self, user: Any) -> dict[str, str]:
        """A reference to the user: the patient themself for a patient's account, else the
        Practitioner."""
        membership = getattr(user, "membership", None)
        if membership is not None and membership.patient_id is not None:
            return ref("Patient", membership.patient.uuid)
        self.users[str(user.uuid)] = user
        return ref("Practitioner", user.uuid, full_name(user))

    def organisation(self, organisation: Any) -> dict[str, str]:
        self.organisations[str(organisation.uuid)] = organisation
        return ref("Organization", organisation.uuid, organisation.name)

    def resources(self, *, named: bool = True) -> list[dict[str, Any]]:
        """A Practitioner per user (https://hl7.org/fhir/R4/practitioner.html) and an
        Organization per organisation; `named=False` leaves names out (de-identified data)."""
        out: list[dict[str, Any]] = []
        for key, user in sorted(self.users.items()):
            practitioner: dict[str, Any] = {"resourceType": "Practitioner", "id": key}
            if named:
                practitioner["name"] = [
                    {"text": full_name(user), "family": user.last_name or user.get_username()}
                ]
            out.append(practitioner)
        for key, org in sorted(self.organisations.items()):
            out.append({"resourceType": "Organization", "id": key, "name": org.name})
        return out
