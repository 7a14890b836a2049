"""The derived index: what the last scan saw, kept in SQLite in the workspace's
state folder (``state``), outside the workspace. It holds nothing the files do
not: delete it and the next scan rebuilds the same events. The one exception is
short-lived: a grade move whose note could not be written into the customer
folder yet (a full disk) waits here until a scan writes it, and a rebuild keeps it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from folder_kit.errors import FolderKitError, IndexStoreError, StateDiskFullError
from folder_kit.terms import WRITTEN_KINDS, WRITTEN_MEDIA
from folder_kit.timeline import event_json
from folder_kit.timeline.instants import STAMP_SQL, Zone, day_of, text_in
from folder_kit.timeline.state import INDEX_FILE, local_state_dir
from folder_kit.workspace.contact import CONTACT_FILE, normal_address
from folder_kit.workspace.customers import printable
from folder_kit.workspace.history import HISTORY_FILE

if TYPE_CHECKING:
    from folder_kit.timeline.reader import GradeMove
    from folder_kit.workspace.layout import Grade

SCHEMA_VERSION = "12"
# A file row of something sent in writing, with WRITTEN_MEDIA then WRITTEN_KINDS
# as its parameters.
_WRITTEN = (
    f"((kind = 'out' AND medium IN ({', '.join('?' * len(WRITTEN_MEDIA))})) "
    f"OR kind IN ({', '.join('?' * len(WRITTEN_KINDS))}))"
)
# The page cache of a new index's first transaction (a rebuild). Bounded: a cold
# scan appends its rows in key order, so a page it lets go of is full and seldom
# written again; 128 MiB held the whole index (110 MB, and as much resident, at
# 30,000 customers); at 10,000 customers 16 MiB wrote a third more pages
# (pwrite64: 18,171 -> 24,215, 10 ms of system time), this is between.
WRITER_CACHE_KIB = 32 * 1024

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE customers(
    key TEXT PRIMARY KEY,          -- the customer folder name, NFC
    name TEXT NOT NULL,            -- the folder name as on disk
    grade TEXT NOT NULL,
    grade_folder TEXT NOT NULL,    -- the grade folder's name, as on disk
    mtime_ns INTEGER NOT NULL,     -- of the customer folder; 0 = look inside next time
    dirs TEXT NOT NULL,            -- its folders and their mtimes (pack_dirs), one row to load
    card_size INTEGER,             -- Contact.txt as last read; NULL when there is none
    card_mtime_ns INTEGER,
    company TEXT,                  -- the real name, from Contact.txt
    country TEXT,                  -- the primary contact's country, as typed there
    people TEXT                    -- the contacts' names there, one a line; NULL: none
) WITHOUT ROWID;
CREATE TABLE files(
    customer TEXT NOT NULL,
    rel TEXT NOT NULL,             -- path inside the customer folder: OUT/x.eml
    dir TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    kind TEXT NOT NULL,            -- out in quote pi order card, or history
    date TEXT NOT NULL,            -- ISO: a day, or a time with the offset it was given in
    day TEXT NOT NULL,             -- the user's day (instants.py)
    at INTEGER,                    -- the instant, seconds since the epoch; NULL: a day alone
    date_source TEXT NOT NULL,
    medium TEXT,
    topic TEXT,
    subject TEXT,
    message_id TEXT,               -- a mail's key (mail.message_key); NULL for other files
    PRIMARY KEY(customer, rel)
) WITHOUT ROWID;
-- What every scan looks at even in unchanged folders: Contact.txt, the grade
-- history, and files dated by their mtime.
CREATE INDEX files_history ON files(customer) WHERE rel = '.folder-kit-grades.txt';
CREATE INDEX files_mtime_dated ON files(customer) WHERE date_source = 'mtime' AND dir != '';
CREATE INDEX files_card ON files(customer) WHERE rel = 'Contact.txt';
CREATE TABLE grades(
    customer TEXT NOT NULL,
    seq INTEGER NOT NULL,
    date TEXT NOT NULL,
    day TEXT NOT NULL,
    at INTEGER NOT NULL,
    from_grade TEXT NOT NULL,
    to_grade TEXT NOT NULL,
    PRIMARY KEY(customer, seq)
) WITHOUT ROWID;
CREATE TABLE warnings(
    key TEXT PRIMARY KEY,          -- workspace-relative path the warning is about
    customer TEXT NOT NULL,        -- '' for the workspace itself
    dir TEXT NOT NULL,             -- the folder whose listing raised it; '' for the customer's own
    message TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX warnings_by_folder ON warnings(customer, dir);
-- Every e-mail address in each customer's Contact.txt (contact.card_addresses).
CREATE TABLE addresses(
    address TEXT NOT NULL,
    customer TEXT NOT NULL,
    PRIMARY KEY(address, customer)
) WITHOUT ROWID;
CREATE INDEX addresses_by_customer ON addresses(customer);
-- Each customer's Contact.txt as folder-kit first saw it (contact.card_digest): a
-- card event is a change after that, so a copied workspace shows none. Known
-- nowhere else: a rebuild keeps it.
CREATE TABLE cards_seen(
    customer TEXT PRIMARY KEY,
    digest TEXT NOT NULL
) WITHOUT ROWID;
-- Grade moves noticed whose note (.folder-kit-grades.txt) could not be written yet,
-- in order: every scan tries again, and a rebuild keeps them.
CREATE TABLE pending_grades(
    customer TEXT NOT NULL,
    seq INTEGER NOT NULL,
    date TEXT NOT NULL,            -- when the move was noticed, as the note will say
    from_grade TEXT NOT NULL,
    to_grade TEXT NOT NULL,
    PRIMARY KEY(customer, seq)
) WITHOUT ROWID;
"""


# The rows as the index hands them out: NamedTuples, cheap to build by the ten
# thousand (what the scan writes in bulk is plain tuples: FileValues below).


class FileRow(NamedTuple):
    customer: str
    rel: str
    dir: str
    size: int
    mtime_ns: int
    kind: str
    date: str
    day: str
    at: int | None
    date_source: str
    medium: str | None
    topic: str | None
    subject: str | None
    message_id: str | None = None


# A file row as the cold scan makes it: a plain tuple in FileRow's order (a
# NamedTuple pickles as its class and a call to it, and a scan's rows come back
# from worker processes pickled).
FileValues = tuple[
    str,
    str,
    str,
    int,
    int,
    str,
    str,
    str,
    int | None,
    str,
    str | None,
    str | None,
    str | None,
    str | None,
]


class GradeRow(NamedTuple):
    customer: str
    seq: int
    date: str
    day: str
    at: int
    from_grade: str
    to_grade: str


class PendingGrade(NamedTuple):
    """A grade move waiting for its note, with where its customer is now (``name``
    None: the customer is gone) and what the index knows of its note."""

    customer: str
    date: str
    from_grade: Grade
    to_grade: Grade
    name: str | None
    grade: Grade | None
    grade_folder: str | None
    history: tuple[int, int] | None  # the note as last read: size, mtime_ns
    grade_count: int


class CustomerRow(NamedTuple):
    key: str
    name: str
    grade: str
    grade_folder: str
    mtime_ns: int
    dirs: str = ""
    card_size: int | None = None
    card_mtime_ns: int | None = None
    company: str | None = None
    country: str | None = None
    people: str | None = None  # the contacts' names, one a line


# A customer's row as the no-change check reads it: key, name, grade, grade folder,
# mtime_ns, dirs, card size, card mtime_ns (CustomerRow's first eight, a plain tuple).
CheckRow = tuple[str, str, str, str, int, str, int | None, int | None]


class ShownFile(NamedTuple):
    """A file row as its event shows it: without the stamp (size, mtime) that
    changes when a file is read again without its event changing."""

    customer: str
    rel: str
    kind: str
    date: str
    day: str
    at: int | None
    date_source: str
    medium: str | None
    topic: str | None
    subject: str | None


class Diff(NamedTuple):
    """What changed in the index since a ``Snapshot``: rows new and rows gone (a
    row whose content changed is both), and the customers' rows after and before."""

    new_files: list[ShownFile]
    gone_files: list[ShownFile]
    new_grades: list[GradeRow]
    gone_grades: list[GradeRow]
    customers_now: dict[str, CustomerRow]
    customers_then: dict[str, CustomerRow]


class LastContact(NamedTuple):
    """A customer and the day of its latest contact, as `customer list` shows them."""

    name: str  # the folder name as on disk
    grade: str
    grade_folder: str
    company: str | None
    day: str | None


class CustomerGrade(NamedTuple):
    key: str
    name: str
    grade: str
    grade_folder: str


class Latest(NamedTuple):
    """A customer's latest contact (in the order of ``instants.stamp``) on or before a day."""

    customer: str
    day: str
    date: str
    kind: str
    medium: str | None
    topic: str | None
    rel: str
    out_lines: str | None  # its `out` events, see ``outs``; None when it has none
    subject: str | None = None  # a mail's subject, as read

    def outs(self) -> list[Out]:
        """Its `out` events, oldest first (by stamp, then path)."""
        if not self.out_lines:
            return []
        outs = []
        for line in self.out_lines.split("\n"):
            stamp, _, rest = line.partition("\t")
            rel, _, topic = rest.partition("\t")
            outs.append((stamp, rel, topic))
        outs.sort()
        return [Out(stamp[:10], stamp, topic or None) for stamp, _, topic in outs]


class Out(NamedTuple):
    """An `out` event as the topic choice reads it."""

    day: str
    stamp: str  # instants.stamp
    topic: str | None


class LastSent(NamedTuple):
    """What was last sent to a customer in writing (``terms.WRITTEN_MEDIA``)."""

    customer: str
    day: str
    rel: str
    subject: str | None
    kind: str
    medium: str | None


class Bound(NamedTuple):
    """The first or last event of some kinds, as ``kind_bounds`` finds it."""

    stamp: str  # instants.stamp: what orders events, and what ``later_stamp`` compares
    kind: str
    rel: str  # inside the customer folder

    @property
    def day(self) -> str:
        return self.stamp[:10]


class KindBounds(NamedTuple):
    """A customer's contacts in brief: what the follow-up facts rest on."""

    customer: str
    first_in: Bound | None
    last_in: Bound | None
    first_order: Bound | None
    last_order: Bound | None
    first_offer: Bound | None  # a quote or a PI
    last_offer: Bound | None
    first_out: Bound | None
    last_day: str | None  # of its latest contact
    out_stamps: tuple[str, ...]  # ``instants.stamp`` of each `out`, in no order


class ContactRow(NamedTuple):
    """An event but a card, as the follow-up checks read it."""

    customer: str
    kind: str
    day: str
    date: str
    medium: str | None
    topic: str | None
    rel: str
    subject: str | None
    stamp: str


class Counts(NamedTuple):
    customers: int
    files: int
    events: int


class WarningRow(NamedTuple):
    key: str  # workspace-relative path the warning is about
    customer: str  # "" for the workspace itself
    dir: str  # the folder whose listing raised it; "" for the customer's own
    message: str


@dataclass
class Changes:
    """What a scan found to write: deletions, then rows, applied by ``Index.write``."""

    customers: list[CustomerRow] = field(default_factory=list)
    gone_customers: list[str] = field(default_factory=list)
    gone_dirs: list[tuple[str, str]] = field(default_factory=list)  # customer, folder
    files: list[FileValues] = field(default_factory=list)
    gone_files: list[tuple[str, str]] = field(default_factory=list)  # customer, rel
    grades: dict[str, list[GradeRow]] = field(default_factory=dict)  # all of a customer's
    warnings: list[WarningRow] = field(default_factory=list)
    addresses: dict[str, tuple[str, ...]] = field(default_factory=dict)  # all of a customer's
    seen: dict[str, str] = field(default_factory=dict)  # cards seen the first time: digests
    cleared: list[tuple[str, str]] = field(default_factory=list)  # customer, dir
    # Customers whose folder was listed and holds no drafts folder (草稿/): no draft
    # there for ``sent_drafts`` to look for (not written).
    no_drafts: list[str] = field(default_factory=list)
    placeholders: int = 0  # online-only mails dated without opening (not written)
    moves: list[GradeMove] = field(default_factory=list)  # to note in the folders (not written)


class Index:
    """One workspace's index. Use as a context manager; writes happen in ``transaction``."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, new: bool = False) -> None:
        self.path = path
        self.conn = conn
        self.new = new  # made by this open: its first transaction writes every row
        self._file = _file_id(path)  # the file opened, to tell it from one made anew

    def intact(self) -> bool:
        """Whether the file at ``path`` is still the one this index has open: not so
        once the state folder was deleted (a process holding it open goes on writing
        into a file nobody else reads) or the index deleted and made anew."""
        return self._file is not None and _file_id(self.path) == self._file

    def data_version(self) -> int:
        """A number that changes whenever another connection (a scan, the watcher)
        has committed to the index since this one last asked (SQLite's
        ``data_version``): what an answer kept for later depends on."""
        try:
            return int(self.conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error as e:
            raise _store_error(self.path, e) from e

    @classmethod
    def open(cls, root: Path, *, rebuild: bool = False) -> Index:
        """Open (or make) the workspace's index. Opening is done under a lock of its
        own, so that a command never sees another one's half-made index; and only a
        database proven unusable (not a database, damaged, another schema) is
        replaced, never one that is merely busy."""
        folder = local_state_dir(root)
        path = folder / INDEX_FILE
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with _opening(folder):
                pending, seen = _kept_rows(path) if rebuild else ([], [])
                if rebuild:
                    _remove_database(path)
                conn = _connect_usable(path)
                if conn is None:  # derived data: start afresh
                    _remove_database(path)
                    conn = _connect(path)
                try:
                    new = _fresh(conn)
                    if new:
                        _create(conn, root, pending, seen)
                except BaseException:
                    conn.close()
                    raise
        except (sqlite3.Error, OSError) as e:
            raise _store_error(path, e) from e
        return cls(path, conn, new=new)

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that holds the write lock from its start: what is read
        in it stays true until it commits, even with a second scan running (which
        waits for it, up to the connection's timeout)."""
        try:
            if self.new:
                # A larger page cache for a new index's first transaction (a
                # rebuild, a first scan): with SQLite's default 2 MB, a cold scan
                # of 110,000 files spilled into the WAL and wrote each page about
                # 5.5 times. Memory is taken as pages are used, up to this (KiB).
                # Not for an incremental scan, which writes little and would only
                # keep more of what it read.
                self.conn.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise _store_error(self.path, e) from e
        try:
            yield self.conn
        except BaseException as e:
            self.conn.rollback()
            if isinstance(e, (sqlite3.Error, OSError)) and _full(e):
                raise _store_error(self.path, e) from e
            raise
        try:
            self.conn.commit()
        except sqlite3.Error as e:
            raise _store_error(self.path, e) from e

    def write_out(self) -> None:
        """Move what the last transactions wrote from SQLite's log into the index file,
        as closing the last connection does, but with an error when the disk cannot
        take it: closing says nothing, and the next command then finds a full disk.
        PASSIVE: it waits for no other connection (a watcher's), and leaves to them
        what they are reading."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as e:
            raise _store_error(self.path, e) from e

    # What the last scan saw.

    def customers(self) -> dict[str, CustomerRow]:
        rows = self.conn.execute(
            "SELECT key, name, grade, grade_folder, mtime_ns, dirs, card_size, card_mtime_ns, "
            "company, country, people FROM customers"
        )
        return {r[0]: CustomerRow._make(r) for r in rows}

    def check_rows(self) -> list[CheckRow]:
        """What the no-change check asks of every customer (``walk._untouched``)."""
        return self.conn.execute(
            "SELECT key, name, grade, grade_folder, mtime_ns, dirs, card_size, card_mtime_ns "
            "FROM customers"
        ).fetchall()

    def customers_of(self, keys: Collection[str]) -> dict[str, CustomerRow]:
        """The rows of the customers ``keys``, by key (``customers``' of a few)."""
        out: dict[str, CustomerRow] = {}
        wanted = list(keys)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.conn.execute(
                f"SELECT {_CUSTOMER_COLUMNS} FROM customers "
                f"WHERE key IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            out.update((r[0], CustomerRow._make(r)) for r in rows)
        return out

    def customer_places(self, keys: Collection[str]) -> dict[str, tuple[str, str]]:
        """Where each customer of ``keys`` is: its grade folder and folder name."""
        out: dict[str, tuple[str, str]] = {}
        wanted = list(keys)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.conn.execute(
                "SELECT key, grade_folder, name FROM customers "
                f"WHERE key IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            out.update((key, (grade_folder, name)) for key, grade_folder, name in rows)
        return out

    def grade_folders(self) -> dict[str, int]:
        """The grade folders' mtimes at the last scan (0: list it next time)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'grade_folders'").fetchone()
        return unpack_dirs(row[0]) if row else {}

    def grades(self) -> list[GradeRow]:
        """Every grade move, by customer and in its note's order."""
        rows = self.conn.execute("SELECT * FROM grades ORDER BY customer, seq")
        return [GradeRow._make(r) for r in rows]

    def timeline_rows(
        self, base: str, customer: str | None = None
    ) -> list[tuple[str, str, str, str, str, str, str | None, str | None, str, str | None,
                    str | None, str | None, str]]:  # fmt: skip
        """Every event of one customer (or of all) in the field order of ``events.Event``:
        (customer, grade, kind, date, day, date_source, medium, topic, path, subject,
        from, to, stamp), files first, then grade moves in their note's order; ``base`` is
        the customers folder's name. Joined and given their paths here, not in Python."""
        where, params = "", [base]
        if customer is not None:
            where, params = " AND c.key = ?", [base, customer]
        files = self.conn.execute(
            "SELECT c.key, c.grade, f.kind, f.date, f.day, f.date_source, f.medium, f.topic,"
            " ? || '/' || c.grade_folder || '/' || c.name || '/' || f.rel, f.subject, NULL, NULL,"
            f" {STAMP_SQL} FROM files f JOIN customers c ON c.key = f.customer"
            " WHERE f.kind != 'history'" + where,
            params,
        ).fetchall()
        grades = self.conn.execute(
            "SELECT c.key, c.grade, 'grade', g.date, g.day, 'mtime', NULL, NULL,"
            " ? || '/' || c.grade_folder || '/' || c.name, NULL, g.from_grade, g.to_grade,"
            f" {STAMP_SQL} FROM grades g JOIN customers c ON c.key = g.customer"
            " WHERE 1" + where + " ORDER BY g.customer, g.seq",
            params,
        ).fetchall()
        return files + grades

    def timeline_json(self, base: str, customer: str | None = None) -> Iterator[bytes]:
        """Every event of one customer (or of all), oldest first, each as the UTF-8
        of ``json.dumps(event.as_json(), ensure_ascii=False, indent=2)`` inside a
        list (indented two more spaces): the one writer of an event list as JSON.

        Written by SQLite rather than made into rows, then events, then dicts, then
        JSON in Python: 110,000 events in 0.28 s instead of 0.75 s (the part of each
        customer is made once, not once per file). Where this SQLite's json_quote
        does not quote as Python's json does (SQLite's JSON has changed between
        versions), or it has none, the same SQL runs with Python's quoting.
        Sorted as ``events.load_events`` sorts: by stamp, customer, then path, which
        within a customer is the order of the path inside its folder; grade moves of
        one moment in their note's order. Sorted by SQLite, whose sorter spills to a
        temporary file, and handed out a batch at a time: memory stays flat in the
        number of events (sorted in Python, 330,000 events held 212 MiB). Nothing
        else may use the connection until the events are all taken.
        """
        if not self._quotes_as_python():
            self.conn.create_function("json_quote", 1, _json_quote, deterministic=True)
        sql = _timeline_json_sql(event_json.MEMBERS, keyed=customer is not None)
        # As bytes: no text decoded into str only to be encoded again for output.
        # (UTF-8 sorts as its code points do, and SQLite compares text as memcmp,
        # as Python compares bytes: the order is the same.)
        self.conn.text_factory = bytes
        try:
            rows = self.conn.execute(sql + " ORDER BY 1, 2", {"base": base, "customer": customer})
            while batch := rows.fetchmany(_BATCH):
                yield from map(_second, batch)
        finally:
            self.conn.text_factory = str

    def _quotes_as_python(self) -> bool:
        """Whether json_quote writes every character as ``json.dumps(...,
        ensure_ascii=False)`` does."""
        try:
            (quoted,) = self.conn.execute("SELECT json_quote(?)", (_QUOTE_PROBE,)).fetchone()
        except sqlite3.Error:
            return False
        return bool(quoted == json.dumps(_QUOTE_PROBE, ensure_ascii=False))

    def customer_last_contacts(self, kinds: Iterable[str]) -> list[LastContact]:
        """Every customer with the day of its latest contact of ``kinds`` (None when
        there is none), in the order of their keys."""
        wanted = tuple(kinds)
        marks = ",".join("?" * len(wanted))
        rows = self.conn.execute(
            "SELECT c.name, c.grade, c.grade_folder, c.company, l.day FROM customers c"
            f" LEFT JOIN (SELECT customer, MAX(day) AS day FROM files WHERE kind IN ({marks})"
            " GROUP BY customer) l ON l.customer = c.key ORDER BY c.key",
            wanted,
        )
        return list(map(_LAST_CONTACT, rows))

    # What the follow-up engine reads: aggregates in SQL, rows as NamedTuples.

    def customer_grades(self) -> list[CustomerGrade]:
        """Every customer's key, folder name, grade and grade folder."""
        rows = self.conn.execute("SELECT key, name, grade, grade_folder FROM customers")
        return list(map(_CUSTOMER_GRADE, rows))

    def latest_contacts(
        self, kinds: Iterable[str], *, until: str, customers: Collection[str] | None = None
    ) -> list[Latest]:
        """Per customer that has one (of those keyed in ``customers``, or of all), in
        one pass: its latest contact of ``kinds`` on or before the day ``until``, and
        its `out` events (``Latest.outs``)."""
        wanted = tuple(kinds)
        marks = ",".join("?" * len(wanted))
        # SQLite takes the bare columns from the row that holds MAX(stamp).
        # Each `out` as a "stamp TAB hex(rel) TAB topic" line, in no particular
        # order: sorted, they are in the order of ``events.load_events`` (by stamp,
        # then path; the path as hex, as a file name may hold a tab or a line
        # break, and UTF-8 sorts as its code points do).
        rows = self._of(
            f"SELECT customer, day, date, kind, medium, topic, rel, "
            f"group_concat(CASE WHEN kind = 'out' THEN {STAMP_SQL} || char(9) || hex(rel) || "
            f"char(9) || ifnull(topic, '') END, char(10)), subject, MAX({STAMP_SQL}) "
            f"FROM files WHERE kind IN ({marks}) AND day <= ?",
            (*wanted, until),
            customers,
            " GROUP BY customer",
        )
        return [_LATEST(r[:9]) for r in rows]

    def last_sent(self, *, until: str, customers: Collection[str] | None = None) -> list[LastSent]:
        """Per customer (of those keyed in ``customers``, or of all), what it was last
        sent in writing on or before the day ``until`` (what a self-check completes:
        ``terms.WRITTEN_MEDIA``, ``WRITTEN_KINDS``), last in the order of
        ``events.load_events``."""
        # SQLite takes the bare columns from the row that holds the MAX.
        rows = self._of(
            "SELECT customer, day, rel, subject, kind, medium, "
            f"MAX({STAMP_SQL} || char(9) || rel) FROM files WHERE {_WRITTEN} AND day <= ?",
            (*WRITTEN_MEDIA, *WRITTEN_KINDS, until),
            customers,
            " GROUP BY customer",
        )
        return [_LAST_SENT(r[:6]) for r in rows]

    def customers_of_address(self, address: str) -> list[str]:
        """The keys of the customers whose Contact.txt holds ``address`` (compared as
        ``contact.normal_address`` gives it), in key order."""
        rows = self.conn.execute(
            "SELECT customer FROM addresses WHERE address = ? ORDER BY customer",
            (normal_address(address),),
        )
        return [customer for (customer,) in rows]

    def card_addresses(self) -> list[tuple[str, str]]:
        """Every (address, customer key) the customers' cards hold: what mail is
        matched by, loaded once for a whole import."""
        return self.conn.execute("SELECT address, customer FROM addresses").fetchall()

    def filed_messages(self) -> list[tuple[str, str]]:
        """Every (mail key, customer key) of the mail filed in the customers' folders:
        what an import holds its messages against (already filed? a reply to one?),
        loaded once rather than asked per message and per reference."""
        return self.conn.execute(
            "SELECT message_id, customer FROM files WHERE message_id IS NOT NULL"
        ).fetchall()

    def has_message(self, customer: str, message_id: str) -> bool:
        """Whether a mail of this key (``mail.message_key``, or ``mail.message_key_of``
        the bytes) is filed already in the folders of the customer keyed ``customer``."""
        # Through the primary key's range of the customer (a few hundred rows): an
        # index of its own would cost a cold scan 3 % and the index a quarter more.
        row = self.conn.execute(
            "SELECT 1 FROM files WHERE customer = ? AND message_id = ? LIMIT 1",
            (customer, message_id),
        ).fetchone()
        return row is not None

    def countries(self) -> dict[str, str]:
        """The country each customer's card gives (as typed), by customer key."""
        rows = self.conn.execute("SELECT key, country FROM customers WHERE country IS NOT NULL")
        return dict(rows.fetchall())

    def kind_bounds(self, *, until: str) -> list[KindBounds]:
        """Per customer that has any, in one pass over its contacts on or before the
        day ``until``: its first and last reply, order and offer (quote or PI), its
        first `out`, the day of its latest contact and the stamp of every `out`."""

        def when(kinds: str) -> str:
            return f"CASE WHEN kind IN ({kinds}) THEN s || char(9) || kind || char(9) || rel END"

        reply, order, offer, out = (when(k) for k in ("'in'", "'order'", "'quote', 'pi'", "'out'"))
        # The stamp written once, in a subquery.
        rows = self.conn.execute(
            f"SELECT customer, MIN({reply}), MAX({reply}), MIN({order}), MAX({order}), "
            f"MIN({offer}), MAX({offer}), MIN({out}), MAX(day), "
            "group_concat(CASE WHEN kind = 'out' THEN s END, char(10)) FROM "
            f"(SELECT customer, kind, rel, day, {STAMP_SQL} AS s FROM files "
            "WHERE kind IN ('out', 'in', 'quote', 'pi', 'order') AND day <= ?) GROUP BY customer",
            (until,),
        )
        return [
            _KIND_BOUNDS(
                (
                    key,
                    *[_bound(b) if b is not None else None for b in bounds],
                    last_day,
                    tuple(stamps.split("\n")) if stamps else (),
                )
            )
            for key, *bounds, last_day, stamps in rows
        ]

    def event_total(self, *, until: str) -> int:
        """Events (cards aside) on or before the day ``until``."""
        files = self.conn.execute(
            "SELECT COUNT(*) FROM files WHERE kind NOT IN ('history', 'card') AND day <= ?",
            (until,),
        ).fetchone()[0]
        grades = self.conn.execute("SELECT COUNT(*) FROM grades WHERE day <= ?", (until,))
        total: int = files + grades.fetchone()[0]
        return total

    def contact_rows(
        self, *, until: str, customers: Collection[str] | None = None
    ) -> Iterator[ContactRow]:
        """Events but cards, on or before ``until``, by customer and oldest first; of
        the customers keyed in ``customers`` only, or of everyone. As they come from
        the cursor: nothing else may use the connection until they are all taken."""
        sql = (
            f"SELECT customer, kind, day, date, medium, topic, rel, subject, {STAMP_SQL} AS s "
            "FROM files WHERE kind NOT IN ('history', 'card') AND day <= ?"
        )
        return map(_CONTACT_ROW, self._of(sql, (until,), customers, " ORDER BY customer, s"))

    def _of(
        self, sql: str, params: tuple[str, ...], customers: Collection[str] | None, tail: str = ""
    ) -> Iterable[tuple[Any, ...]]:
        """The rows of ``sql`` (which ends in a WHERE clause) of the customers keyed in
        ``customers`` only, or of everyone; ``tail`` follows the WHERE clause. For
        everyone, the cursor itself: its rows become NamedTuples as they come, with
        no list of tuples between."""
        if customers is None:
            return self.conn.execute(sql + tail, params)
        # Sorted keys a chunk at a time (SQLite's limit on parameters): rows ordered
        # by customer stay so across the chunks.
        keys = sorted(set(customers))
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            query = f"{sql} AND customer IN ({marks}){tail}"
            rows += self.conn.execute(query, (*params, *chunk)).fetchall()
        return rows

    def counts(self) -> Counts:
        """How many customers, files and events the index holds: as the last scan
        kept them (``keep_counts``) when nothing was written since, else counted."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'counts'").fetchone()
        if row is not None:
            customers, files, events = map(int, row[0].split())
            return Counts(customers, files, events)
        return Index._count(self.conn)

    @staticmethod
    def keep_counts(conn: sqlite3.Connection) -> None:
        """Keep the counts for ``counts`` to answer without counting (counting reads
        every page of the files table: 13 ms at 110,000 files, a twentieth of a
        no-change scan). In the write transaction; ``write`` forgets them whenever
        it changes a counted row. (An older folder-kit writing the same index would
        not: its scan's summary could then be stale until the next change.)"""
        if conn.execute("SELECT 1 FROM meta WHERE key = 'counts'").fetchone() is not None:
            return
        counts = Index._count(conn)
        conn.execute(
            "INSERT OR REPLACE INTO meta VALUES ('counts', ?)", (" ".join(map(str, counts)),)
        )

    @staticmethod
    def _count(conn: sqlite3.Connection) -> Counts:
        customers = conn.execute("SELECT COUNT(*) FROM customers").fetchone()[0]
        # All rows less the history notes' (found by their partial index): 3 ms at
        # 110,000 files, where `kind != 'history'` reads every row (9 ms).
        (rows,) = conn.execute(
            "SELECT (SELECT COUNT(*) FROM files) - (SELECT COUNT(*) FROM files"
            " WHERE rel = ? AND kind = 'history')",
            (HISTORY_FILE,),
        ).fetchone()
        # Every Contact.txt read is a file; only one changed since first seen an event.
        (cards, card_events) = conn.execute(
            "SELECT (SELECT COUNT(*) FROM customers WHERE card_size IS NOT NULL),"
            f" (SELECT COUNT(*) FROM files WHERE rel = '{CONTACT_FILE}')"
        ).fetchone()
        grades = conn.execute("SELECT COUNT(*) FROM grades").fetchone()[0]
        return Counts(customers, rows - card_events + cards, rows + grades)

    def warnings(self) -> list[str]:
        return [m for (m,) in self.conn.execute("SELECT message FROM warnings ORDER BY key")]

    def has_customer_warnings(self) -> bool:
        """Whether a warning is about a customer (not about the workspace itself)."""
        row = self.conn.execute("SELECT EXISTS(SELECT 1 FROM warnings WHERE customer > '')")
        return bool(row.fetchone()[0])

    def warnings_by_key(self) -> dict[str, str]:
        """The scan's warnings, by the workspace-relative path each is about."""
        return dict(self.conn.execute("SELECT key, message FROM warnings"))

    # What changed since a moment: the watcher's report.

    def snapshot(self, keys: Sequence[str] | None = None) -> Snapshot:
        """The events of the customers keyed in ``keys`` (or of all), kept to tell
        later what changed (``changed_since``).

        Copied into temporary tables of this connection, keyed like the index's own
        tables, so that the comparison after is one lookup per row in SQLite
        instead of a copy of the index in Python and a sort of both sides. One
        snapshot at a time: taking one replaces the last.
        """
        conn = self.conn
        wanted = None if keys is None else tuple(dict.fromkeys(keys))
        for statement in _SNAPSHOT_TABLES:
            conn.execute(statement)
        conn.execute("BEGIN")  # one read snapshot for the copies
        try:
            for table in ("keys", "before_files", "before_grades", "before_customers"):
                conn.execute(f"DELETE FROM temp.{table}")
            if wanted is not None:
                conn.executemany("INSERT INTO temp.keys VALUES (?)", [(k,) for k in wanted])
            only, where = _snapshot_filters(wanted is not None)
            conn.execute(
                f"INSERT INTO temp.before_files SELECT {_SHOWN} FROM main.files "
                f"WHERE kind != 'history' {only('customer')}"
            )
            conn.execute(
                f"INSERT INTO temp.before_grades SELECT * FROM main.grades {where('customer')}"
            )
            conn.execute(
                f"INSERT INTO temp.before_customers SELECT {_CUSTOMER_COLUMNS} "
                f"FROM main.customers {where('key')}"
            )
        finally:
            conn.execute("COMMIT")
        return Snapshot(wanted)

    def changed_since(self, snapshot: Snapshot) -> Diff:
        """The rows added and dropped since ``snapshot``, which must be the last
        one taken on this index. An event is known by (customer key, path inside
        the customer folder) for a file and (customer, seq) for a grade change,
        so a customer regraded by hand keeps its files' identities."""
        conn = self.conn
        only, where = _snapshot_filters(snapshot.keys is not None)
        conn.execute("BEGIN")
        try:
            now = {
                r[0]: CustomerRow._make(r)
                for r in conn.execute(
                    f"SELECT {_CUSTOMER_COLUMNS} FROM main.customers {where('key')}"
                )
            }
            then = {
                r[0]: CustomerRow._make(r)
                for r in conn.execute(f"SELECT {_CUSTOMER_COLUMNS} FROM temp.before_customers")
            }
            new_files = conn.execute(
                f"SELECT {_SHOWN_M} FROM main.files m WHERE m.kind != 'history' "
                f"{only('m.customer')} "
                f"AND NOT EXISTS (SELECT 1 FROM temp.before_files b WHERE {_SAME_FILE})"
            ).fetchall()
            gone_files = conn.execute(
                "SELECT * FROM temp.before_files b WHERE NOT EXISTS (SELECT 1 FROM main.files m "
                f"WHERE m.kind != 'history' AND {_SAME_FILE})"
            ).fetchall()
            new_grades = conn.execute(
                f"SELECT m.* FROM main.grades m WHERE 1 {only('m.customer')} AND NOT EXISTS "
                f"(SELECT 1 FROM temp.before_grades b WHERE {_SAME_GRADE})"
            ).fetchall()
            gone_grades = conn.execute(
                "SELECT * FROM temp.before_grades b WHERE NOT EXISTS "
                f"(SELECT 1 FROM main.grades m WHERE {_SAME_GRADE})"
            ).fetchall()
        finally:
            conn.execute("COMMIT")
        return Diff(
            new_files=[ShownFile._make(r) for r in new_files],
            gone_files=[ShownFile._make(r) for r in gone_files],
            new_grades=[GradeRow._make(r) for r in new_grades],
            gone_grades=[GradeRow._make(r) for r in gone_grades],
            customers_now=now,
            customers_then=then,
        )

    # What a scan looks at even in unchanged folders (see scan.py, SOUNDNESS).

    def history_stamps(self) -> dict[str, tuple[int, int]]:
        """Each customer's grade history file as last read: size, mtime_ns."""
        rows = self.conn.execute(
            "SELECT customer, size, mtime_ns FROM files WHERE rel = ?", (HISTORY_FILE,)
        )
        return {customer: (size, mtime_ns) for customer, size, mtime_ns in rows}

    def mtime_dated(self) -> dict[str, dict[str, list[tuple[str, int, int]]]]:
        """Files dated by their mtime, by customer and folder: (rel, size, mtime_ns)."""
        dated: dict[str, dict[str, list[tuple[str, int, int]]]] = {}
        for customer, folder, rel, size, mtime_ns in self.conn.execute(
            "SELECT customer, dir, rel, size, mtime_ns FROM files "
            "WHERE date_source = 'mtime' AND dir != ''"
        ):
            dated.setdefault(customer, {}).setdefault(folder, []).append((rel, size, mtime_ns))
        return dated

    def cards_seen(self) -> dict[str, str]:
        """Each customer's card as first seen (``contact.card_digest``), by key."""
        return dict(self.conn.execute("SELECT customer, digest FROM cards_seen"))

    def card_events(self) -> set[str]:
        """The keys of the customers whose card is an event now (changed since seen)."""
        # The name written out, so that SQLite reads the partial index files_card.
        rows = self.conn.execute(f"SELECT customer FROM files WHERE rel = '{CONTACT_FILE}'")
        return {customer for (customer,) in rows}

    def grade_counts(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT customer, COUNT(*) FROM grades GROUP BY customer"))

    def pending_grades(self) -> list[PendingGrade]:
        """The grade moves whose note is still to write, oldest first per customer."""
        rows = self.conn.execute(
            "SELECT p.customer, p.date, p.from_grade, p.to_grade, c.name, c.grade, "
            "c.grade_folder, h.size, h.mtime_ns, "
            "(SELECT COUNT(*) FROM grades g WHERE g.customer = p.customer) "
            "FROM pending_grades p LEFT JOIN customers c ON c.key = p.customer "
            "LEFT JOIN files h ON h.customer = p.customer AND h.rel = ? "
            "ORDER BY p.customer, p.seq",
            (HISTORY_FILE,),
        )
        return [
            PendingGrade(key, date, src, dst, name, grade, folder,
                         None if size is None else (size, mtime_ns), count)
            for key, date, src, dst, name, grade, folder, size, mtime_ns, count in rows
        ]  # fmt: skip

    def files_in(self, customer: str, folder: str) -> dict[str, tuple[int, int]]:
        """The files of one folder of a customer as last read: size, mtime_ns by rel."""
        # A range of the primary key (rel starts with "<folder>/"), no second index to keep.
        rows = self.conn.execute(
            "SELECT rel, size, mtime_ns FROM files "
            "WHERE customer = ? AND rel > ? AND rel < ? AND dir = ?",
            (customer, folder + "/", folder + "0", folder),
        )
        return {rel: (size, mtime_ns) for rel, size, mtime_ns in rows}

    # Writes, inside ``transaction``.

    @staticmethod
    def write(conn: sqlite3.Connection, c: Changes) -> None:
        """Apply what a batch of a scan found: deletions first, then new rows."""
        conn.executemany("DELETE FROM warnings WHERE customer = ? AND dir = ?", c.cleared)
        before = conn.total_changes  # of the counted rows (customers, files, grades)
        for key in c.gone_customers:
            for table in (
                "files",
                "grades",
                "warnings",
                "addresses",
                "pending_grades",
                "cards_seen",
            ):
                conn.execute(f"DELETE FROM {table} WHERE customer = ?", (key,))
            conn.execute("DELETE FROM customers WHERE key = ?", (key,))
        conn.executemany("DELETE FROM files WHERE customer = ? AND rel = ?", c.gone_files)
        for key, rel in c.gone_dirs:
            conn.execute(
                "DELETE FROM files WHERE customer = ? AND rel > ? AND rel < ? AND dir = ?",
                (key, rel + "/", rel + "0", rel),
            )
            conn.execute("DELETE FROM warnings WHERE customer = ? AND dir = ?", (key, rel))
        conn.executemany(
            "INSERT OR REPLACE INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", c.customers
        )
        conn.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            c.files,
        )
        for key, rows in c.grades.items():
            conn.execute("DELETE FROM grades WHERE customer = ?", (key,))
            conn.executemany("INSERT INTO grades VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        if conn.total_changes != before:
            conn.execute("DELETE FROM meta WHERE key = 'counts'")  # counted again when asked
        if c.addresses:
            # Two statements a batch, not two a customer: a cold scan reads every card.
            conn.executemany(
                "DELETE FROM addresses WHERE customer = ?", [(key,) for key in c.addresses]
            )
            conn.executemany(
                "INSERT INTO addresses VALUES (?, ?)",
                [(a, key) for key, addresses in c.addresses.items() for a in addresses],
            )
        conn.executemany("INSERT OR REPLACE INTO warnings VALUES (?, ?, ?, ?)", c.warnings)
        conn.executemany("INSERT OR IGNORE INTO cards_seen VALUES (?, ?)", c.seen.items())

    @staticmethod
    def rezone(conn: sqlite3.Connection, zone_id: str, zone: Zone) -> bool:
        """Make the days of every event the days of the user's zone ``zone`` (known
        by ``instants.zone_id`` as ``zone_id``), if the index holds those of another:
        each timed event's day, and the date text of a file dated by its mtime (in
        the user's zone), from the instants held (no file is read again), so that a
        scan after a change of zone gives what a rebuild does. Returns whether
        anything was recomputed."""
        row = conn.execute("SELECT value FROM meta WHERE key = 'zone'").fetchone()
        if row is not None and row[0] == zone_id:
            return False
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('zone', ?)", (zone_id,))
        if row is None and conn.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None:
            return False  # a new index: its rows are yet to be written
        files = conn.execute(
            "SELECT customer, rel, day, date, at, date_source FROM files WHERE at IS NOT NULL"
        ).fetchall()
        changed = []
        for customer, rel, day, date, at, source in files:
            new_day = day_of(at, zone)
            new_date = text_in(at, zone) if source == "mtime" else date
            if new_day != day or new_date != date:
                changed.append((new_day, new_date, customer, rel))
        conn.executemany(
            "UPDATE files SET day = ?, date = ? WHERE customer = ? AND rel = ?", changed
        )
        grades = conn.execute("SELECT customer, seq, day, at FROM grades").fetchall()
        conn.executemany(
            "UPDATE grades SET day = ? WHERE customer = ? AND seq = ?",
            [
                (new_day, customer, seq)
                for customer, seq, day, at in grades
                if (new_day := day_of(at, zone)) != day
            ],
        )
        return True

    @staticmethod
    def write_pending_grades(
        conn: sqlite3.Connection,
        customers: Iterable[str],
        rows: Sequence[tuple[str, str, str, str]],
    ) -> None:
        """What is still to note of these ``customers``' grade moves after the scan
        tried: ``rows`` (customer, date, from, to), in order. Their warnings about a
        note not written go too, wherever the customer was then: the scan writes
        those anew for what is still pending."""
        keys = [(key,) for key in customers]
        conn.executemany("DELETE FROM pending_grades WHERE customer = ?", keys)
        conn.executemany(
            "DELETE FROM warnings WHERE customer = ? AND dir = '' AND key LIKE ?",
            [(key, f"%/{HISTORY_FILE}") for (key,) in keys],
        )
        seq: dict[str, int] = {}
        for key, date, source, target in rows:
            seq[key] = seq.get(key, -1) + 1
            conn.execute(
                "INSERT INTO pending_grades VALUES (?, ?, ?, ?, ?)",
                (key, seq[key], date, source, target),
            )

    @staticmethod
    def write_grade_folders(conn: sqlite3.Connection, mtimes: dict[str, int]) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO meta VALUES ('grade_folders', ?)", (pack_dirs(mtimes),)
        )


_BATCH = 2000  # rows fetched at a time where they are streamed
_second = itemgetter(1)

# Rows made into NamedTuples by a C-level constructor: no Python call per row.
_LAST_CONTACT = partial(tuple.__new__, LastContact)
_CUSTOMER_GRADE = partial(tuple.__new__, CustomerGrade)
_LATEST = partial(tuple.__new__, Latest)
_LAST_SENT = partial(tuple.__new__, LastSent)
_KIND_BOUNDS = partial(tuple.__new__, KindBounds)
_CONTACT_ROW = partial(tuple.__new__, ContactRow)
_BOUND = partial(tuple.__new__, Bound)


def _bound(text: str) -> Bound:
    """A "stamp TAB kind TAB rel" aggregate as a Bound."""
    return _BOUND(text.split("\t", 2))


@dataclass(frozen=True)
class Snapshot:
    """A moment ``Index.changed_since`` compares with: which customers it holds
    (None: all)."""

    keys: tuple[str, ...] | None


_CUSTOMER_COLUMNS = (
    "key, name, grade, grade_folder, mtime_ns, dirs, card_size, card_mtime_ns, company, country, "
    "people"
)
_SHOWN = ", ".join(ShownFile._fields)
_SHOWN_M = ", ".join(f"m.{c}" for c in ShownFile._fields)
_SNAPSHOT_TABLES = (
    "CREATE TEMP TABLE IF NOT EXISTS keys(key TEXT PRIMARY KEY)",
    "CREATE TEMP TABLE IF NOT EXISTS before_files(customer TEXT, rel TEXT, kind TEXT, "
    "date TEXT, day TEXT, at INTEGER, date_source TEXT, medium TEXT, topic TEXT, subject TEXT, "
    "PRIMARY KEY(customer, rel)) WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS before_grades(customer TEXT, seq INTEGER, "
    "date TEXT, day TEXT, at INTEGER, from_grade TEXT, to_grade TEXT, "
    "PRIMARY KEY(customer, seq)) "
    "WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS before_customers AS "
    f"SELECT {_CUSTOMER_COLUMNS} FROM main.customers WHERE 0",
)
# The same event before (b) and after (m): its identity, and all it shows (NULL-safe).
_SAME_FILE = (
    "b.customer = m.customer AND b.rel = m.rel AND b.kind = m.kind AND b.date = m.date "
    "AND b.day = m.day AND b.at IS m.at AND b.date_source = m.date_source AND b.medium IS m.medium "
    "AND b.topic IS m.topic AND b.subject IS m.subject"
)
_SAME_GRADE = (
    "b.customer = m.customer AND b.seq = m.seq AND b.date = m.date AND b.day = m.day "
    "AND b.at = m.at "
    "AND b.from_grade = m.from_grade AND b.to_grade = m.to_grade"
)


def _snapshot_filters(keyed: bool) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """SQL that keeps the snapshot's customers only: as a further condition, and as
    a whole WHERE clause."""
    if not keyed:
        return (lambda column: ""), (lambda column: "")
    return (
        lambda column: f"AND {column} IN (SELECT key FROM temp.keys)",
        lambda column: f"WHERE {column} IN (SELECT key FROM temp.keys)",
    )


@lru_cache(maxsize=4)
def _timeline_json_sql(members: tuple[event_json.Member, ...], *, keyed: bool) -> str:
    """Index.timeline_json's query for the event objects ``members`` define: made
    once per table (a test may put in another)."""
    return event_json.timeline_json_sql(members, stamp=STAMP_SQL, keyed=keyed)


def _json_quote(value: str | bytes | int | float | None) -> str:
    """SQLite's json_quote as Python's json writes it: a string quoted, NULL as null."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "surrogateescape")
    return json.dumps(value, ensure_ascii=False)


# Every ASCII character (the controls are where JSON writers differ), and some beyond.
_QUOTE_PROBE = "".join(map(chr, range(128))) + "é中\u2028\x85\U0001f600"


def pack_dirs(dirs: dict[str, int]) -> str:
    """A customer's folders and their mtimes as one string (JSON: any folder name
    survives), so one row per customer is all a scan loads."""
    return _DIRS_JSON.encode(dirs)


# One encoder for every customer's folders (``json.dumps`` with these options makes
# a new one each call: 2.7 -> 2.0 us a customer).
_DIRS_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def unpack_dirs(text: str) -> dict[str, int]:
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def _connect(path: Path) -> sqlite3.Connection:
    # Transactions are begun by hand (Index.transaction), not by the module.
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    except BaseException:
        # A damaged file fails here. Closed at once, not when the collector gets to
        # it: Windows cannot delete a file that is still open, and the caller is
        # about to delete this one and make it anew.
        conn.close()
        raise
    return conn


def _connect_usable(path: Path) -> sqlite3.Connection | None:
    """A connection to the index at ``path`` (new and empty, or of this schema), or
    None when the file there is proven unusable. Busy and locked are not proof:
    they are raised, for the caller to report."""
    try:
        conn = _connect(path)
    except sqlite3.OperationalError as e:
        if _busy(e) or _full(e):
            raise
        return None
    except sqlite3.DatabaseError:  # "file is not a database", "malformed"
        return None
    try:
        if _fresh(conn):
            return conn
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.OperationalError as e:
        conn.close()
        if _busy(e) or _full(e):
            raise
        return None  # "no such table": not our schema
    except sqlite3.DatabaseError:
        conn.close()
        return None
    if row is not None and row[0] == SCHEMA_VERSION:
        return conn
    conn.close()
    return None


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _busy(e: sqlite3.OperationalError) -> bool:
    text = str(e)
    return "locked" in text or "busy" in text


def _full(e: BaseException) -> bool:
    """Whether ``e`` says the disk is full (the state folder's, for the index)."""
    if isinstance(e, sqlite3.Error):
        return getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return isinstance(e, OSError) and e.errno == errno.ENOSPC


def _store_error(path: Path, e: sqlite3.Error | OSError) -> FolderKitError:
    """What a failed open or write of the index at ``path`` tells the user."""
    if _full(e):
        return StateDiskFullError(path=path.parent)
    reason = (e.strerror if isinstance(e, OSError) else None) or str(e)
    return IndexStoreError(path=path, reason=reason)


@contextlib.contextmanager
def _opening(folder: Path) -> Iterator[None]:
    """Held while an index is checked, replaced or made: one command at a time.

    An OS lock on a file of its own, so that it dies with the process that held it.
    """
    fd = os.open(folder / "index.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    continue
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


Rows = list[tuple[object, ...]]


def _kept_rows(path: Path) -> tuple[Rows, Rows]:
    """The grade moves an index still has to note, and the cards as it first saw
    them, read before a rebuild replaces it: they are known nowhere else (an
    unusable index has none to give)."""
    if not path.exists():
        return [], []
    try:
        conn = _connect_usable(path)
    except sqlite3.Error:
        return [], []
    if conn is None:
        return [], []
    try:
        return (
            conn.execute("SELECT * FROM pending_grades").fetchall(),
            conn.execute("SELECT * FROM cards_seen").fetchall(),
        )
    except sqlite3.Error:
        return [], []
    finally:
        conn.close()


def _create(
    conn: sqlite3.Connection,
    root: Path,
    pending: Sequence[tuple[object, ...]] = (),
    seen: Sequence[tuple[object, ...]] = (),
) -> None:
    """The schema, made once even when two commands open a new index at once, with
    the ``pending`` grade moves an index it replaces still had to note and the
    cards it had ``seen``."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if _fresh(conn):
            statement = ""
            for line in _SCHEMA.splitlines(keepends=True):
                statement += line
                if sqlite3.complete_statement(statement):
                    conn.execute(statement)
                    statement = ""
            conn.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("schema", SCHEMA_VERSION),
                    ("workspace", printable(str(root))),
                    ("created", _now()),
                ],
            )
            conn.executemany("INSERT INTO pending_grades VALUES (?, ?, ?, ?, ?)", pending)
            conn.executemany("INSERT INTO cards_seen VALUES (?, ?)", seen)
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def _fresh(conn: sqlite3.Connection) -> bool:
    count: int = conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
    return count == 0


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
