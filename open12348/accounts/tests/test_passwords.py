import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from open12348.accounts.models import PasswordHistory
from open12348.accounts.passwords import is_guessable, looks_like_pinyin_name

WEAK = [
    "Admin@123",
    "Abc@1234",
    "P@ssw0rd",
    "Aa123456",
    "Aa123456.",
    "Qq123456",
    "1qaz@WSX",
    "Zhangwei@1990",
    "LiNa1988!",
    "Wangxiaoming@88",
    "Sifaju@12348",
    "Taicang2024!",
    "Woaini@1314",
    "Qwer@1234",
    "Huawei@123",
]
STRONG = [
    "Xq7!vB2#pLm9",
    "我的密码很长也很安全2024!",
    "correct-Horse-battery-staple-9-" + "x" * 33,  # 64 characters
    "Aa1!" * 32,  # 128 characters
]


@pytest.mark.parametrize("password", WEAK)
def test_common_chinese_weak_passwords_are_refused(password, db):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", STRONG)
def test_long_passphrases_and_chinese_passphrases_are_accepted(password, db):
    validate_password(password)


def test_django_alone_would_have_let_the_classic_ones_through():
    from django.contrib.auth.password_validation import CommonPasswordValidator

    CommonPasswordValidator().validate("admin@123")  # the reason our list exists
    assert is_guessable("admin@123")


@pytest.mark.parametrize(
    ("password", "message"),
    [("Short1!", "至少需要 8 个"), ("alllowercaseletters", "至少三类"), ("Aa1!" * 33, "不能超过 128")],
)
def test_length_and_character_class_rules_speak_chinese(password, message, db):
    with pytest.raises(ValidationError, match=message):
        validate_password(password)


def test_pinyin_names_are_recognised_but_ordinary_words_are_not():
    assert looks_like_pinyin_name("zhangwei")
    assert not looks_like_pinyin_name("xq")
    assert not is_guessable("Xq7!vB2#pLm9")


def test_three_administrators_need_twelve_characters(audit_admin, clerk_a):
    with pytest.raises(ValidationError, match="至少需要 12 个"):
        validate_password("Xq7!vB2#pL", audit_admin)
    validate_password("Xq7!vB2#pL", clerk_a)


def test_the_last_five_passwords_cannot_be_reused(clerk_a):
    used = [f"Xq7!vB2#pLm{i}" for i in range(6)]
    for password in used:
        validate_password(password, clerk_a)
        clerk_a.set_password(password)
        clerk_a.save()
    assert PasswordHistory.objects.filter(user=clerk_a).count() == 5
    for recent in used[1:]:
        with pytest.raises(ValidationError, match="最近 5 次"):
            validate_password(recent, clerk_a)
    validate_password(used[0], clerk_a)  # six changes ago: allowed again
