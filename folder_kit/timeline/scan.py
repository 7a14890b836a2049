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

The walk lists the grade folders and makes one job per customer, carrying what
the index knows of that customer; a job is read by a ``_Reader``, in this
process or, for large workspaces, in worker processes (one per core), each
with its own read-only connection to the index. All writes happen here, in one
transaction, after the walk.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from folder_kit.errors import MailError
from folder_kit.timeline.classify import MAIL_SUFFIXES, Classifier, FileFacts, Place, classify
from folder_kit.timeline.index import CustomerRow, Index, pack_dirs, unpack_dirs
from folder_kit.workspace.contact import CONTACT_FILE, read_card
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.history import HISTORY_FILE, append_history, change_at, read_history
from folder_kit.workspace.ignore import is_ignored
from folder_kit.workspace.layout import GRADES, Grade, grade_of_folder, kind_of_folder

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
_BATCH = 100  # customers between progress reports in this process

Progress = Callable[[int, int], None]
Stamp = tuple[int, int]  # size, mtime_ns


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
    progress: Progress | None = None,
    workers: int | None = None,
) -> ScanResult:
    """Bring the index up to date with the workspace and say what it holds.

    A large workspace is read in ``workers`` processes (default: one per core);
    ``workers=1`` keeps everything in this process.
    """
    with Index.open(ws.root, rebuild=rebuild) as index:
        walk = _Walk(ws, index, now_ns=time.time_ns())
        # One transaction: what each batch of customers gives is written as it
        # comes, while worker processes go on reading.
        with index.transaction() as conn:
            walk.run(conn, progress, workers=workers or os.cpu_count() or 1)
        customers, files, events = index.counts()
        return ScanResult(
            customers=customers,
            files=files,
            events=events,
            new_events=walk.new_events,
            warnings=tuple(index.warnings()),
            index_path=index.path,
        )


def printable(name: str) -> str:
    """A file name that may hold undecodable bytes, safe to show and to store."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _valid_name(name: str) -> bool:
    """False for a name holding bytes that are not UTF-8 (decoded as surrogates)."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class _Pending:
    """Everything one scan will write, applied in one transaction at the end."""

    customers: list[tuple[object, ...]] = field(default_factory=list)
    gone_customers: list[str] = field(default_factory=list)
    gone_dirs: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[object, ...]] = field(default_factory=list)
    gone_files: list[tuple[str, str]] = field(default_factory=list)
    grades: dict[str, list[tuple[object, ...]]] = field(default_factory=dict)
    warnings: list[tuple[str, str, str, str]] = field(default_factory=list)
    cleared: list[tuple[str, str]] = field(default_factory=list)


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
    # files dated by mtime, by folder: (rel, size, mtime_ns)
    mtime_dated: dict[str, list[tuple[str, int, int]]] | None = None


class _Walk:
    """The main process's part: find the customers, hand them out, write the result."""

    def __init__(self, ws: Workspace, index: Index, *, now_ns: int) -> None:
        self.ws = ws
        self.index = index
        self.now_ns = now_ns
        self.base = ws.customers_dir
        self.base_rel = self.base.name
        self.pending = _Pending()
        self.new_events = 0
        self.grade_mtimes: dict[str, int] = {}  # as this scan leaves them
        self.known_grade_mtimes: dict[str, int] = {}  # as the last scan left them

    def warn(self, key: str, message: str, *, folder: str = "") -> None:
        """A warning about the workspace itself; ``folder`` is the grade folder whose
        listing found it, so it is redone when that folder is listed again."""
        self.pending.warnings.append((key, "", folder, message))

    def run(self, conn: sqlite3.Connection, progress: Progress | None, *, workers: int) -> None:
        self.pending.cleared.append(("", ""))  # warnings about 客户/ itself are redone each time
        known = self.index.customers()
        found = self._customers(known)
        if found is None:
            _write(conn, self.pending)
            return  # nothing could be listed: keep every customer the index knows
        jobs, unlisted = found
        seen = {job.key for job in jobs}
        for key in known.keys() - seen:
            if known[key].grade_folder not in unlisted:
                self.pending.gone_customers.append(key)
        fresh = [job for job in jobs if job.prev is None]
        done = 0
        if workers > 1 and len(fresh) >= PARALLEL_MIN:
            # Worker processes read the customers the index has never seen (their
            # mails are opened and parsed); meanwhile this process checks the rest.
            known_jobs = [job for job in jobs if job.prev is not None]
            chunks = [fresh[i : i + _CHUNK] for i in range(0, len(fresh), _CHUNK)]
            here = _in_this_process(self.ws, self.index, known_jobs, self.now_ns)
            results = _in_processes(self.ws, chunks, workers, self.now_ns, here)
        else:
            results = _in_this_process(self.ws, self.index, jobs, self.now_ns)
        for pending, new_events, count in results:
            _write(conn, pending)
            self.new_events += new_events
            done += count
            if progress is not None:
                progress(done, len(jobs))
        _write(conn, self.pending)
        if self.grade_mtimes != self.known_grade_mtimes:
            conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('grade_folders', ?)",
                (pack_dirs(self.grade_mtimes),),
            )

    def _customers(self, known: dict[str, CustomerRow]) -> tuple[list[_Job], set[str]] | None:
        """A job per customer folder, and the grade folders that could not be read.

        A grade folder whose mtime is unchanged holds the customers it held: the
        index's list of them stands in for listing it again.
        """
        if os.path.islink(self.base):
            target = printable(os.readlink(self.base))
            self.warn(
                self.base_rel,
                f"skipped symbolic link {self.base_rel} -> {target} (links are not followed)",
            )
            return None
        top = _list(self.base, self.base_rel, self.pending)
        if top is None:
            return None
        settled = self.now_ns - SETTLE_NS
        grade_mtimes = self.known_grade_mtimes = self.index.grade_folders()
        by_folder: dict[str, list[CustomerRow]] = {}
        for row in known.values():
            by_folder.setdefault(row.grade_folder, []).append(row)
        found: list[tuple[Grade, str, str, str]] = []  # grade, grade folder, name, path
        unlisted: set[str] = set()
        for grade_dir in top:
            grade = grade_of_folder(grade_dir.name)
            if grade_dir.name.startswith(".") or is_ignored(grade_dir.name):
                continue
            if grade is None:
                if grade_dir.is_dir(follow_symlinks=False):
                    where = f"{self.base_rel}/{printable(grade_dir.name)}"
                    self.warn(
                        where,
                        f"{where} is not a grade folder (its name must start with A, B, C "
                        "or D, or be 待开发客户/Prospects): the customers in it are not read",
                    )
                continue
            folder = grade_dir.name
            rel = f"{self.base_rel}/{printable(folder)}"
            if not _valid_name(folder):
                self.warn(rel, f"skipped {rel}: folder name is not valid UTF-8; rename it")
                continue
            if grade_dir.is_symlink():
                self.warn(rel, _link_message(self.ws.root, grade_dir))
                continue
            if not grade_dir.is_dir():
                continue
            try:
                mtime_ns = grade_dir.stat(follow_symlinks=False).st_mtime_ns
            except OSError:
                continue
            if grade_mtimes.get(folder) == mtime_ns and 0 < mtime_ns < settled:
                self.grade_mtimes[folder] = mtime_ns
                for row in by_folder.get(folder, ()):
                    found.append((grade, folder, row.name, f"{grade_dir.path}/{row.name}"))
                continue
            self.pending.cleared.append(("", folder))
            entries = _list(grade_dir.path, rel, self.pending, rel=folder)
            if entries is None:
                unlisted.add(folder)
                self.grade_mtimes[folder] = 0
                continue
            self.grade_mtimes[folder] = mtime_ns if mtime_ns < settled else 0
            for entry in entries:
                if is_ignored(entry.name):
                    continue
                if entry.is_symlink():
                    where = f"{rel}/{printable(entry.name)}"
                    self.warn(where, _link_message(self.ws.root, entry), folder=folder)
                elif entry.is_dir(follow_symlinks=False):
                    found.append((grade, folder, entry.name, entry.path))
        for gone in grade_mtimes.keys() - self.grade_mtimes.keys():
            self.pending.cleared.append(("", gone))  # a grade folder renamed or removed
        found.sort(key=lambda f: (GRADES.index(f[0]), f[2]))
        state = self._state(known)
        jobs: list[_Job] = []
        seen: dict[str, str] = {}
        for grade, grade_folder, name, path in found:
            if not _valid_name(name):  # grade folder names were checked above
                shown = f"{self.base_rel}/{grade_folder}/{printable(name)}"
                message = f"skipped {shown}: folder name is not valid UTF-8; rename it"
                self.warn(shown, message, folder=grade_folder)
                continue
            key = name if name.isascii() else unicodedata.normalize("NFC", name)
            if key in seen:
                # List this folder again next time: when one copy goes, the other
                # must be found (a move by copy-then-delete, as sync tools do it).
                self.grade_mtimes[grade_folder] = 0
                shown = f"{self.base_rel}/{grade_folder}/{name}"
                self.warn(
                    shown,
                    f"customer {key!r} is in two grade folders ({seen[key]} and "
                    f"{grade_folder}); only {seen[key]} is read — merge or delete one of them",
                    folder=grade_folder,
                )
                continue
            seen[key] = grade_folder
            prev = known.get(key)
            if prev is None:
                jobs.append(_Job(grade, key, name, path, grade_folder))
            else:
                histories, dated, grades = state
                jobs.append(
                    _Job(
                        grade,
                        key,
                        name,
                        path,
                        grade_folder,
                        prev=prev,
                        card=None
                        if prev.card_size is None
                        else (prev.card_size, prev.card_mtime_ns or 0),
                        history=histories.get(key),
                        grade_count=grades.get(key, 0),
                        mtime_dated=dated.get(key),
                    )
                )
        return jobs, unlisted

    def _state(
        self, known: dict[str, CustomerRow]
    ) -> tuple[dict[str, Stamp], dict[str, dict[str, list[tuple[str, int, int]]]], dict[str, int]]:
        """What the index holds beyond the customer rows: grade history stamps, files
        dated by mtime, and how many grade events each customer has."""
        if not known:
            return {}, {}, {}
        conn = self.index.conn
        history: dict[str, Stamp] = {
            c: (size, mtime_ns)
            for c, size, mtime_ns in conn.execute(
                "SELECT customer, size, mtime_ns FROM files WHERE rel = ?", (HISTORY_FILE,)
            )
        }
        dated: dict[str, dict[str, list[tuple[str, int, int]]]] = {}
        for customer, folder, rel, size, mtime_ns in conn.execute(
            "SELECT customer, dir, rel, size, mtime_ns FROM files "
            "WHERE date_source = 'mtime' AND dir != ''"
        ):
            dated.setdefault(customer, {}).setdefault(folder, []).append((rel, size, mtime_ns))
        grades = dict(conn.execute("SELECT customer, COUNT(*) FROM grades GROUP BY customer"))
        return history, dated, grades


def _write(conn: sqlite3.Connection, p: _Pending) -> None:
    """Apply what a batch of the walk found: deletions first, then new rows."""
    conn.executemany("DELETE FROM warnings WHERE customer = ? AND dir = ?", p.cleared)
    for key in p.gone_customers:
        for table in ("files", "grades", "warnings"):
            conn.execute(f"DELETE FROM {table} WHERE customer = ?", (key,))
        conn.execute("DELETE FROM customers WHERE key = ?", (key,))
    conn.executemany("DELETE FROM files WHERE customer = ? AND rel = ?", p.gone_files)
    for key, rel in p.gone_dirs:
        conn.execute(
            "DELETE FROM files WHERE customer = ? AND rel > ? AND rel < ? AND dir = ?",
            (key, rel + "/", rel + "0", rel),
        )
        conn.execute("DELETE FROM warnings WHERE customer = ? AND dir = ?", (key, rel))
    conn.executemany(
        "INSERT OR REPLACE INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", p.customers
    )
    conn.executemany(
        "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", p.files
    )
    for key, rows in p.grades.items():
        conn.execute("DELETE FROM grades WHERE customer = ?", (key,))
        conn.executemany("INSERT INTO grades VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("INSERT OR REPLACE INTO warnings VALUES (?, ?, ?, ?)", p.warnings)


def _in_this_process(
    ws: Workspace, index: Index, jobs: list[_Job], now_ns: int
) -> Iterator[tuple[_Pending, int, int]]:
    reader = _Reader(ws, index.conn, now_ns=now_ns)
    for start in range(0, len(jobs), _BATCH):
        batch = jobs[start : start + _BATCH]
        for job in batch:
            reader.customer(job)
        yield reader.take(len(batch))


def _in_processes(
    ws: Workspace,
    chunks: list[list[_Job]],
    workers: int,
    now_ns: int,
    meanwhile: Iterator[tuple[_Pending, int, int]],
) -> Iterator[tuple[_Pending, int, int]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_read_chunk, ws, chunk, now_ns) for chunk in chunks]
        yield from meanwhile
        for future in futures:
            yield future.result()


def _read_chunk(ws: Workspace, jobs: list[_Job], now_ns: int) -> tuple[_Pending, int, int]:
    """A worker process's part: read customers the index has never seen (so it
    needs no look at the index)."""
    reader = _Reader(ws, None, now_ns=now_ns)
    for job in jobs:
        reader.customer(job)
    return reader.take(len(jobs))


def _list(folder: str | Path, shown: str, pending: _Pending, *, customer: str = "", rel: str = "") -> (
    list[os.DirEntry[str]] | None
):  # fmt: skip
    """A folder's entries; None (and a warning) when it exists but cannot be read,
    so the caller keeps what the index knows of it instead of dropping it."""
    try:
        with os.scandir(folder) as it:
            return list(it)
    except FileNotFoundError:
        return []
    except OSError as e:
        message = f"cannot read folder {shown}: {e.strerror or e}"
        pending.warnings.append((shown, customer, rel, message))
        return None


def _stamp(path: str) -> Stamp | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _link_message(root: Path, entry: os.DirEntry[str]) -> str:
    try:
        target = os.readlink(entry.path)
    except OSError:
        target = "?"
    rel = Path(entry.path).relative_to(root).as_posix()
    return f"skipped symbolic link {printable(rel)} -> {printable(target)} (links are not followed)"


class _Reader:
    """Reads customer folders into pending index rows. Runs in any process."""

    def __init__(self, ws: Workspace, conn: sqlite3.Connection | None, *, now_ns: int) -> None:
        self.ws = ws
        self.conn = conn
        self.root = ws.root
        self.base_rel = ws.customers_dir.name
        self.settled_ns = now_ns - SETTLE_NS
        self.classifier = Classifier(ws.config)
        self.pending = _Pending()
        self.new_events = 0

    def take(self, count: int) -> tuple[_Pending, int, int]:
        """What was read since the last take, and how many customers that was."""
        out = (self.pending, self.new_events, count)
        self.pending, self.new_events = _Pending(), 0
        return out

    def _recorded(self, mtime_ns: int) -> int:
        """The mtime to remember: 0 for one too recent to trust, so it is read again."""
        return mtime_ns if mtime_ns < self.settled_ns else 0

    def warn(self, key: str, message: str, *, customer: str, folder: str = "") -> None:
        self.pending.warnings.append((key, customer, folder, message))

    def customer(self, job: _Job) -> None:
        """Read one customer folder into pending rows; nothing for one that did not change."""
        key, prev = job.key, job.prev
        try:
            mtime_ns = os.stat(job.path, follow_symlinks=False).st_mtime_ns
        except FileNotFoundError:
            return  # gone since the grade folder was listed: the next scan drops it
        except OSError as e:
            shown = f"{self.base_rel}/{job.grade_folder}/{job.name}"
            self.warn(shown, f"cannot read folder {shown}: {e.strerror or e}", customer=key)
            return  # what the index knows of it stays
        if prev is not None and self._unchanged(job, prev, mtime_ns):
            return
        shown = f"{self.base_rel}/{job.grade_folder}/{job.name}"
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
        card, company = self._card(job)
        children: dict[str, list[str]] = {}
        for rel in known_dirs:
            if "/" in rel:
                children.setdefault(rel.rpartition("/")[0], []).append(rel)
        live: set[str] = set()
        for rel in subdirs:
            self._folder(job, rel, shown, children, live, dirs)
        if len(live) != len(known_dirs):
            for rel in known_dirs.keys() - live:
                self.pending.gone_dirs.append((key, rel))
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
        )
        if row != prev:
            self.pending.customers.append(tuple(row))

    def _unchanged(self, job: _Job, prev: CustomerRow, mtime_ns: int) -> bool:
        """The no-change check of a known customer, kept to its stat calls: the
        customer folder (done), Contact.txt, and each folder the index knows."""
        if (
            prev.mtime_ns != mtime_ns
            or mtime_ns == 0
            or prev.grade != job.grade
            or prev.grade_folder != job.grade_folder
            or prev.name != job.name
            or job.history is not None  # rare: the careful path reads it
            or job.mtime_dated
        ):
            return False
        path = job.path
        try:
            st = os.stat(f"{path}/{CONTACT_FILE}", follow_symlinks=False)
        except OSError:
            return job.card is None
        if job.card != (st.st_size, st.st_mtime_ns):
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

    def _customer_listing(self, key: str, path: str, shown: str) -> tuple[list[str], bool] | None:
        subdirs: list[str] = []
        has_history = False
        self.pending.cleared.append((key, ""))
        entries = _list(path, shown, self.pending, customer=key)
        if entries is None:
            return None
        for entry in entries:
            if entry.name == HISTORY_FILE and entry.is_file(follow_symlinks=False):
                has_history = True
                continue
            if entry.is_symlink():
                where = f"{shown}/{printable(entry.name)}"
                self.warn(where, _link_message(self.root, entry), customer=key)
                continue
            kind = kind_of_folder(entry.name) if _valid_name(entry.name) else None
            if kind is not None and kind != "drafts" and entry.is_dir(follow_symlinks=False):
                subdirs.append(entry.name)
        return subdirs, has_history

    def _history(self, job: _Job, has_history: bool) -> None:
        """Grade events: a move since the last scan is noted in the history file first."""
        key, prev = job.key, job.prev
        moved = prev is not None and prev.grade != job.grade
        if not has_history and not moved:
            if job.history is not None:  # the user deleted the history file
                self.pending.gone_files.append((key, HISTORY_FILE))
                self.pending.grades[key] = []
            return
        folder = Path(job.path)
        history_path = os.path.join(job.path, HISTORY_FILE)
        stamp = _stamp(history_path)
        if stamp is not None and stamp == job.history and not moved:
            return  # unchanged since the last scan
        changes = read_history(folder) if stamp is not None else []
        last = changes[-1].target if changes else (prev.grade if prev is not None else None)
        if last is not None and last != job.grade:
            try:
                append_history(folder, change_at(dt.datetime.now(), last, job.grade))
            except OSError as e:
                where = f"{self.base_rel}/{job.grade_folder}/{job.name}"
                self.warn(
                    f"{where}/{HISTORY_FILE}",
                    f"cannot note the grade move {last} -> {job.grade} of {where} "
                    f"({e.strerror or e}): the timeline does not show this move",
                    customer=key,
                )
            stamp = _stamp(history_path)
        if stamp is None or stamp == job.history:
            return
        st_size, st_mtime_ns = stamp
        changes = read_history(folder)
        self.new_events += max(0, len(changes) - job.grade_count)
        self.pending.grades[key] = [
            (key, seq, c.when, c.day.isoformat(), c.source, c.target)
            for seq, c in enumerate(changes)
        ]
        self.pending.files.append(
            (key, HISTORY_FILE, "", st_size, self._recorded(st_mtime_ns), "history",
             "", "", "", None, None, None)
        )  # fmt: skip

    def _card(self, job: _Job) -> tuple[Stamp | None, str | None]:
        """The card event; returns Contact.txt's stamp to remember (None: no card)
        and the company's real name it gives."""
        key = job.key
        path = os.path.join(job.path, CONTACT_FILE)
        shown = f"{self.base_rel}/{job.grade_folder}/{job.name}/{CONTACT_FILE}"
        known = job.prev.company if job.prev else None
        try:
            st = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            if job.card is not None:
                self.pending.gone_files.append((key, CONTACT_FILE))
            return None, None
        except OSError as e:
            self.warn(shown, f"cannot read {shown}: {e.strerror or e}", customer=key)
            return (job.card[0], 0) if job.card else None, known  # kept; read again next time
        if not stat.S_ISREG(st.st_mode):
            self.warn(
                shown, f"{shown} is not a regular file; contact details ignored", customer=key
            )
            return None, None
        if job.card == (st.st_size, st.st_mtime_ns):
            return job.card, known
        place = Place(job.grade, job.grade_folder, key, "card", CONTACT_FILE)
        fields = classify(place, CONTACT_FILE, FileFacts(mtime=st.st_mtime), self.classifier)
        if fields is None:
            return None, None
        if job.card is None:
            self.new_events += 1
        card = read_card(Path(path))
        for warning in card.warnings:
            self.warn(shown, warning.replace(path, shown), customer=key)
        stamp = (st.st_size, self._recorded(st.st_mtime_ns) if not card.warnings else 0)
        self.pending.files.append(
            (key, CONTACT_FILE, "", st.st_size, self._recorded(st.st_mtime_ns), fields.kind,
             fields.date, fields.day.isoformat(), fields.date_source, None, None, None)
        )  # fmt: skip
        return stamp, card.company or None

    def _folder(
        self,
        job: _Job,
        rel: str,
        shown: str,
        children: dict[str, list[str]],
        live: set[str],
        dirs: dict[str, int],
    ) -> None:
        key = job.key
        live.add(rel)
        folder = f"{job.path}/{rel}"
        known_mtime = dirs.get(rel)
        try:
            mtime_ns = os.stat(folder, follow_symlinks=False).st_mtime_ns
        except FileNotFoundError:
            live.discard(rel)  # gone, with what was in it
            return
        except OSError as e:
            # There, but not readable now (permissions, a network drive): keep
            # what is known of it and of the folders in it; look again next time.
            where = f"{shown}/{rel}"
            self.warn(
                where, f"cannot read folder {where}: {e.strerror or e}", customer=key, folder=rel
            )
            dirs[rel] = 0
            for known in dirs:
                if known.startswith(rel + "/"):
                    live.add(known)
            return
        if known_mtime == mtime_ns and mtime_ns != 0:
            # Same entries as last time. Only a file dated by its mtime can have
            # changed what it means (see SOUNDNESS above).
            if not self._dated_changed(job, rel):
                for child in children.get(rel, ()):
                    self._folder(job, child, shown, children, live, dirs)
                return
            mtime_ns = 0  # list it again below, and again next time
        self.pending.cleared.append((key, rel))
        old = self._files_in(key, rel) if job.prev is not None else {}
        seen: set[str] = set()
        settled = mtime_ns < self.settled_ns
        kind = kind_of_folder(rel.split("/", 1)[0])
        entries = _list(folder, f"{shown}/{rel}", self.pending, customer=key, rel=rel)
        if entries is None:
            # Not readable now: its files keep their events; list it again next time.
            dirs[rel] = 0
            for child in children.get(rel, ()):
                self._folder(job, child, shown, children, live, dirs)
            return
        for entry in entries:
            name = entry.name
            if not _valid_name(name):
                where = f"{shown}/{rel}/{printable(name)}"
                message = f"skipped {where}: file name is not valid UTF-8; rename it"
                self.warn(where, message, customer=key, folder=rel)
                continue
            if is_ignored(name):
                continue
            if entry.is_symlink():
                where = f"{shown}/{rel}/{name}"
                self.warn(where, _link_message(self.root, entry), customer=key, folder=rel)
                continue
            if entry.is_dir(follow_symlinks=False):
                self._folder(job, f"{rel}/{name}", shown, children, live, dirs)
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue  # a pipe, socket or device: nothing a mail client saves
            file_rel = f"{rel}/{name}"
            seen.add(file_rel)
            if old.get(file_rel) == (st.st_size, st.st_mtime_ns):
                continue
            recorded_mtime = self._recorded(st.st_mtime_ns)
            if recorded_mtime == 0:
                settled = False  # may still be being written: the next scan reads it again
            if kind is None or kind == "drafts":
                continue
            facts, warned = self._facts(entry, st.st_mtime, f"{shown}/{file_rel}", key, rel)
            if warned:
                # Remembered as unread: whenever this folder is listed again (which
                # clears its warnings), the file is read and its warning given again.
                recorded_mtime = 0
            place = Place(job.grade, job.grade_folder, key, kind, file_rel)
            fields = classify(place, name, facts, self.classifier)
            if fields is None:
                continue
            if file_rel not in old:
                self.new_events += 1
            self.pending.files.append(
                (key, file_rel, rel, st.st_size, recorded_mtime, fields.kind, fields.date,
                 fields.day.isoformat(), fields.date_source, fields.medium, fields.topic,
                 fields.subject)
            )  # fmt: skip
        for file_rel in old.keys() - seen:
            self.pending.gone_files.append((key, file_rel))
        dirs[rel] = mtime_ns if settled else 0

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

    def _files_in(self, customer: str, folder: str) -> dict[str, Stamp]:
        if self.conn is None:  # a worker process: its customers are new to the index
            return {}
        # A range of the primary key (rel starts with "<folder>/"), no second index to keep.
        rows = self.conn.execute(
            "SELECT rel, size, mtime_ns FROM files "
            "WHERE customer = ? AND rel > ? AND rel < ? AND dir = ?",
            (customer, folder + "/", folder + "0", folder),
        )
        return {rel: (size, mtime_ns) for rel, size, mtime_ns in rows}

    def _facts(
        self, entry: os.DirEntry[str], mtime: float, shown: str, key: str, rel: str
    ) -> tuple[FileFacts, bool]:
        """What the file says about itself, and whether that gave a warning."""
        if not entry.name.casefold().endswith(MAIL_SUFFIXES):
            return FileFacts(mtime=mtime), False
        from folder_kit.timeline.mail import read_message

        try:
            info = read_message(entry.path, addresses=False)
        except MailError as e:
            message = f"{shown}: not a readable mail ({e.reason}); dated from its name or time"
            self.warn(shown, message, customer=key, folder=rel)
            return FileFacts(mtime=mtime), True
        facts = FileFacts(mtime=mtime, message_date=info.date, message_subject=info.subject)
        if info.date is None:
            message = f"{shown}: the mail has no usable date; dated from its name or time"
            self.warn(shown, message, customer=key, folder=rel)
            return facts, True
        return facts, False
