"""``log``: a contact made outside mail, written as a small file into OUT/ or IN/.

The folders stay the single source of truth: a phone call is a file named
``OUT/2026-11-26 phone price-update asked about MOQ.txt`` holding the note, and
the next scan reads the direction, date, medium and topic back from it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pathvalidate import sanitize_filename

from folder_kit.errors import UsageError, quoted
from folder_kit.terms import LOG_MEDIA
from folder_kit.timeline.classify import Classifier
from folder_kit.timeline.dates import READABLE_YEARS, date_from_name
from folder_kit.workspace.customers import Customer, kind_folder
from folder_kit.workspace.filing import file_into
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.ignore import is_ignored
from folder_kit.workspace.names import check_text, fit_path

NOTE_HEAD_CHARS = 40


@dataclass(frozen=True)
class Recorded:
    path: Path
    dry_run: bool


def record_contact(
    ws: Workspace,
    customer: Customer,
    *,
    direction: Literal["out", "in"],
    medium: str,
    day: dt.date,
    topic: str | None = None,
    note: str = "",
    dry_run: bool = False,
) -> Recorded:
    """Write the contact's file; never overwrites (a second call gets ``(2)``)."""
    check_text(note=note)
    if medium not in LOG_MEDIA:
        raise UsageError(f"unknown medium {quoted(medium)} (one of: {', '.join(LOG_MEDIA)})")
    folder = kind_folder(ws, customer, direction)
    stem, keep = _file_stem(
        Classifier(ws.config), folder, medium=medium, day=day, topic=topic, note=note
    )
    text = note.strip() + "\n" if note.strip() else ""
    path = file_into(
        ws,
        customer,
        direction,
        stem=stem,
        suffix=".txt",
        data=text.encode("utf-8"),
        keep=keep,
        dry_run=dry_run,
    )
    return Recorded(path=path, dry_run=dry_run)


def _file_stem(
    classifier: Classifier,
    folder: Path,
    *,
    medium: str,
    day: dt.date,
    topic: str | None,
    note: str,
) -> tuple[str, int]:
    """The file name's stem: date, medium, topic and the start of the note, chosen so
    that the scan reads it back as this day, medium and topic.

    The note's start is left out where it would change what the scan reads: a
    "(conflicted copy" that makes the file look like a sync tool's, say. Also
    returns how much of the stem is never cut to fit the path: date, medium, topic.
    """
    words = [day.isoformat(), medium, *([topic] if topic else [])]
    bare = " ".join(words)
    if date_from_name(bare) != day:
        raise UsageError(
            f"{day} cannot be logged: the scan reads a date in a file name only in {READABLE_YEARS}"
        )
    head = _note_head(note)
    plain = " ".join(_PLAIN.sub(" ", head).split()).strip(". ")
    for candidate in dict.fromkeys((f"{bare} {head}", f"{bare} {plain}", bare)):
        stem = fit_path(str(folder), candidate.rstrip(), ".txt", keep=len(bare))
        if _reads_back(classifier, f"{stem}.txt", medium, day, topic):
            return stem, len(bare)
    raise UsageError(
        f"a file named {quoted(bare)} would not read back as a {medium} contact"
        + (f" about {topic}" if topic else "")
        + "; check the keyword lists in folder-kit.yaml"
    )


# Characters that, in a file name, can make it read as a temporary or sync-tool file.
_PLAIN = re.compile(r"[()~$!#]|\.(?=\S)")


def _reads_back(
    classifier: Classifier, name: str, medium: str, day: dt.date, topic: str | None
) -> bool:
    if is_ignored(name) or date_from_name(name) != day:
        return False
    if classifier.medium(name) != medium:
        return False
    return topic is None or classifier.topic(name.removesuffix(".txt")) == topic


def _note_head(note: str) -> str:
    """The start of the note, safe for a file name on any system."""
    words = " ".join(note.split())
    first = words[:NOTE_HEAD_CHARS]
    if len(words) > NOTE_HEAD_CHARS and " " in first and words[NOTE_HEAD_CHARS] != " ":
        first = first.rsplit(" ", 1)[0]  # end at a whole word
    clean = sanitize_filename(first, platform="universal", replacement_text=" ")
    return " ".join(clean.split()).rstrip(". ")
