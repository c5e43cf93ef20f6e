from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _


class Open12348AdminSite(admin.AdminSite):
    """The Django admin for administrators. Accounts whose roles require a second factor
    (the three administrators and bureau administrators) reach no admin URL before they
    have passed TOTP in this session (C06)."""

    site_header = _("Open12348 公共法律服务平台 · 管理后台")
    site_title = _("Open12348 管理后台")
    index_title = _("管理首页")

    def has_permission(self, request):
        user = request.user
        if not (user.is_active and user.is_authenticated and user.is_staff):
            return False
        return not user.requires_otp or user.is_verified()

    def login(self, request, extra_context=None):
        user = request.user
        target = request.GET.get("next") or reverse("admin:index")
        if user.is_authenticated and user.is_staff and user.requires_otp and not user.is_verified():
            return redirect(f"{reverse('accounts:otp')}?{urlencode({'next': target})}")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
