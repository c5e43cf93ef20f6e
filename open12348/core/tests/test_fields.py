import base64

import pytest
from django.db import connection
from django.test import override_settings

from open12348.accounts.models import User
from open12348.core import crypto
from open12348.core.fields import lookup_hash

RESIDENT_ID = "32058519800101123X"
KEY_2 = "k2:" + base64.b64encode(b"\x02" * 32).decode()


def raw_row(user):
    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_id, resident_id_hash, phone FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()


@pytest.fixture
def person(db):
    return User.objects.create(username="person", resident_id=RESIDENT_ID, phone="13812348000")


def test_the_database_column_holds_no_plaintext_resident_id_or_phone(person):
    stored_id, stored_hash, stored_phone = raw_row(person)
    assert RESIDENT_ID not in stored_id and "123X" not in stored_id
    assert stored_id.startswith("enc1:")
    assert "13812348000" not in stored_phone
    assert RESIDENT_ID not in stored_hash


def test_the_value_reads_back_in_full_through_the_model(person):
    person.refresh_from_db()
    assert person.resident_id == RESIDENT_ID
    assert person.phone == "13812348000"


def test_exact_lookup_works_through_the_keyed_hash_whatever_the_typing(person):
    assert User.objects.get(resident_id_hash=lookup_hash("resident_id", "32058519800101123x")) == person
    assert User.objects.get(phone_hash=lookup_hash("phone", "+86 138 1234 8000")) == person


def test_encrypting_twice_gives_different_ciphertexts():
    assert crypto.encrypt(RESIDENT_ID) != crypto.encrypt(RESIDENT_ID)


def test_a_tampered_ciphertext_is_refused():
    token = crypto.encrypt(RESIDENT_ID)
    head, body = token.rsplit(":", 1)
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(Exception):  # noqa: B017 — AES-GCM authentication failure
        crypto.decrypt(f"{head}:{base64.b64encode(bytes(raw)).decode()}")


def test_rows_written_under_an_old_key_still_read_after_rotation(person, settings):
    old_keys = settings.PII_KEYS
    with override_settings(PII_KEYS=f"{KEY_2},{old_keys}"):
        person.refresh_from_db()
        assert person.resident_id == RESIDENT_ID
        person.display_name = "轮换"
        person.save()
        assert raw_row(person)[0].startswith("enc1:k2:")
        person.refresh_from_db()
        assert person.resident_id == RESIDENT_ID
