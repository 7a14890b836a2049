"""The follow-up engine over a workspace: bring the index up to date, read it, apply the rules.

The only layer of ``followup/`` that does I/O. Aggregates the database does
well (the latest contact per customer) are asked of it in SQL; the rules in
``rules`` get plain values.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from folder_kit.followup.rules import (
    PRIORITY,
    Due,
    Ev,
    Finding,
    Report,
    Timeline,
    build_report,
    check_timeline,
    due_for,
    sort_due,
    suggest_topic,
    unanswered,
)
from folder_kit.timeline.classify import CONTACT_KINDS
from folder_kit.timeline.events import refresh
from folder_kit.timeline.index import Index
from folder_kit.workspace.find import Workspace

__all__ = ["Due", "Finding", "Report", "check", "due", "report"]


@dataclass(frozen=True)
class _Customer:
    key: str  # NFC folder name, the index's key
    name: str  # the folder name as on disk, as `customer list` shows it
    grade: str  # the grade on the day judged
    folder: str  # workspace-relative path of the customer folder
    moves: tuple[Ev, ...]  # its grade events, oldest first


def _customers(ws: Workspace, index: Index, today: dt.date) -> dict[str, _Customer]:
    from folder_kit.followup.rules import grade_on

    base = ws.customers_dir.name
    moves: dict[str, list[Ev]] = {}
    for g in index.grades():
        day = dt.date.fromisoformat(g.day)
        moves.setdefault(g.customer, []).append(
            Ev("grade", day, from_grade=g.from_grade, to_grade=g.to_grade)
        )
    out = {}
    for key, name, grade, grade_folder in index.customer_grades():
        own = tuple(moves.get(key, ()))
        out[key] = _Customer(
            key=key,
            name=name,
            grade=grade_on(grade, own, today) if own else grade,
            folder=f"{base}/{grade_folder}/{name}",
            moves=own,
        )
    return out


@contextlib.contextmanager
def _fresh_index(ws: Workspace) -> Iterator[Index]:
    """The index, brought up to date first."""
    refresh(ws)
    with Index.open(ws.root) as index:
        yield index


def due(ws: Workspace, *, today: dt.date, within: int = 0) -> list[Due]:
    """Customers whose follow-up is due by ``today + within`` days, most overdue first.

    Brings the index up to date first. The latest contact of every customer is
    one aggregate query; no event is built as an object.
    """
    cadence = ws.config.cadence
    window = ws.config.taboos.repeat_window
    until = today.isoformat()
    with _fresh_index(ws) as index:
        customers = _customers(ws, index, today)
        latest = {row[0]: row for row in index.latest_contacts(CONTACT_KINDS, until=until)}
        topics = index.recent_topics(until=until, per_customer=window)
    items = []
    for key, c in customers.items():
        row = latest.get(key)
        last = (
            Ev(
                row[3],
                dt.date.fromisoformat(row[1]),
                medium=row[4],
                topic=row[5],
                path=f"{c.folder}/{row[6]}",
            )
            if row is not None
            else None
        )
        has_out = row is not None and row[7] > 0
        item = due_for(
            c.name,
            c.grade,
            last=last,
            has_out=has_out,
            cadence=cadence,
            today=today,
            suggested_topic=suggest_topic(topics.get(key, []), has_out=has_out, window=window),
        )
        if item is not None and item.days_overdue >= -within:
            items.append(item)
    return sort_due(items)


def _at(date: str) -> dt.datetime | None:
    if "T" not in date:
        return None
    try:
        return dt.datetime.fromisoformat(date)
    except ValueError:
        return None


def _timelines(
    ws: Workspace, index: Index, *, today: dt.date, key: str | None = None
) -> list[Timeline]:
    """Every customer (or the one of ``key``) with its events up to ``today``,
    in the order `due` ranks grades (B, A, C, D, prospects), then by name."""
    customers = _customers(ws, index, today)
    if key is not None:
        customers = {k: c for k, c in customers.items() if k == key}
    events: dict[str, list[Ev]] = {k: list(c.moves) for k, c in customers.items()}
    days: dict[str, dt.date] = {}
    for customer, kind, day, date, medium, topic, rel, subject in index.contact_rows(
        until=today.isoformat(), customer=key
    ):
        c = customers.get(customer)
        if c is None:
            continue
        when = days.get(day)
        if when is None:
            when = days[day] = dt.date.fromisoformat(day)
        events[customer].append(
            Ev(kind, when, medium, topic, f"{c.folder}/{rel}", _at(date), subject)
        )
    out = []
    for k, c in customers.items():
        own = events[k]
        if c.moves:  # grade events interleave by day; files come sorted already
            own.sort(key=lambda e: e.day)
        out.append(Timeline(customer=c.name, grade=c.grade, events=tuple(own), folder=c.folder))
    out.sort(key=lambda t: (PRIORITY[t.grade], t.customer.casefold()))
    return out


def _with_contacts(ws: Workspace, tl: Timeline) -> Timeline:
    """The people in Contact.txt, read only for a customer the ladder is about."""
    from dataclasses import replace

    from folder_kit.workspace.contact import CONTACT_FILE, read_card

    card = read_card(ws.root / tl.folder / CONTACT_FILE)
    names = tuple(c.name for c in card.contacts if c.name)
    return replace(tl, contacts=names)


def check(ws: Workspace, *, today: dt.date, name: str | None = None) -> list[Finding]:
    """Every finding in the workspace, or for the customer ``name``, as of ``today``."""
    from folder_kit.workspace.customers import resolve_customer

    key = customer_key(resolve_customer(ws, name).name) if name is not None else None
    config = ws.config
    with _fresh_index(ws) as index:
        timelines = _timelines(ws, index, today=today, key=key)
    findings: list[Finding] = []
    for tl in timelines:
        if len(unanswered(tl.events)) >= config.taboos.change_approach_after:
            tl = _with_contacts(ws, tl)
        findings += check_timeline(tl, today=today, cadence=config.cadence, taboos=config.taboos)
    return findings


def report(ws: Workspace, *, today: dt.date) -> Report:
    """The pipeline at a glance as of ``today``."""
    with _fresh_index(ws) as index:
        timelines = _timelines(ws, index, today=today)
    return build_report(timelines, today=today, cadence=ws.config.cadence)


def event_count(ws: Workspace) -> int:
    """Events in the index as the last refresh left it (no scan)."""
    with Index.open(ws.root) as index:
        return index.counts()[2]


def customer_key(name: str) -> str:
    """The index's key of a customer folder name."""
    return unicodedata.normalize("NFC", name)
