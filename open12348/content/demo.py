"""Demo items of publishing (open12348/core/demo/content.json), created through the services:
written by one demo account, submitted, and published by another (four eyes), so the audit
trail is what a real bureau's would be. Idempotent: an item whose title already exists in its
area is left as it is, and accounts that exist are kept."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError

from open12348.accounts.models import User
from open12348.catalog.models import LegalCategory
from open12348.content import services
from open12348.content.models import Article
from open12348.orgs.models import OrgNode

DATA_FILE = Path(__file__).resolve().parents[1] / "core" / "demo" / "content.json"


def _load() -> dict:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def seed_content(*, password: str, summary=None) -> int:
    """Create the demo accounts of publishing and the demo items; returns the items created."""
    from open12348.core.demo import loader

    data = _load()
    loader._validate_password(password, [spec["username"] for spec in data["accounts"]])
    orgs = {node.code: node for node in OrgNode.objects.filter(code__in=[s["org"] for s in data["accounts"]])}
    summary = summary if summary is not None else loader.Summary()
    for spec in data["accounts"]:
        loader._staff_account(spec, password, orgs, summary)
    created = 0
    keys: dict[str, Article] = {}
    for spec in data["articles"]:
        article, made = _article(spec, keys)
        keys[spec["key"]] = article
        created += made
    return created


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationError(f"content.json: account {username} does not exist")
    return user


def _article(spec: dict, keys: dict[str, Article]) -> tuple[Article, bool]:
    area = OrgNode.objects.get(code=spec["area"])
    existing = Article.objects.filter(area=area, title=spec["title"]).first()
    if existing is not None:
        return existing, False
    codes = spec.get("categories", [])
    categories = list(LegalCategory.objects.filter(code__in=codes))
    if len(categories) != len(set(codes)):
        raise ValidationError(f"content.json: unknown legal category in {codes}")
    author, reviewer = _user(spec["author"]), _user(spec["reviewer"])
    article = services.article_create(
        actor=author,
        kind=spec["kind"],
        title=spec["title"],
        body=spec["body"],
        area=area,
        summary=spec.get("summary", ""),
        categories=categories,
        interprets=keys.get(spec.get("interprets", "")),
        source=spec.get("source", ""),
    )
    services.article_submit(actor=author, article=article)
    return services.article_publish(actor=reviewer, article=article), True
