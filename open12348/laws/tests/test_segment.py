"""Segmentation: pure functions, no database."""

import pytest

from open12348.laws import segment


def test_article_numbers_stay_one_token():
    assert segment.cut("民法典第一百零四条规定") == ["民法典", "第一百零四条", "规定"]
    assert "第十七条之一" in segment.cut("依照第十七条之一的规定")


def test_index_tokens_include_the_words_inside_longer_words():
    tokens = segment.cut_for_index("中华人民共和国劳动合同法")
    assert {"劳动合同法", "劳动合同", "合同法", "中华人民共和国"} <= set(tokens)


def test_query_tokens_drop_stop_words_punctuation_and_repeats():
    assert segment.cut_query("老板拖欠我工资怎么办？工资") == ["老板", "拖欠", "工资"]
    assert segment.cut_query("的") == ["的"]  # nothing else left: kept rather than an empty query


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀", '"', "*", "NEAR(", "-劳动", "'; DROP TABLE laws_law; --", "ｆｕｌｌ　ｗｉｄｔｈ", "\x00"],
)
def test_odd_input_never_raises(text):
    assert isinstance(segment.cut_query(text), list)
    assert isinstance(segment.index_text(text), str)


def test_full_width_letters_are_normalised():
    assert segment.cut("ＡＢＣ１２３") == ["abc123"]


def test_short_titles_drop_the_country_prefix_and_version_suffix():
    assert segment.short_titles("中华人民共和国劳动合同法") == ["中华人民共和国劳动合同法", "劳动合同法"]
    assert segment.short_titles("最高人民法院关于审理劳动争议案件适用法律问题的解释（一）") == [
        "最高人民法院关于审理劳动争议案件适用法律问题的解释",
        "审理劳动争议案件适用法律问题的解释",
    ]


def test_defined_terms_come_from_definition_sentences():
    text = "本法所称“近亲属”，是指配偶、父母。本条例所称用人单位，是指企业。本法所称社会救助和社会福利，包括"
    assert segment.defined_terms(text) == ["近亲属", "用人单位", "社会救助", "社会福利"]
    assert segment.defined_terms("劳动者享有平等就业的权利。") == []


def test_the_user_dictionary_keeps_its_words_together(tmp_path, settings):
    settings.LAWS_USERDICT_PATH = tmp_path / "dict.txt"
    assert "奇奇怪怪条例" not in segment.cut("奇奇怪怪条例")
    path, digest, changed = segment.write_user_dictionary(["奇奇怪怪条例", "x"])
    assert changed is None and path.read_text(encoding="utf-8") == f"奇奇怪怪条例 {segment.USER_WORD_FREQ}\n"
    assert segment.cut("依照奇奇怪怪条例") == ["依照", "奇奇怪怪条例"]
    assert segment.write_user_dictionary(["奇奇怪怪条例"])[1:] == (digest, frozenset())  # same words: unchanged
    assert segment.write_user_dictionary(["奇奇怪怪条例", "另一部条例"])[2] == {"另一部条例"}


def test_words_pattern_finds_any_word():
    pattern = segment.words_pattern(["劳动合同", "劳动", "民法典", "a.b"])
    assert pattern.search("依照民法典的规定") and pattern.search("劳动者") and pattern.search("xa.by")
    assert not pattern.search("合同") and not pattern.search("axb")
    assert segment.words_pattern([]) is None
