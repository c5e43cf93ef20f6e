"""Deny by default (C14): every URL pattern is either listed here as public or refuses an
anonymous visitor. A new URL that answers an anonymous visitor and is not listed fails CI."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

PUBLIC = {
    # The assistant and the intelligence API (issue 6): anonymous, throttled.
    "assist:page",
    "assist:ask",
    "assist:widget",
    "assist:clear",
    "api:assist-chat",
    "api:assist-classify",
    "api:assist-statutes",
    # Statute library (issue 6): public pages and the read-only API.
    "laws:search",
    "laws:law",
    "laws:article",
    "api:laws-search",
    "api:laws-detail",
    "api:laws-article-detail",
    # Portal (issue 5): life events and the neutral quick-exit page.
    "portal:life-event",
    "portal:exit",
    # Online consultation (issue 5): public questions, their pages, answerer profiles.
    "consultations:list",
    "consultations:detail",
    "consultations:answerer",
    "api:consultation-list",
    "api:consultation-detail",
    "healthz",
    "portal:home",
    "portal:sites",
    "portal:preferences",
    "portal:after-login",
    "admin:logout",
    "requests:submit",
    "requests:submitted",
    "requests:track",
    "api:workorder-track",
    "accounts:login",
    "accounts:logout",
    "accounts:register",
    "api:schema",
    "api:docs",
    "api:not-found",
    "api:site-list",
    "api:site-detail",
    "api:catalog-item-list",
    "api:catalog-item-detail",
    "api:catalog-category-list",
    # Publishing (issue 5): published items, their pages and files; the district sub-sites.
    "content:list",
    "content:detail",
    "content:attachment",
    "content:district",
    "content:district-list",
    "api:content-article-list",
    "api:content-article-detail",
    # Hall API for kiosks, displays, phones and LED controllers (no personal data out).
    "api:queue-site-list",
    "api:queue-board",
    "api:queue-ticket-issue",
    "api:queue-ticket-follow",
    "api:queue-window-led",
    # Hall devices (the secret key in the URL authorises them) and the phone follow page.
    "queuing:device",
    "queuing:device-heartbeat",
    "queuing:kiosk-take",
    "queuing:kiosk-check-in",
    "queuing:kiosk-ticket",
    "queuing:evaluator-pending",
    "queuing:evaluator-submit",
    "queuing:follow",
    "queuing:staff-photo",
    # The directory (public information by law) and its read-only API.
    "directory:search",
    "directory:institution",
    "directory:practitioner",
    "directory:credit",
    "api:directory-institution-list",
    "api:directory-institution-detail",
    "api:directory-practitioner-list",
    "api:directory-practitioner-detail",
    "api:directory-credit",
}
# Signed-in but not staff: pages every account may open.
ANY_ACCOUNT = {
    "accounts:otp",
    "accounts:otp-setup",
    "accounts:password-change",
    "accounts:profile",
    # The citizen's account page (staff are sent to the console).
    "portal:me",
    "portal:me-track",
    "portal:me-reads-clear",
    # The asker's pages and actions (the services check who).
    "consultations:ask",
    "consultations:suggest",
    "consultations:adopt",
    "consultations:rate",
    "consultations:entrust",
    "consultations:message-add",
}
SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def named_patterns(resolver: URLResolver = None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from named_patterns(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name, pattern


def sample_url(name: str, pattern: URLPattern) -> str | None:
    converters = getattr(pattern.pattern, "converters", {})
    kwargs = {
        key: SAMPLE.get(type(conv).__name__.removesuffix("Converter").lower(), "1") for key, conv in converters.items()
    }
    groups = re.findall(r"\(\?P<(\w+)>", str(pattern.pattern))
    kwargs |= {group: "1" for group in groups if group not in kwargs}
    for attempt in (kwargs, {k: "accounts" if k == "app_label" else v for k, v in kwargs.items()}):
        try:
            return reverse(name, kwargs=attempt or None)
        except NoReverseMatch:
            continue
    return None


ALL = sorted(named_patterns(), key=lambda item: item[0])


def refused(response) -> bool:
    if response.status_code in (401, 403):
        return True
    location = response.get("Location", "")
    return response.status_code == 302 and ("/accounts/login/" in location or "/admin/login/" in location)


def test_every_public_name_still_exists():
    names = {name for name, _ in ALL}
    assert PUBLIC | ANY_ACCOUNT <= names


@pytest.mark.parametrize(("name", "pattern"), [p for p in ALL if p[0] not in PUBLIC], ids=lambda v: str(v))
def test_every_protected_url_refuses_an_anonymous_visitor(client, db, name, pattern):
    url = sample_url(name, pattern)
    if url is None:
        pytest.skip(f"{name}: no sample URL (regex pattern)")
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    assert refused(response), f"{name} {url} answered {response.status_code} to an anonymous visitor"


STAFF_ONLY = [p for p in ALL if p[0] not in PUBLIC | ANY_ACCOUNT]


@pytest.mark.parametrize(("name", "pattern"), STAFF_ONLY, ids=lambda v: str(v))
def test_every_staff_url_refuses_a_citizen(client, citizen, name, pattern):
    url = sample_url(name, pattern)
    if url is None:
        pytest.skip(f"{name}: no sample URL (regex pattern)")
    client.force_login(citizen)
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    assert response.status_code in (302, 401, 403, 404), f"{name} {url} answered {response.status_code} to a citizen"
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"] or "/admin/login/" in response["Location"]
