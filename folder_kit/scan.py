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
mail clients never do that, and ``scan --rebuild`` (or ``watch``) reads it.
Anything modified within the last two seconds is read but remembered as
unsettled, so the next scan reads it again.

Symbolic links are never followed, and nothing outside the workspace is read.
"""

from __future__ import annotations

import os
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from folder_kit.classify import (
    CONTACT_FILE,
    MAIL_SUFFIXES,
    Classifier,
    FileFacts,
    Place,
    classify,
    is_ignored,
)
from folder_kit.errors import MailError
from folder_kit.history import HISTORY_FILE, append_history, change_at, read_history
from folder_kit.index import CustomerRow, Index, pack_dirs, unpack_dirs
from folder_kit.layout import GRADES, Grade, grade_of_folder, kind_of_folder
from folder_kit.workspace import Workspace

# A folder or file changed this recently may still be changing (a mail client
# still writing, a second change within the file system's time resolution):
# it is looked at again by the next scan. FAT and some sync mounts keep times
# to 2 seconds.
SETTLE_NS = 2_000_000_000

Progress = Callable[[int, int], None]


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

    Customers the index has never seen (a first scan, ``rebuild``) are read in
    ``workers`` processes (default: one per core) when there are many of them;
    ``workers=1`` keeps everything in this process.
    """
    with Index.open(ws.root, rebuild=rebuild) as index:
        run = _Scan(ws, index, now_ns=time.time_ns())
        run.walk(progress, workers=workers)
        with index.transaction() as conn:
            run.write(conn)
        customers, files, events = index.counts()
        return ScanResult(
            customers=customers,
            files=files,
            events=events,
            new_events=run.new_events,
            warnings=tuple(index.warnings()),
            index_path=index.path,
        )


def printable(name: str) -> str:
    """A file name that may hold undecodable bytes, safe to show and to store."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _valid_name(name: str) -> bool:
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

    def merge(self, other: _Pending) -> None:
        self.customers += other.customers
        self.gone_customers += other.gone_customers
        self.gone_dirs += other.gone_dirs
        self.files += other.files
        self.gone_files += other.gone_files
        self.grades.update(other.grades)
        self.warnings += other.warnings
        self.cleared += other.cleared


@dataclass(frozen=True)
class _Job:
    """One customer folder to read."""

    grade: Grade
    key: str  # NFC folder name
    name: str  # as on disk
    path: str
    grade_folder: str


# Below this many unseen customers, starting processes costs more than it saves.
PARALLEL_MIN = 400
_CHUNK = 250


def _read_chunk(ws: Workspace, jobs: list[_Job], now_ns: int) -> tuple[_Pending, int, int]:
    """Read customers the index has never seen, in a worker process."""
    run = _Scan(ws, None, now_ns=now_ns)
    for job in jobs:
        run._customer(job)
    return run.pending, run.new_events, len(jobs)


def _in_processes(
    ws: Workspace, jobs: list[_Job], workers: int, now_ns: int
) -> Iterator[tuple[_Pending, int, int]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    chunks = [jobs[i : i + _CHUNK] for i in range(0, len(jobs), _CHUNK)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_read_chunk, ws, chunk, now_ns) for chunk in chunks]
        for future in futures:
            yield future.result()


class _Scan:
    def __init__(self, ws: Workspace, index: Index | None, *, now_ns: int) -> None:
        self.ws = ws
        self.index = index
        self.now_ns = now_ns
        self.settled_ns = now_ns - SETTLE_NS
        self.classifier = Classifier(ws.config)
        self.base = ws.customers_dir
        self.base_rel = self.base.name
        self.known = index.customers() if index is not None else {}
        self.special = self._special_files(index) if index is not None else {}
        self.mtime_dated = self._mtime_dated(index) if index is not None else {}
        self.pending = _Pending()
        self.new_events = 0

    @staticmethod
    def _mtime_dated(index: Index) -> dict[tuple[str, str], list[tuple[str, int, int]]]:
        """Files dated by their modification time, by folder: an edit in place moves
        their date without touching the folder, so they are looked at every time."""
        rows = index.conn.execute(
            "SELECT customer, dir, rel, size, mtime_ns FROM files "
            "WHERE date_source = 'mtime' AND dir != ''"
        )
        out: dict[tuple[str, str], list[tuple[str, int, int]]] = {}
        for customer, folder, rel, size, mtime_ns in rows:
            out.setdefault((customer, folder), []).append((rel, size, mtime_ns))
        return out

    @staticmethod
    def _special_files(index: Index) -> dict[tuple[str, str], tuple[int, int]]:
        rows = index.conn.execute("SELECT customer, rel, size, mtime_ns FROM files WHERE dir = ''")
        return {(c, r): (s, m) for c, r, s, m in rows}

    def _recorded(self, mtime_ns: int) -> int:
        """The mtime to remember: 0 for one too recent to trust, so it is read again."""
        return mtime_ns if mtime_ns < self.settled_ns else 0

    def warn(self, key: str, message: str, *, customer: str = "", folder: str = "") -> None:
        self.pending.warnings.append((key, customer, folder, message))

    # The walk.

    def walk(self, progress: Progress | None, *, workers: int | None = None) -> None:
        self.pending.cleared.append(("", ""))  # workspace-level warnings are redone each time
        found: list[tuple[Grade, str, os.DirEntry[str]]] = []
        if os.path.islink(self.base):
            target = os.readlink(self.base)
            self.warn(
                self.base_rel,
                f"skipped symbolic link {self.base_rel} -> {printable(target)} "
                "(links are not followed)",
            )
            return
        top = self._list(self.base, key=self.base_rel)
        if top is None:
            return  # nothing could be listed: keep every customer the index knows
        unlisted: set[str] = set()  # grade folders that could not be read this time
        for grade_dir in top:
            grade = grade_of_folder(grade_dir.name)
            if grade is None or grade_dir.name.startswith("."):
                continue
            if grade_dir.is_symlink():
                self.warn(f"{self.base_rel}/{grade_dir.name}", self._link_message(grade_dir))
                continue
            if not grade_dir.is_dir():
                continue
            rel = f"{self.base_rel}/{printable(grade_dir.name)}"
            entries = self._list(grade_dir.path, key=rel)
            if entries is None:
                unlisted.add(grade_dir.name)
                continue
            for entry in entries:
                if is_ignored(entry.name):
                    continue
                if entry.is_symlink():
                    self.warn(f"{rel}/{printable(entry.name)}", self._link_message(entry))
                    continue
                if entry.is_dir(follow_symlinks=False):
                    found.append((grade, grade_dir.name, entry))
        found.sort(key=lambda ge: (GRADES.index(ge[0]), ge[2].name))
        seen: dict[str, str] = {}
        todo: list[_Job] = []
        for grade, grade_folder, entry in found:
            job = self._job(grade, grade_folder, entry, seen)
            if job is not None:
                todo.append(job)
        for key in self.known.keys() - seen.keys():
            if self.known[key].grade_folder not in unlisted:
                self.pending.gone_customers.append(key)
        fresh = [job for job in todo if job.key not in self.known]
        workers = min(workers or os.cpu_count() or 1, 8)
        done = 0
        if workers > 1 and len(fresh) >= PARALLEL_MIN:
            todo = [job for job in todo if job.key in self.known]
            for pending, new_events, count in _in_processes(self.ws, fresh, workers, self.now_ns):
                self.pending.merge(pending)
                self.new_events += new_events
                done += count
                if progress is not None:
                    progress(done, len(found))
        for job in todo:
            self._customer(job)
            done += 1
            if progress is not None:
                progress(done, len(found))

    def _job(
        self, grade: Grade, grade_folder: str, entry: os.DirEntry[str], seen: dict[str, str]
    ) -> _Job | None:
        name = entry.name
        if not _valid_name(name) or not _valid_name(grade_folder):
            shown = f"{self.base_rel}/{printable(grade_folder)}/{printable(name)}"
            self.warn(shown, f"skipped {shown}: folder name is not valid UTF-8; rename it")
            return None
        key = name if name.isascii() else unicodedata.normalize("NFC", name)
        if key in seen:
            shown = f"{self.base_rel}/{grade_folder}/{name}"
            self.warn(
                shown,
                f"customer {key!r} is in two grade folders ({seen[key]} and {grade_folder}); "
                f"only {seen[key]} is read — merge or delete one of them",
            )
            return None
        seen[key] = grade_folder
        return _Job(grade=grade, key=key, name=name, path=entry.path, grade_folder=grade_folder)

    def _list(
        self, folder: str | Path, *, key: str, customer: str = "", rel: str = ""
    ) -> list[os.DirEntry[str]] | None:
        """A folder's entries; None (and a warning) when it exists but cannot be read,
        so the caller keeps what the index knows of it instead of dropping it."""
        try:
            with os.scandir(folder) as it:
                return list(it)
        except FileNotFoundError:
            return []
        except OSError as e:
            self.warn(
                key, f"cannot read folder {key}: {e.strerror or e}", customer=customer, folder=rel
            )
            return None

    def _link_message(self, entry: os.DirEntry[str]) -> str:
        try:
            target = os.readlink(entry.path)
        except OSError:
            target = "?"
        rel = Path(entry.path).relative_to(self.ws.root).as_posix()
        return f"skipped symbolic link {printable(rel)} -> {printable(target)} (links are not followed)"

    def _customer(self, job: _Job) -> None:
        # The hot path of every scan: plain str paths, no pathlib, and nothing
        # written for a customer whose folders did not change.
        key, grade, name, grade_folder = job.key, job.grade, job.name, job.grade_folder
        path = job.path
        shown = f"{self.base_rel}/{grade_folder}/{name}"
        try:
            mtime_ns = os.stat(path, follow_symlinks=False).st_mtime_ns
        except OSError:
            return
        prev = self.known.get(key)
        known_dirs = unpack_dirs(prev.dirs) if prev is not None else {}
        dirs = dict(known_dirs)  # what this scan learns, written back with the customer
        if prev is not None and prev.mtime_ns == mtime_ns and mtime_ns != 0:
            subdirs = [rel for rel in known_dirs if "/" not in rel]
            has_history = (key, HISTORY_FILE) in self.special
        else:
            listing = self._customer_listing(key, path, shown)
            if listing is None:
                # Not readable now: keep what the index knows, and look again next time.
                subdirs = [rel for rel in known_dirs if "/" not in rel]
                has_history = (key, HISTORY_FILE) in self.special
                mtime_ns = 0
            else:
                subdirs, has_history = listing
        self._history(key, grade, path, prev, has_history)
        self._card(key, path)
        nested = any("/" in rel for rel in known_dirs)
        children: dict[str, list[str]] = {}
        if nested:
            for rel in known_dirs:
                parent, _, _ = rel.rpartition("/")
                children.setdefault(parent, []).append(rel)
        live: set[str] = set()
        for rel in subdirs:
            self._folder(key, path, rel, shown, children, live, dirs)
        if len(live) != len(known_dirs):
            for rel in known_dirs.keys() - live:
                self.pending.gone_dirs.append((key, rel))
                del dirs[rel]
        packed = pack_dirs(dirs) if dirs != known_dirs else (prev.dirs if prev else "")
        row = CustomerRow(key, name, grade, grade_folder, self._recorded(mtime_ns), packed)
        if row != prev:
            self.pending.customers.append((key, name, grade, grade_folder, row.mtime_ns, row.dirs))

    def _customer_listing(self, key: str, path: str, shown: str) -> tuple[list[str], bool] | None:
        subdirs: list[str] = []
        has_history = False
        self.pending.cleared.append((key, ""))
        entries = self._list(path, key=shown, customer=key)
        if entries is None:
            return None
        for entry in entries:
            if entry.name == HISTORY_FILE:
                has_history = True
                continue
            if entry.is_symlink():
                self.warn(
                    f"{shown}/{printable(entry.name)}", self._link_message(entry), customer=key
                )
                continue
            kind = kind_of_folder(entry.name) if _valid_name(entry.name) else None
            if kind is not None and kind != "drafts" and entry.is_dir(follow_symlinks=False):
                subdirs.append(entry.name)
        return subdirs, has_history

    def _history(
        self, key: str, grade: Grade, path: str, prev: CustomerRow | None, has_history: bool
    ) -> None:
        """Grade events: a move since the last scan is noted in the history file first."""
        known_stamp = self.special.get((key, HISTORY_FILE))
        moved = prev is not None and prev.grade != grade
        if not has_history and not moved:
            if known_stamp is not None:  # the user deleted the history file
                self.pending.gone_files.append((key, HISTORY_FILE))
                self.pending.grades[key] = []
            return
        history_path = os.path.join(path, HISTORY_FILE)
        if has_history and not moved and prev is not None:
            try:
                st = os.stat(history_path)
            except OSError:
                return
            if known_stamp == (st.st_size, st.st_mtime_ns):
                return
        folder = Path(path)
        changes = read_history(folder) if has_history else []
        last = changes[-1].target if changes else (prev.grade if prev is not None else None)
        if last is not None and last != grade:
            import datetime as dt

            try:
                append_history(folder, change_at(dt.datetime.now(), last, grade))
            except OSError as e:
                where = f"{self.base_rel}/{Path(path).parent.name}/{Path(path).name}"
                self.warn(
                    f"{where}/{HISTORY_FILE}",
                    f"cannot note the grade move of {where} ({e.strerror or e}); "
                    "it is noted once the folder can be written",
                    customer=key,
                )
        try:
            st = os.stat(history_path)
        except OSError:
            return
        if known_stamp == (st.st_size, st.st_mtime_ns):
            return
        changes = read_history(folder)
        before = len(self.index.grades(key)) if self.index is not None and known_stamp else 0
        self.new_events += max(0, len(changes) - before)
        self.pending.grades[key] = [
            (key, seq, c.when, c.day.isoformat(), c.source, c.target)
            for seq, c in enumerate(changes)
        ]
        self.pending.files.append(
            (key, HISTORY_FILE, "", st.st_size, self._recorded(st.st_mtime_ns), "history",
             "", "", "", None, None, None)
        )  # fmt: skip

    def _card(self, key: str, path: str) -> None:
        try:
            st = os.stat(os.path.join(path, CONTACT_FILE), follow_symlinks=False)
        except OSError:
            if (key, CONTACT_FILE) in self.special:
                self.pending.gone_files.append((key, CONTACT_FILE))
            return
        previous = self.special.get((key, CONTACT_FILE))
        if previous == (st.st_size, st.st_mtime_ns):
            return
        place = Place("A", "", key, "card", CONTACT_FILE)
        fields = classify(place, CONTACT_FILE, FileFacts(mtime=st.st_mtime), self.classifier)
        if fields is None:
            return
        if previous is None:
            self.new_events += 1
        self.pending.files.append(
            (key, CONTACT_FILE, "", st.st_size, self._recorded(st.st_mtime_ns), fields.kind,
             fields.date, fields.day.isoformat(), fields.date_source, None, None, None)
        )  # fmt: skip

    def _folder(
        self,
        key: str,
        customer_path: str,
        rel: str,
        shown: str,
        children: dict[str, list[str]],
        live: set[str],
        dirs: dict[str, int],
    ) -> None:
        live.add(rel)
        folder = f"{customer_path}/{rel}"
        known_mtime = dirs.get(rel)
        try:
            mtime_ns = os.stat(folder, follow_symlinks=False).st_mtime_ns
        except OSError:
            return
        if known_mtime == mtime_ns and mtime_ns != 0:
            # Same entries as last time. Only a file dated by its mtime can have
            # changed what it means (see SOUNDNESS in the module docstring).
            for file_rel, size, file_mtime in self.mtime_dated.get((key, rel), ()):
                try:
                    st = os.stat(f"{customer_path}/{file_rel}", follow_symlinks=False)
                except OSError:
                    continue
                if (st.st_size, st.st_mtime_ns) != (size, file_mtime):
                    mtime_ns = 0  # list the folder again below
                    break
            else:
                for child in children.get(rel, ()):
                    self._folder(key, customer_path, child, shown, children, live, dirs)
                return
        self.pending.cleared.append((key, rel))
        old = self.index.files_in(key, rel) if self.index and key in self.known else {}
        seen: set[str] = set()
        settled = mtime_ns < self.settled_ns
        kind = kind_of_folder(rel.split("/", 1)[0])
        entries = self._list(folder, key=f"{shown}/{rel}", customer=key, rel=rel)
        if entries is None:
            # Not readable now: its files keep their events; list it again next time.
            dirs[rel] = 0
            for child in children.get(rel, ()):
                self._folder(key, customer_path, child, shown, children, live, dirs)
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
                self.warn(where, self._link_message(entry), customer=key, folder=rel)
                continue
            if entry.is_dir(follow_symlinks=False):
                self._folder(key, customer_path, f"{rel}/{name}", shown, children, live, dirs)
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            file_rel = f"{rel}/{name}"
            seen.add(file_rel)
            if old.get(file_rel) == (st.st_size, st.st_mtime_ns):
                continue
            recorded_mtime = self._recorded(st.st_mtime_ns)
            if recorded_mtime == 0:
                settled = False  # may still be being written: the next scan reads it again
            if kind is None or kind == "drafts":
                continue
            facts = self._facts(entry, st.st_mtime, f"{shown}/{file_rel}", key, rel)
            place = Place("A", "", key, kind, file_rel)
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

    def _facts(
        self, entry: os.DirEntry[str], mtime: float, shown: str, key: str, rel: str
    ) -> FileFacts:
        if not entry.name.casefold().endswith(MAIL_SUFFIXES):
            return FileFacts(mtime=mtime)
        from folder_kit.mail import read_message

        try:
            info = read_message(entry.path, addresses=False)
        except MailError as e:
            message = f"{shown}: not a readable mail ({e.reason}); dated from its name or time"
            self.warn(shown, message, customer=key, folder=rel)
            return FileFacts(mtime=mtime)
        if info.date is None:
            message = f"{shown}: the mail has no usable date; dated from its name or time"
            self.warn(shown, message, customer=key, folder=rel)
        return FileFacts(mtime=mtime, message_date=info.date, message_subject=info.subject)

    # Writing.

    def write(self, conn: object) -> None:
        import sqlite3

        assert isinstance(conn, sqlite3.Connection)
        p = self.pending
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
        conn.executemany("INSERT OR REPLACE INTO customers VALUES (?, ?, ?, ?, ?, ?)", p.customers)
        conn.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", p.files
        )
        for key, rows in p.grades.items():
            conn.execute("DELETE FROM grades WHERE customer = ?", (key,))
            conn.executemany("INSERT INTO grades VALUES (?, ?, ?, ?, ?, ?)", rows)
        conn.executemany("INSERT OR REPLACE INTO warnings VALUES (?, ?, ?, ?)", p.warnings)
