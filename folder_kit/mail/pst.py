"""The messages of an Outlook ``.pst``, each rebuilt as an RFC 5322 message.

A ``.pst`` holds message properties, not message files. Each mail item becomes
an ``.eml``: the header fields of its transport headers where Outlook kept them
(received mail) else fields built from its properties (sent mail: From, To, Cc,
Subject, Date, Message-ID, In-Reply-To, References), then a new MIME body from
its text, its HTML and its attachments. The transport headers' own MIME fields
are dropped: they describe the body as it arrived, not the one rebuilt here.

Read with libpff's Python bindings (``pypff``, LGPL-3.0+), the optional extra
``folder-kit[pst]``, imported only when a ``.pst`` is met.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from email.header import Header
from email.message import EmailMessage
from email.parser import HeaderParser
from email.policy import SMTP, compat32
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

from folder_kit.errors import MailSourceError, UnreadableFileError
from folder_kit.files import open_regular
from folder_kit.mail.sources import MAX_MESSAGE_BYTES, SourceMessage, SourceWarning

__all__ = ["read_pst"]

INSTALL_HINT = "reading an Outlook .pst needs libpff: pip install 'folder-kit[pst]'"

# Outlook item classes that are mail; tasks, contacts, notes, appointments are not.
_MAIL_CLASSES = ("ipm.note", "report", "ipm.schedule.meeting.", "ipm.skypeteams.message")
# Folders nested deeper than this are a damaged (looping) file, not a mailbox.
_MAX_DEPTH = 64

# Property ids read from a message's record set.
_MESSAGE_CLASS = 0x001A
_SENDER_NAME = 0x0C1A
_SENDER_ADDRTYPE = 0x0C1E
_SENDER_EMAIL = 0x0C1F
_SENT_REPRESENTING_NAME = 0x0042
_SENT_REPRESENTING_EMAIL = 0x0065
_SENDER_SMTP = 0x5D01
_SENT_REPRESENTING_SMTP = 0x5D02
_MESSAGE_ID = 0x1035
_IN_REPLY_TO = 0x1042
_REFERENCES = 0x1039
_RECIPIENT_TYPE = 0x0C15
_DISPLAY_NAME = 0x3001
_ADDRTYPE = 0x3002
_EMAIL_ADDRESS = 0x3003
_SMTP_ADDRESS = 0x39FE
_ATTACH_LONG_FILENAME = 0x3707
_ATTACH_FILENAME = 0x3704
_ATTACH_MIME_TAG = 0x370E

# Transport header fields that describe the body as it arrived; the rebuilt one has its own.
_BODY_FIELDS = ("content-", "mime-version")
_EXCHANGE_PREFIX = "Microsoft Mail Internet Headers Version 2.0"
_FIELD_NAME = re.compile(r"[!-9;-~]+")


def read_pst(path: Path, *, mtime: dt.datetime) -> Iterator[SourceMessage | SourceWarning]:
    """Each mail item of the ``.pst`` at ``path``, folder by folder, as an ``.eml``."""
    try:
        import pypff  # an optional extra; only a .pst needs it
    except ImportError:
        raise MailSourceError(path=path, reason=INSTALL_HINT) from None
    try:
        fd = open_regular(path)
    except UnreadableFileError as err:
        raise MailSourceError(path=path, reason=err.reason) from err
    except OSError as err:
        raise MailSourceError(path=path, reason=err.strerror or str(err)) from err
    with os.fdopen(fd, "rb") as file:
        pst = pypff.file()
        try:
            pst.open_file_object(file)
            root = pst.get_root_folder()
        except Exception as err:  # libpff reports any damage as OSError or IOError
            raise MailSourceError(path=path, reason=_describe(err)) from err
        try:
            yield from _walk(root, path, mtime)
        finally:
            pst.close()


def _walk(root: Any, path: Path, mtime: dt.datetime) -> Iterator[SourceMessage | SourceWarning]:
    index = 0
    stack: list[tuple[Any, str, int]] = [(root, "", 0)]
    while stack:
        folder, where, depth = stack.pop()
        try:
            count = folder.number_of_sub_messages
        except Exception as err:
            yield SourceWarning(path, None, f"folder {where or '/'}: {_describe(err)}")
            continue
        for i in range(count):
            try:
                item = folder.get_sub_message(i)
                built = _rebuild(item)
            except Exception as err:
                yield SourceWarning(path, index, f"in {where or '/'}: {_describe(err)}")
                index += 1
                continue
            if built is None:  # a task, a contact, a note: not mail
                continue
            data, warnings = built
            for reason in warnings:
                yield SourceWarning(path, index, reason)
            if len(data) > MAX_MESSAGE_BYTES:
                yield SourceWarning(path, index, "larger than the limit, passed over")
            else:
                yield SourceMessage(
                    data=data,
                    kind="eml",
                    path=path,
                    index=index,
                    envelope_date=None,
                    mtime=mtime,
                    folder=where,
                )
            index += 1
        if depth >= _MAX_DEPTH:
            continue
        try:
            subfolders = [folder.get_sub_folder(j) for j in range(folder.number_of_sub_folders)]
        except Exception as err:
            yield SourceWarning(path, None, f"folder {where or '/'}: {_describe(err)}")
            continue
        for sub in reversed(subfolders):
            name = _text(sub.name) or "(no name)"
            stack.append((sub, f"{where}/{name}" if where else name, depth + 1))


def _rebuild(item: Any) -> tuple[bytes, list[str]] | None:
    """The item as RFC 5322 bytes and the warnings on the way; None if it is not mail."""
    props = _properties(item)
    message_class = props.text(_MESSAGE_CLASS) or "IPM.Note"
    if not message_class.lower().startswith(_MAIL_CLASSES):
        return None
    warnings: list[str] = []
    body = EmailMessage(policy=SMTP)
    # Line ends as Python's email package wants them; it writes CRLF on output.
    text = (_decode(item.plain_text_body) or "").replace("\r\n", "\n")
    html = (_decode(item.html_body) or "").replace("\r\n", "\n")
    body.set_content(text, cte="quoted-printable")
    if html:
        body.add_alternative(html, subtype="html", cte="quoted-printable")
    for j in range(item.number_of_attachments):
        try:
            _attach(body, item.get_attachment(j))
        except Exception as err:
            warnings.append(f"attachment {j + 1} left out: {_describe(err)}")
    mime = bytes(body)  # "MIME-Version: ...\r\nContent-Type: ...\r\n\r\n" and the parts
    headers = _transport_fields(_text(item.transport_headers))
    # Fields the transport headers lack (all of them, for sent mail) come from the
    # properties: the Subject or Date a reader needs is then never missing.
    present = {name for name, _ in headers}
    headers += [f for f in _fields_from_properties(item, props) if f[0] not in present]
    return b"".join(line for _, line in headers) + mime, warnings


def _transport_fields(text: str | None) -> list[tuple[str, bytes]]:
    """The transport headers' fields (lower-case name, the field's bytes), folded as
    they were, less the body's own."""
    if not text:
        return []
    text = text.lstrip().removeprefix(_EXCHANGE_PREFIX).lstrip()
    parsed = HeaderParser(policy=compat32).parsestr(text)
    fields: list[tuple[str, bytes]] = []
    for name, value in parsed.items():
        if name.lower().startswith(_BODY_FIELDS) or not _FIELD_NAME.fullmatch(name):
            continue
        if value.strip() == _EXCHANGE_PREFIX:  # Exchange's marker, mangled into a field
            continue
        lines = value.replace("\r\n", "\n").split("\n")
        folded = "\r\n".join(lines)
        fields.append((name.lower(), f"{name}: {folded}\r\n".encode("utf-8", "surrogateescape")))
    return fields


def _fields_from_properties(item: Any, props: _Properties) -> list[tuple[str, bytes]]:
    """Header fields built from the item's properties, as (lower-case name, bytes)."""
    values: list[tuple[str, str | None]] = []
    sender_name = props.text(_SENDER_NAME) or props.text(_SENT_REPRESENTING_NAME)
    sender_address = (
        _smtp(props.text(_SENDER_SMTP), None)
        or _smtp(props.text(_SENT_REPRESENTING_SMTP), None)
        or _smtp(props.text(_SENDER_EMAIL), props.text(_SENDER_ADDRTYPE))
        or _smtp(props.text(_SENT_REPRESENTING_EMAIL), None)
    )
    values.append(("From", _address(sender_name, sender_address)))
    to, cc = _recipients(item)
    values += [("To", ", ".join(to) or None), ("Cc", ", ".join(cc) or None)]
    subject = _text(item.subject)
    values.append(("Subject", _encoded(subject) if subject else None))
    sent = item.client_submit_time or item.delivery_time
    if isinstance(sent, dt.datetime) and sent.year > 1601:
        values.append(("Date", format_datetime(sent.replace(tzinfo=dt.UTC))))
    values.append(("Message-ID", props.text(_MESSAGE_ID)))
    values.append(("In-Reply-To", props.text(_IN_REPLY_TO)))
    values.append(("References", props.text(_REFERENCES)))
    fields = []
    for name, value in values:
        if value:
            # A property is a stranger's text: a line break in it must not start
            # a header field of its own.
            flat = " ".join(value.split())
            fields.append((name.lower(), f"{name}: {flat}\r\n".encode("utf-8", "replace")))
    return fields


def _encoded(text: str) -> str:
    """``text`` as a header value: RFC 2047 encoded words where it is not ASCII."""
    if text.isascii():
        return text
    return Header(" ".join(text.split()), "utf-8").encode()


def _recipients(item: Any) -> tuple[list[str], list[str]]:
    to: list[str] = []
    cc: list[str] = []
    recipients = item.recipients
    if recipients is None:
        return to, cc
    for k in range(recipients.number_of_record_sets):
        props = _Properties(recipients.get_record_set(k))
        address = props.text(_SMTP_ADDRESS) or _smtp(
            props.text(_EMAIL_ADDRESS), props.text(_ADDRTYPE)
        )
        shown = _address(props.text(_DISPLAY_NAME), address)
        if shown:
            (cc if (props.number(_RECIPIENT_TYPE) or 1) & 3 == 2 else to).append(shown)
    return to, cc


def _attach(body: EmailMessage, attachment: Any) -> None:
    props = _Properties(attachment.get_record_set(0)) if attachment.number_of_record_sets else None
    size = attachment.size or 0
    if size > MAX_MESSAGE_BYTES:
        raise ValueError("larger than the limit")
    data = attachment.read_buffer(size) if size else b""
    name = None
    mime = "application/octet-stream"
    if props is not None:
        name = props.text(_ATTACH_LONG_FILENAME) or props.text(_ATTACH_FILENAME)
        mime = props.text(_ATTACH_MIME_TAG) or mime
    maintype, _, subtype = mime.partition("/")
    if not subtype or maintype == "multipart" or "/" in subtype:
        maintype, subtype = "application", "octet-stream"
    if body.get_content_type() != "multipart/mixed":
        body.make_mixed()
    part = EmailMessage(policy=SMTP)
    part.set_content(bytes(data), maintype=maintype, subtype=subtype, filename=name or None)
    body.attach(part)


class _Properties:
    """The entries of one pypff record set, by property id."""

    def __init__(self, record_set: Any) -> None:
        self.entries: dict[int, Any] = {}
        for entry in record_set.entries:
            self.entries.setdefault(entry.entry_type, entry)

    def text(self, prop: int) -> str | None:
        entry = self.entries.get(prop)
        if entry is None or entry.value_type not in (0x001E, 0x001F):
            return None
        try:
            return _text(entry.get_data_as_string())
        except Exception:
            return None

    def number(self, prop: int) -> int | None:
        entry = self.entries.get(prop)
        if entry is None:
            return None
        try:
            value = entry.get_data_as_integer()
        except Exception:
            return None
        return value if isinstance(value, int) else None


def _properties(item: Any) -> _Properties:
    if not item.number_of_record_sets:
        raise ValueError("a message with no properties")
    return _Properties(item.get_record_set(0))


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = _decode(value)
    if not isinstance(value, str):
        return None
    value = value.split("\x00", 1)[0]
    return value if value.strip() else None


def _decode(data: object) -> str | None:
    if not isinstance(data, bytes | str):
        return None
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _smtp(address: str | None, addrtype: str | None) -> str | None:
    if not address or "@" not in address or address.startswith("/"):
        return None
    if addrtype and addrtype.upper() not in ("SMTP", "INTERNET"):
        return None
    return address


def _address(name: str | None, address: str | None) -> str | None:
    """'Name <addr>' (the name quoted or encoded as needed), 'addr', or the name alone."""
    if address and name and name.lower() != address.lower():
        return formataddr((" ".join(name.split()), address), charset="utf-8")
    if address:
        return address
    return _encoded(name) if name else None


def _describe(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    detail = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return detail.rstrip(".") or type(err).__name__
