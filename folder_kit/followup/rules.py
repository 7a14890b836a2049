"""The follow-up rules of DOMAIN.md as pure functions: plain values in, plain values out.

No I/O and no clock: ``today`` is passed in, and events dated after it are not
known yet. A customer's events come in as ``Ev`` tuples (cheap: a check reads
every event of the workspace), oldest first.

Follow-ups sent on one day (a mail and the sample's courier note) count as one
follow-up: the course counts times the buyer was approached, not files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, cast

from folder_kit.terms import FOLLOW_UP_TOPICS
from folder_kit.workspace.layout import Grade

# Grades from least to most engaged: a suggestion only ever moves a customer up.
GRADE_RANK: Mapping[str, int] = {"P": 0, "D": 1, "C": 2, "B": 3, "A": 4}
CONTACT_KINDS = frozenset({"out", "in", "quote", "pi", "order"})
# Topics that are no reason to write: what no keyword matched.
NO_TOPIC = frozenset({"other", ""})
# The order ``due`` suggests reasons to write in; the drafts engine chooses by data.
SUGGESTED_TOPICS: tuple[str, ...] = (
    "price-update",
    "product-update",
    "company-news",
    "exhibition-invite",
    "holiday-greeting",
    "visit-invite",
    "self-check",
)
assert set(SUGGESTED_TOPICS) == set(FOLLOW_UP_TOPICS)

# The course's figures (US sales-association statistics): share of sales closed
# at the first contact, after the 1st, 2nd, 3rd and the 4th to 11th follow-up.
COURSE_SALES_SHARE: tuple[tuple[str, int], ...] = (
    ("first contact", 2),
    ("1st follow-up", 3),
    ("2nd follow-up", 5),
    ("3rd follow-up", 10),
    ("4th-11th follow-up", 80),
)
DISTRIBUTION_KEYS: tuple[str, ...] = ("0", "1", "2", "3", "4-11", "12+")

EVAPORATED_SELF_CHECK = (
    "Self-check, as the course asks. Our side: was the cold letter right; does the "
    "product fit (shape, structure, parameters); is the price too high? Their side: "
    "a stable supplier, a regional bias, the buyer busy or travelling, the mail "
    "filtered as spam, the buyer testing you. Gather: customer research, competitor "
    "research, market research; then follow up with what you found."
)


class Ev(NamedTuple):
    """One event of a customer's timeline, as the rules need it."""

    kind: str  # out in quote pi order card grade
    day: dt.date
    medium: str | None = None
    topic: str | None = None
    path: str = ""  # workspace-relative, "/"-separated
    at: dt.datetime | None = None  # when the time of day is known too
    subject: str | None = None
    from_grade: str | None = None  # grade events only
    to_grade: str | None = None


@dataclass(frozen=True)
class Timeline:
    """A customer and their events, oldest first."""

    customer: str  # the folder name, as `customer list` shows it
    grade: str  # the grade folder it is in now
    events: tuple[Ev, ...] = ()
    contacts: tuple[str, ...] = ()  # people in Contact.txt, primary first


@dataclass(frozen=True)
class Due:
    """A customer to follow up: when, and what the last contact was."""

    customer: str
    grade: str
    last_contact: dt.date | None
    due: dt.date
    days_overdue: int  # negative when not yet due
    cadence: int
    last_kind: str | None = None
    last_medium: str | None = None
    last_topic: str | None = None
    last_path: str | None = None
    suggested_topic: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "customer": self.customer,
            "grade": self.grade,
            "last_contact": self.last_contact.isoformat() if self.last_contact else None,
            "due": self.due.isoformat(),
            "days_overdue": self.days_overdue,
            "cadence": self.cadence,
            "last": (
                {
                    "kind": self.last_kind,
                    "medium": self.last_medium,
                    "topic": self.last_topic,
                    "path": self.last_path,
                }
                if self.last_kind is not None
                else None
            ),
            "suggested_topic": self.suggested_topic,
        }


@dataclass(frozen=True)
class Finding:
    """A taboo broken, a quote evaporated, or a change to make, with its evidence."""

    customer: str
    code: str
    message: str
    evidence: tuple[str, ...]
    remedy: str

    def as_json(self) -> dict[str, object]:
        return {
            "customer": self.customer,
            "code": self.code,
            "message": self.message,
            "evidence": list(self.evidence),
            "remedy": self.remedy,
        }


@dataclass(frozen=True)
class Suggestion:
    customer: str
    from_grade: str
    to_grade: str
    why: str
    evidence: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "customer": self.customer,
            "from": self.from_grade,
            "to": self.to_grade,
            "why": self.why,
        }


# --- grades and cadences -------------------------------------------------------


def grade_on(current: str, events: Iterable[Ev], day: dt.date) -> str:
    """The grade a customer had on ``day``: the folder's grade, unless moves after
    that day say it was another then."""
    moves = [e for e in events if e.kind == "grade" and e.from_grade and e.to_grade]
    grade = current
    for e in reversed(moves):
        if e.day > day:
            grade = e.from_grade or grade
        else:
            break
    return grade


def cadence_of(grade: str, cadence: Mapping[Grade, int], *, has_out: bool) -> int | None:
    """Days between follow-ups; a prospect has none until the first `out`, then D's."""
    if grade == "P":
        return cadence["D"] if has_out else None
    return cadence[cast(Grade, grade)]


def due_for(
    customer: str,
    grade: str,
    *,
    last: Ev | None,
    has_out: bool,
    cadence: Mapping[Grade, int],
    today: dt.date,
    suggested_topic: str | None = None,
) -> Due | None:
    """When ``customer`` is due: ``cadence`` days after the latest contact in either
    direction; a customer of A-D never contacted is due today; a prospect never
    written to has no due date (None)."""
    days = cadence_of(grade, cadence, has_out=has_out)
    if days is None:
        return None
    due = last.day + dt.timedelta(days=days) if last is not None else today
    return Due(
        customer=customer,
        grade=grade,
        last_contact=last.day if last is not None else None,
        due=due,
        days_overdue=(today - due).days,
        cadence=days,
        last_kind=last.kind if last else None,
        last_medium=last.medium if last else None,
        last_topic=last.topic if last else None,
        last_path=last.path if last else None,
        suggested_topic=suggested_topic,
    )


def suggest_topic(recent_topics: Sequence[str | None], *, has_out: bool, window: int) -> str:
    """A reason to write not used in the last ``window`` follow-ups (most recent
    last); the first letter to a prospect never written to."""
    if not has_out:
        return "first-contact"
    used = {t for t in recent_topics[-window:] if t}
    return next((t for t in SUGGESTED_TOPICS if t not in used), SUGGESTED_TOPICS[0])


# Among customers equally late: negotiating first (the course's top priority).
PRIORITY: Mapping[str, int] = {"B": 0, "A": 1, "C": 2, "D": 3, "P": 4}


def sort_due(items: Iterable[Due]) -> list[Due]:
    """Most overdue first; then B, A, C, D, prospects; then by name."""
    return sorted(items, key=lambda d: (-d.days_overdue, PRIORITY[d.grade], d.customer))
