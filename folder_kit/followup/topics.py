"""Choosing the topic of the next follow-up: a pure function of the customer's facts.

The course: "find a good excuse for every follow-up". A topic is a candidate
when its data exists and is new since the last follow-up (by any medium);
topics of the last N follow-ups are taken away; time-bound reasons (a holiday,
a fair) rank above new data (a price list, a certificate), which ranks above
standing ones.

The one chooser: `draft` writes about what it picks, and `due`, `due --ics` and
`report --html` suggest the same, with the same reason. Each caller finds the
plain facts its own way (``drafts.facts`` in a customer's events, ``pipeline``
in the index's aggregates) and ``topic_facts`` turns them into ``Facts``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from folder_kit.errors import TopicError
from folder_kit.followup.greetings import Holiday, upcoming_holidays
from folder_kit.terms import DRAFT_TOPICS
from folder_kit.workspace.config import Config, Exhibition
from folder_kit.workspace.thresholds import REPEAT_WINDOW

EXHIBITION_HORIZON = 90  # days ahead a fair is worth an invitation
HOLIDAY_LOOKAHEAD = 60  # days: how far --topic holiday-greeting looks for one


def en_date(day: dt.date) -> str:
    """25 December 2026."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class FileFact:
    """A file in 产品/ (or the last mail sent), dated like events."""

    path: str  # workspace-relative, "/"-separated
    day: dt.date

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Sent(FileFact):
    """What was last sent to a customer in writing: what a self-check completes."""

    what: str = "mail"  # as terms.written_as names it: mail, fax, document, quotation...


@dataclass(frozen=True)
class Facts:
    """What the topic choice knows about one customer, as of ``today``."""

    prospect: bool = False
    last_out: dt.date | None = None
    recent_topics: tuple[str | None, ...] = ()  # of the last N follow-ups, newest first
    last_sent: Sent | None = None  # what was last sent in writing, for a self-check
    last_subject: str = ""
    price_lists: tuple[FileFact, ...] = ()
    pictures: tuple[FileFact, ...] = ()
    certificates: tuple[FileFact, ...] = ()
    company_files: tuple[FileFact, ...] = ()
    exhibitions: tuple[Exhibition, ...] = ()
    holidays: tuple[Holiday, ...] = ()  # greetable, upcoming, soonest first
    holiday_window: tuple[int, int] = (3, 14)


@dataclass(frozen=True)
class Choice:
    topic: str
    reason: str
    attachments: tuple[FileFact, ...] = ()
    price_list: FileFact | None = None
    files: tuple[FileFact, ...] = ()  # the new pictures and certificates
    exhibition: Exhibition | None = None
    holiday: Holiday | None = None
    last_sent: Sent | None = None
    last_subject: str = ""


def stem(path: str) -> str:
    """A "/"-separated path's file name without its suffix, as ``PurePath.stem``
    gives it (without building a path object per customer)."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def topic_facts(
    *,
    prospect: bool,
    out_topics: Sequence[str | None],
    last_out: dt.date | None,
    last_sent: Sent | None,
    last_subject: str,
    country: str | None,
    products: Mapping[str, tuple[FileFact, ...]],
    config: Config,
    today: dt.date,
) -> Facts:
    """The Facts of one customer as of ``today``, from what every caller knows:
    ``out_topics``, the topics of its `out` events up to today, oldest first;
    ``last_sent``, what it was last sent in writing (what a self-check completes);
    ``country``, an ISO code; ``products``, the 产品/ files by key (read once
    per command). `draft` finds these in the customer's events, `due` in the
    index's aggregates; both end here, so both choose alike."""
    window = config.taboos[REPEAT_WINDOW]
    greet = config.holidays
    holidays: tuple[Holiday, ...] = ()
    if greet.greet:
        holidays = _holidays(country, today, greet.names, max(HOLIDAY_LOOKAHEAD, greet.lead_days))
    return Facts(
        prospect=prospect,
        last_out=last_out,
        recent_topics=tuple(reversed(out_topics[-window:])),
        last_sent=last_sent,
        last_subject=last_subject,
        price_lists=products["price_lists"],
        pictures=products["pictures"],
        certificates=products["certificates"],
        company_files=products["company_profile"],
        exhibitions=config.exhibitions,
        holidays=holidays,
        holiday_window=(greet.min_days, greet.lead_days),
    )


@lru_cache(maxsize=1024)  # `due` asks once per customer, and customers share countries
def _holidays(
    country: str | None, today: dt.date, names: tuple[str, ...], ahead: int
) -> tuple[Holiday, ...]:
    """Holidays to greet in ``country`` from ``today`` to ``ahead`` days on, soonest first."""
    if country is None:
        # No country on the card: New Year's Day is one holiday everybody keeps.
        new_year = dt.date(today.year + 1, 1, 1)
        if (new_year - today).days <= ahead:
            return (Holiday("New Year", "新年", new_year, "", "New Year's Day"),)
        return ()
    return tuple(upcoming_holidays(country, today=today, names=names, min_days=0, lead_days=ahead))


def _since(files: Sequence[FileFact], last_out: dt.date | None, today: dt.date) -> list[FileFact]:
    """Files dated after the last follow-up (all, before any), not after today, newest first."""
    return sorted(
        (f for f in files if f.day <= today and (last_out is None or f.day > last_out)),
        key=lambda f: (f.day, f.path),
        reverse=True,
    )


def _newest(files: Sequence[FileFact], today: dt.date) -> FileFact | None:
    known = sorted((f for f in files if f.day <= today), key=lambda f: (f.day, f.path))
    return known[-1] if known else None


def _after_last(facts: Facts) -> str:
    return f"since the last follow-up on {facts.last_out}" if facts.last_out else "not sent before"


def candidates(facts: Facts, *, today: dt.date) -> list[Choice]:
    """Every topic whose data exists and is new, best first."""
    if facts.prospect and facts.last_out is None:
        profile = _newest(facts.company_files, today)
        return [
            Choice(
                "first-contact",
                "a prospect not written to yet: the first letter introduces you",
                attachments=(profile,) if profile else (),
                files=(profile,) if profile else (),
            )
        ]
    timed: list[tuple[dt.date, Choice]] = []
    low, high = facts.holiday_window
    for h in facts.holidays:
        days = (h.day - today).days
        if low <= days <= high:
            timed.append(
                (
                    h.day,
                    Choice(
                        "holiday-greeting",
                        f"{h.name} is on {en_date(h.day)}, in {days} days"
                        f"{f' ({h.country})' if h.country else ''}: "
                        "a greeting sent in time",
                        holiday=h,
                    ),
                )
            )
            break
    for show in sorted(facts.exhibitions, key=lambda s: s.start):
        days = (show.start - today).days
        if 0 < days <= EXHIBITION_HORIZON:
            timed.append(
                (
                    show.start,
                    Choice(
                        "exhibition-invite",
                        f"{show.name} in {show.city} opens on {en_date(show.start)}, in {days} days:"
                        " an invitation early enough to plan a visit",
                        exhibition=show,
                    ),
                )
            )
            break
    out = [c for _, c in sorted(timed, key=lambda t: t[0])]
    prices = _since(facts.price_lists, facts.last_out, today)
    if prices:
        p = prices[0]
        out.append(
            Choice(
                "price-update",
                f"a new price list, {p.name} ({p.day}), {_after_last(facts)}",
                attachments=(p,),
                price_list=p,
            )
        )
    new_files = _since([*facts.certificates, *facts.pictures], facts.last_out, today)
    if new_files:
        shown = new_files[:3]
        names = ", ".join(f"{f.name} ({f.day})" for f in shown)
        out.append(
            Choice(
                "product-update",
                f"new in 产品/: {names}, {_after_last(facts)}",
                attachments=tuple(shown),
                files=tuple(shown),
            )
        )
    out += _standing(facts, today=today)
    return out


def _standing(facts: Facts, *, today: dt.date) -> list[Choice]:
    """Reasons that are always there: completing what was last sent in writing,
    company news, a visit."""
    out = []
    if facts.last_sent is not None:
        out.append(
            Choice(
                "self-check",
                f"nothing new since {facts.last_sent.day}: complete or correct the last "
                f"{facts.last_sent.what} sent ({facts.last_sent.name})",
                last_sent=facts.last_sent,
                last_subject=facts.last_subject,
            )
        )
    profile = _newest(facts.company_files, today)
    if profile is not None:
        out.append(
            Choice(
                "company-news",
                f"nothing new to show: news of the company, with {profile.name}",
                attachments=(profile,),
                files=(profile,),
            )
        )
    out.append(
        Choice(
            "visit-invite",
            "nothing new to show: an invitation to visit the factory keeps the door open",
        )
    )
    return out


def choose_topic(facts: Facts, *, today: dt.date, repeat_window: int = 2) -> Choice:
    """The best candidate whose topic was not used in the last ``repeat_window`` follow-ups."""
    found = candidates(facts, today=today)
    recent = {t for t in facts.recent_topics[:repeat_window] if t}
    fresh = [c for c in found if c.topic not in recent]
    skipped = tuple(dict.fromkeys(c.topic for c in found if c.topic in recent))
    if not fresh:
        # Every reason was used lately: the least bad is the one used longest ago.
        order = list(facts.recent_topics)
        best = max(found, key=lambda c: order.index(c.topic) if c.topic in order else len(order))
        return replace(best, reason=f"{best.reason} (used lately, but nothing else is new)")
    best = fresh[0]
    if skipped:
        reason = (
            f"{best.reason}; not {', '.join(skipped)}: used in the last {repeat_window} follow-ups"
        )
        return replace(best, reason=reason)
    return best


def forced_topic(facts: Facts, topic: str, *, today: dt.date) -> Choice:
    """The data for ``topic`` asked for by name (``--topic``), new or not."""
    for c in candidates(facts, today=today):
        if c.topic == topic:
            return replace(c, reason=f"asked for with --topic: {c.reason}")
    asked = "asked for with --topic"
    if topic == "first-contact":
        profile = _newest(facts.company_files, today)
        return Choice(
            topic,
            f"{asked}: a first letter",
            attachments=(profile,) if profile else (),
            files=(profile,) if profile else (),
        )
    if topic == "price-update":
        prices = sorted(facts.price_lists, key=lambda f: (f.day, f.path))
        prices = [p for p in prices if p.day <= today]
        if not prices:
            raise TopicError(topic=topic, reason="there is no price list in 产品/价格信息/")
        p = prices[-1]
        return Choice(topic, f"{asked}: the price list {p.name}", attachments=(p,), price_list=p)
    if topic == "product-update":
        files = sorted(
            (f for f in (*facts.certificates, *facts.pictures) if f.day <= today),
            key=lambda f: (f.day, f.path),
        )
        if not files:
            raise TopicError(
                topic=topic, reason="there is nothing in 产品/产品图片/ or 产品/认证证书/"
            )
        f = files[-1]
        return Choice(topic, f"{asked}: {f.name}", attachments=(f,), files=(f,))
    if topic == "exhibition-invite":
        shows = sorted((s for s in facts.exhibitions if s.start > today), key=lambda s: s.start)
        if not shows:
            raise TopicError(
                topic=topic, reason=f"folder-kit.yaml lists no exhibition after {today}"
            )
        return Choice(topic, f"{asked}: {shows[0].name}", exhibition=shows[0])
    if topic == "holiday-greeting":
        soon = [h for h in facts.holidays if h.day > today]
        if not soon:
            raise TopicError(
                topic=topic, reason="no holiday worth greeting in the customer's country soon"
            )
        return Choice(topic, f"{asked}: {soon[0].name} on {soon[0].day}", holiday=soon[0])
    if topic == "self-check":
        raise TopicError(
            topic=topic,
            reason="nothing was sent to this customer in writing yet (a mail, a fax, a "
            "document, a quotation or a PI)",
        )
    raise TopicError(topic=topic, reason=f"unknown topic (known: {', '.join(DRAFT_TOPICS)})")
