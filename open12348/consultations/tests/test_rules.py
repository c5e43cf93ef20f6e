"""The pure rules of online consultation: masking personal details in public text, cleaning
typed text, the answer-time promise and the keyword category rule. No database."""

import datetime
from types import SimpleNamespace

import pytest

from open12348.consultations import masking, promise, suggest

BJ = promise.BEIJING


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime.datetime:
    """2026-11-<day>: the 23rd is a Monday, the 27th a Friday, the 28th and 29th the weekend."""
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=BJ)


def weekdays(day: datetime.date) -> bool:
    return day.weekday() < 5


# --- masking ---------------------------------------------------------------------------------

ID18 = "320585199001011234"
ID18_X = "32058519900101123X"
ID15 = "320585900101123"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"我的身份证号是{ID18}。", "我的身份证号是" + "*" * 18 + "。"),
        (f"身份证{ID18_X}", "身份证" + "*" * 18),
        (f"身份证{ID18_X.lower()}号", "身份证" + "*" * 18 + "号"),
        (f"老身份证{ID15}", "老身份证" + "*" * 15),
        ("电话13812345678", "电话138********"),
        ("手机：138 1234 5678，谢谢", "手机：138 **** ****，谢谢"),
        ("手机138-1234-5678", "手机138-****-****"),
        ("+86 13812345678", "+86 138********"),
        ("8613812345678", "86138********"),
        ("座机0512-53520000", "座机0512-********"),
        ("座机(0512)53520000", "座机(0512)********"),
        ("北京010-62345678", "北京010-********"),
        ("打电话53520000找我", "打电话********找我"),
        ("银行卡6222021234567890123", "银行卡" + "*" * 19),
    ],
)
def test_ids_cards_and_phones_are_masked(text, expected):
    assert masking.mask_personal_details(text) == expected


def test_full_width_digits_are_detected_and_masked():
    full_id = "".join(chr(ord(ch) + 0xFEE0) for ch in ID18)  # ３２０５８５…
    full_phone = "１３８１２３４５６７８"
    masked = masking.mask_personal_details(f"身份证{full_id}，手机{full_phone}")
    assert masked == "身份证" + "*" * 18 + "，手机１３８********"


def test_full_width_spaces_and_dashes_between_digits_are_separators():
    assert masking.mask_personal_details("手机１３８　１２３４－５６７８") == "手机１３８　****－****"
    assert masking.mask_personal_details("身份证 3205 8519 9001 0112 34") == "身份证 **** **** **** **** **"


def test_masked_text_keeps_its_length():
    text = f"标题{ID18}和13812345678"
    assert len(masking.mask_personal_details(text)) == len(text)


@pytest.mark.parametrize(
    "text",
    [
        "欠了我50000元",
        "2023年12月1日入职，月薪8000元",
        "合同编号 2023-12-01",
        "借了12345678元",  # an amount with no phone word before it
        "第138条",
        "",
    ],
)
def test_ordinary_numbers_are_left_alone(text):
    assert masking.mask_personal_details(text) == text
    assert not masking.contains_personal_details(text)


def test_two_phone_numbers_side_by_side_are_both_masked():
    assert masking.mask_personal_details("13812345678 13912345678") == "138******** 139********"


def test_a_number_inside_a_longer_digit_run_is_not_taken_for_a_phone():
    text = "物流单号12313812345678999912"  # 20 digits: no ID, card or phone
    assert masking.mask_personal_details(text) == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  标题\n带换行  ", "标题 带换行"),
        ("零宽\u200b字符\u202e反转", "零宽字符反转"),
        ("控制\x00字符\x07", "控制字符"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # kept as text; escaped on output
        ("＜script＞alert(1)＜/script＞", "＜script＞alert(1)＜/script＞"),
    ],
)
def test_single_line_text_is_cleaned_but_markup_is_kept_as_typed(raw, expected):
    assert masking.clean_text(raw, multiline=False) == expected


def test_multiline_text_keeps_paragraphs_and_drops_runs_of_blank_lines():
    assert masking.clean_text("第一段\r\n\r\n\r\n\r\n第二段  \n第三段\n\n") == "第一段\n\n第二段\n第三段"


# --- the answer-time promise ---------------------------------------------------------------------


def test_a_question_in_the_morning_is_due_the_same_afternoon():
    # 09:30 + 5 h: 2.5 h to noon, then 2.5 h from 13:30.
    assert promise.answer_due(at(23, 9, 30), is_workday=weekdays) == at(23, 16, 0)


def test_a_question_late_on_friday_is_due_on_monday():
    # 17:00 Friday: 30 min, then Monday 3 h in the morning and 1.5 h after 13:30.
    assert promise.answer_due(at(27, 17, 0), is_workday=weekdays) == at(30, 15, 0)


def test_a_question_at_night_or_at_the_weekend_counts_from_the_next_opening():
    # From 09:00: 3 h to noon, 2 h from 13:30.
    assert promise.answer_due(at(28, 22, 0), is_workday=weekdays) == at(30, 15, 30)
    assert promise.answer_due(at(24, 7, 0), is_workday=weekdays) == at(24, 15, 30)


def test_a_question_at_lunch_counts_from_the_afternoon():
    assert promise.answer_due(at(23, 12, 30), hours=2, is_workday=weekdays) == at(23, 15, 30)


def test_holidays_from_the_calendar_are_skipped():
    holidays = {datetime.date(2026, 11, 30)}
    due = promise.answer_due(at(27, 17, 0), is_workday=lambda d: weekdays(d) and d not in holidays)
    assert due == at(1, 15, 0, month=12)


def test_utc_input_is_counted_in_beijing_time():
    utc = datetime.datetime(2026, 11, 23, 1, 30, tzinfo=datetime.UTC)  # 09:30 Beijing
    assert promise.answer_due(utc, is_workday=weekdays) == at(23, 16, 0)


def test_service_hours_are_parsed_from_the_setting():
    assert promise.parse_service_hours("13:30-17:30, 09:00-12:00") == (((9, 0), (12, 0)), ((13, 30), (17, 30)))
    with pytest.raises(ValueError):
        promise.parse_service_hours("9-12")
    with pytest.raises(ValueError):
        promise.parse_service_hours("09:00-12:00,11:00-13:00")
    with pytest.raises(ValueError):
        promise.parse_service_hours("")


def test_in_service_hours_and_the_next_opening():
    assert promise.in_service_hours(at(23, 10, 0), is_workday=weekdays)
    assert not promise.in_service_hours(at(23, 12, 30), is_workday=weekdays)
    assert not promise.in_service_hours(at(28, 10, 0), is_workday=weekdays)
    assert promise.next_service_start(at(23, 10, 0), is_workday=weekdays) == at(23, 10, 0)
    assert promise.next_service_start(at(23, 12, 30), is_workday=weekdays) == at(23, 13, 30)
    assert promise.next_service_start(at(27, 18, 0), is_workday=weekdays) == at(30, 9, 0)


def test_the_moment_is_told_as_month_day_and_time():
    assert promise.format_moment(at(30, 9, 0)) == "11月30日 9:00"


# --- the keyword category rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("公司拖欠工资还不给加班费", "劳动纠纷"),
        ("老板把我辞退了，社保也没交", "劳动纠纷"),
        ("我想和老公离婚，孩子抚养权怎么判", "婚姻家庭"),
        ("骑电动车被汽车撞了，交警认定对方全责", "交通事故"),
        ("朋友借钱不还，有借条", "债权债务"),
        ("网购买到假货，商家不给退款", "消费权益"),
        ("今天天气很好", None),
        ("请问一下，想咨询律师", None),
    ],
)
def test_the_keyword_rule_picks_the_topic_with_most_words(text, label):
    assert suggest.keyword_label(text) == label


def test_the_fallback_category_is_a_top_level_category():
    import json
    from pathlib import Path

    data = json.loads(
        (Path(suggest.__file__).resolve().parents[1] / "catalog" / "data" / "legal_categories.json").read_text(
            encoding="utf-8"
        )
    )
    assert suggest.FALLBACK_CODE in {entry["code"] for entry in data["categories"]}


def test_an_unsure_or_failing_classifier_is_not_trusted(monkeypatch):
    # No database: the category look-up is replaced by a dictionary.
    monkeypatch.setattr(suggest, "_by_label", lambda label: {"debt": "D", "劳动纠纷": "L"}.get(label))
    sure = lambda text: SimpleNamespace(label="debt", confidence=0.9, top3=[])  # noqa: E731
    unsure = lambda text: SimpleNamespace(label="debt", confidence=0.1, top3=[])  # noqa: E731

    def broken(text):
        raise RuntimeError("model not loaded")

    assert suggest.suggest_category("拖欠工资", classifier=sure) == "D"
    assert suggest.suggest_category("拖欠工资", classifier=unsure) == "L"
    assert suggest.suggest_category("拖欠工资", classifier=broken) == "L"
