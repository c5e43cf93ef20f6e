from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from open12348.audit import chain, context
from open12348.audit.models import ChainHead, Event
from open12348.core.prepared import PreparedQuery, PreparedUpdate, insert


@transaction.atomic(savepoint=False)
def record(
    *,
    actor=None,
    verb: str,
    target: models.Model | None = None,
    org=None,
    payload: dict[str, Any] | None = None,
    actor_label: str = "",
) -> Event:
    """Append one event to the tamper-evident trail, in the caller's transaction: if the
    business write rolls back, so does its event, and if the event cannot be written,
    the business write fails with it (fail-closed). No savepoint of its own: a failed event
    marks the caller's whole transaction for rollback, which is what fail-closed asks."""
    head = _locked_head()
    request = context.current.get()
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = Event(
        seq=head.last_seq + 1,
        at=timezone.now(),
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor else ""),
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        org=org,
        payload={**(payload or {}), "api_token": request.api_token} if request.api_token else payload or {},
        ip=request.ip,
        request_id=request.request_id,
        prev_hash=head.last_hash,
    )
    event.hash = chain.seal(settings.AUDIT_HMAC_KEY, event.prev_hash, event.sealed_content())
    insert(event)  # a new event only: Event.save() refuses updates
    _MOVE_HEAD.run(head.pk, event.seq, event.hash)
    return event


# Every audited write reads and moves the head: compiled once (core.prepared).
_HEAD = PreparedQuery(lambda pk: ChainHead.objects.select_for_update().filter(pk=pk), int)
_MOVE_HEAD = PreparedUpdate(
    lambda pk, seq, last_hash: (ChainHead.objects.filter(pk=pk), {"last_seq": seq, "last_hash": last_hash}),
    int,
    int,
    str,
)


def _locked_head() -> ChainHead:
    head = _HEAD.first(1)
    if head is None:
        head, _ = ChainHead.objects.get_or_create(pk=1, defaults={"last_hash": chain.GENESIS})
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head
