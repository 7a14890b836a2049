"""When a customer folder is quiet enough to read again: the settle rule.

A file is read once it is quiet: no event for it, and its size and mtime
unchanged, for a settle period. Where the OS says when a writer closes the file
(Linux's close-after-write), a file modified but not yet closed waits for that
close, up to ``hold_open`` seconds. A pure core: the time and a stat function
are passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Stamp = tuple[int, int] | None  # size, mtime_ns; None: not there


@dataclass
class _File:
    stamp: Stamp
    last: float  # the last event or change seen
    writing: bool = False


@dataclass
class _Folder:
    last: float
    files: dict[str, _File] = field(default_factory=dict)
    at_once: bool = False


class Settler:
    """The customer folders waiting to be reconciled, keyed by their path."""

    def __init__(self, *, settle: float = 1.0, hold_open: float = 30.0) -> None:
        self.settle = settle
        self.hold_open = hold_open
        self._folders: dict[str, _Folder] = {}

    def __len__(self) -> int:
        return len(self._folders)

    def touch(
        self,
        folder: str,
        now: float,
        *,
        path: str | None = None,
        stamp: Stamp = None,
        writing: bool | None = None,
        at_once: bool = False,
    ) -> None:
        """Something happened in ``folder`` (to ``path``, whose stat is now ``stamp``).

        ``writing``: True when the file was written to, False when its writer closed
        it, None when the event says neither. ``at_once``: reconcile without waiting
        (a whole folder moved in, already complete).
        """
        entry = self._folders.get(folder)
        if entry is None:
            entry = self._folders[folder] = _Folder(now)
        entry.last = max(entry.last, now)
        entry.at_once = entry.at_once or at_once
        if path is None:
            return
        f = entry.files.get(path)
        if f is None:
            entry.files[path] = _File(stamp, now, bool(writing))
            return
        f.stamp, f.last = stamp, now
        if writing is not None:
            f.writing = writing

    def later(self, folder: str, when: float) -> None:
        """Look at ``folder`` again at ``when`` (after a reconcile that failed)."""
        self._folders[folder] = _Folder(when - self.settle)

    def next_due(self) -> float | None:
        """The earliest time a folder may be due, or None when none waits."""
        if not self._folders:
            return None
        return min(f.last if f.at_once else f.last + self.settle for f in self._folders.values())

    def take_due(self, now: float, stat: Callable[[str], Stamp]) -> list[str]:
        """The folders quiet at ``now``, removed from the waiting set."""
        due: list[str] = []
        for folder, entry in list(self._folders.items()):
            if not entry.at_once and not self._quiet(entry, now, stat):
                continue
            due.append(folder)
            del self._folders[folder]
        return due

    def _quiet(self, entry: _Folder, now: float, stat: Callable[[str], Stamp]) -> bool:
        if now - entry.last < self.settle:
            return False
        quiet = True
        for path, f in entry.files.items():
            if f.writing and now - f.last < self.hold_open:
                quiet = False  # still open for writing: wait for its close
                continue
            current = stat(path)
            if current != f.stamp:
                f.stamp, f.last = current, now
                quiet = False
        if not quiet:
            entry.last = now  # look again one settle period from now
        return quiet
