"""Personal data: validation, normalisation and masking of resident ID numbers, phone
numbers and names. Pure functions, no database.

python-stdnum's `cn.ric` is the oracle for the check digit and the birth date, but it is
wrapped: it rejects county codes that were later abolished (people keep their number for
life) and accepts birth dates in the future."""

import datetime
import functools
import unicodedata
import zoneinfo
from typing import NamedTuple

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")

# GB/T 2260 province-level prefixes, plus 81/82/83 (residence permits of Hong Kong, Macao and
# Taiwan residents) and 9x (foreigners' permanent residence ID cards, 2023 format).
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83 91 92 93".split()
)
EARLIEST_BIRTH = datetime.date(1900, 1, 1)


def today_in_beijing() -> datetime.date:
    return datetime.datetime.now(BEIJING).date()


def normalise_resident_id(value: str) -> str:
    """Full-width digits, spaces and a lower-case x are what people and ID readers type."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-").upper()


def validate_resident_id(value: str) -> str:
    """Return the normalised number, or raise ValidationError with a Chinese message."""
    number = normalise_resident_id(value)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号码应为18位，前17位为数字，最后一位为数字或X。"), code="format")
    if number[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(_("身份证号码的前两位不是有效的省级行政区代码。"), code="region")
    try:
        birth = ric.get_birth_date(number)
    except Exception:
        raise ValidationError(_("身份证号码中的出生日期不是有效日期。"), code="birth_date") from None
    if birth > today_in_beijing():
        raise ValidationError(_("身份证号码中的出生日期晚于今天。"), code="birth_date")
    if birth < EARLIEST_BIRTH:
        raise ValidationError(_("身份证号码中的出生日期早于1900年。"), code="birth_date")
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError(_("身份证号码校验位不正确，请核对后重新输入。"), code="checksum")
    return number


def birth_date_of(resident_id: str) -> datetime.date:
    return ric.get_birth_date(normalise_resident_id(resident_id))


def normalise_phone(value: str) -> str:
    """Mainland numbers in national form (13812345678, 051253520000); others in E.164."""
    return _phone_facts(_phone_text(value)).normalised


def validate_phone(value: str, *, mobile_only: bool = False) -> str:
    """Return the normalised number, or raise ValidationError with a Chinese message."""
    facts = _phone_facts(_phone_text(value))
    if facts.problem == "format":
        raise ValidationError(_("电话号码格式不正确。"), code="format")
    if facts.problem == "invalid":
        raise ValidationError(_("电话号码无效，请核对后重新输入。"), code="invalid")
    if mobile_only and not facts.mainland_mobile:
        raise ValidationError(_("请输入11位中国大陆手机号码。"), code="not_mobile")
    return facts.normalised


class _PhoneFacts(NamedTuple):
    problem: str  # "" | "format" | "invalid"
    normalised: str
    mainland_mobile: bool


def _phone_text(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


@functools.lru_cache(maxsize=4096)
def _phone_facts(text: str) -> _PhoneFacts:
    """One parse per number (a request validates, hashes and masks the same number several
    times; phonenumbers' parse is the costly part)."""
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return _PhoneFacts("format", text, False)
    mobile = _is_mobile(parsed)
    if parsed.country_code == 86:
        national = phonenumbers.national_significant_number(parsed)
        normalised = national if mobile else "0" + national
    else:
        normalised = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    problem = "" if phonenumbers.is_valid_number(parsed) else "invalid"
    return _PhoneFacts(problem, normalised, parsed.country_code == 86 and mobile)


def _is_mobile(parsed: phonenumbers.PhoneNumber) -> bool:
    return phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def mask_resident_id(value: str) -> str:
    """3205**********123X: province and city kept, birth date and sequence hidden."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****8000"""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张* for two characters, 张*明 for three or more (the middle hidden)."""
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
