"""Housekeeping of the hall. QueueEvents are the displays' stream (a display that
reconnects asks for what came after its last id, within minutes); after 2 days they serve
no one and are deleted in batches. Runs as a Tasks API task (`make worker`) or from
`manage.py prunequeueevents` where no worker runs."""

import datetime

from django.tasks import task
from django.utils import timezone

from open12348.queuing.models import QueueEvent

KEEP = datetime.timedelta(days=2)
BATCH = 5000


def prune_queue_events(now: datetime.datetime | None = None) -> int:
    """Delete events older than 2 days; returns how many. Batches keep each DELETE short, so
    displays writing and reading the table are not held up."""
    cutoff = (now or timezone.now()) - KEEP
    deleted = 0
    while True:
        ids = list(QueueEvent.objects.filter(at__lt=cutoff).order_by("id").values_list("id", flat=True)[:BATCH])
        if not ids:
            return deleted
        deleted += QueueEvent.objects.filter(id__in=ids).delete()[0]


@task
def prune_queue_events_task() -> int:
    return prune_queue_events()
