"""Grade changes, kept in the customer folder so they survive a rebuilt index.

A move between grade folders leaves no trace on disk once it is done, yet the
timeline must show it after the index is deleted. So the tool notes each move
in a small hidden file that travels with the customer folder:
``.folder-kit-grades.txt``, one line per move: ``<ISO time> <from> -> <to>``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

HISTORY_FILE = ".folder-kit-grades.txt"
_HEADER = "# folder-kit: grade changes of this customer (written by folder-kit; safe to keep)\n"
_LINE = re.compile(r"^(?P<when>\S+)\s+(?P<src>[ABCDP])\s*->\s*(?P<dst>[ABCDP])\s*$")


@dataclass(frozen=True)
class GradeChange:
    when: str  # ISO 8601 time with offset
    day: dt.date
    source: str
    target: str


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
    try:
        text = (folder / HISTORY_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return parse_history(text)


def append_history(folder: Path, change: GradeChange) -> None:
    """Add a line to the customer's grade history, atomically."""
    path = folder / HISTORY_FILE
    try:
        old = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        old = _HEADER
    if old and not old.endswith("\n"):
        old += "\n"
    text = f"{old}{change.when} {change.source} -> {change.target}\n"
    import tempfile  # only when writing: it is slow to import

    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".folder-kit-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def change_at(moment: dt.datetime, source: str, target: str) -> GradeChange:
    when = moment.astimezone().replace(microsecond=0)
    return GradeChange(when.isoformat(), when.date(), source, target)
