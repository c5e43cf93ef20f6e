"""Published content cases (open12348.content, kind "case") are searchable with the statutes:
indexed when saved as published, removed when saved in any other state (withdrawn, back to
draft) or deleted. Runs in the saving transaction, so a rolled-back publish leaves no trace."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from open12348.content.models import Article as ContentItem


@receiver(post_save, sender=ContentItem, dispatch_uid="laws.index_content_case")
def index_content_case(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata
        return
    from open12348.laws import documents
    from open12348.laws.search import get_backend

    backend = get_backend()
    if instance.kind == ContentItem.Kind.CASE and instance.status == ContentItem.Status.PUBLISHED:
        backend.index([documents.content_doc(instance)])
    else:
        backend.remove([documents.content_key(instance.pk)])


@receiver(post_delete, sender=ContentItem, dispatch_uid="laws.unindex_content_case")
def unindex_content_case(sender, instance, **kwargs):
    from open12348.laws import documents
    from open12348.laws.search import get_backend

    get_backend().remove([documents.content_key(instance.pk)])
