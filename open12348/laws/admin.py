"""The statute library in the admin: read only. Laws come from the data set through
`manage.py importlaws` (the source of truth); editing them here would be overwritten by the
next import, so the admin only lets one look and search."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from open12348.laws.models import Article, Law


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ArticleInline(admin.TabularInline):
    model = Article
    fields = ["number_text", "chapter", "text"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = _("条文")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Law)
class LawAdmin(ReadOnlyAdmin):
    list_display = ["title", "subtitle", "level", "status", "region", "published_on", "effective_on", "article_count"]
    list_filter = ["level", "status", "region"]
    search_fields = ["title", "short_title", "source_id"]
    date_hierarchy = "published_on"
    inlines = [ArticleInline]


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "chapter"]
    search_fields = ["law__title", "number_text"]
    list_select_related = ["law"]
    raw_id_fields = ["law"]
