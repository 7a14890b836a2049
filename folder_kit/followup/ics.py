"""`due --ics`: the follow-ups due as calendar to-dos (RFC 5545 VTODO), via icalendar.

One VTODO per customer, its UID derived from the customer's folder name only,
so importing a newer export updates the to-do instead of adding a second one.
A customer no longer due stays in the next exports for ``KEEP_DONE_DAYS``, marked
COMPLETED: a calendar that imports it closes the to-do (left out, it would stay
open on the phone). The last export is all the memory this needs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from folder_kit.followup.rules import Due

PRODID = "-//folder-kit//due//EN"
KEEP_DONE_DAYS = 60  # long enough for a phone that imports now and then
TOPIC_WORDS = {
    "self-check": "a correction or addition to what you sent",
    "price-update": "a price update",
    "product-update": "a product update",
    "company-news": "company news",
    "exhibition-invite": "an exhibition invitation",
    "visit-invite": "an invitation to visit the factory",
    "holiday-greeting": "a holiday greeting",
    "first-contact": "the first letter",
    "reply": "an answer to their mail",
}


def uid_of(customer: str) -> str:
    """The stable UID of a customer's to-do."""
    key = unicodedata.normalize("NFC", customer).encode("utf-8")
    return f"{hashlib.sha256(key).hexdigest()[:24]}@folder-kit"


def calendar(items: Sequence[Due], *, stamp: dt.datetime, last: bytes | None = None) -> bytes:
    """The calendar file's bytes; ``stamp`` (a UTC time) is when it was made;
    ``last``: the previous export, whose to-dos no longer due are closed."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "folder-kit follow-ups")
    before = _todos(last, icalendar) if last else {}
    for item in items:
        todo = icalendar.Todo()
        uid = uid_of(item.customer)
        todo.add("uid", uid)
        todo.add("dtstamp", stamp)
        todo.add("last-modified", stamp)
        todo.add("due", item.due)
        todo.add("summary", f"Follow up {item.customer} ({item.grade})")
        todo.add("description", describe(item))
        todo.add("status", "NEEDS-ACTION")
        todo.add("priority", 1 if item.grade == "B" else 5)
        todo.add("categories", ["folder-kit", f"grade {item.grade}"])
        old = before.pop(uid, None)
        if old is not None and str(old.get("status", "")) == "COMPLETED":
            todo.add("sequence", _sequence(old) + 1)  # due again: reopened
        elif old is not None and _sequence(old):
            todo.add("sequence", _sequence(old))
        cal.add_component(todo)
    for old in before.values():
        done = _closed(old, stamp, icalendar)
        if done is not None:
            cal.add_component(done)
    data: bytes = cal.to_ical()
    return data


def _todos(data: bytes, icalendar: Any) -> dict[str, Any]:
    """The previous export's to-dos by UID (none where it does not parse)."""
    try:
        cal = icalendar.Calendar.from_ical(data)
    except ValueError:
        return {}
    return {str(t["uid"]): t for t in cal.walk("VTODO") if "uid" in t}


def _sequence(todo: Any) -> int:
    try:
        return int(todo.get("sequence", 0))
    except (TypeError, ValueError):
        return 0


def _closed(old: Any, stamp: dt.datetime, icalendar: Any) -> Any | None:
    """``old`` marked COMPLETED as of ``stamp``; kept as it is where it was closed
    already, until ``KEEP_DONE_DAYS`` after; None after that."""
    if str(old.get("status", "")) == "COMPLETED":
        closed = old.get("completed")
        when = closed.dt if closed is not None else None
        if not isinstance(when, dt.datetime) or (stamp - _utc(when)).days > KEEP_DONE_DAYS:
            return None
        return old
    todo = icalendar.Todo()
    for key in ("uid", "due", "summary", "description", "priority", "categories"):
        if key in old:
            todo[key] = old[key]
    todo.add("dtstamp", stamp)
    todo.add("last-modified", stamp)
    todo.add("status", "COMPLETED")
    todo.add("completed", stamp)
    todo.add("percent-complete", 100)
    todo.add("sequence", _sequence(old) + 1)
    return todo


def _utc(when: dt.datetime) -> dt.datetime:
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def export(path: Path, items: Sequence[Due], *, stamp: dt.datetime) -> None:
    """Write the calendar to ``path``, closing what the export there (folder-kit's
    own, or none: another file is refused unread by ``write_export``) left open."""
    from folder_kit.errors import UnreadableFileError
    from folder_kit.files import read_regular, write_export

    last = None
    try:
        data = read_regular(path)
    except (OSError, UnreadableFileError):
        pass  # none yet, or not a file: write_export says what is wrong
    else:
        last = data if PRODID.encode() in data[:4096] else None
    write_export(path, calendar(items, stamp=stamp, last=last), marker=PRODID.encode())


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
    if item.dormant:
        lines.append("Dormant: silent for many cadences. Revive, or move down a grade.")
    if item.suggested_topic:
        words = TOPIC_WORDS.get(item.suggested_topic, item.suggested_topic)
        lines.append(f"Suggested topic: {item.suggested_topic} ({words}).")
    return "\n".join(lines)
