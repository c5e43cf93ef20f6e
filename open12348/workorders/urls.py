"""Work-order pages. `urlpatterns` (namespace "workorders") is the staff console, mounted at
console/orders/; `public_urlpatterns` (namespace "requests") are the citizens' pages,
mounted at requests/."""

from django.urls import path

from open12348.workorders import views

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
    path("ledgers/<slug:kind>/", views.ledger, name="ledger"),
    path("ledgers/<slug:kind>/export/", views.ledger_export, name="ledger-export"),
]

public_urlpatterns = [
    path("", views.submit, name="submit"),
    path("submitted/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
]
