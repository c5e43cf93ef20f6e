"""Work-order pages. `urlpatterns` (namespace "workorders") is the staff console, mounted at
console/orders/; `public_urlpatterns` (namespace "requests") are the citizens' pages,
mounted at requests/."""

from django.urls import path

from open12348.workorders import views, views_extra

app_name = "workorders"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("intake/", views.intake, name="intake"),
    path("intake/history/", views.intake_history, name="intake-history"),
    path("intake/route/", views.intake_route, name="intake-route"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
    path("<int:pk>/notes/", views.note_add, name="note-add"),
    path("<int:pk>/return-visit/", views.return_visit, name="return-visit"),
    # attachments, joint review, call backs, appeals, follow-ups, roster and reception (views_extra)
    path("<int:pk>/attachments/", views_extra.attachment_upload, name="attachment-upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views_extra.attachment_download, name="attachment-download"),
    path("<int:pk>/joint-review/", views_extra.joint_review_open, name="joint-review-open"),
    path(
        "<int:pk>/joint-review/<int:review_pk>/opinion/",
        views_extra.joint_review_opinion,
        name="joint-review-opinion",
    ),
    path("<int:pk>/callbacks/", views_extra.callback_add, name="callback-add"),
    path("<int:pk>/rating-appeal/", views_extra.rating_appeal_file, name="rating-appeal-file"),
    path("follow-ups/", views_extra.follow_ups, name="follow-ups"),
    path("follow-ups/<int:pk>/resolve/", views_extra.follow_up_resolve, name="follow-up-resolve"),
    path("appeals/", views_extra.rating_appeals, name="rating-appeals"),
    path("appeals/<int:pk>/decide/", views_extra.rating_appeal_decide, name="rating-appeal-decide"),
    path("ledgers/duty/new/", views_extra.duty_shift_create, name="duty-shift-create"),
    path("ledgers/reception/new/", views_extra.reception_day_create, name="reception-day-create"),
    path("ledgers/<slug:kind>/", views.ledger, name="ledger"),
    path("ledgers/<slug:kind>/export/", views.ledger_export, name="ledger-export"),
]

public_urlpatterns = [
    path("", views.submit, name="submit"),
    path("submitted/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
]
