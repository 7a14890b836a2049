"""What a reconcile added or dropped: the events before and after, by identity.

An event is known by (customer folder key, path inside the customer folder) for a
file and (customer, seq) for a grade change, so a customer regraded by hand keeps
its files' identities: one ``grade`` event, its files not reported again. The
rows before are copied into temporary tables of the watcher's own connection, and
SQLite compares them with the rows after (no copy of the index in Python).
An event whose content changed (a file rewritten) is reported gone, then new.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from folder_kit.timeline.events import Event, file_event, grade_event
from folder_kit.timeline.index import CustomerRow, FileRow, GradeRow

# What an event shows: a file row without its stamp (size, mtime), which changes
# when a file is re-read without its event changing.
_SHOWN = "customer, rel, kind, date, day, date_source, medium, topic, subject"
_CUSTOMER_COLUMNS = (
    "key, name, grade, grade_folder, mtime_ns, dirs, card_size, card_mtime_ns, company, country"
)
# The same event before (b) and after (m): its identity, and all it shows (NULL-safe).
_SAME_FILE = (
    "b.customer = m.customer AND b.rel = m.rel AND b.kind = m.kind AND b.date = m.date "
    "AND b.day = m.day AND b.date_source = m.date_source AND b.medium IS m.medium "
    "AND b.topic IS m.topic AND b.subject IS m.subject"
)
_SAME_GRADE = (
    "b.customer = m.customer AND b.seq = m.seq AND b.date = m.date AND b.day = m.day "
    "AND b.from_grade = m.from_grade AND b.to_grade = m.to_grade"
)


def _m(columns: str) -> str:
    return ", ".join(f"m.{c.strip()}" for c in columns.split(","))


@dataclass(frozen=True)
class Change:
    """One event the watcher added to the index or dropped from it."""

    change: Literal["new", "gone"]
    event: Event
    highlight: str | None = None

    def as_json(self) -> dict[str, object]:
        out = {**self.event.as_json(), "change": self.change}
        if self.highlight is not None:
            out["highlight"] = self.highlight
        return out

    @property
    def rel(self) -> str:
        """The path inside the customer folder ("" for a grade change)."""
        if self.event.kind == "grade":
            return ""
        return self.event.path.split("/", 3)[3]


class Snapshot:
    """The index's events of some customers (or all), kept to compare after a reconcile."""

    def __init__(self, conn: sqlite3.Connection, keys: Sequence[str] | None) -> None:
        self.conn = conn
        self.keys = None if keys is None else list(dict.fromkeys(keys))
        # Keyed like the index's own tables, so that the comparison after is one
        # lookup per row instead of a sort of both sides.
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS keys(key TEXT PRIMARY KEY)")
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS before_files(customer TEXT, rel TEXT, kind TEXT, "
            "date TEXT, day TEXT, date_source TEXT, medium TEXT, topic TEXT, subject TEXT, "
            "PRIMARY KEY(customer, rel)) WITHOUT ROWID"
        )
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS before_grades(customer TEXT, seq INTEGER, "
            "date TEXT, day TEXT, from_grade TEXT, to_grade TEXT, PRIMARY KEY(customer, seq)) "
            "WITHOUT ROWID"
        )
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS before_customers AS "
            f"SELECT {_CUSTOMER_COLUMNS} FROM main.customers WHERE 0"
        )
        conn.execute("BEGIN")  # one read snapshot for the three copies
        try:
            for table in ("keys", "before_files", "before_grades", "before_customers"):
                conn.execute(f"DELETE FROM temp.{table}")
            if self.keys is not None:
                conn.executemany("INSERT INTO temp.keys VALUES (?)", [(k,) for k in self.keys])
            conn.execute(
                f"INSERT INTO temp.before_files SELECT {_SHOWN} FROM main.files "
                f"WHERE kind != 'history' {self._only('customer')}"
            )
            conn.execute(
                f"INSERT INTO temp.before_grades SELECT * FROM main.grades {self._where('customer')}"
            )
            conn.execute(
                f"INSERT INTO temp.before_customers SELECT {_CUSTOMER_COLUMNS} "
                f"FROM main.customers {self._where('key')}"
            )
        finally:
            conn.execute("COMMIT")

    def _where(self, column: str) -> str:
        return "" if self.keys is None else f"WHERE {column} IN (SELECT key FROM temp.keys)"

    def _only(self, column: str) -> str:
        return "" if self.keys is None else f"AND {column} IN (SELECT key FROM temp.keys)"

    def diff(self, base: str) -> list[Change]:
        """The changes since the snapshot, oldest event first; ``base`` is the
        customers folder's name (for the events' paths)."""
        conn = self.conn
        conn.execute("BEGIN")
        try:
            now = {
                r[0]: CustomerRow._make(r)
                for r in conn.execute(
                    f"SELECT {_CUSTOMER_COLUMNS} FROM main.customers {self._where('key')}"
                )
            }
            then = {
                r[0]: CustomerRow._make(r)
                for r in conn.execute(f"SELECT {_CUSTOMER_COLUMNS} FROM temp.before_customers")
            }
            only = self._only("m.customer")
            new_files = conn.execute(
                f"SELECT {_m(_SHOWN)} FROM main.files m WHERE m.kind != 'history' {only} "
                f"AND NOT EXISTS (SELECT 1 FROM temp.before_files b WHERE {_SAME_FILE})"
            ).fetchall()
            gone_files = conn.execute(
                "SELECT * FROM temp.before_files b WHERE NOT EXISTS (SELECT 1 FROM main.files m "
                f"WHERE m.kind != 'history' AND {_SAME_FILE})"
            ).fetchall()
            new_grades = conn.execute(
                f"SELECT m.* FROM main.grades m WHERE 1 {only} AND NOT EXISTS "
                f"(SELECT 1 FROM temp.before_grades b WHERE {_SAME_GRADE})"
            ).fetchall()
            gone_grades = conn.execute(
                "SELECT * FROM temp.before_grades b WHERE NOT EXISTS "
                f"(SELECT 1 FROM main.grades m WHERE {_SAME_GRADE})"
            ).fetchall()
        finally:
            conn.execute("COMMIT")
        changes: list[Change] = []
        for rows, customers, change in ((gone_files, then, "gone"), (new_files, now, "new")):
            for r in rows:
                c = customers.get(r[0]) or now.get(r[0]) or then.get(r[0])
                if c is not None:
                    row = FileRow(r[0], r[1], "", 0, 0, *r[2:])
                    changes.append(Change(change, file_event(base, c, row)))  # type: ignore[arg-type]
        for rows, customers, change in ((gone_grades, then, "gone"), (new_grades, now, "new")):
            for r in rows:
                c = customers.get(r[0]) or now.get(r[0]) or then.get(r[0])
                if c is not None:
                    changes.append(Change(change, grade_event(base, c, GradeRow._make(r))))  # type: ignore[arg-type]
        order = {"gone": 0, "new": 1}
        changes.sort(
            key=lambda c: (
                c.event.day,
                c.event.date,
                c.event.customer,
                c.event.path,
                order[c.change],
            )
        )
        return changes


def warnings(conn: sqlite3.Connection) -> dict[str, str]:
    """The scan's warnings, by what they are about."""
    return dict(conn.execute("SELECT key, message FROM warnings"))
