import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.cn import ric

from open12348.core import pii


def with_check_digit(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


resident_ids = st.builds(
    lambda prefix, county, birth, seq: with_check_digit(f"{prefix}{county:04d}{birth:%Y%m%d}{seq:03d}"),
    st.sampled_from(sorted(pii.PROVINCE_PREFIXES)),
    st.integers(0, 9999),
    st.dates(datetime.date(1900, 1, 1), datetime.date(2025, 12, 31)),
    st.integers(0, 999),
)


@given(resident_ids)
def test_every_well_formed_resident_id_is_accepted(number):
    assert pii.validate_resident_id(number) == number


@given(resident_ids, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_is_rejected(number, position, replacement):
    corrupted = number[:position] + replacement + number[position + 1 :]
    assume(corrupted != number)
    with pytest.raises(ValidationError):
        pii.validate_resident_id(corrupted)


@given(resident_ids, st.integers(0, 16))
def test_swapping_two_adjacent_characters_is_rejected(number, position):
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    assume(swapped != number)
    with pytest.raises(ValidationError):
        pii.validate_resident_id(swapped)


def test_full_width_digits_spaces_and_lower_case_x_are_normalised():
    number = with_check_digit("32058519800101002")
    typed = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９x"))
    assert pii.validate_resident_id(" " + typed[:6] + " " + typed[6:]) == number


def test_a_number_with_an_abolished_county_code_is_still_valid():
    # 440524 (潮阳县) was abolished; its people keep their numbers for life.
    number = with_check_digit("44052419700101123")
    with pytest.raises(Exception):  # noqa: B017 — the library alone would refuse it
        ric.validate(number)
    assert pii.validate_resident_id(number) == number


def test_a_birth_date_in_the_future_is_rejected(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 12, tzinfo=pii.BEIJING))
    tomorrow = with_check_digit("32058520261123001")
    with pytest.raises(ValidationError) as error:
        pii.validate_resident_id(tomorrow)
    assert error.value.code == "birth_date"
    assert "晚于今天" in error.value.messages[0]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12345", "format"),
        ("3205851980010100A1", "format"),
        (with_check_digit("00058519800101002"), "region"),
        (with_check_digit("32058519801301002"), "birth_date"),
        (with_check_digit("32058518991231002"), "birth_date"),
    ],
)
def test_malformed_resident_ids_get_a_specific_chinese_message(value, code):
    with pytest.raises(ValidationError) as error:
        pii.validate_resident_id(value)
    assert error.value.code == code
    assert "身份证" in error.value.messages[0]


def test_wrong_check_digit_is_named_in_the_message():
    number = with_check_digit("32058519800101002")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError, match="校验位"):
        pii.validate_resident_id(wrong)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("0512-53520000", "051253520000"),
    ],
)
def test_phone_numbers_are_normalised(typed, expected):
    assert pii.validate_phone(typed) == expected


@pytest.mark.parametrize("typed", ["12345", "1381234567", "abc", "23812345678"])
def test_invalid_phone_numbers_are_rejected(typed):
    with pytest.raises(ValidationError):
        pii.validate_phone(typed)


def test_a_landline_is_refused_where_a_mobile_is_required():
    with pytest.raises(ValidationError, match="手机"):
        pii.validate_phone("0512-53520000", mobile_only=True)


def test_masks_hide_the_middle():
    assert pii.mask_resident_id("32058519800101123X") == "3205**********123X"
    assert pii.mask_phone("13812348000") == "138****8000"
    assert pii.mask_name("张三") == "张*"
    assert pii.mask_name("张小明") == "张*明"
    assert pii.mask_resident_id("") == pii.mask_phone("") == ""
