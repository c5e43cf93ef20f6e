"""Helpers of the publishing tests: editors and reviewers through the real account service,
items through the real services (sanitised, audited)."""

from open12348.accounts.tests.factories import make_staff
from open12348.content import services
from open12348.content.models import Article

BODY = "<p>正文第一段。</p>"


def editor(username: str, org):
    return make_staff(username, org, "content_editor")


def reviewer(username: str, org):
    return make_staff(username, org, "bureau_admin")


def draft(author, area, *, title="测试信息", kind=Article.Kind.NEWS, body=BODY, **fields) -> Article:
    return services.article_create(actor=author, kind=kind, title=title, body=body, area=area, **fields)


def published(author, publisher, area, **fields) -> Article:
    article = draft(author, area, **fields)
    services.article_submit(actor=author, article=article)
    return services.article_publish(actor=publisher, article=article)
