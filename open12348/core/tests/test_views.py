from django.db import connection


def test_healthz_reports_a_healthy_platform(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["reachable"] is True
    assert body["migrations"]["pending"] == []
    assert body["version"]


def test_healthz_is_503_while_a_migration_is_pending(client, db):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'catalog' AND name = '0001_initial'")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "catalog.0001_initial" in response.json()["migrations"]["pending"]


def test_healthz_only_answers_get(client, db):
    assert client.post("/healthz").status_code == 405


def test_security_headers_are_on_every_response(client, db):
    response = client.get("/healthz")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Request-ID"]


def test_pages_carry_a_content_security_policy_without_unsafe_inline(client, db):
    csp = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp


def test_the_public_pages_stylesheets_are_inline_under_the_responses_style_nonce(client, db):
    import re

    response = client.get("/")
    nonce = re.search(r"style-src [^;]*'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    styles = re.findall(r'<style nonce="([^"]*)">', html)
    assert styles and set(styles) == {nonce}
    assert "--target" in html  # site.css itself, not a link to it
    assert 'rel="stylesheet"' not in html


def test_inline_css_refuses_a_missing_stylesheet():
    import pytest
    from django.template import Context, Template, TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Template('{% load ui %}{% inline_css "css/no-such.css" %}').render(Context({"csp_nonce": "n"}))
