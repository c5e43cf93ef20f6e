"""Every write of online consultation: the life cycle ask → answer → follow-up → adopt →
points → rating, the work order behind each question, the refusals (who, what, when), the
escalation sweep of the answer-time promise, dispatch, closing, shifts and entrustment."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from open12348.accounts.tests.factories import make_staff
from open12348.audit.models import Event
from open12348.consultations import services
from open12348.consultations.models import Answer, Consultation, Dispatch, Entrustment, PointEntry, Shift
from open12348.consultations.tests.factories import ANSWER_BODY, QUESTION_BODY, age, ask, make_volunteer
from open12348.core.sms import MemorySmsBackend
from open12348.directory.tests.factories import make_practitioner
from open12348.workorders.models import Channel, Note, ReturnVisit, Status, WorkOrder

pytestmark = pytest.mark.django_db

BJ = datetime.timezone(datetime.timedelta(hours=8))


def verbs(target) -> list[str]:
    return list(
        Event.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
        .order_by("seq")
        .values_list("verb", flat=True)
    )


@pytest.fixture(autouse=True)
def empty_outbox():
    MemorySmsBackend.outbox.clear()
    yield
    MemorySmsBackend.outbox.clear()


def answered(question, volunteer, body=ANSWER_BODY) -> Answer:
    return services.answer_post(actor=volunteer.user, consultation=question, body=body)


# --- asking ----------------------------------------------------------------------------------


def test_a_citizen_asks_and_the_question_is_a_web_work_order(asker, town_a, catalog):
    consultation = ask(asker, town_a, is_public=True)

    order = consultation.work_order
    assert (order.channel, order.service_item.code, order.area, order.status) == (
        Channel.WEB,
        "consultation",
        town_a,
        Status.RECEIVED,
    )
    assert order.applicant.user == asker and order.applicant.phone == asker.phone
    assert consultation.title in order.description and consultation.body in order.description
    assert (consultation.status, consultation.asker, consultation.area) == (Consultation.Status.WAITING, asker, town_a)
    assert consultation.answer_due_at > consultation.created_at
    assert verbs(consultation) == ["consultation.asked"]
    assert "workorder.created" in verbs(order)


def test_the_category_is_suggested_from_the_text_when_none_is_chosen(asker, town_a, catalog):
    consultation = ask(asker, town_a)
    assert consultation.legal_category == catalog["labor"] == consultation.suggested_category


def test_a_chosen_category_is_kept_and_the_suggestion_still_recorded(asker, town_a, catalog):
    consultation = ask(asker, town_a, legal_category=catalog["divorce"])
    assert (consultation.legal_category, consultation.suggested_category) == (catalog["divorce"], catalog["labor"])
    assert consultation.work_order.legal_category == catalog["divorce"]


def test_a_question_nothing_fits_is_general(asker, town_a, catalog):
    consultation = ask(asker, town_a, title="请问一个问题", body="我想了解一下这个情况应该去哪里问比较好呢")
    assert consultation.legal_category == catalog["general"] and consultation.suggested_category is None


def test_a_question_without_area_belongs_to_the_top_of_the_tree(asker, city, town_a, catalog):
    assert ask(asker, None).area == city


def test_personal_details_are_masked_in_the_public_text_only(asker, town_a, catalog):
    consultation = ask(
        asker,
        town_a,
        title="身份证320585199001011234被冒用",
        body="我的手机１３８１２３４５６７８，座机0512-53520000，请联系我。",
    )
    assert consultation.title == "身份证320585199001011234被冒用"
    assert consultation.public_title == "身份证" + "*" * 18 + "被冒用"
    assert consultation.public_body == "我的手机１３８********，座机0512-********，请联系我。"
    assert "１３８１２３４５６７８" in consultation.body


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>",
        "＜script＞alert(1)＜/script＞",
        "\"><svg/onload=alert('脚本')>",
        "javascript:alert(document.cookie)",
    ],
)
def test_script_in_a_question_is_stored_as_plain_text(asker, town_a, catalog, payload):
    consultation = ask(asker, town_a, title=f"请问{payload}"[:60], body=f"问题描述：{payload}，怎么办？")
    assert payload in consultation.body and payload in consultation.public_body


def test_control_and_invisible_characters_are_removed(asker, town_a, catalog):
    consultation = ask(asker, town_a, title="工资\u202e被拖欠\x00怎么办", body="单位拖欠工资\u200b三个月了\x07怎么办")
    assert consultation.title == "工资被拖欠怎么办"
    assert consultation.body == "单位拖欠工资三个月了怎么办"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "请填写标题。"),
        ({"title": "   "}, "title", "请填写标题。"),
        ({"title": "工资"}, "title", "标题至少需要5个字（当前2字）。"),
        ({"title": "长" * 61}, "title", "标题不能超过60个字（当前61字）。"),
        ({"body": ""}, "body", "请填写问题描述。"),
        ({"body": "太短了"}, "body", "问题描述至少需要10个字（当前3字）。"),
        ({"body": "长" * 5001}, "body", "问题描述不能超过5000个字（当前5001字）。"),
        ({"submit_key": ""}, "submit_key", "提交标识无效，请刷新页面后重新提交。"),
        ({"legal_category": "labor"}, "legal_category", "请选择有效的法律类别。"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(asker, town_a, catalog, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        ask(asker, town_a, **fields)
    assert refused.value.message_dict[field] == [message]
    assert Consultation.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_every_bad_field_is_reported_at_once(asker, town_a, catalog):
    with pytest.raises(ValidationError) as refused:
        ask(asker, town_a, title="", body="")
    assert set(refused.value.message_dict) == {"title", "body"}


def test_a_double_tap_creates_one_question(asker, town_a, catalog):
    first = ask(asker, town_a, submit_key="same-key")
    second = ask(asker, town_a, submit_key="same-key", title="另一个不同的问题标题")
    assert first.pk == second.pk
    assert Consultation.objects.count() == 1 and WorkOrder.objects.count() == 1


def test_the_same_submit_key_from_another_citizen_is_another_question(asker, other_citizen, town_a, catalog):
    first = ask(asker, town_a, submit_key="same-key")
    second = ask(other_citizen, town_a, submit_key="same-key")
    assert first.pk != second.pk


def test_anonymous_visitors_and_staff_cannot_ask(clerk_a, town_a, catalog):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        ask(AnonymousUser(), town_a)
    with pytest.raises(PermissionDenied):
        ask(clerk_a, town_a)
    assert Consultation.objects.count() == 0


def test_an_account_without_a_phone_is_asked_to_add_one(town_a, catalog):
    from open12348.accounts.tests.factories import make_citizen

    citizen = make_citizen("nophone", "13700000009")
    citizen.phone = ""
    with pytest.raises(ValidationError) as refused:
        ask(citizen, town_a)
    assert "手机号码" in refused.value.message_dict["__all__"][0]


@override_settings(CONSULT_ASK_PER_HOUR=2, CONSULT_ASK_PER_IP_HOUR=3)
def test_asking_is_rate_limited_per_phone_and_per_ip(
    asker, other_citizen, town_a, catalog, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.clear()
    assert not services.ask_rate_limited(phone=asker.phone, ip="10.0.0.1")
    with django_capture_on_commit_callbacks(execute=True):
        ask(asker, town_a, ip="10.0.0.1")
        ask(asker, town_a, submit_key="replayed", ip="10.0.0.1")
        ask(asker, town_a, submit_key="replayed", ip="10.0.0.1")  # a replay is not counted again
    assert services.ask_rate_limited(phone=asker.phone, ip="10.0.0.9")
    assert not services.ask_rate_limited(phone=other_citizen.phone, ip="10.0.0.1")
    with django_capture_on_commit_callbacks(execute=True):
        ask(other_citizen, town_a, ip="10.0.0.1")
    assert services.ask_rate_limited(phone=other_citizen.phone, ip="10.0.0.1")
    assert not services.ask_rate_limited(phone=other_citizen.phone, ip="10.0.0.2")
    cache.clear()


def test_attachments_go_to_the_questions_work_order(asker, town_a, catalog):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("合同.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    consultation = ask(asker, town_a, attachments=[pdf])
    assert [a.original_name for a in consultation.work_order.attachments.all()] == ["合同.pdf"]


def test_a_refused_attachment_refuses_the_question_and_writes_nothing(asker, town_a, catalog):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", "application/octet-stream")
    with pytest.raises(ValidationError) as refused:
        ask(asker, town_a, attachments=[bad])
    assert "attachments" in refused.value.message_dict
    assert Consultation.objects.count() == 0 and WorkOrder.objects.count() == 0


# --- answering --------------------------------------------------------------------------------


def test_the_first_answer_keeps_the_promise_and_moves_the_work_order(question, volunteer_a):
    answer = answered(question, volunteer_a)

    question.refresh_from_db()
    assert (answer.volunteer, answer.author) == (volunteer_a, volunteer_a.user)
    assert question.status == Consultation.Status.ANSWERED and question.first_answered_at is not None
    order = question.work_order
    order.refresh_from_db()
    assert (order.status, order.assignee) == (Status.IN_PROGRESS, volunteer_a.user)
    assert list(Note.objects.filter(work_order=order, is_public=True).values_list("body", flat=True)) == [ANSWER_BODY]
    assert verbs(order)[-3:] == ["workorder.claim", "workorder.start", "workorder.note_added"]
    assert verbs(question)[-1] == "consultation.answered"


def test_several_people_answer_but_each_only_once(question, volunteer_a, student_a):
    answered(question, volunteer_a)
    answered(question, student_a)
    with pytest.raises(services.ConsultationConflict, match="您已解答过该问题"):
        answered(question, volunteer_a, body="我再补充一点，还可以申请法律援助的。")
    assert question.answers.count() == 2
    question.work_order.refresh_from_db()
    assert question.work_order.notes.filter(is_public=True).count() == 2


def test_staff_with_the_answer_permission_answer_in_their_area_without_a_volunteer_record(question, lawyer_a):
    answer = services.answer_post(actor=lawyer_a, consultation=question, body=ANSWER_BODY)
    assert answer.volunteer is None and answer.author == lawyer_a


def test_answers_outside_the_area_or_without_permission_are_refused(question, volunteer_b, clerk_a, outsider_b):
    for actor in (volunteer_b.user, clerk_a, outsider_b):
        with pytest.raises(PermissionDenied, match="不在您的解答范围内"):
            services.answer_post(actor=actor, consultation=question, body=ANSWER_BODY)
    assert question.answers.count() == 0


def test_the_asker_cannot_answer_their_own_question(question, asker):
    with pytest.raises(PermissionDenied, match="不能解答自己提出的问题"):
        services.answer_post(actor=asker, consultation=question, body=ANSWER_BODY)


def test_a_volunteer_without_a_staff_role_answers_until_the_record_is_deactivated(question, area_a):
    from open12348.accounts.tests.factories import make_citizen

    student = make_volunteer(make_citizen("law_student", "13700000005"), area_a, kind="student")
    answered(question, student)
    other = ask(question.asker, question.area, title="另一个关于工资的问题")
    student.is_active = False
    services.volunteer_save(actor=None, volunteer=student)
    with pytest.raises(PermissionDenied):
        answered(other, student)


@pytest.mark.parametrize(
    ("body", "message"), [("", "请填写解答内容。"), ("好的", "解答内容至少需要10个字（当前2字）。")]
)
def test_a_too_short_answer_is_refused(question, volunteer_a, body, message):
    with pytest.raises(ValidationError) as refused:
        answered(question, volunteer_a, body=body)
    assert refused.value.message_dict == {"body": [message]}


# --- follow-up --------------------------------------------------------------------------------


def test_the_asker_and_the_answerer_follow_up_and_nobody_else(question, volunteer_a, student_a, asker, other_citizen):
    answer = answered(question, volunteer_a)
    asked = services.message_post(actor=volunteer_a.user, answer=answer, body="请问您签劳动合同了吗？")
    replied = services.message_post(actor=asker, answer=answer, body="签了，我的电话13812345678。")
    assert (asked.from_asker, replied.from_asker) == (False, True)
    assert replied.public_body == "签了，我的电话138********。"
    for actor in (student_a.user, other_citizen):
        with pytest.raises(PermissionDenied):
            services.message_post(actor=actor, answer=answer, body="我也想问一下")
    with pytest.raises(ValidationError):
        services.message_post(actor=asker, answer=answer, body="   ")
    assert verbs(question).count("consultation.message_posted") == 2


# --- adoption and points ----------------------------------------------------------------------


def test_the_asker_adopts_an_answer_and_the_volunteer_earns_points(question, volunteer_a, asker):
    answer = answered(question, volunteer_a)
    adopted = services.answer_adopt(actor=asker, consultation=question, answer=answer)

    assert (adopted.status, adopted.adopted_answer, adopted.adopted_by_moderator) == (
        Consultation.Status.ADOPTED,
        answer,
        False,
    )
    volunteer_a.refresh_from_db()
    answer.refresh_from_db()
    assert volunteer_a.points == 10 == answer.points_awarded
    entry = PointEntry.objects.get()
    assert (entry.volunteer, entry.points, entry.reason, entry.answer) == (volunteer_a, 10, "adopted", answer)
    order = WorkOrder.objects.get(pk=question.work_order_id)
    assert (order.status, order.outcome_code) == (Status.RESOLVED, "answered")
    assert "consultation.adopted" in verbs(question)


def test_a_question_is_adopted_once(question, volunteer_a, student_a, asker):
    first, second = answered(question, volunteer_a), answered(question, student_a)
    services.answer_adopt(actor=asker, consultation=question, answer=first)
    with pytest.raises(services.ConsultationConflict, match="已采纳过"):
        services.answer_adopt(actor=asker, consultation=question, answer=second)
    assert PointEntry.objects.count() == 1


def test_after_adoption_no_more_answers(question, volunteer_a, student_a, asker):
    services.answer_adopt(actor=asker, consultation=question, answer=answered(question, volunteer_a))
    with pytest.raises(services.ConsultationConflict, match="已采纳解答"):
        answered(question, student_a)


def test_other_people_cannot_adopt(question, volunteer_a, student_a, other_citizen):
    answer = answered(question, volunteer_a)
    for actor in (other_citizen, student_a.user):
        with pytest.raises(PermissionDenied):
            services.answer_adopt(actor=actor, consultation=question, answer=answer)


def test_a_moderator_adopts_only_after_seven_days(question, volunteer_a, director_a):
    answer = answered(question, volunteer_a)
    with pytest.raises(PermissionDenied, match="满7天"):
        services.answer_adopt(actor=director_a, consultation=question, answer=answer)
    age(question, days=7, minutes=1)
    adopted = services.answer_adopt(actor=director_a, consultation=question, answer=answer)
    assert adopted.adopted_by_moderator
    volunteer_a.refresh_from_db()
    assert volunteer_a.points == 5
    assert PointEntry.objects.get().reason == "moderator_adopted"


def test_a_moderator_of_another_area_cannot_adopt(question, volunteer_a, outsider_b):
    answer = answered(question, volunteer_a)
    age(question, days=8)
    with pytest.raises(PermissionDenied):
        services.answer_adopt(actor=outsider_b, consultation=question, answer=answer)


def test_nobody_adopts_their_own_answer(question, area_a):
    director_lawyer = make_staff("director_lawyer", area_a, "site_director", "lawyer")
    answer = services.answer_post(actor=director_lawyer, consultation=question, body=ANSWER_BODY)
    age(question, days=8)
    with pytest.raises(PermissionDenied, match="不能采纳自己的解答"):
        services.answer_adopt(actor=director_lawyer, consultation=question, answer=answer)


def test_a_staff_answer_earns_no_points_but_is_adopted(question, lawyer_a, asker):
    answer = services.answer_post(actor=lawyer_a, consultation=question, body=ANSWER_BODY)
    services.answer_adopt(actor=asker, consultation=question, answer=answer)
    answer.refresh_from_db()
    assert answer.points_awarded == 0 and PointEntry.objects.count() == 0


def test_an_answer_of_another_question_cannot_be_adopted(question, asker, town_a, volunteer_a):
    other = ask(asker, town_a, title="另一个关于工资的问题")
    foreign = answered(other, volunteer_a)
    with pytest.raises(ValidationError):
        services.answer_adopt(actor=asker, consultation=question, answer=foreign)


# --- rating -----------------------------------------------------------------------------------


def test_the_asker_rates_the_adopted_answer_once_and_it_is_the_orders_satisfaction(question, volunteer_a, asker):
    answer = answered(question, volunteer_a)
    with pytest.raises(services.ConsultationConflict, match="采纳解答后才能评价"):
        services.consultation_rate(actor=asker, consultation=question, rating=5)
    services.answer_adopt(actor=asker, consultation=question, answer=answer)
    rated = services.consultation_rate(actor=asker, consultation=question, rating=5)
    assert rated.rating == 5
    order = WorkOrder.objects.get(pk=question.work_order_id)
    assert order.satisfaction == 5
    assert ReturnVisit.objects.get(work_order=order).method == ReturnVisit.Method.SELF
    with pytest.raises(services.ConsultationConflict, match="已评价"):
        services.consultation_rate(actor=asker, consultation=question, rating=4)


def test_adopting_and_rating_in_one_step(question, volunteer_a, asker):
    answer = answered(question, volunteer_a)
    adopted = services.answer_adopt(actor=asker, consultation=question, answer=answer, rating=4)
    assert (adopted.status, adopted.rating) == (Consultation.Status.ADOPTED, 4)


@pytest.mark.parametrize("rating", [0, 6, "五", None])
def test_a_rating_is_one_to_five_stars(question, volunteer_a, asker, rating):
    services.answer_adopt(actor=asker, consultation=question, answer=answered(question, volunteer_a))
    with pytest.raises(ValidationError) as refused:
        services.consultation_rate(actor=asker, consultation=question, rating=rating)
    assert list(refused.value.message_dict) == ["rating"]


def test_only_the_asker_rates(question, volunteer_a, asker, other_citizen):
    services.answer_adopt(actor=asker, consultation=question, answer=answered(question, volunteer_a))
    with pytest.raises(PermissionDenied):
        services.consultation_rate(actor=other_citizen, consultation=question, rating=5)


def test_a_moderator_adopting_cannot_rate_for_the_asker(question, volunteer_a, director_a):
    answer = answered(question, volunteer_a)
    age(question, days=8)
    with pytest.raises(ValidationError):
        services.answer_adopt(actor=director_a, consultation=question, answer=answer, rating=5)


# --- entrustment ------------------------------------------------------------------------------


@pytest.fixture
def lawyer_volunteer(area_a, catalog):
    user = make_staff("lawyer_volunteer", area_a, "lawyer", "volunteer")
    practitioner = make_practitioner(area_a, "顾示例", user=user)
    return make_volunteer(user, area_a, practitioner=practitioner, specialties=[catalog["labor"]])


def test_the_asker_entrusts_the_lawyer_who_answered(question, lawyer_volunteer, asker):
    answer = answered(question, lawyer_volunteer)
    entrustment = services.entrustment_request(actor=asker, consultation=question, answer=answer)

    order = entrustment.work_order
    assert (order.channel, order.service_item.code, order.area) == (Channel.WEB, "lawyer", question.area)
    assert order.applicant.user == asker and "顾示例" in order.description
    assert entrustment.practitioner == lawyer_volunteer.practitioner
    with pytest.raises(services.ConsultationConflict, match="已就该解答提交过"):
        services.entrustment_request(actor=asker, consultation=question, answer=answer)
    assert Entrustment.objects.count() == 1


def test_only_a_lawyers_answer_can_be_entrusted_and_only_by_the_asker(
    question, student_a, lawyer_volunteer, asker, other_citizen
):
    with pytest.raises(ValidationError, match="不是执业律师"):
        services.entrustment_request(actor=asker, consultation=question, answer=answered(question, student_a))
    lawyer_answer = answered(question, lawyer_volunteer)
    with pytest.raises(PermissionDenied):
        services.entrustment_request(actor=other_citizen, consultation=question, answer=lawyer_answer)


# --- moderation -------------------------------------------------------------------------------


def test_a_director_dispatches_a_question_to_a_volunteer(
    question, director_a, student_a, django_capture_on_commit_callbacks
):
    student_a.user.phone = "13600000003"
    student_a.user.save(update_fields=["phone", "phone_hash"])
    with django_capture_on_commit_callbacks(execute=True):
        dispatch = services.consultation_dispatch(actor=director_a, consultation=question, volunteer=student_a)
    assert (dispatch.by, dispatch.volunteer) == (director_a, student_a)
    assert MemorySmsBackend.outbox[0][0] == "13600000003"
    with pytest.raises(services.ConsultationConflict):
        services.consultation_dispatch(actor=director_a, consultation=question, volunteer=student_a)


def test_dispatch_is_for_moderators_to_volunteers_of_the_area(question, director_a, clerk_a, volunteer_a, volunteer_b):
    with pytest.raises(PermissionDenied):
        services.consultation_dispatch(actor=clerk_a, consultation=question, volunteer=volunteer_a)
    with pytest.raises(ValidationError):
        services.consultation_dispatch(actor=director_a, consultation=question, volunteer=volunteer_b)


def test_a_moderator_closes_a_question_and_it_leaves_the_public_list(question, director_a, volunteer_a):
    from open12348.consultations import selectors

    closed = services.consultation_close(actor=director_a, consultation=question, reason="重复提问")
    assert (closed.status, closed.close_reason) == (Consultation.Status.CLOSED, "重复提问")
    assert question not in selectors.public_consultations()
    order = WorkOrder.objects.get(pk=question.work_order_id)
    assert (order.status, order.status_reason) == (Status.REJECTED, "重复提问")
    with pytest.raises(services.ConsultationConflict, match="已关闭"):
        answered(question, volunteer_a)
    with pytest.raises(services.ConsultationConflict):
        services.consultation_close(actor=director_a, consultation=question, reason="再次关闭")


def test_closing_an_answered_question_resolves_its_work_order(question, director_a, volunteer_a):
    answered(question, volunteer_a)
    services.consultation_close(actor=director_a, consultation=question, reason="提问人已电话咨询解决")
    order = WorkOrder.objects.get(pk=question.work_order_id)
    assert (order.status, order.outcome_code) == (Status.RESOLVED, "answered")


def test_closing_needs_a_reason_and_a_moderator(question, director_a, volunteer_a, asker):
    with pytest.raises(ValidationError):
        services.consultation_close(actor=director_a, consultation=question, reason=" ")
    for actor in (volunteer_a.user, asker):
        with pytest.raises(PermissionDenied):
            services.consultation_close(actor=actor, consultation=question, reason="关闭")


def test_a_view_is_counted(question):
    services.consultation_viewed(consultation=question)
    services.consultation_viewed(consultation=question)
    question.refresh_from_db()
    assert question.view_count == 2


# --- shifts -----------------------------------------------------------------------------------


def test_a_volunteer_keeps_their_own_shifts_without_overlaps(volunteer_a, student_a, director_a):
    shift = services.shift_create(
        actor=volunteer_a.user, volunteer=volunteer_a, weekday=0, starts="09:00", ends="12:00"
    )
    with pytest.raises(ValidationError) as overlap:
        services.shift_create(actor=volunteer_a.user, volunteer=volunteer_a, weekday=0, starts="11:00", ends="13:00")
    assert list(overlap.value.message_dict) == ["starts"]
    services.shift_create(actor=volunteer_a.user, volunteer=volunteer_a, weekday=0, starts="13:30", ends="17:30")
    with pytest.raises(PermissionDenied):
        services.shift_create(actor=student_a.user, volunteer=volunteer_a, weekday=1, starts="09:00", ends="12:00")
    services.shift_create(actor=director_a, volunteer=volunteer_a, weekday=2, starts="09:00", ends="12:00")
    shift_pk = shift.pk
    services.shift_delete(actor=volunteer_a.user, shift=shift)
    assert Shift.objects.filter(volunteer=volunteer_a).count() == 2
    assert Event.objects.filter(verb="consultation.shift_deleted", target_id=str(shift_pk)).exists()


@pytest.mark.parametrize(
    ("weekday", "starts", "ends", "field"),
    [(7, "09:00", "12:00", "weekday"), (0, "12:00", "09:00", "ends"), (0, "九点", "12:00", "starts")],
)
def test_a_shift_needs_a_weekday_and_a_time_range(volunteer_a, weekday, starts, ends, field):
    with pytest.raises(ValidationError) as refused:
        services.shift_create(actor=volunteer_a.user, volunteer=volunteer_a, weekday=weekday, starts=starts, ends=ends)
    assert field in refused.value.message_dict


# --- the answer-time promise: escalation ---------------------------------------------------------

MONDAY = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=BJ)  # due 16:30 the same day


@pytest.fixture
def on_shift(volunteer_a, student_a):
    """volunteer_a (labour) on Monday afternoons, student_a (no specialty) all Monday."""
    services.shift_create(actor=volunteer_a.user, volunteer=volunteer_a, weekday=0, starts="13:30", ends="18:00")
    services.shift_create(actor=student_a.user, volunteer=student_a, weekday=0, starts="08:00", ends="20:00")
    volunteer_a.user.phone = "13600000001"
    volunteer_a.user.save(update_fields=["phone", "phone_hash"])
    return volunteer_a, student_a


@pytest.fixture
def monday_question(asker, town_a, catalog):
    with time_machine.travel(MONDAY, tick=False):
        return ask(asker, town_a)


def test_the_promise_is_five_working_hours(monday_question):
    assert monday_question.answer_due_at == datetime.datetime(2026, 11, 23, 16, 30, tzinfo=BJ)


def test_an_overdue_question_goes_to_the_volunteers_on_shift_of_its_category_then_to_the_director(
    monday_question, on_shift, director_a, django_capture_on_commit_callbacks
):
    director_a.phone = "13600000009"
    director_a.save(update_fields=["phone", "phone_hash"])
    volunteer_a, student_a = on_shift
    before = services.consultations_sweep(now=datetime.datetime(2026, 11, 23, 16, 0, tzinfo=BJ))
    assert before == {"escalated": 0, "dispatches": 0, "directors": 0}

    with django_capture_on_commit_callbacks(execute=True):
        late = services.consultations_sweep(now=datetime.datetime(2026, 11, 23, 17, 0, tzinfo=BJ))
    assert late == {"escalated": 1, "dispatches": 1, "directors": 0}
    monday_question.refresh_from_db()
    assert monday_question.escalation == Consultation.Escalation.DUTY
    assert [d.volunteer for d in Dispatch.objects.all()] == [volunteer_a]  # labour specialist first
    assert MemorySmsBackend.outbox[0][0] == "13600000001"
    again = services.consultations_sweep(now=datetime.datetime(2026, 11, 23, 17, 30, tzinfo=BJ))
    assert again == {"escalated": 0, "dispatches": 0, "directors": 0}

    with django_capture_on_commit_callbacks(execute=True):
        next_day = services.consultations_sweep(now=datetime.datetime(2026, 11, 24, 17, 1, tzinfo=BJ))
    assert next_day["directors"] == 1
    monday_question.refresh_from_db()
    assert monday_question.escalation == Consultation.Escalation.DIRECTOR
    assert MemorySmsBackend.outbox[-1][0] == "13600000009"
    assert services.consultations_sweep(now=datetime.datetime(2026, 11, 25, 17, 1, tzinfo=BJ))["directors"] == 0
    assert verbs(monday_question)[-2:] == ["consultation.escalated_to_duty", "consultation.escalated_to_director"]


def test_with_no_specialist_on_shift_anyone_on_shift_gets_it(monday_question, on_shift):
    volunteer_a, student_a = on_shift
    services.consultations_sweep(now=datetime.datetime(2026, 11, 23, 19, 0, tzinfo=BJ))  # volunteer_a off at 18:00
    assert [d.volunteer for d in Dispatch.objects.all()] == [student_a]


def test_with_nobody_on_shift_a_later_sweep_dispatches(monday_question, volunteer_a):
    services.shift_create(actor=volunteer_a.user, volunteer=volunteer_a, weekday=1, starts="09:00", ends="12:00")
    services.consultations_sweep(now=datetime.datetime(2026, 11, 23, 17, 0, tzinfo=BJ))
    assert Dispatch.objects.count() == 0
    monday_question.refresh_from_db()
    assert monday_question.escalation == Consultation.Escalation.DUTY
    services.consultations_sweep(now=datetime.datetime(2026, 11, 24, 9, 30, tzinfo=BJ))
    assert [d.volunteer for d in Dispatch.objects.all()] == [volunteer_a]
    services.consultations_sweep(now=datetime.datetime(2026, 11, 24, 10, 0, tzinfo=BJ))
    assert Dispatch.objects.count() == 1


def test_an_answered_question_is_not_escalated(monday_question, on_shift):
    volunteer_a, _ = on_shift
    answered(monday_question, volunteer_a)
    assert services.consultations_sweep(now=datetime.datetime(2026, 11, 25, 17, 0, tzinfo=BJ))["escalated"] == 0


def test_the_sweep_command_and_task_run_the_sweep(monday_question, on_shift):
    from django.core.management import call_command

    from open12348.consultations.tasks import consultations_sweep_task

    with time_machine.travel(datetime.datetime(2026, 11, 23, 17, 0, tzinfo=BJ), tick=False):
        call_command("sweepconsultations")
        assert consultations_sweep_task.enqueue().return_value == {"escalated": 0, "dispatches": 0, "directors": 0}
    monday_question.refresh_from_db()
    assert monday_question.escalation == Consultation.Escalation.DUTY


def test_a_late_first_answer_is_recorded_as_not_on_time(monday_question, volunteer_a):
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9, 0, tzinfo=BJ), tick=False):
        answered(monday_question, volunteer_a)
    event = Event.objects.filter(verb="consultation.answered").get()
    assert event.payload["on_time"] is False


def test_body_of_question_fixture_is_the_default(question):
    assert question.body == QUESTION_BODY


# --- demo data ------------------------------------------------------------------------------------


def test_the_demo_volunteers_and_questions_load_once(monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    from open12348.consultations.demo import seed_consultations
    from open12348.consultations.models import Volunteer, VolunteerUnit
    from open12348.core.demo.loader import DEFAULT_PASSWORD, PASSWORD_ENV

    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    call_command("seeddemo", stdout=StringIO())
    seed_consultations(password=DEFAULT_PASSWORD)

    assert VolunteerUnit.objects.get().name == "太仓市法律服务志愿队（示例）"
    volunteers = Volunteer.objects.order_by("user__username")
    assert [v.user.username for v in volunteers] == ["demo_lawyer", "demo_volunteer", "demo_volunteer2"]
    assert all("示例" in v.display_name and v.shifts.exists() for v in volunteers)
    assert volunteers[0].practitioner.name == "顾明达" and volunteers[0].points > 0
    consultations = Consultation.objects.all()
    assert consultations.count() == 5 and all("示例" in c.title and c.is_public for c in consultations)
    assert set(consultations.values_list("status", flat=True)) == {"waiting", "answered", "adopted"}
    assert consultations.filter(rating__isnull=False).count() == 2
    counts = (Consultation.objects.count(), Answer.objects.count(), PointEntry.objects.count(), Shift.objects.count())
    events = Event.objects.count()
    seed_consultations(password=DEFAULT_PASSWORD)
    assert (
        Consultation.objects.count(),
        Answer.objects.count(),
        PointEntry.objects.count(),
        Shift.objects.count(),
    ) == counts
    assert Event.objects.count() == events
