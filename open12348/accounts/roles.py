"""Roles as code. `manage.py syncroles` materialises each role as a Django group holding
exactly these permissions; membership lives in RoleAssignment. Edit roles here, never in
the database or in a data migration.

三员分立 (GB/T 22239 §8.1.4.2): the system administrator configures the platform, the
security administrator manages accounts and roles, the audit administrator reads the
audit trail. None of them reads case data, and no account holds two of the three."""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    kind: Kind
    permissions: frozenset[str] = frozenset()
    admin_site: bool = False  # may open the Django admin (is_staff)
    requires_otp: bool = False  # TOTP second factor on every admin URL
    three_admin: bool = False  # one of 三员: mutually exclusive

    @property
    def is_staff_role(self) -> bool:
        return self.kind != Kind.CITIZEN


def _perms(*names: str) -> frozenset[str]:
    return frozenset(names)


READ_REFERENCE = _perms(
    "orgs.view_orgnode", "orgs.view_site", "orgs.view_window", "catalog.view_serviceitem", "catalog.view_legalcategory"
)
CONSOLE = READ_REFERENCE | _perms("accounts.view_staff_console")
HANDLE = _perms("workorders.view_workorder", "workorders.handle_workorder")
FRONT_LINE = CONSOLE | HANDLE | _perms("workorders.intake_workorder")
PROFESSIONAL = CONSOLE | HANDLE
WINDOW = _perms("queuing.operate_window")
MANAGE_HALL = WINDOW | _perms("queuing.manage_hall", "queuing.view_ticket", "queuing.view_device")
EDIT_CONTENT = _perms("content.edit_article", "content.view_article")
PUBLISH_CONTENT = EDIT_CONTENT | _perms("content.review_article")
MANAGE_DIRECTORY = _perms(
    "directory.view_institution",
    "directory.add_institution",
    "directory.change_institution",
    "directory.view_practitioner",
    "directory.add_practitioner",
    "directory.change_practitioner",
    "directory.view_creditrecord",
    "directory.add_creditrecord",
    "directory.change_creditrecord",
    "directory.delete_creditrecord",
)
CONSULT_ANSWER = _perms("consultations.answer_consultation")
CONSULT_MODERATE = _perms("consultations.moderate_consultation")
MANAGE_VOLUNTEERS = _perms(
    "consultations.view_volunteerunit",
    "consultations.add_volunteerunit",
    "consultations.change_volunteerunit",
    "consultations.view_volunteer",
    "consultations.add_volunteer",
    "consultations.change_volunteer",
    "consultations.view_consultation",
    "consultations.view_pointentry",
)
MANAGE_ORDERS = _perms("workorders.assign_workorder", "workorders.export_ledger")
# Platform configuration that holds no case data: routing, posts, the working-day calendar.
CONFIGURE_ROUTING = _perms(
    "workorders.view_post",
    "workorders.add_post",
    "workorders.change_post",
    "workorders.view_routingrule",
    "workorders.add_routingrule",
    "workorders.change_routingrule",
    "workorders.delete_routingrule",
    "core.view_calendaryear",
    "core.add_calendaryear",
    "core.change_calendaryear",
    "core.view_calendarday",
    "core.add_calendarday",
    "core.change_calendarday",
    "core.delete_calendarday",
)
MANAGE_SITES = _perms(
    "orgs.change_site",
    "orgs.add_site",
    "orgs.add_sitecontact",
    "orgs.change_sitecontact",
    "orgs.delete_sitecontact",
    "orgs.view_sitecontact",
    "orgs.add_siteqrcode",
    "orgs.change_siteqrcode",
    "orgs.delete_siteqrcode",
    "orgs.view_siteqrcode",
    "orgs.add_window",
    "orgs.change_window",
    "orgs.delete_window",
)

ROLES: tuple[Role, ...] = (
    Role("citizen", _("公众用户"), Kind.CITIZEN),
    Role("window_clerk", _("窗口工作人员"), Kind.STAFF, FRONT_LINE | WINDOW),
    Role("hotline_operator", _("12348热线接线员"), Kind.STAFF, FRONT_LINE),
    Role("lawyer", _("律师"), Kind.STAFF, PROFESSIONAL | CONSULT_ANSWER),
    Role("grassroots_worker", _("基层法律服务工作者"), Kind.STAFF, PROFESSIONAL | CONSULT_ANSWER),
    Role("notary", _("公证员"), Kind.STAFF, PROFESSIONAL | CONSULT_ANSWER),
    Role("appraiser", _("司法鉴定人"), Kind.STAFF, PROFESSIONAL),
    Role("mediator", _("人民调解员"), Kind.STAFF, PROFESSIONAL | CONSULT_ANSWER),
    Role(
        "legal_aid_officer",
        _("法律援助工作人员"),
        Kind.STAFF,
        PROFESSIONAL | CONSULT_ANSWER | _perms("accounts.view_full_pii"),
    ),
    Role("volunteer", _("法律服务志愿者"), Kind.STAFF, PROFESSIONAL | CONSULT_ANSWER),
    Role("village_advisor", _("村（居）法律顾问"), Kind.STAFF, PROFESSIONAL | CONSULT_ANSWER),
    Role(
        "site_director",
        _("站点负责人"),
        Kind.STAFF,
        FRONT_LINE
        | MANAGE_SITES
        | MANAGE_ORDERS
        | MANAGE_HALL
        | CONSULT_MODERATE
        | _perms("accounts.view_full_pii", "accounts.view_staffprofile"),
    ),
    Role(
        "bureau_admin",
        _("司法局管理员"),
        Kind.ADMINISTRATOR,
        FRONT_LINE
        | MANAGE_SITES
        | MANAGE_ORDERS
        | MANAGE_HALL
        | PUBLISH_CONTENT
        | MANAGE_DIRECTORY
        | CONSULT_MODERATE
        | MANAGE_VOLUNTEERS
        | CONFIGURE_ROUTING
        | _perms(
            "accounts.view_full_pii",
            "accounts.view_staffprofile",
            "orgs.add_orgnode",
            "orgs.change_orgnode",
            "catalog.add_serviceitem",
            "catalog.change_serviceitem",
            "catalog.add_legalcategory",
            "catalog.change_legalcategory",
        ),
        admin_site=True,
        requires_otp=True,
    ),
    Role(
        "supervisor",
        _("监督评议员"),
        Kind.STAFF,
        CONSOLE | _perms("workorders.view_workorder", "workorders.export_ledger"),
    ),
    Role("archivist", _("档案管理员"), Kind.STAFF, CONSOLE | _perms("workorders.view_workorder")),
    Role("content_editor", _("信息发布员"), Kind.STAFF, CONSOLE | EDIT_CONTENT),
    Role(
        "system_admin",
        _("系统管理员"),
        Kind.ADMINISTRATOR,
        READ_REFERENCE
        | MANAGE_SITES
        | CONFIGURE_ROUTING
        | _perms(
            "orgs.add_orgnode",
            "orgs.change_orgnode",
            "catalog.add_serviceitem",
            "catalog.change_serviceitem",
            "catalog.add_legalcategory",
            "catalog.change_legalcategory",
        ),
        admin_site=True,
        requires_otp=True,
        three_admin=True,
    ),
    Role(
        "security_admin",
        _("安全管理员"),
        Kind.ADMINISTRATOR,
        _perms(
            "accounts.view_user",
            "accounts.view_roleassignment",
            "accounts.assign_role",
            "accounts.unlock_account",
            "accounts.view_staffprofile",
            "accounts.change_staffprofile",
            "accounts.add_staffprofile",
            "orgs.view_orgnode",
        ),
        admin_site=True,
        requires_otp=True,
        three_admin=True,
    ),
    Role(
        "audit_admin",
        _("审计管理员"),
        Kind.ADMINISTRATOR,
        _perms("audit.view_event", "audit.verify_event"),
        admin_site=True,
        requires_otp=True,
        three_admin=True,
    ),
)

BY_CODE: dict[str, Role] = {role.code: role for role in ROLES}
CHOICES = [(role.code, role.name) for role in ROLES]
THREE_ADMIN_CODES = frozenset(role.code for role in ROLES if role.three_admin)
STAFF_CODES = frozenset(role.code for role in ROLES if role.is_staff_role)


def get(code: str) -> Role:
    return BY_CODE[code]


def session_kind(codes) -> Kind:
    """The strictest kind among the roles held decides the session limits."""
    kinds = {BY_CODE[code].kind for code in codes if code in BY_CODE}
    for kind in (Kind.ADMINISTRATOR, Kind.STAFF):
        if kind in kinds:
            return kind
    return Kind.CITIZEN


def permissions_of(codes) -> frozenset[str]:
    return frozenset().union(*(BY_CODE[code].permissions for code in codes if code in BY_CODE))
