"""Pages of the service-center hall (issue 4).

Device pages (`/hall/d/<key>/…`) run on a kiosk, a hall TV and an evaluation tablet with no
account: the device's secret key authorises them, a wrong or disabled key is a 404. Staff
pages are the window console (queuing.operate_window) and the director's statistics and
devices (queuing.manage_hall). The phone follow page is public, reached by the ticket's
random follow code. Views check input and call queuing.services / queuing.selectors."""

import datetime
import secrets

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from open12348.accounts.forms import apply_service_errors
from open12348.core import pii
from open12348.queuing import selectors, services
from open12348.queuing.forms import (
    CheckInForm,
    DeviceCreateForm,
    EvaluationForm,
    FinishForm,
    StatsRangeForm,
    TicketForm,
    TransferForm,
)
from open12348.queuing.models import Device, QueueService, Ticket, WindowSession
from open12348.workorders import selectors as workorder_selectors

TAKE_RETRY_SECONDS = 600  # a kiosk retrying after a network blip within this gets the same ticket
KIOSK_RETURN_SECONDS = 30
FOLLOW_REFRESH_SECONDS = 20
HEARTBEAT_SECONDS = 30
EVALUATOR_POLL_SECONDS = 3


# ---- URLs the pages' scripts use -------------------------------------------------------------


def board_json_url(site) -> str:
    """GET /api/v1/queue/sites/{id}/board/ (queuing.api): the path is fixed by the issue."""
    return f"/api/v1/queue/sites/{site.pk}/board/"


def _own_stream_url(request, site) -> str:
    # Until queuing.push provides push_stream_url: the push server behind the same origin
    # (reverse proxy) or at QUEUE_PUSH_URL. A display that cannot connect polls instead.
    base = (getattr(settings, "QUEUE_PUSH_URL", "") or "").rstrip("/")
    return f"{base}/push/queue/sites/{site.pk}/stream"


def stream_url(request, site) -> str:
    try:
        from open12348.queuing.push import push_stream_url
    except ImportError:
        return _own_stream_url(request, site)
    return push_stream_url(request, site)


def fallback_poll_seconds() -> int:
    """How often a display without the push stream fetches the board: every 10 s (issue:
    never faster at scale); tests lower it through QUEUE_FALLBACK_POLL_SECONDS."""
    return max(1, settings.QUEUE_FALLBACK_POLL_SECONDS)


def _device_urls(device) -> dict:
    key = device.key
    return {
        "page": reverse("queuing:device", args=[key]),
        "heartbeat": reverse("queuing:device-heartbeat", args=[key]),
        "take": reverse("queuing:kiosk-take", args=[key]),
        "check_in": reverse("queuing:kiosk-check-in", args=[key]),
        "pending": reverse("queuing:evaluator-pending", args=[key]),
        "evaluate": reverse("queuing:evaluator-submit", args=[key]),
    }


# ---- Device pages ------------------------------------------------------------------------------


def _device_or_404(key: str, *kinds: str) -> Device:
    device = Device.objects.select_related("site", "window").filter(key=key, is_active=True).first()
    if device is None or (kinds and device.kind not in kinds):
        raise Http404(_("设备未登记或已停用。"))
    return device


def _staff_on_duty(site) -> list[dict]:
    """The kiosk's staff board (selectors.staff_on_duty) with the active queues each
    person's window handles: a citizen may pick a person (Ticket.preferred_staff)."""
    staff = selectors.staff_on_duty(site)
    if not staff:
        return []
    queues = list(selectors.active_services(site))
    windows = {
        window.number: {item.pk for item in window.services.all()}
        for window in site.windows.filter(is_active=True).prefetch_related("services")
    }
    for person in staff:
        items = windows.get(person["window_number"], set())
        person["id"] = person["user_id"]
        person["services"] = [queue for queue in queues if queue.service_item_id in items]
    return staff


def _kiosk_context(request, device, *, form=None, check_in_form=None, chosen=None, **extra) -> dict:
    site = device.site
    board = selectors.board_snapshot(site)
    waiting = {row["code"]: row for row in board.get("waiting", [])}
    services_ = list(selectors.active_services(site))
    if chosen is not None:
        services_ = [s for s in services_ if s in chosen["services"]]
    for service in services_:
        row = waiting.get(service.code, {})
        service.waiting = row.get("waiting", 0)
        service.estimated_wait_minutes = row.get("estimated_wait_minutes")
    form = form or TicketForm(initial={"request_token": secrets.token_urlsafe(16)})
    return {
        "device": device,
        "site": site,
        "services": services_,
        "staff_board": _staff_on_duty(site),
        "chosen_staff": chosen,
        "form": form,
        "check_in_form": check_in_form or CheckInForm(),
        "urls": _device_urls(device),
        "heartbeat_seconds": HEARTBEAT_SECONDS,
        "board_url": board_json_url(site),
        **extra,
    }


def _display_context(request, device) -> dict:
    site = device.site
    return {
        "device": device,
        "site": site,
        "board": selectors.board_snapshot(site),
        "urls": _device_urls(device),
        "heartbeat_seconds": HEARTBEAT_SECONDS,
        "board_url": board_json_url(site),
        "stream_url": stream_url(request, site),
        "poll_seconds": fallback_poll_seconds(),
        "voice_base": static("queuing/voice/"),
    }


def _evaluator_context(request, device, *, form=None, screen="idle", error="") -> dict:
    return {
        "device": device,
        "site": device.site,
        "window": device.window,
        "urls": _device_urls(device),
        "heartbeat_seconds": HEARTBEAT_SECONDS,
        "poll_seconds": EVALUATOR_POLL_SECONDS,
        "form": form or EvaluationForm(),
        "screen": screen,
        "error": error,
        "levels": EvaluationForm.base_fields["overall"].choices,
        "parts": [("attitude", _("服务态度")), ("efficiency", _("办事效率")), ("competence", _("业务水平"))],
    }


def _led_text(device) -> HttpResponse:
    """A window LED controller reads the window's current number as plain text."""
    return HttpResponse(selectors.led_text(device.window), content_type="text/plain; charset=utf-8")


@require_GET
@never_cache
def device_page(request, key: str):
    device = _device_or_404(key)
    if device.kind == Device.Kind.KIOSK:
        return render(request, "queuing/kiosk.html", _kiosk_context(request, device))
    if device.kind == Device.Kind.DISPLAY:
        return render(request, "queuing/display.html", _display_context(request, device))
    if device.kind == Device.Kind.EVALUATOR:
        screen = "thanks" if request.GET.get("thanks") else "idle"
        return render(request, "queuing/evaluator.html", _evaluator_context(request, device, screen=screen))
    return _led_text(device)


@require_POST
def device_heartbeat(request, key: str):
    device = _device_or_404(key)
    services.device_heartbeat(device=device, ip=request.META.get("REMOTE_ADDR") or None)
    return JsonResponse({"ok": True, "interval": HEARTBEAT_SECONDS})


# ---- Kiosk: take a ticket, check in, the ticket page --------------------------------------------


def _take_cache_key(device, token: str) -> str:
    return f"queuing:take:{device.pk}:{token}"


def _ticket_redirect(request, device, ticket):
    url = reverse("queuing:kiosk-ticket", args=[device.key, ticket.follow_code])
    if request.htmx:
        # The kiosk script posts with fetch and follows this header (see kiosk.js).
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _kiosk_form_response(request, device, status: int = 400, **context):
    context = _kiosk_context(request, device, **context)
    template = "queuing/kiosk.html#start" if request.htmx else "queuing/kiosk.html"
    return render(request, template, context, status=status)


def _previous_take(device, token: str):
    if not token:
        return None
    follow_code = cache.get(_take_cache_key(device, token))
    return Ticket.objects.filter(follow_code=follow_code).first() if follow_code else None


# ticket_issue's error keys → the kiosk form's fields (the rest are shown above the form).
SERVICE_ERROR_FIELDS = {"id_number": "resident_id"}


def _renamed(error: ValidationError, names: dict) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({names.get(key, key): value for key, value in error.error_dict.items()})


def _issue(device, form, *, code: str, staff_user):
    data = form.cleaned_data
    try:
        ticket = services.ticket_issue(
            site=device.site,
            service_code=code,
            phone=data["phone"],
            resident_id=data["resident_id"],
            green_reason=data["green_reason"],
            preferred_staff=staff_user,
        )
    except ValidationError as error:
        apply_service_errors(form, _renamed(error, SERVICE_ERROR_FIELDS), None)
        return None
    if data.get("request_token"):
        cache.set(_take_cache_key(device, data["request_token"]), ticket.follow_code, TAKE_RETRY_SECONDS)
    return ticket


@sensitive_post_parameters("phone", "resident_id")
@require_POST
def kiosk_take(request, key: str):
    device = _device_or_404(key, Device.Kind.KIOSK)
    form = TicketForm(request.POST)
    if not form.is_valid():
        return _kiosk_form_response(request, device, form=form)
    data = form.cleaned_data
    previous = _previous_take(device, data.get("request_token") or "")
    if previous is not None:
        return _ticket_redirect(request, device, previous)
    chosen = None
    if data["staff"]:
        chosen = next((s for s in _staff_on_duty(device.site) if s["id"] == data["staff"]), None)
        if chosen is None:
            form.add_error(None, _("该工作人员当前不在岗，请直接选择要办理的业务。"))
            return _kiosk_form_response(request, device, form=form)
    code = data["service"]
    if chosen is not None:
        codes = [s.code for s in chosen["services"]]
        if not code and len(codes) == 1:
            code = codes[0]
        elif not code:
            # Several queues at that person's window: the citizen picks one.
            return _kiosk_form_response(request, device, status=200, form=form, chosen=chosen)
        elif code not in codes:
            form.add_error(None, _("{name}不办理该项业务，请重新选择。").format(name=chosen["name"]))
            return _kiosk_form_response(request, device, form=form, chosen=chosen)
    if not code:
        form.add_error(None, _("请选择要办理的业务。"))
        return _kiosk_form_response(request, device, form=form)
    staff_user = get_user_model().objects.filter(pk=chosen["id"]).first() if chosen is not None else None
    ticket = _issue(device, form, code=code, staff_user=staff_user)
    if ticket is None:
        return _kiosk_form_response(request, device, form=form, chosen=chosen)
    return _ticket_redirect(request, device, ticket)


@require_POST
def kiosk_check_in(request, key: str):
    device = _device_or_404(key, Device.Kind.KIOSK)
    check_in_form = CheckInForm(request.POST)
    if check_in_form.is_valid():
        try:
            ticket = services.appointment_check_in(site=device.site, code=check_in_form.cleaned_data["code"])
        except ValidationError as error:
            apply_service_errors(check_in_form, error, "code")
        else:
            return _ticket_redirect(request, device, ticket)
    return _kiosk_form_response(request, device, check_in_form=check_in_form, show_check_in=True)


def qr_data_uri(url: str) -> str:
    """The QR code as an SVG data URI, made on the server (no script, no CDN)."""
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)


def _ticket_facts(ticket) -> dict:
    waiting = ticket.status == Ticket.Status.WAITING
    ahead = selectors.people_ahead(ticket) if waiting else 0
    return {
        "ahead": ahead,
        "wait_minutes": selectors.estimated_wait_minutes(ticket.service, ahead) if waiting else None,
        "waiting": waiting,
    }


@require_GET
@never_cache
def kiosk_ticket(request, key: str, follow_code: str):
    device = _device_or_404(key, Device.Kind.KIOSK)
    ticket = (
        Ticket.objects.select_related("service", "site")
        .filter(site=device.site, follow_code=follow_code, day=selectors.beijing_today())
        .first()
    )
    if ticket is None:
        raise Http404(_("没有找到该号码。"))
    follow_url = request.build_absolute_uri(reverse("queuing:follow", args=[ticket.follow_code]))
    context = {
        "device": device,
        "site": device.site,
        "ticket": ticket,
        "facts": _ticket_facts(ticket),
        "qr": qr_data_uri(follow_url),
        "follow_url": follow_url,
        "return_seconds": KIOSK_RETURN_SECONDS,
        "urls": _device_urls(device),
        "heartbeat_seconds": HEARTBEAT_SECONDS,
    }
    return render(request, "queuing/kiosk_ticket.html", context)


# ---- Evaluator ---------------------------------------------------------------------------------


@require_GET
@never_cache
def evaluator_pending(request, key: str):
    device = _device_or_404(key, Device.Kind.EVALUATOR)
    ticket = selectors.evaluation_pending(device)
    body = {"ticket": None}
    if ticket is not None:
        body["ticket"] = {"id": ticket.pk, "number": ticket.number}
    return JsonResponse(body)


@require_POST
def evaluator_submit(request, key: str):
    device = _device_or_404(key, Device.Kind.EVALUATOR)
    form = EvaluationForm(request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.evaluation_submit(
                device=device,
                ticket_id=data["ticket_id"],
                overall=data["overall"],
                attitude=data["attitude"],
                efficiency=data["efficiency"],
                competence=data["competence"],
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
        except services.QueueConflict as exc:
            error = exc.message
        except PermissionDenied as exc:  # a ticket of another window: a message, not a 403 page
            error = str(exc) or _("该号码不能在此评价。")
        else:
            return redirect(reverse("queuing:device", args=[key]) + "?thanks=1")
    else:
        error = "；".join(message for errors in form.errors.values() for message in errors)
    context = _evaluator_context(request, device, form=form, screen="rate", error=error)
    return render(request, "queuing/evaluator.html", context, status=400)


# ---- Phone follow page ------------------------------------------------------------------------


@require_GET
@never_cache
def follow(request, follow_code: str):
    ticket = selectors.ticket_by_follow_code(follow_code)
    if ticket is None:
        raise Http404(_("没有找到该号码。"))
    context = {"ticket": ticket, "facts": _ticket_facts(ticket), "refresh_seconds": FOLLOW_REFRESH_SECONDS}
    return render(request, "queuing/follow.html", context)


# ---- Window console (staff) ---------------------------------------------------------------------


def _window_or_404(user, pk: int):
    window = selectors.operable_windows(user).filter(pk=pk).select_related("site").first()
    if window is None or not selectors.can_operate(user, window):
        raise Http404(_("没有找到该窗口，或您无权操作。"))
    return window


def _open_sessions(windows) -> dict:
    sessions = WindowSession.objects.filter(window__in=windows, closed_at__isnull=True).select_related("user")
    return {session.window_id: session for session in sessions}


@require_GET
@never_cache
@login_required
@permission_required("queuing.operate_window", raise_exception=True)
def window_list(request):
    windows = list(selectors.operable_windows(request.user).select_related("site"))
    sessions = _open_sessions(windows)
    for window in windows:
        window.session = sessions.get(window.pk)
    managed = list(selectors.managed_sites(request.user)) if request.user.has_perm("queuing.manage_hall") else []
    return render(request, "queuing/windows.html", {"windows": windows, "managed_sites": managed})


def _service_call(request, call, success: str) -> bool:
    """Run a service call; its refusal becomes a message. True when it went through."""
    try:
        call()
    except services.QueueConflict as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, success)
        return True
    return False


@require_POST
@login_required
@permission_required("queuing.operate_window", raise_exception=True)
def window_open(request, pk: int):
    window = _window_or_404(request.user, pk)
    opened = _service_call(
        request,
        lambda: services.window_open(actor=request.user, window=window),
        _("已在{window}号窗口上岗。").format(window=window.number),
    )
    return redirect("queuing:console", pk=window.pk) if opened else redirect("queuing:windows")


@require_POST
@login_required
@permission_required("queuing.operate_window", raise_exception=True)
def window_close(request, pk: int):
    window = _window_or_404(request.user, pk)
    _service_call(
        request,
        lambda: services.window_close(actor=request.user, window=window),
        _("已在{window}号窗口离岗。").format(window=window.number),
    )
    return redirect("queuing:windows")


def _mask_phone(value: str) -> str:
    return pii.mask_phone(value) if value else ""


def _console_context(request, window, *, finish_form=None, flash=None) -> dict:
    console = selectors.window_console(window, viewer=request.user)
    current = console["current"]
    transfer_services = QueueService.objects.filter(site=window.site, is_active=True).select_related("service_item")
    if current is not None:
        transfer_services = transfer_services.exclude(pk=current.service_id)
    if finish_form is None and current is not None:
        finish_form = FinishForm(initial={"applicant_phone": current.phone})
    session = console["session"]
    return {
        "window": window,
        "console": console,
        # Not "current": base.html's navigation sets that name ({% nav_current … as current %}).
        "now_serving": current,
        "phone_masked": _mask_phone(current.phone) if current is not None else "",
        "resident_id_masked": pii.mask_resident_id(current.resident_id) if current and current.resident_id else "",
        "finish_form": finish_form or FinishForm(),
        "transfer_form": TransferForm(services=transfer_services),
        "session": session,
        "late_no_shows": selectors.late_no_shows(window),
        "is_mine": session is not None and session.user_id == request.user.pk,
        "flash": flash,
    }


def _console_response(request, window, *, status: int = 200, **extra):
    context = _console_context(request, window, **extra)
    if request.htmx:
        return render(request, "queuing/console.html#panel", context, status=status)
    return render(request, "queuing/console.html", context, status=status)


@require_GET
@never_cache
@login_required
@permission_required("queuing.operate_window", raise_exception=True)
def console(request, pk: int):
    window = _window_or_404(request.user, pk)
    return _console_response(request, window)


def _site_ticket(window, pk) -> Ticket:
    ticket = Ticket.objects.filter(pk=pk or 0, site=window.site).first() if str(pk or "").isdigit() else None
    if ticket is None:
        raise ValidationError(_("没有找到该号码。"))
    return ticket


def _run_action(request, window, action: str) -> str:
    """Performs one console action; returns the message to show."""
    actor = request.user
    if action == "call_next":
        ticket = services.call_next(actor=actor, window=window)
        return _("已叫号：{number}").format(number=ticket.number) if ticket is not None else _("当前没有等候的群众。")
    if action == "recall":
        services.recall(actor=actor, window=window)
        return _("已重呼。")
    if action == "skip":
        ticket = services.skip(actor=actor, window=window)
        return _("{number} 已过号。").format(number=ticket.number)
    if action == "start":
        services.start(actor=actor, window=window)
        return _("已开始办理。")
    if action == "park":
        services.park(actor=actor, window=window)
        return _("已暂挂，可以叫下一位。")
    if action == "resume":
        services.resume(actor=actor, window=window, ticket=_site_ticket(window, request.POST.get("ticket")))
        return _("已恢复办理。")
    if action == "requeue":
        ticket = _site_ticket(window, request.POST.get("ticket"))
        services.requeue_late(actor=actor, ticket=ticket)
        return _("{number} 已重新排队。").format(number=ticket.number)
    if action == "transfer":
        code = request.POST.get("service_code") or ""
        if not code:
            raise ValidationError(_("请选择要转到的业务。"))
        services.transfer(actor=actor, window=window, service_code=code)
        return _("已转到其他业务，原取号时间保留。")
    raise ValidationError(_("不支持的操作。"))


@require_POST
@login_required
@permission_required("queuing.operate_window", raise_exception=True)
def console_act(request, pk: int):
    window = _window_or_404(request.user, pk)
    action = request.POST.get("action") or ""
    try:
        text = _run_action(request, window, action)
    except services.QueueConflict as error:
        flash, status = {"level": "error", "text": error.message}, 409
    except ValidationError as error:
        flash, status = {"level": "error", "text": "；".join(error.messages)}, 400
    else:
        flash, status = {"level": "success", "text": text}, 200
    if not request.htmx:
        (messages.success if status == 200 else messages.error)(request, flash["text"])
        return redirect("queuing:console", pk=window.pk)
    # htmx swaps only 2xx answers: a refusal is shown in the panel, with its status in a header.
    response = _console_response(request, window, flash=flash)
    response["X-Queue-Status"] = str(status)
    return response


def _existing_order(user, raw: str):
    raw = raw.strip()
    if not raw:
        return None
    if raw.isdigit():
        order = workorder_selectors.workorder_for(user, raw)
    else:
        order = workorder_selectors.visible_workorders(user).filter(tracking_code=raw.upper()).first()
    if order is None:
        raise ValidationError({"existing_order": _("没有找到该工单，或您无权查看。")})
    return order


@sensitive_post_parameters("applicant_phone")
@require_POST
@login_required
@permission_required("queuing.operate_window", raise_exception=True)
def console_finish(request, pk: int):
    window = _window_or_404(request.user, pk)
    form = FinishForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            order = _existing_order(request.user, data["existing_order"])
            ticket = services.finish(
                actor=request.user,
                window=window,
                description=data["description"].strip() if order is None else "",
                applicant_name=data["applicant_name"].strip(),
                applicant_phone=data["applicant_phone"],
                work_order=order,
                resolve=data["resolve"] and order is None,
                reply=data["reply"].strip(),
            )
        except ValidationError as error:
            apply_service_errors(form, error, None)
        except services.QueueConflict as error:
            form.add_error(None, error.message)
        except PermissionDenied as error:
            form.add_error("existing_order", str(error) or _("该工单不在您的办理范围内。"))
        else:
            code = ticket.work_order.tracking_code if ticket.work_order_id else ""
            text = (
                _("{number} 已办结，工单查询码 {code}。").format(number=ticket.number, code=code)
                if code
                else _("{number} 已办结。").format(number=ticket.number)
            )
            if not request.htmx:
                messages.success(request, text)
                return redirect("queuing:console", pk=window.pk)
            return _console_response(request, window, flash={"level": "success", "text": text})
    if not request.htmx:
        return _console_response(request, window, status=400, finish_form=form)
    flash = {"level": "error", "text": _("办结未成功，请修改下方表单中的问题。")}
    response = _console_response(request, window, finish_form=form, flash=flash)
    response["X-Queue-Status"] = "400"
    return response


# ---- Director: statistics and devices ------------------------------------------------------------


def _managed_site_or_404(user, pk: int):
    site = selectors.managed_sites(user).filter(pk=pk).first()
    if site is None:
        raise Http404(_("没有找到该站点，或您无权管理。"))
    return site


@require_GET
@never_cache
@login_required
@permission_required("queuing.manage_hall", raise_exception=True)
def site_stats(request, pk: int):
    site = _managed_site_or_404(request.user, pk)
    today = selectors.beijing_today()
    form = StatsRangeForm(request.GET or None)
    day_from, day_to = today - datetime.timedelta(days=6), today
    if form.is_bound and form.is_valid():
        day_from = form.cleaned_data["day_from"] or day_from
        day_to = form.cleaned_data["day_to"] or day_to
        if day_from > day_to:
            day_from = day_to
    stats = selectors.hall_stats(site, day_from=day_from, day_to=day_to)
    context = {"site": site, "form": form, "stats": stats, "day_from": day_from, "day_to": day_to}
    return render(request, "queuing/stats.html", context, status=400 if form.errors else 200)


def _device_page_url(request, device) -> str:
    return request.build_absolute_uri(reverse("queuing:device", args=[device.key]))


@never_cache
@login_required
@permission_required("queuing.manage_hall", raise_exception=True)
def site_devices(request, pk: int):
    site = _managed_site_or_404(request.user, pk)
    windows = site.windows.filter(is_active=True).order_by("number")
    form = DeviceCreateForm(request.POST or None, windows=windows)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            device = services.device_create(
                actor=request.user, site=site, kind=data["kind"], name=data["name"].strip(), window=data["window"]
            )
        except ValidationError as error:
            apply_service_errors(form, error, None)
        else:
            messages.success(
                request,
                _("已登记设备“{name}”。设备页面地址：{url}").format(
                    name=device.name, url=_device_page_url(request, device)
                ),
            )
            return redirect("queuing:site-devices", pk=site.pk)
    devices = selectors.device_health(site)
    rows = [row | {"url": _device_page_url(request, row["device"])} for row in devices]
    status = 400 if form.errors else 200
    return render(request, "queuing/devices.html", {"site": site, "form": form, "rows": rows}, status=status)


# ---- Staff board photos ---------------------------------------------------------------------------


@require_GET
def staff_photo(request, pk: int):
    """A staff member's photo as the staff board shows it. Media files have no public URL
    (attachments live there too): this view serves only profile photos, as images."""
    photo = selectors.staff_photo(pk)
    if photo is None:
        raise Http404(_("没有照片。"))
    try:
        handle = photo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("没有照片。")) from None
    content_type = "image/png" if photo.name.lower().endswith(".png") else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response
