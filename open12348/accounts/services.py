"""Writes to accounts: registration, staff, roles, passwords, personal-data reveal, tokens.
Each checks permission and state, writes, and records its audit event in one transaction."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.apps import apps
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from open12348.accounts import roles
from open12348.accounts.backends import login_key
from open12348.accounts.models import ApiToken, PhoneVerification, RoleAssignment, StaffProfile, User
from open12348.accounts.selectors import has_confirmed_otp_device
from open12348.audit.services import record
from open12348.core import pii
from open12348.core.fields import lookup_hash
from open12348.core.sms import send_sms

SMS_CODE_TTL = timedelta(minutes=10)
SMS_CODE_INTERVAL = timedelta(seconds=60)
SMS_CODE_MAX_ATTEMPTS = 5


def _code_hash(phone: str, code: str) -> str:
    return hmac.new(settings.PII_HASH_KEY.encode(), f"{phone}|{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def sms_code_send(*, phone: str, purpose: str = "register") -> None:
    """Send a 6-digit code; at most one per phone per minute (C29)."""
    phone = pii.validate_phone(phone, mobile_only=True)
    phone_hash = lookup_hash("phone", phone)
    latest = PhoneVerification.objects.filter(phone_hash=phone_hash, purpose=purpose).first()
    if latest and timezone.now() - latest.created_at < SMS_CODE_INTERVAL:
        raise ValidationError({"phone": gettext("验证码发送过于频繁，请一分钟后再试。")}, code="throttled")
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneVerification.objects.create(phone_hash=phone_hash, code_hash=_code_hash(phone, code), purpose=purpose)
    message = gettext("您的验证码是 {code}，10分钟内有效。如非本人操作，请忽略。【12348公共法律服务】").format(
        code=code
    )
    transaction.on_commit(lambda: send_sms(phone, message))


@transaction.atomic
def _sms_code_consume(*, phone: str, code: str, purpose: str) -> str:
    """Mark the pending code used if it matches; count a wrong try. Returns an error
    message or "" — it does not raise, so that the wrong try is committed."""
    phone_hash = lookup_hash("phone", phone)
    pending = (
        PhoneVerification.objects.select_for_update()
        .filter(
            phone_hash=phone_hash, purpose=purpose, used_at__isnull=True, created_at__gte=timezone.now() - SMS_CODE_TTL
        )
        .first()
    )
    if pending is None or pending.attempts >= SMS_CODE_MAX_ATTEMPTS:
        return gettext("验证码已失效，请重新获取。")
    if not hmac.compare_digest(pending.code_hash, _code_hash(phone, (code or "").strip())):
        PhoneVerification.objects.filter(pk=pending.pk).update(attempts=pending.attempts + 1)
        return gettext("验证码不正确。")
    PhoneVerification.objects.filter(pk=pending.pk).update(used_at=timezone.now())
    return ""


def citizen_register(*, phone: str, code: str, password: str, display_name: str = "") -> User:
    """Register a citizen by phone number, SMS code and password. A wrong code is counted
    even though the registration itself is refused."""
    phone = pii.validate_phone(phone, mobile_only=True)
    if User.objects.filter(phone_hash=lookup_hash("phone", phone)).exists():
        raise ValidationError({"phone": gettext("该手机号码已注册，请直接登录或找回密码。")}, code="taken")
    user = User(username=_citizen_username(), phone=phone, display_name=display_name.strip())
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    if error := _sms_code_consume(phone=phone, code=code, purpose="register"):
        raise ValidationError({"code": error}, code="bad_code")
    with transaction.atomic():
        user.set_password(password)
        try:
            user.save()
        except IntegrityError:
            raise ValidationError(
                {"phone": gettext("该手机号码已注册，请直接登录或找回密码。")}, code="taken"
            ) from None
        RoleAssignment.objects.create(user=user, role="citizen")
        record(actor=user, verb="account.registered", target=user)
    return user


def _citizen_username() -> str:
    return "c" + secrets.token_hex(6)


@transaction.atomic
def citizen_profile_update(*, actor: User, display_name: str, resident_id: str = "") -> User:
    resident_id = pii.validate_resident_id(resident_id) if resident_id.strip() else ""
    actor.display_name = display_name.strip()
    actor.resident_id = resident_id
    actor.save(update_fields=["display_name", "resident_id", "resident_id_hash"])
    record(actor=actor, verb="account.profile_updated", target=actor, payload={"resident_id_set": bool(resident_id)})
    return actor


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    username: str,
    display_name: str,
    org,
    role_codes: list[str],
    password: str | None = None,
    site=None,
    title: str = "",
    specialty: str = "",
    phone: str = "",
) -> tuple[User, str | None]:
    """Create a staff account in an org. Without a password, a random one-time password is
    returned and must be changed at first sign-in (C01)."""
    _require(actor, "accounts.assign_role")
    one_time = password is None
    password = password or _one_time_password()
    user = User(
        username=User.objects.normalize_username(username),
        display_name=display_name,
        phone=pii.validate_phone(phone) if phone else "",
        must_change_password=one_time,
    )
    if User.objects.filter(username__iexact=user.username).exists():
        raise ValidationError({"username": gettext("该用户名已被使用。")}, code="taken")
    user._role_codes = frozenset(role_codes)  # the rules for the roles about to be granted apply
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    _forget_roles(user)
    user.set_password(password)
    user.save()
    StaffProfile.objects.create(user=user, org=org, site=site, title=title, specialty=specialty)
    record(actor=actor, verb="account.staff_created", target=user, org=org, payload={"roles": role_codes})
    for code in role_codes:
        role_grant(actor=actor, user=user, role=code)
    return user, (password if one_time else None)


def _one_time_password() -> str:
    return secrets.token_urlsafe(12) + "-Aa1"


def _require(actor: User | None, permission: str) -> None:
    """`actor=None` is the platform itself (commands run by the operator of the server)."""
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied(gettext("您没有执行此操作的权限。"))


def role_grant_check(*, actor: User | None, user: User, role: str) -> roles.Role:
    """Why `actor` may not give `user` the role (PermissionDenied / ValidationError), or the role."""
    _require(actor, "accounts.assign_role")
    if role not in roles.BY_CODE:
        raise ValidationError({"role": gettext("未知角色：{role}").format(role=role)}, code="unknown_role")
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(gettext("不能给自己分配角色。"))
    spec = roles.get(role)
    held_three_admin = user.role_codes & roles.THREE_ADMIN_CODES - {role}
    if spec.three_admin and held_three_admin:
        other = roles.get(next(iter(held_three_admin))).name
        raise ValidationError(
            {"role": gettext("三员分立：该账户已是{other}，不能再担任{name}。").format(other=other, name=spec.name)},
            code="three_admin_conflict",
        )
    if spec.is_staff_role and not hasattr(user, "staff_profile"):
        raise ValidationError({"role": gettext("工作人员角色须先设置所属区域。")}, code="no_area")
    return spec


@transaction.atomic
def role_grant(*, actor: User | None, user: User, role: str) -> RoleAssignment:
    spec = role_grant_check(actor=actor, user=user, role=role)
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, defaults={"granted_by": actor})
    if created:
        if spec.admin_site and not user.is_staff:
            User.objects.filter(pk=user.pk).update(is_staff=True)
            user.is_staff = True
        if spec.three_admin:
            # A three-administrator password needs 12+ characters, which a stored hash
            # cannot show: the holder sets a new one at next sign-in.
            User.objects.filter(pk=user.pk).update(must_change_password=True)
        record(actor=actor, verb="role.granted", target=user, org=_org_of(user), payload={"role": role})
    _forget_roles(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor: User | None, user: User, role: str) -> None:
    _require(actor, "accounts.assign_role")
    deleted, _ = RoleAssignment.objects.filter(user=user, role=role).delete()
    if deleted:
        _forget_roles(user)
        if not any(roles.get(code).admin_site for code in user.role_codes if code in roles.BY_CODE):
            User.objects.filter(pk=user.pk).update(is_staff=False)
            user.is_staff = False
        record(actor=actor, verb="role.revoked", target=user, org=_org_of(user), payload={"role": role})


def _forget_roles(user: User) -> None:
    for cached in ("_role_codes", "_perm_cache", "_group_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cached, None)


def _org_of(user: User):
    profile = getattr(user, "staff_profile", None)
    return profile.org if profile else None


@transaction.atomic
def password_change(*, user: User, new_password: str) -> None:
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password1": error.messages}) from None
    user.set_password(new_password)
    user.must_change_password = False
    user.save()
    record(actor=user, verb="account.password_changed", target=user, org=_org_of(user))


@transaction.atomic
def account_unlock(*, actor: User, username: str) -> int:
    _require(actor, "accounts.unlock_account")
    cleared = axes_reset(username=login_key(username))
    record(actor=actor, verb="account.unlocked", payload={"username": login_key(username), "cleared": cleared})
    return cleared


PERSONAL_FIELDS = {"resident_id", "phone"}


@transaction.atomic
def personal_data_reveal(*, actor: User, instance, field: str, reason: str, org=None) -> str:
    """Return the full value of a personal-data field, once, with the reason on the audit
    trail. The audit row is written first: if it cannot be written, nothing is revealed."""
    _require(actor, "accounts.view_full_pii")
    if actor is None:
        raise PermissionDenied(gettext("您没有查看完整个人信息的权限。"))
    if len((reason or "").strip()) < 2:
        raise ValidationError({"reason": gettext("请填写查看完整信息的理由。")}, code="reason_required")
    if not getattr(type(instance)._meta.get_field(field), "personal_data", None):
        raise ValidationError({"field": gettext("该字段不是个人信息字段。")}, code="not_personal")
    from open12348.orgs.selectors import area_of

    area = area_of(actor)
    if org is not None and (area is None or not org.is_within(area)):
        raise PermissionDenied(gettext("该记录不在您的服务区域内。"))
    record(
        actor=actor, verb="pii.revealed", target=instance, org=org, payload={"field": field, "reason": reason.strip()}
    )
    return getattr(instance, field)


@transaction.atomic
def api_token_issue(
    *,
    actor: User | None,
    user: User,
    scope: str = ApiToken.Scope.READ,
    org=None,
    name: str = "",
    expires_in: timedelta | None = None,
) -> tuple[ApiToken, str]:
    """A new bearer token for `user`, limited to `org` (default: the user's own area)."""
    _require(actor, "accounts.assign_role")
    area = _org_of(user)
    if area is None:
        raise ValidationError({"user": gettext("只能为有所属区域的工作人员账户签发令牌。")}, code="no_area")
    org = org or area
    if not org.is_within(area):
        raise ValidationError({"org": gettext("令牌区域须在该账户的服务区域之内。")}, code="outside_area")
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": gettext("权限范围只能是 read 或 write。")}, code="bad_scope")
    secret = "o12348_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:12],
        key_hash=api_token_hash(secret),
        org=org,
        scope=scope,
        expires_at=timezone.now() + expires_in if expires_in else None,
    )
    record(actor=actor, verb="apitoken.issued", target=token, org=org, payload={"user": user.username, "scope": scope})
    return token, secret


def api_token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def roles_sync() -> tuple[int, list[str]]:
    """Materialise roles.py as one group per role holding exactly its permissions; drop
    groups of roles that no longer exist. Idempotent; runs after every migrate."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role in roles.ROLES:
        group, _ = Group.objects.get_or_create(name=role.code)
        group.permissions.set(_permissions_named(role))
    stale = Group.objects.exclude(name__in=roles.BY_CODE)
    removed = sorted(stale.values_list("name", flat=True))
    stale.delete()
    return len(roles.ROLES), removed


def _permissions_named(role: roles.Role) -> list[Permission]:
    found = []
    for name in sorted(role.permissions):
        app_label, codename = name.split(".")
        perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if perm is None:
            raise LookupError(gettext("角色 {code} 引用了不存在的权限 {name}。").format(code=role.code, name=name))
        found.append(perm)
    return found


@transaction.atomic
def staff_profile_save(*, actor: User, profile: StaffProfile, changed: list[str]) -> StaffProfile:
    """Saving a profile can move a person to another area: scoped to the actor's own area."""
    from open12348.orgs.selectors import area_of

    area = area_of(actor)
    if area is None or not profile.org.is_within(area):
        raise PermissionDenied(gettext("只能把工作人员设在您的管理区域内。"))
    profile.save()
    record(
        actor=actor,
        verb="account.staff_profile_saved",
        target=profile.user,
        org=profile.org,
        payload={"changed": changed, "org": profile.org.code},
    )
    return profile


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken) -> None:
    _require(actor, "accounts.assign_role")
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        record(actor=actor, verb="apitoken.revoked", target=token, org=token.org)


API_TOKEN_TOUCH_RESOLUTION = timedelta(minutes=1)


def api_token_touch(*, token: ApiToken, now) -> None:
    """Record the last use, at most once a minute per token: a conditional UPDATE, so
    concurrent requests do not each write (not audited: it is bookkeeping, not a change)."""
    cutoff = now - API_TOKEN_TOUCH_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > cutoff:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# --- Second factor (TOTP, django-otp). A device type is pluggable: an SM3-OTP or UKey device
# only needs its own django-otp Device model. ---


@dataclass(frozen=True)
class OtpOutcome:
    device: TOTPDevice | None
    throttled: bool  # django-otp slows a device down after wrong codes (1 s, 2 s, 4 s …)


@transaction.atomic
def otp_device_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (created once, reused on reload).
    Refused once a confirmed device exists: a stolen password must not add a second one."""
    if has_confirmed_otp_device(user):
        raise PermissionDenied(gettext("该账户已绑定身份验证器。"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=gettext("身份验证器"), confirmed=False)


@transaction.atomic
def otp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> OtpOutcome:
    """Confirm the device being enrolled with a code it shows."""
    outcome = _otp_check([device], token)
    if outcome.device is None:
        record(
            actor=user, verb="auth.otp_failed", target=user, payload={"enrolment": True, "throttled": outcome.throttled}
        )
        return outcome
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    record(actor=user, verb="auth.otp_enrolled", target=user, payload={"device": device.persistent_id})
    return outcome


@transaction.atomic
def otp_verify(*, user: User, token: str) -> OtpOutcome:
    """Check a code against the user's confirmed devices; the caller logs the device in."""
    outcome = _otp_check(list(TOTPDevice.objects.filter(user=user, confirmed=True)), token)
    if outcome.device is None:
        record(actor=user, verb="auth.otp_failed", target=user, payload={"throttled": outcome.throttled})
    else:
        record(actor=user, verb="auth.otp_verified", target=user, payload={"device": outcome.device.persistent_id})
    return outcome


def _otp_check(devices: list[TOTPDevice], token: str) -> OtpOutcome:
    allowed = [device for device in devices if device.verify_is_allowed()[0]]
    matched = next((device for device in allowed if device.verify_token(token)), None)
    return OtpOutcome(device=matched, throttled=not allowed)
