"""The timeline: events as the index holds them, in the shape docs/cli.md describes."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple, cast

from folder_kit.timeline import event_json
from folder_kit.timeline.classify import CONTACT_KINDS
from folder_kit.timeline.event_json import Member, object_maker
from folder_kit.timeline.index import CustomerRow, FileRow, GradeRow, Index, ShownFile
from folder_kit.timeline.instants import stamp
from folder_kit.workspace.customers import CardNames, Customer, resolve_customer
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.layout import GRADES, Grade
from folder_kit.workspace.names import match_key


class Event(NamedTuple):
    """One contact event. A NamedTuple rather than a frozen dataclass: `timeline`
    makes one per event (110,000 in a large workspace), straight from the index's
    rows, and a frozen dataclass costs five times as much to build."""

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
    stamp: str = ""  # instants.stamp: the order of events (not shown)

    def as_json(self) -> dict[str, object]:
        """The event's object, as ``event_json.MEMBERS`` defines it (and
        `timeline --json` writes it)."""
        return _object_makers()[self.kind == "grade"](self)


_Maker = Callable[[tuple[object, ...]], dict[str, object]]
# The makers of a file's and a grade move's object, and the table they were made
# from: made again only when MEMBERS is another table (a test's), and checked by
# identity, since hashing the table would cost more than making the object.
_made: tuple[tuple[Member, ...], tuple[_Maker, _Maker]] | None = None


def _object_makers() -> tuple[_Maker, _Maker]:
    global _made
    members = event_json.MEMBERS
    if _made is None or _made[0] is not members:
        makers = (
            object_maker(members, Event._fields, grade=False),
            object_maker(members, Event._fields, grade=True),
        )
        _made = (members, makers)
    return _made[1]


def load_events(ws: Workspace, index: Index, *, customer: str | None = None) -> list[Event]:
    """Events of one customer (by folder key) or of all, oldest first: by stamp (the
    user's day, then the instant; ``instants``), customer, path (a stable sort:
    grade moves of one moment stay in their order)."""
    rows = index.timeline_rows(ws.customers_dir.name, customer)
    rows.sort(key=_ORDER)
    return list(map(_EVENT, rows))


# Sort keys made in C (the sort of 110,000 events took 0.2 s with a lambda).
_ORDER = itemgetter(*(Event._fields.index(f) for f in ("stamp", "customer", "path")))
_EVENT = partial(tuple.__new__, Event)  # Event._make without a Python call per row


def file_event(base: str, c: CustomerRow, row: FileRow | ShownFile) -> Event:
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
        stamp=stamp(row.day, row.at),
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
        stamp=stamp(g.day, g.at),
    )


@contextlib.contextmanager
def fresh_index(ws: Workspace) -> Iterator[Index]:
    """The workspace's index, opened once for a reader (customer list, timeline,
    due, check, report, draft) and brought up to date first: a quick incremental
    scan through it, or none while a watcher runs on the workspace, since it
    keeps the index current."""
    with Index.open(ws.root) as index:
        refresh(ws, index)
        yield index


def refresh(ws: Workspace, index: Index) -> None:
    """Bring the open ``index`` up to date, unless a watcher keeps it so."""
    from folder_kit.timeline.watcher_lock import running_watcher

    if running_watcher(ws.root) is not None:
        return
    from folder_kit.timeline.scan import update

    update(ws, index=index)


def indexed_events(ws: Workspace) -> int:
    """The events the index holds as the last scan or the watcher left it (no scan:
    for a status, which must not wait on one)."""
    with Index.open(ws.root) as index:
        return index.counts().events


def indexed_customers(ws: Workspace, index: Index) -> list[Customer]:
    """The customers the index holds (the scan's, so the workspace's, definition),
    sorted by grade then name as `customer list` shows them."""
    return _customers_of(ws, index.customers().values())


def _customers_of(ws: Workspace, rows: Iterable[CustomerRow]) -> list[Customer]:
    base = ws.customers_dir
    customers = [
        Customer(
            name=row.name, grade=cast(Grade, row.grade), path=base / row.grade_folder / row.name
        )
        for row in rows
    ]
    customers.sort(key=lambda c: (GRADES.index(c.grade), match_key(c.name)))
    return customers


def find_customer(ws: Workspace, name: str, *, cwd: Path | None = None) -> Customer:
    """The customer NAME means (folder name, company name, part of either, or a
    path), among those the index holds, brought up to date first. A blank NAME is
    refused (by ``resolve_customer``)."""
    with fresh_index(ws) as index:
        return customer_named(ws, index, name, cwd=cwd)


def customer_named(ws: Workspace, index: Index, name: str, *, cwd: Path | None = None) -> Customer:
    """``find_customer`` in an index the caller holds (and brought up to date)."""
    rows = index.customers()
    customers = _customers_of(ws, rows.values())
    addresses: dict[str, list[str]] = {}
    for address, key in index.card_addresses():
        addresses.setdefault(key, []).append(address)
    cards = {
        key: CardNames(
            row.company,
            tuple(row.people.split("\n")) if row.people else (),
            tuple(addresses.get(key, ())),
        )
        for key, row in rows.items()
    }
    return resolve_customer(ws, name, cwd=cwd, customers=customers, cards=cards)


def timeline(ws: Workspace, *, name: str | None = None) -> list[Event]:
    """Bring the index up to date, then the events of NAME (or of everyone)."""
    with fresh_index(ws) as index:
        key = None if name is None else customer_named(ws, index, name).key
        return load_events(ws, index, customer=key)


def timeline_json(ws: Workspace, *, name: str | None = None) -> Iterator[bytes]:
    """``timeline``'s events as the UTF-8 of ``json.dumps(event.as_json(),
    ensure_ascii=False, indent=2)`` for each inside a list (two spaces deeper), in
    the same order, as the index writes them (``Index.timeline_json``): as they
    come, the index held open until the last (the scan, and an unknown NAME's
    error, come with the first)."""
    with fresh_index(ws) as index:
        key = None if name is None else customer_named(ws, index, name).key
        yield from index.timeline_json(ws.customers_dir.name, key)


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
    """Every customer with grade, last contact and real name, the index brought up
    to date; sorted by grade then name, as ``indexed_customers``. One query gives
    each customer's row and latest contact day: in a large workspace, no second
    load of the customers and no Path per customer."""
    base = ws.customers_dir.name
    with fresh_index(ws) as index:
        rows = index.customer_last_contacts(CONTACT_KINDS)
    summaries = [
        CustomerSummary(
            name=r.name,
            grade=r.grade,
            path=f"{base}/{r.grade_folder}/{r.name}",
            last_contact=r.day,
            company=r.company,
        )
        for r in rows
    ]
    order: dict[str, int] = {grade: n for n, grade in enumerate(GRADES)}
    summaries.sort(key=lambda s: (order[s.grade], match_key(s.name)))
    return summaries
