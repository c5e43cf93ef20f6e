from django.conf import settings

from open12348.audit import chain
from open12348.audit.models import ChainHead, Event


def event_list(*, verb: str = "", actor_label: str = ""):
    events = Event.objects.select_related("actor", "org")
    if verb:
        events = events.filter(verb=verb)
    if actor_label:
        events = events.filter(actor_label=actor_label)
    return events


def chain_first_break() -> tuple[int, str] | None:
    """The first event (by sequence) that breaks the audit chain, or None."""
    rows = Event.objects.order_by("seq").iterator(chunk_size=2000)
    events = ((e.seq, e.prev_hash, e.hash, e.sealed_content()) for e in rows)
    head = ChainHead.objects.filter(pk=1).first()
    return chain.first_break(
        settings.AUDIT_HMAC_KEY, events, head.last_seq if head else None, head.last_hash if head else None
    )
