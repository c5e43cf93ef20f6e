"""The hash chain of the audit trail, as a pure function: each event's seal covers its own
content, its sequence number and the seal of the event before it, keyed with
AUDIT_HMAC_KEY. Editing, deleting or re-ordering any stored event breaks the chain."""

import hashlib
import hmac
import json

from django.utils.translation import gettext as _

GENESIS = "0" * 64


def seal(key: str, prev_hash: str, content: dict) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    message = f"{prev_hash}|{canonical}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def first_break(key: str, events, head_seq: int | None, head_hash: str | None) -> tuple[int, str] | None:
    """Walk (seq, prev_hash, hash, content) in seq order; return (seq, reason) of the first
    event that does not fit, or None when the chain is whole up to the recorded head."""
    expected_seq, expected_prev = 1, GENESIS
    for seq, prev_hash, stored_hash, content in events:
        if seq != expected_seq:
            return seq, _("序号不连续：应为 {expected_seq}，实为 {seq}（有事件被删除或插入）").format(
                expected_seq=expected_seq, seq=seq
            )
        if prev_hash != expected_prev:
            return seq, _("前序哈希不符（前一事件被删除、插入或改动）")
        if seal(key, prev_hash, content) != stored_hash:
            return seq, _("内容与封印不符（事件被改动）")
        expected_seq, expected_prev = seq + 1, stored_hash
    last_seq = expected_seq - 1
    if head_seq is not None and (last_seq != head_seq or expected_prev != head_hash):
        return last_seq + 1, _("链尾不符：应有 {head_seq} 个事件，实有 {last_seq} 个（末尾事件被删除）").format(
            head_seq=head_seq, last_seq=last_seq
        )
    return None
