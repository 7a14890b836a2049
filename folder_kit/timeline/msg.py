"""The few facts folder-kit needs from an Outlook ``.msg``, read from its OLE storage.

A ``.msg`` is an OLE compound file (MS-CFB) laid out as MS-OXMSG says: fixed-size
properties (times, flags, numbers) sit in the ``__properties_version1.0`` stream of
each storage, 16 bytes an entry; every string or binary property is a stream of its
own, ``__substg1.0_IIIITTTT`` (property id, property type); each recipient is a
storage ``__recip_version1.0_#XXXXXXXX`` laid out the same way.

The OLE container is read with olefile (BSD), loaded only when a ``.msg`` is met.
Only the streams named here are ever opened, each refused past a size cap: a
``.msg`` is a stranger's file, and olefile reads a whole stream into memory.
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final

from folder_kit.errors import MailError

if TYPE_CHECKING:
    import olefile

__all__ = ["MAX_MSG_BYTES", "OutlookMessage", "Recipient", "read_msg"]

# Past this a file is refused before olefile reads its tables: olefile loads the
# FAT and the directory up front, in proportion to the file. Outlook and Exchange
# cap a message far lower (150 MB at most with attachments).
MAX_MSG_BYTES: Final = 256 * 1024 * 1024
# A property stream holds 16 bytes per fixed-size property: a few hundred at most.
_MAX_PROPERTY_STREAM: Final = 256 * 1024
# A subject, an address, the transport headers: none real comes near this.
_MAX_STRING_STREAM: Final = 1024 * 1024
# Recipients read from one message; a mailing to more is cut here, not refused.
_MAX_RECIPIENTS: Final = 4096

_PROPERTIES: Final = "__properties_version1.0"
_RECIPIENT_PREFIX: Final = "__recip_version1.0_#"
_TOP_HEADER: Final = 32  # MS-OXMSG 2.4.1.1: the message's own property stream
_CHILD_HEADER: Final = 8  # 2.4.1.3: a recipient's or an attachment's

# Property types.
_PT_LONG: Final = 0x0003
_PT_BOOLEAN: Final = 0x000B
_PT_SYSTIME: Final = 0x0040
_PT_STRING8: Final = 0x001E
_PT_UNICODE: Final = 0x001F

# Property ids.
_MESSAGE_CLASS: Final = 0x001A
_SUBJECT: Final = 0x0037
_CLIENT_SUBMIT_TIME: Final = 0x0039
_SENT_REPRESENTING_NAME: Final = 0x0042
_SENT_REPRESENTING_ADDRTYPE: Final = 0x0064
_SENT_REPRESENTING_EMAIL: Final = 0x0065
_TRANSPORT_HEADERS: Final = 0x007D
_RECIPIENT_TYPE: Final = 0x0C15
_SENDER_NAME: Final = 0x0C1A
_SENDER_ADDRTYPE: Final = 0x0C1E
_SENDER_EMAIL: Final = 0x0C1F
_DELIVERY_TIME: Final = 0x0E06
_MESSAGE_FLAGS: Final = 0x0E07
_INTERNET_MESSAGE_ID: Final = 0x1035
_INTERNET_REFERENCES: Final = 0x1039
_IN_REPLY_TO: Final = 0x1042
_DISPLAY_NAME: Final = 0x3001
_ADDRTYPE: Final = 0x3002
_EMAIL_ADDRESS: Final = 0x3003
_SMTP_ADDRESS: Final = 0x39FE
_INTERNET_CPID: Final = 0x3FDE
_MESSAGE_CODEPAGE: Final = 0x3FFD
_SENDER_SMTP_ADDRESS: Final = 0x5D01
_SENT_REPRESENTING_SMTP_ADDRESS: Final = 0x5D02

_MSGFLAG_UNSENT: Final = 0x0008
_RECIPIENT_KINDS: Final = {1: "to", 2: "cc", 3: "bcc"}

# FILETIME counts 100 ns from 1601-01-01 UTC.
_FILETIME_EPOCH: Final = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)
# Windows code pages whose Python name is not simply "cp<number>".
_CODEPAGES: Final = {
    1200: "utf-16-le", 1201: "utf-16-be", 20127: "ascii", 20866: "koi8-r", 21866: "koi8-u",
    50220: "iso2022-jp", 50221: "iso2022-jp", 50222: "iso2022-jp", 51932: "euc-jp",
    51936: "gb2312", 51949: "euc-kr", 52936: "hz", 54936: "gb18030", 65000: "utf-7",
    65001: "utf-8", 10000: "mac-roman",
    **{28590 + n: f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16)},
}  # fmt: skip
# The ANSI code page of Western Windows, which wrote most 8-bit .msg files.
_DEFAULT_CODEPAGE: Final = "cp1252"
# Exchange puts this line before the headers it stores.
_EXCHANGE_PREFIX: Final = "Microsoft Mail Internet Headers Version 2.0"


@dataclass(frozen=True, slots=True)
class Recipient:
    """One recipient as the message stores it."""

    kind: str  # "to", "cc" or "bcc"
    name: str | None
    address: str | None  # an SMTP address, never an Exchange X500 one

    def formatted(self) -> str | None:
        """'Name <addr>', 'addr', or the name alone where no SMTP address is known."""
        return _formatted(self.name, self.address)


@dataclass(frozen=True)
class OutlookMessage:
    """What an Outlook message states about itself; None where it says nothing usable."""

    message_class: str | None
    subject: str | None
    submit_time: dt.datetime | None  # PR_CLIENT_SUBMIT_TIME, UTC
    delivery_time: dt.datetime | None  # PR_MESSAGE_DELIVERY_TIME, UTC
    unsent: bool  # a draft: Outlook keeps a submit time on some, never sent
    message_id: str | None
    in_reply_to: str | None
    references: str | None
    sender_name: str | None
    sender_address: str | None  # SMTP
    recipients: tuple[Recipient, ...]
    transport_headers: str | None  # as received, for mail that came in over SMTP

    @property
    def sent_time(self) -> dt.datetime | None:
        """When it was sent: the submit time of a message not marked unsent."""
        return None if self.unsent else self.submit_time

    @functools.cached_property
    def headers(self) -> Message:
        """The transport headers parsed (an empty header block where there are none)."""
        return _parse_headers(self.transport_headers)

    def header(self, name: str) -> str | None:
        """One transport header field, unfolded, or None."""
        value = self.headers.get(name)
        return _unfold(value) if isinstance(value, str) else None

    def addresses(self, kind: str) -> str | None:
        """The recipients of ``kind`` ("to", "cc", "bcc") as 'Name <addr>', comma-separated."""
        shown = [text for r in self.recipients if r.kind == kind and (text := r.formatted())]
        return ", ".join(shown) or None

    def sender(self) -> str | None:
        """'Name <addr>', 'addr' or 'Name' from the properties."""
        return _formatted(self.sender_name, self.sender_address)


def _formatted(name: str | None, address: str | None) -> str | None:
    if name and address and name.lower() != address.lower():
        return f"{name} <{address}>"
    return address or name


def read_msg(file: BinaryIO, *, path: Path) -> OutlookMessage:
    """Read an Outlook ``.msg`` from an open binary file (``path`` names it in errors).

    Raises MailError for a file that is not an OLE file, is damaged, too large,
    or has no message property stream. Does not judge the message class: a task
    or a contact is read like a mail, and the caller decides.
    """
    try:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    except OSError as err:
        raise MailError(path=path, reason=err.strerror or str(err)) from err
    if size > MAX_MSG_BYTES:
        reason = f"{size // (1024 * 1024)} MB, larger than {MAX_MSG_BYTES // (1024 * 1024)} MB"
        raise MailError(path=path, reason=reason)
    import olefile  # only a scan that meets a .msg pays for it

    # olefile, struct and the codecs raise a zoo of exceptions on a damaged file
    # (OSError, struct.error, IndexError, RecursionError on a looping tree...); to
    # a reader each means the same thing, so each becomes one MailError.
    try:
        ole = olefile.OleFileIO(file)
    except Exception as err:
        raise MailError(path=path, reason=_describe(err)) from err
    try:
        return _read(_Storage.root(ole), path)
    except MailError:
        raise
    except Exception as err:
        raise MailError(path=path, reason=_describe(err)) from err
    finally:
        ole.close()


class _Storage:
    """One storage of the file (the message, or one of its recipients)."""

    def __init__(
        self, ole: olefile.OleFileIO[str], where: tuple[str, ...], streams: frozenset[str]
    ) -> None:
        self.ole = ole
        self.where = where
        # Every stream's path, lower case ("a/b"): most properties asked for are
        # absent, and a set answers that without olefile's walk down the tree.
        self.streams = streams

    @classmethod
    def root(cls, ole: olefile.OleFileIO[str]) -> _Storage:
        streams = frozenset("/".join(entry).lower() for entry in ole.listdir())
        return cls(ole, (), streams)

    def child(self, name: str) -> _Storage:
        return _Storage(self.ole, (*self.where, name), self.streams)

    def stream(self, name: str, *, limit: int) -> bytes | None:
        """A stream's bytes; None where it is absent or over ``limit``."""
        entry = [*self.where, name]
        if "/".join(entry).lower() not in self.streams or self.ole.get_size(entry) > limit:
            return None
        with self.ole.openstream(entry) as stream:
            data: bytes = stream.read(limit)
        return data

    def children(self, prefix: str) -> list[str]:
        """The names of the storages directly under this one that start with ``prefix``."""
        depth = len(self.where) + 1
        return sorted(
            entry[-1]
            for entry in self.ole.listdir(streams=False, storages=True)
            if len(entry) == depth
            and list(entry[:-1]) == list(self.where)
            and entry[-1].lower().startswith(prefix.lower())
        )


def _read(root: _Storage, path: Path) -> OutlookMessage:
    data = root.stream(_PROPERTIES, limit=_MAX_PROPERTY_STREAM)
    if data is None:
        # Worded as extract-msg worded it, which read .msg files before this reader.
        raise MailError(path=path, reason="File does not contain a property stream")
    fixed = _fixed_properties(data, _TOP_HEADER)
    codec = _codepage(fixed.get(_MESSAGE_CODEPAGE)) or _codepage(fixed.get(_INTERNET_CPID))
    strings = _Strings(root, codec or _DEFAULT_CODEPAGE)

    headers_text = strings.get(_TRANSPORT_HEADERS)
    headers = _parse_headers(headers_text)
    flags = _as_int(fixed.get(_MESSAGE_FLAGS))

    sender_name = strings.get(_SENDER_NAME) or strings.get(_SENT_REPRESENTING_NAME)
    sender_address = (
        _smtp(strings.get(_SENDER_SMTP_ADDRESS))
        or _smtp(strings.get(_SENT_REPRESENTING_SMTP_ADDRESS))
        or _smtp_of_type(strings.get(_SENDER_EMAIL), strings.get(_SENDER_ADDRTYPE))
        or _smtp_of_type(
            strings.get(_SENT_REPRESENTING_EMAIL), strings.get(_SENT_REPRESENTING_ADDRTYPE)
        )
        or _address_in(headers.get("from"))
    )
    return OutlookMessage(
        message_class=strings.get(_MESSAGE_CLASS),
        subject=strings.get(_SUBJECT),
        submit_time=_filetime(fixed.get(_CLIENT_SUBMIT_TIME)),
        delivery_time=_filetime(fixed.get(_DELIVERY_TIME)),
        unsent=flags is not None and bool(flags & _MSGFLAG_UNSENT),
        message_id=strings.get(_INTERNET_MESSAGE_ID) or _header_text(headers, "message-id"),
        in_reply_to=strings.get(_IN_REPLY_TO) or _header_text(headers, "in-reply-to"),
        references=strings.get(_INTERNET_REFERENCES) or _header_text(headers, "references"),
        sender_name=sender_name or _name_in(headers.get("from")),
        sender_address=sender_address,
        recipients=_recipients(root, codec or _DEFAULT_CODEPAGE, headers),
        transport_headers=headers_text,
    )


def _fixed_properties(data: bytes, header: int) -> dict[int, tuple[int, bytes]]:
    """Property id -> (type, the 8 value bytes) of a property stream."""
    found: dict[int, tuple[int, bytes]] = {}
    # A trailing partial entry is ignored, as Outlook itself pads none.
    for offset in range(header, len(data) - 15, 16):
        tag, _flags, value = struct.unpack_from("<II8s", data, offset)
        found.setdefault(tag >> 16, (tag & 0xFFFF, value))
    return found


class _Strings:
    """The string properties of one storage, read on demand."""

    def __init__(self, storage: _Storage, codec: str) -> None:
        self.storage = storage
        self.codec = codec

    def get(self, prop: int) -> str | None:
        """The property as text (Unicode first, then 8-bit); None where absent or blank."""
        raw = self.storage.stream(
            f"__substg1.0_{prop:04X}{_PT_UNICODE:04X}", limit=_MAX_STRING_STREAM
        )
        if raw is not None:
            text = raw[: len(raw) // 2 * 2].decode("utf-16-le", "replace")
        else:
            raw = self.storage.stream(
                f"__substg1.0_{prop:04X}{_PT_STRING8:04X}", limit=_MAX_STRING_STREAM
            )
            if raw is None:
                return None
            text = raw.decode(self.codec, "replace")
        # Outlook writes some strings with their terminating NUL.
        text = text.split("\x00", 1)[0]
        return text if text.strip() else None


def _recipients(root: _Storage, codec: str, headers: Message) -> tuple[Recipient, ...]:
    found: list[Recipient] = []
    for name in root.children(_RECIPIENT_PREFIX):
        if len(found) >= _MAX_RECIPIENTS:
            break
        storage = root.child(name)
        data = storage.stream(_PROPERTIES, limit=_MAX_PROPERTY_STREAM)
        fixed = _fixed_properties(data or b"", _CHILD_HEADER)
        kind = _RECIPIENT_KINDS.get((_as_int(fixed.get(_RECIPIENT_TYPE)) or 1) & 0x3, "to")
        strings = _Strings(storage, codec)
        address = _smtp(strings.get(_SMTP_ADDRESS)) or _smtp_of_type(
            strings.get(_EMAIL_ADDRESS), strings.get(_ADDRTYPE)
        )
        display = strings.get(_DISPLAY_NAME)
        found.append(Recipient(kind, display, address))
    if not found:
        # A message with no recipient storages (some exports drop them) still
        # names its recipients in the transport headers.
        for kind in ("to", "cc"):
            for display, address in getaddresses(headers.get_all(kind) or []):
                if address or display:
                    found.append(Recipient(kind, display or None, _smtp(address)))
    return tuple(found)


def _as_int(value: tuple[int, bytes] | None) -> int | None:
    if value is None or value[0] not in (_PT_LONG, _PT_BOOLEAN):
        return None
    number: int = struct.unpack_from("<I", value[1])[0]
    return number


def _filetime(value: tuple[int, bytes] | None) -> dt.datetime | None:
    """A PT_SYSTIME as an aware UTC time; None for "no time" (0, or MAPI's year 4500+)."""
    if value is None or value[0] != _PT_SYSTIME:
        return None
    ticks: int = struct.unpack_from("<Q", value[1])[0]
    try:
        when = _FILETIME_EPOCH + dt.timedelta(microseconds=ticks // 10)
    except OverflowError:
        return None
    return None if when.year <= 1601 or when.year >= 4500 else when


def _codepage(value: tuple[int, bytes] | None) -> str | None:
    """Python's codec for a Windows code page number, or None if it has none."""
    number = _as_int(value)
    if not number:
        return None
    name = _CODEPAGES.get(number, f"cp{number}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _smtp(text: str | None) -> str | None:
    """``text`` if it looks like an SMTP address (an X500 "/o=..." one does not)."""
    if not text:
        return None
    text = text.strip()
    if text.lower().startswith("smtp:"):
        text = text[5:]
    if "@" not in text or text.startswith("/") or any(c.isspace() for c in text):
        return None
    return text


def _smtp_of_type(address: str | None, addrtype: str | None) -> str | None:
    """An address property, when its type says SMTP (or says nothing and it is one)."""
    if addrtype and addrtype.strip().upper() not in ("SMTP", "INTERNET"):
        return None
    return _smtp(address)


def _parse_headers(text: str | None) -> Message:
    text = (text or "").lstrip()
    if text.startswith(_EXCHANGE_PREFIX):
        text = text[len(_EXCHANGE_PREFIX) :].lstrip()
    return HeaderParser(policy=compat32).parsestr(text)


def _unfold(value: str) -> str | None:
    text = " ".join(value.split())
    return text or None


def _header_text(headers: Mapping[str, object] | Message, name: str) -> str | None:
    value = headers.get(name)
    return _unfold(value) if isinstance(value, str) else None


def _address_in(value: object) -> str | None:
    return _smtp(parseaddr(value)[1]) if isinstance(value, str) else None


def _name_in(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return _unfold(parseaddr(value)[0])


def _describe(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    if isinstance(err, RecursionError):
        return "damaged OLE directory (it loops)"
    detail = str(err).strip().rstrip(".")
    return detail or type(err).__name__
