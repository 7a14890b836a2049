"""The follow-up engine over a workspace: bring the index up to date, read it, apply the rules.

The layer of ``followup/`` that does I/O (with ``products``, the 产品/ files).
Aggregates the database does well (the latest contact per customer) are asked
of it in SQL; the rules in ``rules`` and the topic choice in ``topics`` get
plain values.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import operator
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace

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
    earned_grade,
    facts_of,
    grade_on,
    later_stamp,
    report_of,
    sort_due,
    unanswered,
)
from folder_kit.followup.taboos import check_timeline
from folder_kit.followup.topics import Choice, FileFact, choose_topic, stem, topic_facts
from folder_kit.timeline.classify import CONTACT_KINDS
from folder_kit.timeline.events import find_customer, refresh
from folder_kit.timeline.index import Index
from folder_kit.workspace.country import country_code
from folder_kit.workspace.find import Workspace

__all__ = ["Due", "Finding", "Overview", "Report", "check", "due", "overview", "report"]


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


def due(
    ws: Workspace,
    *,
    today: dt.date,
    within: int = 0,
    products: Mapping[str, tuple[FileFact, ...]] | None = None,
) -> list[Due]:
    """Customers whose follow-up is due by ``today + within`` days, most overdue first,
    each with the topic `draft` would write about that day, and why.

    Brings the index up to date first. The latest contact of every customer is
    one aggregate query; no event is built as an object. ``products``: the 产品/
    files (``products.all_product_files``), when read already.
    """
    with _fresh_index(ws) as index:
        return _due(ws, index, today=today, within=within, products=products)


def _due(
    ws: Workspace,
    index: Index,
    *,
    today: dt.date,
    within: int,
    customers: dict[str, _Customer] | None = None,
    products: Mapping[str, tuple[FileFact, ...]] | None = None,
) -> list[Due]:
    cadence = ws.config.cadence
    until = today.isoformat()
    if customers is None:
        customers = _customers(ws, index, today)
    latest = {row[0]: row for row in index.latest_contacts(CONTACT_KINDS, until=until)}
    listed = []
    for key, c in customers.items():
        row = latest.get(key)
        outs = row[7] if row is not None else None
        last_day = dt.date.fromisoformat(row[1]) if row is not None else None
        when = due_day(c.grade, last_day, has_out=outs is not None, cadence=cadence, today=today)
        if when is None or (today - when).days < -within:
            continue
        last = (
            Ev(row[3], last_day, medium=row[4], topic=row[5], path=f"{c.folder}/{row[6]}")
            if row is not None and last_day is not None
            else None
        )
        listed.append((key, c, last, outs))
    if not listed:
        return []
    # What the topic choice needs beyond that, for the customers listed: two more
    # queries, and the 产品/ files read once (no file read per customer).
    if products is None:
        products = all_product_files(ws)
    sent = {r[0]: r for r in index.last_sent(until=until)}
    countries = index.countries()
    items = []
    for key, c, last, outs in listed:
        choice = _topic(ws, c, outs, sent.get(key), countries.get(key), products, today=today)
        item = due_for(
            c.name,
            c.grade,
            last=last,
            has_out=outs is not None,
            cadence=cadence,
            today=today,
            suggested_topic=choice.topic,
            suggested_reason=choice.reason,
        )
        if item is not None:
            items.append(item)
    return sort_due(items)


def _topic(
    ws: Workspace,
    c: _Customer,
    outs: str | None,
    sent: tuple[str, str, str, str | None] | None,
    country: str | None,
    products: Mapping[str, tuple[FileFact, ...]],
    *,
    today: dt.date,
) -> Choice:
    """What `draft` would write about to ``c`` on ``today`` (``drafts.facts`` finds
    the same facts in the customer's events; a test holds the two together).
    ``outs``: ``latest_contacts``' lines of its `out` events; ``sent``: its
    ``last_sent`` row; ``country``: as its card gives it."""
    follow_ups = sorted(map(_out, outs.split("\n"))) if outs else []
    last_sent = FileFact(f"{c.folder}/{sent[2]}", dt.date.fromisoformat(sent[1])) if sent else None
    facts = topic_facts(
        prospect=c.grade == "P",
        out_topics=[topic or None for _, _, topic in follow_ups],
        last_out=dt.date.fromisoformat(follow_ups[-1][0][:10]) if follow_ups else None,
        last_sent=last_sent,
        last_subject=(sent[3] or stem(last_sent.path)) if sent and last_sent else "",
        country=country_code(country) if country else None,
        products=products,
        config=ws.config,
        today=today,
    )
    return choose_topic(facts, today=today, repeat_window=ws.config.taboos.repeat_window)


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
    if only is not None:
        wanted = set(only)
        customers = {k: c for k, c in customers.items() if k in wanted}
    rows = index.contact_rows(until=today.isoformat(), customers=only)
    events: dict[str, list[Ev]] = {k: list(c.moves) for k, c in customers.items()}
    days = {day: dt.date.fromisoformat(day) for day in {r[2] for r in rows}}
    # Rows come ordered by customer: one group each, built in one comprehension.
    for customer, group in itertools.groupby(rows, key=operator.itemgetter(0)):
        c = customers.get(customer)
        if c is None:
            continue
        prefix = c.folder + "/"
        events[customer].extend(
            Ev(kind, days[day], medium, topic, prefix + rel, date, subject)
            for _, kind, day, date, medium, topic, rel, subject in group
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
    if name is None:
        key = None
        refresh(ws)
    else:
        key = find_customer(ws, name).key  # brings the index up to date
    with Index.open(ws.root) as index:
        timelines = _timelines(ws, index, today=today, key=key)
    return _check(ws, timelines, today=today)


def _check(ws: Workspace, timelines: list[Timeline], *, today: dt.date) -> list[Finding]:
    config = ws.config
    findings: list[Finding] = []
    for tl in timelines:
        threshold = config.taboos.change_approach_after
        if (
            sum(e.kind == "out" for e in tl.events) >= threshold  # cheap, and necessary
            and len(unanswered(tl.events)) >= threshold
        ):
            tl = _with_contacts(ws, tl)
        findings += check_timeline(tl, today=today, cadence=config.cadence, taboos=config.taboos)
    return findings


def report(ws: Workspace, *, today: dt.date) -> Report:
    """The pipeline at a glance as of ``today``: a few aggregate queries; events
    are built only for a customer moved to another grade by then (its own rows)."""
    with _fresh_index(ws) as index:
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
    """Each customer's facts for the report from one aggregate pass: what
    ``rules.facts_of`` finds in the whole timeline (a test holds the two together).
    A customer moved to another grade by then goes the exact way, by its timeline."""
    until = today.isoformat()
    if customers is None:
        customers = _customers(ws, index, today)
    bounds = {r[0]: r for r in index.kind_bounds(until=until)}
    no_bounds: tuple[str | None, ...] = (None,) * 10
    facts: list[Facts] = []
    moved: list[str] = []  # keys of those moved to another grade by then
    for key, c in customers.items():
        if any(m.day <= today for m in c.moves):
            moved.append(key)
            continue
        # Each "day||date TAB kind TAB rel", or None.
        _, first_in, last_in, first_order, last_order, first_offer, last_offer, first_out = (
            bounds.get(key, no_bounds)[:8]
        )
        last_day, out_stamps = bounds.get(key, no_bounds)[8:]
        answers = [e for e in (last_in, last_order) if e is not None]
        answer = max(answers) if answers else None
        open_offer = None
        if last_offer is not None and not (
            answer is not None and later_stamp(_stamp(answer), _stamp(last_offer))
        ):
            open_offer = _named(last_offer, c.folder)
        outs = out_stamps.splitlines() if out_stamps else []
        facts.append(
            Facts(
                customer=c.name,
                grade=c.grade,
                last_contact=dt.date.fromisoformat(last_day) if last_day is not None else None,
                has_out=bool(outs),
                last_in=dt.date.fromisoformat(last_in[:10]) if last_in is not None else None,
                open_offer=open_offer,
                suggestion=earned_grade(
                    c.name,
                    c.grade,
                    order=_named(first_order, c.folder),
                    offer=_named(first_offer, c.folder),
                    reply=_named(first_in, c.folder),
                    out=_named(first_out, c.folder),
                ),
                before_reply=_before(outs, first_in),
                before_order=_before(outs, first_order),
                events=0,  # the total is counted once, in SQL
            )
        )
    if moved:
        for tl in _timelines(ws, index, today=today, only=moved, customers=customers):
            facts.append(facts_of(tl, today=today)._replace(events=0))
    return facts


def _out(line: str) -> tuple[str, str, str]:
    """(day||date, hex(rel), topic) of a line of ``latest_contacts``: sorted, in
    the order of ``events.load_events`` (by day, date, path)."""
    stamp, _, rest = line.partition("\t")
    rel, _, topic = rest.partition("\t")
    return stamp, rel, topic


def _stamp(bound: str) -> str:
    return bound.partition("\t")[0]


def _named(bound: str | None, folder: str) -> Ev | None:
    """The event a bound of ``kind_bounds`` stands for."""
    if bound is None:
        return None
    stamp, kind, rel = bound.split("\t", 2)
    day = dt.date.fromisoformat(stamp[:10])
    return Ev(kind, day, path=f"{folder}/{rel}", date=stamp[10:])


def _before(outs: list[str], target: str | None) -> int | None:
    """Follow-ups (days) before ``target``, as ``rules.follow_ups_before`` counts
    them; all known by their ``day || date`` stamps."""
    if target is None:
        return None
    stamp = _stamp(target)
    return len({x[:10] for x in outs if later_stamp(stamp, x)})


@dataclass(frozen=True)
class Overview:
    """What the report page shows: the report, who is due, every finding."""

    report: Report
    due: list[Due]
    findings: list[Finding]


def overview(ws: Workspace, *, today: dt.date) -> Overview:
    """The report, the due list and the findings from one refresh of the index."""
    with _fresh_index(ws) as index:
        customers = _customers(ws, index, today)
        timelines = _timelines(ws, index, today=today, customers=customers)
        items = _due(ws, index, today=today, within=0, customers=customers)
        result = _report(ws, index, today=today, customers=customers)
    return Overview(
        report=result,
        due=items,
        findings=_check(ws, timelines, today=today),
    )


def event_count(ws: Workspace) -> int:
    """Events in the index as the last refresh left it (no scan)."""
    with Index.open(ws.root) as index:
        return index.counts()[2]
