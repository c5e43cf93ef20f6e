"""Staff corrections of suggested topics: read-only in the admin (they are written by the
service when staff accept or correct a suggestion)."""

from django.contrib import admin

from open12348.assist.models import LabelCorrection


@admin.register(LabelCorrection)
class LabelCorrectionAdmin(admin.ModelAdmin):
    list_display = ("at", "label", "predicted", "source", "by")
    list_filter = ("label", "source")
    date_hierarchy = "at"
    readonly_fields = ("text", "label", "predicted", "source", "by", "at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
