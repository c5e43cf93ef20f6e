import pytest

from open12348.content.tests import factories


@pytest.fixture
def editor_a(area_a):
    """信息发布员 of 太仓市 (area A)."""
    return factories.editor("editor_a", area_a)


@pytest.fixture
def editor_b(area_b):
    return factories.editor("editor_b", area_b)


@pytest.fixture
def city_editor(city):
    return factories.editor("city_editor", city)


@pytest.fixture
def city_reviewer(city):
    return factories.reviewer("city_reviewer", city)


@pytest.fixture
def reviewer_b(area_b):
    return factories.reviewer("reviewer_b", area_b)
