"""The patient's own pages: where they are, their plan, guide, appointments, implant, details and
the clinic's contact details. Written for the patient, in the voice of the clinic's guide; they
read the record through `own_record` (access-checked and audited) and change it only through the
patients app's actions. The loading diary, questionnaires and activity live in views_diary.py.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from osseo.surgery.guide import SITE_WORDS, guide_context

from .access import own_record, patient_page
from .queries import my_episode, my_episodes


def _page(request: HttpRequest, template: str, **context: object) -> HttpResponse:
    patient = own_record(request)
    return render(request, template, {"patient": patient, **context})


@patient_page
def home(request: HttpRequest) -> HttpResponse:
    return _page(request, "me/home.html")


@patient_page
def plan(request: HttpRequest) -> HttpResponse:
    return _page(request, "me/plan.html")


def limb_words(episode: object) -> str:
    """ "your left thigh bone (femur)": the limb of an episode in the guide's words."""
    limb = episode.limb  # type: ignore[attr-defined]
    words = SITE_WORDS.get(limb.site, "your bone")
    side = {"left": "left", "right": "right"}.get(limb.side)
    return words.replace("your ", f"your {side} ", 1) if side else words


@patient_page
def guide(request: HttpRequest) -> HttpResponse:
    """The personalised guide (osseo/surgery/guide.py) for one of the patient's episodes, on
    screen or as the PDF; a patient with more than one treated limb picks which."""
    patient = own_record(request)
    episode = my_episode(patient, request.GET.get("episode"))
    context = guide_context(episode) if episode else {}
    if episode is not None and request.GET.get("format") == "pdf":
        from weasyprint import HTML

        html = render_to_string(
            "surgery/guide_document.html",
            {**context, "pdf": True, "for_patient": True},
            request=request,
        )
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="my-osseointegration-guide.pdf"'
        return response
    choices = [(e, limb_words(e)) for e in my_episodes(patient)]
    return render(
        request,
        "me/guide.html",
        {
            **context,
            "patient": patient,
            "episode": episode,
            "choices": choices if len(choices) > 1 else [],
            "for_patient": True,
        },
    )


@patient_page
def appointments(request: HttpRequest) -> HttpResponse:
    return _page(request, "me/appointments.html")


@patient_page
def implant(request: HttpRequest) -> HttpResponse:
    return _page(request, "me/implant.html")


@patient_page
def details(request: HttpRequest) -> HttpResponse:
    return _page(request, "me/details.html")


@patient_page
def contact(request: HttpRequest) -> HttpResponse:
    return _page(request, "me/contact.html")
