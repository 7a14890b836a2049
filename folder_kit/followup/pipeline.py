"""The follow-up engine over a workspace: bring the index up to date, read it, apply the rules.

The layer of ``followup/`` that does I/O (with ``products``, the 产品/ files).
Aggregates the database does well (the latest contact per customer) are asked
of it in SQL; the rules in ``rules`` and the topic choice in ``topics`` get
plain values.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from folder_kit.followup.products import all_product_files
from folder_kit.followup.rules import (
    PRIORITY,
    Due,
    Ev,
    Facts,
    Finding,
    Report,
    Timeline,
    due_day,
    due_for,
    facts_from,
    facts_of,
    grade_on,
    report_of,
    sort_due,
    unanswered,
)
from folder_kit.followup.taboos import check_timeline, worst_first
from folder_kit.followup.topics import Facts as TopicFacts
from folder_kit.followup.topics import (
    FileFact,
    Received,
    Sent,
    choose_topic,
    stem,
    topic_facts,
)
from folder_kit.terms import written_as
from folder_kit.timeline.classify import CONTACT_KINDS
from folder_kit.timeline.events import customer_named, fresh_index
from folder_kit.timeline.index import Index, LastSent, Latest
from folder_kit.timeline.instants import stamp
from folder_kit.workspace.country import country_code
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.thresholds import CHANGE_APPROACH_AFTER, DORMANT_AFTER, REPEAT_WINDOW

__all__ = [
    "Due",
    "Finding",
    "Found",
    "Overview",
    "Report",
    "check",
    "choice_facts",
    "due",
    "due_in",
    "overview",
    "report",
]

T = TypeVar("T")


@dataclass(frozen=True)
class _Customer:
    key: str  # NFC folder name, the index's key
    name: str  # the folder name as on disk, as `customer list` shows it
    grade: str  # the grade on the day judged
    folder: str  # workspace-relative path of the customer folder
    moves: tuple[Ev, ...]  # its grade events, oldest first


def _customers(ws: Workspace, index: Index, today: dt.date) -> dict[str, _Customer]:
    base = ws.customers_dir.name
    moves: dict[str, list[Ev]] = {}
    for g in index.grades():
        day = dt.date.fromisoformat(g.day)
        moves.setdefault(g.customer, []).append(
            Ev(
                "grade",
                day,
                date=g.date,
                from_grade=g.from_grade,
                to_grade=g.to_grade,
                stamp=stamp(g.day, g.at),
            )
        )
    out = {}
    for c in index.customer_grades():
        own = tuple(moves.get(c.key, ()))
        out[c.key] = _Customer(
            key=c.key,
            name=c.name,
            grade=grade_on(c.grade, own, today) if own else c.grade,
            folder=f"{base}/{c.grade_folder}/{c.name}",
            moves=own,
        )
    return out


class Found(list[T]):
    """What `due` or `check` found, and whether the index held any event when they
    looked: an empty list from an empty index means nothing was scanned yet."""

    def __init__(self, items: Iterable[T], *, indexed: bool) -> None:
        super().__init__(items)
        self.indexed = indexed


def _found(index: Index, items: list[T]) -> Found[T]:
    # Counted only when nothing was found: the one case where it matters.
    return Found(items, indexed=bool(items) or index.counts().events > 0)


def due(
    ws: Workspace,
    *,
    today: dt.date,
    within: int = 0,
    products: Mapping[str, tuple[FileFact, ...]] | None = None,
) -> Found[Due]:
    """Customers whose follow-up is due by ``today + within`` days, most overdue first,
    each with the topic `draft` would write about that day, and why, and whether it
    is dormant (``rules.first_things_first`` orders them as a salesperson acts).

    Brings the index up to date first. The latest contact of every customer is
    one aggregate query; no event is built as an object. ``products``: the 产品/
    files (``products.all_product_files``), when read already.
    """
    with fresh_index(ws) as index:
        return _found(index, due_in(ws, index, today=today, within=within, products=products))


def due_in(
    ws: Workspace,
    index: Index,
    *,
    today: dt.date,
    within: int = 0,
    customers: dict[str, _Customer] | None = None,
    products: Mapping[str, tuple[FileFact, ...]] | None = None,
) -> list[Due]:
    """``due`` in an index the caller holds, brought up to date (``fresh_index``).
    ``customers``: ``_customers``' table, when known."""
    cadence = ws.config.cadence
    dormant_after = ws.config.taboos[DORMANT_AFTER]
    until = today.isoformat()
    if customers is None:
        customers = _customers(ws, index, today)
    latest = {row.customer: row for row in index.latest_contacts(CONTACT_KINDS, until=until)}
    listed = []
    for key, c in customers.items():
        row = latest.get(key)
        has_out = row is not None and row.out_lines is not None
        last_day = dt.date.fromisoformat(row.day) if row is not None else None
        when = due_day(c.grade, last_day, has_out=has_out, cadence=cadence, today=today)
        if when is None or (today - when).days < -within:
            continue
        last = (
            Ev(
                row.kind,
                last_day,
                medium=row.medium,
                topic=row.topic,
                path=f"{c.folder}/{row.rel}",
                subject=row.subject,
            )
            if row is not None and last_day is not None
            else None
        )
        listed.append((key, c, last, row))
    if not listed:
        return []
    # What the topic choice needs beyond that, for the customers listed: two more
    # queries, and the 产品/ files read once (no file read per customer).
    if products is None:
        products = all_product_files(ws)
    sent = {r.customer: r for r in index.last_sent(until=until)}
    countries = index.countries()
    items = []
    for key, c, last, row in listed:
        country = countries.get(key)
        facts = choice_facts(
            ws,
            grade=c.grade,
            folder=c.folder,
            latest=row,
            sent=sent.get(key),
            country=country_code(country) if country else None,
            products=products,
            today=today,
        )
        choice = choose_topic(facts, today=today, repeat_window=ws.config.taboos[REPEAT_WINDOW])
        item = due_for(
            c.name,
            c.grade,
            last=last,
            has_out=row is not None and row.out_lines is not None,
            cadence=cadence,
            today=today,
            suggested_topic=choice.topic,
            suggested_reason=choice.reason,
            dormant_after=dormant_after,
        )
        if item is not None:
            items.append(item)
    return sort_due(items)


def choice_facts(
    ws: Workspace,
    *,
    grade: str,
    folder: str,
    latest: Latest | None,
    sent: LastSent | None,
    country: str | None,
    products: Mapping[str, tuple[FileFact, ...]],
    today: dt.date,
) -> TopicFacts:
    """What the topic choice reads of one customer (``grade`` on ``today``, its
    workspace-relative ``folder``, ISO ``country``) as of ``today``, from the
    index's aggregates: its ``latest_contacts`` row (its `out` events) and its
    ``last_sent`` row, read up to that day. `due` reads them for every customer
    at once, `draft` for its one: both choose alike."""
    outs = latest.outs() if latest is not None else []
    last_sent = (
        Sent(
            f"{folder}/{sent.rel}",
            dt.date.fromisoformat(sent.day),
            written_as(sent.kind, sent.medium),
        )
        if sent
        else None
    )
    return topic_facts(
        prospect=grade == "P",
        out_topics=[o.topic for o in outs],
        last_out=dt.date.fromisoformat(outs[-1].day) if outs else None,
        last_sent=last_sent,
        last_subject=(sent.subject or stem(last_sent.path)) if sent and last_sent else "",
        country=country,
        products=products,
        config=ws.config,
        today=today,
        grade=grade,
        last_contact=dt.date.fromisoformat(latest.day) if latest is not None else None,
        # Its subject is not in the aggregates: `draft` reads it from the events.
        last_in=Received(f"{folder}/{latest.rel}", dt.date.fromisoformat(latest.day))
        if latest is not None and latest.kind == "in"
        else None,
    )


def _timelines(
    ws: Workspace,
    index: Index,
    *,
    today: dt.date,
    key: str | None = None,
    only: Collection[str] | None = None,
    customers: dict[str, _Customer] | None = None,
) -> list[Timeline]:
    """Every customer (or the one of ``key``, or those keyed in ``only``) with its
    events up to ``today``, in the order `due` ranks grades (B, A, C, D,
    prospects), then by name. ``customers``: ``_customers``' table, when known."""
    if customers is None:
        customers = _customers(ws, index, today)
    if key is not None:
        only = [key]
    return _ranked((tl, tl) for tl in _each_timeline(index, customers, today=today, only=only))


def _ranked(made: Iterable[tuple[Timeline, T]]) -> list[T]:
    """What was made of each timeline, in the order `due` ranks the timelines: by
    grade (B, A, C, D, prospects), then by name, ties in the order they came."""
    ranked = [
        (PRIORITY[tl.grade], tl.customer.casefold(), n, item) for n, (tl, item) in enumerate(made)
    ]
    ranked.sort(key=_RANK)
    return [item for *_, item in ranked]


_RANK = operator.itemgetter(0, 1, 2)


def _each_timeline(
    index: Index,
    customers: dict[str, _Customer],
    *,
    today: dt.date,
    only: Collection[str] | None = None,
) -> Iterator[Timeline]:
    """Each customer's timeline up to ``today`` (of those keyed in ``only``, or of
    everyone), one at a time, in the order of ``customers``: its events read
    from the index as they come, never all at once."""
    if only is not None:
        wanted = set(only)
        customers = {k: c for k, c in customers.items() if k in wanted}
    rows = index.contact_rows(until=today.isoformat(), customers=only)
    days = _Days()
    # Rows come ordered by customer: one group each, built in one comprehension,
    # read as far as the customer at hand. A group that comes before its customer
    # does is kept until it does (none is, while ``customers`` is in key order,
    # as the index gives it).
    events: dict[str, list[Ev]] = {}
    groups = itertools.groupby(rows, key=operator.itemgetter(0))
    for k, c in customers.items():
        own = events.pop(k, None)
        if own is None:
            own = list(c.moves)
            for customer, group in groups:
                other = customers.get(customer)
                if other is None:
                    continue
                prefix = other.folder + "/"
                made = events[customer] = list(other.moves) if customer != k else own
                made.extend(
                    Ev(
                        kind,
                        days[day],
                        medium,
                        topic,
                        prefix + rel,
                        date,
                        subject,
                        None,
                        None,
                        stamp,
                    )
                    for _, kind, day, date, medium, topic, rel, subject, stamp in group
                )
                if customer >= k:
                    events.pop(k, None)
                    break
        if c.moves:  # grade events interleave; files come sorted already
            own.sort(key=_STAMP)
        yield Timeline(customer=c.name, grade=c.grade, events=tuple(own), folder=c.folder)


class _Days(dict[str, dt.date]):
    """ISO day -> date, each made once, when first asked for."""

    def __missing__(self, day: str) -> dt.date:
        value = self[day] = dt.date.fromisoformat(day)
        return value


_STAMP = operator.attrgetter("stamp")


def _with_contacts(ws: Workspace, tl: Timeline) -> Timeline:
    """The people in Contact.txt, read only for a customer the ladder is about."""
    from dataclasses import replace

    from folder_kit.workspace.contact import CONTACT_FILE, read_card

    card = read_card(ws.root / tl.folder / CONTACT_FILE)
    names = tuple(c.name for c in card.contacts if c.name)
    return replace(tl, contacts=names)


def check(ws: Workspace, *, today: dt.date, name: str | None = None) -> Found[Finding]:
    """Every finding in the workspace, or for the customer ``name``, as of ``today``,
    the customers with the most problems first (``taboos.worst_first``)."""
    with fresh_index(ws) as index:
        key = None if name is None else customer_named(ws, index, name).key
        only = None if key is None else [key]
        return _found(index, _findings(ws, index, today=today, only=only))


def _findings(
    ws: Workspace,
    index: Index,
    *,
    today: dt.date,
    only: Collection[str] | None = None,
    customers: dict[str, _Customer] | None = None,
) -> list[Finding]:
    """``_check`` of ``_timelines``, one timeline at a time (a large workspace's
    events are never all in memory: 330,000 of them held 380 MiB), the findings
    grouped by customer, the worst first (``worst_first``; equals in the
    timelines' order)."""
    if customers is None:
        customers = _customers(ws, index, today)
    each = _each_timeline(index, customers, today=today, only=only)
    found = _ranked((tl, _check(ws, [tl], today=today)) for tl in each)
    return worst_first(f for findings in found for f in findings)


def _check(ws: Workspace, timelines: list[Timeline], *, today: dt.date) -> list[Finding]:
    config = ws.config
    findings: list[Finding] = []
    for tl in timelines:
        threshold = config.taboos[CHANGE_APPROACH_AFTER]
        if (
            sum(e.kind == "out" for e in tl.events) >= threshold  # cheap, and necessary
            and len(unanswered(tl.events)) >= threshold
        ):
            tl = _with_contacts(ws, tl)
        findings += check_timeline(tl, today=today, cadence=config.cadence, taboos=config.taboos)
    return worst_first(findings)


def report(ws: Workspace, *, today: dt.date) -> Report:
    """The pipeline at a glance as of ``today``: a few aggregate queries; events
    are built only for a customer moved to another grade by then (its own rows)."""
    with fresh_index(ws) as index:
        return _report(ws, index, today=today)


def _report(
    ws: Workspace,
    index: Index,
    *,
    today: dt.date,
    customers: dict[str, _Customer] | None = None,
) -> Report:
    facts = _facts(ws, index, today=today, customers=customers)
    total = index.event_total(until=today.isoformat())
    return replace(report_of(facts, today=today, cadence=ws.config.cadence), events=total)


def _facts(
    ws: Workspace,
    index: Index,
    *,
    today: dt.date,
    customers: dict[str, _Customer] | None = None,
) -> list[Facts]:
    """Each customer's facts for the report, by ``rules.facts_from`` from the bounds
    one aggregate query gives; a customer moved to another grade by then from its
    timeline (``rules.facts_of``: its own rows, its events brought to bounds), as
    its grade suggestion counts only what came after the move."""
    if customers is None:
        customers = _customers(ws, index, today)
    bounds = {b.customer: b for b in index.kind_bounds(until=today.isoformat())}
    facts: list[Facts] = []
    moved: list[str] = []  # keys of those moved to another grade by then
    for key, c in customers.items():
        if any(m.day <= today for m in c.moves):
            moved.append(key)
            continue
        facts.append(facts_from(c.name, c.grade, c.folder, bounds.get(key)))
    if moved:
        for tl in _timelines(ws, index, today=today, only=moved, customers=customers):
            facts.append(facts_of(tl, today=today)._replace(events=0))  # counted once, in SQL
    return facts


@dataclass(frozen=True)
class Overview:
    """What the report page shows: the report, who is due, every finding."""

    report: Report
    due: list[Due]
    findings: list[Finding]


def overview(ws: Workspace, *, today: dt.date) -> Overview:
    """The report, the due list and the findings from one refresh of the index."""
    with fresh_index(ws) as index:
        customers = _customers(ws, index, today)
        findings = _findings(ws, index, today=today, customers=customers)
        items = due_in(ws, index, today=today, within=0, customers=customers)
        result = _report(ws, index, today=today, customers=customers)
    return Overview(report=result, due=items, findings=findings)
