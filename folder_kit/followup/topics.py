"""Choosing the topic of the next follow-up: a pure function of the customer's facts.

The course: "find a good excuse for every follow-up". A topic is a candidate
when its data exists and is new since the last follow-up (by any medium);
topics of the last N follow-ups are taken away; time-bound reasons (a holiday,
a fair) rank above new data (a price list, a certificate), which ranks above
standing ones.

The moment decides too: a customer who wrote and was never answered gets a
reply, never a cold first letter; a self-check completes only what was sent
within the last two cadences; after a long silence (dormant, as `due` lists the
customer: ``taboos.dormant_after`` cadences without contact, two months at least)
the mail is a revival, which says so, and its reason is
something new where there is one.

The one chooser: `draft` writes about what it picks, and `due`, `due --ics` and
`report --html` suggest the same, with the same reason. Each caller finds the
plain facts its own way (``drafts.facts`` in a customer's events, ``pipeline``
in the index's aggregates) and ``topic_facts`` turns them into ``Facts``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from folder_kit.errors import TopicError
from folder_kit.followup.greetings import Holiday, upcoming_holidays
from folder_kit.followup.rules import cadence_of, is_dormant
from folder_kit.subjects import short_subject
from folder_kit.subjects import stem as stem
from folder_kit.terms import DRAFT_TOPICS
from folder_kit.workspace.config import Config, Exhibition
from folder_kit.workspace.thresholds import DORMANT_AFTER, REPEAT_WINDOW

EXHIBITION_HORIZON = 90  # days ahead a fair is worth an invitation
HOLIDAY_LOOKAHEAD = 60  # days: how far --topic holiday-greeting looks for one
SELF_CHECK_WITHIN = 2  # cadences: what was sent longer ago is no longer completed


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
class Received(FileFact):
    """The customer's latest mail (or other `in`): what a reply answers."""

    subject: str = ""


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
    cadence: int | None = None  # days; None for a prospect never written to
    last_contact: dt.date | None = None  # the latest contact, either way
    last_in: Received | None = None  # their latest mail, when known
    long_silence: int = DORMANT_AFTER.default  # cadences: `taboos.dormant_after`


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
    last_in: Received | None = None  # what a reply answers
    silent_since: dt.date | None = None  # a revival: the day of the last contact
    # The 产品/ folders (products.PRODUCT_KEYS) the mail would draw on, but which are empty.
    missing: tuple[str, ...] = ()


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
    grade: str | None = None,
    last_contact: dt.date | None = None,
    last_in: Received | None = None,
) -> Facts:
    """The Facts of one customer as of ``today``, from what every caller knows:
    ``out_topics``, the topics of its `out` events up to today, oldest first;
    ``last_sent``, what it was last sent in writing (what a self-check completes);
    ``country``, an ISO code; ``products``, the 产品/ files by key (read once
    per command); ``grade`` on that day (its cadence); ``last_contact``, the day of
    the latest contact either way; ``last_in``, its latest `in`, when known.
    `draft` finds these in the customer's events, `due` in the index's aggregates;
    both end here, so both choose alike."""
    window = config.taboos[REPEAT_WINDOW]
    long_silence = config.taboos[DORMANT_AFTER]
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
        cadence=None
        if grade is None
        else cadence_of(grade, config.cadence, has_out=bool(out_topics)),
        last_contact=last_contact,
        last_in=last_in,
        long_silence=long_silence,
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


def silent_since(facts: Facts, today: dt.date) -> dt.date | None:
    """The day of the last contact, when the customer is dormant by then (the one rule
    `due` lists them by, ``rules.is_dormant``): the next mail is a revival."""
    if facts.last_contact is None or facts.cadence is None:
        return None
    dormant = is_dormant(facts.last_contact, facts.cadence, facts.long_silence, today=today)
    return facts.last_contact if dormant else None


def _introducing(choice: Choice, facts: Facts, today: dt.date) -> Choice:
    """A letter that introduces you: the company profile attached, or said missing."""
    profile = _newest(facts.company_files, today)
    if profile is None:
        return replace(choice, missing=("company_profile",))
    return replace(choice, attachments=(profile,), files=(profile,))


def _reply(facts: Facts, last_in: Received) -> Choice:
    about = f" ({short_subject(last_in.subject)})" if last_in.subject else ""
    unanswered = (
        " and were never written to: answer them (never a cold first letter)"
        if facts.last_out is None
        else ": answer that mail"
    )
    return Choice("reply", f"they wrote on {last_in.day}{about}{unanswered}", last_in=last_in)


def candidates(facts: Facts, *, today: dt.date) -> list[Choice]:
    """Every topic whose data exists and is new, best first."""
    if facts.last_out is None and facts.last_in is not None:
        # They wrote first and were never answered: a reply, with the profile if any.
        reply = _introducing(_reply(facts, facts.last_in), facts, today)
        return [reply, *_standing(facts, today=today)]
    if facts.prospect and facts.last_out is None and facts.last_contact is None:
        first = Choice(
            "first-contact", "a prospect not written to yet: the first letter introduces you"
        )
        return [_introducing(first, facts, today)]
    since = silent_since(facts, today)
    found = _timely(facts, today=today)
    if since is None:
        return found
    gone = (today - since).days
    return [
        replace(
            c,
            reason=f"no contact since {since} ({gone} days): a revival; {c.reason}",
            silent_since=since,
        )
        for c in found
    ]


def _timely(facts: Facts, *, today: dt.date) -> list[Choice]:
    """The reasons to write again, time-bound first, then new data, then standing ones."""
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
    sent = facts.last_sent
    # Completing what was sent long ago reads oddly: only within the last cadence or two.
    if sent is not None and (
        facts.cadence is None or (today - sent.day).days <= SELF_CHECK_WITHIN * facts.cadence
    ):
        out.append(
            Choice(
                "self-check",
                f"nothing new since {sent.day}: complete or correct the last "
                f"{sent.what} sent ({sent.name})",
                last_sent=sent,
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


def choose_topic(
    facts: Facts, *, today: dt.date, repeat_window: int = 2, avoid: Collection[str] = ()
) -> Choice:
    """The best candidate whose topic was not used in the last ``repeat_window``
    follow-ups. ``avoid``: topics never to choose (those of drafts still waiting,
    when another one is asked for)."""
    found = [c for c in candidates(facts, today=today) if c.topic not in avoid]
    if not found:
        raise TopicError(
            topic=", ".join(avoid),
            reason="a draft about each reason there is now is waiting already",
        )
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
        first = Choice(topic, f"{asked}: a first letter")
        if facts.last_in is not None:
            first = replace(
                first,
                reason=f"{first.reason}, though they wrote to you on {facts.last_in.day}",
            )
        return _introducing(first, facts, today)
    if topic == "reply":
        if facts.last_in is None:
            raise TopicError(topic=topic, reason="they never wrote to you: nothing to answer")
        reply = _reply(facts, facts.last_in)
        return _introducing(replace(reply, reason=f"{asked}: {reply.reason}"), facts, today)
    if topic == "company-news":
        raise TopicError(topic=topic, reason="there is no company profile in 产品/公司介绍/")
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
    if topic == "self-check" and facts.last_sent is not None:
        sent = facts.last_sent
        return Choice(
            topic,
            f"{asked}: complete the {sent.what} sent on {sent.day} ({sent.name})",
            last_sent=sent,
            last_subject=facts.last_subject,
        )
    if topic == "self-check":
        raise TopicError(
            topic=topic,
            reason="nothing was sent to this customer in writing yet (a mail, a fax, a "
            "document, a quotation or a PI)",
        )
    raise TopicError(topic=topic, reason=f"unknown topic (known: {', '.join(DRAFT_TOPICS)})")
