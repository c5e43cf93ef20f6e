"""Public pages of publishing (news/…, the district sub-sites d/<code>/…) and the editors'
console (console/content/…). Mounted at the site root by config/urls.py."""

from django.urls import path

from open12348.content import views

app_name = "content"
urlpatterns = [
    path("news/", views.news_list, name="list"),
    path("news/<int:pk>/", views.article_detail, name="detail"),
    path("news/<int:pk>/files/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("d/<str:code>/", views.district_home, name="district"),
    path("d/<str:code>/news/", views.district_list, name="district-list"),
    path("console/content/", views.console_list, name="console"),
    path("console/content/new/", views.console_create, name="console-create"),
    path("console/content/<int:pk>/", views.console_detail, name="console-detail"),
    path("console/content/<int:pk>/edit/", views.console_edit, name="console-edit"),
    path("console/content/<int:pk>/act/", views.console_act, name="console-act"),
    path("console/content/<int:pk>/files/", views.console_attachment_add, name="console-attachment-add"),
    path(
        "console/content/<int:pk>/files/<int:attachment_pk>/delete/",
        views.console_attachment_remove,
        name="console-attachment-remove",
    ),
]
