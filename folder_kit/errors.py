"""The errors folder-kit reports to a user.

Every error builds its own message from keyword arguments, so it reads the same
wherever it is raised. The CLI turns any FolderKitError into one ``Error: ...``
line and exit code 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


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
        what = f"{key}: " if key else ""
        super().__init__(f"{where}: {what}{reason}")


class UnsafeNameError(FolderKitError):
    """A customer name that cannot become a folder name."""

    def __init__(self, *, name: str, reason: str) -> None:
        self.name = name
        super().__init__(f"cannot use {name!r} as a customer name: {reason}")


class CustomerExistsError(FolderKitError):
    def __init__(self, *, name: str, path: str) -> None:
        super().__init__(f"customer {name!r} already exists at {path}")


class UnknownCustomerError(FolderKitError):
    """A name that matches no customer, or more than one."""

    def __init__(self, *, name: str, matches: Sequence[str] = (), ambiguous: bool = False) -> None:
        self.name = name
        self.matches = list(matches)
        if ambiguous:
            reason = f"{name!r} matches more than one customer: {', '.join(self.matches)}"
        elif self.matches:
            reason = f"no customer {name!r}; closest: {', '.join(self.matches)}"
        else:
            reason = f"no customer {name!r}"
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
        super().__init__(f"{path} already exists{'; ' + hint if hint else ''}")


class UsageError(FolderKitError):
    """A value the user gave that the library cannot act on."""


class IndexStoreError(FolderKitError):
    """The derived index cannot be opened or is from an incompatible version."""

    def __init__(self, *, path: Path, reason: str) -> None:
        if "locked" in reason:  # another folder-kit command holds it: waiting is the fix
            hint = "another folder-kit command is using it; try again when that one is done"
        else:
            hint = "delete it and run `folder-kit scan`"
        super().__init__(f"index {path}: {reason}; {hint}")


class MailError(FolderKitError):
    """A file that should be a mail (.eml or .msg) but cannot be read as one."""

    def __init__(self, *, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot read mail {path}: {reason}")


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
