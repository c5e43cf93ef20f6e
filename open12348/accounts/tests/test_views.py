import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from open12348.accounts.models import User
from open12348.audit.models import Event
from open12348.core.sms import MemorySmsBackend

pytestmark = pytest.mark.django_db

BACKEND = "open12348.accounts.backends.RoleBackend"
GOOD_ID = "11010519491231002X"  # check digit correct
BAD_ID = "110105194912310021"  # wrong check digit
NEW_PASSWORD = "Teal-Orbit-57!kz"


def login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error-message" id="id_{field}_error">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else ""


# ---- Login, lockout, logout ---------------------------------------------------------------


def test_login_page_has_one_field_for_phone_or_user_name_and_labels_tied_to_inputs(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<label for="id_username">手机号或用户名</label>' in html
    assert '<label for="id_password">密码</label>' in html
    assert 'autocomplete="current-password"' in html


def test_staff_log_in_by_user_name_and_land_on_the_console(client, clerk_a, password):
    response = login(client, "clerk_a", password)
    assert response.status_code == 302
    assert response.url == reverse("portal:after-login")
    assert client.get(response.url).url == reverse("portal:console")
    assert Event.objects.filter(verb="auth.login", actor=clerk_a).exists()


def test_citizens_log_in_by_phone_number_and_land_on_their_profile(client, citizen, password):
    response = login(client, "138 0013 8000", password)
    assert response.status_code == 302
    assert client.get(response.url).url == reverse("accounts:profile")


def test_login_honours_a_safe_next_and_ignores_an_unsafe_one(client, citizen, password):
    response = client.post(
        reverse("accounts:login") + "?next=/sites/", {"username": "13800138000", "password": password}
    )
    assert response.url == "/sites/"
    client.logout()
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/", {"username": "13800138000", "password": password}
    )
    assert response.url == reverse("portal:after-login")


@pytest.mark.parametrize("username", ["clerk_a", "nobody_here"])
def test_wrong_password_or_unknown_account_gets_the_same_generic_chinese_message(client, clerk_a, username):
    response = login(client, username, "Wrong-password-1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "手机号（用户名）或密码不正确" in html
    assert 'role="alert"' in html
    assert 'value="' + username + '"' in html  # the login name typed is kept
    assert "_auth_user_id" not in client.session


def test_empty_login_form_asks_for_both_fields_in_chinese(client):
    html = login(client, "", "").content.decode()
    assert field_error(html, "username") == "!请填写手机号或用户名。"
    assert field_error(html, "password") == "!请填写密码。"


def _fail_five_times(client, username):
    for _ in range(5):
        response = login(client, username, "Wrong-password-1")
    return response


def test_five_wrong_passwords_lock_the_account_even_against_the_right_password(client, clerk_a, password):
    fifth = _fail_five_times(client, "clerk_a")
    assert fifth.status_code == 429
    sixth = login(client, "clerk_a", password)
    html = sixth.content.decode()
    assert sixth.status_code == 429
    assert "账户已暂时锁定" in html
    assert "锁定30分钟" in html
    assert "_auth_user_id" not in client.session
    assert Event.objects.filter(verb="auth.locked_out").exists()


def test_lockout_is_keyed_by_user_name_so_a_colleague_on_the_same_ip_can_still_log_in(
    client, clerk_a, clerk_a2, password
):
    _fail_five_times(client, "clerk_a")
    response = login(client, "clerk_a2", password)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clerk_a2.pk)


def test_lockout_also_keys_by_the_normalised_name(client, clerk_a, password):
    _fail_five_times(client, "clerk_a")
    assert login(client, "ＣＬＥＲＫ_A", password).status_code == 429


def test_lockout_message_is_the_same_whether_or_not_the_account_exists(client, clerk_a, password):
    _fail_five_times(client, "clerk_a")
    _fail_five_times(client, "ghost_account")
    existing = login(client, "clerk_a", password)
    ghost = login(client, "ghost_account", password)
    assert existing.status_code == ghost.status_code == 429

    def main(response):
        return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]

    assert main(existing) == main(ghost)
    assert "clerk_a" not in main(existing)


def test_lockout_ends_after_thirty_minutes(client, clerk_a, password):
    _fail_five_times(client, "clerk_a")
    assert login(client, "clerk_a", password).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = login(client, "clerk_a", password)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(clerk_a.pk)


def test_logout_only_by_post(client, citizen):
    client.force_login(citizen, backend=BACKEND)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("portal:home")
    assert "_auth_user_id" not in client.session


def test_logged_in_pages_offer_a_logout_button_not_a_link(client, citizen):
    client.force_login(citizen, backend=BACKEND)
    html = client.get(reverse("portal:home")).content.decode()
    assert f'<form method="post" action="{reverse("accounts:logout")}"' in html
    assert f'href="{reverse("accounts:logout")}"' not in html


# ---- Registration -------------------------------------------------------------------------

PHONE = "13912345678"


@pytest.fixture
def outbox():
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def send_code(client, django_capture_on_commit_callbacks, outbox, phone=PHONE, **typed):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:register"), {"action": "send_code", "phone": phone, **typed})
    return response, (re.search(r"验证码是 (\d{6})", outbox[-1][1]).group(1) if outbox else None)


def registration(code, **overrides):
    data = {
        "action": "register",
        "phone": PHONE,
        "code": code,
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "display_name": "李四",
        "notice": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_register_page_has_the_notice_checkbox_and_the_get_code_button(client):
    html = client.get(reverse("accounts:register")).content.decode()
    assert '<label for="id_notice">我已阅读并同意个人信息保护告知</label>' in html
    assert "个人信息保护告知" in html
    assert 'value="send_code"' in html and "获取验证码" in html


def test_get_code_sends_an_sms_and_shows_the_form_again_as_typed(client, django_capture_on_commit_callbacks, outbox):
    response, code = send_code(client, django_capture_on_commit_callbacks, outbox, display_name="李四", notice="on")
    html = response.content.decode()
    assert response.status_code == 200
    assert outbox[0][0] == PHONE and code
    assert "验证码已发送至 139****5678" in html
    assert f'value="{PHONE}"' in html
    assert 'value="李四"' in html
    assert re.search(r'<input type="checkbox" name="notice"[^>]* checked', html)
    assert 'class="error-message"' not in html
    assert not User.objects.filter(display_name="李四").exists()  # sending a code registers nobody


def test_get_code_with_a_bad_phone_number_says_so_on_the_phone_field(
    client, django_capture_on_commit_callbacks, outbox
):
    response, code = send_code(client, django_capture_on_commit_callbacks, outbox, phone="12345", display_name="李四")
    html = response.content.decode()
    assert code is None
    assert "电话号码" in field_error(html, "phone")
    assert 'value="李四"' in html


def test_registration_creates_a_citizen_and_logs_them_in(client, django_capture_on_commit_callbacks, outbox):
    _, code = send_code(client, django_capture_on_commit_callbacks, outbox)
    response = client.post(reverse("accounts:register"), registration(code))
    assert response.status_code == 302
    assert response.url == reverse("portal:after-login")
    user = User.objects.get(display_name="李四")
    assert user.phone == PHONE
    assert user.role_codes == {"citizen"}
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(response.url).url == reverse("accounts:profile")


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"phone": "12345"}, "phone", "电话号码"),
        ({"code": "WRONG"}, "code", "验证码不正确"),
        ({"password": "Admin@123", "password2": "Admin@123"}, "password", "密码"),
        ({"password2": NEW_PASSWORD + "x"}, "password2", "两次输入的密码不一致"),
        ({"notice": None}, "notice", "个人信息保护告知"),
        ({"phone": ""}, "phone", "请填写手机号码"),
    ],
    ids=["bad-phone", "wrong-code", "weak-password", "mismatched-passwords", "notice-missing", "phone-missing"],
)
def test_registration_with_bad_input_shows_a_chinese_message_on_the_field_keeps_the_rest_and_creates_no_user(
    client, django_capture_on_commit_callbacks, outbox, overrides, field, words
):
    _, code = send_code(client, django_capture_on_commit_callbacks, outbox)
    overrides = dict(overrides)
    if overrides.pop("code", None) == "WRONG":
        code = "000000" if code != "000000" else "111111"
    users_before = User.objects.count()
    response = client.post(reverse("accounts:register"), registration(code, **overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert words in field_error(html, field)
    assert re.search(r"[\u4e00-\u9fff]", field_error(html, field))
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="李四"' in html  # what was typed is kept
    if field != "phone":
        assert f'value="{PHONE}"' in html
    assert NEW_PASSWORD not in html  # passwords are never echoed back
    assert User.objects.count() == users_before


def test_weak_password_does_not_use_up_the_sms_code(client, django_capture_on_commit_callbacks, outbox):
    _, code = send_code(client, django_capture_on_commit_callbacks, outbox)
    client.post(reverse("accounts:register"), registration(code, password="Admin@123", password2="Admin@123"))
    response = client.post(reverse("accounts:register"), registration(code))
    assert response.status_code == 302


# ---- Profile ------------------------------------------------------------------------------


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_profile_shows_the_phone_masked_never_in_full(client, citizen):
    client.force_login(citizen, backend=BACKEND)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "138****8000" in html
    assert "13800138000" not in html


def test_profile_with_a_wrong_check_digit_says_so_keeps_the_input_and_saves_nothing(client, citizen):
    client.force_login(citizen, backend=BACKEND)
    response = client.post(reverse("accounts:profile"), {"display_name": "张三丰", "resident_id": BAD_ID})
    html = response.content.decode()
    assert response.status_code == 200
    assert "身份证号码校验位不正确" in field_error(html, "resident_id")
    assert f'value="{BAD_ID}"' in html
    assert 'value="张三丰"' in html
    citizen.refresh_from_db()
    assert citizen.resident_id == ""
    assert citizen.resident_id_hash == ""
    assert citizen.display_name == "张三"


def test_profile_saves_a_good_resident_id_encrypted_and_shows_it_masked(client, citizen):
    client.force_login(citizen, backend=BACKEND)
    response = client.post(reverse("accounts:profile"), {"display_name": "张三", "resident_id": GOOD_ID.lower()})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.resident_id == GOOD_ID
    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_id FROM accounts_user WHERE id = %s", [citizen.pk])
        stored = cursor.fetchone()[0]
    assert GOOD_ID not in stored and GOOD_ID.lower() not in stored
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "1101**********002X" in html
    assert GOOD_ID not in html
    assert Event.objects.filter(verb="account.profile_updated", actor=citizen).exists()


def test_profile_keeps_the_saved_id_when_the_field_is_left_empty_and_clears_it_on_request(client, citizen):
    client.force_login(citizen, backend=BACKEND)
    client.post(reverse("accounts:profile"), {"display_name": "张三", "resident_id": GOOD_ID})
    client.post(reverse("accounts:profile"), {"display_name": "张小三", "resident_id": ""})
    citizen.refresh_from_db()
    assert (citizen.display_name, citizen.resident_id) == ("张小三", GOOD_ID)
    client.post(reverse("accounts:profile"), {"display_name": "张小三", "resident_id": "", "clear_resident_id": "on"})
    citizen.refresh_from_db()
    assert citizen.resident_id == ""


# ---- Password change ----------------------------------------------------------------------


def test_password_change_shows_the_rules_and_checks_the_old_password(client, citizen):
    client.force_login(citizen, backend=BACKEND)
    html = client.get(reverse("accounts:password-change")).content.decode()
    assert "密码至少 8 个字符" in html
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "当前密码不正确" in field_error(response.content.decode(), "old_password")


def test_password_change_rejects_a_weak_password_with_the_rule_on_the_field(client, citizen, password):
    client.force_login(citizen, backend=BACKEND)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": password, "new_password1": "Admin@123", "new_password2": "Admin@123"},
    )
    assert "太常见" in field_error(response.content.decode(), "new_password1")
    citizen.refresh_from_db()
    assert citizen.check_password(password)


def test_password_change_keeps_the_session_and_the_new_password_works(client, citizen, password):
    client.force_login(citizen, backend=BACKEND)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.logout()
    assert login(client, "13800138000", NEW_PASSWORD).status_code == 302


def test_accounts_that_must_change_their_password_are_sent_there_and_then_back(client, clerk_a, password):
    User.objects.filter(pk=clerk_a.pk).update(must_change_password=True)
    login(client, "clerk_a", password)
    response = client.get(reverse("portal:console"))
    assert response.url == reverse("accounts:password-change") + "?next=/console/"
    page = client.get(response.url).content.decode()
    assert "为了账户安全，您需要先设置新密码" in page
    done = client.post(
        response.url,
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "next": "/console/"},
    )
    assert done.url == "/console/"
    assert client.get("/console/").status_code == 200


# ---- Second factor (TOTP) -----------------------------------------------------------------


def current_code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def test_admin_without_a_device_is_sent_from_the_admin_to_otp_enrolment_and_then_gets_in(
    client, bureau_admin, password
):
    assert login(client, "bureau_admin", password).status_code == 302
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:otp-setup") + "?next=%2Fadmin%2F"
    html = response.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=bureau_admin, confirmed=False)
    secret = re.search(r'<p class="secret"><code>([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    import base64

    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key

    done = client.post(reverse("accounts:otp-setup"), {"token": current_code(device), "next": "/admin/"})
    assert done.status_code == 302
    assert done.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert Event.objects.filter(verb="auth.otp_enrolled", actor=bureau_admin).exists()


def test_admin_with_a_device_is_sent_to_the_otp_page_and_a_real_code_opens_the_admin(client, bureau_admin, password):
    device = TOTPDevice.objects.create(user=bureau_admin, name="手机", confirmed=True)
    login(client, "bureau_admin", password)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:otp") + "?next=%2Fadmin%2F"
    assert '<label for="id_token">动态验证码</label>' in response.content.decode()
    done = client.post(reverse("accounts:otp"), {"token": current_code(device), "next": "/admin/"})
    assert done.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert Event.objects.filter(verb="auth.otp_verified", actor=bureau_admin).exists()


def test_a_wrong_otp_code_is_refused_and_audited(client, bureau_admin, password):
    device = TOTPDevice.objects.create(user=bureau_admin, name="手机", confirmed=True)
    login(client, "bureau_admin", password)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = client.post(reverse("accounts:otp"), {"token": wrong, "next": "/admin/"})
    assert response.status_code == 200
    assert "动态验证码不正确" in field_error(response.content.decode(), "token")
    assert Event.objects.filter(verb="auth.otp_failed", actor=bureau_admin).exists()
    assert client.get("/admin/").status_code == 302


def test_after_a_wrong_otp_code_the_device_is_throttled_for_a_moment(client, bureau_admin, password):
    device = TOTPDevice.objects.create(user=bureau_admin, name="手机", confirmed=True)
    login(client, "bureau_admin", password)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    client.post(reverse("accounts:otp"), {"token": wrong})
    device.refresh_from_db()
    throttled = client.post(reverse("accounts:otp"), {"token": current_code(device), "next": "/admin/"})
    assert "请稍等片刻再试" in field_error(throttled.content.decode(), "token")
    with time_machine.travel(timezone.now() + timedelta(seconds=35)):
        done = client.post(reverse("accounts:otp"), {"token": current_code(device), "next": "/admin/"})
        assert done.url == "/admin/"


def test_otp_enrolment_is_refused_once_a_device_is_confirmed(client, bureau_admin, password):
    TOTPDevice.objects.create(user=bureau_admin, name="手机", confirmed=True)
    login(client, "bureau_admin", password)
    response = client.get(reverse("accounts:otp-setup"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp"))
    assert not TOTPDevice.objects.filter(user=bureau_admin, confirmed=False).exists()


def test_otp_ignores_an_unsafe_next(client, bureau_admin, password):
    device = TOTPDevice.objects.create(user=bureau_admin, name="手机", confirmed=True)
    login(client, "bureau_admin", password)
    done = client.post(reverse("accounts:otp"), {"token": current_code(device), "next": "https://evil.example/"})
    assert done.url == reverse("admin:index")


def test_citizens_are_not_offered_otp_enrolment(client, citizen):
    client.force_login(citizen, backend=BACKEND)
    response = client.get(reverse("accounts:otp-setup"))
    assert response.url == reverse("portal:after-login")
    assert not TOTPDevice.objects.filter(user=citizen).exists()


def test_otp_pages_require_login(client):
    for name in ("accounts:otp", "accounts:otp-setup", "accounts:password-change"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
