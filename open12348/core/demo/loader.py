"""Builds the demo data through the services, idempotently: every upsert compares before it
writes, and existing accounts (and their passwords) are left alone, so a second run
creates no rows and writes no audit events."""

import json
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from open12348.accounts import passwords
from open12348.accounts.models import RoleAssignment, User
from open12348.accounts.services import staff_create
from open12348.audit.models import Event
from open12348.audit.services import record
from open12348.catalog.models import ServiceItem
from open12348.catalog.services import reference_data_load
from open12348.core.fields import lookup_hash
from open12348.orgs.models import OrgNode, Site, SiteContact, Window
from open12348.orgs.services import org_node_upsert, site_contacts_replace, site_upsert, window_upsert
from open12348.queuing.models import Device, QueueService

DATA_FILE = Path(__file__).resolve().parent / "demo.json"
DEFAULT_PASSWORD = "Open12348-Demo"  # noqa: S105  (published demo password, see README)
PASSWORD_ENV = "DEMO_PASSWORD"  # noqa: S105  (the name of the variable, not a password)

KIND_BY_LEVEL = {
    OrgNode.Level.CITY: Site.Kind.CENTER,
    OrgNode.Level.DISTRICT: Site.Kind.CENTER,
    OrgNode.Level.STREET: Site.Kind.STATION,
    OrgNode.Level.COMMUNITY: Site.Kind.ROOM,
}
SUFFIX_BY_KIND = {
    Site.Kind.STATION: "公共法律服务工作站",
    Site.Kind.ROOM: "公共法律服务工作室",
}
# Who a site publishes on its 双微双员 board, by kind of site.
CONTACT_ROLES = {
    Site.Kind.CENTER: [SiteContact.Role.DIRECTOR, SiteContact.Role.MEDIATOR, SiteContact.Role.LEGAL_ADVISOR],
    Site.Kind.STATION: [
        SiteContact.Role.DIRECTOR,
        SiteContact.Role.MEDIATOR,
        SiteContact.Role.MEDIATOR,
        SiteContact.Role.LEGAL_ADVISOR,
    ],
    Site.Kind.ROOM: [
        SiteContact.Role.MEDIATOR,
        SiteContact.Role.LEGAL_ADVISOR,
        SiteContact.Role.LEGAL_LITERATE,
        SiteContact.Role.LEGAL_LITERATE,
        SiteContact.Role.LEGAL_LITERATE,
    ],
}
# Fictitious people: every name carries （示例）.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程"
GIVEN_NAMES = (
    "建华 秀英 志强 桂芳 海燕 明德 卫东 丽娟 国平 春梅 文斌 玉兰 永康 晓燕 德明 雪芳 伟民 慧琴 "
    "振华 美玲 建新 金凤 立群 红霞 学军 素珍 宏伟 爱萍 正刚 月英 家兴 凤英 荣华 亚萍 根生 雅琴"
).split()


def demo_password() -> tuple[str, bool]:
    """The password for new demo accounts, and whether it is the published default."""
    value = os.environ.get(PASSWORD_ENV, "")
    return (value, False) if value else (DEFAULT_PASSWORD, True)


@dataclass
class Summary:
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    reference: dict = field(default_factory=dict)
    accounts_created: list[str] = field(default_factory=list)
    accounts_kept: list[str] = field(default_factory=list)

    def created(self, key: str) -> int:
        return self.after[key] - self.before[key]


def _counts() -> dict[str, int]:
    return {
        "orgs": OrgNode.objects.count(),
        "sites": Site.objects.count(),
        "windows": Window.objects.count(),
        "contacts": SiteContact.objects.count(),
        "queue_services": QueueService.objects.count(),
        "devices": Device.objects.count(),
        "users": User.objects.count(),
        "events": Event.objects.count(),
    }


def _load() -> dict:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def _validate_password(password: str, usernames: list[str]) -> None:
    """Check the password once, up front, under the strictest rule any demo account has
    (the audit administrator's 12 characters), so that no account is half-created."""
    problems: list[str] = []
    if len(password) < passwords.MIN_LENGTH_THREE_ADMIN:
        problems.append(f"演示密码至少需要 {passwords.MIN_LENGTH_THREE_ADMIN} 个字符（审计管理员的要求）。")
    for username in usernames:
        try:
            password_validation.validate_password(password, User(username=username))
        except ValidationError as error:
            problems.extend(f"{username}：{message}" for message in error.messages)
    if problems:
        raise ValidationError(problems)


class _People:
    """Deterministic fictitious names and the order they are handed out in."""

    def __init__(self):
        self.index = 0

    def next(self) -> str:
        i = self.index
        self.index += 1
        surname = SURNAMES[i % len(SURNAMES)]
        given = GIVEN_NAMES[(i * 7) % len(GIVEN_NAMES)]
        return f"{surname}{given}（示例）"


def _services(codes: list[str]) -> list[ServiceItem]:
    items = {item.code: item for item in ServiceItem.objects.filter(code__in=codes)}
    missing = sorted(set(codes) - set(items))
    if missing:
        raise ValidationError(f"演示数据引用了不存在的服务事项：{', '.join(missing)}（请先运行 loadreference）。")
    return [items[code] for code in codes]


def _site_name(node: dict, kind: str, spec: dict) -> str:
    return spec.get("name") or f"{node['name']}{SUFFIX_BY_KIND[kind]}"


def _build(
    node: dict,
    parent: OrgNode | None,
    data: dict,
    people: _People,
    orgs: dict[str, OrgNode],
    sites: dict[str, Site],
    parent_phone: str = "",
) -> None:
    org = org_node_upsert(code=node["code"], name=node["name"], level=node["level"], parent=parent)
    orgs[org.code] = org
    spec = node.get("site")
    phone = parent_phone
    if spec is not None:
        kind = KIND_BY_LEVEL[node["level"]]
        name = _site_name(node, kind, spec)
        existing = Site.objects.filter(name=name).select_related("org").first()
        if existing is not None and existing.org_id != org.pk:
            raise ValidationError(f"站点“{name}”已属于{existing.org}，演示数据不会把它移到{org}。")
        service_key = "city_center" if node["level"] == OrgNode.Level.CITY else kind
        phone = spec.get("phone") or f"{parent_phone[:-2]}{len(sites) % 100:02d}"
        site = site_upsert(
            name=name,
            org=org,
            kind=kind,
            services=_services(data["services"][service_key]),
            address=spec["address"],
            hours=data["hours"][kind],
            phone=phone,
            latitude=Decimal(spec["latitude"]),
            longitude=Decimal(spec["longitude"]),
        )
        sites[name] = site
        contacts = [{"role": role, "name": people.next(), "phone": phone} for role in CONTACT_ROLES[kind]]
        site_contacts_replace(site=site, contacts=contacts)
        for window in spec.get("windows", []):
            window_upsert(
                site=site, number=window["number"], name=window["name"], services=_services(window["services"])
            )
        if spec.get("windows"):
            _hall(site, data["queues"])
    for child in node.get("children", []):
        _build(child, org, data, people, orgs, sites, parent_phone=phone)


def _hall(site: Site, queues: list[dict]) -> None:
    """The service hall of a site with windows (issue 4): a queue (letter prefix) for each
    listed service its windows handle, a kiosk, a display and an evaluator per window.
    Rows that exist are left as they are (an administrator may have changed them)."""
    handled = set(
        Window.services.through.objects.filter(window__site=site, window__is_active=True).values_list(
            "serviceitem__code", flat=True
        )
    )
    offered = set(site.services.values_list("code", flat=True))
    items = {item.code: item for item in _services([queue["service"] for queue in queues])}
    for sort, queue in enumerate(queues):
        code = queue["service"]
        if code in handled and code in offered:
            _queue(site, items[code], queue["prefix"], queue["name"], sort)
    _device(site, Device.Kind.KIOSK, "大厅取号机")
    _device(site, Device.Kind.DISPLAY, "大厅显示屏")
    for window in site.windows.filter(is_active=True).order_by("number"):
        _device(site, Device.Kind.EVALUATOR, f"{window.number}号窗口评价器", window)


def _queue(site: Site, item: ServiceItem, prefix: str, name: str, sort: int) -> None:
    if QueueService.objects.filter(site=site, service_item=item).exists():
        return
    if QueueService.objects.filter(site=site, prefix=prefix).exists():
        return  # the letter is taken by a queue an administrator made: keep theirs
    queue = QueueService.objects.create(site=site, service_item=item, prefix=prefix, name=name, sort=sort)
    record(
        verb="queue.service_created",
        target=queue,
        org=site.org,
        payload={"prefix": prefix, "name": name, "item": item.code, "source": "seeddemo"},
        actor_label="演示数据",
    )


def _device(site: Site, kind: str, name: str, window: Window | None = None) -> None:
    if Device.objects.filter(site=site, kind=kind, name=name).exists():
        return
    device = Device.objects.create(site=site, kind=kind, name=name, window=window)
    record(
        verb="queue.device_created",
        target=device,
        org=site.org,
        payload={"kind": kind, "name": name, "window": window.number if window else None, "source": "seeddemo"},
        actor_label="演示数据",
    )


def _staff_account(spec: dict, password: str, orgs: dict[str, OrgNode], summary: Summary) -> None:
    username = spec["username"]
    if User.objects.filter(username__iexact=username).exists():
        summary.accounts_kept.append(username)
        return
    site = Site.objects.get(name=spec["site"]) if spec.get("site") else None
    user, _ = staff_create(
        actor=None,
        username=username,
        display_name=spec["display_name"],
        org=orgs[spec["org"]],
        role_codes=spec["roles"],
        password=password,
        site=site,
        title=spec.get("title", ""),
        specialty=spec.get("specialty", ""),
    )
    _ready_to_sign_in(user)
    summary.accounts_created.append(username)


def _ready_to_sign_in(user: User) -> None:
    """Demo accounts sign in at once: role_grant asks the three administrators for a new
    password at next sign-in, which a demo cannot answer; and the password is fresh."""
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    User.objects.filter(pk=user.pk, password_changed_at__isnull=True).update(password_changed_at=timezone.now())


def _citizen_account(spec: dict, password: str, summary: Summary) -> None:
    """A citizen as registration makes one (role `citizen`, phone as second login name).
    Registration itself needs an SMS code, which a seed cannot receive."""
    username = spec["username"]
    taken = User.objects.filter(username__iexact=username).exists()
    if taken or User.objects.filter(phone_hash=lookup_hash("phone", spec["phone"])).exists():
        summary.accounts_kept.append(username)
        return
    user = User(username=username, phone=spec["phone"], display_name=spec["display_name"])
    user.set_password(password)
    user.save()
    RoleAssignment.objects.create(user=user, role="citizen")
    _ready_to_sign_in(user)
    record(verb="account.registered", target=user, payload={"source": "seeddemo"})
    summary.accounts_created.append(username)


@transaction.atomic
def seed_demo(*, password: str) -> Summary:
    """Load the reference data, the demo tree with its sites, and the demo accounts."""
    data = _load()
    usernames = [spec["username"] for spec in data["accounts"]] + [data["citizen"]["username"]]
    _validate_password(password, usernames)
    summary = Summary(before=_counts())
    summary.reference = reference_data_load()
    orgs: dict[str, OrgNode] = {}
    _build(data["tree"], None, data, _People(), orgs, sites={})
    for spec in data["accounts"]:
        _staff_account(spec, password, orgs, summary)
    _citizen_account(data["citizen"], password, summary)
    from open12348.content.demo import seed_content  # publishing: content.json

    seed_content(password=password, summary=summary)
    from open12348.directory.demo import load_directory_demo  # the directory: directory.json

    load_directory_demo(DATA_FILE.with_name("directory.json"))
    from open12348.consultations.demo import seed_consultations  # online consultation: consultations.json

    seed_consultations(password=password, summary=summary)
    summary.after = _counts()
    return summary
