"""The walk: find the customers under 客户/, hand them out to readers, write what
they find. Runs in the scan's process; all writes happen here, in one transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from folder_kit.timeline.index import (
    Changes,
    CheckRow,
    CustomerRow,
    Index,
    WarningRow,
    unpack_dirs,
)
from folder_kit.timeline.parallel import CHUNK, PARALLEL_MIN, read_here, read_in_processes
from folder_kit.timeline.reader import (
    SETTLE_NS,
    Dated,
    GradeMove,
    Job,
    Reader,
    Result,
    Stamp,
    unchanged_inside,
)
from folder_kit.timeline.workers import can_fork
from folder_kit.workspace.customers import (
    Found,
    GradeFolder,
    Problem,
    customer_key,
    customers_in,
    grade_folders,
    judge_customer_entry,
    settle_customers,
)
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.layout import Grade
from folder_kit.workspace.locate import locate

# The no-change check of this many known customers is split with a forked
# process (half each): it is nothing but stat calls, which the two halves make on
# two cores at once (a no-change scan of 10,000 customers: 70,000 stat calls, 0.12 ->
# 0.06 s).
SPLIT_MIN = 2000

Progress = Callable[[int, int], None]


_job_key = attrgetter("key")
Places = dict[str, tuple[str, Grade]]  # grade folder name -> its path, its grade


class Known(NamedTuple):
    """What the index holds beyond the customer rows, loaded once per scan."""

    history: dict[str, Stamp]
    dated: dict[str, Dated]
    grades: dict[str, int]
    seen: dict[str, str]  # cards as first seen, of every customer (a rebuild keeps them)
    card_events: set[str]


class Walk:
    """The main process's part: find the customers, hand them out, write the result."""

    def __init__(self, ws: Workspace, index: Index, *, now_ns: int) -> None:
        self.ws = ws
        self.index = index
        self.now_ns = now_ns
        self.base = ws.customers_dir
        self.base_rel = self.base.name
        self.changes = Changes()
        self.new_events = 0
        self.placeholders = 0  # online-only mails dated without opening
        self.moves: list[GradeMove] = []  # grade moves the readers found to note
        self.mailed: set[str] = set()  # customers with a mail new in their folders
        self.no_drafts: set[str] = set()  # customers listed with no drafts folder
        self.grade_mtimes: dict[str, int] = {}  # as this scan leaves them
        self.listed_any = False  # whether a grade folder was listed (not the index's word)
        self.known_grade_mtimes: dict[str, int] = {}  # as the last scan left them
        # Whether the index held a warning about a customer when this scan began
        # (asked inside its transaction): without one, the folders a reader lists
        # have no warnings to clear (see ``_write``).
        self.customer_warnings = True

    def problem(self, p: Problem) -> None:
        """A warning about the workspace itself; ``grade_folder`` is the folder whose
        listing found it, so it is redone when that folder is listed again."""
        self.changes.warnings.append(WarningRow(p.where, "", p.grade_folder, p.message))

    # The full scan.

    def run(self, conn: sqlite3.Connection, progress: Progress | None, *, workers: int) -> None:
        self.changes.cleared.append(("", ""))  # warnings about 客户/ itself are redone each time
        self.customer_warnings = self.index.has_customer_warnings()
        folders = self._grade_folders()
        if folders is None:
            Index.write(conn, self.changes)
            return  # nothing could be listed: keep every customer the index knows
        self.known_grade_mtimes = self.index.grade_folders()
        mtimes = _mtimes(folders)
        if workers > 1 and can_fork():
            unchanged = self._nothing_to_list(mtimes)
            if unchanged is not None:
                rows = self.index.check_rows()
                if len(rows) >= SPLIT_MIN:
                    self._run_checked(conn, progress, workers, folders, unchanged, rows)
                    return
        known = self.index.customers()
        found, unlisted_folders = self._list_customers(known, folders, mtimes)
        jobs = self._jobs(found, known, settled=not self.listed_any)
        seen = {job.key for job in jobs}
        for key in known.keys() - seen:
            if known[key].grade_folder not in unlisted_folders:
                self.changes.gone_customers.append(key)
        self._read_and_write(conn, progress, jobs, workers, None)

    def _run_checked(
        self,
        conn: sqlite3.Connection,
        progress: Progress | None,
        workers: int,
        folders: list[GradeFolder],
        mtimes: dict[str, int],
        rows: list[CheckRow],
    ) -> None:
        """The scan when no grade folder needs listing (each holds the customers the
        index says it holds) and they are many: the no-change check comes first,
        straight from the index's rows (``Index.check_rows``), split with a forked
        process, and only the customers it finds touched become jobs. What only a
        job needs (their whole rows, cards as first seen, grade counts) is loaded
        after, for touched customers only: the check is all a no-change scan does.
        (Made from the rows, not from each customer's ``Found`` and ``CustomerRow``:
        at 10,000 customers those objects, made, paired and freed, were a tenth of
        a no-change scan.)"""
        self.grade_mtimes.update(mtimes)
        places = {f.name: (f.path, f.grade) for f in folders}
        gone = [row[0] for row in rows if row[3] not in places]
        if gone:  # in no grade folder there is now: not found, so gone
            self.changes.gone_customers += gone
            rows = [row for row in rows if row[3] in places]
        state = self._checked()
        rows.sort()  # by key: halves the same on any file system
        touched = _touched(rows, places, state)
        jobs: list[Job] = []
        if touched:
            known = self.index.customers_of([row[0] for row in touched])
            found = [
                Found(places[g][1], g, name, f"{places[g][0]}/{name}")
                for _, name, _, g, *_ in touched
            ]
            jobs = self._jobs(found, known, settled=True, state=self._known(known, state))
        self._read_and_write(conn, progress, jobs, workers, len(rows))

    def _read_and_write(
        self,
        conn: sqlite3.Connection,
        progress: Progress | None,
        jobs: list[Job],
        workers: int,
        of: int | None,
    ) -> None:
        """Read the jobs and write what they give (``of``: as ``_read``'s)."""
        done, total = 0, len(jobs) if of is None else of
        for changes, new_events, count in self._read(jobs, workers, of):
            self._write(conn, changes, new_events)
            done += count
            if progress is not None:
                progress(done, total)
        Index.write(conn, self.changes)
        if self.grade_mtimes != self.known_grade_mtimes:
            Index.write_grade_folders(conn, self.grade_mtimes)

    def _nothing_to_list(self, mtimes: dict[str, int | OSError]) -> dict[str, int] | None:
        """The grade folders' ``mtimes`` when none needs listing: each is as the last
        scan left it, settled, and they are the ones it saw; else None."""
        if mtimes.keys() != self.known_grade_mtimes.keys():
            return None
        unchanged: dict[str, int] = {}
        for name, mtime_ns in mtimes.items():
            if (
                isinstance(mtime_ns, OSError)
                or self.known_grade_mtimes[name] != mtime_ns
                or not self._settled(mtime_ns)
            ):
                return None
            unchanged[name] = mtime_ns
        return unchanged

    def _read(self, jobs: list[Job], workers: int, of: int | None) -> Iterator[Result]:
        """Read the jobs; ``of``: how many customers they are what is left of, the
        others found unchanged already."""
        if not jobs:
            # Nothing to read (a no-change scan): no reader is made (its keyword
            # lists compiled, its zone looked up: 3.5 ms), the unchanged counted done.
            return iter([(Changes(), 0, of)] if of else [])
        fresh = [job for job in jobs if job.prev is None]
        if workers > 1 and len(fresh) >= PARALLEL_MIN:
            # Worker processes read the customers the index has never seen (their
            # mails are opened and parsed); meanwhile this process checks the rest.
            known_jobs = [job for job in jobs if job.prev is not None]
            chunks = [fresh[i : i + CHUNK] for i in range(0, len(fresh), CHUNK)]
            here = read_here(self.ws, self.index, known_jobs, self.now_ns, of)
            return read_in_processes(self.ws, chunks, workers, self.now_ns, here)
        return read_here(self.ws, self.index, jobs, self.now_ns, of)

    def _list_customers(
        self,
        known: dict[str, CustomerRow],
        folders: list[GradeFolder],
        mtimes: dict[str, int | OSError],
    ) -> tuple[list[Found], set[str]]:
        """The customer folders found in the grade ``folders`` (duplicates not yet
        settled) and the grade folders that could not be read; ``mtimes``: as
        ``_mtimes`` found them."""
        by_folder: dict[str, list[CustomerRow]] = {}
        for row in known.values():
            by_folder.setdefault(row.grade_folder, []).append(row)
        found: list[Found] = []
        unlisted: set[str] = set()
        for folder in folders:
            in_folder = self._customers_in(
                folder, by_folder.get(folder.name, []), mtimes[folder.name]
            )
            if in_folder is None:
                unlisted.add(folder.name)
            else:
                found.extend(in_folder)
        for gone in self.known_grade_mtimes.keys() - self.grade_mtimes.keys():
            self.changes.cleared.append(("", gone))  # a grade folder renamed or removed
        return found, unlisted

    def _grade_folders(self) -> list[GradeFolder] | None:
        """The grade folders under 客户/, with a warning for anything else there."""
        folders, problems = grade_folders(self.ws.root, self.base)
        for p in problems:
            self.problem(p)
        return folders

    def _customers_in(
        self, folder: GradeFolder, indexed: list[CustomerRow], mtime: int | OSError
    ) -> list[Found] | None:
        """The customer folders in a grade folder (its ``mtime``, as ``_mtimes`` found
        it); None when it cannot be listed.

        A grade folder whose mtime is unchanged holds the customers it held: the
        index's list of them stands in for listing it again.
        """
        if isinstance(mtime, FileNotFoundError):
            return []
        if isinstance(mtime, OSError):
            return None  # there but not readable now (a network drive): keep its customers
        mtime_ns = mtime
        if self.known_grade_mtimes.get(folder.name) == mtime_ns and self._settled(mtime_ns):
            self.grade_mtimes[folder.name] = mtime_ns
            return [
                Found(folder.grade, folder.name, row.name, f"{folder.path}/{row.name}")
                for row in indexed
            ]
        self.listed_any = True
        self.changes.cleared.append(("", folder.name))
        found, problems = customers_in(self.ws.root, self.base_rel, folder)
        for p in problems:
            self.problem(p)
        self.grade_mtimes[folder.name] = (
            0 if found is None or not self._settled(mtime_ns) else mtime_ns
        )
        return found

    def _settled(self, mtime_ns: int) -> bool:
        return 0 < mtime_ns < self.now_ns - SETTLE_NS

    def _jobs(
        self,
        found: list[Found],
        known: dict[str, CustomerRow],
        *,
        settled: bool = False,
        state: Known | None = None,
    ) -> list[Job]:
        """One job per customer (duplicates settled), with what the index knows of it.
        ``settled``: every one found is a customer the index holds (no grade folder
        was listed), which the last scan settled: a grade folder with a duplicate in
        it is listed every time. ``state``: ``self._known(known)``, if made already."""
        problems: list[Problem] = []
        if settled:
            customers = found
        else:
            customers, problems = settle_customers(found, self.base_rel)
        for p in problems:
            self.problem(p)
            # List this folder again next time: when one copy goes, the other must
            # be found (a move by copy-then-delete, as sync tools do it).
            self.grade_mtimes[p.grade_folder] = 0
        if state is None:
            state = self._known(known)
        jobs: list[Job] = []
        for f in customers:
            key = customer_key(f.name)
            prev = known.get(key)
            if prev is None:
                jobs.append(
                    Job(f.grade, key, f.name, f.path, f.grade_folder, seen=state.seen.get(key))
                )
                continue
            card = None if prev.card_size is None else (prev.card_size, prev.card_mtime_ns or 0)
            jobs.append(
                Job(
                    f.grade,
                    key,
                    f.name,
                    f.path,
                    f.grade_folder,
                    prev=prev,
                    card=card,
                    history=state.history.get(key),
                    grade_count=state.grades.get(key, 0),
                    mtime_dated=state.dated.get(key),
                    seen=state.seen.get(key),
                    card_event=key in state.card_events,
                )
            )
        # In key order, which is the index's: results come back in the order the
        # jobs were handed out, so a cold scan appends its rows to the primary
        # key's B-tree instead of inserting them all over it (a cold scan of 110,000
        # files: 0.41 -> 0.32 s to write the rows, and a tenth smaller an index).
        jobs.sort(key=_job_key)
        return jobs

    def _known(self, known: dict[str, CustomerRow], checked: Known | None = None) -> Known:
        """What the index knows beyond the customer rows; ``checked``: what
        ``_checked`` loaded already."""
        seen = self.index.cards_seen()  # a rebuilt index has them, and no customer yet
        if not known:
            return Known({}, {}, {}, seen, set())
        if checked is None:
            checked = self._checked()
        return Known(
            checked.history,
            checked.dated,
            self.index.grade_counts(),
            seen,
            self.index.card_events(),
        )

    def _checked(self) -> Known:
        """What the no-change check of a known customer asks (``_untouched``): its
        history note and its files dated by mtime, the rest left empty."""
        return Known(self.index.history_stamps(), self.index.mtime_dated(), {}, {}, set())

    # The scan of some customers only.

    def customers_named(self, paths: Iterable[Path]) -> set[str] | None:
        """The customer folder names that ``paths`` lie in; None when one of them
        is not inside a customer folder but could hold customers (客户/, a grade
        folder, the workspace itself): then only a full scan will do."""
        names: set[str] = set()
        root = os.path.abspath(self.ws.root)
        base = os.path.abspath(self.base)
        for path in paths:
            where = locate(os.path.abspath(path), root=root, customers=base)
            if where.level == "customer":
                names.add(where.customer)
            elif where.level == "grades" or (where.level == "root" and not where.rel):
                return None
            # elsewhere (产品/, folder-kit.yaml...): no customer there
        return names

    def run_only(self, conn: sqlite3.Connection, names: set[str]) -> None:
        """Reconcile the customers of these folder names, wherever they are now:
        each grade folder is asked for each name, so a customer moved by hand to
        another grade is found, and one in two grade folders is settled as always."""
        if not names:
            return
        self.customer_warnings = self.index.has_customer_warnings()
        known = self.index.customers()
        keys = {customer_key(n) for n in names}
        names |= {known[k].name for k in keys if k in known}
        folders = self._grade_folders()
        if folders is None:
            Index.write(conn, self.changes)
            return
        found: list[Found] = []
        unreadable: set[str] = set()
        for folder in folders:
            for name in names:
                path = f"{folder.path}/{name}"
                try:
                    entry = _entry(path)
                except OSError:
                    # There, but not readable now (a network drive): not a deletion.
                    unreadable.add(customer_key(name))
                    continue
                if entry is None:
                    continue
                judged = judge_customer_entry(self.ws.root, folder, entry)
                if isinstance(judged, Problem):
                    self.problem(judged)
                elif judged is not None:
                    found.append(judged)
        jobs = self._jobs(found, {k: v for k, v in known.items() if k in keys})
        seen = {job.key for job in jobs}
        self.changes.gone_customers.extend(
            k for k in keys if k in known and k not in seen and k not in unreadable
        )
        for changes, new_events, _ in read_here(self.ws, self.index, jobs, self.now_ns):
            self._write(conn, changes, new_events)
        Index.write(conn, self.changes)

    def _write(self, conn: sqlite3.Connection, changes: Changes, new_events: int) -> None:
        """Write what readers found, and keep what the scan does after: the events
        counted, the grade moves to note, the customers with new mail (whose drafts
        may be done: ``sent_drafts``).

        A reader clears the warnings of each folder it lists, before writing those
        it finds there. Each customer is read in one batch, whose deletes come
        before its rows: when the index held no warning about any customer as
        this scan began, there is none to clear (a rebuild of 2,000 customers
        made 12,000 deletes of nothing, 0.3 us a file)."""
        if not self.customer_warnings:
            changes.cleared = [c for c in changes.cleared if not c[0]]
        Index.write(conn, changes)
        self.new_events += new_events
        self.placeholders += changes.placeholders
        self.moves += changes.moves
        self.mailed.update(f[0] for f in changes.files if f[13] is not None)
        self.no_drafts.update(changes.no_drafts)

    def read_notes(
        self, conn: sqlite3.Connection, moves: Sequence[GradeMove], warnings: list[WarningRow]
    ) -> None:
        """Read back the history notes of ``moves`` once the scan has noted them
        (each customer's note once); ``warnings``: the moves that could not be noted."""
        reader = Reader(self.ws, self.index, now_ns=self.now_ns)
        first = {move.key: move for move in reversed(moves)}  # as the index knew the note
        for move in first.values():
            reader.noted(move)
        changes, new_events, _ = reader.take(len(first))
        changes.warnings += warnings
        Index.write(conn, changes)
        self.new_events += new_events


class _Entry(NamedTuple):
    """What judge_customer_entry asks of a directory entry, for a path found by name."""

    name: str
    path: str
    mode: int

    def is_symlink(self) -> bool:
        return stat.S_ISLNK(self.mode)

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        return stat.S_ISDIR(self.mode)


def _entry(path: str) -> _Entry | None:
    """The entry at ``path``; None when nothing is there (other errors are raised)."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return _Entry(os.path.basename(path), path, st.st_mode)


def _mtimes(folders: list[GradeFolder]) -> dict[str, int | OSError]:
    """Each grade folder's mtime, or why it has none (gone, not readable now)."""
    out: dict[str, int | OSError] = {}
    for folder in folders:
        try:
            out[folder.name] = os.stat(folder.path, follow_symlinks=False).st_mtime_ns
        except OSError as e:
            out[folder.name] = e
    return out


def _touched(rows: list[CheckRow], places: Places, state: Known) -> list[CheckRow]:
    """The customers whose folder is not as the index knows it (``rows``: as
    ``Index.check_rows`` gives them, each in one of ``places``), the no-change
    check of the second half made by a forked copy of this process meanwhile.

    The child only makes stat calls on what it inherited and sends back one byte
    per customer; it never touches the index, and leaves by ``os._exit`` (no
    cleanup of the parent's objects runs twice). Should it fail, its half goes
    back to this process, whose reader checks each of them again: slower, never
    wrong.
    """
    half = len(rows) // 2
    mine, theirs = rows[:half], rows[half:]
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return [
            row for row, same in zip(rows, _flags(rows, places, state), strict=True) if not same
        ]
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read_fd)
            flags = _flags(theirs, places, state)
            with os.fdopen(write_fd, "wb") as out:
                out.write(flags)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    todo = [row for row, same in zip(mine, _flags(mine, places, state), strict=True) if not same]
    with os.fdopen(read_fd, "rb") as answer:
        flags = answer.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or len(flags) != len(theirs):
        flags = bytes(len(theirs))  # no answer: the reader here checks all of them
    todo.extend(row for row, same in zip(theirs, flags, strict=True) if not same)
    return todo


def _flags(rows: list[CheckRow], places: Places, state: Known) -> bytes:
    """One byte a row: whether that customer is untouched (``_untouched``). Their
    folders (``dirs``) are parsed in one call: 5,000 customers 10.5 -> 6.5 ms."""
    try:
        dirs = json.loads(f"[{','.join(row[5] or '{}' for row in rows)}]")
    except ValueError:  # a damaged row: each parsed alone, as the reader does
        dirs = [unpack_dirs(row[5]) for row in rows]
    return bytes(
        _untouched(row, d if isinstance(d, dict) else {}, places, state)
        for row, d in zip(rows, dirs, strict=True)
    )


def _untouched(row: CheckRow, dirs: dict[str, int], places: Places, state: Known) -> bool:
    """Whether a customer the index knows is just as it was: nothing to read. (What
    ``reader.unchanged`` asks, of a customer found where the index has it, its
    folders' mtimes ``dirs`` parsed already.)"""
    key, name, grade, grade_folder, mtime_ns, _, card_size, card_mtime_ns = row
    if key in state.history or state.dated.get(key):
        return False  # rare: the careful path reads the note, and the files dated by mtime
    folder, folder_grade = places[grade_folder]
    if grade != folder_grade or mtime_ns == 0:
        return False
    path = f"{folder}/{name}"
    try:
        if os.stat(path, follow_symlinks=False).st_mtime_ns != mtime_ns:
            return False
    except OSError:
        return False  # gone or unreadable: the careful path says which
    return unchanged_inside(path, card_size, card_mtime_ns, dirs)
