"""Similar answered questions (assist.similar): from LeCoQA-format files the test writes (never
the shared data set) and from the platform's own public consultations with an adopted answer."""

import json

import pytest

from open12348.assist import similar
from open12348.consultations import services as consult_services
from open12348.consultations.tests import factories
from open12348.consultations.tests.factories import ANSWER_BODY, ask

# Fixtures of the consultation tests (pytest finds them by name in this module).
catalog = factories.catalog
asker = factories.asker
volunteer_a = factories.volunteer_a

TRAIN = [
    ("被撤销监护资格的父母还要支付抚养费吗？", "您好，被撤销监护资格的父母仍应当继续负担抚养费。"),
    (
        "用人单位拖欠工资，劳动者可以解除劳动合同吗？",
        "可以。用人单位未及时足额支付劳动报酬的，劳动者可以解除劳动合同，并要求经济补偿。",
    ),
    (
        "交通事故的受害人可以要求哪些赔偿？",
        "受害人可以要求医疗费、护理费、交通费、误工费等赔偿，造成残疾的还可以要求残疾赔偿金。",
    ),
    ("借款到期后借款人不还钱，出借人怎么办？", "出借人可以催告还款，协商不成的，可以在诉讼时效内向人民法院起诉。"),
    ("离婚时夫妻共同财产如何分割？", "夫妻共同财产由双方协议处理；协议不成的，由人民法院根据财产的具体情况判决。"),
]
DEV = [("网购的商品有质量问题，商家拒绝退货怎么办？", "消费者可以要求商家退货，也可以向消费者协会投诉。")]


def write_lecoqa(folder, train=TRAIN, dev=DEV):
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train.jsonl", train), ("dev.jsonl", dev)):
        lines = [
            json.dumps({"qid": i, "query": q, "keywords": None, "answer": a, "positive_ids": []}, ensure_ascii=False)
            for i, (q, a) in enumerate(rows)
        ]
        lines.append(json.dumps({"qid": 99, "query": "没有答案的问题", "answer": None}, ensure_ascii=False))
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.OPEN12348_DATA_DIR = tmp_path / "data"
    settings.ASSIST_DIR = tmp_path / "assist"
    similar.reset()
    yield tmp_path / "data"
    similar.reset()


@pytest.fixture
def lecoqa(data_dir):
    write_lecoqa(data_dir / "lecoqa")
    return data_dir / "lecoqa"


def answered(who, volunteer, area, title, body, answer=ANSWER_BODY, *, adopt=True, is_public=True):
    consultation = ask(who, area, title=title, body=body, is_public=is_public)
    reply = consult_services.answer_post(actor=volunteer.user, consultation=consultation, body=answer)
    if adopt:
        consult_services.answer_adopt(actor=who, consultation=consultation, answer=reply)
    consultation.refresh_from_db()
    return consultation


@pytest.mark.django_db
def test_a_lecoqa_question_like_the_users_is_found_with_its_lawyers_answer(lecoqa):
    found = similar.similar_questions("父母被撤销监护资格后还要付抚养费吗")

    assert found[0].question == "被撤销监护资格的父母还要支付抚养费吗？"
    assert found[0].answer.startswith("您好，被撤销监护资格的父母")
    assert found[0].source == "律师解答（LeCoQA）" and found[0].url is None
    assert 0 < found[0].score <= 1


@pytest.mark.django_db
def test_the_dev_file_is_used_too(lecoqa):
    assert similar.similar_questions("网购商品质量有问题，商家不给退货")[0].question == DEV[0][0]


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["今天天气怎么样", "推荐一家好吃的餐厅", "hello", "😀", "", "   "])
def test_unrelated_or_empty_questions_show_nothing(lecoqa, text):
    assert similar.similar_questions(text) == []


@pytest.mark.django_db
def test_at_most_k_results_best_first_without_duplicates(lecoqa):
    found = similar.similar_questions("拖欠工资 解除劳动合同 交通事故赔偿 借款不还 离婚财产分割", k=2)

    assert len(found) <= 2
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert len({s.question for s in found}) == len(found)


@pytest.mark.django_db
def test_the_file_index_is_built_once_and_stored_under_assist_dir(lecoqa, settings, monkeypatch):
    similar.similar_questions("拖欠工资怎么办")
    stored = list((settings.ASSIST_DIR / "similar").glob("lecoqa-*.pkl"))
    assert len(stored) == 1

    # Another process: nothing cached in memory, the stored index is read, not rebuilt.
    similar.reset()
    monkeypatch.setattr(similar, "_build_file_part", lambda files: pytest.fail("rebuilt"))
    assert similar.similar_questions("用人单位拖欠工资能解除合同吗")[0].question == TRAIN[1][0]


@pytest.mark.django_db
def test_a_changed_data_file_rebuilds_the_index(lecoqa, settings):
    similar.similar_questions("拖欠工资怎么办")
    write_lecoqa(lecoqa, train=[("宅基地能否买卖？", "农村宅基地不得买卖给本集体经济组织以外的人员。"), *TRAIN])
    import os

    stat = (lecoqa / "train.jsonl").stat()
    os.utime(lecoqa / "train.jsonl", (stat.st_atime, stat.st_mtime + 10))

    assert similar.similar_questions("宅基地可以买卖吗")[0].question == "宅基地能否买卖？"
    assert len(list((settings.ASSIST_DIR / "similar").glob("lecoqa-*.pkl"))) == 1  # the old one removed


@pytest.mark.django_db
def test_a_broken_stored_index_is_rebuilt(lecoqa, settings):
    similar.similar_questions("拖欠工资怎么办")
    (stored,) = (settings.ASSIST_DIR / "similar").glob("lecoqa-*.pkl")
    stored.write_bytes(b"not a pickle")
    similar.reset()

    assert similar.similar_questions("用人单位拖欠工资能解除合同吗")[0].question == TRAIN[1][0]


def test_platform_consultations_with_an_adopted_answer_are_found_with_a_link(
    lecoqa, asker, volunteer_a, town_a, catalog
):
    consultation = answered(
        asker,
        volunteer_a,
        town_a,
        "小区物业乱收停车费怎么办",
        "我们小区物业每月收取高额停车费，没有经过业主大会同意，我该怎么维权？",
        answer="物业收费应当按照合同约定和有关规定，您可以向业主委员会反映，也可以申请调解。",
    )

    found = similar.similar_questions("物业收取停车费没有经过业主同意")

    assert found[0].question == consultation.public_title
    assert found[0].answer.startswith("物业收费应当")
    assert found[0].source == "本平台在线咨询"
    assert found[0].url == f"/consult/{consultation.pk}/"


def test_unadopted_and_private_consultations_are_not_shown(data_dir, asker, volunteer_a, town_a, catalog):
    answered(
        asker,
        volunteer_a,
        town_a,
        "小区物业乱收停车费怎么办",
        "物业每月收取高额停车费，没有经过业主大会同意。",
        adopt=False,
    )
    answered(
        asker, volunteer_a, town_a, "邻居装修噪音扰民怎么办", "邻居每天晚上装修，噪音很大，影响休息。", is_public=False
    )

    assert similar.similar_questions("物业乱收停车费") == []
    assert similar.similar_questions("邻居装修噪音扰民") == []


def test_a_newly_adopted_answer_is_found_without_a_restart(data_dir, asker, volunteer_a, town_a, catalog):
    assert similar.similar_questions("邻居装修噪音扰民怎么办") == []

    answered(asker, volunteer_a, town_a, "邻居装修噪音扰民怎么办", "邻居每天晚上十点以后还在装修，噪音很大。")

    assert similar.similar_questions("邻居装修噪音扰民怎么办")[0].source == "本平台在线咨询"


def test_without_data_files_the_consultations_are_the_corpus(data_dir, asker, volunteer_a, town_a, catalog):
    answered(asker, volunteer_a, town_a, "公司拖欠工资三个月怎么办", "工厂已经三个月没有发工资，老板一直拖着。")
    answered(asker, volunteer_a, town_a, "离婚后孩子的抚养费怎么算", "离婚以后孩子跟我，对方不给抚养费。")

    found = similar.similar_questions("老板拖欠工资三个月")

    assert [s.question for s in found][:1] == ["公司拖欠工资三个月怎么办"]
    assert similar.similar_questions("今天天气怎么样") == []
