"""More staff pages of work orders: attachments (upload, download — SECURITY.md C31/C33),
joint review (联审会办), call backs and rating appeals on the detail page, and the director's
pages: follow-ups of 不满意 ratings, pending rating appeals, the duty-roster and
reception-day create forms of the ledgers. Views check input and call services and
selectors; they do not write rows or decide who may see what themselves."""

import urllib.parse

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Sum
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from open12348.accounts.forms import apply_service_errors
from open12348.orgs.selectors import area_of
from open12348.workorders import selectors, services, uploads, views
from open12348.workorders.exceptions import WorkOrderConflict
from open12348.workorders.forms_extra import (
    AppealDecideForm,
    AttachmentForm,
    CallbackForm,
    DutyShiftForm,
    FollowUpResolveForm,
    JointReviewForm,
    OpinionForm,
    RatingAppealForm,
    ReceptionDayForm,
)
from open12348.workorders.models import OPEN_STATUSES, Attachment, JointReview, RatingAppeal, WorkOrder

PERM_ASSIGN = "workorders.assign_workorder"
PERM_HANDLE = "workorders.handle_workorder"
PERM_INTAKE = "workorders.intake_workorder"
REFUSED = gettext_lazy("您没有执行此操作的权限。")

views.EVENT_LABELS.update(
    {
        "workorder.attachment_added": gettext_lazy("上传附件"),
        "workorder.joint_review_opened": gettext_lazy("发起联审会办"),
        "workorder.joint_review_opinion": gettext_lazy("填写会办意见"),
    }
)


def _refusal(error) -> str:
    return getattr(error, "message", "") or str(error) or REFUSED


# ---- Attachments ------------------------------------------------------------------------------


def _existing(order: WorkOrder) -> tuple[int, int]:
    totals = Attachment.objects.filter(work_order=order).aggregate(total=Sum("size"))
    return Attachment.objects.filter(work_order=order).count(), totals["total"] or 0


def attach_all(actor, order: WorkOrder, files) -> list[str]:
    """Attach each file after the order has committed (the form has already inspected them),
    each in its own transaction: the order stands even if a file is refused now. Returns the
    Chinese reasons of files that were refused; the others are stored."""
    failed = []
    for upload in files:
        try:
            services.attachment_add(actor=actor, order=order, upload=upload)
        except ValidationError as error:
            failed.extend(error.messages)
        except (PermissionDenied, WorkOrderConflict) as error:
            failed.append(_refusal(error))
    return failed


def content_disposition(name: str, extension: str) -> str:
    """RFC 6266 with an RFC 5987 UTF-8 name; the plain `filename` is ASCII only. The name was
    cleaned of control characters on upload, and percent-encoding keeps CR/LF out anyway."""
    quoted = urllib.parse.quote(name, safe="")
    return f"attachment; filename=\"attachment{extension}\"; filename*=UTF-8''{quoted}"


@require_POST
@login_required
@permission_required("workorders.view_workorder", raise_exception=True)
def attachment_upload(request, pk: int):
    order = views._order_or_404(request.user, pk)
    count, total = _existing(order)
    form = AttachmentForm(request.POST, request.FILES, count=count, total=total)
    if form.is_valid():
        failed = attach_all(request.user, order, form.cleaned_data["files"])
        stored = len(form.cleaned_data["files"]) - len(failed)
        if not failed:
            messages.success(request, _("已上传{stored}个附件。").format(stored=stored))
            return redirect(reverse("workorders:detail", args=[order.pk]) + "#attachments")
        for reason in failed:
            form.add_error("files", reason)
        if stored:
            messages.warning(request, _("已上传{stored}个附件，其余未能保存。").format(stored=stored))
    context = views._detail_context(request, order, attachment_form=form)
    return render(request, "workorders/detail.html", context, status=400)


@require_GET
@login_required
@permission_required("workorders.view_workorder", raise_exception=True)
def attachment_download(request, pk: int, attachment_pk: int):
    order = views._order_or_404(request.user, pk)
    attachment = Attachment.objects.filter(work_order=order, pk=attachment_pk).first()
    if attachment is None:
        raise Http404(_("没有找到该附件。"))
    response = stored_file_response(attachment)
    services.attachment_download_record(actor=request.user, attachment=attachment)
    return response


def stored_file_response(attachment) -> FileResponse:
    """A user's file (`stored_name`, `original_name`, `content_type`) as a download that can
    never render in the site's origin (C33); 404 when the bytes are gone."""
    try:
        handle = default_storage.open(attachment.stored_name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("附件文件已不存在，请联系管理员。")) from None
    response = FileResponse(handle, content_type=attachment.content_type)
    extension = "." + attachment.stored_name.rsplit(".", 1)[-1] if "." in attachment.stored_name else ""
    response["Content-Disposition"] = content_disposition(attachment.original_name, extension)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# ---- Detail page sections ---------------------------------------------------------------------


def detail_extras(request, order: WorkOrder) -> dict:
    """The detail page's attachments, joint review, call backs and rating appeals."""
    user = request.user
    own = area_of(user)
    is_open = order.status in OPEN_STATUSES
    attachments = list(Attachment.objects.filter(work_order=order).select_related("uploaded_by"))
    reviews = list(JointReview.objects.filter(work_order=order).select_related("org", "opinion_by"))
    for review in reviews:
        review.can_opine = is_open and own is not None and own.is_within(review.org) and user.has_perm(PERM_HANDLE)
    can_handle = user.has_perm(PERM_HANDLE)
    return {
        "attachments": attachments,
        "attachment_form": AttachmentForm(),
        "can_attach": (can_handle or user.has_perm(PERM_INTAKE)) and len(attachments) < uploads.MAX_FILES_PER_ORDER,
        "joint_reviews": reviews,
        "joint_reviews_waiting": [r.org.name for r in reviews if not r.is_lead and r.opinion_at is None],
        "can_open_joint_review": is_open and not reviews and user.has_perm(PERM_ASSIGN),
        "joint_review_form": JointReviewForm(user=user)
        if is_open and not reviews and user.has_perm(PERM_ASSIGN)
        else None,
        "opinion_form": OpinionForm(),
        "callbacks": list(order.callbacks.select_related("by")),
        "callback_form": CallbackForm(),
        "can_callback": can_handle,
        "rating_appeals": list(RatingAppeal.objects.filter(work_order=order).select_related("by", "decided_by")),
        "appeal_form": RatingAppealForm(),
        "can_appeal": can_handle
        and order.satisfaction is not None
        and not RatingAppeal.objects.filter(work_order=order, upheld__isnull=True).exists(),
    }


def _detail_error(request, order: WorkOrder, **forms):
    return render(request, "workorders/detail.html", views._detail_context(request, order, **forms), status=400)


# ---- Joint review -----------------------------------------------------------------------------


@require_POST
@login_required
@permission_required(PERM_ASSIGN, raise_exception=True)
def joint_review_open(request, pk: int):
    order = views._order_or_404(request.user, pk)
    form = JointReviewForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.joint_review_open(
                actor=request.user, order=order, orgs=list(form.cleaned_data["orgs"]), lead=form.cleaned_data["lead"]
            )
        except ValidationError as error:
            apply_service_errors(form, error, "orgs")
        except (PermissionDenied, WorkOrderConflict) as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(request, _("已发起联审会办，请各会办单位填写意见。"))
            return redirect(reverse("workorders:detail", args=[order.pk]) + "#joint-review")
    return _detail_error(request, order, joint_review_form=form, can_open_joint_review=True)


@require_POST
@login_required
@permission_required(PERM_HANDLE, raise_exception=True)
def joint_review_opinion(request, pk: int, review_pk: int):
    order = views._order_or_404(request.user, pk)
    review = JointReview.objects.filter(work_order=order, pk=review_pk).select_related("org").first()
    if review is None:
        raise Http404(_("没有找到该会办单位。"))
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            services.joint_review_opinion(actor=request.user, review=review, opinion=form.cleaned_data["opinion"])
        except ValidationError as error:
            apply_service_errors(form, error, "opinion")
        except (PermissionDenied, WorkOrderConflict) as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(request, _("{name}的会办意见已保存。").format(name=review.org.name))
            return redirect(reverse("workorders:detail", args=[order.pk]) + "#joint-review")
    return _detail_error(request, order, opinion_form=form, opinion_review=review.pk)


# ---- Call backs and rating appeals ------------------------------------------------------------


@require_POST
@login_required
@permission_required(PERM_HANDLE, raise_exception=True)
def callback_add(request, pk: int):
    order = views._order_or_404(request.user, pk)
    form = CallbackForm(request.POST)
    if form.is_valid():
        try:
            services.callback_record(actor=request.user, order=order, correction=form.cleaned_data["correction"])
        except ValidationError as error:
            apply_service_errors(form, error, "correction")
        except (PermissionDenied, WorkOrderConflict) as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(request, _("纠错回拨已记录。"))
            return redirect(reverse("workorders:detail", args=[order.pk]) + "#callbacks")
    return _detail_error(request, order, callback_form=form)


@require_POST
@login_required
@permission_required(PERM_HANDLE, raise_exception=True)
def rating_appeal_file(request, pk: int):
    order = views._order_or_404(request.user, pk)
    form = RatingAppealForm(request.POST)
    if form.is_valid():
        try:
            services.rating_appeal_file(actor=request.user, order=order, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error, "reason")
        except (PermissionDenied, WorkOrderConflict) as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(request, _("评价申诉已提交，等待负责人审核。"))
            return redirect(reverse("workorders:detail", args=[order.pk]) + "#callbacks")
    return _detail_error(request, order, appeal_form=form)


# ---- Director: follow-ups of 不满意 ratings ----------------------------------------------------


def _follow_ups_page(request, *, forms=None, status=200):
    now = timezone.now()
    rows = list(selectors.follow_up_queue(viewer=request.user))
    forms = forms or {}
    for row in rows:
        row.overdue = row.deadline < now
        row.form = forms.get(row.pk) or FollowUpResolveForm(prefix=f"f{row.pk}")
    return render(request, "workorders/follow_ups.html", {"rows": rows}, status=status)


@require_GET
@never_cache
@login_required
@permission_required(PERM_ASSIGN, raise_exception=True)
def follow_ups(request):
    return _follow_ups_page(request)


@require_POST
@login_required
@permission_required(PERM_ASSIGN, raise_exception=True)
def follow_up_resolve(request, pk: int):
    follow_up = selectors.follow_up_queue(viewer=request.user, open_only=False).filter(pk=pk).first()
    if follow_up is None:
        raise Http404(_("没有找到该整改事项，或您无权查看。"))
    form = FollowUpResolveForm(request.POST, prefix=f"f{follow_up.pk}")
    if form.is_valid():
        try:
            services.follow_up_resolve(
                actor=request.user, follow_up=follow_up, resolution=form.cleaned_data["resolution"]
            )
        except ValidationError as error:
            apply_service_errors(form, error, "resolution")
        except (PermissionDenied, WorkOrderConflict) as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(
                request, _("工单{tracking_code}的整改已处理。").format(tracking_code=follow_up.work_order.tracking_code)
            )
            return redirect("workorders:follow-ups")
    return _follow_ups_page(request, forms={follow_up.pk: form}, status=400)


# ---- Director: rating appeals -----------------------------------------------------------------


def _appeals_page(request, *, forms=None, status=200):
    rows = list(selectors.rating_appeals_pending(viewer=request.user).order_by("created_at", "id"))
    forms = forms or {}
    for row in rows:
        row.form = forms.get(row.pk) or AppealDecideForm(prefix=f"a{row.pk}")
        row.own = row.by_id == request.user.pk
    return render(request, "workorders/rating_appeals.html", {"rows": rows}, status=status)


@require_GET
@never_cache
@login_required
@permission_required(PERM_ASSIGN, raise_exception=True)
def rating_appeals(request):
    return _appeals_page(request)


@require_POST
@login_required
@permission_required(PERM_ASSIGN, raise_exception=True)
def rating_appeal_decide(request, pk: int):
    appeal = (
        RatingAppeal.objects.filter(pk=pk, work_order__in=selectors.visible_workorders(request.user))
        .select_related("work_order__handling_org", "work_order__area")
        .first()
    )
    if appeal is None:
        raise Http404(_("没有找到该申诉，或您无权查看。"))
    form = AppealDecideForm(request.POST, prefix=f"a{appeal.pk}")
    if form.is_valid():
        try:
            services.rating_appeal_decide(
                actor=request.user, appeal=appeal, upheld=form.cleaned_data["upheld"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            apply_service_errors(form, error, "note")
        except (PermissionDenied, WorkOrderConflict) as error:
            form.add_error(None, _refusal(error))
        else:
            result = _("申诉成立，已撤销该评价") if form.cleaned_data["upheld"] else _("申诉不成立，维持原评价")
            messages.success(
                request,
                _("工单{tracking_code}：{result}。").format(
                    tracking_code=appeal.work_order.tracking_code, result=result
                ),
            )
            return redirect("workorders:rating-appeals")
    return _appeals_page(request, forms={appeal.pk: form}, status=400)


# ---- Ledgers: duty roster and reception days ---------------------------------------------------


def ledger_extras(request, kind: str) -> dict:
    """The create form shown on the duty-roster and reception-day ledgers (directors only)."""
    if not request.user.has_perm(PERM_ASSIGN):
        return {}
    if kind == "duty":
        return {"create_form": DutyShiftForm(user=request.user), "create_url": reverse("workorders:duty-shift-create")}
    if kind == "reception":
        return {
            "create_form": ReceptionDayForm(user=request.user),
            "create_url": reverse("workorders:reception-day-create"),
        }
    return {}


def _create_page(request, form, *, title: str, kind: str, url: str, status: int = 200):
    context = {"form": form, "title": title, "kind": kind, "create_url": url}
    return render(request, "workorders/ledger_create.html", context, status=status)


def _ledger_entry_create(request, *, form_class, create, title: str, kind: str, url_name: str, done: str):
    """GET: the empty form; POST: `create(actor, cleaned_data)`, then back to the ledger."""
    url = reverse(url_name)
    if request.method != "POST":
        return _create_page(request, form_class(user=request.user), title=title, kind=kind, url=url)
    form = form_class(request.POST, user=request.user)
    if form.is_valid():
        try:
            create(request.user, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error, "org")
        except PermissionDenied as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(request, done)
            return redirect("workorders:ledger", kind=kind)
    return _create_page(request, form, title=title, kind=kind, url=url, status=400)


@never_cache
@login_required
@permission_required(PERM_ASSIGN, raise_exception=True)
def duty_shift_create(request):
    def create(actor, data):
        services.duty_shift_create(
            actor=actor,
            org=data["org"],
            user=data["user"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            site=data["site"],
            window=data["window"],
            seat_label=data["seat_label"],
        )

    return _ledger_entry_create(
        request,
        form_class=DutyShiftForm,
        create=create,
        title=_("新增值班安排"),
        kind="duty",
        url_name="workorders:duty-shift-create",
        done=_("值班安排已保存。"),
    )


@never_cache
@login_required
@permission_required(PERM_ASSIGN, raise_exception=True)
def reception_day_create(request):
    def create(actor, data):
        services.reception_day_create(
            actor=actor,
            org=data["org"],
            leader_name=data["leader_name"],
            date=data["date"],
            place=data["place"],
            topic=data["topic"],
            records=data["records"],
        )

    return _ledger_entry_create(
        request,
        form_class=ReceptionDayForm,
        create=create,
        title=_("新增领导接待日"),
        kind="reception",
        url_name="workorders:reception-day-create",
        done=_("领导接待日已保存。"),
    )
