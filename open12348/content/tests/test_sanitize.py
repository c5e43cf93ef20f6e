"""The rich-text sanitiser against an XSS corpus (ASCII, Chinese and full-width variants):
no script, no event handler, no javascript: URL survives; the safe tags do."""

import re

import pytest

from open12348.content.sanitize import clean_html, visible_text

CORPUS = [
    "<script>alert('XSS')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    '<p onclick="alert(1)">点击领取补贴</p>',
    '<a href="javascript:alert(1)">查看通知</a>',
    '<a href="JaVaScRiPt:alert(1)">查看</a>',
    '<a href="jav&#x09;ascript:alert(1)">查看</a>',
    '<a href="&#106;avascript:alert(1)">查看</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">查看</a>',
    '<a href="vbscript:msgbox(1)">查看</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">样式</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<script>alert(1)</script>-->",
    '<form action="https://evil.example"><input name="密码"></form>',
    "<object data=x.swf></object><embed src=x.swf>",
    "<meta http-equiv=refresh content=0;url=https://evil.example>",
    "<details open ontoggle=alert(1)>",
    "请点击<a href=' javascript:alert(1)'>这里</a>领取",
    "<p>中文<script>alert('中文')</script>正文</p>",
]
DANGEROUS = re.compile(
    r"<\s*(script|img|svg|iframe|style|form|input|object|embed|meta|details|body|math)\b|\son\w+\s*=|javascript:|vbscript:|data:",
    re.I,
)


@pytest.mark.parametrize("payload", CORPUS)
def test_no_payload_survives(payload):
    cleaned = clean_html(payload)
    assert not DANGEROUS.search(cleaned), cleaned


@pytest.mark.parametrize(
    "payload",
    [
        "＜script＞alert(1)＜/script＞",
        "＜img src=x onerror=alert(1)＞",
        "﹤script﹥alert(1)﹤/script﹥",
        "〈script〉alert(1)〈/script〉",
    ],
)
def test_full_width_brackets_stay_text(payload):
    cleaned = clean_html(payload)
    assert "<script" not in cleaned.lower() and "<img" not in cleaned.lower()
    assert cleaned.startswith("<p>") and payload in cleaned  # kept as readable text, not a tag


def test_safe_tags_are_kept_and_links_get_rel():
    cleaned = clean_html(
        "<h2>标题</h2><p><strong>重</strong><em>点</em><br></p><ul><li>一</li></ul><ol><li>二</li></ol>"
        '<blockquote>引</blockquote><table><thead><tr><th scope="col">列</th></tr></thead>'
        '<tbody><tr><td>格</td></tr></tbody></table><a href="https://www.example.cn/x" target="_blank">链接</a>'
    )
    for tag in (
        "<h2>",
        "<strong>",
        "<em>",
        "<br>",
        "<ul>",
        "<ol>",
        "<li>",
        "<blockquote>",
        "<table>",
        '<th scope="col">',
        "<td>",
    ):
        assert tag in cleaned
    assert '<a href="https://www.example.cn/x" rel="noopener noreferrer">链接</a>' in cleaned


def test_plain_text_becomes_escaped_paragraphs():
    assert clean_html("第一段\n第二行\n\n第二段 a < b & c") == "<p>第一段<br>第二行</p><p>第二段 a &lt; b &amp; c</p>"


def test_cleaning_is_idempotent():
    once = clean_html('<p onclick="x">一</p><a href="https://a.cn">二</a>段落')
    assert clean_html(once) == once


def test_visible_text_tells_an_empty_body():
    assert visible_text(clean_html("<script>alert(1)</script><p> </p>")) == ""
    assert visible_text(clean_html("<p>有内容</p>")) == "有内容"
