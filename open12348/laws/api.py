"""Public, read-only API of the statute library: full-text search, a law with its articles,
one article. Mounted under /api/v1/ by open12348.api.urls. Anonymous callers are throttled
per client IP (search runs the engine: a script must not monopolise it)."""

from django.conf import settings
from django.http import Http404
from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from open12348.api import schema
from open12348.api.serializers import StrictSerializer
from open12348.api.views import PUBLIC, ApiViewMixin
from open12348.audit.context import client_ip
from open12348.laws import selectors
from open12348.laws.models import Article, Law
from open12348.laws.search import MAX_QUERY_CHARS, SearchFilters
from open12348.laws.search.base import MAX_PAGE

TAG = _("法律法规")
NATIONAL = "national"


def choices_help(title, choices):
    placeholders = "、".join(f"{value} {{}}" for value, _label in choices)
    return format_lazy("{}" + placeholders, title, *(label for _value, label in choices))


# Plain strings in the schema: an enum named "level"/"status" would collide with other apps'.
LEVEL_HELP = choices_help(_("效力级别："), Law.Level.choices)
STATUS_HELP = choices_help(_("时效性："), Law.Status.choices)


class AnonymousSearchThrottle(SimpleRateThrottle):
    """Anonymous callers per client IP (behind the trusted proxies); signed-in callers and
    token holders are not limited here."""

    scope = "laws_search"
    rate = "30/min"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        ident = client_ip(request.META, settings.TRUSTED_PROXY_COUNT) or "unknown"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SearchQuerySerializer(StrictSerializer):
    q = serializers.CharField(
        max_length=MAX_QUERY_CHARS,
        trim_whitespace=True,
        help_text=_("关键词，多个词用空格分开；按相关度排序"),
        error_messages={
            "blank": _("请输入关键词。"),
            "required": _("请输入关键词。"),
            "max_length": _("关键词不能超过{max_length}个字。"),
        },
    )
    level = serializers.ChoiceField(choices=Law.Level.choices, required=False, help_text=LEVEL_HELP)
    status = serializers.ChoiceField(
        choices=[*Law.Status.choices, ("all", _("全部"))],
        required=False,
        help_text=format_lazy("{}{}", STATUS_HELP, _("、all 全部；不填为 valid 现行有效")),
    )
    region = serializers.CharField(
        max_length=32, required=False, help_text=_("地区：national 为全国性文件，或省、直辖市名称如“上海”；不填为全部")
    )
    date_from = serializers.DateField(required=False, help_text=_("施行（或公布）日期不早于，如 2021-01-01"))
    date_to = serializers.DateField(required=False, help_text=_("施行（或公布）日期不晚于"))
    page = serializers.IntegerField(
        min_value=1, max_value=MAX_PAGE, required=False, help_text=_("页码，从 1 开始，最多 100 页")
    )
    page_size = serializers.IntegerField(min_value=1, max_value=50, required=False, help_text=_("每页条数，默认 10"))

    def validate_q(self, value):
        if not value.strip():
            raise serializers.ValidationError(gettext("请输入关键词。"))
        return value

    def validate(self, data):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": [gettext("结束日期不能早于开始日期。")]})
        return data


class HitSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("文档键：article:<条文 id>、law:<法规 id>、content:<信息 id>"))
    kind = serializers.CharField(help_text=_("类型：article 条文、law 法规全文、case 典型案例"))
    title = serializers.CharField(help_text=_("标题（条文为“法规标题+条号”）"))
    url = serializers.CharField(help_text=_("页面地址"))
    snippet_html = serializers.CharField(help_text=_("摘要 HTML：命中词用 <mark> 标出，其余已转义"))
    score = serializers.FloatField(help_text=_("相关度，越大越相关"))
    level = serializers.CharField(help_text=LEVEL_HELP)
    status = serializers.CharField(help_text=STATUS_HELP)
    region = serializers.CharField(help_text=_("地区；全国性文件为空"))
    date = serializers.DateField(allow_null=True, help_text=_("施行日期（没有时为公布日期）"))


class SearchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("命中总数；超过可翻到的条数（100 页）时只计到其加一"))
    more = serializers.BooleanField(help_text=_("为 true 时命中数超过可翻到的条数，count 不是确切总数"))
    page = serializers.IntegerField(help_text=_("页码"))
    pages = serializers.IntegerField(help_text=_("总页数"))
    relaxed = serializers.BooleanField(help_text=_("为 true 时没有同时包含全部关键词的结果，返回包含部分关键词的结果"))
    tokens = serializers.ListField(child=serializers.CharField(), help_text=_("关键词分词结果"))
    results = HitSerializer(many=True, source="hits")


class ArticleSerializer(serializers.ModelSerializer):
    law = serializers.IntegerField(source="law_id", read_only=True, help_text=_("所属法规 id"))
    citation = serializers.CharField(read_only=True, help_text=_("引用形式：法规标题+条号"))
    url = serializers.CharField(source="get_absolute_url", read_only=True, help_text=_("永久页面地址"))

    class Meta:
        model = Article
        fields = ["id", "law", "position", "chapter", "number_text", "number", "slug", "text", "citation", "url"]
        read_only_fields = fields


class ArticleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["id", "position", "chapter", "number_text", "number", "slug", "text"]
        read_only_fields = fields


class LawSerializer(serializers.ModelSerializer):
    level = serializers.CharField(read_only=True, help_text=LEVEL_HELP)
    level_display = serializers.CharField(source="get_level_display", read_only=True, help_text=_("效力级别名称"))
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text=_("时效性名称"))
    url = serializers.CharField(source="get_absolute_url", read_only=True, help_text=_("页面地址"))
    articles = serializers.SerializerMethodField(help_text=_("条文，按顺序"))

    class Meta:
        model = Law
        fields = [
            "id",
            "source_id",
            "title",
            "subtitle",
            "short_title",
            "level",
            "level_display",
            "category",
            "issuing_body",
            "published_on",
            "effective_on",
            "status",
            "status_display",
            "region",
            "history",
            "body",
            "url",
            "articles",
        ]
        read_only_fields = fields

    @extend_schema_field(ArticleBriefSerializer(many=True))
    def get_articles(self, obj):
        return ArticleBriefSerializer(selectors.law_articles(obj), many=True).data


class LawsViewMixin(ApiViewMixin):
    permission_classes = PUBLIC
    throttle_classes = [AnonymousSearchThrottle]
    pagination_class = None


@extend_schema(
    tags=[TAG],
    summary=_("检索法律法规和案例"),
    description=_(
        "全文检索法律、行政法规、司法解释、地方性法规的条文，以及典型案例：中文分词后按相关度（BM25）排序，"
        "摘要中标出命中词。默认只检索现行有效的文件。公开接口，无需登录；匿名调用每个 IP 每分钟最多 30 次。"
    ),
    parameters=[SearchQuerySerializer],
    responses={200: SearchResultSerializer, **schema.PUBLIC_LIST_ERRORS, 429: schema.error(_("调用过于频繁"))},
)
class LawSearchView(LawsViewMixin, generics.GenericAPIView):
    query_serializer_class = SearchQuerySerializer
    serializer_class = SearchResultSerializer

    def get(self, request, *args, **kwargs):
        query = self.query
        status = query.get("status") or Law.Status.VALID
        region = query.get("region")
        filters = SearchFilters(
            level=[query["level"]] if query.get("level") else [],
            status=[] if status == "all" else [status],
            region=None if not region else ([""] if region == NATIONAL else [region]),
            date_from=query.get("date_from"),
            date_to=query.get("date_to"),
        )
        result = selectors.law_search(
            query=query["q"], filters=filters, page=query.get("page", 1), per_page=query.get("page_size", 10)
        )
        # Built by hand, in the shape SearchResultSerializer documents: serializer instances
        # (deep copies of their fields) cost more than the search itself on a selective query.
        return Response(
            {
                "count": result.total,
                "more": result.more,
                "page": result.page,
                "pages": result.pages,
                "relaxed": result.relaxed,
                "tokens": result.tokens,
                "results": [
                    {
                        "key": hit.key,
                        "kind": hit.kind,
                        "title": hit.title,
                        "url": hit.url,
                        "snippet_html": hit.snippet_html,
                        "score": hit.score,
                        "level": hit.level,
                        "status": hit.status,
                        "region": hit.region,
                        "date": hit.date.isoformat() if hit.date else None,
                    }
                    for hit in result.hits
                ],
            }
        )


@extend_schema(
    tags=[TAG],
    summary=_("法律法规详情"),
    description=_("一件法律法规（或案例）的信息、沿革、正文和全部条文。公开接口，无需登录。"),
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("法规 id"))],
    responses={200: LawSerializer, **schema.PUBLIC_DETAIL_ERRORS},
)
class LawDetailView(LawsViewMixin, generics.RetrieveAPIView):
    serializer_class = LawSerializer
    queryset = Law.objects.all()
    lookup_field = "pk"
    lookup_url_kwarg = "id"


@extend_schema(
    tags=[TAG],
    summary=_("条文详情"),
    description=_("一条条文及其所属法规、编章节和永久页面地址。公开接口，无需登录。"),
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("条文 id"))],
    responses={200: ArticleSerializer, **schema.PUBLIC_DETAIL_ERRORS},
)
class ArticleDetailView(LawsViewMixin, generics.RetrieveAPIView):
    serializer_class = ArticleSerializer
    queryset = Article.objects.select_related("law")

    def get_object(self):
        article = self.get_queryset().filter(pk=self.kwargs["id"]).first()
        if article is None:
            raise Http404
        return article


urlpatterns = [
    path("laws/search/", LawSearchView.as_view(), name="laws-search"),
    path("laws/articles/<int:id>/", ArticleDetailView.as_view(), name="laws-article-detail"),
    path("laws/<int:id>/", LawDetailView.as_view(), name="laws-detail"),
]
