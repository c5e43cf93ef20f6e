"""The assistant's pages: /assist/ (full page, works without JavaScript), /assist/ask/ (htmx
partial or whole page), /assist/widget/ (the floating panel), /assist/clear/, the session
history and the per-IP limit. Public pages: anonymous, citizen and staff get the same."""

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import resolve, reverse

from open12348.accounts.tests.factories import sign_in
from open12348.assist import views
from open12348.assist.tests import test_chat
from open12348.assist.tests.test_chat import QUESTION

pytestmark = pytest.mark.django_db

# Fixtures shared with test_chat (pytest finds them by name in this module).
fakes = test_chat.fakes
labor = test_chat.labor
library = test_chat.library


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def ask(client, question=QUESTION, *, htmx=False, **extra):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("assist:ask"), {"question": question, **extra}, headers=headers)


@pytest.mark.parametrize("who", ["anonymous", "citizen", "clerk_a"])
def test_the_chat_page_is_open_to_everyone(client, fakes, who, request):
    if who != "anonymous":
        request.getfixturevalue(who)
        assert sign_in(client, who)

    response = client.get(reverse("assist:page"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "智能咨询" in html and "不构成法律意见" in html
    assert 'hx-post="/assist/ask/"' in html and 'action="/assist/ask/"' in html
    assert 'name="question"' in html and "csrfmiddlewaretoken" in html


def test_a_question_without_javascript_returns_the_whole_page_with_the_answer(client, fakes, library, labor):
    fakes.hits = library.hits

    response = ask(client)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "您的问题属于「劳动纠纷」" in html
    assert 'href="/laws/lrb-labor/30/"' in html and "中华人民共和国劳动合同法第三十条" in html
    assert "劳动人事争议仲裁指引" in html
    assert "以上内容由系统自动生成，仅供参考，不构成法律意见。如需帮助请拨打12348公共法律服务热线。" in html


def test_an_htmx_question_returns_only_the_new_turn(client, fakes, library, labor):
    fakes.hits = library.hits

    response = ask(client, htmx=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert 'class="assist-turn"' in html and QUESTION in html
    assert "/laws/lrb-labor/38/" in html


def test_the_widget_form_gets_the_partial_too(client, fakes, labor):
    response = ask(client, partial="1")

    assert response.status_code == 200 and "<html" not in response.content.decode()


def test_an_empty_question_is_a_clear_message_and_nothing_is_answered(client, fakes):
    page = ask(client, "   ")
    partial = ask(client, "", htmx=True)

    assert page.status_code == 400 and "请输入您的问题。" in page.content.decode()
    assert partial.status_code == 200 and 'role="alert"' in partial.content.decode()
    assert "请输入您的问题。" in partial.content.decode()
    assert fakes.calls == []
    assert client.session.get(views.SESSION_KEY) is None


def test_an_unknown_area_is_a_field_error_and_the_question_is_kept(client, fakes):
    response = ask(client, area="999999")

    assert response.status_code == 400
    html = response.content.decode()
    assert "请从列表中选择地区。" in html and QUESTION in html


def test_a_long_question_is_accepted_truncated_and_says_so(client, fakes, labor):
    response = ask(client, "工资" * 10_000, htmx=True)

    assert response.status_code == 200 and "只分析了前1000个字" in response.content.decode()


@pytest.mark.parametrize("question", ["😀😀😀", "Where can I get legal help?"])
def test_non_chinese_questions_get_a_polite_answer(client, fakes, question):
    response = ask(client, question, htmx=True)

    assert response.status_code == 200 and "请用中文描述您的问题" in response.content.decode()


def test_the_answer_is_escaped(client, fakes, labor):
    response = ask(client, "<script>alert(1)</script>老板拖欠工资", htmx=True)

    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_the_conversation_is_kept_in_the_session_last_ten_turns(client, fakes, labor):
    for n in range(12):
        ask(client, f"第{n}个问题：老板拖欠工资", htmx=True)

    turns = client.session[views.SESSION_KEY]
    assert len(turns) == views.MAX_TURNS
    assert turns[0]["q"].startswith("第2个问题") and turns[-1]["q"].startswith("第11个问题")
    assert turns[-1]["label"] == "劳动纠纷" and turns[-1]["code"] == "labor"
    html = client.get(reverse("assist:page")).content.decode()
    assert "第11个问题" in html and "第1个问题" not in html


def test_the_consultation_link_carries_the_conversation(client, fakes, labor):
    ask(client, "我在工厂打工", htmx=True)
    html = ask(client, QUESTION, htmx=True).content.decode()

    link = re.search(r'href="(/consult/ask/\?[^"]+)"', html).group(1)
    assert "category=labor" in link
    body = resolve_query(link)["body"]
    assert QUESTION in body and "我在工厂打工" in body


def resolve_query(url):
    from urllib.parse import parse_qs, urlsplit

    return {key: values[0] for key, values in parse_qs(urlsplit(url.replace("&amp;", "&")).query).items()}


def test_clear_forgets_the_conversation(client, fakes, labor):
    ask(client, htmx=True)

    response = client.post(reverse("assist:clear"))

    assert response.status_code == 302 and response["Location"] == reverse("assist:page")
    assert views.SESSION_KEY not in client.session
    assert client.post(reverse("assist:clear"), {"partial": "1"}).status_code == 200


def test_get_is_refused_on_ask_and_clear(client):
    assert client.get(reverse("assist:ask")).status_code == 405
    assert client.get(reverse("assist:clear")).status_code == 405


def test_the_widget_panel_is_a_fragment_with_the_form_and_the_history(client, fakes, labor):
    ask(client, htmx=True)

    response = client.get(reverse("assist:widget"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="assist-panel-title"' in html and 'name="partial" value="1"' in html
    assert 'id="assist-w_question"' in html  # ids of its own: no clash with a page's form
    assert QUESTION in html and "data-assist-close" in html


def test_asking_is_limited_per_ip(client, fakes, labor, monkeypatch):
    monkeypatch.setattr(views, "ASK_PER_MINUTE", 2)
    assert ask(client, htmx=True).status_code == 200
    assert ask(client, htmx=True).status_code == 200

    limited = ask(client, htmx=True)
    page = ask(client)

    assert "提问过于频繁" in limited.content.decode()
    assert page.status_code == 429 and "提问过于频繁" in page.content.decode()
    assert len([c for c in fakes.calls if c[0] == "classify"]) == 2


def test_the_area_of_the_site_finder_picks_the_nearest_site(client, fakes, labor, town_a, station_a):
    client.cookies["area"] = town_a.code

    html = ask(client, htmx=True).content.decode()

    assert station_a.name in html and station_a.address in html


def test_a_chosen_area_wins_over_the_cookie(client, fakes, labor, town_a, station_a, town_b):
    client.cookies["area"] = town_b.code

    html = ask(client, area=town_a.code).content.decode()

    assert station_a.name in html


def test_staff_see_the_work_order_action_citizens_do_not(client, fakes, labor, clerk_a, citizen):
    assert sign_in(client, "clerk_a")
    assert "登记工单" in ask(client, htmx=True).content.decode()
    client.logout()
    assert sign_in(client, "citizen")
    assert "登记工单" not in ask(client, htmx=True).content.decode()


def _render_button(path, **context):
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    return render_to_string("assist/_widget_button.html", context, request=request)


def test_the_widget_button_is_a_link_to_the_page_and_loads_its_script(db):
    html = _render_button("/")

    assert 'href="/assist/"' in html and "data-assist-open" in html
    assert 'data-widget-url="/assist/widget/"' in html
    assert "/static/assist/widget.js" in html and ".assist-panel" in html  # its stylesheet inline
    assert "data-ephemeral" not in html
    assert "data-ephemeral" in _render_button("/", ephemeral=True)


def test_the_widget_button_is_left_out_on_the_chat_page_itself(db):
    assert _render_button(reverse("assist:page")).strip() == ""


def test_the_pages_have_no_inline_styles_or_scripts(client, fakes, library, labor):
    fakes.hits = library.hits
    pages = [client.get(reverse("assist:page")), ask(client), client.get(reverse("assist:widget"))]

    for response in pages:
        html = response.content.decode()
        assert not re.search(r"\sstyle=", html) and not re.search(r"\son[a-z]+=", html)
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)


# --- in a real browser (Debian's Chromium through Playwright) ---------------------------------

AXE = (Path(__file__).resolve().parents[2] / "core" / "tests" / "axe" / "axe.min.js").read_text()
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def phone(browser, live_server):
    """A 360 px wide page; the test context bypasses CSP only so that axe can be injected."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()


def serious_violations(page) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[node['target'] for node in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-type"])
def test_the_chat_page_answers_in_place_at_360px_without_accessibility_violations(
    phone, live_server, fakes, library, labor, large
):
    fakes.hits = library.hits
    if large:
        phone.context.add_cookies([{"name": "ui", "value": "large", "url": live_server.url}])
    phone.goto(live_server.url + reverse("assist:page"))

    phone.get_by_label("您的问题").fill(QUESTION)
    phone.get_by_role("button", name="发送问题").click()
    phone.locator("#assist-log .assist-turn").first.wait_for()

    assert phone.url == live_server.url + reverse("assist:page")  # htmx: no page load
    assert phone.locator("#assist-log a[href='/laws/lrb-labor/30/']").count() == 1
    assert phone.get_by_label("您的问题").input_value() == ""
    assert no_horizontal_scroll(phone)
    assert serious_violations(phone) == []
    assert phone.problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_floating_widget_works_from_the_keyboard(phone, live_server, fakes, library, labor):
    fakes.hits = library.hits
    phone.goto(live_server.url + reverse("portal:home"))
    opener = phone.locator("[data-assist-open]")
    assert opener.get_attribute("aria-expanded") == "false"

    opener.focus()
    phone.keyboard.press("Enter")
    box = phone.locator("#assist-w_question")
    box.wait_for()
    assert opener.get_attribute("aria-expanded") == "true"
    assert phone.evaluate("document.activeElement.id") == "assist-w_question"

    phone.keyboard.type(QUESTION)
    phone.locator("[data-assist-form] button[type=submit]").press("Enter")
    phone.locator("[data-assist-log] .assist-turn").first.wait_for()
    assert phone.locator("[data-assist-log] a[href='/laws/lrb-labor/30/']").count() == 1
    assert box.input_value() == ""
    assert no_horizontal_scroll(phone)
    assert serious_violations(phone) == []

    phone.keyboard.press("Escape")
    assert phone.locator("#assist-panel").is_hidden()
    assert opener.get_attribute("aria-expanded") == "false"
    assert phone.evaluate("document.activeElement.hasAttribute('data-assist-open')")
    assert phone.problems == []
