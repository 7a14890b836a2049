"""The messages of a mail source, one at a time, whatever the source is.

What a path is comes from its content, not its name:

- a file starting with ``From `` is an **mbox**; a file starting with ``!BDN`` an
  Outlook **.pst**; an OLE compound file a single **.msg**; a file opening with a
  header field a single **.eml**;
- a folder holding ``cur/`` and ``new/`` is a **Maildir** (both read; ``tmp/``
  holds messages still being written and is left alone);
- any other folder is searched recursively: each ``*.eml`` and ``*.msg`` file is a
  message (its kind again from its bytes), a sub-folder that is a Maildir is read
  as one, and a ``*.pst`` or an mbox file (named ``*.mbox``, ``*.mbx`` or with no
  suffix at all, as Thunderbird and Apple Mail name theirs, and starting with
  ``From ``) is read as such. Anything else (Thunderbird's ``.msf`` indexes,
  attachments saved beside the mail) is passed over; so are symbolic links and
  hidden entries. A folder's own files come first, then its sub-folders, each by
  name: two runs read a source in the same order.

An mbox is read in chunks, never whole: memory stays flat in the size of the
source. A message is the bytes between two ``From `` lines that follow a blank
line (or the start of the file), without the ``From `` line itself and without
the blank line before the next one; a line ``>From `` (with any number of ``>``)
loses one ``>``. That is mboxrd, and what mboxo writers produce too, except for
a body line that really began with ``>From ``, which mboxo cannot tell apart.

A source that cannot be read at all raises :class:`MailSourceError`; a message
that cannot be read inside a readable source is a :class:`SourceWarning` in the
stream, and the next message follows.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from folder_kit.errors import MailSourceError, UnreadableFileError
from folder_kit.files import kind_of, open_regular
from folder_kit.timeline.mail import OLE_MAGIC

__all__ = [
    "MAX_MESSAGE_BYTES",
    "SourceKind",
    "SourceMessage",
    "SourceWarning",
    "detect_source",
    "read_source",
]

SourceKind = Literal["mbox", "maildir", "folder", "pst", "eml", "msg"]
MessageKind = Literal["eml", "msg"]

# A message larger than this is passed over with a warning: no mail server
# accepts one near it, and each message is held in memory while it is yielded.
MAX_MESSAGE_BYTES = 128 * 1024 * 1024

_PST_MAGIC = b"!BDN"
_MBOX_MAGIC = b"From "
# How much of a file tells what it is: a header field's name, or a magic number.
_SNIFF = 512
_FIRST_FIELD = re.compile(rb"[!-9;-~]+[ \t]*:")
_MBOX_SUFFIXES = {"", ".mbox", ".mbx"}
_MESSAGE_SUFFIXES = {".eml", ".msg"}


@dataclass(frozen=True, slots=True)
class SourceMessage:
    """One message of a source, as bytes to file and the facts about where it came from."""

    data: bytes  # the message: an RFC 5322 message, or a whole .msg file
    kind: MessageKind
    path: Path  # the file it came from: the .eml, the .msg, the mbox, the .pst
    index: int | None  # its place in an mbox or a .pst (0 is the first); None for a file
    envelope_date: dt.datetime | None  # the mbox ``From `` line's time, a fallback date
    mtime: dt.datetime  # the modification time of ``path``, UTC: the last fallback
    folder: str | None = None  # the folder inside a .pst ("Inbox/Customers")


@dataclass(frozen=True, slots=True)
class SourceWarning:
    """A message inside a source that could not be read; the rest of the source is."""

    path: Path
    index: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}" if self.index is None else f"{self.path}, message {self.index + 1}"
        return f"{where}: {self.reason}"


def detect_source(path: str | Path) -> SourceKind:
    """What ``path`` is as a mail source, from its content (see the module's doc).

    Raises MailSourceError for a missing path, a link, a FIFO or device, an
    unreadable file, or a file that is none of the kinds of source.
    """
    path = Path(path)
    mode = _lstat(path).st_mode
    if stat.S_ISDIR(mode):
        return "maildir" if _is_maildir(path) else "folder"
    if not stat.S_ISREG(mode):
        raise MailSourceError(path=path, reason=f"{kind_of(mode)}, not a file or folder")
    kind = _sniff(path, _head(path))
    if kind is None:
        raise MailSourceError(
            path=path,
            reason="not mail: neither an mbox, an .eml, a .msg nor an Outlook .pst file",
        )
    return kind


def read_source(path: str | Path) -> Iterator[SourceMessage | SourceWarning]:
    """Each message of the source at ``path``, in order, as it is read.

    Raises MailSourceError (on the first ``next``) when the source as a whole
    cannot be read; yields a SourceWarning for a message that cannot be.
    """
    path = Path(path)
    kind = detect_source(path)
    if kind == "mbox":
        yield from _read_mbox(path)
    elif kind == "maildir":
        yield from _read_maildir(path)
    elif kind == "folder":
        yield from _read_folder(path)
    elif kind == "pst":
        from folder_kit.mail.pst import read_pst  # needs libpff, an optional extra

        yield from read_pst(path, mtime=_mtime(path))
    else:
        yield _read_one(path, kind)


# --- telling what a path is -------------------------------------------------------


def _lstat(path: Path) -> os.stat_result:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        raise MailSourceError(path=path, reason="no such file or folder") from None
    except OSError as err:
        raise MailSourceError(path=path, reason=err.strerror or str(err)) from err


def _is_maildir(path: Path) -> bool:
    return all((path / name).is_dir() and not (path / name).is_symlink() for name in ("cur", "new"))


def _head(path: Path) -> bytes:
    fd = _open(path)
    try:
        return os.read(fd, _SNIFF)
    except OSError as err:
        raise MailSourceError(path=path, reason=err.strerror or str(err)) from err
    finally:
        os.close(fd)


def _open(path: Path) -> int:
    """A descriptor of a regular file (never through a link, never a FIFO)."""
    try:
        return open_regular(path)
    except UnreadableFileError as err:
        raise MailSourceError(path=path, reason=err.reason) from err
    except FileNotFoundError:
        raise MailSourceError(path=path, reason="no such file or folder") from None
    except OSError as err:
        raise MailSourceError(path=path, reason=err.strerror or str(err)) from err


def _sniff(path: Path, head: bytes) -> SourceKind | None:
    if head.startswith(_PST_MAGIC):
        return "pst"
    if head.startswith(OLE_MAGIC):
        return "msg"
    if head.startswith(_MBOX_MAGIC):
        return "mbox"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b"\r\n")
    if _FIRST_FIELD.match(text):
        return "eml"
    return None


def _mtime(path: Path) -> dt.datetime:
    try:
        seconds = os.stat(path).st_mtime
    except OSError as err:
        raise MailSourceError(path=path, reason=err.strerror or str(err)) from err
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


# --- single files, Maildirs, folders ----------------------------------------------


def _read_one(path: Path, kind: MessageKind | SourceKind) -> SourceMessage:
    """A file that is one message, read whole (up to MAX_MESSAGE_BYTES)."""
    fd = _open(path)
    try:
        info = os.fstat(fd)
        if info.st_size > MAX_MESSAGE_BYTES:
            raise MailSourceError(path=path, reason=f"larger than {_mb(MAX_MESSAGE_BYTES)}")
        with os.fdopen(os.dup(fd), "rb") as file:
            data = file.read(MAX_MESSAGE_BYTES + 1)
    except OSError as err:
        raise MailSourceError(path=path, reason=err.strerror or str(err)) from err
    finally:
        os.close(fd)
    if len(data) > MAX_MESSAGE_BYTES:
        raise MailSourceError(path=path, reason=f"larger than {_mb(MAX_MESSAGE_BYTES)}")
    return SourceMessage(
        data=data,
        kind="msg" if data.startswith(OLE_MAGIC) else "eml",
        path=path,
        index=None,
        envelope_date=None,
        mtime=dt.datetime.fromtimestamp(info.st_mtime, dt.UTC),
    )


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    """The visible entries of a folder, by name."""
    try:
        with os.scandir(folder) as listing:
            return sorted((e for e in listing if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as err:
        raise MailSourceError(path=folder, reason=err.strerror or str(err)) from err


def _read_maildir(path: Path) -> Iterator[SourceMessage | SourceWarning]:
    for sub in ("cur", "new"):
        for entry in _entries(path / sub):
            if entry.is_file(follow_symlinks=False):
                yield _one_or_warning(Path(entry.path))


def _one_or_warning(path: Path) -> SourceMessage | SourceWarning:
    """A file that should be one message; a warning in the stream if it cannot be read."""
    try:
        head = _head(path)
        if not head.strip():
            return SourceWarning(path, None, "empty file")
        if _sniff(path, head) not in ("eml", "msg", "mbox"):
            return SourceWarning(path, None, "not a mail message (no header fields)")
        return _read_one(path, "eml")
    except MailSourceError as err:
        return SourceWarning(path, None, err.reason)


def _read_folder(root: Path) -> Iterator[SourceMessage | SourceWarning]:
    # An explicit stack rather than recursion or os.walk: a deep tree cannot
    # overflow it, and an unreadable sub-folder is one warning, not the end.
    stack = [root]
    while stack:
        folder = stack.pop()
        if folder != root and _is_maildir(folder):
            yield from _read_maildir(folder)
            continue
        try:
            entries = _entries(folder)
        except MailSourceError as err:
            yield SourceWarning(folder, None, err.reason)
            continue
        subfolders: list[Path] = []
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir():
                subfolders.append(Path(entry.path))
            elif entry.is_file():
                yield from _read_folder_file(Path(entry.path))
        stack.extend(reversed(subfolders))


def _read_folder_file(path: Path) -> Iterator[SourceMessage | SourceWarning]:
    suffix = path.suffix.lower()
    if suffix in _MESSAGE_SUFFIXES:
        yield _one_or_warning(path)
    elif suffix == ".pst" or suffix in _MBOX_SUFFIXES:
        try:
            kind = _sniff(path, _head(path))
        except MailSourceError as err:
            yield SourceWarning(path, None, err.reason)
            return
        try:
            if kind == "pst" and suffix == ".pst":
                from folder_kit.mail.pst import read_pst

                yield from read_pst(path, mtime=_mtime(path))
            elif kind == "mbox" and suffix in _MBOX_SUFFIXES:
                yield from _read_mbox(path)
        except MailSourceError as err:  # one unreadable export inside the folder
            yield SourceWarning(path, None, err.reason)


# --- mbox -------------------------------------------------------------------------

# Read this much at a time: large enough that the time goes to bytes.find and
# slicing rather than the interpreter, small enough to keep memory flat.
_CHUNK = 256 * 1024
# A "From " line longer than this (a binary file that starts with "From ") is
# cut here, and what follows is read as the message.
_MAX_ENVELOPE = 64 * 1024
_ESCAPED_LINE = re.compile(rb"^>(>*From )", re.MULTILINE)


def _read_mbox(path: Path) -> Iterator[SourceMessage | SourceWarning]:
    fd = _open(path)
    try:
        mtime = dt.datetime.fromtimestamp(os.fstat(fd).st_mtime, dt.UTC)
        with os.fdopen(os.dup(fd), "rb", buffering=0) as file:
            yield from _split_mbox(file, path, mtime)
    except OSError as err:
        raise MailSourceError(path=path, reason=err.strerror or str(err)) from err
    finally:
        os.close(fd)


def _split_mbox(
    file: BinaryIO, path: Path, mtime: dt.datetime
) -> Iterator[SourceMessage | SourceWarning]:
    for index, (envelope, data) in enumerate(_mbox_messages(file)):
        if data is None:
            yield SourceWarning(path, index, f"larger than {_mb(MAX_MESSAGE_BYTES)}, passed over")
        elif not data or data.isspace():  # strip() would copy every message
            yield SourceWarning(path, index, "an empty message")
        elif not _FIRST_FIELD.match(data):
            yield SourceWarning(path, index, "not a mail message (no header fields)")
        else:
            yield SourceMessage(
                data=data,
                kind="eml",
                path=path,
                index=index,
                envelope_date=_envelope_date(envelope),
                mtime=mtime,
            )


def _mbox_messages(file: BinaryIO) -> Iterator[tuple[bytes, bytes | None]]:
    """Each message of an mbox: its ``From `` line, and its bytes (``>From ``
    unescaped, without the blank line before the next ``From `` line) or None
    where they are over MAX_MESSAGE_BYTES. What precedes the first ``From ``
    line is no message.

    The file is read in chunks in which ``bytes.find`` looks for "From ", so the
    work is done in C; the bytes before each one found tell a separator (a
    blank line before it) from an escaped line (a ">" before it) and from
    neither. A message is copied once, out of its chunk, or twice where it
    spans chunks (its pieces, then their join).
    """
    buf = b"\n\n"  # as if after a blank line: "From " at the very start separates too
    at = 0  # where in buf the bytes not yet taken begin
    envelope: bytes | None = None  # the "From " line of the message being read
    pieces: list[bytes] = []  # its bytes read before buf
    size = 0  # their length; over the cap, they are dropped and only counted
    escaped = False  # whether it may hold a ">From " line
    eof = False
    while True:
        end = -1  # where the blank line before the next separator starts
        i = buf.find(b"From ", at)
        while i >= 0:
            before = buf[max(i - 3, 0) : i]
            if before.endswith(b"\n\n"):
                end = i - 1
                break
            if before == b"\n\r\n":
                end = i - 2
                break
            escaped = escaped or before.endswith(b">")
            i = buf.find(b"From ", i + 1)
        if end < 0 and not eof:
            # None yet: take the bytes that cannot begin one or the blank line
            # before it, and read on, keeping the three bytes that tell a blank line.
            take = max(at, len(buf) - len(b"\r\nFrom"))
            if envelope is not None:
                size = _gather(pieces, buf, at, take, size)
            chunk = file.read(_CHUNK)
            eof = not chunk
            cut = max(take - 3, 0)
            buf, at = buf[cut:] + chunk, take - cut
            continue
        if envelope is not None:
            last = buf[at:end] if end >= 0 else buf[at:]
            yield envelope, _message(pieces, last, size, escaped=escaped, at_end=end < 0)
        if end < 0:
            return
        # The "From " line: up to its line end, which may lie in a chunk to come.
        start = i
        while (nl := buf.find(b"\n", start)) < 0 and len(buf) - start <= _MAX_ENVELOPE:
            chunk = file.read(_CHUNK)
            if not chunk:
                eof = True
                break
            buf, start = buf[start:] + chunk, 0
        if nl < 0:  # at the end, or far too long: what follows is the message
            at = min(len(buf), start + _MAX_ENVELOPE)
            envelope = buf[start:at]
        else:
            envelope, at = buf[start:nl], nl + 1
        pieces, size, escaped = [], 0, False


def _gather(pieces: list[bytes], buf: bytes, start: int, end: int, size: int) -> int:
    """Add ``buf[start:end]`` to a message's ``pieces`` of ``size`` bytes; returns
    the new size. A message over the cap keeps no pieces, only its size."""
    size += end - start
    if size > MAX_MESSAGE_BYTES:
        pieces.clear()
    elif end > start:
        pieces.append(buf[start:end])
    return size


def _message(
    pieces: list[bytes], last: bytes, size: int, *, escaped: bool, at_end: bool
) -> bytes | None:
    """A message from its pieces and its last bytes, or None where over the cap."""
    if size + len(last) > MAX_MESSAGE_BYTES:
        return None
    data = b"".join((*pieces, last)) if pieces else last
    if at_end:  # the blank line an mbox writer puts after its last message
        if data.endswith(b"\n\n") or data == b"\n":
            data = data[:-1]
        elif data.endswith(b"\n\r\n") or data == b"\r\n":
            data = data[:-2]
    if escaped:
        data = _ESCAPED_LINE.sub(rb"\1", data)
    return data


# "From sender Thu Mar  5 10:00:00 2026", and the variants with a zone before or
# after the year ("... 10:00:00 +0000 2026", "... 2026 +0000") or no seconds.
_ENVELOPE_TIME = re.compile(
    rb"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    rb"(?:\s+([+-]\d{4}|[A-Z]{2,5}))?\s+(\d{4})(?:\s+([+-]\d{4}))?"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        (
            b"jan",
            b"feb",
            b"mar",
            b"apr",
            b"may",
            b"jun",
            b"jul",
            b"aug",
            b"sep",
            b"oct",
            b"nov",
            b"dec",
        ),
        1,
    )
}


def _envelope_date(line: bytes) -> dt.datetime | None:
    """The time of a ``From `` line: aware where it names a numeric zone, else naive
    (most writers use the local time of the machine that wrote the mbox)."""
    match = _ENVELOPE_TIME.search(line)
    if match is None:
        return None
    month_name, day, hour, minute, second, zone1, year, zone2 = match.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    zone: dt.tzinfo | None = None
    numeric = next((z for z in (zone1, zone2) if z and z[:1] in b"+-"), None)
    if numeric is not None:
        minutes = int(numeric[1:3]) * 60 + int(numeric[3:5])
        zone = dt.timezone(dt.timedelta(minutes=-minutes if numeric[:1] == b"-" else minutes))
    elif zone1 in (b"UTC", b"GMT"):
        zone = dt.UTC
    try:
        return dt.datetime(
            int(year), month, int(day), int(hour), int(minute), int(second or 0), tzinfo=zone
        )
    except ValueError:
        return None


def _mb(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"
