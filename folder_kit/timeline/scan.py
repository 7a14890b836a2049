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

The walk lists the grade folders whose mtime changed (an unchanged one holds the
customers the index says it holds) and makes a job for each customer to read,
carrying what the index knows of it; with many known customers and nothing
listed, the no-change check comes first, split with a forked process, and only
the customers it finds touched become jobs. A job is read by a ``_Reader``, in
this process or, for many new customers, in worker processes (one per core). All
writes happen in this process, in one transaction. ``scan(ws, only=[...])``
reads just the customers that some paths lie in, through the same steps: the
watcher's entry point.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from folder_kit import placeholders
from folder_kit.errors import MailError
from folder_kit.files import kind_of
from folder_kit.timeline.classify import MAIL_SUFFIXES, Classifier, classify
from folder_kit.timeline.index import (
    Changes,
    CustomerRow,
    FileRow,
    GradeRow,
    Index,
    WarningRow,
    pack_dirs,
    unpack_dirs,
)
from folder_kit.timeline.workers import can_fork
from folder_kit.workspace.contact import CONTACT_FILE, read_card
from folder_kit.workspace.customers import (
    Found,
    GradeFolder,
    Problem,
    customer_key,
    customers_in,
    grade_folders,
    judge_customer_entry,
    link_problem,
    printable,
    settle_customers,
    valid_name,
)
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.history import HISTORY_FILE, append_history, change_at, read_history
from folder_kit.workspace.ignore import (
    computer_names,
    is_ignored,
    onedrive_copies,
    onedrive_pattern,
)
from folder_kit.workspace.layout import Grade, kind_of_folder
from folder_kit.workspace.locate import locate

if TYPE_CHECKING:
    from folder_kit.timeline.mail import MessageInfo

# A folder or file changed this recently may still be changing (a mail client
# still writing, a second change within the file system's time resolution):
# it is looked at again by the next scan. FAT and some sync mounts keep times
# to 2 seconds.
SETTLE_NS = 2_000_000_000

# Worker processes pay off for this many customers the index has never seen
# (each of their mails is opened and parsed). Checking a known customer is a
# handful of stat calls, which more processes do not make faster.
PARALLEL_MIN = 400
_CHUNK = 250  # customers per task sent to a worker process
# The no-change check of this many known customers is split with a forked
# process (half each): it is nothing but stat calls, which the two halves make on
# two cores at once (a no-change scan of 10,000 customers: 70,000 stat calls, 0.12 ->
# 0.06 s).
SPLIT_MIN = 2000
_BATCH = 100  # customers between progress reports in this process
# Folders nested deeper than this inside OUT/IN/... are not read (a warning says so).
MAX_DEPTH = 32

Progress = Callable[[int, int], None]
Clock = Callable[[], int]  # nanoseconds since the epoch, like time.time_ns
Stamp = tuple[int, int]  # size, mtime_ns
Dated = dict[str, list[tuple[str, int, int]]]  # folder -> (rel, size, mtime_ns)


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
) -> ScanResult:
    """Bring the index up to date with the workspace and say what it holds.

    ``only``: reconcile just the customers these paths lie in (a customer folder
    or anything inside one); a path that is no customer's (客户/ itself, a grade
    folder) makes it a full scan. A large workspace is read in ``workers``
    processes (default: one per core); ``workers=1`` keeps everything in this
    process. ``clock`` tells "now", which decides what is too fresh to trust.
    """
    with Index.open(ws.root, rebuild=rebuild) as index:
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


def update(ws: Workspace, *, only: Sequence[Path] | None = None) -> None:
    """``scan(ws, only=only)`` for a caller that only needs the index up to date: the
    same reconcile, without counting what the index then holds (about 3 ms at 110,000
    files) nor reading its warnings back."""
    with Index.open(ws.root) as index:
        _reconcile(ws, index, only, None, None, time.time_ns)


def _reconcile(
    ws: Workspace,
    index: Index,
    only: Sequence[Path] | None,
    progress: Progress | None,
    workers: int | None,
    clock: Clock,
) -> _Walk:
    walk = _Walk(ws, index, now_ns=clock())
    # One transaction: what each batch of customers gives is written as it comes,
    # while worker processes go on reading.
    with index.transaction() as conn:
        names = None if only is None else walk.customers_named(only)
        if names is None:
            walk.run(conn, progress, workers=workers or os.cpu_count() or 1)
        else:
            walk.run_only(conn, names)
    return walk


class _Job(NamedTuple):
    """One customer folder to read, with what the index knew of it (a NamedTuple:
    one is made per customer on every scan, and sent to worker processes)."""

    grade: Grade
    key: str  # the folder name, NFC
    name: str  # as on disk
    path: str
    grade_folder: str
    prev: CustomerRow | None = None
    card: Stamp | None = None
    history: Stamp | None = None
    grade_count: int = 0  # grade events the index holds
    mtime_dated: Dated | None = None  # files dated by mtime, by folder


_job_key = attrgetter("key")


def _pair_key(pair: tuple[Found, CustomerRow]) -> str:
    return pair[1].key


class _Known(NamedTuple):
    """What the index holds beyond the customer rows, loaded once per scan."""

    history: dict[str, Stamp]
    dated: dict[str, Dated]
    grades: dict[str, int]


Result = tuple[Changes, int, int]  # what a batch found, its new events, its customers


class _Walk:
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
        self.grade_mtimes: dict[str, int] = {}  # as this scan leaves them
        self.listed_any = False  # whether a grade folder was listed (not the index's word)
        self.known_grade_mtimes: dict[str, int] = {}  # as the last scan left them

    def problem(self, p: Problem) -> None:
        """A warning about the workspace itself; ``grade_folder`` is the folder whose
        listing found it, so it is redone when that folder is listed again."""
        self.changes.warnings.append(WarningRow(p.where, "", p.grade_folder, p.message))

    # The full scan.

    def run(self, conn: sqlite3.Connection, progress: Progress | None, *, workers: int) -> None:
        self.changes.cleared.append(("", ""))  # warnings about 客户/ itself are redone each time
        known = self.index.customers()
        listed = self._list_customers(known)
        if listed is None:
            Index.write(conn, self.changes)
            return  # nothing could be listed: keep every customer the index knows
        found, unlisted = listed
        of = None
        if not self.listed_any and workers > 1 and len(found) >= SPLIT_MIN and can_fork():
            # Every one found is a customer the index holds, where it held it: the
            # no-change check comes first, and only the touched become jobs.
            state = self._known(known)
            pairs = [(f, known[customer_key(f.name)]) for f in found]
            pairs.sort(key=_pair_key)  # halves the same on any file system
            jobs = self._jobs(_touched(pairs, state), known, settled=True, state=state)
            seen = {prev.key for _, prev in pairs}
            of = len(found)
        else:
            jobs = self._jobs(found, known, settled=not self.listed_any)
            seen = {job.key for job in jobs}
        for key in known.keys() - seen:
            if known[key].grade_folder not in unlisted:
                self.changes.gone_customers.append(key)
        done, total = 0, len(jobs) if of is None else of
        for changes, new_events, count in self._read(jobs, workers, of):
            Index.write(conn, changes)
            self.new_events += new_events
            self.placeholders += changes.placeholders
            done += count
            if progress is not None:
                progress(done, total)
        Index.write(conn, self.changes)
        if self.grade_mtimes != self.known_grade_mtimes:
            Index.write_grade_folders(conn, self.grade_mtimes)

    def _read(self, jobs: list[_Job], workers: int, of: int | None) -> Iterator[Result]:
        """Read the jobs; ``of``: how many customers they are what is left of, the
        others found unchanged already."""
        fresh = [job for job in jobs if job.prev is None]
        if workers > 1 and len(fresh) >= PARALLEL_MIN:
            # Worker processes read the customers the index has never seen (their
            # mails are opened and parsed); meanwhile this process checks the rest.
            known_jobs = [job for job in jobs if job.prev is not None]
            chunks = [fresh[i : i + _CHUNK] for i in range(0, len(fresh), _CHUNK)]
            here = _in_this_process(self.ws, self.index, known_jobs, self.now_ns, of)
            return _in_processes(self.ws, chunks, workers, self.now_ns, here)
        return _in_this_process(self.ws, self.index, jobs, self.now_ns, of)

    def _list_customers(self, known: dict[str, CustomerRow]) -> tuple[list[Found], set[str]] | None:
        """The customer folders found (duplicates not yet settled) and the grade
        folders that could not be read; None when 客户/ itself cannot be read."""
        folders = self._grade_folders()
        if folders is None:
            return None
        self.known_grade_mtimes = self.index.grade_folders()
        by_folder: dict[str, list[CustomerRow]] = {}
        for row in known.values():
            by_folder.setdefault(row.grade_folder, []).append(row)
        found: list[Found] = []
        unlisted: set[str] = set()
        for folder in folders:
            in_folder = self._customers_in(folder, by_folder.get(folder.name, []))
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

    def _customers_in(self, folder: GradeFolder, indexed: list[CustomerRow]) -> list[Found] | None:
        """The customer folders in a grade folder; None when it cannot be listed.

        A grade folder whose mtime is unchanged holds the customers it held: the
        index's list of them stands in for listing it again.
        """
        try:
            mtime_ns = os.stat(folder.path, follow_symlinks=False).st_mtime_ns
        except FileNotFoundError:
            return []
        except OSError:
            return None  # there but not readable now (a network drive): keep its customers
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
        state: _Known | None = None,
    ) -> list[_Job]:
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
        jobs: list[_Job] = []
        for f in customers:
            key = customer_key(f.name)
            prev = known.get(key)
            if prev is None:
                jobs.append(_Job(f.grade, key, f.name, f.path, f.grade_folder))
                continue
            card = None if prev.card_size is None else (prev.card_size, prev.card_mtime_ns or 0)
            jobs.append(
                _Job(
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
                )
            )
        # In key order, which is the index's: results come back in the order the
        # jobs were handed out, so a cold scan appends its rows to the primary
        # key's B-tree instead of inserting them all over it (a cold scan of 110,000
        # files: 0.41 -> 0.32 s to write the rows, and a tenth smaller an index).
        jobs.sort(key=_job_key)
        return jobs

    def _known(self, known: dict[str, CustomerRow]) -> _Known:
        if not known:
            return _Known({}, {}, {})
        return _Known(
            self.index.history_stamps(), self.index.mtime_dated(), self.index.grade_counts()
        )

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
        for changes, new_events, _ in _in_this_process(self.ws, self.index, jobs, self.now_ns):
            Index.write(conn, changes)
            self.new_events += new_events
            self.placeholders += changes.placeholders
        Index.write(conn, self.changes)


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


def _in_this_process(
    ws: Workspace, index: Index, jobs: list[_Job], now_ns: int, of: int | None = None
) -> Iterator[Result]:
    """Read ``jobs`` here, a batch at a time; ``of``: how many customers they are
    what is left of, the others found unchanged already (counted as done first)."""
    if of is not None and of > len(jobs):
        yield Changes(), 0, of - len(jobs)
    reader = _Reader(ws, index, now_ns=now_ns)
    for start in range(0, len(jobs), _BATCH):
        batch = jobs[start : start + _BATCH]
        for job in batch:
            reader.customer(job)
        yield reader.take(len(batch))


def _touched(pairs: list[tuple[Found, CustomerRow]], state: _Known) -> list[Found]:
    """The customers found whose folder is not as the index knows it (``pairs``:
    each with its row), the no-change check of the second half made by a forked
    copy of this process meanwhile.

    The child only makes stat calls on what it inherited and sends back one byte
    per customer; it never touches the index, and leaves by ``os._exit`` (no
    cleanup of the parent's objects runs twice). Should it fail, its half goes
    back to this process, whose reader checks each of them again: slower, never
    wrong.
    """
    half = len(pairs) // 2
    mine, theirs = pairs[:half], pairs[half:]
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return [f for f, prev in pairs if not _untouched(f, prev, state)]
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read_fd)
            flags = bytes(_untouched(f, prev, state) for f, prev in theirs)
            with os.fdopen(write_fd, "wb") as out:
                out.write(flags)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    todo = [f for f, prev in mine if not _untouched(f, prev, state)]
    with os.fdopen(read_fd, "rb") as answer:
        flags = answer.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or len(flags) != len(theirs):
        flags = bytes(len(theirs))  # no answer: the reader here checks all of them
    todo.extend(f for (f, _), same in zip(theirs, flags, strict=True) if not same)
    return todo


def _untouched(f: Found, prev: CustomerRow, state: _Known) -> bool:
    """Whether a customer the index knows is just as it was: nothing to read."""
    if prev.key in state.history or state.dated.get(prev.key):
        return False  # rare: the careful path reads the note, and the files dated by mtime
    try:
        mtime_ns = os.stat(f.path, follow_symlinks=False).st_mtime_ns
    except OSError:
        return False  # gone or unreadable: the careful path says which
    return _unchanged(f, prev, mtime_ns)


def _unchanged(at: Found | _Job, prev: CustomerRow, mtime_ns: int) -> bool:
    """The no-change check of a known customer found ``at`` a place, kept to its
    stat calls: the customer folder (done), Contact.txt, and each folder the index
    knows. (Its history note and files dated by mtime are the caller's to check.)"""
    if (
        prev.mtime_ns != mtime_ns
        or mtime_ns == 0
        or prev.grade != at.grade
        or prev.grade_folder != at.grade_folder
        or prev.name != at.name
    ):
        return False
    path = at.path
    try:
        st = os.stat(f"{path}/{CONTACT_FILE}", follow_symlinks=False)
    except FileNotFoundError:
        if prev.card_size is not None:
            return False  # Contact.txt deleted
    except OSError:
        return False
    else:
        if prev.card_size != st.st_size or (prev.card_mtime_ns or 0) != st.st_mtime_ns:
            return False
    if not prev.dirs:
        return True
    for rel, known in unpack_dirs(prev.dirs).items():
        if known == 0:
            return False
        try:
            if os.stat(f"{path}/{rel}", follow_symlinks=False).st_mtime_ns != known:
                return False
        except OSError:
            return False
    return True


def _in_processes(
    ws: Workspace,
    chunks: list[list[_Job]],
    workers: int,
    now_ns: int,
    meanwhile: Iterator[Result],
) -> Iterator[Result]:
    from folder_kit.timeline.workers import Workers

    with Workers(_read_task, (ws, now_ns), chunks, workers) as pool:
        yield from meanwhile
        yield from pool.answers()


def _read_task(common: tuple[Workspace, int], jobs: list[_Job]) -> Result:
    ws, now_ns = common
    return _read_chunk(ws, jobs, now_ns)


def _read_chunk(ws: Workspace, jobs: list[_Job], now_ns: int) -> Result:
    """A worker process's part: read customers the index has never seen (so it
    needs no look at the index)."""
    reader = _Reader(ws, None, now_ns=now_ns)
    for job in jobs:
        reader.customer(job)
    return reader.take(len(jobs))


def _list(
    path: str | Path, shown: str, changes: Changes, *, customer: str = "", folder: str = ""
) -> list[os.DirEntry[str]] | None:
    """A folder's entries; None (and a warning) when it exists but cannot be read,
    so the caller keeps what the index knows of it instead of dropping it."""
    try:
        with os.scandir(path) as it:
            return list(it)
    except FileNotFoundError:
        return []
    except OSError as e:
        message = f"cannot read folder {shown}: {e.strerror or e}"
        changes.warnings.append(WarningRow(shown, customer, folder, message))
        return None


def _stamp(path: str) -> Stamp | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class _Reader:
    """Reads customer folders into index changes. Runs in any process; in a worker
    process it has no index (its customers are new to it)."""

    def __init__(self, ws: Workspace, index: Index | None, *, now_ns: int) -> None:
        self.ws = ws
        self.index = index
        self.root = ws.root
        self.base_rel = ws.customers_dir.name
        self.now_ns = now_ns
        self.settled_ns = now_ns - SETTLE_NS
        self.classifier = Classifier(ws.config)
        self.changes = Changes()
        self.new_events = 0
        # OneDrive conflict copies need the folder's other names (the pattern is made
        # when a first folder is listed: a scan that lists none never needs it);
        # online-only mails are told from their stat where the system says.
        self._onedrive: re.Pattern[str] | None = None
        self.is_placeholder = placeholders.IS_PLACEHOLDER
        # The mail reader, imported when the first mail is read (a scan that finds
        # nothing new never needs it: 10 ms of imports), then kept (an import
        # statement per mail costs 0.5 us).
        self._read_message: Callable[..., MessageInfo] | None = None

    def take(self, count: int) -> Result:
        """What was read since the last take, and how many customers that was."""
        out = (self.changes, self.new_events, count)
        self.changes, self.new_events = Changes(), 0
        return out

    def _recorded(self, mtime_ns: int) -> int:
        """The mtime to remember: 0 for one too recent to trust, so it is read again."""
        return mtime_ns if mtime_ns < self.settled_ns else 0

    def warn(self, key: str, message: str, *, customer: str, folder: str = "") -> None:
        self.changes.warnings.append(WarningRow(key, customer, folder, message))

    def customer(self, job: _Job) -> None:
        """Read one customer folder into changes; nothing for one that did not change."""
        shown = f"{self.base_rel}/{job.grade_folder}/{job.name}"
        try:
            mtime_ns = os.stat(job.path, follow_symlinks=False).st_mtime_ns
        except FileNotFoundError:
            return  # gone since the grade folder was listed: the next scan drops it
        except OSError as e:
            self.warn(shown, f"cannot read folder {shown}: {e.strerror or e}", customer=job.key)
            return  # what the index knows of it stays
        if (
            job.prev is not None
            and job.history is None
            and not job.mtime_dated
            and _unchanged(job, job.prev, mtime_ns)
        ):
            return
        self._read_customer(job, mtime_ns, shown)

    def _read_customer(self, job: _Job, mtime_ns: int, shown: str) -> None:
        """The careful path: what changed in a customer folder, folder by folder."""
        key, prev = job.key, job.prev
        known_dirs = unpack_dirs(prev.dirs) if prev is not None else {}
        dirs = dict(known_dirs)  # what this scan learns, written back with the customer
        listing = None
        if prev is None or prev.mtime_ns != mtime_ns or mtime_ns == 0:
            listing = self._customer_listing(key, job.path, shown)
            if listing is None:  # not readable now: keep what is known, look again next time
                mtime_ns = 0
        if listing is None:
            subdirs = [rel for rel in known_dirs if "/" not in rel]
            has_history = job.history is not None
        else:
            subdirs, has_history = listing
        self._history(job, has_history)
        card, company, country = self._card(job)
        live = self._folders(job, subdirs, known_dirs, dirs, shown)
        if len(live) != len(known_dirs):
            for rel in known_dirs.keys() - live:
                self.changes.gone_dirs.append((key, rel))
                dirs.pop(rel, None)
        packed = pack_dirs(dirs) if dirs != known_dirs else (prev.dirs if prev else "")
        row = CustomerRow(
            key,
            job.name,
            job.grade,
            job.grade_folder,
            self._recorded(mtime_ns),
            packed,
            card[0] if card else None,
            card[1] if card else None,
            company,
            country,
        )
        if row != prev:
            self.changes.customers.append(row)

    def _customer_listing(self, key: str, path: str, shown: str) -> tuple[list[str], bool] | None:
        """The kind folders (OUT, IN, 报价...) of a customer folder, and whether it
        holds a grade history note; None when it cannot be listed."""
        subdirs: list[str] = []
        has_history = False
        self.changes.cleared.append((key, ""))
        entries = _list(path, shown, self.changes, customer=key)
        if entries is None:
            return None
        for entry in entries:
            if entry.name == HISTORY_FILE and entry.is_file(follow_symlinks=False):
                has_history = True
                continue
            if entry.is_symlink():
                p = link_problem(self.root, entry.path)
                self.warn(p.where, p.message, customer=key)
                continue
            kind = kind_of_folder(entry.name) if valid_name(entry.name) else None
            if kind is not None and kind != "drafts" and entry.is_dir(follow_symlinks=False):
                subdirs.append(entry.name)
        return subdirs, has_history

    def _history(self, job: _Job, has_history: bool) -> None:
        """Grade events: a move since the last scan is noted in the history file
        first. With no index to compare (a rebuild), the note's last grade is the
        previous one: a move the note does not show yet is noted all the same."""
        key, prev = job.key, job.prev
        moved = prev is not None and prev.grade != job.grade
        if not has_history and not moved:
            if job.history is not None:  # the user deleted the history file
                self.changes.gone_files.append((key, HISTORY_FILE))
                self.changes.grades[key] = []
            return
        folder = Path(job.path)
        history_path = os.path.join(job.path, HISTORY_FILE)
        stamp = _stamp(history_path)
        if stamp is not None and stamp == job.history and not moved:
            return  # unchanged since the last scan
        changes = read_history(folder) if stamp is not None else []
        last = changes[-1].target if changes else (prev.grade if prev is not None else None)
        if last is not None and last != job.grade:
            self._note_move(job, last)
            stamp = _stamp(history_path)
        if stamp is None or stamp == job.history:
            return
        st_size, st_mtime_ns = stamp
        changes = read_history(folder)
        self.new_events += max(0, len(changes) - job.grade_count)
        self.changes.grades[key] = [
            GradeRow(key, seq, c.when, c.day.isoformat(), c.source, c.target)
            for seq, c in enumerate(changes)
        ]
        self.changes.files.append(
            FileRow(key, HISTORY_FILE, "", st_size, self._recorded(st_mtime_ns), "history",
                    "", "", "", None, None, None)
        )  # fmt: skip

    def _note_move(self, job: _Job, last: str) -> None:
        moment = dt.datetime.fromtimestamp(self.now_ns / 1e9).astimezone()
        try:
            append_history(Path(job.path), change_at(moment, last, job.grade))
        except OSError as e:
            where = f"{self.base_rel}/{job.grade_folder}/{job.name}"
            self.warn(
                f"{where}/{HISTORY_FILE}",
                f"cannot note the grade move {last} -> {job.grade} of {where} "
                f"({e.strerror or e}): the timeline does not show this move",
                customer=job.key,
            )

    def _card(self, job: _Job) -> tuple[Stamp | None, str | None, str | None]:
        """The card event; returns Contact.txt's stamp to remember (None: no card),
        the company's real name and the primary contact's country it gives."""
        key = job.key
        path = os.path.join(job.path, CONTACT_FILE)
        shown = f"{self.base_rel}/{job.grade_folder}/{job.name}/{CONTACT_FILE}"
        known = (job.prev.company, job.prev.country) if job.prev else (None, None)
        try:
            st = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            if job.card is not None:
                self.changes.gone_files.append((key, CONTACT_FILE))
            return None, None, None
        except OSError as e:
            self.warn(shown, f"cannot read {shown}: {e.strerror or e}", customer=key)
            return (job.card[0], 0) if job.card else None, *known  # kept; read again next time
        if not stat.S_ISREG(st.st_mode):
            self.warn(
                shown, f"{shown} is not a regular file; contact details ignored", customer=key
            )
            return None, None, None
        if job.card == (st.st_size, st.st_mtime_ns):
            return job.card, *known
        fields = classify("", CONTACT_FILE, st.st_mtime, classifier=self.classifier)
        if job.card is None:
            self.new_events += 1
        card = read_card(path)
        for warning in card.warnings:
            self.warn(shown, warning.replace(path, shown), customer=key)
        stamp = (st.st_size, self._recorded(st.st_mtime_ns) if not card.warnings else 0)
        if fields is not None:
            row = (key, CONTACT_FILE, "", st.st_size, self._recorded(st.st_mtime_ns))
            self.changes.files.append((*row, *fields))
        return stamp, card.company or None, card.primary.country or None

    def _folders(
        self,
        job: _Job,
        subdirs: list[str],
        known_dirs: dict[str, int],
        dirs: dict[str, int],
        shown: str,
    ) -> set[str]:
        """Read the kind folders and the folders inside them, without recursion (a
        deep tree must not exhaust the stack); returns the folders that are there."""
        children: dict[str, list[str]] = {}
        for rel in known_dirs:
            if "/" in rel:
                children.setdefault(rel.rpartition("/")[0], []).append(rel)
        live: set[str] = set()
        stack = list(subdirs)
        while stack:
            rel = stack.pop()
            if rel.count("/") >= MAX_DEPTH:
                where = f"{shown}/{printable(rel)}"
                message = f"{where}: folders nested this deep are not read"
                self.warn(where, message, customer=job.key, folder=rel.rpartition("/")[0])
                continue
            live.add(rel)
            stack.extend(self._folder(job, rel, shown, children, live, dirs))
        return live

    def _folder(
        self,
        job: _Job,
        rel: str,
        shown: str,
        children: dict[str, list[str]],
        live: set[str],
        dirs: dict[str, int],
    ) -> list[str]:
        """Read one folder of a customer if it changed; returns the folders in it to
        read next."""
        folder = f"{job.path}/{rel}"
        try:
            mtime_ns = os.stat(folder, follow_symlinks=False).st_mtime_ns
        except FileNotFoundError:
            live.discard(rel)  # gone, with what was in it
            return []
        except OSError as e:
            # There, but not readable now (permissions, a network drive): keep
            # what is known of it and of the folders in it; look again next time.
            where = f"{shown}/{rel}"
            message = f"cannot read folder {where}: {e.strerror or e}"
            self.warn(where, message, customer=job.key, folder=rel)
            dirs[rel] = 0
            live.update(known for known in dirs if known.startswith(rel + "/"))
            return []
        if dirs.get(rel) == mtime_ns and mtime_ns != 0:
            # Same entries as last time. Only a file dated by its mtime can have
            # changed what it means (see SOUNDNESS above).
            if not self._dated_changed(job, rel):
                return children.get(rel, [])
            mtime_ns = 0  # list it again below, and again next time
        self.changes.cleared.append((job.key, rel))
        entries = _list(folder, f"{shown}/{rel}", self.changes, customer=job.key, folder=rel)
        if entries is None:
            # Not readable now: its files keep their events; list it again next time.
            dirs[rel] = 0
            return children.get(rel, [])
        settled, subfolders = self._files(job, rel, shown, entries, mtime_ns < self.settled_ns)
        dirs[rel] = mtime_ns if settled else 0
        return subfolders

    def _files(
        self, job: _Job, rel: str, shown: str, entries: list[os.DirEntry[str]], settled: bool
    ) -> tuple[bool, list[str]]:
        """Events for the files of a listed folder, gone files dropped; returns whether
        all of it is settled, and the folders in it.

        The per-file loop of a cold scan, kept lean on purpose: whether mail here is
        read at all is decided once per folder, each name is casefolded once for all
        the questions asked of it, and what a file means is ``classify``'s answer, a
        plain tuple that becomes the row's tail.
        """
        key = job.key
        old = self.index.files_in(key, rel) if job.prev is not None and self.index else {}
        seen: set[str] = set()
        kind = kind_of_folder(rel.split("/", 1)[0])
        # Mail in a 草稿/ inside OUT or IN is still read (its warnings stand), but is no event.
        reads = kind is not None and kind != "drafts"
        subfolders = []
        rows = self.changes.files
        classifier = self.classifier
        is_placeholder = self.is_placeholder
        if self._onedrive is None:
            self._onedrive = onedrive_pattern(computer_names())
        copies = onedrive_copies([e.name for e in entries], self._onedrive)
        for entry in entries:
            name = entry.name
            if not valid_name(name):
                where = f"{shown}/{rel}/{printable(name)}"
                message = f"skipped {where}: file name is not valid UTF-8; rename it"
                self.warn(where, message, customer=key, folder=rel)
                continue
            folded = name.casefold()
            if is_ignored(name, folded=folded) or (copies and name in copies):
                continue
            if entry.is_symlink():
                p = link_problem(self.root, entry.path)
                self.warn(p.where, p.message, customer=key, folder=rel)
                continue
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(f"{rel}/{name}")
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                where = f"{shown}/{rel}/{name}"
                what = kind_of(st.st_mode)
                message = f"skipped {where}: {what}, not a file a mail client saves"
                self.warn(where, message, customer=key, folder=rel)
                continue
            file_rel = f"{rel}/{name}"
            seen.add(file_rel)
            size, mtime_ns = st.st_size, st.st_mtime_ns
            if old and old.get(file_rel) == (size, mtime_ns):
                continue
            recorded = self._recorded(mtime_ns)
            if recorded == 0:
                settled = False  # may still be being written: the next scan reads it again
            if not reads:
                continue
            when, subject = None, None
            if folded.endswith(MAIL_SUFFIXES):
                if is_placeholder is not None and is_placeholder(st):
                    # Opening it would download it: dated as a mail that cannot be
                    # read is, and counted for the scan's one warning.
                    self.changes.placeholders += 1
                    when, subject, warned = None, None, False
                else:
                    when, subject, warned = self._mail(entry.path, shown, file_rel, key, rel)
                if warned:
                    # Remembered as unread: whenever this folder is listed again (which
                    # clears its warnings), the file is read and its warning given again.
                    recorded = 0
            fields = classify(
                rel, name, st.st_mtime, when, subject, classifier=classifier, folded=folded
            )
            if fields is None:
                continue
            if file_rel not in old:
                self.new_events += 1
            # A plain tuple in FileRow's field order: rows cross from worker processes
            # pickled, and a NamedTuple pickles as its class and a call to it.
            rows.append((key, file_rel, rel, size, recorded, *fields))
        for file_rel in old.keys() - seen:
            self.changes.gone_files.append((key, file_rel))
        return settled, subfolders

    def _dated_changed(self, job: _Job, rel: str) -> bool:
        if not job.mtime_dated:
            return False
        for file_rel, size, mtime_ns in job.mtime_dated.get(rel, ()):
            try:
                st = os.stat(f"{job.path}/{file_rel}", follow_symlinks=False)
            except OSError:
                return True
            if (st.st_size, st.st_mtime_ns) != (size, mtime_ns):
                return True
        return False

    def _mail(
        self, path: str, shown: str, file_rel: str, key: str, rel: str
    ) -> tuple[dt.datetime | None, str | None, bool]:
        """What a mail says of itself (date, subject), and whether that gave a warning;
        ``shown`` is the customer folder as warnings name it."""
        read = self._read_message
        if read is None:
            from folder_kit.timeline.mail import read_message

            read = self._read_message = read_message
        try:
            info = read(path, addresses=False)
        except MailError as e:
            shown = f"{shown}/{file_rel}"
            message = f"{shown}: not a readable mail ({e.reason}); dated from its name or time"
            self.warn(shown, message, customer=key, folder=rel)
            return None, None, True
        if info.date is None:
            shown = f"{shown}/{file_rel}"
            message = f"{shown}: the mail has no usable date; dated from its name or time"
            self.warn(shown, message, customer=key, folder=rel)
            return None, info.subject, True
        return info.date, info.subject, False
