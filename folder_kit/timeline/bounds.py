"""A customer's contacts in brief, found in its events: what ``Index.kind_bounds``
finds in SQL for every customer at once, for one customer whose events are at hand.

The facts the follow-up rules and the watcher's highlights rest on (the first and
last reply, order and offer, the first `out`, the latest contact) are these bounds,
from either source, so that a rule is stated once over them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from operator import attrgetter
from typing import Protocol, TypeVar

from folder_kit.timeline.index import Bound, KindBounds


class Contact(Protocol):
    """An event as the bounds read it: an ``events.Event`` (day as ISO text) or a
    ``rules.Ev`` (day as a date)."""

    @property
    def kind(self) -> str: ...
    @property
    def day(self) -> str | dt.date: ...
    @property
    def date(self) -> str: ...
    @property
    def path(self) -> str: ...


E = TypeVar("E", bound=Contact)

# The index's order of events: day, date, kind, then path (which within a customer
# orders as the path inside its folder does). Made in C: check asks it of every
# event of the workspace.
_ORDER = attrgetter("day", "date", "kind", "path")


def bounds_of(key: str, events: Iterable[Contact], folder: str = "") -> KindBounds | None:
    """What ``Index.kind_bounds`` finds for the customer keyed ``key``, found in its
    ``events`` (those up to the day judged); None when it has no contact.
    ``folder``: the customer's, which its events' paths start with."""
    ins, orders, offers, outs = contacts_by_kind(events)
    lasts = [max(group, key=_ORDER) for group in (ins, orders, offers, outs) if group]
    if not lasts:
        return None
    cut = len(folder) + 1 if folder else 0

    def bound(e: Contact | None) -> Bound | None:
        return None if e is None else Bound(_iso(e.day), e.date, e.kind, e.path[cut:])

    return KindBounds(
        customer=key,
        first_in=bound(first_of(ins)),
        last_in=bound(last_of(ins)),
        first_order=bound(first_of(orders)),
        last_order=bound(last_of(orders)),
        first_offer=bound(first_of(offers)),
        last_offer=bound(last_of(offers)),
        first_out=bound(first_of(outs)),
        last_day=_iso(max(e.day for e in lasts)),
        out_stamps=tuple(_iso(e.day) + e.date for e in outs),
    )


def contacts_by_kind(events: Iterable[E]) -> tuple[list[E], list[E], list[E], list[E]]:
    """Replies, orders, offers (quotes and PIs) and `out` events: a comprehension
    each, then min/max keyed in C (``first_of``, ``last_of``); a loop in Python
    per event cost three times this."""
    known = events if isinstance(events, list) else list(events)
    return (
        [e for e in known if e.kind == "in"],
        [e for e in known if e.kind == "order"],
        [e for e in known if e.kind == "quote" or e.kind == "pi"],
        [e for e in known if e.kind == "out"],
    )


def first_of(group: list[E]) -> E | None:
    """The first of ``group`` in the index's order of events."""
    return min(group, key=_ORDER) if group else None


def last_of(group: list[E]) -> E | None:
    return max(group, key=_ORDER) if group else None


def _iso(day: str | dt.date) -> str:
    return day if isinstance(day, str) else day.isoformat()
