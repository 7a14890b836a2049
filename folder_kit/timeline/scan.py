"""Reconcile the index with the folders: new files become events, gone files go.

Incremental: a folder whose modification time is unchanged since the last scan
has the same entries, so it is not listed again; a file whose size and
modification time are unchanged is not opened again.

SOUNDNESS. Adding, removing or renaming a file changes its folder's mtime; an
edit in place does not. An event depends on a file's name and folder, on a
mail's own headers, and, for a file with no other date, on its mtime. So the
files that are looked at even in an unchanged folder are Contact.txt (Notepad
saves in place) and the files dated by mtime. A saved mail rewritten in place
with another Date header is the one change an incremental scan does not see;
mail clients never do that, and ``scan --rebuild`` reads it. Anything modified
within the last two seconds is read but remembered as unsettled, so the next
scan reads it again.

Symbolic links are never followed, and nothing outside the workspace is read.
What a customer is (which folders under 客户/ are read) is decided by
``workspace.customers``, the same rules every command uses.

The scan's parts, one module each: ``walk`` lists the grade folders whose mtime
changed (an unchanged one holds the customers the index says it holds) and makes
a job for each customer to read, carrying what the index knows of it; with many
known customers and nothing listed, the no-change check comes first, split with
a forked process, and only the customers it finds touched become jobs.
``reader`` reads one customer's job into index changes; ``parallel`` runs
readers in this process or, for many new customers, in worker processes (one per
core, ``workers``). All index writes happen in this process, in one transaction.
Reading writes nothing into the workspace: the grade moves it finds are noted in
the customers' history files afterwards, by ``note_grade_moves``, a step of its
own, then read back. ``scan(ws, only=[...])`` reads just the customers that some
paths lie in (``workspace.locate``), through the same steps: the watcher's entry
point.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from folder_kit.timeline.index import Index, WarningRow
from folder_kit.timeline.instants import user_zone, zone_id
from folder_kit.timeline.reader import GradeMove
from folder_kit.timeline.walk import Progress, Walk
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.history import HISTORY_FILE, append_history, change_at

Clock = Callable[[], int]  # nanoseconds since the epoch, like time.time_ns


@dataclass(frozen=True)
class ScanResult:
    customers: int
    files: int
    events: int
    new_events: int
    warnings: tuple[str, ...]
    index_path: Path

    def as_json(self) -> dict[str, object]:
        return {
            "customers": self.customers,
            "files": self.files,
            "events": self.events,
            "new_events": self.new_events,
            "warnings": list(self.warnings),
        }


def scan(
    ws: Workspace,
    *,
    rebuild: bool = False,
    only: Sequence[Path] | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    clock: Clock = time.time_ns,
    index: Index | None = None,
) -> ScanResult:
    """Bring the index up to date with the workspace and say what it holds.

    ``only``: reconcile just the customers these paths lie in (a customer folder
    or anything inside one); a path that is no customer's (客户/ itself, a grade
    folder) makes it a full scan. A large workspace is read in ``workers``
    processes (default: one per core); ``workers=1`` keeps everything in this
    process. ``clock`` tells "now", which decides what is too fresh to trust.
    ``index``: the workspace's index, when the caller holds it open already (not
    with ``rebuild``, which makes it anew).
    """
    with _opened(ws, index, rebuild=rebuild) as index:
        walk = _reconcile(ws, index, None if rebuild else only, progress, workers, clock)
        customers, files, events = index.counts()
        warnings = index.warnings()
        if walk.placeholders:
            warnings.append(placeholders_warning(walk.placeholders))
        return ScanResult(
            customers=customers,
            files=files,
            events=events,
            new_events=walk.new_events,
            warnings=tuple(warnings),
            index_path=index.path,
        )


def placeholders_warning(count: int) -> str:
    """The one warning of a scan that dated online-only mails without opening them."""
    mails = "mail is" if count == 1 else "mails are"
    return (
        f"{count} {mails} online-only (a OneDrive or Nutstore placeholder): dated from "
        "the file name or modification time without opening, which would download "
        "it; to date by the mail's own Date:, make the folder available offline "
        "(always keep on this device), then run `folder-kit scan --rebuild`"
    )


def update(
    ws: Workspace, *, only: Sequence[Path] | None = None, index: Index | None = None
) -> None:
    """``scan(ws, only=only)`` for a caller that only needs the index up to date: the
    same reconcile, without counting what the index then holds (about 3 ms at 110,000
    files) nor reading its warnings back. ``index``: as ``scan``'s."""
    with _opened(ws, index) as index:
        _reconcile(ws, index, only, None, None, time.time_ns)


def _opened(
    ws: Workspace, index: Index | None, *, rebuild: bool = False
) -> contextlib.AbstractContextManager[Index]:
    """The caller's index, left open; or the workspace's, opened and closed here."""
    if index is None:
        return Index.open(ws.root, rebuild=rebuild)
    if rebuild:
        raise ValueError("a rebuild makes the index anew: it cannot use one held open")
    return contextlib.nullcontext(index)


def _reconcile(
    ws: Workspace,
    index: Index,
    only: Sequence[Path] | None,
    progress: Progress | None,
    workers: int | None,
    clock: Clock,
) -> Walk:
    walk = Walk(ws, index, now_ns=clock())
    # One transaction: what each batch of customers gives is written as it comes,
    # while worker processes go on reading.
    with index.transaction() as conn:
        # Days are the user's: computed anew from the instants held when the zone
        # changed since the last scan (before any new row is written in this one).
        Index.rezone(conn, zone_id(ws.config.timezone), user_zone(ws.config.timezone))
        names = None if only is None else walk.customers_named(only)
        if names is None:
            walk.run(conn, progress, workers=workers or os.cpu_count() or 1)
        else:
            walk.run_only(conn, names)
        if walk.moves:
            # Reading wrote nothing into the workspace; this is the scan's one write
            # there: each grade move a customer's note does not show yet.
            warnings = note_grade_moves(walk.moves, now_ns=walk.now_ns)
            walk.read_notes(conn, warnings)
    return walk


def note_grade_moves(moves: Sequence[GradeMove], *, now_ns: int) -> list[WarningRow]:
    """Note each move in its customer's history file (a customer folder moved by hand
    leaves no trace a rebuilt index could find); a warning for each that cannot be."""
    moment = dt.datetime.fromtimestamp(now_ns / 1e9).astimezone()
    warnings = []
    for move in moves:
        try:
            append_history(Path(move.path), change_at(moment, move.source, move.target))
        except OSError as e:
            where = move.shown
            message = (
                f"cannot note the grade move {move.source} -> {move.target} of {where} "
                f"({e.strerror or e}): the timeline does not show this move"
            )
            warnings.append(WarningRow(f"{where}/{HISTORY_FILE}", move.key, "", message))
    return warnings
