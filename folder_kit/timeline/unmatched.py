"""What mail imports saw that no customer claimed: the correspondents of unmatched
mail, for `mail unmatched`.

Kept in the workspace's state folder beside the index, in a database of its own:
unlike the index it is not derived from the files (a rebuilt index must not lose
it), yet nothing is lost with it either, since the next import of the same mail
records it again. One row per correspondent and message, so that importing the
same source twice counts each message once.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from folder_kit.errors import IndexStoreError
from folder_kit.timeline.state import local_state_dir

__all__ = ["UNMATCHED_FILE", "Sighting", "forget_sightings", "read_sightings", "record_sightings"]

UNMATCHED_FILE = "unmatched.sqlite"
_SCHEMA_VERSION = "1"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS seen("
    " address TEXT NOT NULL,"  # normalised, as matching compares it
    " message_id TEXT NOT NULL,"  # the mail's key (timeline.mail.message_key)
    " day TEXT NOT NULL,"  # YYYY-MM-DD, the day the scan would read from the mail
    " subject TEXT NOT NULL,"
    " PRIMARY KEY(address, message_id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS seen_by_message ON seen(message_id)",
)


class Sighting(NamedTuple):
    """One correspondent of one unmatched message."""

    address: str
    message_id: str
    day: str
    subject: str


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
