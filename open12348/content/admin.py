"""Administration of publishing items, scoped to the administrator's area. Writes go through
`content.services` (sanitised, permission-checked, audited); the status changes only through
the workflow (the console's buttons or the admin actions below)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.content import services
from open12348.content.models import Article, ArticleAttachment
from open12348.orgs.selectors import in_area

FIELDS = ("kind", "title", "body", "area", "summary", "categories", "interprets", "source")


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = list(FIELDS)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.validate_fields(
                actor=self.actor,
                article=self.instance if self.instance.pk else None,
                **{name: cleaned.get(name) for name in FIELDS},
            )
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return cleaned


class ArticleAttachmentInline(admin.TabularInline):
    model = ArticleAttachment
    fields = ["original_name", "content_type", "size", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "kind", "area", "status", "author", "published_at", "view_count"]
    list_filter = ["status", "kind"]
    search_fields = ["title"]
    list_select_related = ["area", "author"]
    readonly_fields = ["status", "author", "reviewer", "published_at", "withdrawn_at", "status_reason", "view_count"]
    filter_horizontal = ["categories"]
    inlines = [ArticleAttachmentInline]
    actions = ["submit_selected", "publish_selected"]

    def get_queryset(self, request):
        return in_area(super().get_queryset(request), request.user, via="area")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "area":
            kwargs["queryset"] = services.publishing_areas(request.user)
        elif db_field.name == "interprets":
            kwargs["queryset"] = Article.objects.filter(kind=Article.Kind.POLICY, status=Article.Status.PUBLISHED)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = request.user.has_perm(services.PERM_EDIT)
        if obj is not None:
            return allowed and obj.status in services.EDITABLE
        return allowed

    def has_add_permission(self, request):
        return request.user.has_perm(services.PERM_EDIT)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data.get(name) for name in FIELDS}
        fields["categories"] = list(fields["categories"] or [])
        if change:
            saved = services.article_update(actor=request.user, article=obj, **fields)
        else:
            saved = services.article_create(actor=request.user, **fields)
        obj.pk, obj.body, obj.status, obj.author = saved.pk, saved.body, saved.status, saved.author

    def save_related(self, request, form, formsets, change):
        """Categories are written by the service; the inline is read-only."""

    def _act(self, request, queryset, action: str):
        done = 0
        for article in queryset:
            try:
                services.article_transition(actor=request.user, article=article, action=action)
                done += 1
            except (PermissionDenied, ValidationError, services.ArticleConflict) as error:
                message = getattr(error, "message", "") or "；".join(getattr(error, "messages", [])) or str(error)
                self.message_user(
                    request,
                    gettext("{title}：{message}").format(title=article.title, message=message),
                    messages.WARNING,
                )
        if done:
            self.message_user(
                request,
                gettext("已{action}{count}条信息。").format(action=services.ACTION_LABELS[action], count=done),
                messages.SUCCESS,
            )

    @admin.action(description=_("提交审核"))
    def submit_selected(self, request, queryset):
        self._act(request, queryset, "submit")

    @admin.action(description=_("审核发布（不能发布本人撰写的信息）"))
    def publish_selected(self, request, queryset):
        self._act(request, queryset, "publish")
