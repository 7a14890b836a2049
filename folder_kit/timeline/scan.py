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
own, then read back. A note that cannot be written (a full disk) leaves its move
pending in the index, and every scan tries again, in order, until it is written.
``scan(ws, only=[...])`` reads just the customers that some
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
from typing import NamedTuple

from folder_kit.timeline.index import Index, PendingGrade, WarningRow
from folder_kit.timeline.instants import user_zone, zone_id
from folder_kit.timeline.reader import GradeMove
from folder_kit.timeline.sent_drafts import file_drafts_done
from folder_kit.timeline.walk import Progress, Walk
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.history import HISTORY_FILE, GradeChange, append_history, change_at

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
    with _opened(ws, index, rebuild=rebuild) as held:
        walk = _reconcile(ws, held, None if rebuild else only, progress, workers, clock, count=True)
        if index is None:
            # What this scan wrote must reach the index file while the scan can still
            # say that it did not (closing would fail silently on a full disk).
            held.write_out()
        customers, files, events = held.counts()
        warnings = held.warnings()
        if walk.placeholders:
            warnings.append(placeholders_warning(walk.placeholders))
        return ScanResult(
            customers=customers,
            files=files,
            events=events,
            new_events=walk.new_events,
            warnings=tuple(warnings),
            index_path=held.path,
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
    *,
    count: bool = False,
) -> Walk:
    """``count``: keep what the index then holds counted (``Index.keep_counts``), for
    the caller to say it."""
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
        pending = index.pending_grades()
        if walk.moves or pending:
            # Reading wrote nothing into the workspace; this is the scan's one write
            # there: each grade move a customer's note does not show yet.
            moves = _with_pending(ws, walk.moves, pending)
            unnoted = note_grade_moves(moves, now_ns=walk.now_ns)
            Index.write_pending_grades(
                conn,
                {p.customer for p in pending} | {m.key for m in moves},
                [(u.move.key, u.when, u.move.source, u.move.target) for u in unnoted],
            )
            walk.read_notes(conn, moves, _warnings(unnoted))
        if count:
            Index.keep_counts(conn)
    # The scan's other write there: the drafts whose sent mail it found filed (not
    # looked for where the scan listed a customer folder and saw no drafts folder:
    # a cold scan of 10,000 customers listed each a second time, 140 ms after its
    # workers were done).
    mailed = walk.mailed - walk.no_drafts
    if mailed:
        file_drafts_done(ws, index, mailed)
    return walk


class Unnoted(NamedTuple):
    """A grade move whose note could not be written: kept pending, with why."""

    move: GradeMove
    when: str  # when it was noticed, as its note is to say
    reason: str  # "" for a move waiting behind an earlier one of its customer


def note_grade_moves(moves: Sequence[GradeMove], *, now_ns: int) -> list[Unnoted]:
    """Note each move in its customer's history file (a customer folder moved by hand
    leaves no trace a rebuilt index could find), a customer's in order; the moves
    that could not be noted, and those of their customers behind them."""
    moment = dt.datetime.fromtimestamp(now_ns / 1e9).astimezone()
    unnoted: list[Unnoted] = []
    stuck: set[str] = set()
    for move in moves:
        when = move.when or change_at(moment, move.source, move.target).when
        if move.key in stuck:  # a note says the moves in the order they were made
            unnoted.append(Unnoted(move, when, ""))
            continue
        try:
            append_history(Path(move.path), _change(when, move.source, move.target))
        except OSError as e:
            unnoted.append(Unnoted(move, when, e.strerror or str(e)))
            stuck.add(move.key)
    return unnoted


def _change(when: str, source: str, target: str) -> GradeChange:
    return GradeChange(when, dt.datetime.fromisoformat(when).date(), source, target)


def _warning_key(move: GradeMove) -> str:
    return f"{move.shown}/{HISTORY_FILE}"


def _warnings(unnoted: Sequence[Unnoted]) -> list[WarningRow]:
    """One warning for each customer whose move could not be noted."""
    return [
        WarningRow(
            _warning_key(u.move),
            u.move.key,
            "",
            f"cannot note the grade move {u.move.source} -> {u.move.target} of {u.move.shown} "
            f"({u.reason}): the timeline shows it once the note is written; every scan "
            "tries again",
        )
        for u in unnoted
        if u.reason
    ]


def _with_pending(
    ws: Workspace, found: Sequence[GradeMove], pending: Sequence[PendingGrade]
) -> list[GradeMove]:
    """The moves to note now: those earlier scans could not note, each customer's in
    order, then those this scan found, each following on from the grade its
    customer's pending moves end in. A customer gone has nothing left to note."""
    base = ws.customers_dir
    moves: list[GradeMove] = []
    last: dict[str, GradeMove] = {}
    for p in pending:
        if p.name is None or p.grade is None or p.grade_folder is None:
            continue
        move = GradeMove(
            p.customer,
            str(base / p.grade_folder / p.name),
            f"{base.name}/{p.grade_folder}/{p.name}",
            p.from_grade,
            p.to_grade,
            p.history,
            p.grade_count,
            p.date,
        )
        moves.append(move)
        last[p.customer] = move
    now_in = {p.customer: p.grade for p in pending if p.grade is not None}
    for move in found:
        before = last.pop(move.key, None)
        if before is None:
            moves.append(move)
        elif before.target != move.target:
            moves.append(move._replace(source=before.target))
    # A customer moved back by hand to the grade its note shows was found unmoved:
    # the pending moves end elsewhere, and one more move brings them to where it is.
    for key, before in last.items():
        grade = now_in[key]
        if before.target != grade:
            moves.append(before._replace(source=before.target, target=grade, when=""))
    return moves
