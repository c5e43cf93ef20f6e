"""The home page by life event (issue 5 item 7): what a citizen meets in life — unpaid wages,
a divorce, a traffic accident — mapped to the services of the catalog (ServiceItem codes of
catalog/data/service_items.json), the legal categories whose articles answer it
(catalog/data/legal_categories.json; an article tagged with a sub-category counts for its
parent's event too) and the category the consultation form starts with. Plain data, no ORM:
`portal/tests/test_life_events.py` checks every code against the reference data.

`sensitive` events (domestic violence, marriage and family) carry the quick-exit button."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class LifeEvent:
    slug: str
    title: str
    summary: str
    categories: tuple[str, ...]  # legal category codes, the most specific first
    services: tuple[str, ...]  # service item codes, the most useful first
    consult_category: str  # the top-level legal category of the consultation form
    tips: tuple[str, ...] = ()
    sensitive: bool = False


EVENTS: tuple[LifeEvent, ...] = (
    LifeEvent(
        slug="labor-wages",
        title=_("劳动工资"),
        summary=_("拖欠工资、工伤、辞退补偿、社保、劳动合同"),
        categories=("labor", "wage_arrears", "work_injury", "dismissal_compensation", "social_insurance"),
        services=("labor_arbitration_guide", "legal_aid", "dispute_mediation", "consultation", "document_drafting"),
        consult_category="labor",
        tips=(
            _("保存好劳动合同、工资条、考勤记录、工作群聊天记录和转账记录，这些都是证据。"),
            _("申请劳动仲裁的时效一般为一年，从知道权利被侵害之日起计算，不要拖延。"),
            _("追索劳动报酬、工伤赔偿的农民工，申请法律援助不审查经济困难条件。"),
        ),
    ),
    LifeEvent(
        slug="marriage-family",
        title=_("婚姻家庭"),
        summary=_("离婚、抚养、夫妻财产、彩礼、收养"),
        categories=("marriage_family", "divorce", "child_support", "marital_property", "betrothal_gifts", "adoption"),
        services=("dispute_mediation", "consultation", "notary", "legal_aid", "document_drafting"),
        consult_category="marriage_family",
        tips=(
            _("协议离婚要到婚姻登记机关办理，有三十日的离婚冷静期。"),
            _("家庭矛盾可以先申请人民调解，调解免费，达成的协议可申请司法确认。"),
        ),
        sensitive=True,
    ),
    LifeEvent(
        slug="traffic-accident",
        title=_("交通事故"),
        summary=_("责任认定、损害赔偿、保险理赔、伤残鉴定"),
        categories=("traffic_accident", "traffic_liability", "traffic_compensation", "traffic_insurance"),
        services=("dispute_mediation", "appraisal", "legal_aid", "consultation"),
        consult_category="traffic_accident",
        tips=(
            _("发生事故先报警（110或122），拍照固定现场，保留就医票据和误工证明。"),
            _("对伤残等级有异议的，可以委托司法鉴定机构鉴定。"),
        ),
    ),
    LifeEvent(
        slug="loans-debts",
        title=_("借款欠款"),
        summary=_("民间借贷、欠款追讨、担保"),
        categories=("debt", "private_lending", "debt_collection", "mortgage_guarantee"),
        services=("dispute_mediation", "lawyer", "notary", "document_drafting", "consultation"),
        consult_category="debt",
        tips=(
            _("借钱给别人要写借条，写清金额、期限、利息和还款方式，由借款人签名按手印。"),
            _("向法院起诉的诉讼时效一般为三年，催款时保留短信、聊天记录等催收证据。"),
        ),
    ),
    LifeEvent(
        slug="housing-property",
        title=_("房产物业"),
        summary=_("物业、租房、买房、邻里、拆迁安置"),
        categories=(
            "real_estate",
            "property_management",
            "house_lease",
            "house_sale",
            "neighbor_relations",
            "demolition_resettlement",
        ),
        services=("dispute_mediation", "lawyer", "notary", "consultation"),
        consult_category="real_estate",
        tips=(
            _("租房、买房请签书面合同，看清房产证和出租人身份，押金、定金约定写清楚。"),
            _("邻里纠纷、物业纠纷可以向所在镇（街道）的人民调解委员会申请免费调解。"),
        ),
    ),
    LifeEvent(
        slug="consumer-rights",
        title=_("消费维权"),
        summary=_("网络购物、预付卡、产品质量"),
        categories=("consumer", "online_shopping", "prepaid_card", "product_quality"),
        services=("consultation", "dispute_mediation", "document_drafting"),
        consult_category="consumer",
        tips=(
            _("保留好发票、收据、订单截图和聊天记录。"),
            _("办预付卡要看清商家资质，不要一次充值过多。"),
        ),
    ),
    LifeEvent(
        slug="inheritance",
        title=_("继承"),
        summary=_("遗嘱、遗产分配、继承公证"),
        categories=("inheritance",),
        services=("notary", "elderly_will_notary", "dispute_mediation", "consultation"),
        consult_category="marriage_family",
        tips=(
            _("遗嘱可以自书、代书、打印、录音录像或公证，每种形式都有法定要求。"),
            _("继承人之间有争议的，可以先申请人民调解。"),
        ),
    ),
    LifeEvent(
        slug="elderly-rights",
        title=_("老年人权益"),
        summary=_("赡养、养老、遗嘱公证、防范诈骗"),
        categories=("elder_support", "inheritance"),
        services=("elderly_will_notary", "home_visit", "legal_aid", "dispute_mediation", "consultation"),
        consult_category="marriage_family",
        tips=(
            _("子女有赡养父母的义务，不能以放弃继承权为由拒绝赡养。"),
            _("行动不便的老年人可以申请上门服务；80周岁以上老人办理遗嘱公证免费。"),
            _("警惕“保健品讲座”“高额返利”等骗局，不轻信、不转账。"),
        ),
    ),
    LifeEvent(
        slug="minors",
        title=_("未成年人保护"),
        summary=_("抚养费、校园伤害、收养、受侵害的未成年人"),
        categories=("child_support", "campus_injury", "adoption", "victim_rights"),
        services=("legal_aid", "consultation", "dispute_mediation"),
        consult_category="marriage_family",
        tips=(
            _("发现未成年人受到侵害，任何人都可以向公安机关、民政部门或学校报告。"),
            _("未成年人因合法权益受侵害申请法律援助，不审查经济困难条件。"),
        ),
    ),
    LifeEvent(
        slug="medical-disputes",
        title=_("医疗纠纷"),
        summary=_("医疗损害、医疗纠纷调解、医疗损害鉴定"),
        categories=("medical", "medical_malpractice", "medical_mediation"),
        services=("dispute_mediation", "appraisal", "legal_aid", "consultation"),
        consult_category="medical",
        tips=(
            _("可以申请复印病历资料；对病历有疑问的，应当在医患双方在场时封存。"),
            _("医疗纠纷可以申请医疗纠纷人民调解委员会免费调解。"),
        ),
    ),
    LifeEvent(
        slug="domestic-violence",
        title=_("家庭暴力"),
        summary=_("人身安全保护令、告诫书、求助与庇护"),
        categories=("domestic_violence",),
        services=("legal_aid", "consultation", "lawyer"),
        consult_category="marriage_family",
        tips=(
            _("遇到正在发生的暴力，请立即拨打110报警。"),
            _("可以向人民法院申请人身安全保护令，不需要先起诉离婚。"),
            _("就医记录、报警回执、照片、聊天记录都可以作为证据，请保存在安全的地方。"),
        ),
        sensitive=True,
    ),
    LifeEvent(
        slug="legal-aid",
        title=_("法律援助"),
        summary=_("经济困难或特殊案件，免费请律师"),
        categories=("criminal_legal_aid", "victim_rights"),
        services=("legal_aid", "consultation", "document_drafting"),
        consult_category="general",
        tips=(
            _("经济困难的公民，可以申请免费的法律咨询、代拟文书、代理和刑事辩护。"),
            _("带上身份证明和经济困难状况说明，到法律援助中心或就近的服务站点申请。"),
        ),
    ),
)

BY_SLUG: dict[str, LifeEvent] = {event.slug: event for event in EVENTS}
# Legal categories whose pages carry the quick-exit button (with their sub-categories): those
# the sensitive events list first (婚姻家庭, 家庭暴力).
SENSITIVE_CATEGORIES = frozenset(event.categories[0] for event in EVENTS if event.sensitive)


def get(slug: str) -> LifeEvent | None:
    return BY_SLUG.get(slug)


def events_for_category(code: str) -> list[LifeEvent]:
    """The events that list a legal category (the category itself, not its family)."""
    return [event for event in EVENTS if code in event.categories]


def services_for_categories(codes: list[str]) -> list[str]:
    """Service item codes of the events of these categories, the events' own order, no repeats."""
    found: dict[str, None] = {}
    for code in codes:
        for event in events_for_category(code):
            found.update(dict.fromkeys(event.services))
    return list(found)
