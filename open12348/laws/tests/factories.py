"""A tiny LawRefBook-shaped data set written by the tests themselves (gzip JSONL in a temp
directory), and helpers to import it."""

import copy
import gzip
import json
from pathlib import Path

LABOUR_CONTRACT = "中华人民共和国劳动合同法"
CIVIL_CODE = "中华人民共和国民法典"


def law(
    doc_id,
    title,
    *,
    level="法律",
    category="社会法",
    publish="2012-12-28",
    valid_from="2013-07-01",
    expired=False,
    subtitle=None,
    meta=None,
    text="",
    n_articles=None,
    articles=(),
):
    return {
        "doc_id": doc_id,
        "title": title,
        "subtitle": subtitle,
        "level": level,
        "category": category,
        "publish": publish,
        "valid_from": valid_from,
        "expired": expired,
        "path": f"{category}/{title}({publish}).md",
        "meta": meta or [],
        "n_articles": len(articles) if n_articles is None else n_articles,
        "text": text,
        "_articles": list(articles),
    }


def art(no, num, text, chapter=""):
    return {"article_no": no, "article_num": num, "text": text, "chapter": chapter}


def national_laws():
    return [
        law(
            "lrb-labour2012",
            LABOUR_CONTRACT,
            meta=[
                "2007年6月29日 第十届全国人民代表大会常务委员会第二十八次会议通过",
                "2012年12月28日 第十一届全国人民代表大会常务委员会第三十次会议修正",
            ],
            articles=[
                art(
                    "第一条",
                    1,
                    "为了完善劳动合同制度，明确劳动合同双方当事人的权利和义务，保护劳动者的合法权益，制定本法。",
                    "第一章 总则",
                ),
                art("第二条", 2, "本法所称“用人单位”，是指中华人民共和国境内的企业、个体经济组织。", "第一章 总则"),
                art(
                    "第三十七条",
                    37,
                    "劳动者提前三十日以书面形式通知用人单位，可以解除劳动合同。",
                    "第四章 劳动合同的解除和终止",
                ),
                art(
                    "第四十七条",
                    47,
                    "经济补偿按劳动者在本单位工作的年限，每满一年支付一个月工资的标准向劳动者支付。",
                    "第四章 劳动合同的解除和终止",
                ),
                art(
                    "第四十七条之一",
                    47,
                    "用人单位拖欠劳动报酬的，劳动者可以解除劳动合同。",
                    "第四章 劳动合同的解除和终止",
                ),
            ],
        ),
        law(
            "lrb-labour2007",
            LABOUR_CONTRACT,
            publish="2007-06-29",
            valid_from="2008-01-01",
            expired=True,
            articles=[art("第一条", 1, "为了完善劳动合同制度，制定本法。", "第一章 总则")],
        ),
        law(
            "lrb-civil",
            CIVIL_CODE,
            subtitle="总则编",
            category="民法典",
            publish="2020-05-28",
            valid_from="2021-01-01",
            meta=["2020年5月28日 第十三届全国人民代表大会第三次会议通过"],
            articles=[
                art(
                    "第一条", 1, "为了保护民事主体的合法权益，调整民事关系，制定本法。", "第一编 总则 / 第一章 基本规定"
                ),
                art(
                    "第一百零四条",
                    104,
                    "非法人组织的财产不足以清偿债务的，其出资人或者设立人承担无限责任。",
                    "第一编 总则 / 第四章 非法人组织",
                ),
                art(
                    "第一百八十八条",
                    188,
                    "向人民法院请求保护民事权利的诉讼时效期间为三年。",
                    "第一编 总则 / 第九章 诉讼时效",
                ),
            ],
        ),
        law(
            "lrb-wages",
            "工资支付暂行规定",
            level="行政法规",
            category="行政法规",
            publish="1994-12-06",
            valid_from="1995-01-01",
            expired=True,
            articles=[art("第四条", 4, "工资支付主要包括：工资支付项目、工资支付水平、工资支付形式。")],
        ),
        law(
            "lrb-interp",
            "最高人民法院关于审理劳动争议案件适用法律问题的解释（一）",
            level="司法解释",
            category="司法解释",
            publish="2020-12-29",
            valid_from="2021-01-01",
            articles=[
                art(
                    "第一条",
                    1,
                    "劳动者与用人单位之间发生的下列纠纷，属于劳动争议，当事人不服劳动争议仲裁机构作出的裁决，依法提起诉讼的，人民法院应予受理。",
                )
            ],
        ),
        law(
            "lrb-case1",
            "拖欠农民工工资案",
            level="案例",
            category="案例/劳动人事",
            publish=None,
            valid_from=None,
            text="## 基本案情\n\n某公司拖欠农民工工资三个月，劳动者申请劳动仲裁。\n\n## 裁判结果\n\n支持劳动者的请求。",
        ),
    ]


def local_laws():
    return [
        law(
            "lrb-sh-property",
            "上海市住宅物业管理规定",
            level="地方性法规",
            category="DLC/上海地方法规/地方性法规/上海",
            publish="2020-12-30",
            valid_from="2021-05-01",
            expired=None,
            meta=["2010年12月23日 上海市第十三届人民代表大会常务委员会第二十三次会议通过"],
            articles=[
                art(
                    "第一条",
                    1,
                    "为了规范住宅物业管理活动，维护业主和物业服务企业的合法权益，制定本规定。",
                    "第一章 总则",
                )
            ],
        ),
    ]


def write_dataset(folder: Path, laws=None, local=None) -> Path:
    """Writes lawrefbook_laws/{laws,articles,local_laws,local_articles}.jsonl.gz under
    `folder`; returns `folder` (the data directory)."""
    target = folder / "lawrefbook_laws"
    target.mkdir(parents=True, exist_ok=True)
    for prefix, records in (
        ("", national_laws() if laws is None else laws),
        ("local_", local_laws() if local is None else local),
    ):
        doc_rows, article_rows = [], []
        for record in copy.deepcopy(records):
            articles = record.pop("_articles")
            doc_rows.append(record)
            for idx, article in enumerate(articles):
                article_rows.append(
                    {
                        "doc_id": record["doc_id"],
                        "title": record["title"],
                        "subtitle": record["subtitle"],
                        "level": record["level"],
                        "category": record["category"],
                        "publish": record["publish"],
                        "expired": record["expired"],
                        "idx": idx,
                        **article,
                    }
                )
        for name, rows in ((f"{prefix}laws.jsonl.gz", doc_rows), (f"{prefix}articles.jsonl.gz", article_rows)):
            with gzip.open(target / name, "wt", encoding="utf-8") as handle:
                for row in rows:
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return folder
