"""Pages of publishing: the public lists and item pages of the city portal (news/…) and of the
districts' sub-sites (d/<code>/…), attachment downloads, and the editors' console
(console/content/…). Views check input and call services and selectors; they do not write
rows or decide who may see what themselves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from open12348.accounts.forms import apply_service_errors
from open12348.catalog.selectors import legal_category_by_code
from open12348.content import recommend, selectors, services
from open12348.content.forms import ActionForm, ArticleForm, AttachmentForm, PublicFilterForm
from open12348.content.models import Article
from open12348.orgs.selectors import site_list
from open12348.workorders.views_extra import stored_file_response

PERM_VIEW = "content.view_article"
PERM_EDIT = services.PERM_EDIT


# ---- public -------------------------------------------------------------------------------


def _public_list(request, site, template: str):
    form = PublicFilterForm(request.GET or None)
    kind, category, q, filter_error = "", None, "", ""
    if form.is_bound:
        if form.is_valid():
            kind, q = form.cleaned_data["kind"], form.cleaned_data["q"]
            category = legal_category_by_code(form.cleaned_data["category"]) if form.cleaned_data["category"] else None
        else:
            filter_error = _("查询条件有误，已显示全部信息：") + "；".join(
                f"{form.fields[name].label}：{' '.join(errors)}" for name, errors in form.errors.items()
            )
    articles = selectors.article_public_list(site=site, kind=kind, category=category, q=q)
    page = Paginator(articles, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    kind_tabs = [("", _("全部"))] + list(Article.Kind.choices)
    context = {
        "site": site,
        "site_node": site or selectors.city_node(),
        "form": form,
        "kind": kind,
        "kind_tabs": kind_tabs,
        "filter_error": filter_error,
        "page": page,
        "list_url": request.path,
    }
    return render(request, template, context)


@require_GET
def news_list(request):
    """The city portal's list: the city's items."""
    return _public_list(request, None, "content/list.html")


@require_GET
def district_list(request, code: str):
    district = selectors.district_by_code(code)
    if district is None:
        raise Http404(_("没有找到该区县子站。"))
    return _public_list(request, district, "content/list.html")


@require_GET
def district_home(request, code: str):
    district = selectors.district_by_code(code)
    if district is None:
        raise Http404(_("没有找到该区县子站。"))
    context = {
        "district": district,
        "sections": selectors.article_latest_by_kind(site=district),
        "most_read": selectors.article_most_read(site=district),
        "site_count": site_list(area=district).count(),
    }
    return render(request, "content/district.html", context)


@require_GET
def article_detail(request, pk: int):
    article = selectors.article_public_get(pk)
    if article is None:
        raise Http404(_("没有找到该信息，可能已撤回。"))
    services.article_record_view(article_id=article.pk)
    recommend.article_read_record(actor=request.user, article=article)  # signed-in readers only (E6)
    context = {
        "article": article,
        "attachments": list(article.attachments.all()),
        "interpretations": selectors.interpretations_of(article) if article.kind == Article.Kind.POLICY else [],
        "policy": article.interprets
        if article.interprets is not None and article.interprets.status == Article.Status.PUBLISHED
        else None,
    }
    return render(request, "content/detail.html", context)


@require_GET
def attachment_download(request, pk: int, attachment_pk: int):
    attachment = selectors.attachment_for_download(request.user, pk, attachment_pk)
    if attachment is None:
        raise Http404(_("没有找到该附件。"))
    return stored_file_response(attachment)


# ---- the editors' console ---------------------------------------------------------------------


def _article_or_404(user, pk: int) -> Article:
    article = selectors.article_console_get(user, pk)
    if article is None:
        raise Http404(_("没有找到该信息，或它不在您的管理范围内。"))
    return article


@require_GET
@login_required
@permission_required(PERM_VIEW, raise_exception=True)
def console_list(request):
    status = request.GET.get("status", "")
    if status not in Article.Status.values:
        status = ""
    q = (request.GET.get("q") or "").strip()[:50]
    counts = selectors.article_console_counts(request.user)
    tabs = [{"key": "", "label": _("全部"), "count": sum(counts.values())}] + [
        {"key": key, "label": label, "count": counts.get(key, 0)} for key, label in Article.Status.choices
    ]
    articles = selectors.article_console_list(request.user, status=status, q=q)
    page = Paginator(articles, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"tabs": tabs, "status": status, "q": q, "page": page}
    return render(request, "content/console_list.html", context)


def _save_article(request, form: ArticleForm, article: Article | None):
    data = form.cleaned_data
    fields = {
        "kind": data["kind"],
        "title": data["title"],
        "body": data["body"],
        "area": data["area"],
        "summary": data["summary"],
        "categories": list(data["categories"]),
        "interprets": data["interprets"],
        "source": data["source"],
    }
    if article is None:
        return services.article_create(actor=request.user, **fields)
    return services.article_update(actor=request.user, article=article, **fields)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@permission_required(PERM_EDIT, raise_exception=True)
def console_create(request):
    form = ArticleForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                article = _save_article(request, form, None)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("草稿已保存。确认无误后请提交审核。"))
                return redirect("content:console-detail", pk=article.pk)
        return render(request, "content/console_form.html", {"form": form, "article": None}, status=400)
    return render(request, "content/console_form.html", {"form": form, "article": None})


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@permission_required(PERM_EDIT, raise_exception=True)
def console_edit(request, pk: int):
    article = _article_or_404(request.user, pk)
    if article.status not in services.EDITABLE:
        messages.warning(request, _("只有草稿可以修改；已发布的信息请先撤回，再重新编辑。"))
        return redirect("content:console-detail", pk=article.pk)
    if request.method == "POST":
        form = ArticleForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                _save_article(request, form, article)
            except ValidationError as error:
                apply_service_errors(form, error)
            except (PermissionDenied, services.ArticleConflict) as error:
                form.add_error(None, getattr(error, "message", "") or str(error))
            else:
                messages.success(request, _("修改已保存。"))
                return redirect("content:console-detail", pk=article.pk)
        return render(request, "content/console_form.html", {"form": form, "article": article}, status=400)
    form = ArticleForm(initial=ArticleForm.initial_from(article), user=request.user)
    return render(request, "content/console_form.html", {"form": form, "article": article})


def _detail_context(request, article: Article, **extra) -> dict:
    user = request.user
    actions = services.allowed_actions(actor=user, article=article)
    return {
        "article": article,
        "actions": [(key, services.ACTION_LABELS[key], services.TRANSITIONS[key][3]) for key in actions],
        "four_eyes": article.status == Article.Status.REVIEW
        and user.has_perm(services.PERM_REVIEW)
        and article.author_id == user.pk,
        "can_edit": article.status in services.EDITABLE and user.has_perm(PERM_EDIT),
        "attachments": list(article.attachments.all()),
        "attachment_form": extra.pop("attachment_form", None) or AttachmentForm(),
        "action_form": extra.pop("action_form", None) or ActionForm(),
        **extra,
    }


@never_cache
@require_GET
@login_required
@permission_required(PERM_VIEW, raise_exception=True)
def console_detail(request, pk: int):
    article = _article_or_404(request.user, pk)
    return render(request, "content/console_detail.html", _detail_context(request, article))


@require_POST
@login_required
@permission_required(PERM_VIEW, raise_exception=True)
def console_act(request, pk: int):
    article = _article_or_404(request.user, pk)
    form = ActionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            services.article_transition(
                actor=request.user, article=article, action=action, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_service_errors(form, error, default_field="reason")
        except (PermissionDenied, services.ArticleConflict) as error:
            form.add_error(None, getattr(error, "message", "") or str(error) or _("您没有执行此操作的权限。"))
        else:
            messages.success(
                request, _("已{action}：{title}").format(action=services.ACTION_LABELS[action], title=article.title)
            )
            return redirect("content:console-detail", pk=article.pk)
    article = _article_or_404(request.user, pk)
    return render(
        request, "content/console_detail.html", _detail_context(request, article, action_form=form), status=400
    )


@require_POST
@login_required
@permission_required(PERM_EDIT, raise_exception=True)
def console_attachment_add(request, pk: int):
    article = _article_or_404(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(actor=request.user, article=article, upload=form.cleaned_data["file"])
        except ValidationError as error:
            apply_service_errors(form, error, default_field="file")
        except (PermissionDenied, services.ArticleConflict) as error:
            form.add_error("file", getattr(error, "message", "") or str(error))
        else:
            messages.success(request, _("附件已上传。"))
            return redirect(reverse("content:console-detail", args=[article.pk]) + "#attachments")
    return render(
        request, "content/console_detail.html", _detail_context(request, article, attachment_form=form), status=400
    )


@require_POST
@login_required
@permission_required(PERM_EDIT, raise_exception=True)
def console_attachment_remove(request, pk: int, attachment_pk: int):
    article = _article_or_404(request.user, pk)
    attachment = article.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404(_("没有找到该附件。"))
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except (PermissionDenied, services.ArticleConflict) as error:
        messages.error(request, getattr(error, "message", "") or str(error))
    else:
        messages.success(request, _("附件已删除。"))
    return redirect(reverse("content:console-detail", args=[article.pk]) + "#attachments")
