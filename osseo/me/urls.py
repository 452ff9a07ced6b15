from django.urls import path

from . import views, views_diary

app_name = "me"
urlpatterns = [
    path("", views.home, name="home"),
    path("plan/", views.plan, name="plan"),
    path("guide/", views.guide, name="guide"),
    path("appointments/", views.appointments, name="appointments"),
    path("implant/", views.implant, name="implant"),
    path("details/", views.details, name="details"),
    path("contact/", views.contact, name="contact"),
    # The loading diary, questionnaires and activity uploads (views_diary.py).
    path("diary/", views_diary.diary, name="diary"),
    path("questionnaires/", views_diary.questionnaires, name="questionnaires"),
    path("activity/", views_diary.activity, name="activity"),
    path("diary/<uuid:log_id>/correct/", views_diary.diary_correct, name="diary_correct"),
    path(
        "questionnaires/<slug:code>/<str:limb>/",
        views_diary.questionnaire,
        name="questionnaire",
    ),
]
