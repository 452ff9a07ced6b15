"""Every write of the outcomes app, each through the action contract (`osseo.contract`): the
permission, one transaction, the rows it checks locked and re-read, the audit entry inside."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from osseo.accounts.models import User
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.contract import action, check_version, lock
from osseo.patients.models import Patient, ResidualLimb
from osseo.plausible import check_date, read_json, text_problems

from .assigned import assigned_elsewhere, assignment_of, definition_for, instrument_sites
from .instruments import ScoringError, qtfa
from .instruments.instrument import normalise_answers
from .instruments.item_text import ItemTextError, check_item_text, read_item_text
from .models import (
    InstrumentConfig,
    Questionnaire,
    QuestionnaireResponse,
    ResponseDraft,
    Score,
)
from .rules import answer_problems, items_of
from .scoring import CONFIGURABLE, score, scoring_for

register(
    {
        "outcomes.response.recorded": "Questionnaire response recorded",
        "outcomes.instrument.configured": "Questionnaire wording or scoring rules set",
        "outcomes.answers.saved": "Questionnaire answers saved, not finished",
    }
)

MAX_UPLOAD_BYTES = 1_000_000


def _link_ids(questionnaire: Questionnaire) -> list[str]:
    found: list[str] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if item.get("type") not in ("group", "display"):
                found.append(item["linkId"])
            walk(item.get("item", []))

    walk(questionnaire.definition.get("item", []))
    return found


@action(permission="outcome.record", locks=["patient"])
def record_response(
    *, actor: User, patient: Patient, questionnaire: Questionnaire, data: dict[str, Any]
) -> QuestionnaireResponse:
    """Store a patient's answers and, when the instrument can be scored, a Score per scale.

    ``data``: ``authored_on`` (date), ``answers`` ({item: response number}), optional ``limb``
    and ``episode`` (objects of this patient). An instrument meant for some sites only (the
    Q-TFA: femur) needs a limb of such a site; with exactly one, it is chosen. The patient is
    locked: a death recorded meanwhile is seen by the date check.
    """
    return _store_response(actor=actor, patient=patient, questionnaire=questionnaire, data=data)


def _store_response(
    *, actor: User, patient: Patient, questionnaire: Questionnaire, data: dict[str, Any]
) -> QuestionnaireResponse:
    errors: dict[str, list[str]] = {}
    authored = data.get("authored_on") or timezone.localdate()
    check_date(errors, "authored_on", authored, patient=patient)
    limb, episode = data.get("limb"), data.get("episode")
    sites = list(questionnaire.sites)
    # The instrument must be one the patient's site profiles take (osseo/patients/sites.py):
    # the Q-TFA for a transfemoral limb only, RAND-36 for all, what the clinic adds per site.
    taking = instrument_sites(patient).get(questionnaire.code)
    if taking is None:
        found = ", ".join(sorted({lb.site for lb in patient.limbs.all()})) or "no limb yet"
        errors["questionnaire"] = [
            f"{questionnaire.title} does not apply to this patient's sites ({found}); the "
            "clinic adds instruments per site in its settings."
        ]
    elif limb is not None and taking and limb.patient_id == patient.pk and limb not in taking:
        errors["limb"] = [f"{questionnaire.title} does not apply to the {limb}."]
    if limb is not None and limb.patient_id != patient.pk:
        errors["limb"] = ["Choose one of this patient's limbs."]
    elif sites and taking is not None:
        if limb is None:
            matching = [lb for lb in patient.limbs.all() if lb.site in sites]
            if len(matching) == 1:
                limb = matching[0]
        if limb is None or limb.site not in sites:
            errors["limb"] = [f"{questionnaire.title} is for a limb at: {', '.join(sites)}."]
    if episode is not None and (
        episode.patient_id != patient.pk or (limb and episode.limb_id != limb.pk)
    ):
        errors["episode"] = ["That episode is not of this patient's limb."]
    raw = data.get("answers")
    if not isinstance(raw, dict):
        errors["answers"] = ["Give the answers as {item: response number}."]
    if errors:
        raise ValidationError(errors)
    assert isinstance(raw, dict)
    scoring = scoring_for(actor.membership.organisation, questionnaire)
    try:
        answers = normalise_answers(raw, _link_ids(questionnaire))
    except ScoringError as exc:
        raise ValidationError({f"answers.{exc.item}": [str(exc)]}) from exc
    if not answers:
        raise ValidationError({"answers": ["Answer at least one item."]})
    if scoring.configured:
        scores = score(scoring, answers)
    else:
        scores = {}
        # Without the clinic's rules, only the structure can be checked (the Q-TFA's days).
        days = answers.get(qtfa.DAYS)
        if (
            questionnaire.code == "q-tfa"
            and days is not None
            and not 0 <= days <= qtfa.MAX_DAYS_PER_WEEK
        ):
            raise ValidationError({f"answers.{qtfa.DAYS}": ["Days per week run from 0 to 7."]})
    response = QuestionnaireResponse.objects.create(
        questionnaire=questionnaire,
        patient=patient,
        limb=limb,
        episode=episode,
        authored_on=authored,
        answers=answers,
        scored=scoring.configured,
        scoring_note=scoring.note,
        rules_source=scoring.source,
        rules_validated=scoring.validated,
        author=actor,
    )
    Score.objects.bulk_create(
        Score(response=response, scale=scale, value=value) for scale, value in scores.items()
    )
    record(
        "outcomes.response.recorded",
        actor=actor,
        patient=patient,
        obj=response,
        changes={
            "questionnaire": [None, questionnaire.code],
            "authored_on": [None, authored],
            "answered_items": [None, len(answers)],
            "scores": [None, scores] if scores else [None, scoring.note],
        },
    )
    return response


def _read_upload(upload: Any, known: tuple[str, ...]) -> dict[str, str]:
    name = Path(str(getattr(upload, "name", "wording"))).name
    suffix = Path(name).suffix.lower()
    if suffix not in (".json", ".csv"):
        raise ValidationError({"item_text_file": ["The wording file must be .json or .csv."]})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"item_text_file": ["The wording file is larger than 1 MB."]})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"wording{suffix}"
        path.write_bytes(b"".join(upload.chunks()))
        try:
            return read_item_text(path, known, options=True)
        except ItemTextError as exc:
            where = f"{name}, line {exc.line}" if exc.line else name
            raise ValidationError({"item_text_file": [f"{where}: {exc.message}"]}) from exc


@action(permission="settings.manage")
def configure_instrument(
    *,
    actor: User,
    questionnaire: Questionnaire,
    rules_json: str | None = None,
    item_text_file: Any = None,
    rules: dict[str, Any] | None = None,
    item_text: dict[str, str] | None = None,
    if_match: str | None = None,
) -> InstrumentConfig:
    """Set the clinic's scoring rules (JSON) and/or item wording file for an instrument: only
    what is given, and only where it differs, so a colleague's wording survives new rules. The
    row may not exist yet: the organisation is locked instead of it, then the row; `if_match`
    names the version the change was decided on (Osseo's defaults are version 1).

    The rules come as JSON text (`rules_json`, the API) or parsed (`rules`, the item-by-item
    screens and the import); the wording as a file or parsed (`item_text`, the whole wording,
    replacing what was there). Everything given is checked before anything is written."""
    if questionnaire.code not in CONFIGURABLE:
        raise ValidationError({"questionnaire": [f"{questionnaire.title} is scored as shipped."]})
    changes: dict[str, Any] = {}
    values: dict[str, Any] = {}
    if rules_json or rules is not None:
        try:
            # JSON text: nesting refused before it is parsed (BodyError)
            data = read_json(rules_json) if rules_json else rules
            if not isinstance(data, dict):
                raise ValueError("the rules must be one JSON object")
            if found := text_problems(data):
                raise ValueError("; ".join(f"{field}: {words}" for field, words in found))
            parsed = qtfa.QtfaRules.from_mapping(data)
        except (ValueError, TypeError, AttributeError) as exc:
            raise ValidationError({"rules": [f"These rules cannot be used: {exc}"]}) from exc
        values.update(rules=data, rules_source=parsed.source, rules_validated=parsed.validated)
        changes["rules_source"] = [None, parsed.source]
        changes["rules_validated"] = [None, parsed.validated]
    if item_text_file is not None:
        text = _read_upload(item_text_file, qtfa.TEXT_LINK_IDS)
        values.update(item_text=text, item_text_file=Path(str(item_text_file.name)).name[:200])
        changes["item_text"] = [None, f"{len(text)} entries from {values['item_text_file']}"]
    elif item_text is not None:
        try:
            text = check_item_text(item_text, qtfa.TEXT_LINK_IDS, options=True)
        except ValueError as exc:
            raise ValidationError({"item_text": [f"This wording cannot be used: {exc}"]}) from exc
        values.update(item_text=text)
        changes["item_text"] = [None, f"{len(text)} entries entered"]
    if not values:
        raise ValidationError({"rules": ["Give the scoring rules, the wording file, or both."]})
    organisation = actor.membership.organisation
    lock(organisation)
    config = (
        InstrumentConfig.objects.select_for_update()
        .filter(organisation=organisation, questionnaire=questionnaire)
        .first()
    )
    check_version(
        config or InstrumentConfig(organisation=organisation, questionnaire=questionnaire),
        if_match,
    )
    if config is not None and "rules" in values and config.rules == values["rules"]:
        # The rules in force, sent again: not set again, nor audited as set.
        for name in ("rules", "rules_source", "rules_validated"):
            values.pop(name)
            changes.pop(name, None)
    if config is not None and item_text is not None and config.item_text == values["item_text"]:
        values.pop("item_text")
        changes.pop("item_text")
    if config is not None and not values:
        return config
    now = timezone.now()
    if config is None:
        config = InstrumentConfig(
            organisation=organisation,
            questionnaire=questionnaire,
            version=2,
            set_by=actor,
            set_at=now,
            **values,
        )
        config.save()
    else:
        for name, value in values.items():
            setattr(config, name, value)
        config.set_by, config.set_at = actor, now
        config.save(update_fields=[*values, "set_by", "set_at"])
    record("outcomes.instrument.configured", actor=actor, obj=questionnaire, changes=changes)
    return config


@action(permission="outcome.own", locks=["patient"])
def answer_own_questionnaire(
    *,
    actor: User,
    patient: Patient,
    questionnaire: Questionnaire,
    limb: ResidualLimb | None,
    answers: Mapping[Any, Any],
    finish: bool = False,
) -> ResponseDraft | QuestionnaireResponse:
    """A patient's answers to a questionnaire their clinic asks of them (assigned.py), saved as
    they go: the answers given are added to those saved before (null clears one), in the
    patient's one unfinished copy for that questionnaire and limb. `finish` stores the whole as a
    response, scored as the clinic scores it, and the unfinished copy goes. The patient is never
    shown a score: the caller answers with the answers only."""
    today = timezone.localdate()
    assignment = assignment_of(patient, questionnaire, limb, today)
    if assignment is None:
        if limb is None and assigned_elsewhere(patient, questionnaire, today):
            raise ValidationError({"limb": ["Choose the limb these answers are for."]})
        raise ValidationError(
            {"questionnaire": [f"Your clinic has not asked you to answer {questionnaire.title}."]}
        )
    organisation = actor.membership.organisation
    definition = definition_for(organisation, questionnaire)
    link_ids = [item["linkId"] for item in items_of(definition)]
    try:
        given = normalise_answers(answers, link_ids)
    except ScoringError as exc:
        raise ValidationError({f"answers.{exc.item}": [exc.message]}) from exc
    if found := answer_problems(definition, given):
        raise ValidationError({f"answers.{k}": [v] for k, v in found.items()})
    cleared = {str(k).strip() for k, v in answers.items() if v is None}
    draft = (
        ResponseDraft.objects.select_for_update()
        .filter(patient=patient, questionnaire=questionnaire, limb=assignment.limb)
        .first()
    )
    merged = {k: v for k, v in (draft.answers if draft else {}).items() if k not in cleared}
    merged.update(given)
    merged = {k: merged[k] for k in link_ids if k in merged}  # in the questionnaire's order
    if finish:
        response = _store_response(
            actor=actor,
            patient=patient,
            questionnaire=questionnaire,
            data={
                "authored_on": today,
                "answers": merged,
                "limb": assignment.limb,
                "episode": assignment.episode,
            },
        )
        if draft is not None:
            draft.delete()
        return response
    if draft is None:
        draft = ResponseDraft(
            questionnaire=questionnaire,
            patient=patient,
            limb=assignment.limb,
            episode=assignment.episode,
            author=actor,
        )
    before = len(draft.answers)
    draft.answers = merged
    draft.save()
    record(
        "outcomes.answers.saved",
        actor=actor,
        patient=patient,
        obj=draft,
        changes={
            "questionnaire": [None, questionnaire.code],
            "answered_items": [before, len(merged)],
        },
    )
    return draft
