"""What matters among the new events: the few a salesperson should see at once."""

from __future__ import annotations

from collections.abc import Sequence

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
    with no reply since); the first reply of a prospect.
    """
    if event.kind == "order":
        return ORDER
    if event.kind != "in":
        return None
    earlier = [e for e in others if (e.day, e.date) <= (event.day, event.date)]
    replies = [e for e in others if e.kind == "in"]
    last_quote = max(((e.day, e.date) for e in earlier if e.kind in ("quote", "pi")), default=None)
    if last_quote is not None and not any(
        (e.day, e.date) >= last_quote for e in earlier if e.kind == "in"
    ):
        return REPLY_TO_QUOTE
    if not replies and event.grade in _NOT_YET_ANSWERED:
        return FIRST_ANSWER
    return None
