"""Reads of online consultation: the public list, who sees what, the answer queue, the
volunteer's dashboard, who is on duty, the promise told on the page, the director's overdue
list and the answerer's profile figures."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from open12348.accounts.tests.factories import make_staff
from open12348.consultations import selectors, services
from open12348.consultations.models import Consultation
from open12348.consultations.tests.factories import ANSWER_BODY, age, ask, make_volunteer
from open12348.directory.tests.factories import make_practitioner

pytestmark = pytest.mark.django_db

BJ = datetime.timezone(datetime.timedelta(hours=8))


def answer(consultation, volunteer):
    return services.answer_post(actor=volunteer.user, consultation=consultation, body=ANSWER_BODY)


@pytest.fixture
def private(asker, town_a, catalog):
    return ask(
        asker,
        town_a,
        title="离婚财产怎么分割比较好",
        body="我和丈夫准备离婚，房子是婚前他买的，怎么分？",
        is_public=False,
    )


@pytest.fixture
def divorce(asker, town_a, catalog):
    return ask(asker, town_a, title="离婚后孩子抚养费怎么算", body="离婚后孩子跟我，对方每个月应该给多少抚养费？")


# --- the public list ----------------------------------------------------------------------------


def test_the_public_list_shows_public_open_questions_newest_first(question, private, divorce, director_a):
    closed = ask(question.asker, question.area, title="一个将被关闭的问题")
    services.consultation_close(actor=director_a, consultation=closed, reason="重复")
    assert list(selectors.public_consultations()) == [divorce, question]


def test_the_public_list_filters_by_category_with_its_subcategories(question, divorce, catalog):
    assert list(selectors.public_consultations(category=catalog["labor"])) == [question]
    assert list(selectors.public_consultations(category="marriage_family")) == [divorce]
    assert list(selectors.public_consultations(category="no-such-code")) == []


def test_the_public_list_searches_the_public_text_only(asker, town_a, catalog):
    masked = ask(asker, town_a, title="工资被拖欠请联系13812345678")
    assert list(selectors.public_consultations(q="拖欠")) == [masked]
    assert list(selectors.public_consultations(q="13812345678")) == []


def test_the_public_list_filters_by_area_and_status_and_counts_answers(question, volunteer_a, asker, town_a2, catalog):
    elsewhere = ask(asker, town_a2, title="沙溪镇的工资问题")
    answer(question, volunteer_a)
    assert list(selectors.public_consultations(area=question.area)) == [question]
    assert list(selectors.public_consultations(status="waiting")) == [elsewhere]
    assert selectors.public_consultations(status="answered").get().answer_count == 1


def test_the_detail_loads_answers_and_messages(question, volunteer_a, asker, django_assert_max_num_queries):
    given = answer(question, volunteer_a)
    services.message_post(actor=asker, answer=given, body="请问需要准备什么材料？")
    assert selectors.consultation_detail("nope") is None
    assert selectors.consultation_detail(999999) is None
    detail = selectors.consultation_detail(question.pk)
    with django_assert_max_num_queries(0):
        assert [m.body for a in detail.answers.all() for m in a.messages.all()] == ["请问需要准备什么材料？"]


# --- who sees and does what ------------------------------------------------------------------------


def test_public_questions_are_visible_to_everyone(question):
    assert selectors.consultation_visible_to(AnonymousUser(), question)


def test_private_questions_are_visible_to_the_asker_answerers_and_moderators_of_the_area(
    private, asker, other_citizen, volunteer_a, volunteer_b, director_a, outsider_b, lawyer_a, clerk_a
):
    visible = {
        u.username
        for u in (asker, other_citizen, volunteer_a.user, volunteer_b.user, director_a, outsider_b, lawyer_a, clerk_a)
        if selectors.consultation_visible_to(u, private)
    }
    assert visible == {"asker", "volunteer_a", "director_a", "lawyer_a"}
    assert not selectors.consultation_visible_to(AnonymousUser(), private)
    assert not selectors.consultation_visible_to(AnonymousUser(), None)


def test_the_original_text_is_for_the_asker_answerers_and_moderators(
    question, asker, other_citizen, volunteer_a, director_a
):
    assert selectors.can_see_original(asker, question)
    assert selectors.can_see_original(volunteer_a.user, question)
    assert selectors.can_see_original(director_a, question)
    assert not selectors.can_see_original(other_citizen, question)
    assert not selectors.can_see_original(AnonymousUser(), question)


def test_a_closed_question_is_hidden_from_the_public(question, director_a, asker):
    services.consultation_close(actor=director_a, consultation=question, reason="重复")
    question.refresh_from_db()
    assert not selectors.consultation_visible_to(AnonymousUser(), question)
    assert selectors.consultation_visible_to(asker, question)


def test_can_answer_adopt_rate_and_entrust(question, volunteer_a, asker, other_citizen, area_a, director_a):
    assert selectors.can_answer(volunteer_a.user, question)
    assert not selectors.can_answer(asker, question)
    assert not selectors.can_answer(AnonymousUser(), question)
    given = answer(question, volunteer_a)
    question.refresh_from_db()
    assert not selectors.can_answer(volunteer_a.user, question)  # once
    assert selectors.can_adopt(asker, question, given)
    assert not selectors.can_adopt(volunteer_a.user, question, given)
    assert not selectors.can_adopt(other_citizen, question)
    assert not selectors.can_adopt(director_a, question)
    assert selectors.can_adopt(director_a, age(question, days=8))
    assert not selectors.can_entrust(asker, question, given)  # not a lawyer
    lawyer = make_staff("lawyer_v", area_a, "lawyer")
    make_volunteer(lawyer, area_a, practitioner=make_practitioner(area_a, "律示例", user=lawyer))
    lawyer_answer = services.answer_post(actor=lawyer, consultation=question, body=ANSWER_BODY)
    assert selectors.can_entrust(asker, question, lawyer_answer)
    assert not selectors.can_entrust(other_citizen, question, lawyer_answer)
    assert not selectors.can_rate(asker, question)
    services.answer_adopt(actor=asker, consultation=question, answer=given)
    question.refresh_from_db()
    assert selectors.can_rate(asker, question) and not selectors.can_rate(other_citizen, question)
    assert not selectors.can_adopt(asker, question)


# --- the answer queue ------------------------------------------------------------------------------


def test_the_queue_follows_area_and_specialties(
    question, divorce, volunteer_a, student_a, volunteer_b, lawyer_a, asker
):
    assert list(selectors.answer_queue(volunteer_a.user)) == [question]  # labour only
    assert set(selectors.answer_queue(student_a.user)) == {question, divorce}  # no specialties: all
    assert set(selectors.answer_queue(lawyer_a)) == {question, divorce}  # staff with the permission
    assert list(selectors.answer_queue(volunteer_b.user)) == []
    assert list(selectors.answer_queue(asker)) == []
    assert list(selectors.answer_queue(AnonymousUser())) == []


def test_dispatched_questions_come_first_even_outside_the_specialties(question, divorce, volunteer_a, director_a):
    services.consultation_dispatch(actor=director_a, consultation=divorce, volunteer=volunteer_a)
    queue = list(selectors.answer_queue(volunteer_a.user))
    assert queue == [divorce, question] and queue[0].is_dispatched
    assert list(selectors.answer_queue(volunteer_a.user, mine_first=False)) == [question, divorce]


def test_the_queue_leaves_out_answered_by_me_adopted_and_closed(
    question, divorce, student_a, volunteer_a, asker, director_a
):
    answer(question, student_a)
    assert list(selectors.answer_queue(student_a.user)) == [divorce]
    services.answer_adopt(actor=asker, consultation=question, answer=answer(question, volunteer_a))
    services.consultation_close(actor=director_a, consultation=divorce, reason="重复")
    assert list(selectors.answer_queue(student_a.user)) == []


def test_the_queue_is_oldest_promise_first(asker, town_a, student_a, catalog):
    first = ask(asker, town_a, title="第一个工资的问题")
    second = ask(asker, town_a, title="第二个工资的问题")
    Consultation.objects.filter(pk=second.pk).update(answer_due_at=first.answer_due_at - datetime.timedelta(hours=1))
    assert list(selectors.answer_queue(student_a.user)) == [second, first]


def test_my_consultations_are_my_own(question, private, other_citizen, asker):
    assert list(selectors.my_consultations(asker)) == [private, question]
    assert list(selectors.my_consultations(other_citizen)) == []
    assert list(selectors.my_consultations(AnonymousUser())) == []


def test_the_volunteer_dashboard(question, volunteer_a, asker, director_a, divorce):
    services.shift_create(actor=volunteer_a.user, volunteer=volunteer_a, weekday=0, starts="09:00", ends="12:00")
    services.consultation_dispatch(actor=director_a, consultation=divorce, volunteer=volunteer_a)
    services.answer_adopt(actor=asker, consultation=question, answer=answer(question, volunteer_a))
    data = selectors.volunteer_dashboard(volunteer_a.user)
    assert set(data) >= {"queue", "shifts", "points", "adopted_answers", "recent_point_entries", "dispatched"}
    assert data["points"] == 10
    assert [a.consultation for a in data["adopted_answers"]] == [question]
    assert [e.points for e in data["recent_point_entries"]] == [10]
    assert list(data["dispatched"]) == [divorce] == list(data["queue"])
    assert [s.weekday for s in data["shifts"]] == [0]
    assert selectors.volunteer_dashboard(asker)["volunteer"] is None


def test_volunteers_on_duty_are_those_on_shift_who_serve_the_area(volunteer_a, student_a, volunteer_b, town_a):
    services.shift_create(actor=volunteer_a.user, volunteer=volunteer_a, weekday=0, starts="09:00", ends="12:00")
    services.shift_create(actor=volunteer_b.user, volunteer=volunteer_b, weekday=0, starts="09:00", ends="12:00")
    monday_10 = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=BJ)
    assert list(selectors.volunteers_on_duty(town_a, monday_10)) == [volunteer_a]
    assert list(selectors.volunteers_on_duty(town_a, monday_10.astimezone(datetime.UTC))) == [volunteer_a]
    assert list(selectors.volunteers_on_duty(town_a, monday_10.replace(hour=12))) == []
    assert list(selectors.volunteers_on_duty(town_a, monday_10 + datetime.timedelta(days=1))) == []


# --- the promise on the page -------------------------------------------------------------------------


def test_in_service_hours_the_page_promises_a_time():
    assert (
        selectors.answer_time_message(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=BJ))
        == "承诺在 11月23日 16:30 前首次答复"
    )


def test_outside_service_hours_the_page_is_in_message_mode(db):
    text = selectors.answer_time_message(datetime.datetime(2026, 11, 27, 20, 0, tzinfo=BJ))
    assert text == "现在是非工作时间，您的问题将在 11月30日 15:30 前得到首次答复"


def test_a_questions_own_promise(asker, town_a, catalog, volunteer_a):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=BJ), tick=False):
        consultation = ask(asker, town_a)
        assert selectors.answer_time_message(consultation) == "承诺在 11月23日 16:30 前首次答复"
    with time_machine.travel(datetime.datetime(2026, 11, 23, 17, 0, tzinfo=BJ), tick=False):
        assert "已超过承诺的首次答复时间" in selectors.answer_time_message(consultation)
        answer(consultation, volunteer_a)
        consultation.refresh_from_db()
        assert selectors.answer_time_message(consultation) == ""


# --- the director's list and the profile ----------------------------------------------------------


def test_overdue_questions_are_listed_for_the_moderators_of_their_area(question, director_a, outsider_b, clerk_a):
    later = question.answer_due_at + datetime.timedelta(minutes=1)
    assert list(selectors.overdue_consultations(director_a, now=later)) == [question]
    assert list(selectors.overdue_consultations(director_a, now=question.answer_due_at)) == []
    assert list(selectors.overdue_consultations(outsider_b, now=later)) == []
    assert list(selectors.overdue_consultations(clerk_a, now=later)) == []


def test_moderated_consultations_and_dispatchable_volunteers(
    question, private, director_a, volunteer_a, student_a, volunteer_b
):
    assert list(selectors.moderated_consultations(director_a)) == [private, question]
    assert set(selectors.dispatchable_volunteers(question)) == {volunteer_a, student_a}
    services.consultation_dispatch(actor=director_a, consultation=question, volunteer=student_a)
    assert list(selectors.dispatchable_volunteers(question)) == [volunteer_a]


def test_profile_stats_count_answers_adoptions_and_points(question, divorce, student_a, asker):
    services.answer_adopt(actor=asker, consultation=question, answer=answer(question, student_a))
    answer(divorce, student_a)
    student_a.refresh_from_db()
    assert selectors.profile_stats(student_a) == {"answers": 2, "adopted": 1, "points": 10}
    assert len(selectors.public_answers_of(student_a)) == 2
