import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

INVENTORY = Path(settings.BASE_DIR) / "docs" / "personal-data.md"


def marked_fields() -> set[str]:
    return {
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "personal_data", None)
    }


def inventoried_fields() -> set[str]:
    return set(re.findall(r"^\| (\w+\.\w+\.\w+) \|", INVENTORY.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_every_personal_data_field_is_in_the_inventory_and_vice_versa():
    assert marked_fields() == inventoried_fields()


def test_resident_ids_and_phones_are_encrypted_wherever_they_are_stored():
    from open12348.core.fields import EncryptedCharField

    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.name in {"resident_id", "phone"} and getattr(field, "personal_data", None):
                published = model.__name__ == "SiteContact"  # a published contact line, not a citizen's number
                assert published or isinstance(field, EncryptedCharField), f"{model.__name__}.{field.name}"
