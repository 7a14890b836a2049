"""The facts a saved mail states about itself: when it was sent, its subject, who to whom.

A scan calls :func:`read_message` on every ``.eml`` and ``.msg`` in a workspace, so
an ``.eml`` is read only as far as its header block, never its body. What a file
*is* comes from its first bytes, not its name: an Outlook ``.msg`` is an OLE
compound file, anything else is tried as an RFC 5322 message.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable
from email.errors import HeaderParseError
from email.header import decode_header
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from folder_kit.errors import MailError, UnreadableFileError
from folder_kit.files import open_regular

if TYPE_CHECKING:
    from folder_kit.timeline.msg import OutlookMessage

__all__ = [
    "HASHED",
    "MessageInfo",
    "head_of",
    "message_key",
    "message_key_of",
    "read_message",
    "read_message_data",
]


class MessageInfo(NamedTuple):
    """What a message says about itself; None where it says nothing usable."""

    date: dt.datetime | None  # aware when the message names a zone
    subject: str | None
    sender: str | None  # "Name <addr>" or "addr"
    to: str | None  # the same, comma-separated
    # What the index keys the mail by (``message_key``): its Message-ID, or for a
    # mail that has none the hash of its bytes (CRLF); None only for what is no mail.
    message_id: str | None = None


# Most header blocks end within the first read; none seen in practice is longer
# than the second, and one that is is read as far as it goes.
_FIRST_READ = 8 * 1024
_HEAD_BYTES = 64 * 1024
MAX_HASHED = 256 * 1024 * 1024  # a mail with its attachments, read whole for its key
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: an Outlook .msg
_BOM = b"\xef\xbb\xbf"
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")

# Labels senders use for a smaller charset than the one their client really wrote
# in: GB2312 mail routinely holds GBK characters, "ISO-8859-1" holds Windows quotes.
_WIDER_CODEC = {"gb2312": "gb18030", "gbk": "gb18030", "iso8859-1": "cp1252", "big5": "big5hkscs"}

# Outlook item classes that are mail; tasks, contacts, notes, appointments are not.
_MAIL_CLASSES = ("ipm.note", "report", "ipm.schedule.meeting.", "ipm.skypeteams.message")


def read_message(path: str | Path, *, addresses: bool = True) -> MessageInfo:
    """Read the date, subject, sender and recipients a saved ``.eml``/``.msg`` states.

    ``addresses=False`` skips sender and recipients, which a scan does not need.
    Raises MailError for anything that is not a readable mail: a missing or
    unreadable file, an empty one, garbage, an OLE file that is not a message.
    """
    try:
        # Only a regular file, never through a link, opened so that it cannot block.
        # No lstat first: a scan reads every mail, and has just listed each one as a
        # regular file (O_NOFOLLOW and fstat still refuse a link or a FIFO).
        fd = open_regular(path, look_first=False)
    except UnreadableFileError as err:
        raise MailError(path=Path(path), reason=err.reason) from err
    except OSError as err:
        raise MailError(path=Path(path), reason=err.strerror or str(err)) from err
    try:
        head = os.read(fd, _FIRST_READ)
        if head.startswith(OLE_MAGIC):
            os.lseek(fd, 0, os.SEEK_SET)
            with os.fdopen(os.dup(fd), "rb") as file:
                return _read_msg(Path(path), file)
        blank = _blank_line(head)
        if blank < 0 and len(head) == _FIRST_READ:
            head += os.read(fd, _HEAD_BYTES - _FIRST_READ)
            blank = _blank_line(head)
        try:
            # The blank line found once, for both questions: read on? where do the
            # headers end? (For a head that starts as a field name does: no BOM,
            # blank line or blank for _header_block and _read_eml to look at first.)
            block = head[:blank] if blank > 0 and 0x21 <= head[0] <= 0x7E else None
            return _read_eml(path, head, (fd, b""), addresses=addresses, block=block)
        except MailError:
            raise
        except Exception as err:  # a sender's bytes must never end a scan
            raise MailError(path=Path(path), reason=_describe(err)) from err
    except OSError as err:
        raise MailError(path=Path(path), reason=err.strerror or str(err)) from err
    finally:
        os.close(fd)


def read_message_data(data: bytes, *, path: Path) -> MessageInfo:
    """``read_message(..., addresses=False)`` of a message still in memory (one of an
    mbox or a .pst, about to be filed): the date, subject and key a scan will read
    from the file once it is written. ``path`` names the source in errors."""
    if data.startswith(OLE_MAGIC):
        import io

        return _read_msg(path, io.BytesIO(data))
    try:
        return _read_eml(path, head_of(data), (None, data), addresses=False)
    except MailError:
        raise
    except Exception as err:  # a sender's bytes must never end an import
        raise MailError(path=path, reason=_describe(err)) from err


def head_of(data: bytes) -> bytes:
    """What a scan reads of a mail held in memory: its first bytes, up to the end
    of its header block. (Not ``data[:64 KiB]`` for every one: nearly all
    header blocks end in the first 8 KiB, and a copy of 64 costs more than
    reading them.)"""
    head = data[:_FIRST_READ]
    if len(head) == _FIRST_READ and _blank_line(head) < 0:
        head = data[:_HEAD_BYTES]
    return head


# Where a mail's bytes are, for the key of one without a Message-ID (rare): the
# descriptor its head was read from (the rest to be read), or None and all of them.
Source = tuple[int | None, bytes]


def _whole(source: Source, head: bytes, path: str | Path) -> bytes:
    fd, data = source
    return data if fd is None else head + _rest(fd, path)


def _rest(fd: int, path: str | Path) -> bytes:
    """The rest of a mail whose head was read: for the key of one without a
    Message-ID (rare), which is the hash of all its bytes."""
    chunks = []
    total = 0
    while chunk := os.read(fd, 1 << 20):
        total += len(chunk)
        if total > MAX_HASHED:
            raise MailError(path=Path(path), reason="larger than 256 MB and without a Message-ID")
        chunks.append(chunk)
    return b"".join(chunks)


# Both start with a literal newline rather than a MULTILINE "^", which the regex
# engine tries at every character: this way it jumps from line to line (a cold
# scan reads every mail's header block: 2.8 -> 1.8 us a mail). The block is
# searched with a newline put before it.
_WANTED_FIELD = re.compile(
    r"\n(date|subject|from|to|content-type|message-id)[ \t]*:[ \t]*(.*(?:\n[ \t].*)*)",
    re.IGNORECASE,
)
# What a scan wants (addresses=False): two fields fewer to capture in every mail.
_DATED_FIELD = re.compile(
    r"\n(date|subject|content-type|message-id)[ \t]*:[ \t]*(.*(?:\n[ \t].*)*)", re.IGNORECASE
)
_FIRST_FIELD = re.compile(r"[!-9;-~]+[ \t]*:")
_NOT_A_FIELD = re.compile(r"\n(?![!-9;-~]+[ \t]*:|[ \t]|\r?$)", re.MULTILINE)


def _blank_line(head: bytes) -> int:
    """Where the first blank line starts (what ``re.search(rb"\\r?\\n\\r?\\n")`` finds),
    or -1. Two ``find`` calls instead of that regex, which cannot skip ahead to a
    literal: 1.8 -> 0.5 us a mail. The second looks only before the first's find:
    a whole head without "\n\r\n" (a mail with LF line ends) costs 6 us."""
    lf = head.find(b"\n\n")
    crlf = head.find(b"\n\r\n", 0, len(head) if lf < 0 else lf + 1)
    at = lf if crlf < 0 else crlf
    if at > 0 and head[at - 1] == 0x0D:  # the \r of a CRLF line end before it
        at -= 1
    return at


_CONTINUATION = re.compile(r"\r?\n[ \t]+")


def _header_fields(block: bytes, wanted: re.Pattern[str] = _WANTED_FIELD) -> dict[str, str]:
    """The header fields a scan needs from a header block; the first of each name wins.

    The block must open with a ``Name:`` line (after an mbox ``From `` envelope
    line, if any), so garbage yields nothing. One regex over the block instead
    of email.parser's feed parser, which a scan would run on every mail.
    """
    text = block.decode("ascii", "surrogateescape")
    if text.startswith("From "):
        text = text.partition("\n")[2]
    if not _FIRST_FIELD.match(text):
        return {}
    stray = _NOT_A_FIELD.search(text)
    if stray is not None:  # headers end where a line is neither a field nor a continuation
        text = text[: stray.start() + 1]
    fields: dict[str, str] = {}
    for name, value in wanted.findall("\n" + text):
        name = name.lower()
        if name not in fields:
            fields[name] = (_CONTINUATION.sub(" ", value) if "\n" in value else value).strip()
    if not fields:
        fields[""] = ""  # a header block, just none of the fields wanted
    return fields


def _read_eml(
    path: str | Path,
    head: bytes,
    source: Source,
    *,
    addresses: bool = True,
    block: bytes | None = None,
) -> MessageInfo:
    """``block``: the header block, when the caller has cut it from ``head`` already."""
    if block is None:
        if not head or head.isspace():  # as `not head.strip()`, without copying the head
            raise MailError(path=Path(path), reason="empty file")
        block = _header_block(head)
    headers = _header_fields(block, _WANTED_FIELD if addresses else _DATED_FIELD)
    if not headers:
        raise MailError(path=Path(path), reason="no mail headers")

    # Positional: the scan makes one for every mail (keywords cost 0.3 us more).
    return MessageInfo(
        _parse_date(headers.get("date")),
        _fold(_decode_words(_text(headers, "subject"))),
        _display_addresses(_text(headers, "from")) if addresses else None,
        _display_addresses(_text(headers, "to")) if addresses else None,
        message_key(headers.get("message-id")) or _hashed(_whole(source, head, path)),
    )


def _text(headers: dict[str, str], name: str) -> str | None:
    """A header field's text, raw 8-bit text decoded."""
    raw = headers.get(name)
    if raw is None or raw.isascii():
        return raw
    # Raw 8-bit text: the body's charset is a guess at it (looked up only then:
    # a scan reads every mail, nearly all with ASCII headers).
    charset_match = _CHARSET_PARAM.search(headers.get("content-type", ""))
    return _undo_8bit(raw, charset_match.group(1) if charset_match else None)


def header_block_of(data: bytes) -> bytes:
    """The header block of a mail held in memory, as a scan of its file reads it."""
    return _header_block(head_of(data))


def _header_block(head: bytes) -> bytes:
    """A saved mail's header block: from its start (a BOM and blank lines left out)
    to its first blank line, or all of ``head`` when there is none in it."""
    head = head.removeprefix(_BOM).lstrip(b"\r\n")
    blank = _blank_line(head)
    return head[:blank] if blank >= 0 else head


_MESSAGE_ID = re.compile(r"<([^<>]*)>")


def message_key(message_id: str | None) -> str | None:
    """A Message-ID as the index keeps it: what its first ``<...>`` holds (the whole
    value when it has none), blanks removed, lower case; None when that is empty."""
    if not message_id:
        return None
    found = _MESSAGE_ID.search(message_id)
    key = "".join((found.group(1) if found else message_id).split()).lower()
    return key or None


def message_key_of(data: bytes) -> str | None:
    """The key of an ``.eml`` from its bytes, as a scan of the saved file gives it:
    for deciding whether a mail is filed already before writing it. None for bytes
    that are no mail (an Outlook .msg: read it with ``read_message``)."""
    if data.startswith(OLE_MAGIC) or not data or data.isspace():
        return None
    block = _header_block(head_of(data))
    headers = _header_fields(block, _DATED_FIELD)
    if not headers:
        return None
    return message_key(headers.get("message-id")) or _hashed(data)


def _hashed(data: bytes) -> str:
    """The key of an .eml with no Message-ID (docs/cli.md, mail filing): a hash of
    all its bytes, its line endings made CRLF (a copy saved with LF ones is the
    same mail). A scan reads the rest of such a mail for it; nearly all have one."""
    if b"\n" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return _digest(data)


HASHED = "sha256:"  # how the key of a mail without a Message-ID starts


def _digest(data: bytes) -> str:
    return HASHED + hashlib.sha256(data).hexdigest()


def _read_msg(path: Path, file: BinaryIO) -> MessageInfo:
    from folder_kit.timeline.msg import read_msg

    msg = read_msg(file, path=path)
    class_type = msg.message_class or ""
    if not class_type.lower().startswith(_MAIL_CLASSES):
        raise MailError(path=path, reason=f"an Outlook {class_type or 'unknown'} item, not a mail")
    # The Internet headers a received message keeps say From and To as they were
    # sent; the properties are what Outlook made of them (all a sent one has).
    return MessageInfo(
        date=_msg_date(msg),
        subject=_fold(msg.subject),
        sender=_display_addresses(msg.header("from") or msg.sender()),
        to=_display_addresses(msg.header("to") or msg.addresses("to")),
        message_id=message_key(msg.message_id) or _hashed_file(file),
    )


def _msg_date(msg: OutlookMessage) -> dt.datetime | None:
    """Sent time, else delivery time (both UTC), else the Date of the stored Internet headers."""
    return msg.sent_time or msg.delivery_time or _parse_date(msg.header("date"))


def _hashed_file(file: BinaryIO) -> str:
    # An Outlook .msg is an OLE file, not lines: its bytes as they are.
    file.seek(0)
    return _digest(file.read())


_UNKNOWN_ZONE = re.compile(r"-0000\b")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
)}  # fmt: skip
# "Mon, 2 Mar 2026 10:00:00 +0100": how nearly every client writes it. ASCII
# digits and blanks only: anything else is left to email.utils.
_COMMON_DATE = re.compile(
    r"[ \t]*(?:[A-Za-z]{3},[ \t]*)?([0-9]{1,2})[ \t]+([A-Za-z]{3})[ \t]+([0-9]{4})[ \t]+"
    r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?[ \t]+([+-][0-9]{4})"
    r"(?:[ \t]*\(.*\))?[ \t]*$"
)


# One object per zone as written ("+0800"): a scan parses every mail's date.
_ZONES: dict[str, dt.timezone] = {}


def _zone(text: str) -> dt.timezone:
    """The zone of "+hhmm" or "-hhmm"; UTC for "-0000" too (the sender's own zone
    unknown, RFC 5322). Raises ValueError beyond 24 hours, as datetime does."""
    zone = _ZONES.get(text)
    if zone is None:
        minutes = int(text[1:3]) * 60 + int(text[3:5])
        offset = dt.timedelta(minutes=-minutes if text[0] == "-" else minutes)
        zone = _ZONES[text] = dt.UTC if not minutes else dt.timezone(offset)
    return zone


def _parse_date(raw: object) -> dt.datetime | None:
    """A Date header's time: what ``email.utils.parsedate_to_datetime`` gives (None
    where it fails), and UTC for a "-0000" zone (RFC 5322: UTC, the sender's own
    zone unknown), not a naive time."""
    if not isinstance(raw, str):
        return None
    m = _COMMON_DATE.match(raw)
    if m is not None:
        # The common shape, without email.utils' general parser (a scan reads every
        # mail's date: 3.0 -> 1.6 us). Tested equal to it with Hypothesis.
        day, name, year, hour, minute, second, zone = m.groups()
        month = _MONTHS.get(name.lower())
        if month is not None and year[:2] != "00":  # "0069": email.utils reads 1969
            try:
                return dt.datetime(
                    int(year), month, int(day), int(hour), int(minute), int(second or 0),
                    tzinfo=_zone(zone),
                )  # fmt: skip
            except ValueError:
                return None
    return _parse_any_date(raw)


def _parse_any_date(raw: str) -> dt.datetime | None:
    """``_parse_date`` by email.utils alone, for any form."""
    if not raw.strip():
        return None
    try:
        parsed = parsedate_to_datetime(_fold(raw) or "")
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None and _UNKNOWN_ZONE.search(raw):
        return parsed.replace(tzinfo=dt.UTC)
    return parsed


def _undo_8bit(raw: str, charset: str | None) -> str:
    """Header text as sent: raw 8-bit bytes (kept by the parser as surrogates) decoded."""
    if raw.isascii():
        return raw
    data = raw.encode("utf-8", "surrogateescape")
    # Valid UTF-8 is almost never an accident; then the body's charset, then GB18030.
    return _decode_first(data, ("utf-8", _codec(charset), "gb18030"), fallback="latin-1")


def _decode_labelled(data: bytes, charset: str) -> str:
    """Bytes of an encoded word, trusting its label first but not blindly."""
    label = _codec(charset)
    tries: list[str | None] = [_WIDER_CODEC.get(label or "", label), label]
    if label in (None, "ascii", "utf-8"):
        # Mislabelled or unlabelled: Chinese clients often send GBK as "utf-8".
        tries += ["utf-8", "gb18030"]
    return _decode_first(data, tries, fallback=tries[0] or "latin-1")


def _decode_first(data: bytes, codecs_: Iterable[str | None], *, fallback: str) -> str:
    """The first decoding that succeeds and gives text fit to store, else ``fallback``
    with replacement characters (latin-1 if even that fails)."""
    for codec in codecs_:
        if codec:
            try:
                text = data.decode(codec)
            except Exception:  # some codecs fail with errors other than UnicodeDecodeError
                continue
            if _storable(text):
                return text
    try:
        return _store_safe(data.decode(fallback, "replace"))
    except Exception:
        return data.decode("latin-1")


# Codecs that are text encodings to Python but no charset a mail may name: they
# interpret escapes or domain names, or always fail.
_NOT_CHARSETS = frozenset(
    {"unicode_escape", "raw_unicode_escape", "idna", "punycode", "undefined", "charmap", "mbcs",
     "oem", "unicode_internal"}
)  # fmt: skip


def _codec(charset: str | None) -> str | None:
    """Python's codec name for a MIME charset label, or None unless it names a real
    text encoding (a label is a stranger's data: base64, zlib or rot13 are refused)."""
    if not charset:
        return None
    label = charset.split("*", 1)[0].strip().strip("\"'")  # RFC 2231 language suffix
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def _storable(text: str) -> bool:
    """True if ``text`` is valid Unicode (no lone surrogates, as UTF-7 can make)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _store_safe(text: str) -> str:
    """``text`` with anything that is not valid Unicode replaced, fit for SQLite."""
    return text if _storable(text) else text.encode("utf-8", "replace").decode("utf-8")


def _decode_words(text: str | None) -> str | None:
    """Decode RFC 2047 encoded words (=?GB2312?B?...?=) without ever failing."""
    if text is None or "=?" not in text:
        return text
    try:
        parts = decode_header(text)
    except (HeaderParseError, ValueError):
        return text
    out: list[str] = []
    for part, charset in parts:
        if isinstance(part, str):
            out.append(part)
        elif charset is None:
            # decode_header hands back the plain runs between encoded words
            # escaped with raw-unicode-escape.
            try:
                out.append(part.decode("raw-unicode-escape"))
            except UnicodeDecodeError:
                out.append(part.decode("latin-1"))
        else:
            out.append(_decode_labelled(part, charset))
    return "".join(out)


def _fold(text: str | None) -> str | None:
    if text is None:
        return None
    if text.isascii() and text.isprintable() and "  " not in text:
        # Nearly every subject: nothing to replace or collapse, only the ends to trim.
        return text.strip() or None
    folded = _WHITESPACE.sub(" ", _store_safe(text).replace("\x00", "")).strip()
    return folded or None


def _display_addresses(text: str | None) -> str | None:
    """'Name <addr>' or 'addr' for each address, comma-separated, names decoded.

    Tolerant where mail is sloppy: a missing space before '<', an address used as
    a display name, an unquoted comma inside a name, Outlook's ';' separator.
    """
    if text is None:
        return None
    shown: list[str] = []
    pending = ""
    for piece in _split_addresses(text):
        piece = f"{pending}, {piece}" if pending else piece
        pending = ""
        if "@" not in piece and "<" not in piece and not piece.endswith(":"):
            pending = piece  # "Doe, John <j@x>" split at the comma: rejoin
            continue
        shown.append(_display_one(piece))
    if pending:
        shown.append(_display_one(pending))
    return _fold(", ".join(s for s in shown if s))


# A quoted string, an <addr>, a (comment), a separator, or a run of anything else;
# an unclosed quote, bracket or comment runs to the end of the header.
_ADDRESS_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"?|<[^>]*>?|\((?:[^()\\]|\\.)*\)?|[,;]|[^,;"<(]+|.', re.DOTALL
)


def _split_addresses(text: str) -> list[str]:
    """Split at ',' and ';' that are not inside quotes, <...> or (...)."""
    pieces: list[str] = []
    current: list[str] = []
    for token in _ADDRESS_TOKEN.findall(text):
        if token in (",", ";"):
            pieces.append("".join(current).strip())
            current = []
        else:
            current.append(token)
    pieces.append("".join(current).strip())
    return [p for p in pieces if p]


_ANGLE_ADDR = re.compile(r"(?s)(?P<name>.*)<(?P<addr>[^<>]*)>\s*")
_COMMENT_NAME = re.compile(r"(?s)(?P<addr>[^\s()]+)\s*\((?P<name>.*)\)\s*")
_GROUP_LABEL = re.compile(r'^[^"<>@]*:\s*')


def _display_one(piece: str) -> str:
    group = _GROUP_LABEL.match(piece)
    if group and group.end() == len(piece):
        return piece.rstrip(": ")  # "Undisclosed-Recipients:;" names no address
    if group:
        piece = piece[group.end() :]
    if match := _ANGLE_ADDR.fullmatch(piece):
        name, addr = match["name"], match["addr"].strip()
    elif match := _COMMENT_NAME.fullmatch(piece):  # old style: addr (Name)
        name, addr = match["name"], match["addr"]
    else:
        name, addr = "", piece
    name = _fold(_decode_words(_unquote(name.strip()))) or ""
    if not addr:
        return name
    if not name or name.lower() == addr.lower():
        return addr
    return f"{name} <{addr}>"


def _unquote(name: str) -> str:
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return re.sub(r"\\(.)", r"\1", name[1:-1])
    if len(name) >= 2 and name[0] == name[-1] == "'":
        return name[1:-1]
    return name


def _describe(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    detail = str(err).strip().rstrip(".")
    return detail or type(err).__name__
