"""Every write of online consultation (issue 5 items 3–4, E3/E9). Each service checks who may
act and in which state, writes its rows and its audit event in one transaction, and defers
text messages to after the commit.

Every question is a work order (channel web, service item 法律咨询) so that it counts in the
ledgers and statistics. Its life follows the work-order table (`workorders.models.TRANSITIONS`):
the first answer claims and starts it (and every answer is a public reply on it), adoption
resolves it, the asker's rating is its satisfaction, closing a question rejects or resolves it.
Volunteers who are not staff of the handling org move it on the question's behalf: the steps
are taken here, from the same table, each with its own `workorder.<action>` audit event.

Refusals: PermissionDenied (who), ValidationError keyed by argument name (what was typed) and
ConsultationConflict (state: already adopted, closed, answered twice … — HTTP 409 in the API;
a ValidationError subclass, so a page showing ValidationErrors shows it too)."""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from open12348.audit import context as audit_context
from open12348.audit import services as audit
from open12348.catalog.models import LegalCategory
from open12348.consultations import masking, selectors, suggest
from open12348.consultations.models import (
    Answer,
    Consultation,
    Dispatch,
    Entrustment,
    Message,
    PointEntry,
    Shift,
    Volunteer,
    VolunteerUnit,
)
from open12348.core import sms
from open12348.core.fields import lookup_hash
from open12348.orgs.models import OrgNode

logger = logging.getLogger("open12348.consultations")

S = Consultation.Status
CONSULTATION_ITEM = "consultation"  # 法律咨询 (channels include web)
LAWYER_ITEM = "lawyer"  # 律师服务
ANSWERED_OUTCOME = "answered"  # workorders OUTCOMES: 已解答
OTHER_OUTCOME = "other"
TITLE_MIN, TITLE_MAX = 5, 60
BODY_MIN, BODY_MAX = 10, 5000
ANSWER_MIN, ANSWER_MAX = 10, 5000
MESSAGE_MAX = 2000
REASON_MAX = 500
SUBMIT_KEY_MAX = 100
RATE_WINDOW_SECONDS = 3600
SYSTEM = "系统"  # i18n: data — the actor label of the sweep in the audit chain


class ConsultationConflict(ValidationError):
    """The question is not in a state that allows this (adopted, closed, answered twice …)."""

    def __init__(self, message: str):
        super().__init__(message, code="conflict")


# --- helpers ---------------------------------------------------------------------------------


def _now() -> datetime.datetime:
    return timezone.now()


def _signed_in(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active)


def _require_signed_in(actor) -> None:
    if not _signed_in(actor):
        raise PermissionDenied(gettext("请先登录。"))


def _require_moderator(actor, consultation: Consultation) -> None:
    if not selectors.can_moderate(actor, consultation):
        raise PermissionDenied(gettext("您没有管理该咨询的权限。"))


def _length_error(label: str, low: int, high: int, count: int) -> str:
    if count == 0:
        return gettext("请填写{label}。").format(label=label)
    if count < low:
        return gettext("{label}至少需要{low}个字（当前{count}字）。").format(label=label, low=low, count=count)
    return gettext("{label}不能超过{high}个字（当前{count}字）。").format(label=label, high=high, count=count)


def _checked_text(value, *, label: str, low: int, high: int, multiline: bool = True) -> tuple[str, str | None]:
    """(cleaned text, error message or None)."""
    text = masking.clean_text(str(value or ""), multiline=multiline)
    if low <= len(text) <= high:
        return text, None
    return text, _length_error(label, low, high, len(text))


def _locked(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("area", "legal_category__parent", "asker")
        .get(pk=consultation.pk)
    )


def _send_later(phone: str, message: str) -> None:
    if phone:
        transaction.on_commit(lambda: sms.send_sms(phone, message))


def _display(user) -> str:
    return (getattr(user, "display_name", "") or user.get_username())[:50]


# --- the work order behind a question ---------------------------------------------------------


def _order_step(order_pk: int, action: str, *, actor, now, **changes) -> bool:
    """One step of the work-order table, taken for the question: only from the states the
    table allows (False when the order is elsewhere — staff may have moved it on), with the
    same audit verb as `workorder_transition`."""
    from open12348.workorders.models import TRANSITIONS, WorkOrder

    sources, target = TRANSITIONS[action]
    order = WorkOrder.objects.select_for_update(of=("self",)).select_related("handling_org").get(pk=order_pk)
    if order.status not in sources:
        return False
    from_status = order.status
    order.status = target
    for name, value in changes.items():
        setattr(order, name, value)
    order.save(update_fields=["status", "updated_at", *changes])
    payload = {"from": from_status, "to": target, "source": "consultation"}
    if "assignee" in changes and changes["assignee"] is not None:
        payload["assignee"] = changes["assignee"].get_username()
    if "outcome_code" in changes:
        payload["outcome_code"] = changes["outcome_code"]
    audit.record(actor=actor, verb=f"workorder.{action}", target=order, org=order.handling_org, payload=payload)
    return True


def _order_in_progress(order_pk: int, *, actor, now) -> None:
    """已受理 → 已分派 (claimed by the answerer when nobody holds it) → 办理中."""
    from open12348.workorders.models import Status, WorkOrder

    status, assignee_id = WorkOrder.objects.filter(pk=order_pk).values_list("status", "assignee_id").get()
    if status == Status.RECEIVED:
        action = "claim" if assignee_id is None else "assign"
        changes = {"assignee": actor} if assignee_id is None else {}
        _order_step(order_pk, action, actor=actor, now=now, **changes)
    _order_step(order_pk, "start", actor=actor, now=now)


def _order_resolved(order_pk: int, *, actor, now, outcome: str = ANSWERED_OUTCOME) -> None:
    _order_in_progress(order_pk, actor=actor, now=now)
    _order_step(order_pk, "resolve", actor=actor, now=now, outcome_code=outcome, resolved_at=now)


def _public_reply(order_pk: int, *, actor, body: str) -> None:
    """An answer is a reply the applicant sees on the order's tracking page."""
    from open12348.workorders.models import Note, WorkOrder

    order = WorkOrder.objects.select_related("handling_org").get(pk=order_pk)
    note = Note.objects.create(work_order=order, author=actor, body=body, is_public=True)
    audit.record(
        actor=actor,
        verb="workorder.note_added",
        target=order,
        org=order.handling_org,
        payload={"note": note.pk, "public": True, "source": "consultation"},
    )


# --- asking ----------------------------------------------------------------------------------


def _submit_digest(asker, submit_key: str) -> str:
    return hashlib.sha256(f"{asker.pk}:{submit_key}".encode()).hexdigest()


def submitted(*, asker, submit_key: str) -> Consultation | None:
    """The question `asker` already sent with `submit_key` (a double tap), or None."""
    if not _signed_in(asker):
        return None
    return Consultation.objects.filter(
        submit_key=_submit_digest(asker, str(submit_key or "").strip()), asker=asker
    ).first()


def default_area() -> OrgNode | None:
    """Where a question with no area chosen belongs: the top of the tree (the city)."""
    return OrgNode.objects.filter(parent__isnull=True).order_by("path").first()


def _rate_keys(phone: str, ip: str | None) -> list[tuple[str, int]]:
    bucket = _now().strftime("%Y%m%d%H")
    keys = []
    if phone:
        keys.append((f"consult-ask:p:{lookup_hash('phone', phone)}:{bucket}", settings.CONSULT_ASK_PER_HOUR))
    if ip:
        keys.append(
            (f"consult-ask:i:{hashlib.sha256(ip.encode()).hexdigest()}:{bucket}", settings.CONSULT_ASK_PER_IP_HOUR)
        )
    return keys


def ask_rate_limited(*, phone: str, ip: str | None) -> bool:
    """Whether this phone (CONSULT_ASK_PER_HOUR) or this IP address (CONSULT_ASK_PER_IP_HOUR)
    has asked as many questions as it may this hour. Only questions actually created count
    (`consultation_ask` counts them after its commit); a double tap replayed counts once.
    Counters live in the shared cache (Redis when configured), one per clock hour."""
    for key, limit in _rate_keys(phone, ip):
        try:
            if (cache.get(key) or 0) >= limit:
                return True
        except Exception:  # a cache outage must not stop citizens from asking
            logger.warning("consultation rate counter unavailable", exc_info=True)
            return False
    return False


def _count_ask(phone: str, ip: str | None) -> None:
    for key, _limit in _rate_keys(phone, ip):
        try:
            cache.add(key, 0, RATE_WINDOW_SECONDS + 60)
            cache.incr(key)
        except Exception:
            logger.warning("consultation rate counter unavailable", exc_info=True)


def _validate_ask(*, asker, title, body, legal_category, area, submit_key) -> dict:
    errors: dict[str, list[str]] = {}
    clean: dict = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    clean["title"], message = _checked_text(
        title, label=gettext("标题"), low=TITLE_MIN, high=TITLE_MAX, multiline=False
    )
    if message:
        fail("title", message)
    clean["body"], message = _checked_text(body, label=gettext("问题描述"), low=BODY_MIN, high=BODY_MAX)
    if message:
        fail("body", message)
    if legal_category is not None and (not isinstance(legal_category, LegalCategory) or not legal_category.is_active):
        fail("legal_category", gettext("请选择有效的法律类别。"))
    if area is not None and not isinstance(area, OrgNode):
        fail("area", gettext("请选择有效的所在区域。"))
    key = str(submit_key or "").strip()
    if not key or len(key) > SUBMIT_KEY_MAX:
        fail("submit_key", gettext("提交标识无效，请刷新页面后重新提交。"))
    if not (getattr(asker, "phone", "") or "").strip():
        fail("__all__", gettext("您的账户没有登记手机号码，请先在个人资料中补充后再提问。"))
    if errors:
        raise ValidationError(errors)
    return clean


# workorder_create's argument names → ours, for its refusals.
_ORDER_FIELDS = {"description": "body", "legal_category": "legal_category", "area": "area"}


def _order_errors(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    mapped: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        mapped.setdefault(_ORDER_FIELDS.get(field, "__all__"), []).extend(messages)
    return ValidationError(mapped)


def consultation_ask(
    *,
    asker,
    title: str,
    body: str,
    submit_key: str,
    legal_category=None,
    is_public: bool = True,
    area=None,
    attachments=(),
    ip: str | None = None,
) -> Consultation:
    """A signed-in citizen asks. The same `submit_key` from the same asker returns the first
    question (a double tap creates one). `legal_category` None takes the suggested one
    (classifier or keyword rule; 综合咨询 when neither knows). The public title and text are
    masked (ID, card and phone numbers). Opens the work order (channel web), computes the
    answer promise and attaches `attachments` (UploadedFiles) to the work order. `ip` (default:
    the request's, from the audit context) is counted for the rate limit."""
    _require_signed_in(asker)
    if asker.is_staff_member:
        raise PermissionDenied(gettext("工作人员账户不能在此提问，请使用公众账户。"))
    digest = _submit_digest(asker, str(submit_key or "").strip())
    existing = submitted(asker=asker, submit_key=submit_key)
    if existing is not None:
        return existing
    clean = _validate_ask(
        asker=asker, title=title, body=body, legal_category=legal_category, area=area, submit_key=submit_key
    )
    text = f"{clean['title']}\n{clean['body']}"
    suggested = suggest.suggest_category(text)
    category = legal_category or suggested or suggest.fallback_category()
    if category is None:
        raise ValidationError({"legal_category": gettext("请选择法律类别。")})
    area = area or default_area()
    if area is None:
        raise ValidationError({"area": gettext("请选择所在区域。")})
    from open12348.catalog.selectors import service_item_by_code

    item = service_item_by_code(CONSULTATION_ITEM)
    if item is None:
        raise ValidationError({"__all__": gettext("网上法律咨询暂未开通，请拨打12348热线咨询。")})
    stored: list[str] = []
    try:
        with transaction.atomic():
            consultation = _ask_write(
                asker=asker,
                clean=clean,
                digest=digest,
                category=category,
                suggested=suggested,
                area=area,
                item=item,
                is_public=bool(is_public),
            )
            for upload in attachments or ():
                stored.append(_attach(asker, consultation, upload))
    except IntegrityError:
        _forget_files(stored)
        existing = Consultation.objects.filter(submit_key=digest, asker=asker).first()
        if existing is not None:
            return existing  # the same double tap, committed by the other request first
        raise
    except BaseException:
        _forget_files(stored)
        raise
    ip = ip if ip is not None else audit_context.current.get().ip
    transaction.on_commit(lambda: _count_ask(asker.phone, ip))
    return consultation


def _ask_write(*, asker, clean, digest, category, suggested, area, item, is_public) -> Consultation:
    from open12348.workorders import services as workorders
    from open12348.workorders.models import Channel

    try:
        order = workorders.workorder_create(
            actor=asker,
            channel=Channel.WEB,
            service_item=item,
            area=area,
            applicant_name=_display(asker),
            applicant_phone=asker.phone,
            description=f"{clean['title']}\n\n{clean['body']}",
            legal_category=category,
            applicant_user=asker,
        )
    except ValidationError as error:
        raise _order_errors(error) from None
    consultation = Consultation.objects.create(
        work_order=order,
        asker=asker,
        title=clean["title"],
        body=clean["body"],
        public_title=masking.mask_personal_details(clean["title"]),
        public_body=masking.mask_personal_details(clean["body"]),
        is_public=is_public,
        legal_category=category,
        suggested_category=suggested,
        area=area,
        answer_due_at=selectors.answer_due_for(order.received_at),
        submit_key=digest,
    )
    audit.record(
        actor=asker,
        verb="consultation.asked",
        target=consultation,
        org=area,
        payload={
            "work_order": order.tracking_code,
            "public": is_public,
            "legal_category": category.code,
            "suggested_category": suggested.code if suggested else "",
            "masked": consultation.public_title != consultation.title or consultation.public_body != consultation.body,
            "answer_due_at": consultation.answer_due_at.isoformat(),
        },
    )
    return consultation


def _attach(asker, consultation: Consultation, upload) -> str:
    """The file on the question's work order; returns its stored name (deleted again by the
    caller if the question is not written after all)."""
    from open12348.workorders import services as workorders

    try:
        attachment = workorders.attachment_add(actor=asker, order=consultation.work_order, upload=upload)
    except ValidationError as error:
        messages = error.message_dict.get("file", error.messages) if hasattr(error, "error_dict") else error.messages
        raise ValidationError({"attachments": messages}) from None
    except PermissionDenied as error:
        raise ValidationError({"attachments": [str(error) or gettext("附件未能上传。")]}) from None
    return attachment.stored_name


def _forget_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.warning("could not delete the orphaned attachment %s", name, exc_info=True)


# --- answering and the follow-up thread -------------------------------------------------------


def answer_post(*, actor, consultation: Consultation, body: str) -> Answer:
    """An active volunteer of the question's area (or above), or staff with
    `answer_consultation` there, answers — once per question, never their own question, not
    after adoption or closing. The first answer sets the promise as kept (first_answered_at)
    and the question as answered, and claims and starts the work order; every answer is a
    public reply on the order."""
    _require_signed_in(actor)
    text, message = _checked_text(body, label=gettext("解答内容"), low=ANSWER_MIN, high=ANSWER_MAX)
    with transaction.atomic():
        locked = _locked(consultation)
        if locked.asker_id == actor.pk:
            raise PermissionDenied(gettext("不能解答自己提出的问题。"))
        if not selectors.may_answer_in_area(actor, locked):
            raise PermissionDenied(gettext("该问题不在您的解答范围内。"))
        if locked.status == S.CLOSED:
            raise ConsultationConflict(gettext("该问题已关闭，不能再解答。"))
        if locked.status == S.ADOPTED:
            raise ConsultationConflict(gettext("该问题已采纳解答，不能再解答。"))
        if Answer.objects.filter(consultation=locked, author=actor).exists():
            raise ConsultationConflict(gettext("您已解答过该问题，可以在您的解答下与提问人继续交流。"))
        if message:
            raise ValidationError({"body": message})
        now = _now()
        try:
            with transaction.atomic():
                answer = Answer.objects.create(
                    consultation=locked, author=actor, volunteer=selectors.volunteer_of(actor), body=text
                )
        except IntegrityError:
            raise ConsultationConflict(gettext("您已解答过该问题，可以在您的解答下与提问人继续交流。")) from None
        first = locked.first_answered_at is None
        if first:
            Consultation.objects.filter(pk=locked.pk).update(first_answered_at=now, status=S.ANSWERED, updated_at=now)
            _order_in_progress(locked.work_order_id, actor=actor, now=now)
        _public_reply(locked.work_order_id, actor=actor, body=text)
        audit.record(
            actor=actor,
            verb="consultation.answered",
            target=locked,
            org=locked.area,
            payload={
                "answer": answer.pk,
                "volunteer": answer.volunteer_id,
                "first": first,
                "on_time": (now <= locked.answer_due_at) if first else None,
            },
        )
    consultation.refresh_from_db()
    return answer


def message_post(*, actor, answer: Answer, body: str) -> Message:
    """The follow-up thread under an answer (追问): its author or the asker, nobody else,
    until the question is closed."""
    _require_signed_in(actor)
    consultation = answer.consultation
    if actor.pk == answer.author_id:
        from_asker = False
    elif actor.pk == consultation.asker_id:
        from_asker = True
    else:
        raise PermissionDenied(gettext("只有提问人和该解答人可以在此追问交流。"))
    text, message = _checked_text(body, label=gettext("内容"), low=1, high=MESSAGE_MAX)
    with transaction.atomic():
        locked = _locked(consultation)
        if locked.status == S.CLOSED:
            raise ConsultationConflict(gettext("该问题已关闭，不能再追问。"))
        if message:
            raise ValidationError({"body": message})
        posted = Message.objects.create(
            answer=answer,
            author=actor,
            from_asker=from_asker,
            body=text,
            public_body=masking.mask_personal_details(text),
        )
        audit.record(
            actor=actor,
            verb="consultation.message_posted",
            target=locked,
            org=locked.area,
            payload={"answer": answer.pk, "message": posted.pk, "from_asker": from_asker},
        )
    return posted


# --- adoption, points and rating ---------------------------------------------------------------


def _rating(value) -> int:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": gettext("请选择1到5星的评价。")})
    return rating


def answer_adopt(*, actor, consultation: Consultation, answer: Answer, rating=None) -> Consultation:
    """The asker adopts one answer (any time after it is given), or a moderator of the area
    does for an asker who has not after CONSULT_MODERATOR_ADOPT_DAYS. Nobody adopts their own
    answer; a question is adopted once. The answerer's volunteer record earns
    CONSULT_POINTS_ADOPTED (CONSULT_POINTS_MODERATOR_ADOPTED by a moderator) in the points
    ledger; the work order is resolved. The asker may rate at the same time (`rating` 1–5)."""
    _require_signed_in(actor)
    if answer.consultation_id != consultation.pk:
        raise ValidationError({"answer": gettext("该解答不属于此问题。")})
    if answer.author_id == actor.pk:
        raise PermissionDenied(gettext("不能采纳自己的解答。"))
    by_asker = actor.pk == consultation.asker_id
    if not by_asker:
        _require_moderator(actor, consultation)
        if rating is not None:
            raise ValidationError({"rating": gettext("只有提问人可以评价。")})
    rating = _rating(rating) if rating is not None else None
    with transaction.atomic():
        locked = _locked(consultation)
        if locked.status == S.CLOSED:
            raise ConsultationConflict(gettext("该问题已关闭。"))
        if locked.adopted_answer_id is not None:
            raise ConsultationConflict(gettext("该问题已采纳过解答。"))
        if not by_asker and not selectors.moderator_may_adopt(locked):
            raise PermissionDenied(
                gettext("提问满{days}天仍未采纳的，管理员才能代为采纳。").format(
                    days=settings.CONSULT_MODERATOR_ADOPT_DAYS
                )
            )
        now = _now()
        won = Consultation.objects.filter(pk=locked.pk, adopted_answer__isnull=True, status=S.ANSWERED).update(
            adopted_answer=answer, adopted_at=now, adopted_by_moderator=not by_asker, status=S.ADOPTED, updated_at=now
        )
        if not won:
            raise ConsultationConflict(gettext("该问题已采纳过解答。"))
        points = settings.CONSULT_POINTS_ADOPTED if by_asker else settings.CONSULT_POINTS_MODERATOR_ADOPTED
        awarded = _award(answer, points, by_asker=by_asker) if answer.volunteer_id else 0
        _order_resolved(locked.work_order_id, actor=actor, now=now)
        audit.record(
            actor=actor,
            verb="consultation.adopted",
            target=locked,
            org=locked.area,
            payload={"answer": answer.pk, "by_moderator": not by_asker, "points": awarded},
        )
        if rating is not None:
            _rate(actor=actor, consultation=locked, rating=rating)
    consultation.refresh_from_db()
    answer.refresh_from_db()
    return consultation


def _award(answer: Answer, points: int, *, by_asker: bool) -> int:
    reason = PointEntry.Reason.ADOPTED if by_asker else PointEntry.Reason.MODERATOR_ADOPTED
    PointEntry.objects.create(volunteer_id=answer.volunteer_id, points=points, reason=reason, answer=answer)
    Volunteer.objects.filter(pk=answer.volunteer_id).update(points=F("points") + points, updated_at=_now())
    Answer.objects.filter(pk=answer.pk).update(points_awarded=points)
    return points


def _rate(*, actor, consultation: Consultation, rating: int) -> None:
    """Inside the caller's transaction, on the locked question."""
    from open12348.workorders import services as workorders
    from open12348.workorders.exceptions import WorkOrderConflict

    if consultation.rating is not None:
        raise ConsultationConflict(gettext("您已评价过该问题的解答。"))
    Consultation.objects.filter(pk=consultation.pk).update(rating=rating, updated_at=_now())
    consultation.rating = rating
    order_rated = True
    try:
        workorders.citizen_rating_submit(order=consultation.work_order, phone=actor.phone, satisfaction=rating)
    except (WorkOrderConflict, ValidationError):
        order_rated = False  # staff moved the order elsewhere, or the account's phone changed
    audit.record(
        actor=actor,
        verb="consultation.rated",
        target=consultation,
        org=consultation.area,
        payload={"rating": rating, "answer": consultation.adopted_answer_id, "order_rated": order_rated},
    )


def consultation_rate(*, actor, consultation: Consultation, rating: int) -> Consultation:
    """The asker rates the adopted answer, 1–5 stars, once. The rating is also the work
    order's satisfaction (a return visit 群众自评; 1–2 stars open the mandatory follow-up)."""
    _require_signed_in(actor)
    if actor.pk != consultation.asker_id:
        raise PermissionDenied(gettext("只有提问人可以评价。"))
    rating = _rating(rating)
    with transaction.atomic():
        locked = _locked(consultation)
        if locked.status != S.ADOPTED:
            raise ConsultationConflict(gettext("采纳解答后才能评价。"))
        _rate(actor=actor, consultation=locked, rating=rating)
    consultation.refresh_from_db()
    return consultation


# --- moderation --------------------------------------------------------------------------------


def consultation_dispatch(*, actor, consultation: Consultation, volunteer: Volunteer) -> Dispatch:
    """A moderator sends an open question to a volunteer of its area (临时派单); the volunteer
    gets a text message and sees it first in their queue."""
    _require_moderator(actor, consultation)
    if not isinstance(volunteer, Volunteer):
        raise ValidationError({"volunteer": gettext("请选择志愿者。")})
    if not volunteer.is_active or not volunteer.user.is_active:
        raise ValidationError({"volunteer": gettext("该志愿者未在岗。")})
    if not consultation.area.is_within(volunteer.area):
        raise ValidationError({"volunteer": gettext("该志愿者不在该问题所在区域服务。")})
    if volunteer.user_id == consultation.asker_id:
        raise ValidationError({"volunteer": gettext("不能派给提问人本人。")})
    with transaction.atomic():
        locked = _locked(consultation)
        if locked.status not in selectors.OPEN:
            raise ConsultationConflict(gettext("该问题已采纳或已关闭，无需派单。"))
        try:
            with transaction.atomic():
                dispatch = Dispatch.objects.create(consultation=locked, volunteer=volunteer, by=actor)
        except IntegrityError:
            raise ConsultationConflict(gettext("该问题已派给这位志愿者。")) from None
        audit.record(
            actor=actor,
            verb="consultation.dispatched",
            target=locked,
            org=locked.area,
            payload={"volunteer": volunteer.pk, "by_sweep": False},
        )
        _notify_dispatch(volunteer, locked)
    return dispatch


def _notify_dispatch(volunteer: Volunteer, consultation: Consultation) -> None:
    _send_later(
        volunteer.user.phone,
        gettext("12348法网有一条在线咨询派给您解答：{title}。请登录志愿者工作台查看。").format(
            title=consultation.public_title
        ),
    )


def consultation_close(*, actor, consultation: Consultation, reason: str) -> Consultation:
    """A moderator closes a question (duplicate, not a legal question, abusive …); it leaves
    the public list. The work order is rejected when no one has taken it up yet, resolved
    when it was being answered."""
    _require_moderator(actor, consultation)
    text, message = _checked_text(reason, label=gettext("关闭原因"), low=1, high=REASON_MAX, multiline=False)
    with transaction.atomic():
        locked = _locked(consultation)
        if locked.status == S.CLOSED:
            raise ConsultationConflict(gettext("该问题已关闭。"))
        if message:
            raise ValidationError({"reason": message})
        now = _now()
        previous = locked.status
        Consultation.objects.filter(pk=locked.pk).update(
            status=S.CLOSED, closed_at=now, close_reason=text, updated_at=now
        )
        if not _order_step(locked.work_order_id, "reject", actor=actor, now=now, status_reason=text):
            outcome = ANSWERED_OUTCOME if locked.answers.exists() else OTHER_OUTCOME
            _order_step(locked.work_order_id, "resolve", actor=actor, now=now, outcome_code=outcome, resolved_at=now)
        audit.record(
            actor=actor,
            verb="consultation.closed",
            target=locked,
            org=locked.area,
            payload={"reason": text, "from": previous},
        )
    consultation.refresh_from_db()
    return consultation


def consultation_viewed(*, consultation: Consultation) -> None:
    """One more view of the public page (no audit event: a counter, not an action)."""
    Consultation.objects.filter(pk=consultation.pk).update(view_count=F("view_count") + 1)


# --- volunteers, units and shifts --------------------------------------------------------------


def _may_manage_volunteer(actor, volunteer: Volunteer) -> bool:
    if not _signed_in(actor):
        return False
    if volunteer.user_id == actor.pk:
        return True
    area = selectors.moderation_area(actor)
    return area is not None and volunteer.area.is_within(area)


def _shift_time(value, field: str, errors: dict) -> datetime.time | None:
    if isinstance(value, datetime.time):
        return value
    try:
        return datetime.time.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(gettext("请填写有效的时间（如 09:00）。"))
        return None


def shift_create(*, actor, volunteer: Volunteer, weekday: int, starts, ends) -> Shift:
    """A weekly shift, by the volunteer for themself or by a moderator of their area. Shifts
    of one volunteer on one weekday do not overlap."""
    if not _may_manage_volunteer(actor, volunteer):
        raise PermissionDenied(gettext("您只能安排自己的值班，或本辖区志愿者的值班。"))
    errors: dict[str, list[str]] = {}
    try:
        weekday = int(weekday)
    except (TypeError, ValueError):
        weekday = -1
    if not 0 <= weekday <= 6:
        errors.setdefault("weekday", []).append(gettext("请选择星期几。"))
    starts = _shift_time(starts, "starts", errors)
    ends = _shift_time(ends, "ends", errors)
    if starts is not None and ends is not None and ends <= starts:
        errors.setdefault("ends", []).append(gettext("结束时间应晚于开始时间。"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if Shift.objects.filter(volunteer=volunteer, weekday=weekday, starts__lt=ends, ends__gt=starts).exists():
            raise ValidationError({"starts": gettext("与已有的值班时间重叠。")})
        shift = Shift.objects.create(volunteer=volunteer, weekday=weekday, starts=starts, ends=ends)
        audit.record(
            actor=actor,
            verb="consultation.shift_created",
            target=shift,
            org=volunteer.area,
            payload={"volunteer": volunteer.pk, "weekday": weekday, "starts": str(starts), "ends": str(ends)},
        )
    return shift


def shift_delete(*, actor, shift: Shift) -> None:
    volunteer = shift.volunteer
    if not _may_manage_volunteer(actor, volunteer):
        raise PermissionDenied(gettext("您只能调整自己的值班，或本辖区志愿者的值班。"))
    with transaction.atomic():
        audit.record(
            actor=actor,
            verb="consultation.shift_deleted",
            target=shift,
            org=volunteer.area,
            payload={
                "volunteer": volunteer.pk,
                "weekday": shift.weekday,
                "starts": str(shift.starts),
                "ends": str(shift.ends),
            },
        )
        shift.delete()


def _require_area_admin(actor, area: OrgNode) -> None:
    """Volunteer units and volunteers are kept by moderators of their area (or the seed)."""
    if actor is None:
        return  # seeds and management commands
    own = selectors.moderation_area(actor)
    if own is None or not isinstance(area, OrgNode) or not area.is_within(own):
        raise PermissionDenied(gettext("只能管理本辖区的志愿服务队和志愿者。"))


def volunteer_unit_save(*, actor, unit: VolunteerUnit) -> VolunteerUnit:
    """Create or change a unit (the admin's form instance, or the seed's)."""
    _require_area_admin(actor, unit.area)
    created = unit.pk is None
    with transaction.atomic():
        unit.save()
        audit.record(
            actor=actor,
            verb="consultation.unit_created" if created else "consultation.unit_changed",
            target=unit,
            org=unit.area,
            payload={"name": unit.name, "kind": unit.kind, "active": unit.is_active},
            actor_label="" if actor is not None else SYSTEM,
        )
    return unit


def volunteer_save(*, actor, volunteer: Volunteer, specialties=None) -> Volunteer:
    """Create or change a volunteer record; `specialties` (LegalCategories) replaced when given.
    Points are the ledger's: they are never set here."""
    _require_area_admin(actor, volunteer.area)
    created = volunteer.pk is None
    with transaction.atomic():
        if not created:
            volunteer.points = Volunteer.objects.filter(pk=volunteer.pk).values_list("points", flat=True).get()
        volunteer.save()
        if specialties is not None:
            volunteer.specialties.set(specialties)
        audit.record(
            actor=actor,
            verb="consultation.volunteer_created" if created else "consultation.volunteer_changed",
            target=volunteer,
            org=volunteer.area,
            payload={
                "user": volunteer.user.get_username(),
                "kind": volunteer.kind,
                "unit": volunteer.unit_id,
                "practitioner": volunteer.practitioner_id,
                "active": volunteer.is_active,
                "specialties": sorted(c.code for c in volunteer.specialties.all()),
            },
            actor_label="" if actor is not None else SYSTEM,
        )
    return volunteer


# --- 委托该律师 ----------------------------------------------------------------------------------


def entrustment_request(*, actor, consultation: Consultation, answer: Answer) -> Entrustment:
    """The asker asks the lawyer who answered to take the matter on: a new work order (channel
    web, service item 律师服务) in the question's area, linked here; once per answer."""
    from open12348.catalog.selectors import service_item_by_code
    from open12348.workorders import services as workorders
    from open12348.workorders.models import Channel

    _require_signed_in(actor)
    if actor.pk != consultation.asker_id:
        raise PermissionDenied(gettext("只有提问人可以委托解答律师。"))
    if answer.consultation_id != consultation.pk:
        raise ValidationError({"answer": gettext("该解答不属于此问题。")})
    if not selectors.is_lawyer_answer(answer):
        raise ValidationError({"answer": gettext("该解答人不是执业律师，不能委托。")})
    item = service_item_by_code(LAWYER_ITEM)
    if item is None:
        raise ValidationError({"__all__": gettext("律师服务暂未开通网上委托，请拨打12348热线咨询。")})
    practitioner = selectors.practitioner_of_answer(answer)
    lawyer = practitioner.name if practitioner is not None else _display(answer.author)
    with transaction.atomic():
        locked = _locked(consultation)
        if locked.status == S.CLOSED:
            raise ConsultationConflict(gettext("该问题已关闭。"))
        if Entrustment.objects.filter(consultation=locked, answer=answer).exists():
            raise ConsultationConflict(gettext("您已就该解答提交过委托申请。"))
        try:
            order = workorders.workorder_create(
                actor=actor,
                channel=Channel.WEB,
                service_item=item,
                area=locked.area,
                applicant_name=_display(actor),
                applicant_phone=actor.phone,
                description=gettext("委托律师：{lawyer}\n在线咨询：{title}\n\n{body}").format(
                    lawyer=lawyer, title=locked.title, body=locked.body
                )[:5000],
                legal_category=locked.legal_category,
                applicant_user=actor,
            )
        except ValidationError as error:
            raise _order_errors(error) from None
        entrustment = Entrustment.objects.create(
            consultation=locked, answer=answer, practitioner=practitioner, work_order=order
        )
        audit.record(
            actor=actor,
            verb="consultation.entrustment_requested",
            target=locked,
            org=locked.area,
            payload={
                "answer": answer.pk,
                "work_order": order.tracking_code,
                "practitioner": getattr(practitioner, "pk", None),
            },
        )
        _send_later(
            answer.author.phone,
            gettext("有群众希望委托您办理其在线咨询的事项（工单 {code}），请登录平台查看。").format(
                code=order.tracking_code
            ),
        )
    return entrustment


# --- the answer-time promise: escalation sweep ----------------------------------------------------


def _matches(volunteer: Volunteer, category: LegalCategory) -> bool:
    codes = {c.pk for c in volunteer.specialties.all()}
    return category.pk in codes or (category.parent_id is not None and category.parent_id in codes)


def _duty_dispatch(consultation: Consultation, now: datetime.datetime) -> list[Volunteer]:
    """Dispatch to the volunteers on shift now who may answer it, those of its category
    (or above it) if any; returns who got it."""
    on_duty = [
        v
        for v in selectors.volunteers_on_duty(consultation.area, now).prefetch_related("specialties")
        if v.user_id != consultation.asker_id
    ]
    chosen = [v for v in on_duty if _matches(v, consultation.legal_category)] or on_duty
    sent = []
    for volunteer in chosen:
        try:
            with transaction.atomic():
                Dispatch.objects.create(consultation=consultation, volunteer=volunteer, by=None)
        except IntegrityError:
            continue
        _send_later(
            volunteer.user.phone,
            gettext("12348法网有一条在线咨询已超过承诺答复时间仍未解答，请尽快解答：{title}").format(
                title=consultation.public_title
            ),
        )
        sent.append(volunteer)
    return sent


def directors_of(area: OrgNode) -> list:
    """The site directors serving `area`: those of the nearest node above it that has any."""
    from open12348.accounts.models import User

    codes = [code for code in area.path.split("/") if code]
    directors = list(
        User.objects.filter(is_active=True, role_assignments__role="site_director", staff_profile__org__code__in=codes)
        .select_related("staff_profile__org")
        .order_by("-staff_profile__org__depth", "id")
    )
    if not directors:
        return []
    nearest = directors[0].staff_profile.org.depth
    return [user for user in directors if user.staff_profile.org.depth == nearest]


def consultations_sweep(*, now: datetime.datetime | None = None) -> dict:
    """Keep the answer-time promise. Unanswered questions past `answer_due_at` go to the duty
    list (escalation DUTY: dispatched to the volunteers on shift now in its area, its category
    first); a question on the duty list nobody was on shift for is dispatched by a later sweep
    when someone is. Still unanswered CONSULT_DIRECTOR_AFTER_HOURS after that, the area's
    site directors are told (escalation DIRECTOR). Each step is taken once (a conditional
    update), so running the sweep twice, or in two processes, sends nothing twice."""
    now = now or _now()
    result = {"escalated": 0, "dispatches": 0, "directors": 0}
    waiting = Consultation.objects.filter(status=S.WAITING).select_related("area", "legal_category", "asker")
    for consultation in waiting.filter(escalation=Consultation.Escalation.NONE, answer_due_at__lt=now):
        with transaction.atomic():
            won = Consultation.objects.filter(
                pk=consultation.pk, status=S.WAITING, escalation=Consultation.Escalation.NONE
            ).update(escalation=Consultation.Escalation.DUTY, escalated_at=now)
            if not won:
                continue
            sent = _duty_dispatch(consultation, now)
            audit.record(
                actor=None,
                actor_label=SYSTEM,
                verb="consultation.escalated_to_duty",
                target=consultation,
                org=consultation.area,
                payload={
                    "answer_due_at": consultation.answer_due_at.isoformat(),
                    "volunteers": [v.pk for v in sent],
                },
            )
        result["escalated"] += 1
        result["dispatches"] += len(sent)
    nobody = waiting.filter(escalation=Consultation.Escalation.DUTY).exclude(
        Exists(Dispatch.objects.filter(consultation=OuterRef("pk")))
    )
    for consultation in nobody:
        with transaction.atomic():
            sent = _duty_dispatch(consultation, now)
            if sent:
                audit.record(
                    actor=None,
                    actor_label=SYSTEM,
                    verb="consultation.dispatched",
                    target=consultation,
                    org=consultation.area,
                    payload={"volunteers": [v.pk for v in sent], "by_sweep": True},
                )
        result["dispatches"] += len(sent)
    cutoff = now - datetime.timedelta(hours=settings.CONSULT_DIRECTOR_AFTER_HOURS)
    for consultation in waiting.filter(escalation=Consultation.Escalation.DUTY, escalated_at__lte=cutoff):
        with transaction.atomic():
            won = Consultation.objects.filter(
                pk=consultation.pk, status=S.WAITING, escalation=Consultation.Escalation.DUTY
            ).update(escalation=Consultation.Escalation.DIRECTOR)
            if not won:
                continue
            directors = directors_of(consultation.area)
            audit.record(
                actor=None,
                actor_label=SYSTEM,
                verb="consultation.escalated_to_director",
                target=consultation,
                org=consultation.area,
                payload={
                    "answer_due_at": consultation.answer_due_at.isoformat(),
                    "directors": [user.get_username() for user in directors],
                },
            )
            for director in directors:
                _send_later(
                    director.phone,
                    gettext("在线咨询「{title}」已超过承诺答复时间{hours}小时仍无人解答，请督办。").format(
                        title=consultation.public_title, hours=settings.CONSULT_DIRECTOR_AFTER_HOURS
                    ),
                )
        result["directors"] += 1
    return result
