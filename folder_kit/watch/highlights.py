"""What matters among the new events: the few a salesperson should see at once."""

from __future__ import annotations

from collections.abc import Sequence

from folder_kit.timeline.bounds import bounds_of
from folder_kit.timeline.events import Event

ORDER = "order"
REPLY_TO_QUOTE = "reply-to-quote"
FIRST_ANSWER = "first-answer"

MESSAGES = {
    ORDER: "a new order",
    REPLY_TO_QUOTE: "a reply to an open quote",
    FIRST_ANSWER: "a first answer",
}

# Grades of customers who have never answered: a prospect, or D (contacted, no
# two-way exchange yet).
_NOT_YET_ANSWERED = ("P", "D")


def highlight(event: Event, others: Sequence[Event]) -> str | None:
    """Why ``event`` matters, or None; ``others`` are the customer's other events.

    An order; a reply (``in``) from a customer with an open quote (a quote or PI
    with no reply since); the first reply of a prospect. Read from the bounds of
    the events before it (``bounds.bounds_of``), as the follow-up facts are.
    """
    if event.kind == "order":
        return ORDER
    if event.kind != "in":
        return None
    moment = event.stamp
    before = bounds_of(event.customer, [e for e in others if e.stamp <= moment])
    offer = before.last_offer if before is not None else None
    reply = before.last_in if before is not None else None
    if offer is not None and (reply is None or reply.stamp < offer.stamp):
        return REPLY_TO_QUOTE
    if event.grade in _NOT_YET_ANSWERED and not any(e.kind == "in" for e in others):
        return FIRST_ANSWER
    return None
