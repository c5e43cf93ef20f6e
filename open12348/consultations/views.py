"""Pages of online consultation (issue 5, E3/E9): the public list and question pages, the ask
form with the category suggestion, answerer profiles, the answer queue, the volunteer's
dashboard and the moderators' page. Views check input and call `consultations.services`
and `consultations.selectors`; who may see, answer, adopt or moderate is decided there."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from open12348.accounts.forms import apply_service_errors
from open12348.audit import context as audit_context
from open12348.catalog.selectors import legal_category_by_code
from open12348.consultations import selectors, services
from open12348.consultations.forms import (
    PRIVATE,
    AdoptForm,
    AnswerForm,
    AnswerPickForm,
    AskForm,
    CloseForm,
    DispatchForm,
    FilterForm,
    MessageForm,
    RateForm,
    ShiftForm,
    top_categories,
)
from open12348.consultations.masking import mask_personal_details
from open12348.consultations.models import Answer, Consultation, Volunteer
from open12348.consultations.suggest import suggest_category
from open12348.orgs.selectors import org_by_code

PAGE_SIZE = 20
SUGGEST_TEXT_MAX = 2000
LIST_STATUSES = (Consultation.Status.WAITING, Consultation.Status.ANSWERED, Consultation.Status.ADOPTED)
Conflict = services.ConsultationConflict  # the state forbids it (closed, adopted, answered twice)


def _message_of(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return getattr(error, "message", "") or str(error) or _("您没有执行此操作的权限。")


def _client_ip(request) -> str:
    return audit_context.client_ip(request.META, settings.TRUSTED_PROXY_COUNT) or ""


def _is_citizen(user) -> bool:
    """Questions are asked from a citizen's account (staff accounts answer, they do not ask)."""
    return user.is_authenticated and not user.is_staff_member


def _consultation_or_404(user, pk: int) -> Consultation:
    consultation = selectors.consultation_detail(pk)
    if not selectors.consultation_visible_to(user, consultation):
        raise Http404(_("没有找到该咨询，可能未公开或已关闭。"))
    return consultation


def _detail_url(consultation, anchor: str = "") -> str:
    return reverse("consultations:detail", args=[consultation.pk]) + (f"#{anchor}" if anchor else "")


# ---- public ---------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def consultation_list(request):
    status_choices = [(s.value, s.label) for s in LIST_STATUSES]
    form = FilterForm(request.GET or None, status_choices=status_choices)
    category, status, q, filter_error = None, "", "", ""
    if form.is_bound:
        if form.is_valid():
            status, q = form.cleaned_data["status"], form.cleaned_data["q"]
            code = form.cleaned_data["category"]
            category = legal_category_by_code(code) if code else None
        else:
            filter_error = _("查询条件有误，已显示全部咨询：") + "；".join(
                f"{form.fields[name].label}：{' '.join(errors)}" for name, errors in form.errors.items()
            )
    consultations = selectors.public_consultations(category=category, q=q, status=status or None)
    page = Paginator(consultations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filter_error": filter_error, "list_url": request.path}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "consultations/list.html#consult-results", context)
    return render(request, "consultations/list.html", context)


def _answer_rows(request, consultation, *, message_forms: dict | None = None) -> list[dict]:
    user = request.user
    message_forms = message_forms or {}
    is_asker = user.is_authenticated and consultation.asker_id == user.pk
    original = selectors.can_see_original(user, consultation)
    rows = []
    for answer in consultation.answers.all():
        is_author = user.is_authenticated and answer.author_id == user.pk
        may_thread = (is_asker or is_author) and consultation.status != Consultation.Status.CLOSED
        rows.append(
            {
                "answer": answer,
                "name": answer.volunteer.display_name if answer.volunteer_id else answer.author.display_name,
                "adopted": consultation.adopted_answer_id == answer.pk,
                "is_mine": is_author,
                "messages": [
                    {
                        "message": message,
                        "body": message.body
                        if original or message.author_id == user.pk
                        else (message.public_body or mask_personal_details(message.body)),
                        "from_asker": message.from_asker,
                    }
                    for message in answer.messages.all()
                ],
                "message_form": message_forms.get(answer.pk)
                or (MessageForm(prefix=f"m{answer.pk}") if may_thread else None),
                "can_adopt": selectors.can_adopt(user, consultation, answer),
                "can_entrust": selectors.can_entrust(user, consultation, answer),
                "entrustments": list(answer.entrustments.all()) if is_asker else [],
            }
        )
    return rows


def _detail_context(request, consultation: Consultation, **extra) -> dict:
    user = request.user
    is_asker = user.is_authenticated and consultation.asker_id == user.pk
    original = selectors.can_see_original(user, consultation)
    moderator = selectors.can_moderate(user, consultation)
    context = {
        "consultation": consultation,
        "views": consultation.view_count,
        "is_asker": is_asker,
        "title": consultation.title if original else consultation.public_title,
        "body": consultation.body if original else consultation.public_body,
        "shows_original": original and consultation.is_public,
        "answers": _answer_rows(request, consultation, message_forms=extra.pop("message_forms", None)),
        "time_message": selectors.answer_time_message(consultation),
        "answer_form": extra.pop("answer_form", None)
        or (AnswerForm() if selectors.can_answer(user, consultation) else None),
        "can_rate": selectors.can_rate(user, consultation),
        "rate_form": extra.pop("rate_form", None) or RateForm(),
        "adopt_form": AdoptForm(),
        "moderator": moderator,
        "moderator_may_adopt": moderator and selectors.moderator_may_adopt(consultation),
        "adopt_days": settings.CONSULT_MODERATOR_ADOPT_DAYS,
        "work_order": consultation.work_order if is_asker else None,
        "is_answerer": bool(selectors.answer_areas(user)),
    }
    if moderator and consultation.status != Consultation.Status.CLOSED:
        context["close_form"] = extra.pop("close_form", None) or CloseForm()
        if consultation.status == Consultation.Status.WAITING:
            context["dispatch_form"] = extra.pop("dispatch_form", None) or DispatchForm(
                volunteers=selectors.dispatchable_volunteers(consultation)
            )
            context["dispatches"] = list(consultation.dispatches.select_related("volunteer"))
    return context | extra


@never_cache
@require_GET
def consultation_detail(request, pk: int):
    consultation = _consultation_or_404(request.user, pk)
    views = consultation.view_count
    if consultation.asker_id != request.user.pk:
        services.consultation_viewed(consultation=consultation)
        views += 1
    return render(request, "consultations/detail.html", _detail_context(request, consultation, views=views))


@require_GET
def answerer_profile(request, volunteer_id: int):
    volunteer = Volunteer.objects.select_related("unit", "area", "practitioner").filter(pk=volunteer_id).first()
    if volunteer is None or not volunteer.is_active:
        raise Http404(_("没有找到该解答者。"))
    adopted = [
        answer
        for answer in selectors.adopted_answers(volunteer).filter(consultation__is_public=True)[:10]
        if answer.consultation.status != Consultation.Status.CLOSED
    ]
    context = {
        "volunteer": volunteer,
        "stats": selectors.profile_stats(volunteer),
        "specialties": list(volunteer.specialties.order_by("sort", "code")),
        "adopted": adopted,
        "recent": list(selectors.public_answers_of(volunteer)[:10]),
    }
    return render(request, "consultations/answerer.html", context)


# ---- asking ---------------------------------------------------------------------------------


def _citizen_required(request) -> None:
    if not _is_citizen(request.user):
        raise PermissionDenied(_("请使用群众账户提问；工作人员账户用于解答。"))


def _too_many(request):
    message = _("您提问的次数过多，请一小时后再试。情况紧急的，请直接拨打12348法律服务热线。")
    return render(request, "consultations/too_many.html", {"message": message}, status=429)


def _ask_form(request, *args, **kwargs) -> AskForm:
    return AskForm(*args, suggest_url=reverse("consultations:suggest"), **kwargs)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def ask(request):
    _citizen_required(request)
    user = request.user
    if request.method == "POST":
        form = _ask_form(request, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            ip = _client_ip(request)
            if services.ask_rate_limited(phone=getattr(user, "phone", "") or "", ip=ip):
                return _too_many(request)
            try:
                consultation = services.consultation_ask(
                    asker=user,
                    title=data["title"],
                    body=data["body"],
                    submit_key=data["submit_key"],
                    legal_category=data["legal_category"],
                    is_public=data["visibility"] != PRIVATE,
                    area=org_by_code(data["area"]),
                    attachments=data["attachments"],
                    ip=ip,
                )
            except Conflict as error:
                form.add_error(None, _message_of(error))
            except ValidationError as error:
                apply_service_errors(form, error, None)
            except PermissionDenied as error:
                form.add_error(None, _message_of(error))
            else:
                messages.success(
                    request,
                    _("您的问题已提交，查询码 {code}。{promise}").format(
                        code=consultation.work_order.tracking_code,
                        promise=selectors.answer_time_message(consultation),
                    ),
                )
                return redirect("consultations:detail", pk=consultation.pk)
        context = {"form": form, "time_message": selectors.answer_time_message()}
        return render(request, "consultations/ask.html", context, status=400)
    context = {
        "form": _ask_form(request, initial=_ask_initial(request.GET)),
        "time_message": selectors.answer_time_message(),
    }
    return render(request, "consultations/ask.html", context)


def _ask_initial(params) -> dict:
    """Pre-fill from a link: life-event pages pass `category` (a top-level category code), the
    assistant also passes `title` and `body` (the conversation so far)."""
    initial = {"title": params.get("title", "")[:60], "body": params.get("body", "")[:5000]}
    category = top_categories().filter(code=params.get("category", "")).first()
    if category is not None:
        initial["legal_category"] = category.pk
    return initial


@require_http_methods(["GET", "POST"])
@login_required
def suggest(request):
    """The category suggested for the text typed so far: `?text=` (GET), or the ask form's
    title and body (htmx POST, debounced; the text may be too long for a URL). Answers a line
    for the live region, and the category select again (out of band) with the suggestion
    chosen — unless the asker picked another category themselves."""
    params = request.POST if request.method == "POST" else request.GET
    parts = (params.get("title", ""), params.get("body", ""), params.get("text", ""))
    text = "\n".join(part[:SUGGEST_TEXT_MAX] for part in parts if part)
    category = suggest_category(text) if len(text.strip()) >= 2 else None
    top = category.parent if category is not None and category.parent_id else category
    suggested = str(top.pk) if top is not None else ""
    chosen = (params.get("legal_category") or "").strip()
    previous = (params.get("suggested") or "").strip()
    keep_choice = bool(chosen) and chosen != previous and chosen != suggested
    form = AskForm(initial={"legal_category": chosen if keep_choice else suggested})
    context = {"form": form, "suggested": top, "keep_choice": keep_choice, "chosen_name": _category_name(chosen)}
    return render(request, "consultations/_suggest.html", context)


def _category_name(pk: str) -> str:
    if not pk.isdigit():
        return ""
    found = top_categories().filter(pk=int(pk)).first()
    return found.name if found else ""


# ---- actions on a question --------------------------------------------------------------------
# A refusal for want of permission is a 403 (the page offers no such button); a refusal by the
# question's state (already adopted, closed …) goes back to the page with the reason.


def _back(request, consultation, error, anchor: str = ""):
    messages.error(request, _message_of(error))
    return redirect(_detail_url(consultation, anchor))


def _answer_of(consultation, pk) -> Answer:
    answer = next((a for a in consultation.answers.all() if a.pk == pk), None)
    if answer is None:
        raise Http404(_("没有找到该解答。"))
    return answer


def _detail_again(request, consultation, **forms):
    consultation = selectors.consultation_detail(consultation.pk)
    return render(request, "consultations/detail.html", _detail_context(request, consultation, **forms), status=400)


@require_POST
@login_required
def answer_add(request, pk: int):
    consultation = _consultation_or_404(request.user, pk)
    if not selectors.may_answer_in_area(request.user, consultation):
        raise PermissionDenied(_("该问题不在您的解答范围内。"))
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            answer = services.answer_post(actor=request.user, consultation=consultation, body=form.cleaned_data["body"])
        except Conflict as error:
            return _back(request, consultation, error, "answers")
        except ValidationError as error:
            apply_service_errors(form, error, "body")
        else:
            messages.success(request, _("您的解答已发布。提问人采纳后您将获得积分。"))
            return redirect(_detail_url(consultation, f"answer-{answer.pk}"))
    return _detail_again(request, consultation, answer_form=form)


@require_POST
@login_required
def message_add(request, answer_pk: int):
    consultation_id = Answer.objects.filter(pk=answer_pk).values_list("consultation_id", flat=True).first()
    consultation = _consultation_or_404(request.user, consultation_id)
    answer = _answer_of(consultation, answer_pk)
    form = MessageForm(request.POST, prefix=f"m{answer.pk}")
    if form.is_valid():
        try:
            services.message_post(actor=request.user, answer=answer, body=form.cleaned_data["body"])
        except Conflict as error:
            return _back(request, consultation, error, f"answer-{answer.pk}")
        except ValidationError as error:
            apply_service_errors(form, error, "body")
        else:
            messages.success(request, _("已发送。"))
            return redirect(_detail_url(consultation, f"answer-{answer.pk}"))
    elif request.user.pk not in (consultation.asker_id, answer.author_id):
        raise PermissionDenied(_("只有提问人和该解答人可以在此追问交流。"))
    return _detail_again(request, consultation, message_forms={answer.pk: form})


@require_POST
@login_required
def adopt(request, pk: int):
    consultation = _consultation_or_404(request.user, pk)
    form = AdoptForm(request.POST)
    if not form.is_valid():
        return _back(request, consultation, ValidationError([e for errors in form.errors.values() for e in errors]))
    answer = _answer_of(consultation, form.cleaned_data["answer"])
    try:
        services.answer_adopt(
            actor=request.user, consultation=consultation, answer=answer, rating=form.cleaned_data["rating"]
        )
    except ValidationError as error:
        return _back(request, consultation, error, f"answer-{answer.pk}")
    if consultation.asker_id == request.user.pk:
        messages.success(request, _("已采纳该解答，感谢您的反馈。"))
    else:
        messages.success(request, _("已代提问人采纳该解答。"))
    return redirect(_detail_url(consultation, f"answer-{answer.pk}"))


@require_POST
@login_required
def rate(request, pk: int):
    consultation = _consultation_or_404(request.user, pk)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_rate(
                actor=request.user, consultation=consultation, rating=form.cleaned_data["rating"]
            )
        except Conflict as error:
            return _back(request, consultation, error, "rate")
        except ValidationError as error:
            apply_service_errors(form, error, "rating")
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect(_detail_url(consultation, "rate"))
    elif consultation.asker_id != request.user.pk:
        raise PermissionDenied(_("只有提问人可以评价。"))
    return _detail_again(request, consultation, rate_form=form)


@require_POST
@login_required
def entrust(request, pk: int):
    consultation = _consultation_or_404(request.user, pk)
    form = AnswerPickForm(request.POST)
    if not form.is_valid():
        return _back(request, consultation, ValidationError(_("请选择要委托的律师的解答。")))
    answer = _answer_of(consultation, form.cleaned_data["answer"])
    try:
        entrustment = services.entrustment_request(actor=request.user, consultation=consultation, answer=answer)
    except ValidationError as error:
        return _back(request, consultation, error, f"answer-{answer.pk}")
    messages.success(
        request,
        _("委托申请已提交，查询码 {code}。工作人员将联系您确认委托事宜。").format(
            code=entrustment.work_order.tracking_code
        ),
    )
    return redirect(_detail_url(consultation, f"answer-{answer.pk}"))


# ---- moderators -------------------------------------------------------------------------------


def _moderator_required(user) -> None:
    if not user.has_perm(selectors.PERM_MODERATE):
        raise PermissionDenied(_("您没有管理在线咨询的权限。"))


@require_POST
@login_required
def close(request, pk: int):
    _moderator_required(request.user)
    consultation = _consultation_or_404(request.user, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_close(
                actor=request.user, consultation=consultation, reason=form.cleaned_data["reason"]
            )
        except Conflict as error:
            return _back(request, consultation, error, "moderate")
        except ValidationError as error:
            apply_service_errors(form, error, "reason")
        else:
            messages.success(request, _("咨询已关闭。"))
            return redirect(_detail_url(consultation))
    return _detail_again(request, consultation, close_form=form)


@require_POST
@login_required
def dispatch(request, pk: int):
    _moderator_required(request.user)
    consultation = _consultation_or_404(request.user, pk)
    from_manage = request.POST.get("back") == "manage"
    prefix = f"d{consultation.pk}" if from_manage else None
    form = DispatchForm(request.POST, volunteers=selectors.dispatchable_volunteers(consultation), prefix=prefix)
    back = reverse("consultations:manage") if from_manage else _detail_url(consultation, "moderate")
    if not form.is_valid():
        if not from_manage:
            return _detail_again(request, consultation, dispatch_form=form)
        messages.error(request, _("派单未成功：请从列表中选择志愿者。"))
        return redirect(back)
    volunteer = form.cleaned_data["volunteer"]
    try:
        services.consultation_dispatch(actor=request.user, consultation=consultation, volunteer=volunteer)
    except ValidationError as error:
        messages.error(request, _message_of(error))
    else:
        messages.success(request, _("已派给 {name}。").format(name=volunteer.display_name))
    return redirect(back)


@never_cache
@require_GET
@login_required
def manage(request):
    _moderator_required(request.user)
    now = timezone.now()
    rows = [
        {
            "consultation": consultation,
            "form": DispatchForm(
                volunteers=selectors.dispatchable_volunteers(consultation), prefix=f"d{consultation.pk}"
            ),
        }
        for consultation in selectors.overdue_consultations(request.user, now=now)[:100]
    ]
    escalated = selectors.moderated_consultations(request.user, status=Consultation.Status.WAITING).filter(
        escalation__gt=Consultation.Escalation.NONE
    )
    context = {
        "area": selectors.moderation_area(request.user),
        "rows": rows,
        "escalated": list(escalated[:100]),
        "now": now,
        "section": "manage",
    }
    return render(request, "consultations/manage.html", context)


# ---- answerers --------------------------------------------------------------------------------


def _answerer_required(user) -> None:
    if not selectors.answer_areas(user):
        raise PermissionDenied(_("只有法律服务志愿者和执业人员可以解答在线咨询。"))


@never_cache
@require_GET
@login_required
def queue(request):
    _answerer_required(request.user)
    page = Paginator(selectors.answer_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "now": timezone.now(), "section": "queue", "is_answerer": True}
    return render(request, "consultations/queue.html", context)


def _dashboard_context(request, **extra) -> dict:
    data = selectors.volunteer_dashboard(request.user)
    return data | {
        "queue": list(data["queue"][:10]),
        "queue_total": data["queue"].count(),
        "dispatched": list(data["dispatched"]),
        "shifts": list(data["shifts"]),
        "adopted_answers": list(data["adopted_answers"][:10]),
        "adopted_total": data["adopted_answers"].count(),
        "recent_point_entries": list(data["recent_point_entries"]),
        "shift_form": extra.pop("shift_form", None) or ShiftForm(),
        "now": timezone.now(),
        "section": "volunteer",
        "is_answerer": True,
        **extra,
    }


@never_cache
@require_GET
@login_required
def volunteer_dashboard(request):
    _answerer_required(request.user)
    return render(request, "consultations/volunteer.html", _dashboard_context(request))


def _volunteer_required(user) -> Volunteer:
    volunteer = selectors.volunteer_of(user)
    if volunteer is None:
        raise PermissionDenied(_("您还没有登记为法律服务志愿者。"))
    return volunteer


@require_POST
@login_required
def shift_add(request):
    volunteer = _volunteer_required(request.user)
    form = ShiftForm(request.POST)
    if form.is_valid():
        try:
            services.shift_create(actor=request.user, volunteer=volunteer, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error, None)
        else:
            messages.success(request, _("值班时间已添加。"))
            return redirect(reverse("consultations:volunteer") + "#shifts")
    return render(request, "consultations/volunteer.html", _dashboard_context(request, shift_form=form), status=400)


@require_POST
@login_required
def shift_remove(request, shift_pk: int):
    volunteer = _volunteer_required(request.user)
    shift = volunteer.shifts.filter(pk=shift_pk).first()
    if shift is None:
        raise Http404(_("没有找到该值班安排。"))
    services.shift_delete(actor=request.user, shift=shift)
    messages.success(request, _("值班时间已删除。"))
    return redirect(reverse("consultations:volunteer") + "#shifts")
