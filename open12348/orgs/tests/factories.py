import factory

from open12348.orgs.models import OrgNode, Site, Window


class OrgNodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgNode
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n:05d}")
    name = factory.Sequence(lambda n: f"测试区域{n}")
    level = OrgNode.Level.DISTRICT
    parent = None


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    org = factory.SubFactory(OrgNodeFactory)
    kind = Site.Kind.STATION
    name = factory.Sequence(lambda n: f"测试公共法律服务工作站{n}")
    address = "测试路1号"
    hours = "工作日 9:00-17:00"
    phone = "0512-53520000"


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window

    site = factory.SubFactory(SiteFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = "综合受理"
