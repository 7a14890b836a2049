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
    def stamp(self) -> str: ...
    @property
    def path(self) -> str: ...


E = TypeVar("E", bound=Contact)

# The index's order of events: stamp (``instants``: the user's day, then the
# instant), kind, then path (which within a customer orders as the path inside its
# folder does). Made in C: check asks it of every event of the workspace.
_ORDER = attrgetter("stamp", "kind", "path")


def bounds_of(key: str, events: Iterable[Contact], folder: str = "") -> KindBounds | None:
    """What ``Index.kind_bounds`` finds for the customer keyed ``key``, found in its
    ``events`` (those up to the day judged, oldest first); None when it has no
    contact. ``folder``: the customer's, which its events' paths start with."""
    known = events if isinstance(events, list) else list(events)
    ins, orders, offers, outs = contacts_by_kind(known)
    lasts = [max(group, key=_ORDER) for group in (ins, orders, offers, outs) if group]
    if not lasts:
        return None
    cut = len(folder) + 1 if folder else 0

    def bound(e: Contact | None) -> Bound | None:
        return None if e is None else Bound(e.stamp, e.kind, e.path[cut:])

    first_in, first_order, first_offer, first_out = firsts_of(known)
    return KindBounds(
        customer=key,
        first_in=bound(first_in),
        last_in=bound(last_of(ins)),
        first_order=bound(first_order),
        last_order=bound(last_of(orders)),
        first_offer=bound(first_offer),
        last_offer=bound(last_of(offers)),
        first_out=bound(first_out),
        last_day=_iso(max(e.day for e in lasts)),
        out_stamps=tuple(e.stamp for e in outs),
    )


def contacts_by_kind(events: Iterable[E]) -> tuple[list[E], list[E], list[E], list[E]]:
    """Replies, orders, offers (quotes and PIs) and `out` events: a comprehension
    each, then max keyed in C (``last_of``)."""
    known = events if isinstance(events, list) else list(events)
    return (
        [e for e in known if e.kind == "in"],
        [e for e in known if e.kind == "order"],
        [e for e in known if e.kind == "quote" or e.kind == "pi"],
        [e for e in known if e.kind == "out"],
    )


def firsts_of(events: Iterable[E]) -> tuple[E | None, E | None, E | None, E | None]:
    """The first reply, order, offer and `out` in the index's order, of ``events``
    oldest first (by stamp, as a timeline holds them): in one pass, as check asks
    it of every customer; only events of one moment are compared further (by kind,
    then path)."""
    reply = order = offer = out = None
    for e in events:
        kind = e.kind
        if kind == "out":
            if out is None or _before(e, out):
                out = e
        elif kind == "in":
            if reply is None or _before(e, reply):
                reply = e
        elif kind == "quote" or kind == "pi":
            if offer is None or _before(e, offer):
                offer = e
        elif kind == "order" and (order is None or _before(e, order)):
            order = e
    return reply, order, offer, out


def _before(e: Contact, first: Contact) -> bool:
    """``e``, seen after ``first``, comes before it all the same: of the same moment,
    with a kind or path that sorts first."""
    return e.stamp == first.stamp and _ORDER(e) < _ORDER(first)


def last_of(group: list[E]) -> E | None:
    return max(group, key=_ORDER) if group else None


def _iso(day: str | dt.date) -> str:
    return day if isinstance(day, str) else day.isoformat()
