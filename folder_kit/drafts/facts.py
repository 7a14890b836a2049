"""What the topic choice needs about one customer, as `due` finds it.

The choice itself, and the Facts it reads, are ``followup.topics``'; the facts
come from the index's aggregates for this one customer, by the builder `due`
uses for every customer (``pipeline.choice_facts``), so both choose alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

from folder_kit.followup.pipeline import choice_facts
from folder_kit.followup.products import all_product_files
from folder_kit.followup.rules import Ev, grade_on
from folder_kit.followup.topics import Facts, FileFact, Received
from folder_kit.timeline.classify import CONTACT_KINDS
from folder_kit.timeline.events import Event
from folder_kit.timeline.index import Index
from folder_kit.workspace.customers import Customer
from folder_kit.workspace.find import Workspace


def customer_facts(
    ws: Workspace,
    index: Index,
    customer: Customer,
    events: Sequence[Event],
    *,
    country: str | None,
    today: dt.date,
    products: Mapping[str, tuple[FileFact, ...]] | None = None,
) -> Facts:
    """The Facts of ``customer`` (its ``events``, from ``index``) as of ``today``:
    events dated after it are not known yet. ``products``: ``all_product_files``,
    when gathered already."""
    if products is None:
        products = all_product_files(ws)
    # Its grade on that day, as `due` judges it: a later move is not known yet.
    moves = [
        Ev(
            "grade",
            dt.date.fromisoformat(e.day),
            from_grade=e.from_grade,
            to_grade=e.to_grade,
            stamp=e.stamp,
        )
        for e in events
        if e.kind == "grade"
    ]
    grade = grade_on(customer.grade, moves, today) if moves else customer.grade
    until, only = today.isoformat(), [customer.key]
    latest = index.latest_contacts(CONTACT_KINDS, until=until, customers=only)
    sent = index.last_sent(until=until, customers=only)
    folder = f"{ws.customers_dir.name}/{customer.path.parent.name}/{customer.path.name}"
    facts = choice_facts(
        ws,
        grade=grade,
        folder=folder,
        latest=latest[0] if latest else None,
        sent=sent[0] if sent else None,
        country=country,
        products=products,
        today=today,
    )
    # Their latest mail, with its subject (what a reply answers), from the events.
    ins = [e for e in events if e.kind == "in" and e.day <= until]
    if not ins:
        return facts
    last = ins[-1]
    last_in = Received(last.path, dt.date.fromisoformat(last.day), subject=last.subject or "")
    return replace(facts, last_in=last_in)
