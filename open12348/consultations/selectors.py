"""Reads of online consultation, and the one place that decides who may see, answer, adopt
and moderate a question:

- a public question (not closed) is visible to everyone; a private or closed one to its asker,
  to those who may answer it and to the moderators of its area;
- volunteers answer questions of their area's subtree (Volunteer.area); staff answer with the
  permission `consultations.answer_consultation` in their own area (StaffProfile.org);
- moderators (`consultations.moderate_consultation`) act on questions in their own area."""

import datetime

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext

from open12348.catalog.models import LegalCategory
from open12348.consultations import promise
from open12348.consultations.models import (
    Answer,
    Consultation,
    Dispatch,
    Entrustment,
    Message,
    PointEntry,
    Shift,
    Volunteer,
)
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import area_of

PERM_ANSWER = "consultations.answer_consultation"
PERM_MODERATE = "consultations.moderate_consultation"
LAWYER_ROLE = "lawyer"
OPEN = (Consultation.Status.WAITING, Consultation.Status.ANSWERED)


# --- settings of the promise -----------------------------------------------------------------


def promise_options() -> dict:
    """Keyword arguments of `promise.answer_due` from the settings."""
    return {
        "hours": settings.CONSULT_ANSWER_HOURS,
        "service_hours": promise.parse_service_hours(settings.CONSULT_SERVICE_HOURS),
    }


def answer_due_for(received_at: datetime.datetime) -> datetime.datetime:
    return promise.answer_due(received_at, **promise_options())


# --- who is who ------------------------------------------------------------------------------


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def volunteer_of(user) -> Volunteer | None:
    """The active volunteer record of `user` (read afresh: points change), or None."""
    if not _signed_in(user):
        return None
    return Volunteer.objects.filter(user=user, is_active=True).select_related("area", "unit", "practitioner").first()


def answer_areas(user) -> list[OrgNode]:
    """The org nodes whose subtrees `user` may answer questions of."""
    if not _signed_in(user):
        return []
    areas = []
    volunteer = volunteer_of(user)
    if volunteer is not None:
        areas.append(volunteer.area)
    if user.has_perm(PERM_ANSWER):
        own = area_of(user)
        if own is not None:
            areas.append(own)
    return areas


def moderation_area(user) -> OrgNode | None:
    """The area `user` moderates, or None."""
    if not _signed_in(user) or not user.has_perm(PERM_MODERATE):
        return None
    return area_of(user)


def _area_q(areas: list[OrgNode], via: str = "area") -> Q:
    q = Q(pk__in=[])
    for node in areas:
        q |= Q(**{f"{via}__path__startswith": node.path})
    return q


def may_answer_in_area(user, consultation: Consultation) -> bool:
    return any(consultation.area.is_within(node) for node in answer_areas(user))


def can_moderate(user, consultation: Consultation) -> bool:
    area = moderation_area(user)
    return area is not None and consultation.area.is_within(area)


def can_answer(user, consultation: Consultation) -> bool:
    """Whether `user` may post an answer to `consultation` now (the answer form is shown)."""
    if consultation is None or not _signed_in(user) or consultation.asker_id == user.pk:
        return False
    if consultation.status not in OPEN:
        return False
    if not may_answer_in_area(user, consultation):
        return False
    return not Answer.objects.filter(consultation=consultation, author=user).exists()


def moderator_may_adopt(consultation: Consultation, now: datetime.datetime | None = None) -> bool:
    """A moderator adopts for the asker only once the question is old enough."""
    now = now or timezone.now()
    return consultation.created_at <= now - datetime.timedelta(days=settings.CONSULT_MODERATOR_ADOPT_DAYS)


def can_adopt(user, consultation: Consultation, answer: Answer | None = None) -> bool:
    """Whether `user` may adopt an answer of `consultation` (that one answer, when given)."""
    if consultation is None or not _signed_in(user):
        return False
    if consultation.status != Consultation.Status.ANSWERED or consultation.adopted_answer_id is not None:
        return False
    if answer is not None and (answer.consultation_id != consultation.pk or answer.author_id == user.pk):
        return False
    if consultation.asker_id == user.pk:
        return True
    return can_moderate(user, consultation) and moderator_may_adopt(consultation)


def can_rate(user, consultation: Consultation) -> bool:
    return bool(
        consultation is not None
        and _signed_in(user)
        and consultation.asker_id == user.pk
        and consultation.status == Consultation.Status.ADOPTED
        and consultation.rating is None
    )


def practitioner_of_answer(answer: Answer):
    """The directory entry of the answer's author (through their volunteer record or their
    account), or None."""
    from open12348.directory.models import Practitioner

    volunteer = answer.volunteer
    if volunteer is not None and volunteer.practitioner_id is not None:
        return volunteer.practitioner
    return Practitioner.objects.filter(user_id=answer.author_id).first()


def is_lawyer_answer(answer: Answer) -> bool:
    from open12348.directory.models import Practitioner

    practitioner = practitioner_of_answer(answer)
    if practitioner is not None and practitioner.kind == Practitioner.Kind.LAWYER:
        return True
    return LAWYER_ROLE in answer.author.role_codes


def can_entrust(user, consultation: Consultation, answer: Answer) -> bool:
    """Whether the 「委托该律师」 button is offered for `answer`."""
    if consultation is None or answer is None or not _signed_in(user) or consultation.asker_id != user.pk:
        return False
    if answer.consultation_id != consultation.pk or consultation.status == Consultation.Status.CLOSED:
        return False
    if Entrustment.objects.filter(consultation=consultation, answer=answer).exists():
        return False
    return is_lawyer_answer(answer)


def consultation_visible_to(viewer, consultation: Consultation | None) -> bool:
    if consultation is None:
        return False
    if consultation.is_public and consultation.status != Consultation.Status.CLOSED:
        return True
    if not _signed_in(viewer):
        return False
    if consultation.asker_id == viewer.pk:
        return True
    return (
        may_answer_in_area(viewer, consultation)
        or can_moderate(viewer, consultation)
        or Answer.objects.filter(consultation=consultation, author=viewer).exists()
    )


def can_see_original(viewer, consultation: Consultation) -> bool:
    """Whether `viewer` reads the original text (title, body, messages) rather than the
    masked public one: the asker, those who may answer, the moderators."""
    if consultation is None or not _signed_in(viewer):
        return False
    return (
        consultation.asker_id == viewer.pk
        or may_answer_in_area(viewer, consultation)
        or can_moderate(viewer, consultation)
    )


# --- lists -----------------------------------------------------------------------------------


def _category_q(category, via: str = "legal_category") -> Q:
    """The category and its sub-categories."""
    return Q(**{via: category}) | Q(**{f"{via}__parent": category})


def _category(value) -> LegalCategory | None:
    if value is None or value == "":
        return None
    if isinstance(value, LegalCategory):
        return value
    from open12348.catalog.selectors import legal_category_by_code

    return legal_category_by_code(str(value))


def _with_counts(consultations: QuerySet) -> QuerySet:
    return consultations.select_related("legal_category__parent", "area").annotate(
        answer_count=Count("answers", distinct=True)
    )


def public_consultations(*, category=None, q=None, area=None, status=None) -> QuerySet[Consultation]:
    """Public questions (not closed), newest first. `category`: a LegalCategory or its code
    (sub-categories included); `area`: an OrgNode (its subtree); `q` matches the public title
    and text; `status`: one of Consultation.Status (closed gives nothing)."""
    consultations = Consultation.objects.filter(is_public=True).exclude(status=Consultation.Status.CLOSED)
    if category not in (None, ""):
        found = _category(category)
        if found is None:
            return Consultation.objects.none()
        consultations = consultations.filter(_category_q(found))
    if area is not None:
        consultations = consultations.filter(area__path__startswith=area.path)
    if status:
        consultations = consultations.filter(status=status)
    text = " ".join((q or "").split())[:50]
    if text:
        consultations = consultations.filter(Q(public_title__icontains=text) | Q(public_body__icontains=text))
    return _with_counts(consultations).order_by("-created_at", "-id")


def consultation_detail(pk) -> Consultation | None:
    """One question with its answers (author, volunteer, practitioner), their follow-up
    messages and entrustments; None when there is none. Visibility is for the caller to check
    with `consultation_visible_to` (it returns False for None)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    answers = Answer.objects.select_related("author", "volunteer__practitioner", "volunteer__unit").prefetch_related(
        Prefetch("messages", queryset=Message.objects.select_related("author").order_by("created_at", "id")),
        "entrustments",
    )
    return (
        Consultation.objects.select_related(
            "legal_category__parent", "suggested_category", "area", "asker", "work_order", "adopted_answer"
        )
        .prefetch_related(Prefetch("answers", queryset=answers.order_by("created_at", "id")))
        .filter(pk=pk)
        .first()
    )


def _specialty_q(volunteer: Volunteer) -> Q | None:
    specialties = list(volunteer.specialties.all())
    if not specialties:
        return None
    return Q(legal_category__in=specialties) | Q(legal_category__parent__in=specialties)


def answer_queue(user, *, mine_first: bool = True) -> QuerySet[Consultation]:
    """Questions waiting for `user`'s answer: open (waiting or answered, not adopted or
    closed), in the areas they answer for, in their specialties when they are a volunteer
    who listed any, not asked or already answered by them. Those dispatched to them first
    (`is_dispatched`), then the oldest promise first."""
    areas = answer_areas(user)
    if not areas:
        return Consultation.objects.none()
    consultations = (
        Consultation.objects.filter(status__in=OPEN)
        .filter(_area_q(areas))
        .exclude(asker=user)
        .exclude(Exists(Answer.objects.filter(consultation=OuterRef("pk"), author=user)))
    )
    volunteer = volunteer_of(user)
    if volunteer is not None:
        dispatched = Exists(Dispatch.objects.filter(consultation=OuterRef("pk"), volunteer=volunteer))
        specialty = _specialty_q(volunteer)
        if specialty is not None:
            consultations = consultations.filter(specialty | Q(dispatched))
        consultations = consultations.annotate(is_dispatched=dispatched)
    else:
        consultations = consultations.annotate(is_dispatched=Value(False))
    consultations = _with_counts(consultations)
    if mine_first:
        return consultations.order_by("-is_dispatched", "answer_due_at", "id")
    return consultations.order_by("answer_due_at", "id")


def my_consultations(user) -> QuerySet[Consultation]:
    """The questions `user` asked, newest first."""
    if not _signed_in(user):
        return Consultation.objects.none()
    return _with_counts(Consultation.objects.filter(asker=user)).order_by("-created_at", "-id")


def adopted_answers(volunteer: Volunteer) -> QuerySet[Answer]:
    """The volunteer's answers that were adopted, the latest adoption first."""
    return (
        Answer.objects.filter(volunteer=volunteer, consultation__adopted_answer_id=F("id"))
        .select_related("consultation")
        .order_by("-consultation__adopted_at", "-id")
    )


def volunteer_dashboard(user) -> dict:
    """A volunteer's page: my queue, my shifts, my points, my adopted answers, my recent point
    entries and the questions dispatched to me that are still open. Empty for others."""
    volunteer = volunteer_of(user)
    if volunteer is None:
        return {
            "volunteer": None,
            "queue": answer_queue(user),
            "shifts": Shift.objects.none(),
            "points": 0,
            "adopted_answers": Answer.objects.none(),
            "recent_point_entries": PointEntry.objects.none(),
            "dispatched": Consultation.objects.none(),
        }
    dispatched = (
        Consultation.objects.filter(dispatches__volunteer=volunteer, status__in=OPEN)
        .exclude(Exists(Answer.objects.filter(consultation=OuterRef("pk"), author=user)))
        .select_related("legal_category", "area")
        .order_by("answer_due_at", "id")
    )
    return {
        "volunteer": volunteer,
        "queue": answer_queue(user),
        "shifts": volunteer.shifts.order_by("weekday", "starts"),
        "points": volunteer.points,
        "adopted_answers": adopted_answers(volunteer),
        "recent_point_entries": volunteer.point_entries.select_related("answer__consultation")[:10],
        "dispatched": dispatched,
    }


def volunteers_on_duty(area: OrgNode, at: datetime.datetime) -> QuerySet[Volunteer]:
    """Active volunteers who may answer questions of `area` (their area holds it) and whose
    weekly shift covers `at` (Beijing time)."""
    local = at.astimezone(promise.BEIJING)
    ancestors = [code for code in area.path.split("/") if code]
    on_shift = Shift.objects.filter(
        volunteer=OuterRef("pk"), weekday=local.weekday(), starts__lte=local.time(), ends__gt=local.time()
    )
    return (
        Volunteer.objects.filter(is_active=True, user__is_active=True, area__code__in=ancestors)
        .filter(Exists(on_shift))
        .select_related("user", "area")
        .order_by("id")
    )


def _when(moment: datetime.datetime) -> str:
    return promise.format_moment(moment)


def answer_time_message(consultation_or_now=None) -> str:
    """What the page tells the asker about the promise. Given a time (or nothing: now), the
    ask page's line: in service hours 「承诺在 … 前首次答复」, outside them the message-mode
    line 「现在是非工作时间，您的问题将在 … 前得到首次答复」. Given a question, its own promise
    (empty once it has been answered or closed)."""
    if isinstance(consultation_or_now, Consultation):
        consultation = consultation_or_now
        if consultation.first_answered_at is not None or consultation.status == Consultation.Status.CLOSED:
            return ""
        due = consultation.answer_due_at
        if due < timezone.now():
            return gettext("已超过承诺的首次答复时间（{when}），我们正在督促尽快答复。").format(when=_when(due))
        return gettext("承诺在 {when} 前首次答复").format(when=_when(due))
    now = consultation_or_now or timezone.now()
    options = promise_options()
    due = promise.answer_due(now, **options)
    if promise.in_service_hours(now, service_hours=options["service_hours"]):
        return gettext("承诺在 {when} 前首次答复").format(when=_when(due))
    return gettext("现在是非工作时间，您的问题将在 {when} 前得到首次答复").format(when=_when(due))


def overdue_consultations(viewer, *, now: datetime.datetime | None = None) -> QuerySet[Consultation]:
    """Unanswered questions past their promise in the moderator's area, the oldest first."""
    area = moderation_area(viewer)
    if area is None:
        return Consultation.objects.none()
    now = now or timezone.now()
    return (
        _with_counts(
            Consultation.objects.filter(
                status=Consultation.Status.WAITING, answer_due_at__lt=now, area__path__startswith=area.path
            )
        )
        .prefetch_related("dispatches__volunteer")
        .order_by("answer_due_at", "id")
    )


def moderated_consultations(viewer, *, status: str = "") -> QuerySet[Consultation]:
    """Every question of the moderator's area (public or not), newest first."""
    area = moderation_area(viewer)
    if area is None:
        return Consultation.objects.none()
    consultations = Consultation.objects.filter(area__path__startswith=area.path)
    if status:
        consultations = consultations.filter(status=status)
    return _with_counts(consultations).order_by("-created_at", "-id")


def dispatchable_volunteers(consultation: Consultation) -> QuerySet[Volunteer]:
    """Active volunteers who may answer `consultation` (for the moderator's dispatch form)."""
    ancestors = [code for code in consultation.area.path.split("/") if code]
    return (
        Volunteer.objects.filter(is_active=True, user__is_active=True, area__code__in=ancestors)
        .exclude(user_id=consultation.asker_id)
        .exclude(dispatches__consultation=consultation)
        .select_related("area", "unit")
        .order_by("display_name", "id")
    )


def profile_stats(volunteer: Volunteer) -> dict:
    """For the public answerer profile: answers given, answers adopted, points."""
    answers = Answer.objects.filter(volunteer=volunteer)
    return {
        "answers": answers.count(),
        "adopted": adopted_answers(volunteer).count(),
        "points": volunteer.points,
    }


def public_answers_of(volunteer: Volunteer) -> QuerySet[Answer]:
    """The volunteer's answers on public questions, newest first (the profile page)."""
    return (
        Answer.objects.filter(volunteer=volunteer, consultation__is_public=True)
        .exclude(consultation__status=Consultation.Status.CLOSED)
        .select_related("consultation")
        .order_by("-created_at", "-id")
    )
