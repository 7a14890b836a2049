"""The course's taboos, evaporated quotes, the ladder and grade suggestions, on small timelines.

A timeline is written one event a line: ``DAY KIND [MEDIUM] [TOPIC]`` (``-`` for
no topic), or ``DAY grade FROM>TO``. Today is 2026-12-01 unless a row says.
"""

from __future__ import annotations

import datetime as dt

import pytest

from folder_kit.followup.rules import (
    Ev,
    Timeline,
    build_report,
    facts_of,
    later,
    suggest_grade,
)
from folder_kit.followup.taboos import check_timeline
from folder_kit.workspace.config import DEFAULT_CADENCE, Taboos

TODAY = dt.date(2026, 12, 1)
TABOOS = Taboos()


def timeline(text: str, grade: str = "B", contacts: tuple[str, ...] = ()) -> Timeline:
    events = []
    for i, line in enumerate(text.strip().splitlines()):
        day, kind, *rest = line.split()
        when = dt.date.fromisoformat(day)
        if kind == "grade":
            src, dst = rest[0].split(">")
            events.append(Ev("grade", when, from_grade=src, to_grade=dst))
            continue
        medium = rest[0] if rest else "email"
        topic = rest[1] if len(rest) > 1 else ("other" if kind in ("out", "in") else kind)
        name = f"{day} {kind} {i}.eml" if kind != "pushy" else f"{day} please place the order.eml"
        if kind == "pushy":
            kind = "out"
        events.append(
            Ev(kind, when, medium, None if topic == "-" else topic, f"客户/X/{kind}/{name}")
        )
    return Timeline("X Co", grade, tuple(events), contacts)


def codes(tl: Timeline, today: dt.date = TODAY, taboos: Taboos = TABOOS) -> list[str]:
    found = check_timeline(tl, today=today, cadence=DEFAULT_CADENCE, taboos=taboos)
    return [f.code for f in found]


HEALTHY = {
    "B, varied topics and media, answered": (
        "B",
        """
        2026-10-20 in email quote
        2026-10-20 quote
        2026-10-21 out email quote
        2026-10-24 in email quote
        2026-10-28 out email price-update
        2026-11-04 out phone product-update
        2026-11-06 in email product-update
        2026-11-12 out courier self-check
        2026-11-19 out email company-news
        2026-11-24 out chat exhibition-invite
        2026-11-27 in chat exhibition-invite
        """,
    ),
    "A with an order, routine": (
        "A",
        """
        2026-09-01 quote
        2026-09-03 in email quote
        2026-09-05 order
        2026-10-20 out email company-news
        2026-11-02 in email company-news
        2026-11-16 out phone holiday-greeting
        2026-11-30 out email price-update
        """,
    ),
    "C answered the first letter": (
        "C",
        """
        2026-10-01 out email first-contact
        2026-10-05 in email first-contact
        2026-10-26 out email product-update
        2026-11-16 out phone price-update
        """,
    ),
    "D, one letter a month": (
        "D",
        """
        2026-10-10 out email first-contact
        2026-11-07 out email product-update
        """,
    ),
    "prospect never written to": ("P", ""),
    "no events at all": ("B", ""),
    "only cards": ("C", "2026-10-01 card\n2026-11-01 card"),
    "a reply on the day of the quote": (
        "B",
        """
        2026-11-20 quote
        2026-11-20 in email quote
        2026-11-25 out email price-update
        """,
    ),
    "a visit needs no topic": ("C", "2026-11-20 out visit -\n2026-11-21 in email"),
    "mail carrying the PI that day": ("B", "2026-11-28 pi\n2026-11-28 out email -"),
    "answering them needs no excuse": ("B", "2026-11-27 in email quote\n2026-11-28 out email -"),
}


@pytest.mark.parametrize("name", list(HEALTHY))
def test_healthy_customers_give_nothing(name: str) -> None:
    grade, text = HEALTHY[name]
    assert codes(timeline(text, grade)) == []


@pytest.mark.parametrize(
    ("grade", "text", "want"),
    [
        # too-direct: a pushy phrase in the subject or name
        ("B", "2026-11-28 pushy email quote", ["too-direct"]),
        # repeated topic: the same as one of the last 2 follow-ups, no answer between
        (
            "B",
            "2026-11-20 out email price-update\n2026-11-27 out phone price-update",
            ["repeated-topic"],
        ),
        (
            "B",
            "2026-11-13 out email price-update\n2026-11-20 out phone product-update\n"
            "2026-11-27 out email price-update",
            ["repeated-topic"],
        ),
        # outside the window of 2: not a repeat
        (
            "B",
            "2026-11-06 out email price-update\n2026-11-13 out phone product-update\n"
            "2026-11-20 out chat company-news\n2026-11-27 out email price-update",
            [],
        ),
        # an answer between: a conversation, not asking twice
        (
            "B",
            "2026-11-20 out email price-update\n2026-11-22 in email\n"
            "2026-11-27 out phone price-update",
            [],
        ),
        # blind: no topic
        ("B", "2026-11-27 out email -", ["blind-follow-up"]),
        ("B", "2026-11-27 out phone other", ["blind-follow-up"]),
        # gave up: 3 unanswered, then more than 2 x 7 days of nothing
        (
            "B",
            "2026-11-01 out email price-update\n2026-11-05 out phone product-update\n"
            "2026-11-09 out chat company-news",
            ["gave-up"],
        ),
        # exactly 2 x cadence of silence: not given up yet, only too long
        (
            "B",
            "2026-11-01 out email price-update\n2026-11-05 out phone product-update\n"
            "2026-11-17 out chat company-news",
            ["too-long"],
        ),
        # too short: less than half a cadence (3.5 days for B) apart, unanswered
        (
            "B",
            "2026-11-25 out email price-update\n2026-11-28 out phone product-update",
            ["too-short"],
        ),
        # exactly half of A's 14: not too short
        (
            "A",
            "2026-11-17 out email price-update\n2026-11-24 out phone product-update",
            [],
        ),
        # one day's mail and courier count as one follow-up
        ("B", "2026-11-28 out email price-update\n2026-11-28 out courier product-update", []),
        # too long: no contact for more than 1.5 x 7
        ("B", "2026-11-20 out email price-update", ["too-long"]),
        # exactly 1.5 x 14 = 21 days: not yet
        ("A", "2026-11-10 in email", []),
        ("A", "2026-11-09 in email", ["too-long"]),
        # single medium: the last 5 follow-ups all by mail
        (
            "A",
            "2026-10-01 out email price-update\n2026-10-14 in email\n"
            "2026-10-15 out email product-update\n2026-10-29 out email company-news\n"
            "2026-11-12 out email exhibition-invite\n2026-11-26 out email holiday-greeting\n"
            "2026-11-27 in email",
            ["single-medium"],
        ),
        # evaporated: a quote with no answer for one cadence (7 days for B)
        ("B", "2026-11-20 in email quote\n2026-11-24 quote", ["evaporated"]),
        ("B", "2026-11-20 in email quote\n2026-11-25 quote", []),  # 6 days: not yet
        # a grade change midway: each pair judged by the grade of its day. 4 days
        # apart was fine for B (half of 7); for C (half of 21) it would be too short.
        (
            "C",
            "2026-10-20 out email price-update\n2026-10-24 out phone product-update\n"
            "2026-11-01 grade B>C\n2026-11-20 in email",
            [],
        ),
        (
            "C",
            "2026-11-01 grade B>C\n2026-11-16 out email price-update\n"
            "2026-11-20 out phone product-update",
            ["too-short"],
        ),
    ],
)
def test_findings(grade: str, text: str, want: list[str]) -> None:
    assert codes(timeline(text, grade)) == want


ELEVEN_DAYS = ["06-01", "06-15", "06-29", "07-13", "07-27", "08-10"]
ELEVEN_DAYS += ["08-24", "09-07", "09-21", "10-05", "11-25"]
ELEVEN_UNANSWERED = "\n".join(
    f"2026-{day} out {medium} {topic}"
    for day, medium, topic in zip(
        ELEVEN_DAYS,
        ["email", "phone", "chat", "courier"] * 3,
        [
            "price-update",
            "product-update",
            "company-news",
            "exhibition-invite",
            "holiday-greeting",
            "visit-invite",
            "self-check",
        ]
        * 2,
        strict=False,
    )
)


@pytest.mark.parametrize(
    ("contacts", "second"),
    [
        (("Marco Rossi", "Giulia Bianchi"), "write to Giulia Bianchi instead (Contact.txt)"),
        (("Marco Rossi",), "find another buyer at the company and add them to Contact.txt"),
    ],
)
def test_change_approach_after_eleven_unanswered(contacts: tuple[str, ...], second: str) -> None:
    tl = timeline(ELEVEN_UNANSWERED, "A", contacts)
    found = check_timeline(tl, today=TODAY, cadence=DEFAULT_CADENCE, taboos=TABOOS)
    ladder = [f for f in found if f.code == "change-approach"]
    assert len(ladder) == 1
    assert ladder[0].message == "11 follow-ups since 2026-06-01 without an answer"
    assert ladder[0].remedy == (
        "Change the approach, in this order: hand the customer to a colleague (换同事); "
        f"{second} (换客人); refer them to a partner company (换公司)."
    )
    # ten are not yet eleven
    ten = timeline("\n".join(ELEVEN_UNANSWERED.splitlines()[1:]), "A", contacts)
    assert "change-approach" not in codes(ten)


def test_gave_up_message_names_the_evidence() -> None:
    tl = timeline(
        "2026-08-01 out email price-update\n2026-08-08 out phone product-update\n"
        "2026-08-15 out email company-news",
        "A",
    )
    (f,) = check_timeline(tl, today=TODAY, cadence=DEFAULT_CADENCE, taboos=TABOOS)
    assert f.code == "gave-up"
    assert f.message == (
        "3 follow-ups since 2026-08-01, no answer, nothing sent since 2026-08-15 "
        "(108 days, more than 200 % of the 14-day cadence)"
    )
    assert f.remedy.startswith("80 % of sales come after the 4th follow-up")
    assert len(f.evidence) == 3


def test_thresholds_come_from_the_config() -> None:
    tl = timeline("2026-11-25 out email price-update\n2026-11-28 out phone product-update")
    assert codes(tl) == ["too-short"]
    assert codes(tl, taboos=Taboos(too_short=40)) == []  # 2.8 days for B
    late = timeline("2026-11-20 out email price-update")
    assert codes(late, taboos=Taboos(too_long=200)) == []


def test_events_after_today_are_not_known() -> None:
    tl = timeline("2026-11-28 out email price-update\n2026-12-03 out email price-update")
    assert codes(tl) == []


@pytest.mark.parametrize(
    ("grade", "text", "want"),
    [
        ("P", "2026-11-01 out email first-contact", ("P", "D")),
        ("P", "2026-11-01 in email quote", None),  # they wrote: answer first
        ("D", "2026-11-01 out email first-contact\n2026-11-03 in email", ("D", "C")),
        ("C", "2026-11-01 quote", ("C", "B")),
        ("D", "2026-11-01 pi", ("D", "B")),
        ("B", "2026-11-01 order", ("B", "A")),
        ("B", "2026-11-01 quote", None),
        ("A", "2026-11-01 quote", None),  # never down
        # moved down on purpose after the quote: the move is newer than the evidence
        ("C", "2026-10-01 quote\n2026-11-01 grade B>C", None),
        ("C", "2026-10-01 quote\n2026-11-01 grade B>C\n2026-11-20 quote", ("C", "B")),
        ("B", "", None),
        ("B", "2026-10-01 card", None),
    ],
)
def test_suggest_grade(grade: str, text: str, want: tuple[str, str] | None) -> None:
    got = suggest_grade(timeline(text, grade), today=TODAY) if text else None
    assert ((got.from_grade, got.to_grade) if got else None) == want


@pytest.mark.parametrize(
    ("text", "kind", "want"),
    [
        ("2026-11-01 in email", "in", 0),  # they wrote first
        ("2026-11-01 out email\n2026-11-03 in email", "in", 1),
        ("2026-11-01 out email\n2026-11-01 out courier\n2026-11-09 in email", "in", 1),
        ("2026-10-01 out email\n2026-10-08 out email\n2026-10-15 in email", "in", 2),
        ("2026-10-01 out email", "in", None),
        (
            "2026-10-01 out email\n2026-10-03 in email\n2026-10-04 out email\n2026-10-05 order",
            "order",
            2,
        ),
    ],
)
def test_follow_ups_before(text: str, kind: str, want: int | None) -> None:
    """What the report's distributions count, per customer: its facts' figure."""
    facts = facts_of(timeline(text), today=TODAY)
    assert (facts.before_reply if kind == "in" else facts.before_order) == want


def test_report_counts_per_grade_and_the_distributions() -> None:
    timelines = [
        Timeline("Late B", "B", timeline("2026-11-01 out email price-update").events),
        Timeline("Soon B", "B", timeline("2026-11-28 out email price-update").events),
        Timeline(
            "Answered A",
            "A",
            timeline(
                "2026-10-01 out email first-contact\n2026-10-08 out email price-update\n"
                "2026-10-10 in email\n2026-10-12 quote\n2026-11-25 in email"
            ).events,
        ),
        Timeline("Cold", "P", ()),
        Timeline("Written", "P", timeline("2026-11-20 out email first-contact").events),
    ]
    got = build_report(timelines, today=TODAY, cadence=DEFAULT_CADENCE).as_json()
    assert got["grades"] == {
        "A": {"customers": 1, "overdue": 0, "due_this_week": 0, "replied": 1},
        "B": {"customers": 2, "overdue": 1, "due_this_week": 1, "replied": 0},
        "C": {"customers": 0, "overdue": 0, "due_this_week": 0, "replied": 0},
        "D": {"customers": 0, "overdue": 0, "due_this_week": 0, "replied": 0},
        "P": {"customers": 2, "overdue": 0, "due_this_week": 0, "replied": 0},
    }
    assert got["open_quotes"] == []  # answered on 2026-11-25
    assert got["suggestions"] == [
        {
            "customer": "Written",
            "from": "P",
            "to": "D",
            "why": "first contact made (2026-11-20 out 0.eml, 2026-11-20)",
        }
    ]
    assert got["follow_ups_before_reply"] == {"0": 0, "1": 0, "2": 1, "3": 0, "4-11": 0, "12+": 0}
    assert got["follow_ups_before_order"] == dict.fromkeys(("0", "1", "2", "3", "4-11", "12+"), 0)


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [
        ("2026-11-20", "2026-11-19", True),
        ("2026-11-19", "2026-11-20", False),
        ("2026-11-20", "2026-11-20", True),  # one day, no times: counts as after
        ("2026-11-20T15:00:00+08:00", "2026-11-20T09:00:00+08:00", True),
        ("2026-11-20T09:00:00+08:00", "2026-11-20T15:00:00+08:00", False),
        ("2026-11-20T09:00:00+01:00", "2026-11-20T15:00:00+08:00", True),  # 16:00 in Suzhou
        ("2026-11-20T09:00:00", "2026-11-20T15:00:00+08:00", True),  # cannot tell
    ],
)
def test_later(a: str, b: str, want: bool) -> None:
    def ev(date: str) -> Ev:
        return Ev("in", dt.date.fromisoformat(date[:10]), date=date)

    assert later(ev(a), ev(b)) is want


def test_an_inquiry_answered_by_a_quote_the_same_day_leaves_the_quote_open() -> None:
    events = (
        Ev("in", dt.date(2026, 11, 20), "email", "quote", "a.eml", "2026-11-20T09:00:00+08:00"),
        Ev("quote", dt.date(2026, 11, 20), "file", "quote", "q.pdf", "2026-11-20T15:00:00+08:00"),
        Ev("out", dt.date(2026, 11, 20), "email", "quote", "o.eml", "2026-11-20T15:05:00+08:00"),
    )
    tl = Timeline("X Co", "B", events)
    assert "evaporated" in codes(tl)


def test_every_code_reads_in_chinese_on_the_page() -> None:
    from folder_kit.followup.page import localize

    timelines = [
        timeline("2026-11-28 pushy email quote"),
        timeline("2026-11-20 out email price-update\n2026-11-27 out phone price-update"),
        timeline("2026-11-27 out email -"),
        timeline(
            "2026-11-01 out email price-update\n2026-11-05 out phone product-update\n"
            "2026-11-09 out chat company-news"
        ),
        timeline("2026-11-25 out email price-update\n2026-11-28 out phone product-update"),
        timeline("2026-11-20 out email price-update"),
        timeline("\n".join(f"2026-{m:02d}-01 out email price-update" for m in range(7, 12)), "A"),
        timeline("2026-11-20 in email quote\n2026-11-24 quote"),
        timeline(ELEVEN_UNANSWERED, "A", ("Marco Rossi", "Giulia Bianchi")),
        timeline(ELEVEN_UNANSWERED, "A", ("Marco Rossi",)),
        timeline("2026-11-01 out email first-contact", "P"),
    ]
    found = [
        f
        for tl in timelines
        for f in check_timeline(tl, today=TODAY, cadence=DEFAULT_CADENCE, taboos=TABOOS)
    ]
    codes_seen = {f.code for f in found}
    assert codes_seen == {
        "too-direct",
        "repeated-topic",
        "blind-follow-up",
        "gave-up",
        "too-short",
        "too-long",
        "single-medium",
        "evaporated",
        "change-approach",
        "suggest-grade",
    }
    for f in found:
        message, remedy = localize(f, "zh")
        assert (message, remedy) != (f.message, f.remedy), f.code
        assert "{" not in message + remedy and "None" not in message + remedy, (f.code, message)
        assert localize(f, "en") == (f.message, f.remedy)
    ladder = [localize(f, "zh")[1] for f in found if f.code == "change-approach"]
    assert any("改写给 Giulia Bianchi" in text for text in ladder)
    assert any("另找一位采购" in text for text in ladder)
