"""Password rules of the graded-protection scheme (等保2.0 level 3): length, three of four
character classes, no common or guessable password, no reuse of the last five. The ASVS
parts that do not conflict are kept: up to 128 characters, passphrases and CJK allowed."""

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from open12348.accounts import roles

MAX_LENGTH = 128
MIN_LENGTH = 8
MIN_LENGTH_THREE_ADMIN = 12

# Words people build passwords from: products, places, the bureau itself, keyboard runs.
CONTEXT_WORDS = frozenset(
    """admin administrator root user test guest system password passwd pass abc abcd abcde qwe qwer qwert
    qwerty asd asdf zxc zxcv qaz wsx woaini iloveyou love welcome china huawei sifaju sfj gongan fayuan
    zhengfu taicang suzhou jiangsu shanghai beijing mima yonghu guanliyuan falv lvshi""".split()
)
SURNAMES = frozenset(
    """wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie song
    tang han feng deng cao peng zeng xiao tian dong yuan pan yu jiang cai jia ding wei xue ye yan lv su lu
    shen ren yao cui zhong tan fan jin qian qin shi gu hou shao meng long wan duan lei kong mao qiu chang
    fu bai wen fang dai kang""".split()
)
_INITIALS = "b p m f d t n l g k h j q x zh ch sh r z c s y w".split() + [""]
_FINALS = """a o e i u v ai ei ao ou an en ang eng ong er ia ie iao iu ian in iang ing iong ua uo uai ui
uan un uang ue""".split()
SYLLABLES = frozenset(i + f for i in _INITIALS for f in _FINALS)
LEET = str.maketrans({"@": "a", "0": "o", "$": "s", "3": "e", "1": "i", "5": "s", "4": "a", "7": "t"})


@cache
def _weak_list() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "weak_passwords_zh.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _syllable_count(word: str) -> int | None:
    """How many pinyin syllables `word` splits into (fewest), or None if it does not."""
    best: list[int | None] = [0] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            if best[start] is not None and word[start:end] in SYLLABLES:
                count = best[start] + 1
                best[end] = count if best[end] is None else min(best[end], count)
    return best[-1]


def looks_like_pinyin_name(word: str) -> bool:
    """zhangwei, lina, wangxiaoming: a common surname and one or two more syllables."""
    for surname in SURNAMES:
        if word.startswith(surname) and len(word) > len(surname):
            rest = _syllable_count(word[len(surname) :])
            if rest is not None and rest <= 2:
                return True
    return False


def is_guessable(password: str) -> bool:
    lowered = password.lower()
    if lowered in _weak_list():
        return True
    letters, leet_letters = _letters(password), _letters(lowered.translate(LEET))
    only_decorated = len(re.sub(r"[A-Za-z]", "", password)) == len(password) - len(letters)
    for core in {letters, leet_letters}:
        if core in CONTEXT_WORDS:
            return True
        if only_decorated and core and looks_like_pinyin_name(core) and sum(c.isdigit() for c in password) >= 2:
            return True
    return False


def _is_three_admin(user) -> bool:
    return bool(user is not None and getattr(user, "pk", None) and user.role_codes & roles.THREE_ADMIN_CODES)


class LengthValidator:
    def validate(self, password, user=None):
        minimum = MIN_LENGTH_THREE_ADMIN if _is_three_admin(user) else MIN_LENGTH
        if len(password) < minimum:
            raise ValidationError(
                _("密码至少需要 {minimum} 个字符。").format(minimum=minimum), code="password_too_short"
            )
        if len(password) > MAX_LENGTH:
            raise ValidationError(
                _("密码不能超过 {max_length} 个字符。").format(max_length=MAX_LENGTH), code="password_too_long"
            )

    def get_help_text(self):
        return _(
            "密码至少 {min_length} 个字符（系统、安全、审计管理员至少 {min_length_three_admin} 个），最多 {max_length} 个。"
        ).format(min_length=MIN_LENGTH, min_length_three_admin=MIN_LENGTH_THREE_ADMIN, max_length=MAX_LENGTH)


class CharacterClassValidator:
    """At least three of: upper-case letters, lower-case letters, digits, symbols — and
    Chinese characters count as a class of their own, so a Chinese passphrase qualifies."""

    def validate(self, password, user=None):
        classes = {
            "upper"
            if c.isascii() and c.isupper()
            else "lower"
            if c.isascii() and c.islower()
            else "digit"
            if c.isdigit()
            else "script"
            if c.isalpha()
            else "symbol"
            for c in password
        }
        if len(classes) < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号（汉字也算一类）中的至少三类。"), code="password_too_simple"
            )

    def get_help_text(self):
        return _("须包含大写字母、小写字母、数字、符号（汉字也算一类）中的至少三类。")


class ChineseWeakPasswordValidator:
    def validate(self, password, user=None):
        if is_guessable(password):
            raise ValidationError(
                _("这个密码太常见或容易被猜到（如 Admin@123、姓名拼音加年份），请换一个。"), code="password_too_common"
            )

    def get_help_text(self):
        return _("不能使用常见密码，也不能用姓名拼音加生日、年份等组合。")


class PasswordHistoryValidator:
    """The new password may not be any of the last PASSWORD_HISTORY_DEPTH passwords."""

    def validate(self, password, user=None):
        if user is None or not user.pk:
            return
        depth = settings.PASSWORD_HISTORY_DEPTH
        previous = list(user.password_history.values_list("password", flat=True)[:depth])
        if user.password:
            previous.append(user.password)
        if any(check_password(password, encoded) for encoded in previous):
            raise ValidationError(
                _("新密码不能与最近 {depth} 次使用过的密码相同。").format(depth=depth), code="password_reused"
            )

    def password_changed(self, password, user=None):
        if user is None or not user.pk:
            return
        from django.utils import timezone

        user.password_history.create(password=user.password)
        keep = user.password_history.values_list("pk", flat=True)[: settings.PASSWORD_HISTORY_DEPTH]
        user.password_history.exclude(pk__in=list(keep)).delete()
        type(user).objects.filter(pk=user.pk).update(password_changed_at=timezone.now())

    def get_help_text(self):
        return _("不能与最近五次使用过的密码相同。")
