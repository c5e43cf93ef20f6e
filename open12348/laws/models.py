"""Statute library (issue 6, E2): laws, regulations, judicial interpretations, local
regulations and court-published cases, imported from the LawRefBook data set
(`manage.py importlaws`), and the search documents every backend indexes.

A Law is identified by its source id (the data's doc_id, stable across re-imports); its
articles are replaced as a whole when the law's content hash changes. Article URLs use the
law's source id and the article number (`/laws/<source_id>/<104 | 17-1>/`), so a permanent link
survives re-import."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from open12348.core.models import TimeStampedModel


class Law(TimeStampedModel):
    class Level(models.TextChoices):
        CONSTITUTION = "constitution", _("宪法")
        LAW = "law", _("法律")
        ADMINISTRATIVE_REGULATION = "administrative_regulation", _("行政法规")
        JUDICIAL_INTERPRETATION = "judicial_interpretation", _("司法解释")
        DEPARTMENTAL_RULE = "departmental_rule", _("部门规章")
        LOCAL_REGULATION = "local_regulation", _("地方性法规")
        CASE = "case", _("案例")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        VALID = "valid", _("现行有效")
        AMENDED = "amended", _("已被修改")
        REPEALED = "repealed", _("已废止")

    source_id = models.CharField(_("来源编号"), max_length=64, unique=True)
    title = models.CharField(_("标题"), max_length=300)
    subtitle = models.CharField(_("副标题"), max_length=200, blank=True)
    short_title = models.CharField(_("简称"), max_length=200, blank=True, help_text=_("如：民法典、劳动合同法"))
    level = models.CharField(_("效力级别"), max_length=32, choices=Level.choices)
    category = models.CharField(_("分类"), max_length=200, blank=True)
    issuing_body = models.CharField(_("制定机关"), max_length=200, blank=True)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    effective_on = models.DateField(_("施行日期"), null=True, blank=True)
    status = models.CharField(_("时效性"), max_length=16, choices=Status.choices, default=Status.VALID)
    region = models.CharField(
        _("地区"), max_length=32, blank=True, help_text=_("地方性法规所属的省或直辖市，如：上海；全国性文件为空")
    )
    history = models.TextField(_("制定与修改沿革"), blank=True)
    body = models.TextField(_("正文"), blank=True, help_text=_("没有条文的文件（如案例、决定）的全文"))
    source_path = models.CharField(_("来源路径"), max_length=500, blank=True)
    article_count = models.PositiveIntegerField(_("条文数"), default=0)
    content_hash = models.CharField(_("内容摘要值"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("法律法规")
        verbose_name_plural = _("法律法规")
        ordering = ["title", "-published_on"]
        indexes = [
            models.Index(fields=["title"], name="law_title"),
            models.Index(fields=["level", "status"], name="law_level_status"),
            models.Index(fields=["region"], name="law_region"),
        ]

    def __str__(self):
        return f"{self.title}（{self.subtitle}）" if self.subtitle else self.title

    def get_absolute_url(self):
        return reverse("laws:law", args=[self.source_id])

    @property
    def display_title(self) -> str:
        return str(self)


class Article(models.Model):
    law = models.ForeignKey(Law, verbose_name=_("法律法规"), on_delete=models.CASCADE, related_name="articles")
    position = models.PositiveIntegerField(_("序号"), help_text=_("在本法中的顺序，从 0 开始"))
    chapter = models.CharField(_("所在编章节"), max_length=300, blank=True)
    number_text = models.CharField(_("条号"), max_length=32)
    number = models.PositiveIntegerField(_("条号数字"))
    slug = models.CharField(_("链接标识"), max_length=32, help_text=_("如 104、17-1"))
    text = models.TextField(_("条文"))

    class Meta:
        verbose_name = _("条文")
        verbose_name_plural = _("条文")
        ordering = ["law", "position"]
        constraints = [
            models.UniqueConstraint(fields=["law", "position"], name="law_article_position"),
            models.UniqueConstraint(fields=["law", "slug"], name="law_article_slug"),
        ]

    def __str__(self):
        return self.citation

    def get_absolute_url(self):
        return reverse("laws:article", args=[self.law.source_id, self.slug])

    @property
    def citation(self) -> str:
        return f"{self.law.title}{self.number_text}"


class SearchDocument(models.Model):
    """One searchable unit: a statute article, a law without articles (case, decision), or a
    published content item of kind "case". Raw text for display and snippets, segmented text
    (jieba tokens joined by spaces) for the engine. The engine's own index (an FTS5 table on
    SQLite, a tsvector column with a GIN index on PostgreSQL) is created by migration 0002
    and kept in step by the search backend; nothing outside `laws.search` reads it."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("条文")
        LAW = "law", _("法规全文")
        CASE = "case", _("典型案例")

    # Small columns first: SQLite reads a row's columns in order, and the filters run on every
    # match of a frequent word before the long text columns are reached.
    key = models.CharField(_("键"), max_length=64, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    level = models.CharField(_("效力级别"), max_length=32, blank=True)
    status = models.CharField(_("时效性"), max_length=16, blank=True)
    region = models.CharField(_("地区"), max_length=32, blank=True)
    date = models.DateField(_("日期"), null=True, blank=True)
    law = models.ForeignKey(Law, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(_("链接"), max_length=400)
    title = models.CharField(_("标题"), max_length=400)
    title_seg = models.TextField(_("标题分词"), blank=True)
    text_seg = models.TextField(_("正文分词"), blank=True)
    text = models.TextField(_("正文"), blank=True)

    class Meta:
        verbose_name = _("检索文档")
        verbose_name_plural = _("检索文档")
        # No index on the filter columns: searches reach rows through the engine's index by id.

    def __str__(self):
        return self.title
