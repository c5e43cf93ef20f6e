import unicodedata

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from open12348.accounts import roles
from open12348.core.fields import BlindIndexField, EncryptedCharField, personal
from open12348.core.models import TimeStampedModel
from open12348.core.prepared import PreparedQuery


class AccountManager(UserManager):
    @classmethod
    def normalize_username(cls, username):
        # NFKC + casefold: "Ａｄｍｉｎ" and "admin" are the same account (C01).
        return unicodedata.normalize("NFKC", username or "").strip().casefold()


class User(AbstractUser):
    """Every person who signs in: citizens (phone + password) and staff. What a user may do
    comes from their roles (RoleAssignment); where, from their StaffProfile's org node."""

    first_name = None
    last_name = None
    email = personal(models.EmailField(_("电子邮箱"), blank=True), _("联系方式"))
    display_name = personal(models.CharField(_("姓名"), max_length=50, blank=True), _("实名与称呼"))
    phone = EncryptedCharField(_("手机号码"), purpose=_("登录与联系"), plain_max_length=20)
    phone_hash = BlindIndexField(source="phone", kind="phone")
    resident_id = EncryptedCharField(_("身份证号码"), purpose=_("实名认证"), plain_max_length=18)
    resident_id_hash = BlindIndexField(source="resident_id", kind="resident_id")
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    objects = AccountManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="username_unique_casefold"),
            models.UniqueConstraint(fields=["phone_hash"], condition=~Q(phone_hash=""), name="phone_unique"),
        ]
        permissions = [
            ("view_full_pii", _("可以查看完整个人信息（须说明理由，留痕）")),
            ("assign_role", _("可以分配角色")),
            ("unlock_account", _("可以解除账户锁定")),
            ("view_staff_console", _("可以进入工作台")),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        if not hasattr(self, "_role_codes"):
            self._role_codes = frozenset(_ROLE_CODES.all(self.pk)) if self.pk else frozenset()
        return self._role_codes

    @property
    def session_kind(self) -> roles.Kind:
        return roles.session_kind(self.role_codes)

    @property
    def requires_otp(self) -> bool:
        return any(roles.get(code).requires_otp for code in self.role_codes if code in roles.BY_CODE)

    @property
    def is_staff_member(self) -> bool:
        return bool(self.role_codes & roles.STAFF_CODES)


class RoleAssignment(models.Model):
    """A role held by a user. The partial unique constraint makes 三员分立 a database fact:
    no account can hold two of the three administrator roles."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=32, choices=roles.CHOICES)
    granted_by = models.ForeignKey(
        User, verbose_name=_("授予人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_once_per_user"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(role__in=sorted(roles.THREE_ADMIN_CODES)), name="one_three_admin_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class StaffProfile(TimeStampedModel):
    """Ties a staff member to the org node whose subtree they serve (and see)."""

    user = models.OneToOneField(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="staff_profile")
    org = models.ForeignKey("orgs.OrgNode", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="staff")
    site = models.ForeignKey(
        "orgs.Site", verbose_name=_("所在站点"), null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    title = models.CharField(_("职务"), max_length=50, blank=True)
    specialty = models.CharField(_("业务专长"), max_length=100, blank=True)
    photo = personal(
        models.ImageField(_("照片"), upload_to="staff/photos/", blank=True), _("大厅与网站公示的工作人员照片")
    )

    class Meta:
        verbose_name = _("工作人员档案")
        verbose_name_plural = _("工作人员档案")

    def __str__(self):
        return f"{self.user} @ {self.org}"


class PasswordHistory(models.Model):
    """The last password hashes of a user, so that a change cannot go back to one of them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class PhoneVerification(models.Model):
    """A one-time SMS code sent to a phone number. Only keyed hashes are stored."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    purpose = models.CharField(max_length=20, default="register")
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(TimeStampedModel):
    """A bearer token for another system: acts as its user, within its org subtree and scope.
    Only a hash of the secret is stored; the secret is shown once, by `issuetoken`."""

    class Scope(models.TextChoices):
        READ = "read", _("只读")
        WRITE = "write", _("读写")

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100, blank=True)
    prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    org = models.ForeignKey("orgs.OrgNode", verbose_name=_("限定区域"), on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("权限范围"), max_length=10, choices=Scope.choices, default=Scope.READ)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"


# Read on every request of a signed-in user (permission checks): compiled once.
_ROLE_CODES = PreparedQuery(
    lambda user_id: RoleAssignment.objects.filter(user_id=user_id).values_list("role", flat=True), int
)
