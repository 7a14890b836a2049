"""`due --ics`: the follow-ups due as calendar to-dos (RFC 5545 VTODO), via icalendar.

One VTODO per customer, its UID derived from the customer's folder name only,
so importing a newer export updates the to-do instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Sequence

from folder_kit.followup.rules import Due

PRODID = "-//folder-kit//due//EN"
TOPIC_WORDS = {
    "self-check": "a correction or addition to what you sent",
    "price-update": "a price update",
    "product-update": "a product update",
    "company-news": "company news",
    "exhibition-invite": "an exhibition invitation",
    "visit-invite": "an invitation to visit the factory",
    "holiday-greeting": "a holiday greeting",
    "first-contact": "the first letter",
}


def uid_of(customer: str) -> str:
    """The stable UID of a customer's to-do."""
    key = unicodedata.normalize("NFC", customer).encode("utf-8")
    return f"{hashlib.sha256(key).hexdigest()[:24]}@folder-kit"


def calendar(items: Sequence[Due], *, stamp: dt.datetime) -> bytes:
    """The calendar file's bytes; ``stamp`` (a UTC time) is when it was made."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "folder-kit follow-ups")
    for item in items:
        todo = icalendar.Todo()
        todo.add("uid", uid_of(item.customer))
        todo.add("dtstamp", stamp)
        todo.add("last-modified", stamp)
        todo.add("due", item.due)
        todo.add("summary", f"Follow up {item.customer} ({item.grade})")
        todo.add("description", describe(item))
        todo.add("status", "NEEDS-ACTION")
        todo.add("priority", 1 if item.grade == "B" else 5)
        todo.add("categories", ["folder-kit", f"grade {item.grade}"])
        cal.add_component(todo)
    data: bytes = cal.to_ical()
    return data


def describe(item: Due) -> str:
    """The to-do's description: the last contact, how late, a topic to write about."""
    lines = []
    if item.last_contact is not None:
        lines.append(f"Last contact: {item.last_contact} ({item.last_what})")
        if item.last_path:
            lines.append(f"File: {item.last_path}")
    else:
        lines.append("No contact yet.")
    if item.days_overdue > 0:
        lines.append(f"{item.days_overdue} days overdue (cadence {item.cadence} days).")
    if item.suggested_topic:
        words = TOPIC_WORDS.get(item.suggested_topic, item.suggested_topic)
        lines.append(f"Suggested topic: {item.suggested_topic} ({words}).")
    return "\n".join(lines)
