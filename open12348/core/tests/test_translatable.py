"""Every text a person reads goes through gettext, with the Chinese text as the msgid
(docs/adr/0003-chinese-msgids.md). These tests find Chinese text that is not wrapped:

- Python: a str constant containing a CJK character that is not a docstring and not an
  argument of `_()`, `gettext()`, `gettext_lazy()`, `format_lazy()`, …
- Templates: Chinese text left once comments and `{% translate %}` / `{% blocktranslate %}`
  spans (and `_("…")` literals inside tags) are removed.

A deliberate exception (a value stored in the database, a value compared by code) carries
the marker `i18n: data` on its line: `# i18n: data` in Python, `{# i18n: data #}` in templates.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# The apps whose Python modules are checked (open12348/<app>/**/*.py, without tests/ and migrations/).
IN_SCOPE_APPS = [
    "accounts",
    "orgs",
    "catalog",
    "core",
    "audit",
    "portal",
    "api",
    "workorders",
    "queuing",
    "directory",
    "content",
    "consultations",
    "laws",
    "assist",
]
# Python paths (relative to the project root) that hold data rather than messages.
EXCLUDED_PY_PREFIXES = ["open12348/core/demo/"]
# Template directories (relative to templates/) not checked yet.
EXCLUDED_TEMPLATE_DIRS: list[str] = []

CJK = re.compile(r"[\u4e00-\u9fff]")
MARKER = "i18n: data"
TRANSLATION_FUNCTIONS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "format_lazy",
}


def python_modules() -> list[Path]:
    modules = []
    for app in IN_SCOPE_APPS:
        for path in sorted((ROOT / "open12348" / app).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "tests" in rel.parts or "migrations" in rel.parts:
                continue
            if any(rel.as_posix().startswith(prefix) for prefix in EXCLUDED_PY_PREFIXES):
                continue
            modules.append(path)
    return modules


def templates() -> list[Path]:
    base = ROOT / "templates"
    return [
        path for path in sorted(base.rglob("*.html")) if path.relative_to(base).parts[0] not in EXCLUDED_TEMPLATE_DIRS
    ]


def _function_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr  # translation.gettext(...)
    return None


def _is_translated(node: ast.Constant, parents: dict[ast.AST, ast.AST]) -> bool:
    parent = parents.get(node)
    return (
        isinstance(parent, ast.Call)
        and _function_name(parent.func) in TRANSLATION_FUNCTIONS
        and any(arg is node for arg in parent.args)
    )


def _template_text(source: str) -> str:
    """What remains of a template (or template source kept in Python) once comments and
    translated spans are removed."""
    lines = [line for line in source.split("\n") if MARKER not in line]
    text = "\n".join(lines)
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    text = re.sub(r"\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.S)
    text = re.sub(r"\{%\s*blocktrans(?:late)?\b.*?%\}.*?\{%\s*endblocktrans(?:late)?\s*%\}", "", text, flags=re.S)
    text = re.sub(r"\{%\s*trans(?:late)?\b.*?%\}", "", text, flags=re.S)
    # The i18n literal inside tags and variables: {{ value|default:_("未填写") }}.
    text = re.sub(r"""_\(\s*(?:"[^"]*"|'[^']*')\s*\)""", "", text)
    return text


def python_offenders(path: Path, root: Path = ROOT) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.split("\n")
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    rel = path.relative_to(root).as_posix()
    offenders = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value)):
            continue
        if id(node) in docstrings or _is_translated(node, parents):
            continue
        if any(MARKER in lines[number - 1] for number in range(node.lineno, (node.end_lineno or node.lineno) + 1)):
            continue
        if "{%" in node.value and not CJK.search(_template_text(node.value)):
            continue  # template source kept in Python, translated with {% translate %}
        offenders.append(f"{rel}:{node.lineno}: {node.value.strip()[:60]}")
    return offenders


def template_offenders(path: Path) -> list[str]:
    rel = path.relative_to(ROOT).as_posix()
    text = _template_text(path.read_text(encoding="utf-8"))
    offenders = []
    for line in text.split("\n"):
        if CJK.search(line):
            offenders.append(f"{rel}: {line.strip()[:80]}")
    return offenders


def test_the_checks_find_something_to_check():
    assert len(python_modules()) > 50
    assert len(templates()) > 30


def test_the_python_check_finds_untranslated_text_and_accepts_translated_text(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text(
        '"""说明文字。"""\n'
        "from django.utils.translation import gettext as _\n"
        'A = _("已翻译")\n'
        'B = _("{name}已翻译").format(name="x")\n'
        'C = "未翻译"\n'
        'D = f"未翻译{A}"\n'
        'E = "数据"  # i18n: data\n',
        encoding="utf-8",
    )
    found = python_offenders(module, root=tmp_path)
    assert [line.split(":")[1] for line in found] == ["5", "6"]


def test_the_template_check_removes_translated_spans_and_comments():
    source = (
        '{% load i18n %}<p>{% translate "已翻译" %}</p>{# 注释 #}'
        "{% blocktranslate with name=a.b %}{{ name }}已翻译{% endblocktranslate %}"
        '{{ x|default:_("未填写") }}{% comment %}说明{% endcomment %}'
    )
    assert not CJK.search(_template_text(source))
    assert CJK.search(_template_text("<p>未翻译</p>"))


@pytest.mark.parametrize("path", python_modules(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_python_text_people_read_is_wrapped_in_gettext(path):
    offenders = python_offenders(path)
    assert not offenders, "Chinese text not wrapped in gettext:\n" + "\n".join(offenders)


@pytest.mark.parametrize("path", templates(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_template_text_is_wrapped_in_translate_tags(path):
    offenders = template_offenders(path)
    assert not offenders, "Chinese text outside {% translate %} / {% blocktranslate %}:\n" + "\n".join(offenders)
