"""What mail imports and syncs saw that no customer claimed: the correspondents of
unmatched mail, for `mail unmatched`; and how far each IMAP folder was synced.

Kept in the workspace's state folder beside the index, in a database of its own:
unlike the index it is not derived from the files (a rebuilt index must not lose
it), yet nothing is lost with it either, since the next import or sync of the
same mail records it again. One row per correspondent and message, so that
importing the same source twice counts each message once.

For `mail sync`, per account and folder: the folder's UIDVALIDITY and the last
UID read (a mark), and the envelope of every message there that matched no
customer (held), so that when a card later claims it, the next sync fetches and
files just that message. A folder's mark, its held messages and their
sightings change together, in one transaction.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from folder_kit.errors import IndexStoreError
from folder_kit.timeline.state import local_state_dir

__all__ = [
    "UNMATCHED_FILE",
    "FolderMark",
    "FolderUpdate",
    "Held",
    "Sighting",
    "forget_sightings",
    "forget_sync_state",
    "last_syncs",
    "mark_synced",
    "read_sightings",
    "read_sync_state",
    "record_sightings",
    "save_folder_update",
]

UNMATCHED_FILE = "unmatched.sqlite"
_SCHEMA_VERSION = "2"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS seen("
    " address TEXT NOT NULL,"  # normalised, as matching compares it
    " message_id TEXT NOT NULL,"  # the mail's key (timeline.mail.message_key)
    " day TEXT NOT NULL,"  # YYYY-MM-DD, the day the scan would read from the mail
    " subject TEXT NOT NULL,"
    " PRIMARY KEY(address, message_id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS seen_by_message ON seen(message_id)",
    "CREATE TABLE IF NOT EXISTS folders("
    " account TEXT NOT NULL,"
    " folder TEXT NOT NULL,"
    " uidvalidity INTEGER NOT NULL,"
    " last_uid INTEGER NOT NULL,"  # every message up to it is filed, known or held
    " PRIMARY KEY(account, folder)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS held("
    " account TEXT NOT NULL,"
    " folder TEXT NOT NULL,"
    " uid INTEGER NOT NULL,"
    " message_id TEXT NOT NULL,"  # the mail's key; "" where it has no Message-ID
    " sender TEXT NOT NULL,"  # addresses, normalised, one per line
    " reply_to TEXT NOT NULL,"
    " recipients TEXT NOT NULL,"
    " refs TEXT NOT NULL,"  # mail keys it replies to, one per line
    " day TEXT NOT NULL,"
    " subject TEXT NOT NULL,"
    " PRIMARY KEY(account, folder, uid)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS accounts(account TEXT PRIMARY KEY, synced TEXT NOT NULL)",
)


class Sighting(NamedTuple):
    """One correspondent of one unmatched message."""

    address: str
    message_id: str
    day: str
    subject: str


class FolderMark(NamedTuple):
    """How far a folder was synced: what it was (UIDVALIDITY), and the last UID read."""

    uidvalidity: int
    last_uid: int


class Held(NamedTuple):
    """A message on the server that matched no customer: its envelope, to be decided again."""

    folder: str
    uid: int
    message_id: str  # the mail's key; "" where it has no Message-ID
    sender: tuple[str, ...]
    reply_to: tuple[str, ...]
    recipients: tuple[str, ...]
    references: tuple[str, ...]
    day: str
    subject: str


@dataclass
class FolderUpdate:
    """What one step of a folder's sync changes in the state, saved at once."""

    account: str
    folder: str
    mark: FolderMark | None = None  # the folder's new mark; None: as it was
    reset: bool = False  # its UIDVALIDITY changed: what was held of it goes
    held: list[Held] = field(default_factory=list)  # messages that matched nobody
    released: list[int] = field(default_factory=list)  # UIDs held no longer
    sightings: list[Sighting] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)  # keys filed (or known): no longer unmatched


@dataclass(frozen=True)
class SyncState:
    """What the state says of an account: each folder's mark, and the messages held."""

    marks: dict[str, FolderMark]
    held: list[Held]


def read_sync_state(root: Path, account: str) -> SyncState:
    """The account's marks and held messages; none while nothing was saved."""
    with _open(root, create=False) as conn:
        if conn is None:
            return SyncState({}, [])
        marks = {
            folder: FolderMark(uidvalidity, last_uid)
            for folder, uidvalidity, last_uid in conn.execute(
                "SELECT folder, uidvalidity, last_uid FROM folders WHERE account = ?", (account,)
            )
        }
        rows = conn.execute(
            "SELECT folder, uid, message_id, sender, reply_to, recipients, refs, day, subject"
            " FROM held WHERE account = ?",
            (account,),
        ).fetchall()
    held = [
        Held(folder, uid, key, _split(s), _split(r), _split(t), _split(refs), day, subject)
        for folder, uid, key, s, r, t, refs, day, subject in rows
    ]
    return SyncState(marks, held)


def save_folder_update(root: Path, update: FolderUpdate) -> None:
    """Save one step of a folder's sync, all of it or (an error) none of it."""
    u = update
    with _open(root, create=True) as conn:
        assert conn is not None
        conn.execute("BEGIN IMMEDIATE")
        if u.reset:
            conn.execute("DELETE FROM held WHERE account = ? AND folder = ?", (u.account, u.folder))
        if u.mark is not None:
            conn.execute(
                "INSERT OR REPLACE INTO folders VALUES (?, ?, ?, ?)",
                (u.account, u.folder, u.mark.uidvalidity, u.mark.last_uid),
            )
        conn.executemany(
            "DELETE FROM held WHERE account = ? AND folder = ? AND uid = ?",
            [(u.account, u.folder, uid) for uid in u.released],
        )
        conn.executemany(
            "INSERT OR REPLACE INTO held VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    u.account,
                    h.folder,
                    h.uid,
                    h.message_id,
                    _joined(h.sender),
                    _joined(h.reply_to),
                    _joined(h.recipients),
                    _joined(h.references),
                    h.day,
                    h.subject,
                )
                for h in u.held
            ],
        )
        conn.executemany("DELETE FROM seen WHERE message_id = ?", [(k,) for k in u.claimed])
        conn.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?)", u.sightings)
        conn.commit()


def mark_synced(root: Path, account: str, when: str) -> None:
    """Note that ``account`` synced through at ``when`` (`mail list`'s last_sync)."""
    with _open(root, create=True) as conn:
        assert conn is not None
        conn.execute("INSERT OR REPLACE INTO accounts VALUES (?, ?)", (account, when))


def last_syncs(root: Path) -> dict[str, str]:
    """When each account last synced through, by account name."""
    with _open(root, create=False) as conn:
        if conn is None:
            return {}
        return dict(conn.execute("SELECT account, synced FROM accounts").fetchall())


def forget_sync_state(root: Path, account: str) -> None:
    """Drop what the state says of an account (`mail remove`); its sightings stay."""
    with _open(root, create=False) as conn:
        if conn is None:
            return
        conn.execute("BEGIN IMMEDIATE")
        for table in ("folders", "held", "accounts"):
            conn.execute(f"DELETE FROM {table} WHERE account = ?", (account,))
        conn.commit()


def _joined(values: tuple[str, ...]) -> str:
    return "\n".join(values)


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


def record_sightings(root: Path, sightings: Iterable[Sighting]) -> None:
    """Add what an import saw unmatched (a message seen again replaces its rows)."""
    rows = list(sightings)
    if not rows:
        return
    with _open(root, create=True) as conn:
        assert conn is not None
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?)", rows)
        conn.commit()


def forget_sightings(root: Path, message_ids: Iterable[str]) -> None:
    """Drop the rows of messages that are filed now (a thread or a card claimed them)."""
    keys = [(k,) for k in set(message_ids)]
    if not keys:
        return
    with _open(root, create=False) as conn:
        if conn is None:
            return
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("DELETE FROM seen WHERE message_id = ?", keys)
        conn.commit()


def read_sightings(root: Path) -> list[Sighting]:
    """Everything recorded; none while nothing was (the state folder deleted, say)."""
    with _open(root, create=False) as conn:
        if conn is None:
            return []
        rows = conn.execute("SELECT address, message_id, day, subject FROM seen").fetchall()
    return [Sighting(*row) for row in rows]


@contextlib.contextmanager
def _open(root: Path, *, create: bool) -> Iterator[sqlite3.Connection | None]:
    folder = local_state_dir(root)
    path = folder / UNMATCHED_FILE
    if not create and not path.exists():
        yield None
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        conn = _connect_usable(path)
    except sqlite3.Error as e:
        raise IndexStoreError(path=path, reason=str(e)) from e
    except OSError as e:
        raise IndexStoreError(path=path, reason=e.strerror or str(e)) from e
    try:
        yield conn
    except sqlite3.Error as e:
        conn.rollback()
        raise IndexStoreError(path=path, reason=str(e)) from e
    finally:
        conn.close()


def _connect_usable(path: Path) -> sqlite3.Connection:
    """A connection to the store, made anew where the file there is not one of
    this schema (what it held is seen again by the next import)."""
    for attempt in (1, 2):
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (_SCHEMA_VERSION,))
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if row is not None and row[0] == _SCHEMA_VERSION:
                return conn
        except sqlite3.OperationalError as e:
            conn.close()
            if "locked" in str(e) or "busy" in str(e) or attempt == 2:
                raise
        except sqlite3.DatabaseError:
            conn.close()
            if attempt == 2:
                raise
        else:
            conn.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{path}{suffix}")
    raise AssertionError("unreachable")  # pragma: no cover
