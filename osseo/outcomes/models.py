"""Questionnaires (FHIR-shaped definitions), stored responses and their computed scores.

The instruments themselves are data and pure functions in ``instruments/`` (no Django); a
Questionnaire row keeps the FHIR definition Osseo serves and stores responses against
(seeded by migration 0002 through ``loader.sync_questionnaires``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from osseo.charts import day_text as _day
from osseo.contract import Versioned


class Questionnaire(models.Model):
    """FHIR Questionnaire (https://hl7.org/fhir/R4/questionnaire.html), keyed by Osseo's code."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(max_length=40, unique=True)  # as in /api/v1/questionnaires/<code>
    url = models.URLField(max_length=200)  # the Questionnaire's canonical URL
    version = models.CharField(max_length=20, blank=True)
    title = models.CharField(max_length=200)
    definition = models.JSONField()  # the FHIR-shaped Questionnaire resource
    scales = models.JSONField(default=list)  # [{"code", "label", "higher_is_better"}]
    sites = models.JSONField(default=list)  # residual-limb sites it is meant for; [] = any
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class InstrumentConfig(Versioned):
    """What a clinic supplies for an instrument Osseo cannot ship: item wording, scoring rules.

    For the Q-TFA both are the clinic's (permission to reproduce it is the clinic's to obtain;
    the published response values were not verified by Osseo), so scores computed with these
    rules carry their source and are "not validated" until the clinic says otherwise. Osseo's
    defaults are version 1: the row is made at version 2, by the clinic's first change.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="instrument_configs"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="configs"
    )
    item_text = models.JSONField(default=dict, blank=True)  # {linkId: wording}
    item_text_file = models.CharField(max_length=200, blank=True)  # the uploaded file's name
    rules = models.JSONField(null=True, blank=True)  # e.g. QtfaRules.from_mapping's input
    rules_source = models.CharField(max_length=300, blank=True)
    rules_validated = models.BooleanField(default=False)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "questionnaire"], name="one_config_per_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.questionnaire_id}"


class ResponseStatus(models.TextChoices):
    """FHIR QuestionnaireResponse.status codes Osseo uses."""

    COMPLETED = "completed", "Completed"  # answers as given (some items may be unanswered)
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"  # kept, but left out of trends


class QuestionnaireResponse(models.Model):
    """A patient's answers to one questionnaire on one date, with the scores computed then."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="questionnaire_responses"
    )
    limb = models.ForeignKey(
        "patients.ResidualLimb",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questionnaire_responses",
    )
    episode = models.ForeignKey(
        "pathway.Episode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questionnaire_responses",
    )
    authored_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.COMPLETED
    )
    answers = models.JSONField(default=dict)  # {linkId: response number on the form}
    # Whether scores were computed; if not, why (e.g. the clinic has not supplied the rules).
    scored = models.BooleanField(default=False)
    scoring_note = models.CharField(max_length=300, blank=True)
    rules_source = models.CharField(max_length=300, blank=True)  # where the scoring comes from
    rules_validated = models.BooleanField(default=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["authored_on", "id"]
        indexes = [models.Index(fields=["patient", "questionnaire", "authored_on"])]

    def __str__(self) -> str:
        return f"{self.questionnaire.title} on {_day(self.authored_on)}"


class Score(models.Model):
    """One scale's score of a response (0-100); null when none of its items was answered."""

    response = models.ForeignKey(
        QuestionnaireResponse, on_delete=models.CASCADE, related_name="scores"
    )
    scale = models.CharField(max_length=40)
    value = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["response_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "scale"], name="one_score_per_scale")
        ]

    def __str__(self) -> str:
        return f"{self.scale} = {self.value}"


class ResponseDraft(models.Model):
    """A patient's answers saved as they go, one question at a time, until they finish.

    FHIR's QuestionnaireResponse.status "in-progress", kept apart from the stored responses so
    that a half-answered questionnaire is never scored, trended or exported; finishing turns it
    into a QuestionnaireResponse (actions.answer_own_questionnaire). One a patient, questionnaire
    and limb: the action keeps it so, with the patient locked.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="questionnaire_drafts"
    )
    limb = models.ForeignKey(
        "patients.ResidualLimb", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    episode = models.ForeignKey(
        "pathway.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(default=dict)  # {linkId: response number on the form}
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.questionnaire.title}, in progress"
