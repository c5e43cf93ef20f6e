"""The reference files themselves: what a judicial bureau and the question classifier
rely on, checked without a database."""

import json
import re

import pytest
from django.conf import settings

from open12348.catalog.models import LegalCategory, ServiceItem
from open12348.catalog.services import LEGAL_CATEGORIES_FILE, SERVICE_ITEM_FIELDS, SERVICE_ITEMS_FILE

LAWBENCH_TOPIC_LABELS = [
    "婚姻家庭",
    "劳动纠纷",
    "交通事故",
    "债权债务",
    "刑事辩护",
    "合同纠纷",
    "房产纠纷",
    "侵权",
    "公司法",
    "医疗纠纷",
    "拆迁安置",
    "行政诉讼",
    "建设工程",
    "知识产权",
    "综合咨询",
    "人身损害",
    "涉外法律",
    "海事海商",
    "消费权益",
    "抵押担保",
]
CORE_CODES = {"legal_aid", "mediation", "appraisal", "notary", "lawyer", "exam"}
REQUIRED_EXTRA_CODES = {
    "consultation",
    "complaint",
    "admin_reconsideration_guide",
    "labor_arbitration_guide",
    "dispute_mediation",
    "document_drafting",
    "village_rules_review",
    "village_governance_opinion",
    "elderly_will_notary",
    "home_visit",
    "grassroots_legal_service",
}
ASCII_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _categories() -> list[dict]:
    return json.loads(LEGAL_CATEGORIES_FILE.read_text(encoding="utf-8"))["categories"]


def _items() -> list[dict]:
    return json.loads(SERVICE_ITEMS_FILE.read_text(encoding="utf-8"))["items"]


def _max_length(model, name: str) -> int | None:
    return model._meta.get_field(name).max_length


def test_the_top_level_categories_are_exactly_the_twenty_topic_labels_in_order():
    assert [c["name"] for c in _categories()] == LAWBENCH_TOPIC_LABELS


def test_the_top_level_categories_match_the_labels_of_the_topic_data_set_when_it_is_present():
    directory = settings.OPEN12348_DATA_DIR / "lawbench_topic"
    if not directory.exists():
        pytest.skip("数据集 lawbench_topic 不在本机")
    labels = set()
    for split in ("train.jsonl", "dev.jsonl"):
        for line in (directory / split).read_text(encoding="utf-8").splitlines():
            if line.strip():
                labels.add(json.loads(line)["label"])
    assert labels == set(LAWBENCH_TOPIC_LABELS)
    assert {c["name"] for c in _categories()} == labels


def test_every_category_has_a_unique_ascii_code_that_fits_the_model():
    codes = [c["code"] for c in _categories()] + [s["code"] for c in _categories() for s in c["children"]]
    assert len(codes) == len(set(codes))
    assert all(ASCII_CODE.match(code) for code in codes), [c for c in codes if not ASCII_CODE.match(c)]
    assert all(len(code) <= _max_length(LegalCategory, "code") for code in codes)


def test_sub_category_names_are_unique_under_their_parent_and_fit_the_model():
    for category in _categories():
        names = [child["name"] for child in category["children"]]
        assert len(names) == len(set(names)), category["name"]
        assert all(len(name) <= _max_length(LegalCategory, "name") for name in names)


@pytest.mark.parametrize(
    ("parent", "child"),
    [
        ("婚姻家庭", "继承"),
        ("婚姻家庭", "离婚"),
        ("婚姻家庭", "抚养"),
        ("婚姻家庭", "赡养"),
        ("劳动纠纷", "拖欠工资"),
        ("劳动纠纷", "工伤"),
        ("劳动纠纷", "劳动合同"),
        ("房产纠纷", "物业"),
        ("债权债务", "民间借贷"),
    ],
)
def test_the_sub_categories_citizens_ask_about_are_there(parent, child):
    children = {c["name"]: [s["name"] for s in c["children"]] for c in _categories()}
    assert child in children[parent]


def test_every_service_item_has_a_code_and_a_positive_working_day_time_limit():
    for item in _items():
        assert ASCII_CODE.match(item["code"]), item["code"]
        assert isinstance(item["time_limit_days"], int) and item["time_limit_days"] >= 1, item["code"]
        assert item["time_limit_note"] and item["basis"], item["code"]


def test_service_item_codes_are_unique():
    codes = [item["code"] for item in _items()]
    assert len(codes) == len(set(codes))


def test_every_service_item_uses_only_the_allowed_channels_and_categories():
    for item in _items():
        assert item["channels"], item["code"]
        assert set(item["channels"]) <= set(ServiceItem.Channel.values), item["code"]
        assert item["category"] in ServiceItem.Category.values, item["code"]


def test_every_service_item_has_all_fields_a_citizen_reads_and_they_fit_the_model():
    for item in _items():
        assert set(SERVICE_ITEM_FIELDS) <= set(item), (item["code"], set(SERVICE_ITEM_FIELDS) - set(item))
        assert item["materials"] and all(isinstance(m, str) and m for m in item["materials"]), item["code"]
        assert item["description"] and item["fee_note"], item["code"]
        for name in ("name", "responsible_body", "time_limit_note", "fee_note", "basis"):
            assert len(item[name]) <= _max_length(ServiceItem, name), (item["code"], name)


def test_the_six_core_items_are_present_and_marked_core():
    by_code = {item["code"]: item for item in _items()}
    assert set(by_code) >= CORE_CODES
    assert {code for code, item in by_code.items() if item["is_core"]} == CORE_CODES
    names = {by_code[code]["name"] for code in CORE_CODES}
    assert names == {"法律援助", "人民调解", "司法鉴定", "公证服务", "律师服务", "法律职业资格考试"}


def test_the_extra_items_the_requirements_name_are_present():
    assert {item["code"] for item in _items()} >= REQUIRED_EXTRA_CODES


def test_the_time_limits_follow_the_rules_they_cite():
    by_code = {item["code"]: item for item in _items()}
    assert by_code["legal_aid"]["time_limit_days"] == 7
    assert by_code["appraisal"]["time_limit_days"] == 30
    assert by_code["notary"]["time_limit_days"] == 15
    assert 1 <= by_code["consultation"]["time_limit_days"] <= 5
    assert by_code["complaint"]["time_limit_days"] == 15


def test_will_notarisation_for_people_over_eighty_is_free():
    item = next(item for item in _items() if item["code"] == "elderly_will_notary")
    assert item["is_free"] is True
    assert item["category"] == ServiceItem.Category.NOTARY
