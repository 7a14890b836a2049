"""The errors folder-kit reports to a user.

Every error builds its own message from keyword arguments, so it reads the same
wherever it is raised. The CLI turns any FolderKitError into one ``Error: ...``
line and exit code 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# Characters that must not reach a terminal raw: C0 and C1 controls (escape
# sequences, a newline that forges an `Error:` line), line and paragraph
# separators, bidirectional overrides, and lone surrogates (undecodable bytes).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
MAX_SHOWN = 200


_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept as a surrogate
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character written out as an escape (``\\x1b``,
    ``\\n``), so that it reaches a terminal as the characters a person can read."""
    return _UNSAFE.sub(_escape, text)


def shown(value: object, *, limit: int = MAX_SHOWN) -> str:
    """A value as a message shows it: control characters visible, cut to ``limit``
    characters. Not repr(): a user sees what they wrote."""
    text = visible(str(value))
    if len(text) > limit:
        return f"{text[: limit - 1]}… ({len(text)} characters)"
    return text


def quoted(value: object, *, limit: int = MAX_SHOWN) -> str:
    """:func:`shown` in quotes, for a value inside a sentence."""
    return f"'{shown(value, limit=limit)}'"


class FolderKitError(Exception):
    """Base of every error that is the user's to fix, not a bug."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class WorkspaceError(FolderKitError):
    """No workspace where one was looked for, or a workspace that is not usable."""

    def __init__(self, *, reason: str) -> None:
        super().__init__(reason)


class ConfigError(FolderKitError):
    """folder-kit.yaml is broken: names the file, the line and the dotted key."""

    def __init__(self, *, path: Path, reason: str, line: int | None = None, key: str = "") -> None:
        self.path = path
        self.line = line
        self.key = key
        where = f"{path}:{line}" if line is not None else str(path)
        what = f"{shown(key, limit=100)}: " if key else ""
        super().__init__(f"{where}: {what}{reason}")


class UnsafeNameError(FolderKitError):
    """A customer name that cannot become a folder name."""

    def __init__(self, *, name: str, reason: str) -> None:
        self.name = name
        super().__init__(f"cannot use {quoted(name)} as a customer name: {reason}")


class CustomerExistsError(FolderKitError):
    def __init__(self, *, name: str, path: str) -> None:
        super().__init__(f"customer {quoted(name)} already exists at {shown(path)}")


class UnknownCustomerError(FolderKitError):
    """A name that matches no customer, or more than one."""

    def __init__(self, *, name: str, matches: Sequence[str] = (), ambiguous: bool = False) -> None:
        self.name = name
        self.matches = list(matches)
        listed = ", ".join(shown(m) for m in self.matches)
        if ambiguous:
            reason = f"{quoted(name)} matches more than one customer: {listed}"
        elif self.matches:
            reason = f"no customer {quoted(name)}; closest: {listed}"
        else:
            reason = f"no customer {quoted(name)}"
        super().__init__(reason)


class NotACustomerFolderError(FolderKitError):
    """NAME given as a path (`.`) that is not a customer folder or inside one."""

    def __init__(self, *, path: str) -> None:
        super().__init__(
            f"{path} is not a customer folder or inside one; "
            "name the customer, or run this inside its folder"
        )


class TargetExistsError(FolderKitError):
    """A write that would overwrite something already there."""

    def __init__(self, *, path: str, hint: str = "") -> None:
        super().__init__(f"{shown(path)} already exists{'; ' + hint if hint else ''}")


class FolderInUseError(FolderKitError):
    """Windows refuses to rename a folder some program holds open."""

    def __init__(self, *, path: str) -> None:
        super().__init__(
            f"{shown(path)} is in use, and Windows will not move a folder while a program "
            "has it or a file in it open (a terminal or a window open in it, an open "
            "document); close it, or run the command from outside the folder; nothing was moved"
        )


class ExportPlaceError(FolderKitError):
    """An export (a report page, a calendar) asked for inside the customers folder."""

    def __init__(self, *, path: str, customers: str, instead: str) -> None:
        self.path = path
        super().__init__(
            f"{shown(path)} is inside {shown(customers)}/, where every file may count as "
            f"contact with a customer; write it beside it, in the workspace folder: "
            f"{shown(instead)}"
        )


class WatcherStopError(FolderKitError):
    """A watcher was asked to stop and did not."""

    def __init__(self, *, reason: str) -> None:
        super().__init__(f"{reason}; it may be busy with a large folder: try again, or end it")


class AddressError(FolderKitError):
    """An email address given to be written that is not one address a mail can carry."""

    def __init__(self, *, option: str, value: str, reason: str, hint: str) -> None:
        self.value = value
        super().__init__(f"{option} {quoted(value)} {reason}; {hint}; nothing was written")


class UsageError(FolderKitError):
    """A value the user gave that the library cannot act on."""


class UnreadableFileError(FolderKitError, OSError):
    """A file folder-kit will not read: a link, a FIFO or device, or too large.

    Also an OSError (``strerror`` is the reason), so code that already copes
    with a file it cannot open copes with this one the same way.
    """

    def __init__(self, *, path: str, reason: str) -> None:
        super().__init__(f"{shown(path)} is {reason}")
        self.path = path
        self.reason = reason
        self.strerror = reason
        self.filename = path


class LinkInPathError(FolderKitError):
    """A write whose way down from the workspace root passes through a link."""

    def __init__(self, *, path: str) -> None:
        self.path = path
        super().__init__(
            f"{shown(path)} is a symbolic link; folder-kit never writes through links "
            "(nothing was written): make it a real folder"
        )


class IndexStoreError(FolderKitError):
    """The derived index cannot be opened or is from an incompatible version."""

    def __init__(self, *, path: Path, reason: str) -> None:
        if "locked" in reason:  # another folder-kit command holds it: waiting is the fix
            hint = "another folder-kit command is using it; try again when that one is done"
        else:
            hint = "delete it and run `folder-kit scan`"
        super().__init__(f"index {path}: {reason}; {hint}")


class StateDiskFullError(FolderKitError):
    """The disk that holds the state folder is full: the index cannot take a write.

    Not a damaged index: deleting it would lose nothing but time, and mend nothing.
    """

    def __init__(self, *, path: Path) -> None:
        self.path = path
        super().__init__(
            f"the disk of the state folder {shown(path)} is full, so the index cannot be "
            "written: free some space on it (or set FOLDER_KIT_STATE to a folder on another "
            "disk), then run the command again"
        )


class NetworkStateError(FolderKitError):
    """A state folder on a network drive, where SQLite's locks do not hold."""

    def __init__(self, *, path: Path, drive: str) -> None:
        self.path = path
        super().__init__(
            f"the state folder {shown(path)} is on a network drive ({shown(drive)}), where "
            "the index would be damaged (SQLite's locks do not hold there); set "
            "FOLDER_KIT_STATE to a local folder"
        )


class MailError(FolderKitError):
    """A file that should be a mail (.eml or .msg) but cannot be read as one."""

    def __init__(self, *, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot read mail {shown(path)}: {shown(reason)}")


class MailSourceError(FolderKitError):
    """A path given as a mail source (mbox, Maildir, folder, .pst) that cannot be read as one."""

    def __init__(self, *, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot read mail from {shown(path)}: {shown(reason)}")


class TemplateError(FolderKitError):
    """A draft template that is broken, hostile, or uses a variable it was not given."""

    def __init__(self, *, template: str, reason: str) -> None:
        self.template = template
        super().__init__(f"template {template}: {reason}; no draft was written")


class TopicError(FolderKitError):
    """A topic asked for with --topic whose data does not exist."""

    def __init__(self, *, topic: str, reason: str) -> None:
        super().__init__(f"cannot write a {topic} draft: {reason}")


class NotADraftError(FolderKitError):
    """`sent DRAFT` given something that is not a draft the tool wrote."""

    def __init__(self, *, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")


class WatcherRunningError(FolderKitError):
    """A second watcher on a workspace that already has one."""

    def __init__(
        self,
        *,
        pid: int | None,
        since: str | None,
        hint: str = "it keeps the index current, so there is no need for a second one",
    ) -> None:
        self.pid = pid
        self.since = since
        who = f"PID {pid}" if pid else "another process"
        when = f", since {since}" if since else ""
        super().__init__(f"a watcher already runs on this workspace ({who}{when}); {hint}")


class ServiceError(FolderKitError):
    """The background service cannot be installed or queried on this system."""

    def __init__(self, *, reason: str, hint: str) -> None:
        super().__init__(f"{reason}; {hint}")


class IntegrationError(FolderKitError):
    """The file-manager entries cannot be installed, read or run as asked."""

    def __init__(self, *, reason: str) -> None:
        super().__init__(reason)
