"""What the topic choice needs about one customer, found in its events.

The choice itself, and the Facts it reads, are ``followup.topics``': `due`
finds the same values in the index's aggregates and chooses alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from folder_kit.followup.products import all_product_files
from folder_kit.followup.rules import Ev, grade_on
from folder_kit.followup.topics import Facts, FileFact, stem, topic_facts
from folder_kit.timeline.events import Event
from folder_kit.workspace.customers import Customer
from folder_kit.workspace.find import Workspace


def customer_facts(
    ws: Workspace,
    customer: Customer,
    events: Sequence[Event],
    *,
    country: str | None,
    today: dt.date,
    products: Mapping[str, tuple[FileFact, ...]] | None = None,
) -> Facts:
    """The Facts of ``customer`` as of ``today``: events dated after it are not known yet.
    ``products``: ``all_product_files``, when gathered already."""
    if products is None:
        products = all_product_files(ws)
    known = [e for e in events if dt.date.fromisoformat(e.day) <= today]
    outs = [e for e in known if e.kind == "out"]
    # What a self-check completes: the last mail or quotation, not a call or a visit.
    sent = [e for e in known if (e.kind == "out" and e.medium == "email") or e.kind == "quote"]
    last = sent[-1] if sent else None
    # Its grade on that day, as `due` judges it: a later move is not known yet.
    moves = [
        Ev("grade", dt.date.fromisoformat(e.day), from_grade=e.from_grade, to_grade=e.to_grade)
        for e in events
        if e.kind == "grade"
    ]
    grade = grade_on(customer.grade, moves, today) if moves else customer.grade
    return topic_facts(
        prospect=grade == "P",
        out_topics=[e.topic for e in outs],
        last_out=dt.date.fromisoformat(outs[-1].day) if outs else None,
        last_sent=(
            FileFact(last.path, dt.date.fromisoformat(last.day)) if last is not None else None
        ),
        last_subject=(last.subject or stem(last.path)) if last is not None else "",
        country=country,
        products=products,
        config=ws.config,
        today=today,
    )
