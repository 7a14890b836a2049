"""The follow-up rules of docs/domain.md as pure functions: plain values in, plain values out.

No I/O and no clock: ``today`` is passed in, and events dated after it are not
known yet. A customer's events come in as ``Ev`` tuples (cheap: a check reads
every event of the workspace), oldest first.

Follow-ups sent on one day (a mail and the sample's courier note) count as one
follow-up: the course counts times the buyer was approached, not files.

The taboo checks that read these timelines are in ``followup/taboos/``, one module each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, cast, overload

from folder_kit.subjects import clean_subject, stem
from folder_kit.timeline.bounds import bounds_of, firsts_of
from folder_kit.timeline.index import Bound, KindBounds
from folder_kit.timeline.instants import stamp_of_text
from folder_kit.workspace.layout import Grade

# Grades from least to most engaged: a suggestion only ever moves a customer up.
GRADE_RANK: Mapping[str, int] = {"P": 0, "D": 1, "C": 2, "B": 3, "A": 4}
CONTACT_KINDS = frozenset({"out", "in", "quote", "pi", "order"})
# Topics that are no reason to write: what no keyword matched.
NO_TOPIC = frozenset({"other", ""})

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


class Ev(NamedTuple):
    """One event of a customer's timeline, as the rules need it."""

    kind: str  # out in quote pi order card grade
    day: dt.date
    medium: str | None = None
    topic: str | None = None
    path: str = ""  # workspace-relative, "/"-separated
    date: str = ""  # ISO 8601 as the index holds it: a day, or a time with its offset
    subject: str | None = None
    from_grade: str | None = None  # grade events only
    to_grade: str | None = None
    # instants.stamp: the order of events (the user's day, then the instant). The
    # index gives it; "" for one made by hand, ordered by its day and date then.
    stamp: str = ""


@dataclass(frozen=True)
class Timeline:
    """A customer and their events, oldest first."""

    customer: str  # the folder name, as `customer list` shows it
    grade: str  # the grade on the day judged (the pipeline undoes later moves)
    events: tuple[Ev, ...] = ()
    contacts: tuple[str, ...] = ()  # people in Contact.txt, primary first
    folder: str = ""  # workspace-relative


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
    suggested_topic: str | None = None  # what `draft` would write about (topics.choose_topic)
    suggested_reason: str | None = None  # and why, in the words `draft` gives
    # What the last contact was about: its subject, else its file name, cleaned
    # (subjects.clean_subject); None when there was none, or it says nothing.
    last_subject: str | None = None
    # Silent for more than `taboos.dormant_after` cadences: to revive, or to move
    # down a grade, rather than one more follow-up among those due this week.
    dormant: bool = False

    @property
    def last_what(self) -> str:
        """The last contact's kind, medium and topic, as far as known: "out email quote"."""
        return " ".join(p for p in (self.last_kind, self.last_medium, self.last_topic) if p)

    @property
    def last_said(self) -> str:
        """The last contact's kind and medium, and what it was about: "in email: Price
        list 2027" (``last_what`` where its subject says nothing)."""
        if not self.last_subject:
            return self.last_what
        how = " ".join(p for p in (self.last_kind, self.last_medium) if p)
        return f"{how}: {self.last_subject}"

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
                    "subject": self.last_subject,
                }
                if self.last_kind is not None
                else None
            ),
            "suggested_topic": self.suggested_topic,
            "dormant": self.dormant,
        }


@dataclass(frozen=True)
class Finding:
    """A taboo broken, a quote evaporated, or a change to make, with its evidence."""

    customer: str
    code: str
    message: str
    evidence: tuple[str, ...]
    remedy: str
    # The message's facts by name, for saying it in another language (the page).
    data: Mapping[str, object] = field(default_factory=dict, compare=False)

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


@overload
def cadence_of(grade: str, cadence: Mapping[Grade, int], *, has_out: Literal[True]) -> int: ...
@overload
def cadence_of(grade: str, cadence: Mapping[Grade, int], *, has_out: bool) -> int | None: ...
def cadence_of(grade: str, cadence: Mapping[Grade, int], *, has_out: bool) -> int | None:
    """Days between follow-ups; a prospect has none until the first `out`, then D's."""
    if grade == "P":
        return cadence["D"] if has_out else None
    return cadence[cast(Grade, grade)]


def due_day(
    grade: str,
    last: dt.date | None,
    *,
    has_out: bool,
    cadence: Mapping[Grade, int],
    today: dt.date,
) -> dt.date | None:
    """The day a follow-up is due (see ``due_for``), or None for a prospect never written to."""
    days = cadence_of(grade, cadence, has_out=has_out)
    if days is None:
        return None
    return last + dt.timedelta(days=days) if last is not None else today


def due_for(
    customer: str,
    grade: str,
    *,
    last: Ev | None,
    has_out: bool,
    cadence: Mapping[Grade, int],
    today: dt.date,
    suggested_topic: str | None = None,
    suggested_reason: str | None = None,
    dormant_after: int | None = None,
) -> Due | None:
    """When ``customer`` is due: ``cadence`` days after the latest contact in either
    direction; a customer of A-D never contacted is due today; a prospect never
    written to has no due date (None). Dormant when silent for more than
    ``dormant_after`` cadences (None: never)."""
    days = cadence_of(grade, cadence, has_out=has_out)
    due = due_day(grade, last.day if last else None, has_out=has_out, cadence=cadence, today=today)
    if days is None or due is None:
        return None
    subject = clean_subject(last.subject or stem(last.path)) if last is not None else ""
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
        suggested_reason=suggested_reason,
        last_subject=subject or None,
        dormant=is_dormant(last.day if last else None, days, dormant_after, today=today),
    )


# Dormant is never sooner than this many days of silence, whatever the cadence: a
# negotiating customer (every 7 days) silent for a month is late, not lost.
DORMANT_MIN_DAYS = 60


def is_dormant(
    last: dt.date | None, cadence: int, dormant_after: int | None, *, today: dt.date
) -> bool:
    """Whether a customer last contacted on ``last`` has been silent for more than
    ``dormant_after`` cadences of ``cadence`` days (and DORMANT_MIN_DAYS) by
    ``today``: `due` lists them apart, and their next draft is a revival. One never
    contacted is not: there is nothing to revive, and it is due today."""
    if last is None or dormant_after is None:
        return False
    return (today - last).days > max(dormant_after * cadence, DORMANT_MIN_DAYS)


# Among customers equally late: negotiating first (the course's top priority).
PRIORITY: Mapping[str, int] = {"B": 0, "A": 1, "C": 2, "D": 3, "P": 4}


def sort_due(items: Iterable[Due]) -> list[Due]:
    """Most overdue first; then B, A, C, D, prospects; then by name."""
    return sorted(items, key=lambda d: (-d.days_overdue, PRIORITY[d.grade], d.customer))


def first_things_first(items: Iterable[Due]) -> tuple[list[Due], list[Due]]:
    """Those due split as a salesperson acts on them: the ones to follow up now, and
    the dormant ones (to revive, or move down a grade); each by how much it
    matters: by grade (B, A, C, D, prospects), then most overdue, then by name."""
    ranked = sorted(items, key=lambda d: (PRIORITY[d.grade], -d.days_overdue, d.customer))
    return [d for d in ranked if not d.dormant], [d for d in ranked if d.dormant]


# --- the timeline as the checks read it ----------------------------------------


def later(a: Ev, b: Ev) -> bool:
    """``a`` came after ``b`` (or at the same moment, which is all that is known of two
    events of one day without times: a reply dated the day of the quote counts as
    its answer). In the one order of events (``instants``): by the user's day, an
    event known by its day alone before the timed ones of that day, timed ones by
    their instant."""
    return (a.stamp or _stamp(a)) >= (b.stamp or _stamp(b))


def later_stamp(a: str, b: str) -> bool:
    """``later`` for events known by their stamps (as SQL aggregates give them)."""
    return a >= b


def _stamp(e: Ev) -> str:
    return stamp_of_text(e.day.isoformat(), e.date)


def _stamped(events: Iterable[Ev]) -> list[Ev]:
    """``events`` each with its stamp, for the bounds, which order by it alone."""
    return [e if e.stamp else e._replace(stamp=_stamp(e)) for e in events]


def follow_up_days(events: Sequence[Ev]) -> list[list[Ev]]:
    """The `out` events grouped by day, oldest first: one follow-up each."""
    days: list[list[Ev]] = []
    for e in events:
        if e.kind != "out":
            continue
        if days and days[-1][0].day == e.day:
            days[-1].append(e)
        else:
            days.append([e])
    return days


def unanswered(events: Sequence[Ev]) -> list[list[Ev]]:
    """The follow-ups (by day) after the latest reply, oldest first."""
    replies = [e for e in events if e.kind == "in"]
    last_in = replies[-1] if replies else None
    outs = [e for e in events if e.kind == "out" and (last_in is None or later(e, last_in))]
    return follow_up_days(outs)


def unanswered_offers(events: Sequence[Ev]) -> list[Ev]:
    """The quotes and PIs that no reply or order came after, oldest first."""
    last = next((e for e in reversed(events) if e.kind in ("in", "order")), None)
    return [e for e in events if e.kind in ("quote", "pi") and (last is None or not later(last, e))]


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def needs_excuse(events: Sequence[Ev], out: Ev) -> bool:
    """Whether an `out` needed a topic of its own. Not a visit (meeting is the
    reason), nor one sent the day a quote or PI went out (it carries it), nor an
    answer: one whose nearest earlier out-or-in is their `in`."""
    if out.medium == "visit":
        return False
    if any(e.kind in ("quote", "pi") and e.day == out.day for e in events):
        return False
    before = [e for e in events if e.kind in ("in", "out") and e is not out and later(out, e)]
    return not (before and before[-1].kind == "in")


def suggest_grade(tl: Timeline, *, today: dt.date) -> Suggestion | None:
    """The grade the events since the last move earn, if higher than the current one:
    an order A; a quote or PI B; a two-way exchange C; a first `out` D. Never down,
    and never against a move the user made after the evidence."""
    events = _stamped(e for e in tl.events if e.day <= today)
    moves = [e for e in events if e.kind == "grade"]
    since = [e for e in events if later(e, moves[-1])] if moves else events
    # The first of each kind as ``bounds_of`` finds it, without the rest of the bounds:
    # check asks this of every customer.
    reply, order, offer, out = firsts_of(since)
    return earned_grade(tl.customer, tl.grade, order=order, offer=offer, reply=reply, out=out)


def _suggestion(
    customer: str, grade: str, folder: str, since: KindBounds | None
) -> Suggestion | None:
    """What the first contacts of each kind since the last move (``since``) earn."""
    if since is None:
        return None
    return earned_grade(
        customer,
        grade,
        order=_bound_event(since.first_order, folder),
        offer=_bound_event(since.first_offer, folder),
        reply=_bound_event(since.first_in, folder),
        out=_bound_event(since.first_out, folder),
    )


def earned_grade(
    customer: str,
    grade: str,
    *,
    order: Ev | None,
    offer: Ev | None,
    reply: Ev | None,
    out: Ev | None,
) -> Suggestion | None:
    """The suggestion the first order, quote or PI, reply and `out` since the last
    move earn a customer of ``grade``, if any."""
    if order is not None:
        earned, proof, why = "A", order, "an order"
    elif offer is not None:
        earned, proof, why = "B", offer, f"a {offer.kind}"
    elif reply is not None and out is not None:
        earned, proof, why = "C", reply, "they answered"
    elif out is not None:
        earned, proof, why = "D", out, "first contact made"
    else:
        return None
    if GRADE_RANK[earned] <= GRADE_RANK[grade]:
        return None
    why = f"{why} ({_name(proof.path)}, {proof.day})"
    return Suggestion(customer, grade, earned, why, (proof.path,))


# --- the pipeline at a glance --------------------------------------------------


@dataclass(frozen=True)
class GradeStats:
    customers: int = 0
    overdue: int = 0  # due before today
    due_this_week: int = 0  # due today or in the next 6 days
    replied: int = 0  # an answer within the last cadence

    def as_json(self) -> dict[str, int]:
        return {
            "customers": self.customers,
            "overdue": self.overdue,
            "due_this_week": self.due_this_week,
            "replied": self.replied,
        }


@dataclass(frozen=True)
class OpenQuote:
    customer: str
    path: str
    day: dt.date
    days: int

    def as_json(self) -> dict[str, object]:
        return {
            "customer": self.customer,
            "path": self.path,
            "date": self.day.isoformat(),
            "days": self.days,
        }


@dataclass(frozen=True)
class Report:
    today: dt.date
    grades: Mapping[str, GradeStats]
    open_quotes: tuple[OpenQuote, ...]
    suggestions: tuple[Suggestion, ...]
    follow_ups_before_reply: Mapping[str, int]
    follow_ups_before_order: Mapping[str, int]
    customers: int = 0
    events: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "grades": {g: s.as_json() for g, s in self.grades.items()},
            "open_quotes": [q.as_json() for q in self.open_quotes],
            "suggestions": [s.as_json() for s in self.suggestions],
            "follow_ups_before_reply": dict(self.follow_ups_before_reply),
            "follow_ups_before_order": dict(self.follow_ups_before_order),
        }


def bucket(n: int) -> str:
    """The key of a distribution a count of follow-ups falls in."""
    if n <= 3:
        return str(n)
    return "4-11" if n <= 11 else "12+"


class Facts(NamedTuple):
    """What the report needs of one customer, as of the day judged: built by
    ``facts_from`` alone, from the bounds of its contacts, whether the index's
    aggregates gave them (``Index.kind_bounds``) or its events (``bounds_of``)."""

    customer: str
    grade: str  # on that day
    last_contact: dt.date | None
    has_out: bool
    last_in: dt.date | None
    open_offer: Ev | None  # the newest quote or PI no reply or order came after
    suggestion: Suggestion | None
    before_reply: int | None  # follow-ups before their first reply
    before_order: int | None
    events: int  # events up to that day


def facts_from(
    customer: str,
    grade: str,
    folder: str,
    bounds: KindBounds | None,
    *,
    moved: bool = False,
    since: KindBounds | None = None,
    events: int = 0,
) -> Facts:
    """The facts of one customer (folder name ``customer``, ``grade`` on the day
    judged, workspace-relative ``folder``) from the bounds of its contacts up to
    that day (None: it has none). A customer ``moved`` to another grade by then
    is suggested a grade by ``since``, the bounds of its contacts after the
    last move, alone."""
    b = bounds if bounds is not None else _NO_BOUNDS
    answers = [x for x in (b.last_in, b.last_order) if x is not None]
    answer = max(answers) if answers else None
    open_offer = None
    if b.last_offer is not None and not (
        answer is not None and later_stamp(answer.stamp, b.last_offer.stamp)
    ):
        open_offer = _bound_event(b.last_offer, folder)
    return Facts(
        customer=customer,
        grade=grade,
        last_contact=dt.date.fromisoformat(b.last_day) if b.last_day is not None else None,
        has_out=bool(b.out_stamps),
        last_in=dt.date.fromisoformat(b.last_in.day) if b.last_in is not None else None,
        open_offer=open_offer,
        suggestion=_suggestion(customer, grade, folder, since if moved else bounds),
        before_reply=_outs_before(b.out_stamps, b.first_in),
        before_order=_outs_before(b.out_stamps, b.first_order),
        events=events,
    )


_NO_BOUNDS = KindBounds("", None, None, None, None, None, None, None, None, ())


def _bound_event(bound: Bound | None, folder: str) -> Ev | None:
    if bound is None:
        return None
    path = f"{folder}/{bound.rel}" if folder else bound.rel
    return Ev(bound.kind, dt.date.fromisoformat(bound.day), path=path, stamp=bound.stamp)


def _outs_before(stamps: Sequence[str], target: Bound | None) -> int | None:
    """Follow-ups (days with an `out`) before ``target``."""
    if target is None:
        return None
    stamp = target.stamp
    return len({x[:10] for x in stamps if later_stamp(stamp, x)})


def facts_of(tl: Timeline, *, today: dt.date) -> Facts:
    """The facts of a customer from its whole timeline: its events up to ``today``
    brought to bounds, then ``facts_from`` as for any other."""
    events = _stamped(e for e in tl.events if e.day <= today)
    moves = [e for e in events if e.kind == "grade"]
    after = [e for e in events if later(e, moves[-1])] if moves else []
    return facts_from(
        tl.customer,
        tl.grade,
        tl.folder,
        bounds_of(tl.customer, events, tl.folder),
        moved=bool(moves),
        since=bounds_of(tl.customer, after, tl.folder),
        events=len(events),
    )


def build_report(
    timelines: Iterable[Timeline], *, today: dt.date, cadence: Mapping[Grade, int]
) -> Report:
    """Per grade counts, open quotes, grade suggestions and the follow-up distributions."""
    return report_of((facts_of(tl, today=today) for tl in timelines), today=today, cadence=cadence)


def report_of(facts: Iterable[Facts], *, today: dt.date, cadence: Mapping[Grade, int]) -> Report:
    """The report from each customer's facts."""
    stats: dict[str, dict[str, int]] = {
        g: {"customers": 0, "overdue": 0, "due_this_week": 0, "replied": 0} for g in PRIORITY
    }
    quotes: list[OpenQuote] = []
    suggestions: list[Suggestion] = []
    before_reply = dict.fromkeys(DISTRIBUTION_KEYS, 0)
    before_order = dict.fromkeys(DISTRIBUTION_KEYS, 0)
    customers = events_seen = 0
    for f in facts:
        customers += 1
        events_seen += f.events
        s = stats[f.grade]
        s["customers"] += 1
        when = due_day(f.grade, f.last_contact, has_out=f.has_out, cadence=cadence, today=today)
        if when is not None:
            late = (today - when).days
            if late > 0:
                s["overdue"] += 1
            elif late > -7:
                s["due_this_week"] += 1
        window = cadence_of(f.grade, cadence, has_out=True)
        if window is not None and f.last_in is not None and (today - f.last_in).days <= window:
            s["replied"] += 1
        o = f.open_offer
        if o is not None:
            quotes.append(OpenQuote(f.customer, o.path, o.day, (today - o.day).days))
        if f.suggestion is not None:
            suggestions.append(f.suggestion)
        for n, dist in ((f.before_reply, before_reply), (f.before_order, before_order)):
            if n is not None:
                dist[bucket(n)] += 1
    quotes.sort(key=lambda q: (-q.days, q.customer))
    suggestions.sort(key=lambda s: (-GRADE_RANK[s.to_grade], s.customer))
    return Report(
        today=today,
        grades={g: GradeStats(**stats[g]) for g in ("A", "B", "C", "D", "P")},
        open_quotes=tuple(quotes),
        suggestions=tuple(suggestions),
        follow_ups_before_reply=before_reply,
        follow_ups_before_order=before_order,
        customers=customers,
        events=events_seen,
    )
