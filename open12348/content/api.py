"""Public, read-only API of publishing: the published items of the city portal or of a
district's sub-site, and one item. Mounted under /api/v1/ by open12348.api.urls."""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from open12348.api import schema
from open12348.api.serializers import StrictSerializer
from open12348.api.views import PUBLIC, ApiViewMixin
from open12348.catalog.selectors import legal_category_by_code
from open12348.content import selectors
from open12348.content.models import Article, ArticleAttachment

TAG = _("信息发布")


class ArticleCategorySerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text=_("法律类别代码"))
    name = serializers.CharField(read_only=True, help_text=_("法律类别名称"))


class ArticleAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("下载地址"))

    class Meta:
        model = ArticleAttachment
        fields = ["id", "original_name", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("content:attachment", args=[obj.article_id, obj.pk])


class ArticleListSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text=_("栏目名称"))
    area = serializers.CharField(source="area.code", read_only=True, help_text=_("发布区域的区划代码"))
    area_name = serializers.CharField(source="area.name", read_only=True, help_text=_("发布区域名称"))
    categories = ArticleCategorySerializer(many=True, read_only=True, help_text=_("法律类别"))

    class Meta:
        model = Article
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "summary",
            "area",
            "area_name",
            "categories",
            "published_at",
            "view_count",
        ]
        read_only_fields = fields


class ArticleDetailSerializer(ArticleListSerializer):
    body = serializers.CharField(read_only=True, help_text=_("正文（已清除不安全内容的 HTML 片段）"))
    source = serializers.CharField(read_only=True, help_text=_("来源"))
    interprets = serializers.PrimaryKeyRelatedField(read_only=True, help_text=_("政策解读所解读的政策文件 id"))
    interpretations = serializers.SerializerMethodField(help_text=_("政策文件的解读 id 列表"))
    attachments = ArticleAttachmentSerializer(many=True, read_only=True, help_text=_("附件"))

    class Meta(ArticleListSerializer.Meta):
        fields = [*ArticleListSerializer.Meta.fields, "body", "source", "interprets", "interpretations", "attachments"]
        read_only_fields = fields

    def get_interpretations(self, obj) -> list[int]:
        return [item.pk for item in selectors.interpretations_of(obj)] if obj.kind == Article.Kind.POLICY else []


class ArticleQuerySerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=Article.Kind.choices, required=False, help_text=_("栏目"))
    category = serializers.SlugField(max_length=40, required=False, help_text=_("法律类别代码（含其下级类别）"))
    area = serializers.CharField(
        max_length=12, required=False, help_text=_("区县代码：该区县子站显示的信息（本区县及市级）；不填为市级门户")
    )
    q = serializers.CharField(max_length=50, required=False, help_text=_("标题关键词"))

    def validate_category(self, value):
        category = legal_category_by_code(value)
        if category is None:
            raise serializers.ValidationError(gettext("未找到该法律类别代码。"))
        return category

    def validate_area(self, value):
        district = selectors.district_by_code(value)
        if district is None:
            raise serializers.ValidationError(gettext("未找到该区县代码（只接受有子站的区县）。"))
        return district


class ContentViewMixin(ApiViewMixin):
    permission_classes = PUBLIC
    queryset = Article.objects.none()


@extend_schema(
    tags=[TAG],
    summary=_("已发布信息列表"),
    description=_(
        "市级门户或区县子站已发布的信息，按发布时间倒序，可按栏目、法律类别、标题关键词筛选。公开接口，无需登录。"
    ),
    parameters=[ArticleQuerySerializer],
    responses={200: ArticleListSerializer(many=True), **schema.PUBLIC_LIST_ERRORS},
)
class ArticleListView(ContentViewMixin, generics.ListAPIView):
    serializer_class = ArticleListSerializer
    query_serializer_class = ArticleQuerySerializer

    def get_queryset(self):
        if self.is_schema_generation():
            return Article.objects.none()
        query = self.query
        return selectors.article_public_list(
            site=query.get("area"), kind=query.get("kind", ""), category=query.get("category"), q=query.get("q", "")
        )


@extend_schema(
    tags=[TAG],
    summary=_("已发布信息详情"),
    description=_("一条已发布信息的正文、附件和政策解读关系；未发布或已撤回的信息返回 404。公开接口，无需登录。"),
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("信息 id"))],
    responses={200: ArticleDetailSerializer, **schema.PUBLIC_DETAIL_ERRORS},
)
class ArticleDetailView(ContentViewMixin, generics.RetrieveAPIView):
    serializer_class = ArticleDetailSerializer

    def get_object(self):
        article = selectors.article_public_get(self.kwargs["id"])
        if article is None:
            raise Http404
        self.check_object_permissions(self.request, article)
        return article


urlpatterns = [
    path("content/articles/", ArticleListView.as_view(), name="content-article-list"),
    path("content/articles/<int:id>/", ArticleDetailView.as_view(), name="content-article-detail"),
]
