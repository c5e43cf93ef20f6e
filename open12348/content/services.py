"""Every write to publishing (issue 5, E1). An item is written by an editor (content.edit_article)
for the city or district node of their own area, submitted for review, and published, returned
or withdrawn by a reviewer (content.review_article) of an area that holds it. Four eyes: nobody
publishes their own draft. Every change is an audit event in the same transaction."""

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from open12348.audit import services as audit
from open12348.catalog.models import LegalCategory
from open12348.content import sanitize
from open12348.content.models import Article, ArticleAttachment
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import area_of

PERM_EDIT = "content.edit_article"
PERM_REVIEW = "content.review_article"
TITLE_MAX = 200
SUMMARY_MAX = 500
SOURCE_MAX = 100
BODY_MAX = 100_000
REASON_MAX = 500
MAX_ATTACHMENTS = 10
# Nodes that have a public site: the city portal and the districts' sub-sites.
PUBLISHING_LEVELS = (OrgNode.Level.CITY, OrgNode.Level.DISTRICT)
S = Article.Status
# action → (statuses it starts from, status it leads to, permission, reason required)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str, bool]] = {
    "submit": (frozenset({S.DRAFT}), S.REVIEW, PERM_EDIT, False),
    "publish": (frozenset({S.REVIEW}), S.PUBLISHED, PERM_REVIEW, False),
    "return": (frozenset({S.REVIEW}), S.DRAFT, PERM_REVIEW, True),
    "withdraw": (frozenset({S.PUBLISHED}), S.WITHDRAWN, PERM_REVIEW, True),
    "revise": (frozenset({S.WITHDRAWN}), S.DRAFT, PERM_EDIT, False),
}
ACTION_LABELS = {
    "submit": gettext_lazy("提交审核"),
    "publish": gettext_lazy("审核发布"),
    "return": gettext_lazy("退回修改"),
    "withdraw": gettext_lazy("撤回"),
    "revise": gettext_lazy("重新编辑"),
}
EDITABLE = frozenset({S.DRAFT})


class ArticleConflict(Exception):
    """The item is not in a status that allows the action (someone else acted first)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- permission and scope --------------------------------------------------------------------


def _has(actor, permission: str) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.has_perm(permission))


def _require(actor, permission: str) -> None:
    if not _has(actor, permission):
        raise PermissionDenied(gettext("您没有执行此操作的权限。"))


def in_scope(actor, article: Article) -> bool:
    own = area_of(actor)
    return own is not None and article.area.is_within(own)


def _require_scope(actor, article: Article) -> None:
    if not in_scope(actor, article):
        raise PermissionDenied(gettext("该信息不属于您的发布区域。"))


def publishing_areas(actor):
    """The nodes `actor` may publish for: the city and district nodes of their own subtree."""
    own = area_of(actor)
    if own is None:
        return OrgNode.objects.none()
    return OrgNode.objects.filter(path__startswith=own.path, level__in=PUBLISHING_LEVELS).order_by("path")


# --- validation --------------------------------------------------------------------------------


def validate_fields(
    *,
    actor,
    kind: str,
    title: str,
    body: str,
    area,
    summary: str = "",
    categories=(),
    interprets=None,
    source: str = "",
    article: Article | None = None,
) -> dict[str, Any]:
    """The cleaned fields (body sanitised), or ValidationError keyed by these argument names
    with Chinese messages. Reads only."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if kind not in Article.Kind.values:
        fail("kind", gettext("请选择栏目。"))
    clean["kind"] = kind
    text = " ".join((title or "").split())
    if not text:
        fail("title", gettext("请填写标题。"))
    elif len(text) > TITLE_MAX:
        fail(
            "title",
            gettext("标题不能超过{title_max}个字（当前{count}字）。").format(title_max=TITLE_MAX, count=len(text)),
        )
    clean["title"] = text
    summary_text = " ".join((summary or "").split())
    if len(summary_text) > SUMMARY_MAX:
        fail(
            "summary",
            gettext("摘要不能超过{summary_max}个字（当前{count}字）。").format(
                summary_max=SUMMARY_MAX, count=len(summary_text)
            ),
        )
    clean["summary"] = summary_text
    source_text = (source or "").strip()
    if len(source_text) > SOURCE_MAX:
        fail("source", gettext("来源不能超过{source_max}个字。").format(source_max=SOURCE_MAX))
    clean["source"] = source_text
    raw = body or ""
    if len(raw) > BODY_MAX:
        fail(
            "body",
            gettext("正文不能超过{body_max}个字符（当前{count}个）。").format(body_max=BODY_MAX, count=len(raw)),
        )
    else:
        clean["body"] = sanitize.clean_html(raw)
        if not sanitize.visible_text(clean["body"]):
            fail("body", gettext("请填写正文（不安全的代码会被清除，清除后正文为空）。"))
    if not isinstance(area, OrgNode):
        fail("area", gettext("请选择发布区域。"))
    elif area.level not in PUBLISHING_LEVELS:
        fail("area", gettext("发布区域须为市或区县（对应市级门户或区县子站）。"))
    else:
        own = area_of(actor)
        if own is None or not area.is_within(own):
            fail("area", gettext("只能为本单位所辖区域发布信息。"))
    clean["area"] = area
    chosen = list(categories or [])
    if any(not isinstance(category, LegalCategory) for category in chosen):
        fail("categories", gettext("请选择有效的法律类别。"))
    clean["categories"] = chosen
    if kind == Article.Kind.INTERPRETATION:
        if not isinstance(interprets, Article):
            fail("interprets", gettext("政策解读须选择所解读的政策文件。"))
        elif interprets.kind != Article.Kind.POLICY or interprets.status != S.PUBLISHED:
            fail("interprets", gettext("只能解读已发布的政策文件。"))
        elif article is not None and interprets.pk == article.pk:
            fail("interprets", gettext("不能解读信息本身。"))
    elif interprets is not None:
        fail("interprets", gettext("只有“政策解读”栏目的信息可以关联政策文件。"))
    clean["interprets"] = interprets if kind == Article.Kind.INTERPRETATION else None
    if errors:
        raise ValidationError(errors)
    return clean


def _snapshot(article: Article) -> dict[str, Any]:
    return {
        "kind": article.kind,
        "title": article.title,
        "area": article.area.code,
        "body_sha256": hashlib.sha256(article.body.encode("utf-8")).hexdigest(),
    }


# --- create and update -------------------------------------------------------------------------


@transaction.atomic
def article_create(
    *,
    actor,
    kind: str,
    title: str,
    body: str,
    area,
    summary: str = "",
    categories=(),
    interprets=None,
    source: str = "",
) -> Article:
    """A draft by `actor` for `area` (a city or district node within the actor's area)."""
    _require(actor, PERM_EDIT)
    clean = validate_fields(
        actor=actor,
        kind=kind,
        title=title,
        body=body,
        area=area,
        summary=summary,
        categories=categories,
        interprets=interprets,
        source=source,
    )
    categories = clean.pop("categories")
    article = Article.objects.create(author=actor, status=S.DRAFT, **clean)
    article.categories.set(categories)
    audit.record(
        actor=actor,
        verb="article.created",
        target=article,
        org=article.area,
        payload={**_snapshot(article), "categories": sorted(c.code for c in categories)},
    )
    return article


@transaction.atomic
def article_update(
    *,
    actor,
    article: Article,
    kind: str,
    title: str,
    body: str,
    area,
    summary: str = "",
    categories=(),
    interprets=None,
    source: str = "",
) -> Article:
    """Change a draft (a returned or new item). Published items are withdrawn and revised first."""
    _require(actor, PERM_EDIT)
    locked = Article.objects.select_for_update().select_related("area").get(pk=article.pk)
    _require_scope(actor, locked)
    if locked.status not in EDITABLE:
        raise ArticleConflict(
            gettext("信息当前状态为「{status}」，只有草稿可以修改。").format(status=locked.get_status_display())
        )
    clean = validate_fields(
        actor=actor,
        kind=kind,
        title=title,
        body=body,
        area=area,
        summary=summary,
        categories=categories,
        interprets=interprets,
        source=source,
        article=locked,
    )
    categories = clean.pop("categories")
    changed = [name for name, value in clean.items() if getattr(locked, name) != value]
    old_categories = set(locked.categories.values_list("pk", flat=True))
    if old_categories != {c.pk for c in categories}:
        changed.append("categories")
    if not changed:
        return locked
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.save()
    locked.categories.set(categories)
    audit.record(
        actor=actor,
        verb="article.updated",
        target=locked,
        org=locked.area,
        payload={**_snapshot(locked), "changed": changed},
    )
    return locked


# --- the guarded transition ----------------------------------------------------------------------


def can_act(*, actor, article: Article, action: str) -> bool:
    """Whether `actor` may perform `action` on `article` now (status, permission, scope, four eyes)."""
    if action not in TRANSITIONS:
        return False
    sources, _target, permission, _reason = TRANSITIONS[action]
    if article.status not in sources or not _has(actor, permission) or not in_scope(actor, article):
        return False
    return not (action == "publish" and article.author_id == actor.pk)


def allowed_actions(*, actor, article: Article) -> list[str]:
    return [action for action in TRANSITIONS if can_act(actor=actor, article=article, action=action)]


@transaction.atomic
def article_transition(*, actor, article: Article, action: str, reason: str = "") -> Article:
    if action not in TRANSITIONS:
        raise ValidationError({"action": gettext("未知的操作。")})
    sources, target, permission, reason_required = TRANSITIONS[action]
    _require(actor, permission)
    locked = Article.objects.select_for_update().select_related("area").get(pk=article.pk)
    _require_scope(actor, locked)
    if locked.status not in sources:
        raise ArticleConflict(
            gettext("信息当前状态为「{status}」，不能执行「{action}」操作。").format(
                status=locked.get_status_display(), action=ACTION_LABELS[action]
            )
        )
    if action == "publish" and locked.author_id == actor.pk:
        raise PermissionDenied(gettext("不能审核发布自己撰写的信息：须由另一位审核人发布（双人审核）。"))
    reason = " ".join((reason or "").split())
    if reason_required and not reason:
        raise ValidationError({"reason": gettext("请填写{action}的原因。").format(action=ACTION_LABELS[action])})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": gettext("原因不能超过{reason_max}个字。").format(reason_max=REASON_MAX)})
    if action == "publish" and locked.kind == Article.Kind.INTERPRETATION:
        policy = locked.interprets
        if policy is None or policy.status != S.PUBLISHED:
            raise ArticleConflict(gettext("所解读的政策文件未发布或已撤回，不能发布该解读。"))
    now = timezone.now()
    previous = locked.status
    locked.status = target
    fields = ["status", "status_reason", "updated_at"]
    locked.status_reason = reason if reason_required else ""
    if action == "publish":
        locked.reviewer, locked.published_at = actor, now
        fields += ["reviewer", "published_at"]
    elif action == "return":
        locked.reviewer = actor
        fields.append("reviewer")
    elif action == "withdraw":
        locked.withdrawn_at = now
        fields.append("withdrawn_at")
    locked.save(update_fields=fields)
    audit.record(
        actor=actor,
        verb=f"article.{_VERBS[action]}",
        target=locked,
        org=locked.area,
        payload={"from": previous, "to": target, "reason": reason, "title": locked.title},
    )
    return locked


_VERBS = {
    "submit": "submitted",
    "publish": "published",
    "return": "returned",
    "withdraw": "withdrawn",
    "revise": "revised",
}


def article_submit(*, actor, article: Article) -> Article:
    return article_transition(actor=actor, article=article, action="submit")


def article_publish(*, actor, article: Article) -> Article:
    return article_transition(actor=actor, article=article, action="publish")


def article_return(*, actor, article: Article, reason: str) -> Article:
    return article_transition(actor=actor, article=article, action="return", reason=reason)


def article_withdraw(*, actor, article: Article, reason: str) -> Article:
    return article_transition(actor=actor, article=article, action="withdraw", reason=reason)


def article_revise(*, actor, article: Article) -> Article:
    return article_transition(actor=actor, article=article, action="revise")


def article_record_view(*, article_id: int) -> bool:
    """One more reader of a published item: a conditional UPDATE, no read-modify-write race."""
    return bool(Article.objects.filter(pk=article_id, status=S.PUBLISHED).update(view_count=F("view_count") + 1))


# --- attachments -------------------------------------------------------------------------------


def _scan(data: bytes, checked, *, actor, article: Article) -> None:
    """Nothing is stored before the scanner's verdict; a finding is audited."""
    from open12348.core import scanning
    from open12348.workorders import uploads

    def audit_finding(payload: dict) -> None:
        audit.record(
            actor=actor,
            verb="article.attachment_infected",
            target=article,
            org=article.area,
            payload={**payload, "name": checked.original_name},
        )

    message = scanning.refusal(data, record_finding=audit_finding)
    if message:
        raise uploads.UploadRejected(message)


def _check_may_attach(actor, article: Article) -> None:
    _require(actor, PERM_EDIT)
    _require_scope(actor, article)
    if article.status not in EDITABLE:
        raise ArticleConflict(gettext("只有草稿可以增删附件。"))


def attachment_add(*, actor, article: Article, upload) -> ArticleAttachment:
    """Check `upload` with workorders.uploads (type by content, size, images re-encoded) and the
    malware scanner, store it under a random name, then write the row and its audit event. The
    file is deleted again if the transaction fails. Refusals: ValidationError({"file": …})."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from open12348.workorders import uploads

    _check_may_attach(actor, article)
    name = getattr(upload, "name", "") or ""
    try:
        uploads.check_size(getattr(upload, "size", None))
        upload.seek(0)
        data = upload.read(uploads.MAX_FILE_BYTES + 1)
        checked = uploads.inspect(data, name)
        _scan(data, checked, actor=actor, article=article)
    except uploads.UploadRejected as error:
        raise ValidationError({"file": f"{uploads.clean_name(name)}：{error.message}"}) from None
    stored = default_storage.save(uploads.storage_name(checked.kind, prefix="content"), ContentFile(checked.data))
    try:
        with transaction.atomic():
            locked = Article.objects.select_for_update().select_related("area").get(pk=article.pk)
            _check_may_attach(actor, locked)
            if ArticleAttachment.objects.filter(article=locked).count() >= MAX_ATTACHMENTS:
                raise ValidationError(
                    {"file": gettext("每条信息最多{max_attachments}个附件。").format(max_attachments=MAX_ATTACHMENTS)}
                )
            attachment = ArticleAttachment.objects.create(
                article=locked,
                original_name=checked.original_name,
                stored_name=stored,
                content_type=checked.content_type,
                size=len(checked.data),
            )
            audit.record(
                actor=actor,
                verb="article.attachment_added",
                target=locked,
                org=locked.area,
                payload={
                    "attachment": attachment.pk,
                    "name": attachment.original_name,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "sha256": hashlib.sha256(checked.data).hexdigest(),
                },
            )
    except BaseException:
        default_storage.delete(stored)
        raise
    return attachment


def attachment_remove(*, actor, attachment: ArticleAttachment) -> None:
    from django.core.files.storage import default_storage

    with transaction.atomic():
        locked = Article.objects.select_for_update().select_related("area").get(pk=attachment.article_id)
        _check_may_attach(actor, locked)
        stored = attachment.stored_name
        audit.record(
            actor=actor,
            verb="article.attachment_removed",
            target=locked,
            org=locked.area,
            payload={"attachment": attachment.pk, "name": attachment.original_name},
        )
        attachment.delete()
        transaction.on_commit(lambda: default_storage.delete(stored))
