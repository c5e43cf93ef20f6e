"""Account pages: sign in and out, citizen registration, second factor (TOTP), password
change and the citizen's own profile. Views check input and call services; they do not
write rows themselves, except the TOTP device enrolment below (see its note)."""

import base64
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from open12348.accounts import services
from open12348.accounts.forms import (
    LoginForm,
    OtpForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    apply_service_errors,
)
from open12348.accounts.selectors import has_confirmed_otp_device
from open12348.core import pii

LOGIN_BACKEND = "open12348.accounts.backends.RoleBackend"


def is_safe_local_url(request, url: str | None) -> bool:
    """A path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())


def safe_next(request, default: str) -> str:
    """The `next` parameter (POST first, then GET) if it is a safe local URL, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next")
    return candidate if is_safe_local_url(request, candidate) else default


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("登录成功。"))
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET with 405): a link or an image cannot sign anyone out."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("您已安全退出。"))
        return response


@sensitive_post_parameters("password", "password2")
@never_cache
def register(request):
    if request.user.is_authenticated:
        return redirect("portal:after-login")
    code_sent_to = ""
    if request.method == "POST":
        sending_code = request.POST.get("action") == "send_code"
        form = RegisterForm(request.POST, sending_code=sending_code)
        if sending_code:
            if form.is_valid():
                try:
                    services.sms_code_send(phone=form.cleaned_data["phone"])
                except ValidationError as error:
                    apply_service_errors(form, error, "phone")
                else:
                    code_sent_to = pii.mask_phone(pii.normalise_phone(form.cleaned_data["phone"]))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                user = services.citizen_register(
                    phone=data["phone"], code=data["code"], password=data["password"], display_name=data["display_name"]
                )
            except ValidationError as error:
                apply_service_errors(form, error, "phone")
            else:
                login(request, user, backend=LOGIN_BACKEND)
                messages.success(request, _("注册成功，欢迎使用12348公共法律服务平台。"))
                return redirect("portal:after-login")
    else:
        form = RegisterForm()
    return render(request, "accounts/register.html", {"form": form, "code_sent_to": code_sent_to})


def _otp_default_next(user) -> str:
    return reverse("admin:index") if user.is_staff else reverse("portal:after-login")


def _uses_otp(user) -> bool:
    """Accounts that can open the admin; no one else is offered a second factor (yet)."""
    return user.requires_otp or user.is_staff


THROTTLED = gettext_lazy("动态验证码输错次数较多，请稍等片刻再试（等待时间随输错次数增加）。")


@sensitive_post_parameters("token")
@never_cache
@login_required
def otp_verify(request):
    """The second factor for accounts whose roles require it (C06)."""
    user = request.user
    next_url = safe_next(request, _otp_default_next(user))
    if user.is_verified() or not _uses_otp(user):
        return redirect(next_url)
    if not has_confirmed_otp_device(user):
        return redirect(_with_next("accounts:otp-setup", next_url))
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.otp_verify(user=user, token=form.cleaned_data["token"])
        if outcome.device is not None:
            django_otp.login(request, outcome.device)
            return redirect(next_url)
        form.add_error(
            "token",
            THROTTLED
            if outcome.throttled
            else _("动态验证码不正确或已过期，请查看身份验证器上最新的6位数字后重新输入。"),
        )
    return render(request, "accounts/otp.html", {"form": form, "next": next_url})


@sensitive_post_parameters("token")
@never_cache
@login_required
def otp_setup(request):
    """Enrol a TOTP authenticator. Only while the account has none: a stolen password
    must not be enough to add a second device to an enrolled account."""
    user = request.user
    next_url = safe_next(request, _otp_default_next(user))
    if not _uses_otp(user):
        return redirect(next_url)
    if has_confirmed_otp_device(user):
        return redirect(_with_next("accounts:otp", next_url))
    device = services.otp_device_start(user=user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.otp_device_confirm(user=user, device=device, token=form.cleaned_data["token"])
        if outcome.device is not None:
            django_otp.login(request, device)
            messages.success(request, _("身份验证器已绑定。以后登录管理后台时，请输入其上显示的动态验证码。"))
            return redirect(next_url)
        form.add_error(
            "token",
            THROTTLED
            if outcome.throttled
            else _("动态验证码不正确。请确认已扫描本页二维码，并输入身份验证器上最新的6位数字。"),
        )
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "next": next_url,
        "qr_data_uri": qr.svg_data_uri(scale=5, border=4),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
        "issuer": getattr(settings, "OTP_TOTP_ISSUER", ""),
    }
    return render(request, "accounts/otp_setup.html", context)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@login_required
def password_change(request):
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(user=user, new_password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            apply_service_errors(form, error, "new_password1")
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect(safe_next(request, reverse("portal:after-login")))
    return render(request, "accounts/password_change.html", {"form": form, "next": safe_next(request, "")})


@sensitive_post_parameters("resident_id")
@never_cache
@login_required
def profile(request):
    user = request.user
    has_id = bool(user.resident_id)
    if request.method == "POST":
        form = ProfileForm(request.POST, has_resident_id=has_id)
        if form.is_valid():
            data = form.cleaned_data
            resident_id = data["resident_id"].strip()
            if not resident_id and not data.get("clear_resident_id"):
                resident_id = user.resident_id  # left empty: keep the number on file
            try:
                services.citizen_profile_update(actor=user, display_name=data["display_name"], resident_id=resident_id)
            except ValidationError as error:
                apply_service_errors(form, error, "resident_id")
            else:
                messages.success(request, _("个人信息已保存。"))
                return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"display_name": user.display_name}, has_resident_id=has_id)
    return render(request, "accounts/profile.html", {"form": form})
