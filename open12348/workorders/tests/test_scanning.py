"""Malware scanning of uploads (SECURITY.md C32): the EICAR test file is refused with a
Chinese message, audited, and nothing is stored; the clamd engine is spoken to over its
socket (a stand-in daemon here: ClamAV itself is outside the project); an engine that does
not answer refuses the upload (fail-closed)."""

import socket
import struct
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from open12348.audit.models import Event
from open12348.core import scanning
from open12348.workorders import services
from open12348.workorders.models import Attachment
from open12348.workorders.tests import factories
from open12348.workorders.tests.test_attachments import fresh_storage, pdf_bytes, stored_files  # noqa: F401


@pytest.fixture
def order_a(clerk_a, town_a):
    return factories.make_order(actor=clerk_a, area=town_a)


def upload(data: bytes, name: str = "材料.pdf"):
    return SimpleUploadedFile(name, data)


def test_the_eicar_file_is_refused_audited_and_not_stored(clerk_a, order_a):
    with pytest.raises(ValidationError) as error:
        services.attachment_add(
            actor=clerk_a, order=order_a, upload=upload(pdf_bytes(b"/Note(" + scanning.EICAR + b")"))
        )
    assert "病毒" in error.value.message_dict["file"][0]
    assert not Attachment.objects.exists() and stored_files() == []
    event = Event.objects.get(verb="workorder.attachment_infected")
    assert event.payload["threat"] == "Eicar-Test-Signature"
    assert event.target_id == str(order_a.pk) and event.actor == clerk_a


def test_a_clean_file_passes_the_scanner(clerk_a, order_a):
    attachment = services.attachment_add(actor=clerk_a, order=order_a, upload=upload(pdf_bytes()))
    assert attachment.pk and not Event.objects.filter(verb="workorder.attachment_infected").exists()


class StandInClamd:
    """A Unix-socket server speaking clamd's INSTREAM protocol with a canned answer."""

    def __init__(self, path, answer: bytes):
        self.answer, self.received = answer, b""
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(1)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        conn, _ = self.server.accept()
        with conn:
            assert conn.recv(10) == b"zINSTREAM\0"
            while True:
                (length,) = struct.unpack(">I", self.read(conn, 4))
                if not length:
                    break
                self.received += self.read(conn, length)
            conn.sendall(self.answer)

    @staticmethod
    def read(conn, n):
        data = b""
        while len(data) < n:
            data += conn.recv(n - len(data))
        return data


@pytest.fixture
def clamd(settings, tmp_path):
    settings.MALWARE_SCANNER = "clamd"
    settings.CLAMD_SOCKET = str(tmp_path / "clamd.ctl")
    settings.CLAMD_TIMEOUT = 5
    return lambda answer: StandInClamd(tmp_path / "clamd.ctl", answer)


def test_clamd_gets_the_whole_file_in_chunks_and_its_ok_passes(clamd):
    daemon = clamd(b"stream: OK\0")
    data = bytes(range(256)) * 600  # > one 64 KiB chunk
    assert scanning.scan(data) == scanning.Verdict(clean=True)
    assert daemon.received == data


def test_a_clamd_finding_names_the_threat(clamd):
    clamd(b"stream: Win.Test.EICAR_HDB-1 FOUND\0")
    assert scanning.scan(b"anything") == scanning.Verdict(clean=False, threat="Win.Test.EICAR_HDB-1")


def test_a_garbled_answer_is_no_verdict(clamd):
    clamd(b"INSTREAM size limit exceeded. ERROR\0")
    with pytest.raises(scanning.ScannerUnavailable):
        scanning.scan(b"anything")


def test_an_engine_that_is_down_refuses_the_upload(clamd, clerk_a, order_a):
    with pytest.raises(ValidationError) as error:
        services.attachment_add(actor=clerk_a, order=order_a, upload=upload(pdf_bytes()))
    assert "病毒扫描服务暂时不可用" in error.value.message_dict["file"][0]
    assert not Attachment.objects.exists() and stored_files() == []


def test_production_without_clamd_is_warned_about(settings):
    from open12348.core.checks import uploads_are_scanned

    settings.MALWARE_SCANNER = "eicar"
    assert [w.id for w in uploads_are_scanned(None)] == ["open12348.W020"]
    settings.MALWARE_SCANNER = "clamd"
    assert uploads_are_scanned(None) == []
