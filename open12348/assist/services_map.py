"""Where the assistant sends a citizen: the catalog service items that fit a question's topic
(one of the 20 top-level legal categories), a few plain-language tips for that topic, and the
nearest service site of the citizen's area.

The topic → service map is data, keyed by category code (catalog/data/legal_categories.json)
with service item codes (catalog/data/service_items.json); a test checks every code exists."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from open12348.catalog.models import ServiceItem
from open12348.orgs.models import OrgNode, Site

# Topic (top-level legal category code) → service item codes, most fitting first.
TOPIC_SERVICES: dict[str, tuple[str, ...]] = {
    "marriage_family": ("mediation", "notary", "legal_aid"),
    "labor": ("labor_arbitration_guide", "legal_aid", "dispute_mediation"),
    "traffic_accident": ("legal_aid", "dispute_mediation", "appraisal"),
    "debt": ("mediation", "document_drafting", "lawyer"),
    "criminal_defense": ("legal_aid", "lawyer"),
    "contract": ("mediation", "lawyer", "document_drafting"),
    "real_estate": ("mediation", "notary", "lawyer"),
    "tort": ("mediation", "lawyer", "appraisal"),
    "company": ("lawyer", "notary"),
    "medical": ("dispute_mediation", "appraisal", "legal_aid"),
    "demolition_resettlement": ("admin_reconsideration_guide", "legal_aid", "lawyer"),
    "administrative_litigation": ("admin_reconsideration_guide", "legal_aid", "lawyer"),
    "construction": ("legal_aid", "dispute_mediation", "appraisal"),
    "intellectual_property": ("lawyer", "notary", "appraisal"),
    "general": ("consultation", "lawyer"),
    "personal_injury": ("legal_aid", "appraisal", "mediation"),
    "foreign_related": ("lawyer", "notary"),
    "maritime": ("lawyer", "dispute_mediation"),
    "consumer": ("dispute_mediation", "consultation", "lawyer"),
    "mortgage_guarantee": ("notary", "lawyer", "mediation"),
}
FALLBACK_SERVICES = ("consultation",)
MAX_SERVICES = 3

# What a citizen can do first, per topic (the template answer's "建议").
TOPIC_TIPS = {
    "marriage_family": _(
        "婚姻家庭纠纷可以先申请人民调解，调解免费；涉及遗嘱、继承的可以办理公证；"
        "遭受家庭暴力的可以报警，并向法院申请人身安全保护令。"
    ),
    "labor": _(
        "请保存好劳动合同、工资条、考勤记录、聊天记录等证据。可以先与单位协商，协商不成的，"
        "可以在一年内向劳动人事争议仲裁委员会申请仲裁（不收费）；追索劳动报酬、工伤赔偿的，可以申请法律援助。"
    ),
    "traffic_accident": _(
        "请保存好事故认定书、病历和费用票据。赔偿可以先通过交通事故调解解决；伤残等级需要司法鉴定；"
        "请求交通事故人身伤害赔偿的，可以申请法律援助。"
    ),
    "debt": _("请保存好借条、转账记录和催款记录，注意三年诉讼时效。可以先申请人民调解，也可以请律师起诉。"),
    "criminal_defense": _(
        "犯罪嫌疑人、被告人有权委托辩护人；经济困难或者符合法定条件的，可以申请法律援助，由法律援助机构指派律师。"
    ),
    "contract": _("请保存好合同、付款凭证和往来记录。可以先协商或申请调解，协商不成的可以请律师通过诉讼或仲裁解决。"),
    "real_estate": _("请保存好房产证、合同、付款凭证等材料。邻里、物业纠纷可以申请人民调解；房屋买卖可以咨询律师。"),
    "tort": _("请保存好受到损害的证据（照片、票据、截图等）。可以先协商或申请调解，需要确定损失的可以申请鉴定。"),
    "company": _("公司股权、设立、解散等问题专业性较强，建议咨询律师；重要文书可以办理公证。"),
    "medical": _(
        "请及时复印、封存病历资料。可以向医疗纠纷人民调解委员会申请调解（免费），需要确定医疗过错的可以申请司法鉴定。"
    ),
    "demolition_resettlement": _(
        "对征收补偿决定不服的，可以在知道之日起六十日内申请行政复议，或者依法提起行政诉讼；请保存好征收公告和补偿协议。"
    ),
    "administrative_litigation": _(
        "对行政机关的行为不服的，一般可以在知道之日起六十日内申请行政复议（不收费），也可以依法提起行政诉讼。"
    ),
    "construction": _(
        "请保存好施工合同、结算单、工资记录等证据。农民工追讨工资的可以申请法律援助；工程质量争议可以申请鉴定。"
    ),
    "intellectual_property": _("请及时固定侵权证据，可以通过公证办理证据保全；建议咨询律师。"),
    "general": _("您可以在线咨询、拨打12348热线，或者到就近的公共法律服务中心（站）当面咨询，咨询免费。"),
    "personal_injury": _(
        "请保存好病历、票据和受伤经过的证据；伤残等级可以申请司法鉴定；可以先申请调解，符合条件的可以申请法律援助。"
    ),
    "foreign_related": _("涉外法律事务建议咨询律师；在境外使用的文书可以办理涉外公证。"),
    "maritime": _("海事海商纠纷专业性较强，建议咨询律师，也可以申请调解。"),
    "consumer": _("请保存好购物凭证、聊天记录和商品照片。可以先与商家协商，也可以拨打12315投诉或申请调解。"),
    "mortgage_guarantee": _("签订抵押、保证合同前请看清责任范围，重要合同可以办理公证；发生纠纷可以咨询律师。"),
}


@dataclass(frozen=True)
class ServiceLink:
    name: str
    code: str
    url: str


@dataclass(frozen=True)
class SiteInfo:
    name: str
    address: str
    phone: str
    url: str
    hours: str = ""


def service_codes_for(code: str | None) -> tuple[str, ...]:
    return TOPIC_SERVICES.get(code or "", FALLBACK_SERVICES)


def tips_for(code: str | None) -> str:
    return str(TOPIC_TIPS.get(code or "", TOPIC_TIPS["general"]))


def _catalog_url() -> str:
    try:
        return reverse("portal:home") + "#catalog"
    except NoReverseMatch:
        return "/#catalog"


def services_for(code: str | None) -> list[ServiceLink]:
    """The active catalog items for the topic with category code `code`, in the map's order."""
    codes = service_codes_for(code)
    items = {item.code: item for item in ServiceItem.objects.filter(is_active=True, code__in=codes)}
    url = _catalog_url()
    return [ServiceLink(name=items[c].name, code=c, url=url) for c in codes if c in items][:MAX_SERVICES]


def _sites_url(area: OrgNode) -> str:
    try:
        base = reverse("portal:sites")
    except NoReverseMatch:
        base = "/sites/"
    return f"{base}?area={area.code}"


def _site_info(site: Site) -> SiteInfo:
    return SiteInfo(name=site.name, address=site.address, phone=site.phone, url=_sites_url(site.org), hours=site.hours)


def nearest_site(area: OrgNode | None, *, service_codes: tuple[str, ...] = ()) -> SiteInfo | None:
    """The site closest to `area`: a site of the area itself, else the shallowest one inside
    it (the district's centre before a village's room), else the nearest one above it. Among
    equals, one offering the first possible service of `service_codes`, then a centre."""
    if area is None:
        return None
    candidates = list(
        Site.objects.filter(is_active=True, org__path__startswith=area.path)
        .select_related("org")
        .prefetch_related("services")
    )
    if not candidates:
        codes = [code for code in area.path.split("/") if code and code != area.code]
        candidates = list(
            Site.objects.filter(is_active=True, org__code__in=codes).select_related("org").prefetch_related("services")
        )
    if not candidates:
        return None
    kinds = [Site.Kind.CENTER, Site.Kind.STATION, Site.Kind.ROOM]

    def rank(site: Site):
        offered = {item.code for item in site.services.all()}
        service_rank = next((i for i, code in enumerate(service_codes) if code in offered), len(service_codes))
        return (
            abs(site.org.depth - area.depth),
            service_rank,
            kinds.index(site.kind) if site.kind in kinds else len(kinds),
            site.name,
        )

    return _site_info(min(candidates, key=rank))


# Province of a region code (GB/T 2260, first two digits) as the statute library names local
# regulations' regions ("上海", "广东").
PROVINCES = dict(
    (entry[:2], entry[2:])
    for entry in (
        "11北京 12天津 13河北 14山西 15内蒙古 21辽宁 22吉林 23黑龙江 31上海 32江苏 33浙江 34安徽 35福建 36江西 "  # i18n: data
        "37山东 41河南 42湖北 43湖南 44广东 45广西 46海南 50重庆 51四川 52贵州 53云南 54西藏 61陕西 62甘肃 "  # i18n: data
        "63青海 64宁夏 65新疆"  # i18n: data
    ).split()
)


def province_of(area: OrgNode | None) -> str | None:
    """The province (as Law.region names it) of an area, from its region code."""
    if area is None or not area.code[:2].isdigit():
        return None
    return PROVINCES.get(area.code[:2])
