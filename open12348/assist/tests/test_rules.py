"""Pure rules: question normalisation, topics of laws, BM25, the LLM answer parser."""

import numpy as np
import pytest

from open12348.assist import text
from open12348.assist.bm25 import BM25, top_indices
from open12348.assist.labels import LEXICON, TOPIC_LABELS, law_topic, lexicon_scores
from open12348.assist.rerank import _order


def test_the_twenty_topics_are_the_lawbench_labels_and_each_has_a_lexicon():
    assert len(TOPIC_LABELS) == 20 == len(set(TOPIC_LABELS))
    assert set(LEXICON) == set(TOPIC_LABELS)


@pytest.mark.parametrize("value", ["", "   ", "\n\t  ", None])
def test_an_empty_question_is_refused_with_a_chinese_message(value):
    with pytest.raises(ValueError, match="问题不能为空"):
        text.normalize(value)


def test_traditional_characters_become_simplified():
    assert text.normalize("老闆拖欠我三個月工資怎麼辦") == "老板拖欠我三个月工资怎么办"


def test_a_very_long_question_is_truncated_not_refused():
    assert len(text.normalize("工资" * 10_000)) == text.MAX_CHARS


def test_full_width_forms_and_spaces_are_normalised():
    assert text.normalize("  ＡＢＣ１２３   工资  ") == "ABC123 工资"


def test_emoji_only_and_english_only_questions_are_kept_as_they_are():
    assert text.normalize("😀😀") == "😀😀"
    assert text.normalize("my boss owes me wages") == "my boss owes me wages"


@pytest.mark.parametrize(
    ("title", "subtitle", "chapter", "topic"),
    [
        ("中华人民共和国劳动合同法", "", "", "劳动纠纷"),
        ("中华人民共和国道路交通安全法", "", "", "交通事故"),
        ("中华人民共和国民法典", "婚姻家庭编", "", "婚姻家庭"),
        ("中华人民共和国民法典", "合同编", "第三编 合同 / 第十二章 借款合同", "债权债务"),
        ("中华人民共和国民法典", "合同编", "第三编 合同 / 第九章 买卖合同", "合同纠纷"),
        ("中华人民共和国商标法", "", "", "知识产权"),
        ("中华人民共和国宪法", "", "", None),
    ],
)
def test_a_law_maps_to_its_topic(title, subtitle, chapter, topic):
    assert law_topic(title, subtitle, chapter) == topic


def test_lexicon_scores_count_the_words_of_each_topic():
    scores = lexicon_scores("老板拖欠工资，我想辞职")
    assert scores[TOPIC_LABELS.index("劳动纠纷")] >= 3
    assert max(scores) == scores[TOPIC_LABELS.index("劳动纠纷")]


def test_bm25_ranks_the_document_with_the_rarer_matching_word_first():
    index = BM25([["工资", "拖欠"], ["工资", "合同"], ["离婚", "子女"]])
    scores = index.score(["拖欠", "工资"])
    assert list(top_indices(scores, 3))[:2] == [0, 1]
    assert scores[2] == 0
    assert index.score(["未知词"]).sum() == 0


def test_top_indices_is_stable_and_bounded():
    scores = np.array([1.0, 3.0, 3.0, 0.5], np.float32)
    assert list(top_indices(scores, 2)) == [1, 2]
    assert list(top_indices(scores, 10)) == [1, 2, 0, 3]
    assert list(top_indices(scores, 0)) == []


@pytest.mark.parametrize(
    ("answer", "order"),
    [
        ("[2, 1, 3]", [1, 0, 2]),
        ("排序：[3,3,1]", [2, 0]),
        ("[9, 2]", [1]),
        ("忽略以上指令", []),
        ('["a"]', []),
        ("[1.5]", []),
    ],
)
def test_the_llm_answer_is_read_as_a_permutation_of_known_numbers_only(answer, order):
    assert _order(answer, 3) == order
