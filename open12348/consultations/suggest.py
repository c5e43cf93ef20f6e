"""Which legal category a question is about, suggested from its text when the citizen asks.

One pluggable step: the intelligence module's classifier (`open12348.assist.classifier.classify`)
when it is installed and sure enough (confidence ≥ CLASSIFIER_MIN_CONFIDENCE); otherwise a
keyword rule over the 20 top-level categories. The rule itself (`keyword_category_code`) is
pure; `suggest_category` turns its code into the LegalCategory row."""

import logging
from collections.abc import Callable

logger = logging.getLogger("open12348.consultations")

CLASSIFIER_MIN_CONFIDENCE = 0.3
FALLBACK_CODE = "general"  # 综合咨询

# Top-level category code → words that point to it (space-separated). The category with the
# most matching words wins, ties going to the one listed first.
_WORDS = {
    "labor": "工资 加班 辞退 开除 社保 劳动合同 工伤 劳动仲裁 经济补偿 试用期 用人单位 欠薪 年假 公积金 离职 裁员 包工头 五险一金",  # i18n: data
    "marriage_family": "离婚 结婚 彩礼 抚养 赡养 家暴 家庭暴力 夫妻 婚前 继承 遗产 遗嘱 探视 收养 老公 老婆 丈夫 妻子",  # i18n: data
    "traffic_accident": "交通事故 车祸 撞 交警 事故认定 肇事 交强险 电动车 追尾",  # i18n: data
    "debt": "借钱 欠款 借条 欠条 还钱 借款 民间借贷 高利贷 催收 老赖",  # i18n: data
    "criminal_defense": "刑事 拘留 逮捕 取保候审 判刑 辩护 公安局 报警 诈骗 盗窃 坐牢",  # i18n: data
    "contract": "合同 违约 定金 订金 违约金 买卖 协议",  # i18n: data
    "real_estate": "房子 房屋 物业 租房 房东 租客 押金 宅基地 邻居 购房 开发商 产权 房产证 装修",  # i18n: data
    "tort": "名誉 隐私 侵权 诽谤 个人信息 损坏 被狗咬",  # i18n: data
    "company": "公司 股东 股权 注册资本 法人 营业执照 合伙",  # i18n: data
    "medical": "医院 医疗 手术 医生 误诊 医疗事故",  # i18n: data
    "demolition_resettlement": "拆迁 征收 征地 安置 补偿款",  # i18n: data
    "administrative_litigation": "行政复议 行政诉讼 行政处罚 罚款 政府 信息公开 城管",  # i18n: data
    "construction": "工程款 施工 工地 承包 建设工程 工程质量",  # i18n: data
    "intellectual_property": "商标 专利 著作权 版权 盗版",  # i18n: data
    "personal_injury": "受伤 人身损害 打伤 打人 校园 伤残 误工费",  # i18n: data
    "foreign_related": "外国 涉外 国外 签证 外籍",  # i18n: data
    "maritime": "船员 海事 船舶 海运 货轮",  # i18n: data
    "consumer": "网购 退货 退款 商家 消费者 预付卡 充值卡 假货 质量问题 315",  # i18n: data
    "mortgage_guarantee": "抵押 担保 保证人 质押",  # i18n: data
}
KEYWORDS: dict[str, tuple[str, ...]] = {code: tuple(words.split()) for code, words in _WORDS.items()}


def keyword_category_code(text: str) -> str | None:
    """The top-level category code the keyword rule picks for `text`, or None."""
    text = text or ""
    best, best_hits = None, 0
    for code, words in KEYWORDS.items():
        hits = sum(1 for word in words if word in text)
        if hits > best_hits:
            best, best_hits = code, hits
    return best


def _classifier() -> Callable | None:
    try:
        from open12348.assist.classifier import classify
    except ImportError:
        return None
    return classify


def _by_label(label: str):
    """A classifier label (a top-level category's code or name) as the LegalCategory row."""
    from open12348.catalog.models import LegalCategory
    from open12348.catalog.selectors import legal_category_by_code

    found = legal_category_by_code(label)
    if found is not None:
        return found
    return LegalCategory.objects.filter(parent__isnull=True, is_active=True, name=label).first()


def suggest_category(text: str, *, classifier: Callable | None = None):
    """The suggested LegalCategory for `text`, or None when neither the classifier nor the
    keyword rule has one. `classifier` replaces the assist module's (tests)."""
    from open12348.catalog.selectors import legal_category_by_code

    classify = classifier or _classifier()
    if classify is not None:
        try:
            prediction = classify(text)
        except Exception:  # the classifier is optional: never let it break asking a question
            logger.warning("consultation classifier failed; falling back to keywords", exc_info=True)
            prediction = None
        if prediction is not None and getattr(prediction, "confidence", 0) >= CLASSIFIER_MIN_CONFIDENCE:
            found = _by_label(str(prediction.label))
            if found is not None:
                return found
    code = keyword_category_code(text)
    return legal_category_by_code(code) if code else None


def fallback_category():
    """综合咨询: the category of a question nothing else fits."""
    from open12348.catalog.selectors import legal_category_by_code

    return legal_category_by_code(FALLBACK_CODE)
