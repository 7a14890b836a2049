"""The follow-up rules of DOMAIN.md as pure functions: plain values in, plain values out.

No I/O and no clock: ``today`` is passed in, and events dated after it are not
known yet. A customer's events come in as ``Ev`` tuples (cheap: a check reads
every event of the workspace), oldest first.

Follow-ups sent on one day (a mail and the sample's courier note) count as one
follow-up: the course counts times the buyer was approached, not files.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, cast

from folder_kit.terms import FOLLOW_UP_TOPICS
from folder_kit.workspace.config import Taboos
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


# --- the timeline as the checks read it ----------------------------------------


def later(a: Ev, b: Ev) -> bool:
    """``a`` came after ``b``. On one day, only known times can order them: a reply
    dated the same day as the quote counts as coming after it, unless both
    carry times that say otherwise (an inquiry at 9:00 answered by a quote at 15:00)."""
    if a.day != b.day:
        return a.day > b.day
    if a.at is not None and b.at is not None:
        try:
            return a.at > b.at
        except TypeError:  # one time with an offset, one without
            return True
    return True


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


def _share(days: int, percent: int) -> float:
    return days * percent / 100


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _times(n: int) -> str:
    return {1: "1 follow-up"}.get(n, f"{n} follow-ups")


def _is_answer(events: Sequence[Ev], out: Ev) -> bool:
    """An `out` whose nearest earlier out-or-in is their `in`: answering them, which
    needs no excuse of its own."""
    before = [e for e in events if e.kind in ("in", "out") and e is not out and later(out, e)]
    return bool(before) and before[-1].kind == "in"


def check_timeline(
    tl: Timeline, *, today: dt.date, cadence: Mapping[Grade, int], taboos: Taboos
) -> list[Finding]:
    """Every finding for one customer as of ``today``: the taboos, an evaporated
    quote, the change-approach ladder, a grade to suggest. A healthy customer
    gives none."""
    events = [e for e in tl.events if e.day <= today]
    grade = grade_on(tl.grade, events, today)
    has_out = any(e.kind == "out" for e in events)
    days = cadence_of(grade, cadence, has_out=has_out)
    findings: list[Finding] = []

    def add(code: str, message: str, evidence: Iterable[Ev], remedy: str) -> None:
        paths = tuple(dict.fromkeys(e.path for e in evidence if e.path))
        findings.append(Finding(tl.customer, code, message, paths, remedy))

    recent_from = today - dt.timedelta(days=taboos.lookback)
    outs = [e for e in events if e.kind == "out"]
    recent = [e for e in outs if e.day >= recent_from]

    # 1. too direct: a follow-up that only pushes for the order.
    phrases = [p.casefold() for p in taboos.pushy_phrases]
    pushy = [
        (e, p)
        for e in recent
        for p in phrases
        if p in f"{e.subject or ''} {_name(e.path)}".casefold()
    ]
    pushy = list({id(e): (e, p) for e, p in pushy}.values())
    if pushy:
        first = pushy[0]
        add(
            "too-direct",
            f"{_times(len(pushy))} only push for the order: "
            f'"{first[1]}" in {_name(first[0].path)} ({first[0].day})',
            [e for e, _ in pushy],
            "Give the buyer a reason to answer instead: news, a new price, a product, "
            "an invitation. Pushing for the order is the quickest way to silence.",
        )

    # 2. the same topic as one of the last N follow-ups, with no reply between.
    repeats: list[Ev] = []
    firsts: list[tuple[Ev, Ev]] = []
    by_day = follow_up_days(events)
    for i, day_outs in enumerate(by_day):
        if day_outs[0].day < recent_from:
            continue
        earlier = [
            e
            for d in by_day[max(0, i - taboos.repeat_window) : i]
            for e in d
            if not any(r.kind == "in" and later(r, e) and later(day_outs[0], r) for r in events)
        ]
        for e in day_outs:
            if (e.topic or "") in NO_TOPIC:
                continue
            same = next((x for x in reversed(earlier) if x.topic == e.topic), None)
            if same is not None:
                repeats += [same, e]
                firsts.append((same, e))
    if firsts:
        old, new = firsts[-1]
        add(
            "repeated-topic",
            f"{new.day}: {new.topic} again, as on {old.day} ({_name(old.path)}), "
            "with no answer between",
            repeats,
            "Each follow-up needs a new reason: a price update, a new product, company "
            "news, a fair, a visit, a holiday greeting, a correction of what you sent.",
        )

    # 3. blind follow-up: no topic, no excuse.
    blind = [e for e in recent if (e.topic or "") in NO_TOPIC and not _is_answer(events, e)]
    if blind:
        add(
            "blind-follow-up",
            f"{_times(len(blind))} with no topic: "
            + ", ".join(f"{_name(e.path)} ({e.day})" for e in blind[-3:]),
            blind,
            "Find a good excuse for every follow-up, and put it in the subject: "
            "a new price, a product, news, an exhibition, a visit, a greeting.",
        )

    waiting = unanswered(events)
    # 4. gave up: several unanswered follow-ups, then silence.
    gave_up = False
    if days is not None and len(waiting) >= taboos.gave_up_after:
        silent = (today - waiting[-1][0].day).days
        limit = _share(days, taboos.gave_up_silence)
        if silent > limit:
            gave_up = True
            add(
                "gave-up",
                f"{_times(len(waiting))} since {waiting[0][0].day}, no answer, nothing "
                f"sent since {waiting[-1][0].day} ({_days(silent)}, more than "
                f"{taboos.gave_up_silence} % of the {days}-day cadence)",
                [e for d in waiting for e in d],
                "80 % of sales come after the 4th follow-up, and 80 % of salespeople give "
                "up after the 3rd: write again with a new topic, or call.",
            )

    # 5. two follow-ups closer than half a cadence, with no reply between.
    close: list[tuple[list[Ev], list[Ev], int]] = []
    for a, b in itertools.pairwise(by_day):
        if b[0].day < recent_from:
            continue
        gap_days = cadence_of(grade_on(tl.grade, events, b[0].day), cadence, has_out=True)
        if gap_days is None:
            continue
        if any(r.kind == "in" and later(r, a[-1]) and later(b[0], r) for r in events):
            continue
        gap = (b[0].day - a[0].day).days
        if gap < _share(gap_days, taboos.too_short):
            close.append((a, b, gap_days))
    if close:
        a, b, gap_days = close[-1]
        add(
            "too-short",
            f"follow-ups on {a[0].day} and {b[0].day}, {_days((b[0].day - a[0].day).days)} "
            f"apart with no answer between (less than {taboos.too_short} % of the "
            f"{gap_days}-day cadence)",
            [e for x, y, _ in close for e in (*x, *y)],
            f"Leave about {gap_days} days between follow-ups: a buyer who feels pressed "
            "stops answering.",
        )

    # 6. no contact for too long (gave-up already says so, and why).
    contacts = [e for e in events if e.kind in CONTACT_KINDS]
    if days is not None and contacts and not gave_up:
        quiet = (today - contacts[-1].day).days
        if quiet > _share(days, taboos.too_long):
            add(
                "too-long",
                f"no contact since {contacts[-1].day} ({_days(quiet)}; the cadence of "
                f"grade {grade} is {days} days)",
                [contacts[-1]],
                f"Follow up now, then every {days} days: out of sight, out of mind.",
            )

    # 7. the last N follow-ups all by one medium.
    run = outs[-taboos.single_medium_run :]
    if len(run) >= taboos.single_medium_run and len({e.medium for e in run}) == 1:
        add(
            "single-medium",
            f"the last {len(run)} follow-ups were all by {run[0].medium}, since {run[0].day}",
            run,
            "Change the medium: call, send a sample by courier, a WeChat/WhatsApp "
            "message, or visit; a buyer who ignores mail may answer the phone.",
        )

    # Evaporated: a quote or PI with no reply (nor order) after it for one cadence.
    if days is not None:
        offers = [e for e in events if e.kind in ("quote", "pi")]
        answers = [e for e in events if e.kind in ("in", "order")]
        open_offers = [o for o in offers if not any(later(a, o) for a in answers)]
        if open_offers:
            newest = open_offers[-1]
            age = (today - newest.day).days
            if age >= _share(days, taboos.evaporated_after):
                add(
                    "evaporated",
                    f"the {newest.kind} of {newest.day} ({_name(newest.path)}) has had "
                    f"no answer for {_days(age)}",
                    open_offers,
                    EVAPORATED_SELF_CHECK,
                )

    # Change approach: follow-ups keep failing.
    if len(waiting) >= taboos.change_approach_after:
        others = list(tl.contacts[1:])
        second = (
            f"write to {', '.join(others)} instead (Contact.txt)"
            if others
            else "find another buyer at the company and add them to Contact.txt"
        )
        add(
            "change-approach",
            f"{_times(len(waiting))} since {waiting[0][0].day} without an answer",
            [waiting[-1][0]],
            f"Change the approach, in this order: hand the customer to a colleague "
            f"(换同事); {second} (换客人); refer them to a partner company (换公司).",
        )

    suggestion = suggest_grade(tl, today=today)
    if suggestion is not None:
        evidence = [e for e in events if e.path in suggestion.evidence]
        add(
            "suggest-grade",
            f"{suggestion.why}: move from {suggestion.from_grade} to {suggestion.to_grade}",
            evidence,
            f"Move the folder to the grade {suggestion.to_grade} folder, or run "
            f"`folder-kit customer move NAME --grade {suggestion.to_grade}`.",
        )
    return findings


def suggest_grade(tl: Timeline, *, today: dt.date) -> Suggestion | None:
    """The grade the events since the last move earn, if higher than the current one:
    an order A; a quote or PI B; a two-way exchange C; a first `out` D. Never down,
    and never against a move the user made after the evidence."""
    events = [e for e in tl.events if e.day <= today]
    grade = grade_on(tl.grade, events, today)
    moves = [e for e in events if e.kind == "grade"]
    since = [e for e in events if not moves or later(e, moves[-1])]
    if moves:
        since = [e for e in since if e.kind != "grade"]

    def first(*kinds: str) -> Ev | None:
        return next((e for e in since if e.kind in kinds), None)

    order, offer, reply, out = first("order"), first("quote", "pi"), first("in"), first("out")
    if order is not None:
        earned, why, proof = "A", f"an order ({_name(order.path)}, {order.day})", [order]
    elif offer is not None:
        earned, why, proof = "B", f"a {offer.kind} ({_name(offer.path)}, {offer.day})", [offer]
    elif reply is not None and out is not None:
        earned, why, proof = "C", f"they answered ({_name(reply.path)}, {reply.day})", [reply]
    elif out is not None:
        earned, why, proof = "D", f"first contact made ({_name(out.path)}, {out.day})", [out]
    else:
        return None
    if GRADE_RANK[earned] <= GRADE_RANK[grade]:
        return None
    return Suggestion(tl.customer, grade, earned, why, tuple(e.path for e in proof))


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
    grade: str
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


def follow_ups_before(events: Sequence[Ev], kind: str) -> int | None:
    """How many follow-ups (days with an `out`) came before the first event of
    ``kind``; None when there is none."""
    target = next((e for e in events if e.kind == kind), None)
    if target is None:
        return None
    return len(follow_up_days([e for e in events if e.kind == "out" and later(target, e)]))


def open_quote(tl: Timeline, events: Sequence[Ev], today: dt.date) -> OpenQuote | None:
    """The customer's newest quote or PI that no reply or order came after."""
    answers = [e for e in events if e.kind in ("in", "order")]
    offers = [
        e for e in events if e.kind in ("quote", "pi") and not any(later(a, e) for a in answers)
    ]
    if not offers:
        return None
    o = offers[-1]
    return OpenQuote(tl.customer, tl.grade, o.path, o.day, (today - o.day).days)


def build_report(
    timelines: Iterable[Timeline], *, today: dt.date, cadence: Mapping[Grade, int]
) -> Report:
    """Per grade counts, open quotes, grade suggestions and the follow-up distributions."""
    stats: dict[str, dict[str, int]] = {
        g: {"customers": 0, "overdue": 0, "due_this_week": 0, "replied": 0} for g in PRIORITY
    }
    quotes: list[OpenQuote] = []
    suggestions: list[Suggestion] = []
    before_reply = dict.fromkeys(DISTRIBUTION_KEYS, 0)
    before_order = dict.fromkeys(DISTRIBUTION_KEYS, 0)
    customers = events_seen = 0
    for tl in timelines:
        customers += 1
        events = [e for e in tl.events if e.day <= today]
        events_seen += len(events)
        grade = grade_on(tl.grade, events, today)
        s = stats[grade]
        s["customers"] += 1
        contacts = [e for e in events if e.kind in CONTACT_KINDS]
        has_out = any(e.kind == "out" for e in contacts)
        item = due_for(
            tl.customer,
            grade,
            last=contacts[-1] if contacts else None,
            has_out=has_out,
            cadence=cadence,
            today=today,
        )
        if item is not None:
            if item.days_overdue > 0:
                s["overdue"] += 1
            elif item.days_overdue > -7:
                s["due_this_week"] += 1
        window = cadence_of(grade, cadence, has_out=True)
        if window is not None and any(
            e.kind == "in" and (today - e.day).days <= window for e in events
        ):
            s["replied"] += 1
        q = open_quote(tl, events, today)
        if q is not None:
            quotes.append(q)
        suggestion = suggest_grade(tl, today=today)
        if suggestion is not None:
            suggestions.append(suggestion)
        for kind, dist in (("in", before_reply), ("order", before_order)):
            n = follow_ups_before(events, kind)
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
