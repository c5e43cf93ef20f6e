"""catalog.selectors: looking up the topic categories the classifier names."""

import pytest

from open12348.catalog.models import LegalCategory
from open12348.catalog.selectors import top_category_by_name
from open12348.catalog.services import reference_data_load

pytestmark = pytest.mark.django_db


def test_a_topic_label_finds_its_active_top_level_category():
    reference_data_load()
    labour = top_category_by_name("劳动纠纷")
    assert labour is not None and labour.parent_id is None and labour.code == "labor"
    assert top_category_by_name("没有这个类别") is None


def test_a_sub_category_or_a_switched_off_category_is_not_a_topic():
    reference_data_load()
    child = LegalCategory.objects.filter(parent__isnull=False).first()
    assert top_category_by_name(child.name) is None
    labour = LegalCategory.objects.get(name="劳动纠纷")
    labour.is_active = False
    labour.save()
    assert top_category_by_name("劳动纠纷") is None
