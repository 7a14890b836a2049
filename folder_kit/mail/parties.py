"""Who a message names, from its bytes: From, Reply-To, To, Cc, Bcc, and the mail
it replies to (In-Reply-To, References), for ``matching.decide``."""

from __future__ import annotations

import io
import re
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path

from folder_kit.mail.matching import Parties, normal
from folder_kit.timeline.mail import message_key

__all__ = ["read_parties"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEAD_BYTES = 64 * 1024  # as far as a scan looks for the end of a header block
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_MESSAGE_ID = re.compile(r"<([^<>]+)>")
_ADDRESS = re.compile(r"[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+\.[^@\s<>,;:\"()\[\].]+")
_PARSER = BytesHeaderParser(policy=compat32)


def read_parties(data: bytes, *, path: Path) -> Parties:
    """The parties of an ``.eml`` (its header block) or an Outlook ``.msg``.

    Raises MailError for a .msg that cannot be read (an .eml always gives
    something, if only nobody)."""
    if data.startswith(_OLE_MAGIC):
        return _msg_parties(data, path)
    head = data[:_HEAD_BYTES].removeprefix(b"\xef\xbb\xbf").lstrip(b"\r\n")
    blank = _BLANK_LINE.search(head)
    block = head[: blank.start()] if blank else head
    headers = _PARSER.parsebytes(block + b"\n\n")

    def addresses(*names: str) -> tuple[str, ...]:
        values = [str(v) for name in names for v in headers.get_all(name, [])]
        return _addresses(values)

    return Parties(
        sender=addresses("from"),
        reply_to=addresses("reply-to"),
        recipients=addresses("to", "cc", "bcc"),
        references=_references(
            [str(v) for v in headers.get_all("in-reply-to", [])],
            [str(v) for v in headers.get_all("references", [])],
        ),
    )


def _addresses(values: list[str]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for _, address in getaddresses(values):
        address = normal(address)
        if _ADDRESS.fullmatch(address):
            found[address] = None
    return tuple(found)


def _references(in_reply_to: list[str], references: list[str]) -> tuple[str, ...]:
    """Mail keys, the one replied to first, then the References newest first."""
    keys: dict[str, None] = {}
    for value in in_reply_to:
        for found in _MESSAGE_ID.findall(value) or [value]:
            key = message_key(f"<{found}>")
            if key:
                keys[key] = None
    for value in references:
        for found in reversed(_MESSAGE_ID.findall(value)):
            key = message_key(f"<{found}>")
            if key:
                keys[key] = None
    return tuple(keys)


def _msg_parties(data: bytes, path: Path) -> Parties:
    from folder_kit.timeline.msg import read_msg

    msg = read_msg(io.BytesIO(data), path=path)
    # The Internet headers a received message keeps say who sent it to whom as it
    # was sent; the properties are all a sent one has.
    sender = _addresses([v for v in (msg.header("from"), msg.sender_address) if v])
    recipients = _addresses(
        [r.address for r in msg.recipients if r.address]
        + [v for name in ("to", "cc") if (v := msg.header(name))]
    )
    reply_to = _addresses([v] if (v := msg.header("reply-to")) else [])
    return Parties(
        sender=sender,
        reply_to=reply_to,
        recipients=recipients,
        references=_references(
            [v for v in (msg.in_reply_to, msg.header("in-reply-to")) if v],
            [v for v in (msg.references, msg.header("references")) if v],
        ),
    )
