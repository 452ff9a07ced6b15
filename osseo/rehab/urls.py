from django.urls import path

from . import protocol_views, views

app_name = "rehab"
urlpatterns = [
    path("patients/<uuid:patient_id>/rehab/", views.patient_rehab, name="patient"),
    path("referrals/<uuid:referral_id>/withdraw/", views.referral_withdraw, name="withdraw"),
    path("referrals/<uuid:referral_id>/letter/", views.referral_letter, name="letter"),
    path("rehab-plans/<uuid:plan_id>/", views.plan_detail, name="plan"),
    path("load-logs/<uuid:log_id>/correct/", views.correct_log, name="correct_log"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("protocols/", views.protocol_list, name="protocols"),
    path("protocols/<uuid:protocol_id>/copy/", protocol_views.protocol_copy, name="protocol_copy"),
    path("protocols/<uuid:protocol_id>/edit/", protocol_views.protocol_edit, name="protocol_edit"),
    path("rehab/settings/", views.rehab_settings, name="settings"),
    path("information-sheets/<uuid:sheet_id>/", views.sheet_download, name="sheet"),
]
