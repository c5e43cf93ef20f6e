"""Online consultation in a real browser (Debian's Chromium through Playwright): a citizen on
a 360 px phone asks (the category suggested as they type), a volunteer in a second browser
answers, the citizen adopts; the adopted badge and the volunteer's points show. And the ask
form in 大字版: body text ≥ 18 px, the submit button ≥ 60×60 px, no sideways scrolling."""

import pytest
from django.urls import reverse

from open12348.accounts.tests.factories import TEST_PASSWORD
from open12348.consultations import services
from open12348.consultations.models import Answer, Consultation
from open12348.consultations.tests.factories import ANSWER_BODY, ask
from open12348.portal.tests.test_accessibility import violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "zh-CN"}
TITLE = "老板拖欠工资三个月怎么办"
BODY = "我在工厂上班，老板已经三个月没发工资了，我的电话13912345678，应该怎么维权？"


@pytest.fixture
def contexts(browser):
    made = []

    def new():
        context = browser.new_context(**PHONE)
        context.set_default_timeout(10_000)
        made.append(context)
        return context.new_page()

    yield new
    for context in made:
        context.close()


def sign_in(page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}{reverse('accounts:login')}?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def no_sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_citizen_asks_on_a_phone_volunteer_answers_citizen_adopts(
    contexts, live_server, asker, volunteer_a, town_a, catalog
):
    citizen = contexts()
    ask_url = reverse("consultations:ask")
    sign_in(citizen, live_server, "asker", ask_url)
    assert citizen.url.endswith(ask_url)
    assert no_sideways_scroll(citizen) <= 0

    citizen.fill("#id_title", TITLE)
    citizen.locator("#id_body").press_sequentially(BODY[:12], delay=20)
    citizen.fill("#id_body", BODY)
    citizen.locator("#id_body").press("End")  # an input event after the fill
    from playwright.sync_api import expect

    expect(citizen.locator("#suggest-hint")).to_contain_text("劳动纠纷")  # htmx, debounced
    expect(citizen.locator("#id_legal_category")).to_have_value(str(catalog["labor"].pk))  # the suggestion chosen
    citizen.select_option("#id_area", town_a.code)
    citizen.check("#id_visibility_0")
    with citizen.expect_navigation():
        citizen.click("#ask-submit")

    consultation = Consultation.objects.get()
    assert citizen.url.endswith(reverse("consultations:detail", args=[consultation.pk]))
    assert "您的问题已提交" in citizen.inner_text(".messages")
    assert citizen.inner_text("#tracking-code") == consultation.work_order.tracking_code
    assert consultation.legal_category == catalog["labor"]
    assert no_sideways_scroll(citizen) <= 0

    volunteer = contexts()
    sign_in(volunteer, live_server, "volunteer_a", reverse("consultations:queue"))
    assert "13912345678" not in volunteer.inner_text("main")  # the queue shows the masked title
    with volunteer.expect_navigation():
        volunteer.get_by_role("link", name=consultation.public_title).click()
    volunteer.fill("#id_body", ANSWER_BODY)
    with volunteer.expect_navigation():
        volunteer.get_by_role("button", name="发布解答").click()
    assert "您的解答已发布" in volunteer.inner_text(".messages")
    answer = Answer.objects.get()

    citizen.reload()
    assert ANSWER_BODY in citizen.inner_text(f"#answer-{answer.pk}")
    citizen.select_option(f"#rating-{answer.pk}", "5")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="采纳此解答").click()
    badge = citizen.locator(f"#answer-{answer.pk} .adopted-badge")
    assert badge.is_visible() and "已采纳" in badge.inner_text()
    assert no_sideways_scroll(citizen) <= 0

    with citizen.expect_navigation():
        citizen.get_by_role("link", name=volunteer_a.display_name).click()
    assert citizen.inner_text("#stat-points") == "10"
    assert citizen.inner_text("#stat-adopted") == "1"
    assert no_sideways_scroll(citizen) <= 0


def test_ask_form_in_large_type_has_big_text_and_targets_and_no_sideways_scroll(
    contexts, live_server, asker, town_a, catalog
):
    page = contexts()
    sign_in(page, live_server, "asker", reverse("consultations:ask"))
    assert no_sideways_scroll(page) <= 0
    with page.expect_navigation():
        page.click("#pref-large")
    assert page.url.endswith(reverse("consultations:ask"))
    assert "ui-large" in page.evaluate("document.documentElement.className")

    for selector in ("body", ".lead", "label[for=id_title]", ".help-text", "#id_body"):
        size = page.evaluate("(s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", selector)
        assert size >= 18, f"{selector} is {size}px in 大字版"
    box = page.locator("#ask-submit").bounding_box()
    assert box["width"] >= 60 and box["height"] >= 60, box
    for selector in ("select", ".radio-option"):
        for width, height in page.eval_on_selector_all(
            selector, "(els) => els.map((e) => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
        ):
            assert width >= 60 and height >= 60, f"{selector} target is {width}×{height} in 大字版"
    assert no_sideways_scroll(page) <= 0

    # The list page too, in large type.
    page.goto(live_server.url + reverse("consultations:list"))
    assert no_sideways_scroll(page) <= 0
    box = page.get_by_role("link", name="我要咨询").bounding_box()
    assert box["width"] >= 60 and box["height"] >= 60


def test_pages_have_no_serious_accessibility_violations(
    browser, live_server, asker, volunteer_a, director_a, town_a, catalog
):
    """axe-core (WCAG 2.1 A/AA, serious and critical) on every page of the app, as the people
    who use them, in standard and large type."""
    consultation = ask(asker, town_a, title=TITLE, body=BODY)
    answer = services.answer_post(actor=volunteer_a.user, consultation=consultation, body=ANSWER_BODY)
    services.message_post(actor=volunteer_a.user, answer=answer, body="请问您有劳动合同吗？")
    services.shift_create(actor=volunteer_a.user, volunteer=volunteer_a, weekday=0, starts="09:00", ends="12:00")
    detail = reverse("consultations:detail", args=[consultation.pk])
    pages = {
        None: [reverse("consultations:list"), detail, reverse("consultations:answerer", args=[volunteer_a.pk])],
        "asker": [reverse("consultations:ask"), detail],
        "volunteer_a": [reverse("consultations:queue"), reverse("consultations:volunteer")],
        "director_a": [reverse("consultations:manage"), detail],
    }
    found = []
    for username, urls in pages.items():
        for large in (False, True):
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=True)
            context.set_default_timeout(10_000)
            if large:
                context.add_cookies([{"name": "ui", "value": "large", "url": live_server.url}])
            page = context.new_page()
            if username:
                sign_in(page, live_server, username, urls[0])
            for url in urls:
                page.goto(live_server.url + url)
                page.wait_for_load_state("networkidle")
                found += [f"{username} {url} large={large}: {line}" for line in violations(page)]
            context.close()
    assert found == []
