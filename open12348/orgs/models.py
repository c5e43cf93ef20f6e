from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.core.fields import personal
from open12348.core.models import TimeStampedModel


class OrgNode(TimeStampedModel):
    """A node of the administrative tree (省 → 市 → 区县 → 街镇 → 村社区, any depth).
    `path` is the materialised path of codes ("/320500/320585/"), so a subtree is one
    indexed prefix query."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        DISTRICT = "district", _("区县")
        STREET = "street", _("街道乡镇")
        COMMUNITY = "community", _("村社区")

    code = models.CharField(
        _("区划代码"), max_length=12, unique=True, help_text=_("GB/T 2260 或统计用区划代码（街镇9位、村社区12位）")
    )
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("深度"), default=0, editable=False)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "/") + self.code + "/"
        self.depth = self.parent.depth + 1 if self.parent else 0
        super().save(*args, **kwargs)

    def is_within(self, other: "OrgNode") -> bool:
        return self.path.startswith(other.path)


class Site(TimeStampedModel):
    """A service site: 中心 (city, district), 工作站 (street/town), 工作室 (community/village)."""

    class Kind(models.TextChoices):
        CENTER = "center", _("公共法律服务中心")
        STATION = "station", _("公共法律服务工作站")
        ROOM = "room", _("公共法律服务工作室")

    org = models.ForeignKey(OrgNode, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="sites")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=120, unique=True)
    address = models.CharField(_("地址"), max_length=200)
    hours = models.CharField(_("服务时间"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    services = models.ManyToManyField("catalog.ServiceItem", verbose_name=_("服务事项"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务站点")
        verbose_name_plural = _("服务站点")
        ordering = ["org__path", "name"]

    def __str__(self):
        return self.name


class SiteContact(TimeStampedModel):
    """The people a site publishes (双微双员 boards): mediators and legal advisors."""

    class Role(models.TextChoices):
        DIRECTOR = "director", _("负责人")
        MEDIATOR = "mediator", _("人民调解员")
        LEGAL_ADVISOR = "legal_advisor", _("法律顾问")
        LEGAL_LITERATE = "legal_literate", _("法律明白人")

    site = models.ForeignKey(Site, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    name = personal(models.CharField(_("姓名"), max_length=50), _("站点公示的联系人姓名"))
    phone = personal(models.CharField(_("联系电话"), max_length=40, blank=True), _("站点公示的联系电话"))
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("站点联系人")
        verbose_name_plural = _("站点联系人")
        ordering = ["site", "sort", "id"]

    def __str__(self):
        return f"{self.get_role_display()} {self.name}"


class SiteQRCode(TimeStampedModel):
    """A WeChat group QR code shown on the site's page (微信群二维码)."""

    site = models.ForeignKey(Site, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="qr_codes")
    title = models.CharField(_("标题"), max_length=100)
    image = models.ImageField(_("二维码图片"), upload_to="sites/qr/")

    class Meta:
        verbose_name = _("微信群二维码")
        verbose_name_plural = _("微信群二维码")

    def __str__(self):
        return self.title


class Window(TimeStampedModel):
    """A service window (窗口) of a site, with the services it handles."""

    site = models.ForeignKey(Site, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="windows")
    number = models.PositiveSmallIntegerField(_("窗口号"))
    name = models.CharField(_("名称"), max_length=50)
    services = models.ManyToManyField("catalog.ServiceItem", verbose_name=_("办理事项"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["site", "number"]
        constraints = [models.UniqueConstraint(fields=["site", "number"], name="window_number_unique_per_site")]

    def __str__(self):
        return gettext("{number}号窗口 {name}").format(number=self.number, name=self.name)
