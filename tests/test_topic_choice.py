"""Choosing a topic (followup.topics) and holidays: pure functions, tested by tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from folder_kit.errors import TopicError
from folder_kit.followup.greetings import clean_name, greeted_name, upcoming_holidays
from folder_kit.followup.topics import Facts, FileFact, Sent, choose_topic, forced_topic
from folder_kit.workspace.config import DEFAULT_GREETED_HOLIDAYS, Exhibition

D = dt.date
TODAY = D(2026, 12, 1)
PRICE = FileFact("产品/价格信息/2026-11-10 价格表 Price List 2027.xlsx", D(2026, 11, 10))
OLD_PRICE = FileFact("产品/价格信息/2026-01-05 价格表 Price List 2026.xlsx", D(2026, 1, 5))
CERT = FileFact("产品/认证证书/CE Certificate 2026-11-20.pdf", D(2026, 11, 20))
PROFILE = FileFact("产品/公司介绍/Profile.pdf", D(2025, 3, 1))
LAST = Sent("客户/B-在谈客户/X/OUT/2026-11-01 Quotation.eml", D(2026, 11, 1), "mail")
FAIR_SOON = Exhibition("Light Middle East", "Dubai", D(2027, 1, 12), D(2027, 1, 14), "Z2-C18")
FAIR_LATE = Exhibition("Canton Fair", "Guangzhou", D(2027, 4, 15), D(2027, 4, 19))


def holidays(country: str, today: dt.date = TODAY) -> tuple:  # type: ignore[type-arg]
    return tuple(
        upcoming_holidays(country, today=today, names=DEFAULT_GREETED_HOLIDAYS, lead_days=60)
    )


BASE = Facts(
    last_out=D(2026, 11, 1),
    last_sent=LAST,
    last_subject="Quotation",
    price_lists=(OLD_PRICE, PRICE),
    certificates=(CERT,),
    company_files=(PROFILE,),
)


@pytest.mark.parametrize(
    ("facts", "today", "topic", "reason_has"),
    [
        # New data since the last follow-up: the price list ranks first among standing reasons.
        (BASE, TODAY, "price-update", "2026-11-10 价格表 Price List 2027.xlsx"),
        # ...unless it was the topic of one of the last two follow-ups.
        (
            Facts(**{**BASE.__dict__, "recent_topics": ("price-update",)}),
            TODAY,
            "product-update",
            "not price-update",
        ),
        # A price list older than the last mail is not news.
        (
            Facts(**{**BASE.__dict__, "last_out": D(2026, 11, 15)}),
            TODAY,
            "product-update",
            "CE Certificate",
        ),
        # Nothing new at all: complete the last mail.
        (
            Facts(**{**BASE.__dict__, "last_out": D(2026, 11, 25)}),
            TODAY,
            "self-check",
            "2026-11-01 Quotation.eml",
        ),
        # ...and after a self-check, news of the company, then a visit invitation.
        (
            Facts(
                **{**BASE.__dict__, "last_out": D(2026, 11, 25), "recent_topics": ("self-check",)}
            ),
            TODAY,
            "company-news",
            "Profile.pdf",
        ),
        (
            Facts(
                **{
                    **BASE.__dict__,
                    "last_out": D(2026, 11, 25),
                    "recent_topics": ("company-news", "self-check"),
                }
            ),
            TODAY,
            "visit-invite",
            "visit the factory",
        ),
        # A fair within 90 days is time-bound: above the price list.
        (
            Facts(**{**BASE.__dict__, "exhibitions": (FAIR_LATE, FAIR_SOON)}),
            TODAY,
            "exhibition-invite",
            "Light Middle East in Dubai opens on 12 January 2027, in 42 days",
        ),
        # A fair further off is not yet a reason.
        (Facts(**{**BASE.__dict__, "exhibitions": (FAIR_LATE,)}), TODAY, "price-update", "price"),
        # Christmas in ten days for a US buyer beats the fair and the price list.
        (
            Facts(**{**BASE.__dict__, "exhibitions": (FAIR_SOON,), "holidays": holidays("US")}),
            D(2026, 12, 15),
            "holiday-greeting",
            "Christmas is on 25 December 2026, in 10 days (US)",
        ),
        # Christmas in 2 days is too late to greet in time: New Year's greeting instead.
        (
            Facts(**{**BASE.__dict__, "holidays": holidays("US", D(2026, 12, 23))}),
            D(2026, 12, 23),
            "holiday-greeting",
            "New Year is on 1 January 2027, in 9 days",
        ),
        # A prospect never written to gets the first letter, with the company profile.
        (Facts(prospect=True, company_files=(PROFILE,)), TODAY, "first-contact", "prospect"),
        # A prospect already written to is followed up like anyone else.
        (
            Facts(**{**BASE.__dict__, "prospect": True}),
            TODAY,
            "price-update",
            "price list",
        ),
    ],
)
def test_choose_topic(facts: Facts, today: dt.date, topic: str, reason_has: str) -> None:
    choice = choose_topic(facts, today=today, repeat_window=2)
    assert (choice.topic, reason_has in choice.reason) == (topic, True), choice.reason


def test_the_topic_rotates_as_the_data_changes() -> None:
    """Each mail sent takes its topic off the list; new data puts one back on."""
    facts = Facts(**{**BASE.__dict__, "exhibitions": (FAIR_SOON,)})
    seen = []
    for _ in range(4):
        choice = choose_topic(facts, today=TODAY, repeat_window=2)
        seen.append(choice.topic)
        facts = Facts(
            **{**facts.__dict__, "recent_topics": (choice.topic, *facts.recent_topics)[:2]}
        )
    assert seen == ["exhibition-invite", "price-update", "product-update", "exhibition-invite"]
    # The last mail went out on 2026-11-25: the old lists are no news, a newer one is.
    newer = FileFact("产品/价格信息/Price List 2027 v2 2026-11-28.xlsx", D(2026, 11, 28))
    facts = Facts(**{**facts.__dict__, "last_out": D(2026, 11, 25)})
    assert choose_topic(facts, today=TODAY, repeat_window=2).topic == "self-check"
    facts = Facts(**{**facts.__dict__, "price_lists": (*facts.price_lists, newer)})
    choice = choose_topic(facts, today=TODAY, repeat_window=2)
    assert choice.topic == "price-update"
    assert choice.attachments == (newer,)


def test_attachments_are_the_file_that_motivates_the_topic() -> None:
    choice = choose_topic(BASE, today=TODAY)
    assert choice.attachments == (PRICE,)
    assert choice.price_list == PRICE


def test_files_dated_after_today_are_not_known_yet() -> None:
    choice = choose_topic(BASE, today=D(2026, 11, 5))
    assert choice.topic == "self-check"


def test_forced_topic_uses_the_data_even_if_old() -> None:
    facts = Facts(**{**BASE.__dict__, "last_out": D(2026, 11, 25)})
    assert forced_topic(facts, "price-update", today=TODAY).price_list == PRICE
    with pytest.raises(TopicError, match="lists no exhibition after 2026-12-01"):
        forced_topic(facts, "exhibition-invite", today=TODAY)
    with pytest.raises(TopicError, match="no holiday worth greeting"):
        forced_topic(facts, "holiday-greeting", today=TODAY)


@pytest.mark.parametrize(
    ("country", "today", "name", "day", "name_zh"),
    [
        ("US", D(2026, 12, 15), "Christmas", D(2026, 12, 25), "圣诞节"),
        ("US", D(2027, 11, 15), "Thanksgiving", D(2027, 11, 25), "感恩节"),
        ("DE", D(2026, 12, 12), "Christmas", D(2026, 12, 25), "圣诞节"),
        ("DE", D(2027, 3, 20), "Easter", D(2027, 3, 29), "复活节"),
        ("CN", D(2027, 1, 28), "Chinese New Year", D(2027, 2, 6), "春节"),
        ("CN", D(2026, 12, 25), "New Year", D(2027, 1, 1), "元旦"),
        ("IN", D(2027, 10, 20), "Diwali", D(2027, 10, 29), "排灯节"),
        ("AE", D(2027, 3, 1), "Eid al-Fitr", D(2027, 3, 9), "开斋节"),
        ("SA", D(2027, 5, 6), "Eid al-Adha", D(2027, 5, 16), "古尔邦节"),
    ],
)
def test_the_right_holiday_by_country(
    country: str, today: dt.date, name: str, day: dt.date, name_zh: str
) -> None:
    found = upcoming_holidays(country, today=today, names=DEFAULT_GREETED_HOLIDAYS)
    assert [(h.name, h.day, h.name_zh) for h in found][:1] == [(name, day, name_zh)]


def test_only_holidays_worth_greeting_and_only_in_the_window() -> None:
    # Veterans Day (US, 11 November) is a public holiday, not one to greet.
    assert upcoming_holidays("US", today=D(2026, 11, 2), names=DEFAULT_GREETED_HOLIDAYS) == []
    # A configured list replaces the default one.
    assert upcoming_holidays("US", today=D(2026, 12, 15), names=("Thanksgiving",)) == []
    assert upcoming_holidays("ZZ", today=D(2026, 12, 15), names=DEFAULT_GREETED_HOLIDAYS) == []


@pytest.mark.parametrize(
    ("official", "name"),
    [
        ("Christmas Day", "Christmas"),
        ("Second Day of Christmas", "Christmas"),
        ("Chinese New Year (Spring Festival)", "Chinese New Year"),
        ("New Year's Day", "New Year"),
        ("Islamic New Year", None),
        ("Eid al-Fitr Holiday", "Eid al-Fitr"),
        ("Easter Monday", "Easter"),
        ("Veterans Day", None),
    ],
)
def test_greeted_name(official: str, name: str | None) -> None:
    assert greeted_name(clean_name(official), DEFAULT_GREETED_HOLIDAYS) == name


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Eid al-Fitr (estimated)", "Eid al-Fitr"),
        ("Christmas Day (observed)", "Christmas Day"),
        ("Eid al-Adha Holiday (observed, estimated)", "Eid al-Adha Holiday"),
        ("春节（补假）", "春节"),
    ],
)
def test_names_as_people_say_them(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_a_sync_tools_copy_of_a_price_list_is_no_new_price_list(workspace: Path) -> None:
    """OneDrive's conflict copy beside the real file (`…-DESKTOP-AB12CD3.pdf`) is
    passed over as the scan passes it over; a name that only looks like one is kept."""
    from folder_kit.followup.products import product_files, product_folder
    from folder_kit.workspace.find import open_workspace

    ws = open_workspace(workspace)
    folder = product_folder(ws, "price_lists")
    assert folder is not None
    for name in (
        "2026-11-01 price list.pdf",
        "2026-11-01 price list-DESKTOP-AB12CD3.pdf",
        "2026-11-20 price list-FINAL.pdf",
    ):
        (folder / name).write_bytes(b"%PDF-1.4")
    names = [Path(f.path).name for f in product_files(ws, "price_lists")]
    assert names == ["2026-11-01 price list.pdf", "2026-11-20 price list-FINAL.pdf"]
