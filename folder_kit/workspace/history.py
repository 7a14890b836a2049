"""Grade changes, kept in the customer folder so they survive a rebuilt index.

A move between grade folders leaves no trace on disk once it is done, yet the
timeline must show it after the index is deleted. So the tool notes each move
in a small hidden file that travels with the customer folder:
``.folder-kit-grades.txt``, one line per move: ``<ISO time> <from> -> <to>``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from folder_kit.files import open_regular, read_regular, read_whole, write_replacing

HISTORY_FILE = ".folder-kit-grades.txt"
_HEADER = "# folder-kit: grade changes of this customer (written by folder-kit; safe to keep)\n"
_LINE = re.compile(r"^(?P<when>\S+)\s+(?P<src>[ABCDP])\s*->\s*(?P<dst>[ABCDP])\s*$")


@dataclass(frozen=True)
class GradeChange:
    when: str  # ISO 8601 time with offset
    day: dt.date  # of that offset; the timeline counts the user's day of ``moment``
    source: str
    target: str

    @property
    def moment(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.when)


def parse_history(text: str) -> list[GradeChange]:
    changes = []
    for line in text.splitlines():
        m = _LINE.match(line.strip())
        if not m:
            continue
        try:
            when = dt.datetime.fromisoformat(m["when"])
        except ValueError:
            continue
        changes.append(GradeChange(m["when"], when.date(), m["src"], m["dst"]))
    return changes


def read_history(folder: Path) -> list[GradeChange]:
    """The moves noted in ``folder``; none if the note is missing or not a regular
    file of sane size (a link to an outside file is never read)."""
    try:
        data = read_regular(folder / HISTORY_FILE)
    except OSError:  # UnreadableFileError too: it is one
        return []
    return parse_history(data.decode("utf-8", errors="replace"))


def check_history(folder: Path) -> None:
    """Raise UnreadableFileError if ``folder`` holds a history note that is not a
    regular file (a link, a FIFO) or is too large; a missing one is fine."""
    with contextlib.suppress(FileNotFoundError):
        read_regular(folder / HISTORY_FILE)


def append_history(folder: Path, change: GradeChange) -> None:
    """Add a line to the customer's grade history, atomically, keeping its mode.

    A history that is a link, a FIFO or a huge file is refused with
    UnreadableFileError before anything is written: its lines are not imported.
    """
    path = folder / HISTORY_FILE
    mode: int | None = None
    try:
        fd = open_regular(path)
    except FileNotFoundError:
        old = _HEADER
    else:
        try:
            mode = stat.S_IMODE(os.fstat(fd).st_mode)
            old = read_whole(fd, path).decode("utf-8", errors="replace")
        finally:
            os.close(fd)
    if old and not old.endswith("\n"):
        old += "\n"
    text = f"{old}{change.when} {change.source} -> {change.target}\n"
    # Bytes: the old lines keep their own line ends. Fsynced like every other
    # write: this note is what a rebuilt index learns the grade moves from. It
    # keeps its own mode; a new one gets the umask's.
    write_replacing(path, text.encode("utf-8"), mode=mode)


def change_at(moment: dt.datetime, source: str, target: str) -> GradeChange:
    when = moment.astimezone().replace(microsecond=0)
    return GradeChange(when.isoformat(), when.date(), source, target)
