"""Model fields for personal data. Every personal-data field is marked (`personal_data`
holds its purpose) so that the data inventory test can find them all."""

import unicodedata

from django.db import models

from open12348.core import crypto, pii

NORMALISERS = {
    "resident_id": pii.normalise_resident_id,
    "phone": pii.normalise_phone,
    "text": lambda value: unicodedata.normalize("NFKC", value).strip().casefold(),
}


def personal(field: models.Field, purpose: str) -> models.Field:
    """Mark an ordinary field as personal data (name, address, …)."""
    field.personal_data = purpose
    return field


def lookup_hash(kind: str, value: str) -> str:
    """The blind-index value to filter on, e.g. filter(resident_id_hash=lookup_hash(...))."""
    return crypto.keyed_hash(NORMALISERS[kind](value)) if value else ""


class EncryptedCharField(models.TextField):
    """Stored as AES-256-GCM ciphertext with its key id; read back as plain text.
    `max_length` limits the plain text, not the column."""

    def __init__(self, *args, purpose: str = "", plain_max_length: int | None = None, **kwargs):
        self.personal_data = purpose
        self.plain_max_length = plain_max_length
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)
        if plain_max_length:
            from django.core.validators import MaxLengthValidator

            self.validators.append(MaxLengthValidator(plain_max_length))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.plain_max_length:
            kwargs["plain_max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value and crypto.is_ciphertext(value):
            return crypto.decrypt(value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value or crypto.is_ciphertext(value):
            return value
        return crypto.encrypt(value)


class BlindIndexField(models.CharField):
    """Keyed hash of another field's normalised value, kept beside it for exact look-up."""

    def __init__(self, *args, source: str = "", kind: str = "text", **kwargs):
        self.source = source
        self.kind = kind
        kwargs.update(max_length=64, editable=False, blank=True, default="", db_index=True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("max_length", "editable", "blank", "default", "db_index"):
            kwargs.pop(key, None)
        kwargs.update(source=self.source, kind=self.kind)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = lookup_hash(self.kind, getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
