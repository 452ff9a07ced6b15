"""The questionnaires a clinic asks of a patient, and whether each is due now.

Which: the instruments of each treated limb's site profile with what the clinic adds
(osseo/patients/sites.py), for the limbs whose episode is under way (assessment to follow-up).
An instrument whose wording and scoring the clinic supplies (the Q-TFA) is offered only once the
clinic has supplied both: without them there is nothing a patient could read and choose from.
When: outcomes.rules.occasion, from the signed implantation and the clinic's follow-up schedule
(docs/sources.md#follow-up-schedule). The caller has reached the patient through the
access-checked getter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from osseo.pathway.models import Episode, Phase
from osseo.patients.models import Patient, ResidualLimb
from osseo.patients.sites import for_clinic_sites

from . import rules
from .models import Questionnaire, QuestionnaireResponse, ResponseDraft, ResponseStatus
from .scoring import CONFIGURABLE, config_for, scoring_for

# Episodes whose patient is asked for outcomes: from the assessment (before surgery) through
# follow-up; not a referral not yet seen, nor a declined or closed episode.
ASKING_PHASES = (
    Phase.ASSESSMENT,
    Phase.PLANNING,
    Phase.SURGERY,
    Phase.REHABILITATION,
    Phase.FOLLOW_UP,
)


@dataclass
class Assigned:
    questionnaire: Questionnaire
    limb: ResidualLimb | None  # None: asked once of a patient with two treated limbs
    episode: Episode | None
    occasion: rules.Occasion | None  # None: nothing asked until the next visit's opening
    last_answered: dt.date | None
    draft: ResponseDraft | None
    questions: int

    @property
    def due(self) -> bool:
        return self.occasion is not None and not self.occasion.answered(self.last_answered)


def clinic_of(patient: Patient) -> Any:
    from osseo.rehab.queries import clinic_of as rehab_clinic_of

    return rehab_clinic_of(patient)


def instrument_sites(patient: Patient) -> dict[str, list[ResidualLimb]]:
    """{instrument code: the patient's limbs whose site profile (with what their clinic adds,
    osseo/patients/sites.py) takes it}. A patient with no limb recorded yet is offered what
    every site takes (the general health survey, docs/sources.md#outcome-measures)."""
    from osseo.patients.sites import PROFILES

    limbs = list(patient.limbs.all())
    if not limbs:
        common = set.intersection(*(set(p.questionnaires) for p in PROFILES.values()))
        return {code: [] for code in sorted(common)}
    profiles = for_clinic_sites(clinic_of(patient), {limb.site for limb in limbs})
    out: dict[str, list[ResidualLimb]] = {}
    for limb in limbs:
        for code in profiles[limb.site].questionnaires:
            out.setdefault(code, []).append(limb)
    return out


def questionnaires_for(patient: Patient) -> list[Questionnaire]:
    """The instruments that apply to the patient: their limbs' site profiles' (see above)."""
    return list(
        Questionnaire.objects.filter(code__in=instrument_sites(patient)).order_by("title", "id")
    )


def offered(organisation: Any, questionnaire: Questionnaire) -> bool:
    """Whether a patient can answer it on their own: shipped wording, or the clinic's wording and
    scoring rules (the rules list each item's responses: without them an item asks for a
    response number on a paper form the patient does not have)."""
    if questionnaire.code not in CONFIGURABLE:
        return True
    config = config_for(organisation, questionnaire)
    return bool(config and config.item_text and config.rules)


def definition_for(organisation: Any, questionnaire: Questionnaire) -> dict[str, Any]:
    """The questionnaire as the patient reads it: with the clinic's wording where it supplies it."""
    return scoring_for(organisation, questionnaire).instrument.questionnaire


def assigned_questionnaires(patient: Patient, today: dt.date) -> list[Assigned]:
    """Each (limb, instrument) the clinic asks of the patient now, by limb then the site
    profile's order; a fixed number of queries."""
    from osseo.rehab.queries import schedule_for, surgery_and_held_visits

    episodes = list(
        Episode.objects.filter(patient=patient, phase__in=ASKING_PHASES)
        .select_related("limb")
        .order_by("limb_id", "-opened_at", "-id")
    )
    latest: dict[int, Episode] = {}
    for episode in episodes:  # one episode a limb: its latest under way
        latest.setdefault(episode.limb_id, episode)
    if not latest:
        return []
    clinic = clinic_of(patient)
    profiles = for_clinic_sites(clinic, {e.limb.site for e in latest.values()})
    codes = {code for e in latest.values() for code in profiles[e.limb.site].questionnaires}
    questionnaires = {q.code: q for q in Questionnaire.objects.filter(code__in=codes)}
    surgery, _held = surgery_and_held_visits(list(latest.values()))
    answered: dict[tuple[int, int | None], dt.date] = {}
    for q_id, limb_id, on in (
        QuestionnaireResponse.objects.filter(patient=patient, status=ResponseStatus.COMPLETED)
        .order_by("authored_on")
        .values_list("questionnaire_id", "limb_id", "authored_on")
    ):
        answered[(q_id, limb_id)] = on
    drafts = {
        (d.questionnaire_id, d.limb_id): d
        for d in ResponseDraft.objects.filter(patient=patient).order_by("updated_at", "id")
    }
    counted: dict[str, int] = {}
    per_limb: list[Assigned] = []
    for episode in latest.values():
        done = surgery.get(episode.pk)
        horizon = today + dt.timedelta(days=rules.OPENS_BEFORE_DAYS)
        visits = schedule_for(episode, done, clinic, horizon) if done else []
        when = rules.occasion(
            today=today,
            opened_on=timezone.localtime(episode.opened_at).date(),
            surgery=done,
            visits=visits,
        )
        for code in profiles[episode.limb.site].questionnaires:
            q = questionnaires.get(code)
            if q is None or not offered(clinic, q):
                continue
            if code not in counted:
                counted[code] = len(rules.items_of(definition_for(clinic, q)))
            per_limb.append(
                Assigned(
                    questionnaire=q,
                    limb=episode.limb,
                    episode=episode,
                    occasion=when,
                    # An answer not tied to a limb (a general health survey's) counts too.
                    last_answered=_latest(
                        answered.get((q.pk, episode.limb_id)), answered.get((q.pk, None))
                    ),
                    draft=drafts.get((q.pk, episode.limb_id)),
                    questions=counted[code],
                )
            )
    return _once_for_general(per_limb, answered, drafts)


def _latest(*days: dt.date | None) -> dt.date | None:
    return max((d for d in days if d is not None), default=None)


def _once_for_general(
    per_limb: list[Assigned],
    answered: dict[tuple[int, int | None], dt.date],
    drafts: dict[tuple[int, int | None], ResponseDraft],
) -> list[Assigned]:
    """A questionnaire meant for any site (RAND-36: general health) is asked once of a patient
    with two treated limbs, not once a limb: for the occasion of either limb not answered yet
    (the earlier), its answers tied to no limb. One limb: its answers stay tied to that limb."""
    by_code: dict[str, list[Assigned]] = {}
    for a in per_limb:
        by_code.setdefault(a.questionnaire.code, []).append(a)
    found: list[Assigned] = []
    for a in per_limb:
        same = by_code[a.questionnaire.code]
        if len(same) == 1 or a.questionnaire.sites:
            found.append(a)
            continue
        if a is not same[0]:
            continue
        q = a.questionnaire
        last = _latest(*(answered.get((q.pk, b.limb.pk if b.limb else None)) for b in same))
        last = _latest(last, answered.get((q.pk, None)))
        open_ = [b.occasion for b in same if b.occasion and not b.occasion.answered(last)]
        known = [b.occasion for b in same if b.occasion]
        when = (
            min(open_, key=lambda o: o.opens)
            if open_
            else (max(known, key=lambda o: o.opens) if known else None)
        )
        found.append(
            Assigned(
                questionnaire=q,
                limb=None,
                episode=None,
                occasion=when,
                last_answered=last,
                draft=drafts.get((q.pk, None)),
                questions=a.questions,
            )
        )
    return found


def assignment_of(
    patient: Patient, questionnaire: Questionnaire, limb: ResidualLimb | None, today: dt.date
) -> Assigned | None:
    """The assignment a patient's answers are for: the limb named, or the only limb asked for
    this questionnaire; None when the clinic does not ask it of them (or the limb is ambiguous)."""
    mine = [
        a for a in assigned_questionnaires(patient, today) if a.questionnaire.pk == questionnaire.pk
    ]
    if limb is not None and len(mine) > 1:
        mine = [a for a in mine if a.limb is not None and a.limb.pk == limb.pk]
    return mine[0] if len(mine) == 1 else None


def assigned_elsewhere(patient: Patient, questionnaire: Questionnaire, today: dt.date) -> bool:
    """Whether the questionnaire is asked of the patient for more than one limb."""
    found = assigned_questionnaires(patient, today)
    return sum(a.questionnaire.pk == questionnaire.pk for a in found) > 1
