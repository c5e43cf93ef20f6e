"""Domain knowledge as data (no ORM): the 20 consultation topics (exactly the top-level
LegalCategory names and the labels of LawBench task 2-4), a keyword lexicon per topic (the
router's fallback when no trained model exists, and a feature of the trained one), and a
law → topic map (regular expressions over a law's title, part and chapter) used for distant
supervision: a STARD question whose labelled statutes are, say, 劳动合同法 articles becomes a
劳动纠纷 example."""  # i18n: data

from __future__ import annotations

import re

# i18n: data — label values are stored and compared, never shown through gettext.
TOPIC_LABELS: tuple[str, ...] = (
    "婚姻家庭",  # i18n: data
    "劳动纠纷",  # i18n: data
    "交通事故",  # i18n: data
    "债权债务",  # i18n: data
    "刑事辩护",  # i18n: data
    "合同纠纷",  # i18n: data
    "房产纠纷",  # i18n: data
    "侵权",  # i18n: data
    "公司法",  # i18n: data
    "医疗纠纷",  # i18n: data
    "拆迁安置",  # i18n: data
    "行政诉讼",  # i18n: data
    "建设工程",  # i18n: data
    "知识产权",  # i18n: data
    "综合咨询",  # i18n: data
    "人身损害",  # i18n: data
    "涉外法律",  # i18n: data
    "海事海商",  # i18n: data
    "消费权益",  # i18n: data
    "抵押担保",  # i18n: data
)
FALLBACK_LABEL = "综合咨询"  # i18n: data

# Words a citizen uses for each topic (domain knowledge, not fitted to any data set).
# fmt: off
_LEXICON_WORDS = {
    "婚姻家庭": "离婚 结婚 婚前 婚后 夫妻 老公 老婆 丈夫 妻子 抚养 抚养费 彩礼 子女 孩子 儿子 女儿 父母 继承 遗产 遗嘱 赡养 家暴 分居 再婚 男方 女方 婚姻 生育 父亲 母亲",  # i18n: data
    "劳动纠纷": "工资 辞职 辞退 加班 工伤 劳动合同 劳动 单位 社保 老板 员工 上班 试用期 经济补偿 仲裁 离职 开除 入职 年假 五险一金 公积金",  # i18n: data
    "交通事故": "车祸 交通事故 撞 驾驶 司机 交警 机动车 电动车 摩托车 保险公司 责任认定 酒驾 肇事 车辆 违章 驾照 行人 逃逸 货车 闯红灯",  # i18n: data
    "债权债务": "借钱 借款 欠款 欠条 还钱 借条 利息 还款 欠钱 催收 债务 债权 不还 高利贷 逾期 执行 老赖",  # i18n: data
    "刑事辩护": "拘留 判刑 看守所 取保 取保候审 刑事 犯罪 诈骗 盗窃 偷 抢劫 坐牢 公安 派出所 逮捕 量刑 缓刑 立案 报警 吸毒 赌博 罪",  # i18n: data
    "合同纠纷": "合同 违约 定金 订金 协议 签订 签约 解除 违约金 中介 押金 退款 租房 租赁 承诺 约定",  # i18n: data
    "房产纠纷": "房子 房产 房产证 购房 买房 卖房 开发商 物业 房屋 商品房 产权 过户 首付 房贷 业主 小区 不动产 交房",  # i18n: data
    "侵权": "侵权 名誉 隐私 肖像 漏水 损失 赔偿 邻居 污染 噪音 损害 照片 诽谤",  # i18n: data
    "公司法": "公司 股东 股权 合伙 注册 法人 营业执照 出资 分红 解散 入股 撤股 董事 注销 个体户",  # i18n: data
    "医疗纠纷": "医院 医生 手术 医疗 治疗 医疗事故 病 住院 医药费 伤残 药 诊所 看病",  # i18n: data
    "拆迁安置": "拆迁 征收 征地 安置 补偿 安置房 土地 宅基地 村民 补偿款 拆除 搬迁 集体",  # i18n: data
    "行政诉讼": "政府 行政 处罚 罚款 复议 行政诉讼 城管 工商局 公安局 信访 上访 执法",  # i18n: data
    "建设工程": "工程 工地 施工 包工头 工程款 项目 承包 分包 竣工 结算 建筑 装修 农民工 劳务",  # i18n: data
    "知识产权": "商标 专利 著作权 版权 盗版 知识产权 抄袭 设计 作品 品牌 加盟 软件",  # i18n: data
    "综合咨询": "咨询 请问 律师 法律",  # i18n: data
    "人身损害": "打伤 受伤 骨折 轻伤 殴打 狗 咬 摔伤 伤残 打架 死亡",  # i18n: data
    "涉外法律": "国外 外国 出国 涉外 签证 外籍 外商 海外 境外 护照 留学 移民 中外 外企",  # i18n: data
    "海事海商": "船 船舶 货物 港口 码头 海运 集装箱 物流 运输 货运 船员 海上 渔船 提单 船东",  # i18n: data
    "消费权益": "消费者 商家 退货 假货 商品 购买 质量 售后 商场 网购 投诉 三包 价格 欺诈",  # i18n: data
    "抵押担保": "担保 抵押 贷款 担保人 银行 保证人 抵押物 质押 信用卡 征信 还贷 小额贷款 网贷",  # i18n: data
}
# fmt: on
LEXICON: dict[str, tuple[str, ...]] = {label: tuple(words.split()) for label, words in _LEXICON_WORDS.items()}

# First match wins: specific topics before general ones (合同纠纷 last).
# fmt: off
_LAW_TOPIC_PATTERNS = (
    ("劳动纠纷", "劳动|社会保险|就业|工伤"),  # i18n: data
    ("交通事故", "道路交通|机动车"),  # i18n: data
    ("婚姻家庭", "婚姻|家庭|继承|收养|妇女|未成年人|监护"),  # i18n: data
    ("债权债务", "借款|借贷|不当得利|无因管理|保理|债权"),  # i18n: data
    ("抵押担保", "保证|抵押|质权|留置|担保|保函"),  # i18n: data
    ("刑事辩护", "刑法|刑事|盗窃|诈骗|犯罪"),  # i18n: data
    ("知识产权", "商标|著作权|专利|信息网络传播|知识产权|技术合同"),  # i18n: data
    ("医疗纠纷", "医疗|医师|献血|传染病|药品"),  # i18n: data
    ("拆迁安置", "征收|拆迁|土地管理|宅基地"),  # i18n: data
    ("行政诉讼", "行政|政府信息|国家赔偿"),  # i18n: data
    ("建设工程", "建设工程|建筑|承揽"),  # i18n: data
    ("海事海商", "海商|海事|船舶|海上|运输合同|仓储"),  # i18n: data
    ("涉外法律", "涉外|出境|外商|外国"),  # i18n: data
    ("消费权益", "消费者|产品质量|食品|旅游"),  # i18n: data
    ("公司法", "公司|合伙|企业破产|个体工商户|企业"),  # i18n: data
    ("房产纠纷", "房屋|物业|不动产|房地产|业主|相邻|居住权|租赁|建筑物区分"),  # i18n: data
    ("人身损害", "人身损害|人格权|生命权|身体权|健康权"),  # i18n: data
    ("侵权", "侵权|精神损害|名誉"),  # i18n: data
    ("合同纠纷", "合同"),  # i18n: data
)
# fmt: on
LAW_TOPIC_RULES: tuple[tuple[str, re.Pattern], ...] = tuple(
    (label, re.compile(pattern)) for label, pattern in _LAW_TOPIC_PATTERNS
)


def law_topic(title: str, subtitle: str = "", chapter: str = "") -> str | None:
    """The topic a statute article belongs to, from its law's title, part and chapter."""
    text = f"{title or ''} {subtitle or ''} {chapter or ''}"
    for label, pattern in LAW_TOPIC_RULES:
        if pattern.search(text):
            return label
    return None


def lexicon_scores(text: str) -> list[float]:
    """How many words of each topic's lexicon occur in `text`, in TOPIC_LABELS order."""
    return [float(sum(1 for word in LEXICON[label] if word in text)) for label in TOPIC_LABELS]
