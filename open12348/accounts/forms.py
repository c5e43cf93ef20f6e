"""Forms of the account pages. They only check what a person typed; every write goes
through `accounts.services`, whose ValidationErrors `apply_service_errors` puts back on
the right field."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.core import pii

REQUIRED = _("请填写{}。")


def _required(label: str) -> dict[str, str]:
    return {"required": format_lazy(REQUIRED, label)}


def password_rules() -> list[str]:
    """The password rules in force, one sentence each (shown as help text)."""
    return password_validation.password_validators_help_texts()


def apply_service_errors(form: forms.Form, error: ValidationError, default_field: str | None = None) -> None:
    """Attach a service's ValidationError to the form: a dict goes field by field (keys the
    form does not have go to `default_field`), a plain message goes to `default_field`."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else default_field, errors)
    else:
        form.add_error(default_field, error)


class LoginForm(AuthenticationForm):
    """One field for the phone number (citizens) or the user name (staff). django-axes sees
    the attempt through `authenticate(request=...)`, which AuthenticationForm calls."""

    username = UsernameField(
        label=_("手机号或用户名"),
        max_length=150,
        error_messages=_required(_("手机号或用户名")),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        error_messages=_required(_("密码")),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("手机号（用户名）或密码不正确。请注意密码区分大小写；连续输错5次，账户将被锁定30分钟。"),
        "inactive": _("该账户已停用，请联系所在单位的管理员。"),
    }


class RegisterForm(forms.Form):
    """Citizen registration. With `sending_code=True` only the phone number is required:
    the "获取验证码" button posts the whole form, which is shown again as typed."""

    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        error_messages=_required(_("手机号码")),
        help_text=_("请输入11位中国大陆手机号码，注册后用它登录。"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel-national", "inputmode": "numeric"}),
    )
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        error_messages=_required(_("短信验证码")),
        help_text=_("先点击“获取验证码”，验证码会以短信发送到上面的手机号码，10分钟内有效。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("设置密码"),
        strip=False,
        error_messages=_required(_("密码")),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("再次输入密码"),
        strip=False,
        error_messages={"required": _("请再次输入密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    display_name = forms.CharField(
        label=_("姓名（选填）"),
        required=False,
        max_length=50,
        help_text=_("工作人员为您服务时如何称呼您。"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    notice = forms.BooleanField(
        label=_("我已阅读并同意个人信息保护告知"),
        error_messages={"required": _("请阅读个人信息保护告知，并勾选“我已阅读并同意”。")},
    )

    def __init__(self, *args, sending_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sending_code = sending_code
        self.fields["password"].help_text = "\n".join(password_rules())

    def clean_phone(self):
        try:
            return pii.validate_phone(self.cleaned_data["phone"], mobile_only=True)
        except ValidationError as error:
            raise ValidationError(error.messages, code="phone") from None

    def full_clean(self):
        if not self.sending_code:
            return super().full_clean()
        # Only the phone number matters for sending a code; the `required` attribute is
        # restored afterwards so that the form is shown again exactly as it was.
        relaxed = [name for name, field in self.fields.items() if name != "phone" and field.required]
        for name in relaxed:
            self.fields[name].required = False
        try:
            super().full_clean()
        finally:
            for name in relaxed:
                self.fields[name].required = True

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip()
        if code and not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise ValidationError(gettext("短信验证码是6位数字。"), code="format")
        return code

    def clean(self):
        cleaned = super().clean()
        if self.sending_code:
            return cleaned
        first, second = cleaned.get("password"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", gettext("两次输入的密码不一致，请重新输入。"))
        return cleaned


class OtpForm(forms.Form):
    token = forms.CharField(
        label=_("动态验证码"),
        max_length=8,
        error_messages=_required(_("动态验证码")),
        help_text=_(
            "打开手机上的身份验证器（如 Google Authenticator、Microsoft Authenticator、FreeOTP），输入显示的6位数字。"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self):
        token = "".join((self.cleaned_data.get("token") or "").split())
        if not (token.isascii() and token.isdigit() and 6 <= len(token) <= 8):
            raise ValidationError(gettext("动态验证码是6位数字。"), code="format")
        return token


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("当前密码"),
        strip=False,
        error_messages=_required(_("当前密码")),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        error_messages=_required(_("新密码")),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        error_messages={"required": _("请再次输入新密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = "\n".join(password_rules())

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise ValidationError(gettext("当前密码不正确，请重新输入。"), code="password_incorrect")
        return old

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", gettext("两次输入的新密码不一致，请重新输入。"))
        return cleaned


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("姓名"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    resident_id = forms.CharField(
        label=_("身份证号码（选填）"),
        required=False,
        max_length=30,
        help_text=_("办理法律援助等事项时用于核实身份。系统加密保存，页面上只显示部分号码。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    clear_resident_id = forms.BooleanField(label=_("删除已登记的身份证号码"), required=False)

    def __init__(self, *args, has_resident_id: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_resident_id:
            self.fields["resident_id"].label = gettext("新的身份证号码（选填）")
            self.fields["resident_id"].help_text = gettext(
                "已登记的号码不会在页面上完整显示。留空则保留已登记的号码；如需更正，请输入新的号码。"
            )
        else:
            del self.fields["clear_resident_id"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("clear_resident_id") and (cleaned.get("resident_id") or "").strip():
            self.add_error("resident_id", gettext("您勾选了删除身份证号码，请不要同时输入新的号码。"))
        return cleaned
