"""A tiny data directory in the layout of OPEN12348_DATA_DIR (lawrefbook_laws, stard, lecoqa,
lawbench_topic), written by the tests themselves: the real data sets are never read here."""

import gzip
import json
from pathlib import Path

LABOUR = "中华人民共和国劳动合同法"
TRAFFIC = "中华人民共和国道路交通安全法"
CIVIL = "中华人民共和国民法典"
OLD_MARRIAGE = "中华人民共和国婚姻法"
SHANGHAI = "上海市劳动合同条例"

# (doc_id, title, subtitle, level, category, publish, expired, [(article_no, num, text, chapter)])
LAWS = [
    (
        "lrb-labour",
        LABOUR,
        None,
        "法律",
        "社会法",
        "2012-12-28",
        False,
        [
            ("第一条", 1, "为了完善劳动合同制度，明确劳动合同双方当事人的权利和义务，制定本法。", "第一章 总则"),
            (
                "第三十条",
                30,
                "用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。用人单位拖欠或者未足额支付劳动报酬的，劳动者可以依法向当地人民法院申请支付令。",
                "第三章 劳动合同的履行和变更",
            ),
            (
                "第三十一条",
                31,
                "用人单位应当严格执行劳动定额标准，不得强迫或者变相强迫劳动者加班。用人单位安排加班的，应当按照国家有关规定向劳动者支付加班费。",
                "第三章 劳动合同的履行和变更",
            ),
            (
                "第三十八条",
                38,
                "用人单位未及时足额支付劳动报酬的，劳动者可以解除劳动合同。",
                "第四章 劳动合同的解除和终止",
            ),
            (
                "第四十七条",
                47,
                "经济补偿按劳动者在本单位工作的年限，每满一年支付一个月工资的标准向劳动者支付。",
                "第四章 劳动合同的解除和终止",
            ),
            (
                "第八十二条",
                82,
                "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付二倍的工资。",
                "第七章 法律责任",
            ),
        ],
    ),
    (
        "lrb-traffic",
        TRAFFIC,
        None,
        "法律",
        "行政法",
        "2021-04-29",
        False,
        [
            (
                "第七十条",
                70,
                "在道路上发生交通事故，车辆驾驶人应当立即停车，保护现场；造成人身伤亡的，应当立即抢救受伤人员，并迅速报告交通警察。",
                "第五章 交通事故处理",
            ),
            (
                "第七十六条",
                76,
                "机动车发生交通事故造成人身伤亡、财产损失的，由保险公司在机动车第三者责任强制保险责任限额范围内予以赔偿。",
                "第五章 交通事故处理",
            ),
            (
                "第九十一条",
                91,
                "饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证，并处一千元以上二千元以下罚款。",
                "第七章 法律责任",
            ),
        ],
    ),
    (
        "lrb-civil-family",
        CIVIL,
        "婚姻家庭编",
        "法律",
        "民法典",
        "2020-05-28",
        False,
        [
            (
                "第一千零七十九条",
                1079,
                "夫妻一方要求离婚的，可以由有关组织进行调解或者直接向人民法院提起离婚诉讼。",
                "第五编 婚姻家庭 / 第四章 离婚",
            ),
            (
                "第一千零八十五条",
                1085,
                "离婚后，子女由一方直接抚养的，另一方应当负担部分或者全部抚养费。",
                "第五编 婚姻家庭 / 第四章 离婚",
            ),
            (
                "第一千零六十二条",
                1062,
                "夫妻在婚姻关系存续期间所得的工资、奖金、劳务报酬，为夫妻的共同财产，归夫妻共同所有。",
                "第五编 婚姻家庭 / 第三章 家庭关系",
            ),
        ],
    ),
    (
        "lrb-civil-loan",
        CIVIL,
        "合同编",
        "法律",
        "民法典",
        "2020-05-28",
        False,
        [
            (
                "第六百七十五条",
                675,
                "借款人应当按照约定的期限返还借款。对借款期限没有约定或者约定不明确的，借款人可以随时返还；贷款人可以催告借款人在合理期限内返还。",
                "第三编 合同 / 第十二章 借款合同",
            ),
            ("第六百八十条", 680, "禁止高利放贷，借款的利率不得违反国家有关规定。", "第三编 合同 / 第十二章 借款合同"),
        ],
    ),
    (
        "lrb-marriage-old",
        OLD_MARRIAGE,
        None,
        "法律",
        "民法商法",
        "2001-04-28",
        True,
        [("第三十二条", 32, "男女一方要求离婚的，可由有关部门进行调解或直接向人民法院提出离婚诉讼。", "第四章 离婚")],
    ),
    (
        "lrb-rule",
        "工资支付暂行规定",
        None,
        "部门规章",
        "部门规章/劳动部",
        "1994-12-06",
        False,
        [("第七条", 7, "工资必须在用人单位与劳动者约定的日期支付。", "")],
    ),
]
LOCAL = [
    (
        "lrb-sh-labour",
        SHANGHAI,
        None,
        "地方性法规",
        "DLC/上海地方法规/上海市",
        "2001-11-15",
        False,
        [
            (
                "第二十条",
                20,
                "用人单位拖欠劳动者工资的，劳动者可以向劳动保障行政部门投诉，要求支付拖欠的工资。",
                "第三章",
            )
        ],
    )
]


def _law_record(law):
    doc_id, title, subtitle, level, category, publish, expired, articles = law
    return {
        "doc_id": doc_id,
        "title": title,
        "subtitle": subtitle,
        "level": level,
        "category": category,
        "publish": publish,
        "valid_from": None,
        "expired": expired,
        "path": f"{category}/{title}.md",
        "meta": [],
        "n_articles": len(articles),
        "text": "",
    }


def _article_records(law):
    doc_id, title, subtitle, level, category, publish, expired, articles = law
    return [
        {
            "doc_id": doc_id,
            "title": title,
            "subtitle": subtitle,
            "level": level,
            "category": category,
            "publish": publish,
            "expired": expired,
            "idx": idx,
            "chapter": chapter,
            "article_no": no,
            "article_num": num,
            "text": text,
        }
        for idx, (no, num, text, chapter) in enumerate(articles)
    ]


def _gz(path: Path, rows) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _jsonl(path: Path, rows) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


WAGES = "劳动合同法第三十条"
OVERTIME = "劳动合同法第三十一条"
NO_CONTRACT = "劳动合同法第八十二条"
SEVERANCE = "劳动合同法第四十七条"
QUIT = "劳动合同法第三十八条"
ACCIDENT = "道路交通安全法第七十六条"
ESCAPE = "道路交通安全法第七十条"
DRUNK = "道路交通安全法第九十一条"
DIVORCE = "民法典第一千零七十九条"
SUPPORT = "民法典第一千零八十五条"
LOAN = "民法典第六百七十五条"
INTEREST = "民法典第六百八十条"

STATUTE_TRAIN = [
    ("老板拖欠我三个月工资怎么办", [WAGES]),
    ("公司一直不发工资，我能辞职吗", [QUIT, WAGES]),
    ("单位拖欠工资不给，可以去法院吗", [WAGES]),
    ("加班不给加班费合法吗", [OVERTIME]),
    ("公司强迫我们周末加班", [OVERTIME]),
    ("上班半年没签劳动合同，能要双倍工资吗", [NO_CONTRACT]),
    ("没有签合同，老板要赔我什么", [NO_CONTRACT]),
    ("被公司辞退有没有补偿金", [SEVERANCE]),
    ("工作五年被裁员，补偿怎么算", [SEVERANCE]),
    ("被车撞了，保险公司赔不赔", [ACCIDENT]),
    ("出了车祸，对方的交强险要赔偿吗", [ACCIDENT]),
    ("撞了人以后应该怎么做", [ESCAPE]),
    ("喝了酒开车被查到怎么处罚", [DRUNK]),
    ("酒驾会被扣驾照吗", [DRUNK]),
    ("老公不同意离婚，我怎么起诉", [DIVORCE]),
    ("想离婚去哪里办", [DIVORCE]),
    ("离婚后孩子的抚养费谁出", [SUPPORT]),
    ("前夫不给孩子抚养费怎么办", [SUPPORT]),
    ("朋友借钱不还怎么办", [LOAN]),
    ("借给别人的钱到期了不还", [LOAN]),
    ("借款利息太高是否合法", [INTEREST]),
    ("民间借贷的利率有上限吗", [INTEREST]),
]
STATUTE_DEV = [
    ("老板欠薪两个月不给", [WAGES]),
    ("周末加班没有加班费", [OVERTIME]),
    ("车被撞了，对方保险赔吗", [ACCIDENT]),
    ("离婚后对方不付抚养费", [SUPPORT]),
]

TOPIC_TRAIN = [
    ("老板拖欠工资怎么办", "劳动纠纷"),
    ("公司不给加班费", "劳动纠纷"),
    ("被公司辞退没有补偿", "劳动纠纷"),
    ("上班受伤算工伤吗", "劳动纠纷"),
    ("试用期被开除合法吗", "劳动纠纷"),
    ("被车撞了对方逃逸", "交通事故"),
    ("电动车和汽车相撞谁负责", "交通事故"),
    ("交通事故责任认定不服", "交通事故"),
    ("酒驾撞人怎么处理", "交通事故"),
    ("车祸后保险公司不赔", "交通事故"),
    ("我要和老公离婚", "婚姻家庭"),
    ("离婚孩子抚养权归谁", "婚姻家庭"),
    ("父母的遗产怎么继承", "婚姻家庭"),
    ("彩礼能要回来吗", "婚姻家庭"),
    ("夫妻共同财产怎么分", "婚姻家庭"),
    ("朋友借钱不还", "债权债务"),
    ("欠条过期了还能要钱吗", "债权债务"),
    ("借款利息太高", "债权债务"),
    ("对方欠款不还怎么起诉", "债权债务"),
    ("借钱给亲戚不还", "债权债务"),
    ("商标被别人抢注了", "知识产权"),
    ("我的作品被抄袭", "知识产权"),
    ("专利侵权怎么维权", "知识产权"),
    ("盗版我的软件", "知识产权"),
    ("著作权怎么登记", "知识产权"),
]
TOPIC_DEV = [
    ("公司拖欠工资三个月", "劳动纠纷"),
    ("开车撞了行人怎么办", "交通事故"),
    ("离婚财产怎么分割", "婚姻家庭"),
    ("别人借我的钱不还", "债权债务"),
    ("商标被侵权", "知识产权"),
]


def write_dataset(base: Path, *, local: bool = True, topics: bool = True, statutes: bool = True) -> Path:
    """Write the tiny data directory under `base` and return it."""
    lib = base / "lawrefbook_laws"
    lib.mkdir(parents=True, exist_ok=True)
    _gz(lib / "laws.jsonl.gz", [_law_record(law) for law in LAWS])
    _gz(lib / "articles.jsonl.gz", [a for law in LAWS for a in _article_records(law)])
    if local:
        _gz(lib / "local_laws.jsonl.gz", [_law_record(law) for law in LOCAL])
        _gz(lib / "local_articles.jsonl.gz", [a for law in LOCAL for a in _article_records(law)])
    if statutes:
        (base / "stard").mkdir(exist_ok=True)
        (base / "lecoqa").mkdir(exist_ok=True)
        for split, rows in (("train", STATUTE_TRAIN), ("dev", STATUTE_DEV)):
            records = [{"qid": n, "query": q, "positive_ids": p} for n, (q, p) in enumerate(rows)]
            _jsonl(base / "stard" / f"{split}.jsonl", records)
            _jsonl(
                base / "lecoqa" / f"{split}.jsonl",
                [{**r, "answer": "根据法律规定，可以依法维权。", "keywords": None} for r in records],
            )
    if topics:
        (base / "lawbench_topic").mkdir(exist_ok=True)
        for split, rows in (("train", TOPIC_TRAIN), ("dev", TOPIC_DEV)):
            _jsonl(
                base / "lawbench_topic" / f"{split}.jsonl",
                [{"id": f"t-{split}-{n}", "text": t, "label": label} for n, (t, label) in enumerate(rows)],
            )
    return base
