"""The timeline: events as the index holds them, in the shape CLI.md promises."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from folder_kit.errors import UsageError
from folder_kit.timeline.classify import CONTACT_KINDS
from folder_kit.timeline.index import CustomerRow, FileRow, GradeRow, Index
from folder_kit.workspace.customers import Customer
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.layout import GRADES, Grade
from folder_kit.workspace.names import match_key


@dataclass(frozen=True)
class Event:
    customer: str
    grade: str
    kind: str
    date: str
    day: str
    date_source: str
    medium: str | None
    topic: str | None
    path: str  # workspace-relative, "/"-separated
    subject: str | None = None
    from_grade: str | None = None
    to_grade: str | None = None

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "customer": self.customer,
            "grade": self.grade,
            "kind": self.kind,
            "date": self.date,
            "date_source": self.date_source,
            "medium": self.medium,
            "topic": self.topic,
            "path": self.path,
        }
        if self.subject is not None:
            out["subject"] = self.subject
        if self.kind == "grade":
            out["from"] = self.from_grade
            out["to"] = self.to_grade
        return out


def load_events(ws: Workspace, index: Index, *, customer: str | None = None) -> list[Event]:
    """Events of one customer (by folder key) or of all, oldest first."""
    customers = index.customers()
    base = ws.customers_dir.name
    events: list[Event] = []
    for row in index.event_rows(customer):
        c = customers.get(row.customer)
        if c is not None:
            events.append(file_event(base, c, row))
    for g in index.grades(customer):
        c = customers.get(g.customer)
        if c is not None:
            events.append(grade_event(base, c, g))
    events.sort(key=lambda e: (e.day, e.date, e.customer, e.path))
    return events


def file_event(base: str, c: CustomerRow, row: FileRow) -> Event:
    """The event of one file row; ``base`` is the customers folder's name."""
    return Event(
        customer=row.customer,
        grade=c.grade,
        kind=row.kind,
        date=row.date,
        day=row.day,
        date_source=row.date_source,
        medium=row.medium,
        topic=row.topic,
        path=f"{base}/{c.grade_folder}/{c.name}/{row.rel}",
        subject=row.subject,
    )


def grade_event(base: str, c: CustomerRow, g: GradeRow) -> Event:
    """The event of one grade change."""
    return Event(
        customer=g.customer,
        grade=c.grade,
        kind="grade",
        date=g.date,
        day=g.day,
        date_source="mtime",
        medium=None,
        topic=None,
        path=f"{base}/{c.grade_folder}/{c.name}",
        from_grade=g.from_grade,
        to_grade=g.to_grade,
    )


def last_contacts(index: Index) -> dict[str, str]:
    """The day of each customer's latest contact in either direction."""
    return index.last_contacts(CONTACT_KINDS)


def refresh(ws: Workspace) -> None:
    """Bring the index up to date before a reader (customer list, timeline, due,
    check, report, draft) answers: a quick incremental scan, or none while a
    watcher runs on the workspace, since it keeps the index current."""
    from folder_kit.timeline.watcher_lock import running_watcher

    if running_watcher(ws.root) is not None:
        return
    from folder_kit.timeline.scan import scan

    scan(ws)


def indexed_customers(ws: Workspace, index: Index) -> list[Customer]:
    """The customers the index holds (the scan's, so the workspace's, definition),
    sorted by grade then name as `customer list` shows them."""
    base = ws.customers_dir
    customers = [
        Customer(
            name=row.name, grade=cast(Grade, row.grade), path=base / row.grade_folder / row.name
        )
        for row in index.customers().values()
    ]
    customers.sort(key=lambda c: (GRADES.index(c.grade), match_key(c.name)))
    return customers


def find_customer(ws: Workspace, name: str, *, cwd: Path | None = None) -> Customer:
    """The customer NAME means (folder name, company name, part of either, or a
    path), among those the index holds, brought up to date first. A blank NAME is
    refused: `log ''` must not pick a folder named "   "."""
    from folder_kit.workspace.customers import resolve_customer

    if not name.strip():
        raise UsageError(
            "NAME is empty: give the customer's name as `customer list` shows it, "
            "or . inside its folder"
        )
    refresh(ws)
    with Index.open(ws.root) as index:
        customers = indexed_customers(ws, index)
        companies = {key: row.company for key, row in index.customers().items()}
    return resolve_customer(ws, name, cwd=cwd, customers=customers, companies=companies)


def timeline(ws: Workspace, *, name: str | None = None) -> list[Event]:
    """Bring the index up to date, then the events of NAME (or of everyone)."""
    key = None
    if name is not None:
        key = find_customer(ws, name).key
    else:
        refresh(ws)
    with Index.open(ws.root) as index:
        return load_events(ws, index, customer=key)


@dataclass(frozen=True)
class CustomerSummary:
    """A line of `customer list`."""

    name: str  # the folder name
    grade: str
    path: str  # workspace-relative
    last_contact: str | None  # the day of the latest out/in/quote/pi/order
    company: str | None  # the real name, from Contact.txt

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "grade": self.grade,
            "path": self.path,
            "last_contact": self.last_contact,
            "company": self.company,
        }


def customer_summaries(ws: Workspace) -> list[CustomerSummary]:
    """Every customer with grade, last contact and real name, the index brought up to
    date; in the order of ``indexed_customers``, built from the rows alone (no paths
    to make: with a watcher running, this is all `customer list` does)."""
    refresh(ws)
    with Index.open(ws.root) as index:
        last = last_contacts(index)
        rows = index.customers()
    base = ws.customers_dir.name
    summaries = [
        CustomerSummary(
            name=row.name,
            grade=row.grade,
            path=f"{base}/{row.grade_folder}/{row.name}",
            last_contact=last.get(key),
            company=row.company,
        )
        for key, row in rows.items()
    ]
    summaries.sort(key=lambda s: (GRADES.index(cast(Grade, s.grade)), match_key(s.name)))
    return summaries
