"""The draft as an ``.eml`` that mail clients open as an editable draft.

RFC 5322 with CRLF line endings; headers as RFC 2047 encoded words, never raw
UTF-8 (older clients misread RFC 6532 headers); a Chinese body in base64, any
other in quoted-printable. ``X-Unsent: 1`` makes classic Outlook and Thunderbird
(91+) open it as a draft; Apple Mail reads ``X-Uniform-Type-Identifier``.

An attachment's name is carried both ways: an RFC 2047 ``name=`` in Content-Type
(Outlook and QQ Mail read only that) and an RFC 2231 ``filename*=`` in
Content-Disposition (the standard). Python's modern email policy would rewrite
the former, so the message is built and written with the compat32 policy,
which leaves headers as they are set.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import charset as email_charset
from email import policy
from email.generator import BytesGenerator
from email.header import Header
from email.headerregistry import AddressHeader, HeaderRegistry
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid
from io import BytesIO
from pathlib import Path

DRAFT_HEADERS = {"X-Unsent": "1", "X-Uniform-Type-Identifier": "com.apple.mail-draft"}
# The topic `draft` wrote about, so that a waiting draft is known as the tool's own
# and `--again` writes about another; `sent` takes it off with the draft marks.
TOPIC_HEADER = "X-Folder-Kit-Topic"
_CRLF = policy.compat32.clone(linesep="\r\n", max_line_length=78)
# What exporters attach most, which Python's own table lacks where the system
# has no mime.types (Windows, slim containers): the same type on every machine.
_OFFICE_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xls": "application/vnd.ms-excel",
    ".doc": "application/msword",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pdf": "application/pdf",
}


def mime_type(filename: str) -> str:
    """The MIME type of an attachment by its name; octet-stream when unknown."""
    suffix = Path(filename).suffix.casefold()
    if suffix in _OFFICE_TYPES:
        return _OFFICE_TYPES[suffix]
    ctype, encoding = mimetypes.guess_type(filename)
    if ctype is None or encoding is not None:
        return "application/octet-stream"
    return ctype


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    sender_name: str
    sender: str  # address; may be empty
    to_name: str
    to: str
    subject: str
    body: str
    date: dt.datetime  # aware
    attachments: Sequence[Attachment] = ()
    topic: str = ""


# Controls (CR and LF above all), NEL and the Unicode line and paragraph
# separators: in a header each would end it, or start one the user never wrote.
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """``text`` fit for a header: every run of control characters one space."""
    return _BREAKS.sub(" ", text).strip()


def encoded(text: str) -> str | Header:
    """ASCII as it is; anything else as RFC 2047 encoded words."""
    text = one_line(text)
    return text if text.isascii() else Header(text, "utf-8")


def address(name: str, addr: str) -> str:
    """``Name <addr>`` for a header. ``addr`` must be one ASCII address (the
    caller normalises what a card holds): anything else is refused, never written."""
    name = one_line(name)
    if not addr:
        return formataddr((name, "")) if name else ""
    parsed = _REGISTRY("To", addr)
    if (
        not isinstance(parsed, AddressHeader)
        or not addr.isascii()
        or parsed.defects
        or len(parsed.addresses) != 1
        or parsed.addresses[0].addr_spec != addr
        or not parsed.addresses[0].domain
    ):
        raise ValueError(f"not one address in ASCII: {addr!r}")
    return formataddr((name, addr), charset="utf-8")


_REGISTRY = HeaderRegistry()


def attachment_part(item: Attachment) -> MIMEBase:
    maintype, subtype = mime_type(item.filename).split("/", 1)
    part = MIMENonMultipart(maintype, subtype)
    part.set_payload(item.data)
    from email import encoders

    encoders.encode_base64(part)
    name = item.filename
    if name.isascii():
        part.set_param("name", name)
        part.add_header("Content-Disposition", "attachment", filename=name)
    else:
        # One encoded word, unfolded: a quoted parameter must not hold a line break.
        word = Header(name, "utf-8").encode(maxlinelen=10_000)
        part.set_param("name", word)
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
    return part


def build_eml(mail: Mail) -> bytes:
    """The bytes of the draft, CRLF line endings."""
    cs = email_charset.Charset("utf-8")
    chinese = any("\u3400" <= ch <= "\u9fff" for ch in mail.body)
    cs.body_encoding = email_charset.BASE64 if chinese else email_charset.QP
    body = mail.body.replace("\r\n", "\n")
    text = MIMEText(body, "plain", cs)  # type: ignore[arg-type]  # a Charset is accepted
    if mail.attachments:
        message: MIMEBase = MIMEMultipart("mixed")
        message.attach(text)
        for item in mail.attachments:
            message.attach(attachment_part(item))
    else:
        message = text
    if mail.sender or one_line(mail.sender_name):
        message["From"] = address(mail.sender_name, mail.sender)
    if mail.to or one_line(mail.to_name):
        message["To"] = address(mail.to_name, mail.to)
    message["Subject"] = encoded(mail.subject)  # type: ignore[assignment]  # compat32 takes a Header
    message["Date"] = format_datetime(mail.date)
    domain = mail.sender.rpartition("@")[2] or "folder-kit.invalid"
    message["Message-ID"] = make_msgid(domain=domain)
    for name, value in DRAFT_HEADERS.items():
        message[name] = value
    if mail.topic:
        message[TOPIC_HEADER] = mail.topic
    out = BytesIO()
    BytesGenerator(out, policy=_CRLF, mangle_from_=False).flatten(message)
    return out.getvalue()
