"""Reads of the citizen account (/me/, issue 5 item 5, E5): my requests, my consultations, my
ratings. Everything here is scoped to the signed-in user and nothing else: a request is mine
when its applicant record is linked to my account (applicant.user), a consultation when I
asked it. Staff scoping does not apply — a staff member's own account page is the console."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from open12348.workorders import selectors as workorder_selectors
from open12348.workorders.models import ReturnVisit, Satisfaction, WorkOrder

LIST_LIMIT = 50


def is_citizen_account(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and not getattr(user, "is_staff_member", False)


def my_requests(user) -> QuerySet[WorkOrder]:
    """Work orders whose applicant is my account, newest first. An online question is a work
    order too; it is listed under "my consultations", not here."""
    if not getattr(user, "is_authenticated", False):
        return WorkOrder.objects.none()
    return (
        WorkOrder.objects.filter(applicant__user=user, consultation__isnull=True)
        .select_related("service_item", "legal_category", "area", "handling_org")
        .order_by("-received_at", "-id")
    )


def my_request_by_code(user, code: str) -> WorkOrder | None:
    """One of my requests by its tracking code (None for anyone else's)."""
    code = (code or "").strip().upper()
    if not code or not getattr(user, "is_authenticated", False):
        return None
    return WorkOrder.objects.select_related("applicant").filter(applicant__user=user, tracking_code=code).first()


def due_of(order: WorkOrder, now: datetime.datetime) -> dict:
    from open12348.workorders.views import DUE_LABELS

    state = workorder_selectors.due_state(order, now) or ""
    return {"state": state or "none", "label": DUE_LABELS.get(state, state)}


def my_requests_rows(user, *, limit: int = LIST_LIMIT) -> list[WorkOrder]:
    now = timezone.now()
    rows = list(my_requests(user)[:limit])
    for order in rows:
        order.due = due_of(order, now)
    return rows


def my_consultations(user):
    """My questions, newest first: consultations.selectors.my_consultations when it is there
    (it is written at the same time as this page), else the same rule here."""
    if not getattr(user, "is_authenticated", False):
        return []
    try:
        from open12348.consultations.selectors import my_consultations as selector
    except ImportError:
        selector = None
    if selector is not None:
        return selector(user).select_related("legal_category")
    from open12348.consultations.models import Consultation

    return (
        Consultation.objects.filter(asker=user)
        .select_related("legal_category", "work_order")
        .order_by("-created_at", "-id")
    )


def consultation_url(consultation) -> str | None:
    try:
        return reverse("consultations:detail", args=[consultation.pk])
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class Rating:
    """A rating I gave: a return visit (or my own rating) of a request, or the stars of a consultation."""

    kind: str  # "request" | "consultation"
    subject: str  # the tracking code or the question's title
    label: str  # what I said, in words
    stars: int  # 1–5
    at: datetime.datetime
    comment: str = ""
    url: str | None = None


def my_ratings(user, *, limit: int = LIST_LIMIT) -> list[Rating]:
    """Ratings of my requests (every return visit of my orders: my own rating on the tracking
    page or what I told the staff who called back) and of my consultations, newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    labels = dict(Satisfaction.choices)
    ratings = [
        Rating(
            kind="request",
            subject=visit.work_order.tracking_code,
            label=str(labels.get(visit.satisfaction, visit.satisfaction)),
            stars=visit.satisfaction,
            at=visit.at,
            comment=visit.comment,
        )
        for visit in ReturnVisit.objects.filter(work_order__applicant__user=user)
        .select_related("work_order")
        .order_by("-at", "-id")[:limit]
    ]
    from open12348.consultations.models import Consultation

    for consultation in Consultation.objects.filter(asker=user, rating__isnull=False).order_by("-updated_at")[:limit]:
        ratings.append(
            Rating(
                kind="consultation",
                subject=consultation.title,
                label=str(labels.get(consultation.rating, consultation.rating)),
                stars=consultation.rating,
                at=consultation.adopted_at or consultation.updated_at,
                url=consultation_url(consultation),
            )
        )
    ratings.sort(key=lambda rating: rating.at, reverse=True)
    return ratings[:limit]
