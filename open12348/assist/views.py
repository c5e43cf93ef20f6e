"""Pages of the self-service assistant, mounted at assist/ (namespace "assist"):

- `/assist/`: the full-page chat; the conversation of this browser session (last 10 turns) is
  shown above the form;
- `/assist/ask/` (POST): one question. With htmx (or the widget's `partial=1`) only the new
  turn is returned and appended to the log; without JavaScript the whole page comes back;
- `/assist/widget/`: the panel of the floating "智能咨询" button (a fragment, loaded by
  static/assist/widget.js on any page that includes it);
- `/assist/clear/` (POST): forget the conversation.

Anonymous visitors may use all of it; asking is limited per IP address."""

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from open12348.assist import chat
from open12348.audit import context as audit_context
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import area_of, finder_areas, org_by_code

SESSION_KEY = "assist_history"
MAX_TURNS = 10  # kept in the session
MAX_INPUT = 20_000
ASK_PER_MINUTE = 20
RATE_WINDOW = 60
INDENT = "\u3000"


class AskForm(forms.Form):
    question = forms.CharField(
        label=gettext_lazy("您的问题"),
        max_length=MAX_INPUT,
        help_text=gettext_lazy(
            "请用一两句话描述您遇到的问题，例如：老板拖欠我三个月工资怎么办？不要填写身份证号、手机号等信息。"
        ),
        error_messages={
            "required": gettext_lazy("请输入您的问题。"),
            "max_length": gettext_lazy("问题不能超过%(limit_value)d个字（当前%(show_value)d字）。"),
        },
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    area = forms.ChoiceField(
        label=gettext_lazy("您所在的地区（选填，用于推荐就近的服务站点）"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择地区。")},
    )

    def __init__(self, *args, area_choices=None, prefix_id: str = "", **kwargs):
        if prefix_id:
            kwargs.setdefault("auto_id", f"{prefix_id}_%s")
        super().__init__(*args, **kwargs)
        choices = area_choices if area_choices is not None else _area_choices()
        self.fields["area"].choices = [("", gettext_lazy("不选择"))] + choices


def _area_choices() -> list[tuple[str, str]]:
    areas = list(finder_areas().order_by("path"))
    top = min((area.depth for area in areas), default=0)
    return [(area.code, INDENT * (area.depth - top) + area.name) for area in areas]


def _client_ip(request) -> str:
    return audit_context.client_ip(request.META, settings.TRUSTED_PROXY_COUNT) or ""


def rate_limited(ip: str) -> bool:
    """Count one question for `ip`; True once it asked more than ASK_PER_MINUTE in a minute."""
    if not ip:
        return False
    key = f"assist-ask:{ip}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > ASK_PER_MINUTE


def request_area(request, code: str = "") -> OrgNode | None:
    """The area for the nearest site: the one chosen in the form, else a staff member's own,
    else the one remembered from the site finder (the `area` cookie)."""
    code = (code or "").strip()
    if code and code.isascii() and code.isdigit() and len(code) <= 12:
        found = org_by_code(code)
        if found is not None:
            return found
    own = area_of(request.user)
    if own is not None:
        return own
    try:
        from open12348.portal.views import chosen_area
    except ImportError:  # pragma: no cover
        return None
    return chosen_area(request)


def history_of(request) -> list[dict]:
    turns = request.session.get(SESSION_KEY) or []
    return [t for t in turns if isinstance(t, dict) and t.get("q")]


def chat_history(turns: list[dict]) -> list[dict]:
    """The session's turns as the chat's history (role/content)."""
    history = []
    for turn in turns:
        history.append({"role": "user", "content": turn["q"]})
        if turn.get("a"):
            history.append({"role": "assistant", "content": turn["a"]})
    return history


def _remember(request, reply: chat.Reply) -> None:
    turns = history_of(request)
    turns.append(
        {
            "q": reply.question,
            "a": reply.text,
            "label": reply.category.label if reply.category else "",
            "code": reply.category.code if reply.category else "",
        }
    )
    request.session[SESSION_KEY] = turns[-MAX_TURNS:]


def _partial(request) -> bool:
    return bool(request.htmx) or request.POST.get("partial") == "1"


def _page(request, form, *, reply=None, error="", status=200) -> HttpResponse:
    turns = history_of(request)
    if reply is not None:
        turns = turns[:-1]  # the new turn is shown in full below the earlier ones
    context = {"form": form, "turns": turns, "reply": reply, "error": error}
    return render(request, "assist/page.html", context, status=status)


@require_GET
@never_cache
def page(request):
    area = request_area(request)
    return _page(request, AskForm(initial={"area": area.code if area else ""}))


@require_GET
@never_cache
def widget(request):
    """The floating panel's content: the form and the conversation so far."""
    form = AskForm(prefix_id="assist-w", area_choices=[])
    return render(request, "assist/_widget.html", {"form": form, "turns": history_of(request)})


@require_POST
@never_cache
def ask(request):
    partial = _partial(request)
    area_choices = [] if partial else None
    form = AskForm(request.POST, area_choices=area_choices, prefix_id="assist-w" if partial else "")
    if partial and "area" in form.fields:
        form.fields["area"].required = False
    error = ""
    reply = None
    status = 200
    if form.is_valid():
        if rate_limited(_client_ip(request)):
            error = _("您提问过于频繁，请稍等一分钟再试。情况紧急的，请直接拨打12348公共法律服务热线。")
            status = 429
        else:
            area = request_area(request, form.cleaned_data.get("area") or "")
            try:
                reply = chat.answer(
                    form.cleaned_data["question"],
                    history=chat_history(history_of(request)),
                    area=area,
                    user=request.user,
                )
            except ValueError as exc:
                form.add_error("question", str(exc))
            else:
                _remember(request, reply)
    if partial:
        # htmx swaps 200 responses only: the error is shown in the panel either way.
        return render(
            request, "assist/_turn.html", {"form": form, "reply": reply, "error": error, "partial": True}, status=200
        )
    if reply is not None:
        form = AskForm(initial={"area": form.cleaned_data.get("area") or ""})
    return _page(request, form, reply=reply, error=error, status=status if not form.errors else 400)


@require_POST
def clear(request):
    request.session.pop(SESSION_KEY, None)
    if _partial(request):
        return HttpResponse("")
    return redirect("assist:page")
