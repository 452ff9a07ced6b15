"""The screens of the clinic's week: the theatre list, MDT meetings (agenda, decisions, printable
agenda and minutes), appointments, and the user's calendar feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from osseo.accounts.models import User
from osseo.accounts.permissions import has_permission
from osseo.audit.services import record
from osseo.errors import Conflict, StaleVersion
from osseo.pathway.queries import get_episode_for
from osseo.patients.forms import apply_errors
from osseo.patients.queries import record_list_read

from . import actions, theatre
from .forms import (
    AgendaForm,
    CancelForm,
    ColleagueForm,
    DecisionForm,
    MeetingForm,
    OutsideForm,
)
from .models import MdtMeeting
from .queries import (
    agenda_of,
    assessment_due,
    get_meeting_for,
    meetings_for,
)


def _day(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def date_range(request: HttpRequest, days: int) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    start = _day(request.GET.get("from"), today)
    end = _day(request.GET.get("to"), start + dt.timedelta(days=days - 1))
    if end < start or (end - start).days > 366:
        end = start + dt.timedelta(days=days - 1)
    return start, end


def _pdf(request: HttpRequest, template: str, context: dict[str, Any], name: str) -> HttpResponse:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "pdf": True}, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


# --- Theatre ------------------------------------------------------------------------------------


@login_required
def theatre_list(request: HttpRequest) -> HttpResponse:
    """Planned operations by date and surgeon, and the staged plans' next stages due."""
    user: Any = request.user
    if not has_permission(user, "theatre.view"):
        raise PermissionDenied
    start, end = date_range(request, 14)
    surgeons = list(
        User.objects.filter(membership__organisation=user.membership.organisation)
        .filter(membership__role="surgeon", is_active=True)
        .order_by("last_name", "username")
    )
    chosen = next((s for s in surgeons if str(s.uuid) == request.GET.get("surgeon")), None)
    today = timezone.localdate()
    rows = theatre.theatre_list(user, start, end, chosen)
    due = theatre.stages_due(user, today)
    record_list_read(
        user,
        [str(r.patient.uuid) for r in rows] + [str(s.patient.uuid) for s in due],
        list="theatre list",
    )
    days: dict[dt.date, list[theatre.Operation]] = {}
    for row in rows:
        days.setdefault(row.date, []).append(row)
    return render(
        request,
        "scheduling/theatre.html",
        {
            "start": start,
            "end": end,
            "days": sorted(days.items()),
            "due": [(s, s.status(today), s.status_text(today)) for s in due],
            "surgeons": surgeons,
            "chosen": chosen,
        },
    )


# --- MDT meetings -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_permission(user, "mdt.view"):
        raise PermissionDenied
    can_manage = has_permission(user, "mdt.manage")
    form = MeetingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                meeting = actions.create_meeting(actor=user, data=form.action_data())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Meeting arranged: add its attendees and agenda.")
                return redirect("scheduling:meeting", meeting_id=meeting.uuid)
        status = 422
    today = timezone.localdate()
    meetings = meetings_for(user)
    return render(
        request,
        "scheduling/meetings.html",
        {
            "upcoming": meetings.filter(starts_at__date__gte=today),
            "past": meetings.filter(starts_at__date__lt=today).order_by("-starts_at")[:20],
            "form": form if can_manage else None,
            "due_count": assessment_due(user).count() if can_manage else None,
        },
        status=status,
    )


def _colleagues(user: Any) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            membership__organisation_id__in=actions._meeting_organisations(user),
        )
        .exclude(membership__role="patient")
        .select_related("membership")
        .order_by("last_name", "first_name", "username")
    )


def _attendee_values(meeting: MdtMeeting) -> list[dict[str, Any]]:
    return [
        {"user": a.user, "discipline": a.discipline}
        if a.user
        else {"name": a.name, "organisation": a.organisation, "discipline": a.discipline}
        for a in meeting.attendees.select_related("user")
    ]


def _meeting_context(user: Any, meeting: MdtMeeting) -> dict[str, Any]:
    agenda = agenda_of(meeting)
    attendees = list(meeting.attendees.select_related("user__membership"))
    record_list_read(user, (str(i.episode.patient.uuid) for i in agenda), list="MDT meeting")
    return {"meeting": meeting, "agenda": agenda, "attendees": attendees}


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """The meeting: attendees, agenda and, item by item, the MDT's decisions."""
    user: Any = request.user
    meeting = get_meeting_for(user, meeting_id)
    can_manage = has_permission(user, "mdt.manage")
    doc = request.GET.get("format") == "pdf"
    if doc:
        kind = "minutes" if request.GET.get("doc") == "minutes" else "agenda"
        context = _meeting_context(user, meeting)
        record("scheduling.meeting.printed", actor=user, obj=meeting, changes={"doc": kind})
        return _pdf(
            request,
            "scheduling/meeting_document.html",
            {**context, "doc": kind},
            f"osseo-mdt-{kind}-{timezone.localtime(meeting.starts_at):%Y-%m-%d}",
        )
    op = request.POST.get("op", "")
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    # A cancelled meeting is kept as it was cancelled: nothing more is arranged at it.
    can_manage = can_manage and meeting.cancelled_at is None
    cancel_form = CancelForm(request.POST if op == "cancel" else None, prefix="cx")
    colleagues = _colleagues(user) if can_manage else []
    due_episodes = (
        [e for e in assessment_due(user) if not meeting.agenda.filter(episode=e).exists()]
        if can_manage
        else []
    )
    colleague_form = ColleagueForm(
        request.POST if op == "colleague" else None, colleagues=colleagues, prefix="c"
    )
    outside_form = OutsideForm(request.POST if op == "outside" else None, prefix="o")
    agenda_form = AgendaForm(
        request.POST if op == "agenda" else None, episodes=due_episodes, prefix="a"
    )
    local = timezone.localtime(meeting.starts_at)
    move_form = MeetingForm(
        request.POST if op == "move" else None,
        prefix="mv",
        initial={
            "day": local.date(),
            "time": local.time().replace(second=0),
            "place": meeting.place,
        },
    )
    status = 200
    decision_forms: dict[int, DecisionForm] = {}
    attendees = list(meeting.attendees.select_related("user"))
    if request.method == "POST" and op == "cancel" and can_manage:
        if cancel_form.is_valid():
            try:
                actions.cancel_meeting(
                    actor=user,
                    meeting=meeting,
                    reason=cancel_form.cleaned_data["reason"],
                    if_match=request.POST.get("version") or None,
                )
            except StaleVersion:
                cancel_form.add_error(
                    None,
                    "The meeting was changed since you opened the page; it was not cancelled.",
                )
            except (ValidationError, Conflict) as exc:
                apply_errors(cancel_form, exc)
            else:
                messages.success(
                    request,
                    "Meeting cancelled: its attendees are told, and its patients' assessments "
                    "are due again.",
                )
                return redirect("scheduling:meeting", meeting_id=meeting.uuid)
        status = 422
    elif request.method == "POST" and not can_manage:
        messages.error(request, "This meeting is cancelled: nothing more is arranged at it.")
        return redirect("scheduling:meeting", meeting_id=meeting.uuid)
    elif request.method == "POST" and op == "move":
        if move_form.is_valid():
            try:
                actions.move_meeting(
                    actor=user,
                    meeting=meeting,
                    data=move_form.action_data(),
                    if_match=request.POST.get("version") or None,
                )
            except StaleVersion:
                move_form.add_error(
                    None, "The meeting was changed since you opened the page; nothing was moved."
                )
            except (ValidationError, Conflict) as exc:
                if isinstance(exc, ValidationError) and "starts_at" in getattr(
                    exc, "error_dict", {}
                ):
                    exc.error_dict["day"] = exc.error_dict.pop("starts_at")
                apply_errors(move_form, exc)
            else:
                messages.success(
                    request, "Meeting moved: its attendees are told, and reminders follow."
                )
                return redirect("scheduling:meeting", meeting_id=meeting.uuid)
        status = 422
    elif request.method == "POST":
        done = _meeting_post(
            request,
            user,
            meeting,
            op,
            colleague_form,
            outside_form,
            agenda_form,
            colleagues,
            attendees,
            decision_forms,
        )
        if done:
            return redirect(reverse("scheduling:meeting", args=[meeting.uuid]) + done)
        status = 422
    context = _meeting_context(user, meeting)
    attendees = list(meeting.attendees.select_related("user"))
    for item in context["agenda"]:
        if item.assessment_id is None and item.pk not in decision_forms:
            decision_forms[item.pk] = DecisionForm(attendees=attendees, prefix=f"d{item.pk}")
    items = [(item, decision_forms.get(item.pk)) for item in context["agenda"]]
    return render(
        request,
        "scheduling/meeting.html",
        {
            **context,
            "can_manage": can_manage,
            "colleague_form": colleague_form,
            "outside_form": outside_form,
            "agenda_form": agenda_form if due_episodes else None,
            "items": items,
            # A meeting with a decision recorded was held as it stands.
            "move_form": move_form
            if can_manage and not any(i.assessment_id for i in context["agenda"])
            else None,
            "cancel_form": cancel_form
            if can_manage and not any(i.assessment_id for i in context["agenda"])
            else None,
        },
        status=status,
    )


def _meeting_post(
    request: HttpRequest,
    user: Any,
    meeting: MdtMeeting,
    op: str,
    colleague_form: ColleagueForm,
    outside_form: OutsideForm,
    agenda_form: AgendaForm,
    colleagues: list[User],
    attendees: list[Any],
    decision_forms: dict[int, DecisionForm],
) -> str | None:
    """Carry out one of the meeting page's forms; the anchor to go back to, or None when the
    form shows errors."""
    try:
        if op == "colleague" and colleague_form.is_valid():
            chosen = next(
                u for u in colleagues if str(u.uuid) == colleague_form.cleaned_data["user"]
            )
            actions.set_attendees(
                actor=user,
                meeting=meeting,
                attendees=[
                    *_attendee_values(meeting),
                    {"user": chosen, "discipline": colleague_form.cleaned_data["discipline"]},
                ],
            )
            return "#attendees"
        if op == "outside" and outside_form.is_valid():
            actions.set_attendees(
                actor=user,
                meeting=meeting,
                attendees=[*_attendee_values(meeting), dict(outside_form.cleaned_data)],
            )
            return "#attendees"
        if op == "remove_attendee":
            keep = [
                v
                for a, v in zip(attendees, _attendee_values(meeting), strict=True)
                if str(a.pk) != request.POST.get("attendee")
            ]
            actions.set_attendees(actor=user, meeting=meeting, attendees=keep)
            return "#attendees"
        if op == "agenda" and agenda_form.is_valid():
            episode = get_episode_for(
                user, agenda_form.cleaned_data["episode"], permission="mdt.manage"
            )
            actions.add_to_agenda(actor=user, meeting=meeting, episode=episode)
            return "#agenda"
        if op == "remove_item":
            item = meeting.agenda.filter(pk=request.POST.get("item") or 0).first()
            if item is None:
                raise Http404("No such agenda item.")
            actions.remove_from_agenda(actor=user, meeting=meeting, item=item)
            return "#agenda"
        if op == "decide":
            item = meeting.agenda.filter(pk=request.POST.get("item") or 0).first()
            if item is None:
                raise Http404("No such agenda item.")
            form = DecisionForm(request.POST, attendees=attendees, prefix=f"d{item.pk}")
            decision_forms[item.pk] = form
            if form.is_valid():
                try:
                    actions.decide(actor=user, meeting=meeting, item=item, data=form.action_data())
                except (ValidationError, Conflict) as exc:
                    apply_errors(form, exc)
                    return None
                messages.success(
                    request, f"Decision recorded for {item.episode.patient.display_name}."
                )
                return f"#item-{item.position}"
            return None
    except ValidationError as exc:
        target = {"colleague": colleague_form, "outside": outside_form, "agenda": agenda_form}.get(
            op
        )
        if target is not None:
            apply_errors(target, exc)
        else:
            messages.error(request, "; ".join(m for ms in exc.message_dict.values() for m in ms))
        return None
    except Conflict as exc:
        messages.error(request, str(exc))
        return "#agenda"
    return None


# --- Calendar feeds ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feeds(request: HttpRequest) -> HttpResponse:
    """The user's calendar subscriptions: a new secret address (shown once), or one revoked."""
    from .models import CalendarFeed

    user: Any = request.user
    if not has_permission(user, "calendar.subscribe"):
        raise PermissionDenied
    new_url = ""
    if request.method == "POST":
        if request.POST.get("op") == "revoke":
            feed = CalendarFeed.objects.filter(
                user=user, uuid=_uuid_or_none(request.POST.get("feed"))
            ).first()
            if feed is None:
                raise Http404("No such calendar feed.")
            actions.revoke_calendar_feed(actor=user, feed=feed)
            messages.success(request, "Calendar address revoked: it shows nothing any more.")
            return redirect("scheduling:calendar")
        _feed, token = actions.issue_calendar_feed(actor=user)
        new_url = request.build_absolute_uri(reverse("scheduling:calendar_feed", args=[token]))
    feeds = CalendarFeed.objects.filter(user=user).order_by("-created_at")
    return render(request, "scheduling/calendar.html", {"feeds": feeds, "new_url": new_url})


def _uuid_or_none(value: Any) -> Any:
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar at a secret address; a revoked or unknown one is "not found". Every fetch
    is audited."""
    from .calendar import calendar_for
    from .models import CalendarFeed
    from .queries import token_hash

    feed = (
        CalendarFeed.objects.select_related("user__membership")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    body, count = calendar_for(feed.user)
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now())
    record("scheduling.calendar.fetched", actor=feed.user, obj=feed, changes={"events": count})
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
