"""Pages of online consultation, mounted at consult/ by config/urls.py (namespace
"consultations"): the public list and question pages, the ask form, answerer profiles, and
the answer queue, volunteer dashboard and moderators' page."""

from django.urls import path

from open12348.consultations import views

app_name = "consultations"
urlpatterns = [
    # public
    path("", views.consultation_list, name="list"),
    path("<int:pk>/", views.consultation_detail, name="detail"),
    path("answerers/<int:volunteer_id>/", views.answerer_profile, name="answerer"),
    # citizens (any account)
    path("ask/", views.ask, name="ask"),
    path("suggest/", views.suggest, name="suggest"),
    path("<int:pk>/adopt/", views.adopt, name="adopt"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/entrust/", views.entrust, name="entrust"),
    path("answers/<int:answer_pk>/messages/", views.message_add, name="message-add"),
    # answerers
    path("<int:pk>/answer/", views.answer_add, name="answer-add"),
    path("queue/", views.queue, name="queue"),
    path("volunteer/", views.volunteer_dashboard, name="volunteer"),
    path("volunteer/shifts/", views.shift_add, name="shift-add"),
    path("volunteer/shifts/<int:shift_pk>/delete/", views.shift_remove, name="shift-remove"),
    # moderators
    path("manage/", views.manage, name="manage"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/dispatch/", views.dispatch, name="dispatch"),
]
