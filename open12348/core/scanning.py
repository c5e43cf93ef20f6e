"""Malware scanning of uploaded files (SECURITY.md C32) behind one interface.

MALWARE_SCANNER picks the engine:
- "clamd": ClamAV's daemon (Debian `clamav-daemon`) over its socket CLAMD_SOCKET, with the
  INSTREAM command — production;
- "eicar": a signature-free stand-in that flags only the EICAR test string, for development
  and CI where clamd has no signatures (a system check warns when it runs in production).
The scan is fail-closed: when the engine cannot answer, the upload is refused."""

import hashlib
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext as _

# The standard anti-virus test file (eicar.org), which every engine reports.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Verdict:
    clean: bool
    threat: str = ""


class ScannerUnavailable(RuntimeError):
    """The engine did not give a verdict (not running, timed out, answered garbage)."""


def scan(data: bytes) -> Verdict:
    engine = settings.MALWARE_SCANNER
    if engine == "clamd":
        return _clamd(data, settings.CLAMD_SOCKET, timeout=settings.CLAMD_TIMEOUT)
    if engine == "eicar":
        return Verdict(clean=False, threat="Eicar-Test-Signature") if EICAR in data else Verdict(clean=True)
    raise ScannerUnavailable(_("未知的病毒扫描引擎：{engine}").format(engine=engine))


def refusal(data: bytes, *, record_finding: Callable[[dict], None]) -> str:
    """An upload's verdict as the services use it: "" when clean; otherwise the Chinese reason
    to refuse it. A finding is first recorded (`record_finding(payload)`, e.g. an audit
    event) in its own transaction, because the refused upload writes nothing else; an engine
    that gives no verdict refuses the upload too (fail-closed)."""
    try:
        verdict = scan(data)
    except ScannerUnavailable:
        return gettext("病毒扫描服务暂时不可用，请稍后再上传。")
    if verdict.clean:
        return ""
    with transaction.atomic():
        record_finding({"threat": verdict.threat, "sha256": hashlib.sha256(data).hexdigest()})
    return gettext("文件含有病毒或恶意代码，已拒绝上传。")


def _clamd(data: bytes, path: str, *, timeout: float) -> Verdict:
    """clamd's INSTREAM: length-prefixed chunks, a zero length to end; the answer is
    `stream: OK` or `stream: <name> FOUND`."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(path)
            conn.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                conn.sendall(struct.pack(">I", len(chunk)) + chunk)
            conn.sendall(struct.pack(">I", 0))
            answer = _read_reply(conn)
    except OSError as error:
        raise ScannerUnavailable(_("病毒扫描服务无法连接：{error}").format(error=error)) from error
    if answer == "stream: OK":
        return Verdict(clean=True)
    if answer.startswith("stream: ") and answer.endswith(" FOUND"):
        return Verdict(clean=False, threat=answer.removeprefix("stream: ").removesuffix(" FOUND"))
    raise ScannerUnavailable(_("病毒扫描服务的回答无法识别：{answer}").format(answer=answer[:100]))


def _read_reply(conn: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0"):
        part = conn.recv(4096)
        if not part:
            break
        reply += part
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()
