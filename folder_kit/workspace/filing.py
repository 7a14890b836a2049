"""Adding a file to one of a customer's folders (OUT, IN, 草稿/...): the one way
the tool files a sent mail, a logged contact, a draft or an imported message.

The name is the caller's stem, cut to fit Windows' MAX_PATH (a workspace may be
synced to a Windows machine, so this holds on every system), with " (2)",
" (3)"... where it is taken. The bytes are written atomically under a name no
file had: nothing is overwritten, not even a file that appears between choosing
the name and writing it, and a reader never sees half a file, not even after a
power cut: the bytes are on disk before the file has its name.

``file_into`` files one file, synced on its own; a :class:`Filer` files many
(an import), synced together in batches, under the same rules.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from folder_kit.errors import TargetExistsError, UnsafeNameError
from folder_kit.files import (
    check_no_links,
    link_new,
    numbered,
    remove_stale_temps,
    sync_file_systems,
    unique_path,
    write_new,
    write_temp,
)
from folder_kit.workspace.customers import Customer, kind_folder
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.layout import Kind
from folder_kit.workspace.names import fit_path, folder_name

NO_SUBJECT = "(no subject)"
_ATTEMPTS = 100  # names taken by other writers meanwhile, before giving up
_SEPARATOR = re.compile(r"\s*[:：]\s*")


def mail_stem(day: dt.date, subject: str) -> str | None:
    """``<day> <subject>``, the way salespeople name a saved mail ("Re: Offer" as
    "Re - Offer"), portable on every system; None where the subject leaves no
    usable name."""
    subject = " ".join(subject.split()) or NO_SUBJECT
    try:
        return folder_name(f"{day.isoformat()} {_SEPARATOR.sub(' - ', subject)}")
    except UnsafeNameError:
        return None


def planned_path(
    ws: Workspace, customer: Customer, kind: Kind, *, stem: str, suffix: str, keep: int
) -> Path:
    """Where ``file_into`` would write now. ``keep``: the stem's first characters
    (its date, say) that are never cut to fit the path."""
    folder = kind_folder(ws, customer, kind)
    return unique_path(folder, fit_path(str(folder), stem, suffix, keep=keep), suffix)


def file_into(
    ws: Workspace,
    customer: Customer,
    kind: Kind,
    *,
    stem: str,
    suffix: str,
    data: bytes | Callable[[], bytes],
    keep: int,
    dry_run: bool = False,
) -> Path:
    """Write ``data`` as a new file in the customer's folder of ``kind``; returns its
    path. ``data`` may be a function, called before anything is written (building a
    mail can fail, and then nothing is left behind). A folder or customer linked
    elsewhere is refused; with ``dry_run``, nothing is written."""
    folder = kind_folder(ws, customer, kind)
    stem = fit_path(str(folder), stem, suffix, keep=keep)
    target = unique_path(folder, stem, suffix)
    check_no_links(ws.root, target)
    if dry_run:
        return target
    content = data() if callable(data) else data
    folder.mkdir(parents=True, exist_ok=True)
    return _named(folder, stem, suffix, target, lambda path: write_new(path, content))


def _named(folder: Path, stem: str, suffix: str, target: Path, put: Callable[[Path], None]) -> Path:
    """``put`` the file at ``target``, or where that was taken meanwhile, at the
    next free name (" (2)", " (3)"...); returns where it went."""
    for _ in range(_ATTEMPTS):
        try:
            put(target)
            return target
        except TargetExistsError:  # taken since unique_path looked: take the next
            target = unique_path(folder, stem, suffix)
    raise TargetExistsError(path=str(target), hint="other programs keep taking the names")


# A batch is made durable once it holds this many files or bytes: enough for the
# disk to write them together, few enough that the temporary files' descriptors
# stay well within a process's limit and a crash costs little work.
BATCH_FILES = 500
BATCH_BYTES = 64 * 1024 * 1024
# A temporary file younger than this may still be another run's, being written
# or waiting for its batch to be synced; an older one was left by a crash.
STALE_TEMP_SECONDS = 10 * 60


@dataclass(eq=False)
class Filing:
    """A file added to a :class:`Filer`: the folder it goes to and its name, the
    name planned when added and the name it was given once the batch is flushed
    (another, " (2)"..., where a program took the planned one meanwhile)."""

    customer: Customer
    kind: Kind
    path: Path


@dataclass(eq=False)
class _Written:
    filing: Filing
    stem: str
    suffix: str
    tmp: str
    fd: int | None


class Filer:
    """Files many new files, as ``file_into`` does one, but made durable in
    batches: each is written to a hidden temporary file in its folder; once a
    batch is complete, all of them are synced together (see
    :func:`~folder_kit.files.sync_file_systems`; elsewhere each in turn, after
    all were written, so the disk can merge the writes), and only then is each
    given its name, never replacing a file. A crash or a power cut leaves whole
    files under their names and, for the rest of the batch, only temporary files
    (which a scan passes over and :func:`remove_stale_temps_of` removes).

    Use it as a context manager: leaving the block flushes what is pending; an
    error inside it removes the temporary files instead, naming none of them.
    """

    def __init__(
        self,
        ws: Workspace,
        *,
        dry_run: bool = False,
        max_files: int = BATCH_FILES,
        max_bytes: int = BATCH_BYTES,
    ) -> None:
        self.ws = ws
        self.dry_run = dry_run
        self.max_files = min(max_files, _descriptors_to_spare())
        self.max_bytes = max_bytes
        self._pending: list[_Written] = []
        self._bytes = 0
        self._folders: dict[tuple[str, Kind], Path] = {}
        self._planned: set[Path] = set()  # with dry_run: the names given so far

    def __enter__(self) -> Filer:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is None:
            self.flush()
        else:
            self._discard(self._pending)
            self._pending = []

    def add(
        self,
        customer: Customer,
        kind: Kind,
        *,
        stem: str,
        suffix: str,
        data: bytes | Callable[[], bytes],
        keep: int,
    ) -> Filing:
        """Add a new file to the customer's folder of ``kind``, named as
        ``file_into`` names it. With ``dry_run``, nothing is written and the
        ``path`` of the result is final (names planned earlier count as taken)."""
        folder = self._folder(customer, kind)
        stem = fit_path(str(folder), stem, suffix, keep=keep)
        target = unique_path(folder, stem, suffix)
        check_no_links(self.ws.root, target)
        if self.dry_run:
            n = 2
            while target in self._planned or os.path.lexists(target):
                target = numbered(folder, stem, suffix, n)
                n += 1
            self._planned.add(target)
            return Filing(customer, kind, target)
        content = data() if callable(data) else data
        folder.mkdir(parents=True, exist_ok=True)
        tmp, fd = write_temp(folder, content)
        filing = Filing(customer, kind, target)
        self._pending.append(_Written(filing, stem, suffix, tmp, fd))
        self._bytes += len(content)
        if len(self._pending) >= self.max_files or self._bytes >= self.max_bytes:
            self.flush()
        return filing

    def flush(self) -> None:
        """Make the pending files durable, then give each its name. (The names
        themselves are not synced: one lost to a power cut leaves its file
        unfiled, and importing again files it.)"""
        batch, self._pending, self._bytes = self._pending, [], 0
        try:
            fds = [w.fd for w in batch if w.fd is not None]
            if not sync_file_systems(fds):
                for fd in fds:
                    os.fsync(fd)
            for w in batch:
                if w.fd is not None:
                    os.close(w.fd)
                    w.fd = None
            for w in batch:
                folder = w.filing.path.parent
                first = unique_path(folder, w.stem, w.suffix)
                w.filing.path = _named(folder, w.stem, w.suffix, first, partial(link_new, w.tmp))
        finally:
            self._discard(batch)

    def _discard(self, batch: list[_Written]) -> None:
        for w in batch:
            if w.fd is not None:
                os.close(w.fd)
                w.fd = None
            if os.path.lexists(w.tmp):
                os.unlink(w.tmp)

    def _folder(self, customer: Customer, kind: Kind) -> Path:
        # Looked up once a run: finding the folder lists the customer's folder.
        key = (customer.key, kind)
        folder = self._folders.get(key)
        if folder is None:
            folder = self._folders[key] = kind_folder(self.ws, customer, kind)
        return folder


def _descriptors_to_spare() -> int:
    """How many temporary files a batch may hold open: a quarter of the process's
    limit of open files where the system has one."""
    try:
        import resource
    except ImportError:  # Windows: no such module, and thousands of descriptors
        return BATCH_FILES
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return BATCH_FILES if soft == resource.RLIM_INFINITY else max(1, soft // 4)


def remove_stale_temps_of(ws: Workspace, customers: Iterable[Customer]) -> int:
    """Remove the temporary files a crash left in the customers' OUT/ and IN/
    (only folder-kit's own, only those older than a run could still be using);
    returns how many went."""
    return sum(
        remove_stale_temps(kind_folder(ws, c, kind), older_than=STALE_TEMP_SECONDS)
        for c in customers
        for kind in ("out", "in")
    )
