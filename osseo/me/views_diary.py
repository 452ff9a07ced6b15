"""The patient's loading diary, questionnaires and activity uploads under /me/ (issue 21, part B).

Owned and filled by the second helper of issue 21 ("mediary"); the skeleton defines the pages and
their url names (`me:diary`, `me:questionnaires`, `me:activity`) so the navigation links to them.
Each page is a patient's own (`patient_page`) and reads the record through `own_record`
(access-checked, audited), like the pages in views.py.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .access import own_record, patient_page


@patient_page
def diary(request: HttpRequest) -> HttpResponse:
    patient = own_record(request)
    return render(request, "me/diary.html", {"patient": patient})


@patient_page
def questionnaires(request: HttpRequest) -> HttpResponse:
    patient = own_record(request)
    return render(request, "me/questionnaires.html", {"patient": patient})


@patient_page
def activity(request: HttpRequest) -> HttpResponse:
    patient = own_record(request)
    return render(request, "me/activity.html", {"patient": patient})
