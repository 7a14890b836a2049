"""Events ordered by when they happened, days counted in the salesperson's zone.

Tables of the time rules (instants across every offset, a day alone among timed
events, DST changes, the day judged), then a small workspace of real-looking
replies across zones checked against the truth by instant, then a change of
zone between two scans.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
import zoneinfo
from pathlib import Path

import pytest
from conftest import Invoke, ZoneSetter
from helpers import assert_error, assert_ok, build_tree, set_times

from folder_kit.timeline.classify import date_text
from folder_kit.timeline.instants import (
    STAMP_SQL,
    day_end,
    day_of,
    instant,
    stamp,
    stamp_of_text,
    zone_id,
)
from folder_kit.timeline.state import INDEX_FILE, local_state_dir

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
SAVED = dt.datetime(2027, 6, 1, tzinfo=dt.UTC).timestamp()  # every mail's file saved after it


def header(text: str, zone: dt.tzinfo | None) -> tuple[str, str]:
    """(day, stamp) of a mail dated ``text`` (ISO with its offset) for a user in ``zone``."""
    date, day, at, source = date_text("x.eml", SAVED, dt.datetime.fromisoformat(text), zone)
    assert source == "header" and date == text
    return day, stamp(day, at)


def named(day: str) -> str:
    """The stamp of a file dated by its name."""
    date, got, at, source = date_text(f"{day} note.txt", SAVED, None, SHANGHAI)
    assert (date, got, at, source) == (day, day, None, "filename")
    return stamp(day, at)


# --- the order: instants across every offset --------------------------------------

# The same five instants written from zones across the whole range, -12:00 to +14:00,
# in the order they happened; their days for a user in Shanghai.
ACROSS = [
    ("2026-10-14T13:05:00-12:00", "2026-10-15"),  # 01:05Z
    ("2026-10-15T15:10:00+14:00", "2026-10-15"),  # 01:10Z
    ("2026-10-14T18:15:00-07:00", "2026-10-15"),  # 01:15Z
    ("2026-10-15T09:20:00+08:00", "2026-10-15"),  # 01:20Z
    ("2026-10-15T12:25:00+10:00", "2026-10-15"),  # 02:25Z
    ("2026-10-15T03:26:00+01:00", "2026-10-15"),  # 02:26Z
    ("2026-10-15T16:00:00+00:00", "2026-10-16"),  # 00:00 in Shanghai: the next day
    ("2026-10-15T05:01:00-11:00", "2026-10-16"),  # 16:01Z
]


def test_instants_across_every_offset_sort_as_they_happened() -> None:
    stamps = []
    for text, day in ACROSS:
        got_day, got_stamp = header(text, SHANGHAI)
        assert got_day == day, text
        stamps.append(got_stamp)
    assert stamps == sorted(stamps)
    # by the text of the sender's clock, as before, they did not
    assert [t for t, _ in ACROSS] != sorted(t for t, _ in ACROSS)


@pytest.mark.parametrize(
    ("text", "zone", "day"),
    [
        ("2026-10-14T13:05:00-12:00", dt.UTC, "2026-10-15"),
        ("2026-10-15T15:10:00+14:00", dt.UTC, "2026-10-15"),
        ("2026-10-15T15:10:00+14:00", zoneinfo.ZoneInfo("Etc/GMT+12"), "2026-10-14"),
        ("2026-10-14T13:05:00-12:00", zoneinfo.ZoneInfo("Pacific/Kiritimati"), "2026-10-15"),
        ("2026-10-15T00:30:00+08:00", NEW_YORK, "2026-10-14"),
        ("2026-10-14T23:30:00-04:00", SHANGHAI, "2026-10-15"),
        ("2026-10-14T23:30:00-04:00", NEW_YORK, "2026-10-14"),
    ],
)
def test_the_day_is_the_users_day_of_the_instant(text: str, zone: dt.tzinfo, day: str) -> None:
    assert header(text, zone)[0] == day


@pytest.mark.parametrize(
    ("events", "order"),
    [
        # a day alone sorts before the timed events of its day, whatever their hour
        (
            [
                ("t", "2026-10-15T00:00:00+08:00"),
                ("d", "2026-10-15"),
                ("t2", "2026-10-14T23:59:00+08:00"),
            ],
            ["t2", "d", "t"],
        ),
        # and after every event of the day before
        (
            [("d", "2026-10-16"), ("t", "2026-10-15T23:59:59+08:00")],
            ["t", "d"],
        ),
        # a reply written the evening before in Los Angeles answers a quote sent that
        # morning in Suzhou: 40 minutes later
        (
            [("reply", "2026-10-14T18:40:00-07:00"), ("quote", "2026-10-15T09:00:00+08:00")],
            ["quote", "reply"],
        ),
    ],
)
def test_days_alone_among_timed_events(events: list[tuple[str, str]], order: list[str]) -> None:
    stamps = {}
    for name, text in events:
        stamps[name] = named(text) if "T" not in text else header(text, SHANGHAI)[1]
    assert sorted(stamps, key=stamps.__getitem__) == order


# --- DST changes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "first", "second", "days"),
    [
        # New York springs forward at 02:00 on 8 March 2026: 01:59 EST, then 03:00 EDT,
        # one minute later
        (NEW_YORK, "2026-03-08T01:59:00-05:00", "2026-03-08T03:00:00-04:00", ("2026-03-08",) * 2),
        # and falls back on 1 November: 01:30 EDT, then 01:10 EST, 40 minutes later
        (NEW_YORK, "2026-11-01T01:30:00-04:00", "2026-11-01T01:10:00-05:00", ("2026-11-01",) * 2),
        # Berlin: 02:59 CET, then 03:00 CEST on 29 March is an hour earlier, so second
        (BERLIN, "2026-03-29T03:00:00+02:00", "2026-03-29T02:59:00+01:00", ("2026-03-29",) * 2),
        # 25 October: 02:30 CEST, then 02:10 CET, 40 minutes later
        (BERLIN, "2026-10-25T02:30:00+02:00", "2026-10-25T02:10:00+01:00", ("2026-10-25",) * 2),
        # the user in Berlin, the sender in Shanghai: 23:30 CET on 25 October was 06:30
        # on the 26th there; the user's day is the 25th
        (
            BERLIN,
            "2026-10-26T06:30:00+08:00",
            "2026-10-26T00:30:00+01:00",
            ("2026-10-25", "2026-10-26"),
        ),
    ],
)
def test_dst_changes(zone: dt.tzinfo, first: str, second: str, days: tuple[str, str]) -> None:
    (day1, stamp1), (day2, stamp2) = header(first, zone), header(second, zone)
    assert stamp1 < stamp2
    assert (day1, day2) == days


@pytest.mark.parametrize(
    ("at", "zone", "day"),
    [
        # the hour that does not exist in New York (02:xx on 8 March) and the one that
        # is there twice (01:xx on 1 November) are each still one day
        ("2026-03-08T07:30:00+00:00", NEW_YORK, "2026-03-08"),
        ("2026-11-01T05:30:00+00:00", NEW_YORK, "2026-11-01"),
        ("2026-11-01T06:30:00+00:00", NEW_YORK, "2026-11-01"),
        ("2026-11-01T04:59:00+00:00", NEW_YORK, "2026-11-01"),  # 00:59 EDT
        ("2026-11-01T03:59:00+00:00", NEW_YORK, "2026-10-31"),  # 23:59 EDT
        ("2026-10-24T22:30:00+00:00", BERLIN, "2026-10-25"),  # 00:30 CEST
        ("2026-10-25T22:30:00+00:00", BERLIN, "2026-10-25"),  # 23:30 CET
        ("2026-10-25T23:00:00+00:00", BERLIN, "2026-10-26"),
    ],
)
def test_days_across_dst_changes(at: str, zone: dt.tzinfo, day: str) -> None:
    assert day_of(instant(dt.datetime.fromisoformat(at)), zone) == day


def test_the_local_zone_across_its_dst_change(local_zone: ZoneSetter) -> None:
    """The machine's zone, with no name (TZ read through the C library)."""
    local_zone("America/New_York")
    at = instant(dt.datetime.fromisoformat("2026-11-01T03:59:00+00:00"))
    assert day_of(at, None) == "2026-10-31"
    assert day_of(at + 3600, None) == "2026-11-01"
    local_zone("Europe/Berlin")
    assert day_of(at, None) == "2026-11-01"


def test_the_local_zones_id_tells_zones_apart(local_zone: ZoneSetter) -> None:
    ids = set()
    for name in ("UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Sydney"):
        local_zone(name)
        ids.add(zone_id(None))
    assert len(ids) == 5
    assert zone_id("Asia/Shanghai") == "Asia/Shanghai"  # a configured zone is its name


# --- the stamp, in SQL and in Python --------------------------------------------


@pytest.mark.parametrize(
    ("day", "at"),
    [
        ("2026-10-15", None),
        ("2026-10-15", 0),
        ("2026-10-15", -86_400),
        ("2026-10-15", 1_792_000_000),
        ("1970-01-01", -1),
        ("2001-09-09", 999_999_999),
        ("2001-09-09", 1_000_000_000),
        ("9999-12-31", 253_402_300_799),
        ("0001-01-01", -62_135_596_800),
    ],
)
def test_the_stamp_in_sql_is_the_stamp_in_python(day: str, at: int | None) -> None:
    conn = sqlite3.connect(":memory:")
    (got,) = conn.execute(
        f"SELECT {STAMP_SQL} FROM (SELECT ? AS day, ? AS at)", (day, at)
    ).fetchone()
    assert got == stamp(day, at)


def test_stamps_sort_as_instants_across_digit_counts() -> None:
    instants = [-62_135_596_800, -1, 0, 1, 999_999_999, 1_000_000_000, 253_402_300_799]
    stamps = [stamp("2001-09-09", at) for at in instants]
    assert stamps == sorted(stamps)
    assert stamp("2001-09-09", None) < min(stamps) and max(stamps) < day_end("2001-09-09")


def test_a_time_without_a_zone_is_utc() -> None:
    assert stamp_of_text("2026-10-15", "2026-10-15T01:00:00") == stamp_of_text(
        "2026-10-15", "2026-10-15T09:00:00+08:00"
    )


# --- a workspace of replies across zones -------------------------------------------

B = "客户/B-在谈客户"


def mail(subject: str, date: str) -> bytes:
    return (
        f"From: someone@example.com\r\nTo: other@example.com\r\nSubject: {subject}\r\n"
        f"Date: {date}\r\nMessage-ID: <{abs(hash((subject, date)))}@example.com>\r\n\r\nHello.\r\n"
    ).encode()


# Each customer's mails: (file inside the customer folder, subject, Date: header).
# The salesperson writes from Suzhou (+08:00); the customers from where they are.
EXCHANGES: dict[str, list[tuple[str, str, str]]] = {
    # Los Angeles (-07:00): the quote sent at 09:00 in Suzhou is answered 40 minutes
    # later, on the previous evening by the buyer's calendar.
    "Sunrise Lighting Inc": [
        ("OUT/inquiry answer.eml", "Re: LED panels inquiry", "Mon, 12 Oct 2026 10:00:00 +0800"),
        ("报价/QT-101.eml", "Quotation QT-101 LED panels", "Thu, 15 Oct 2026 09:00:00 +0800"),
        ("IN/re quote.eml", "Re: Quotation QT-101 LED panels", "Wed, 14 Oct 2026 18:40:00 -0700"),
    ],
    # New York (-04:00): our mail at 13:15Z, their answer at 14:51Z. They wrote last.
    "Harbor Supply Co": [
        ("IN/first.eml", "Inquiry floodlights", "Mon, 19 Oct 2026 09:00:00 -0400"),
        (
            "OUT/catalogue.eml",
            "Floodlight catalogue and price list",
            "Tue, 20 Oct 2026 21:15:00 +0800",
        ),
        ("IN/answer.eml", "Re: Floodlight catalogue", "Tue, 20 Oct 2026 10:51:00 -0400"),
    ],
    # Sydney (+10:00): they write at 01:00 on the 21st (15:00Z on the 20th), and the
    # salesperson answers 30 minutes later, at 23:30 on the 20th in Suzhou: an answer,
    # no blind follow-up.
    "Koala Electrical Pty Ltd": [
        ("OUT/intro.eml", "Company profile and LED catalogue", "Thu, 1 Oct 2026 10:00:00 +0800"),
        ("IN/question.eml", "Re: a question", "Wed, 21 Oct 2026 01:00:00 +1000"),
        ("OUT/answer.eml", "Re: a question", "Tue, 20 Oct 2026 23:30:00 +0800"),
    ],
    # Osaka (+09:00): their inquiry at 09:00 (00:00Z), our quote at 09:30 in Suzhou
    # (01:30Z): the quote is truly open.
    "株式会社大阪照明": [
        ("IN/inquiry.eml", "RFQ downlights", "Mon, 19 Oct 2026 09:00:00 +0900"),
        ("报价/QT-102.eml", "Quotation QT-102 downlights", "Mon, 19 Oct 2026 09:30:00 +0800"),
    ],
    # Hamburg: +02:00 in summer, +01:00 after 25 October. Our mail at 08:00 on the
    # 26th in Suzhou (00:00Z), their answer at 01:30 CET (00:30Z): they wrote last.
    "Nordlicht GmbH": [
        ("IN/summer.eml", "Anfrage Hallenleuchten", "Fri, 23 Oct 2026 23:30:00 +0200"),
        (
            "OUT/reply.eml",
            "Re: Anfrage Hallenleuchten, catalogue",
            "Sat, 24 Oct 2026 06:00:00 +0800",
        ),
        (
            "OUT/follow.eml",
            "Certificates for the high-bay lights",
            "Mon, 26 Oct 2026 08:00:00 +0800",
        ),
        ("IN/winter.eml", "Re: Certificates", "Mon, 26 Oct 2026 01:30:00 +0100"),
    ],
}
TODAY = "2026-10-28"


def moment(date: str) -> dt.datetime:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(date)


def build_exchanges(root: Path) -> None:
    spec = {
        f"{B}/{customer}/{rel}": mail(subject, date)
        for customer, mails in EXCHANGES.items()
        for rel, subject, date in mails
    }
    build_tree(root, spec)
    for customer, mails in EXCHANGES.items():
        for rel, _, date in mails:
            set_times(root / B / customer / rel, moment(date).timestamp() + 600)


def truth(customer: str) -> list[str]:
    """The customer's files in the order they were written."""
    mails = sorted(EXCHANGES[customer], key=lambda m: moment(m[2]))
    return [rel for rel, _, _ in mails]


@pytest.fixture(params=["configured", "local"])
def shanghai(request: pytest.FixtureRequest, workspace: Path) -> Path:
    """A workspace whose user counts Shanghai's days: by `timezone:` in folder-kit.yaml
    (the machine elsewhere, where it can be set), or as the machine's own zone."""
    if request.param == "configured":
        config = workspace / "folder-kit.yaml"
        config.write_text(
            config.read_text(encoding="utf-8") + "\ntimezone: Asia/Shanghai\n", encoding="utf-8"
        )
        if hasattr(time, "tzset"):
            request.getfixturevalue("local_zone")("America/Los_Angeles")
    else:
        request.getfixturevalue("local_zone")("Asia/Shanghai")
    build_exchanges(workspace)
    return workspace


def test_timeline_is_in_the_order_things_happened(invoke: Invoke, shanghai: Path) -> None:
    result = invoke("-w", str(shanghai), "timeline", "--json")
    assert_ok(result)
    events = json.loads(result.stdout)
    for customer in EXCHANGES:
        shown = [
            e["path"].rsplit(f"{customer}/", 1)[1] for e in events if e["customer"] == customer
        ]
        assert shown == truth(customer), customer
    # the date field keeps the sender's own clock and offset
    (reply,) = [e for e in events if e["path"].endswith("Sunrise Lighting Inc/IN/re quote.eml")]
    assert reply["date"] == "2026-10-14T18:40:00-07:00"


def test_timeline_shows_the_users_days(invoke: Invoke, shanghai: Path) -> None:
    result = invoke("-w", str(shanghai), "timeline", "Sunrise")
    assert_ok(result)
    lines = [line for line in result.stdout.splitlines() if line.startswith("2026-")]
    # the reply written on 14 October in Los Angeles came on 15 October in Shanghai
    assert [line[:10] for line in lines] == ["2026-10-12", "2026-10-15", "2026-10-15"]
    assert "re quote.eml" in lines[-1]


def test_due_names_who_wrote_last(invoke: Invoke, shanghai: Path) -> None:
    result = invoke("-w", str(shanghai), "due", "--today", TODAY, "--within", "60", "--json")
    assert_ok(result)
    due = {d["customer"]: d for d in json.loads(result.stdout)}
    assert set(due) == set(EXCHANGES)
    for customer in EXCHANGES:
        last = truth(customer)[-1]
        assert due[customer]["last"]["path"].endswith(f"{customer}/{last}"), customer
        kind = {"OUT": "out", "IN": "in", "报价": "quote"}[last.split("/")[0]]
        assert due[customer]["last"]["kind"] == kind
    # the day of the last contact is the user's: Sunrise's reply came on the 15th
    assert due["Sunrise Lighting Inc"]["last_contact"] == "2026-10-15"
    assert due["Nordlicht GmbH"]["last_contact"] == "2026-10-26"


def test_check_finds_no_false_taboos(invoke: Invoke, shanghai: Path) -> None:
    result = invoke("-w", str(shanghai), "check", "--today", TODAY, "--json")
    assert_ok(result)
    found = {(f["customer"], f["code"]) for f in json.loads(result.stdout)}
    # the quote answered 40 minutes later has not evaporated
    assert ("Sunrise Lighting Inc", "evaporated") not in found
    # the answer to their question needed no excuse
    assert ("Koala Electrical Pty Ltd", "blind-follow-up") not in found
    # the quote nobody answered has
    assert ("株式会社大阪照明", "evaporated") in found


def test_report_lists_only_the_open_quotes(invoke: Invoke, shanghai: Path) -> None:
    result = invoke("-w", str(shanghai), "report", "--today", TODAY, "--json")
    assert_ok(result)
    quotes = json.loads(result.stdout)["open_quotes"]
    assert [(q["customer"], q["date"]) for q in quotes] == [("株式会社大阪照明", "2026-10-19")]


# --- the day judged -------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "known"),
    [
        # --today D judges as of the end of D in the user's zone: the reply sent at
        # 18:40 in Los Angeles on the 14th came at 09:40 on the 15th in Shanghai
        ("2026-10-14", ["OUT/inquiry answer.eml"]),
        ("2026-10-15", ["OUT/inquiry answer.eml", "报价/QT-101.eml", "IN/re quote.eml"]),
    ],
)
def test_today_is_the_end_of_the_users_day(
    invoke: Invoke, shanghai: Path, today: str, known: list[str]
) -> None:
    result = invoke("-w", str(shanghai), "due", "--today", today, "--within", "60", "--json")
    assert_ok(result)
    (sunrise,) = [d for d in json.loads(result.stdout) if d["customer"] == "Sunrise Lighting Inc"]
    assert sunrise["last"]["path"].endswith(known[-1])


def test_a_zone_in_the_config_wins_over_the_machines(
    invoke: Invoke, workspace: Path, local_zone: ZoneSetter
) -> None:
    local_zone("America/New_York")
    build_exchanges(workspace)
    args = ("-w", str(workspace), "timeline", "Sunrise")
    lines = [ln for ln in invoke(*args).stdout.splitlines() if ln.startswith("2026-")]
    assert [ln[:10] for ln in lines] == ["2026-10-11", "2026-10-14", "2026-10-14"]
    config = workspace / "folder-kit.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "\ntimezone: Asia/Shanghai\n", encoding="utf-8"
    )
    lines = [ln for ln in invoke(*args).stdout.splitlines() if ln.startswith("2026-")]
    assert [ln[:10] for ln in lines] == ["2026-10-12", "2026-10-15", "2026-10-15"]


@pytest.mark.parametrize("value", ["Mars/Olympus", "../../etc/passwd", "12", "''"])
def test_an_unknown_zone_is_an_error_naming_file_line_and_key(
    invoke: Invoke, workspace: Path, value: str
) -> None:
    config = workspace / "folder-kit.yaml"
    text = config.read_text(encoding="utf-8") + f"\ntimezone: {value}\n"
    config.write_text(text, encoding="utf-8")
    line = len(text.splitlines())
    error = assert_error(invoke("-w", str(workspace), "scan"))
    assert error.startswith(f"Error: {config}:{line}: timezone: "), error
    assert "Asia/Shanghai" in error or "expected a time zone name" in error


# --- a reply dated in the future ---------------------------------------------------


def test_a_reply_dated_in_the_future_counts_when_it_arrived(
    invoke: Invoke, workspace: Path
) -> None:
    """The sender's clock a year ahead: the reply is dated when its file was saved, with
    a warning, and `due` and `report` see it."""
    base = workspace / B / "Clockwork Ltd"
    build_tree(
        base,
        {
            "报价/QT-7.eml": mail("Quotation QT-7", "Mon, 12 Oct 2026 09:00:00 +0800"),
            "IN/re.eml": mail("Re: Quotation QT-7", "Wed, 13 Oct 2027 09:00:00 +0000"),
        },
    )
    set_times(base / "报价/QT-7.eml", moment("Mon, 12 Oct 2026 09:00:00 +0800").timestamp() + 60)
    arrived = dt.datetime(2026, 10, 13, 9, 0, tzinfo=dt.UTC).timestamp()
    set_times(base / "IN/re.eml", arrived)
    scanned = invoke("-w", str(workspace), "scan")
    assert scanned.exit_code == 0
    assert "IN/re.eml: dated 2027-10-13T09:00:00+00:00, later than the file was saved" in (
        scanned.stderr
    )
    result = invoke(
        "-w", str(workspace), "due", "--today", "2026-10-20", "--within", "60", "--json"
    )
    (item,) = json.loads(result.stdout)
    assert item["last"]["kind"] == "in"
    report = invoke("-w", str(workspace), "report", "--today", "2026-10-20", "--json")
    assert json.loads(report.stdout)["open_quotes"] == []


def test_a_mail_dated_in_the_future_in_a_draft_folder_is_warned_of_too(
    invoke: Invoke, workspace: Path
) -> None:
    """A 草稿/ inside IN holds no event, yet its mail is read, and its wrong date said."""
    base = workspace / B / "Clockwork Ltd"
    build_tree(base, {"IN/草稿/re.eml": mail("Re: hi", "Wed, 13 Oct 2027 09:00:00 +0000")})
    set_times(base / "IN/草稿/re.eml", dt.datetime(2026, 10, 13, tzinfo=dt.UTC).timestamp())
    scanned = invoke("-w", str(workspace), "scan")
    assert scanned.exit_code == 0
    assert "IN/草稿/re.eml: dated 2027-10-13T09:00:00+00:00, later than the file" in (
        scanned.stderr
    )


# --- a change of zone between two scans ---------------------------------------------


def index_rows(root: Path) -> dict[str, list[tuple[object, ...]]]:
    path = local_state_dir(root) / INDEX_FILE
    conn = sqlite3.connect(path)
    try:
        return {
            "files": conn.execute(
                "SELECT customer, rel, kind, date, day, at, date_source, medium, topic, subject "
                "FROM files ORDER BY customer, rel"
            ).fetchall(),
            "grades": conn.execute("SELECT * FROM grades ORDER BY customer, seq").fetchall(),
        }
    finally:
        conn.close()


def test_a_change_of_zone_between_scans_gives_what_a_rebuild_gives(
    invoke: Invoke, workspace: Path, local_zone: ZoneSetter
) -> None:
    """A trip to a fair: the machine's zone changes between two scans."""
    build_exchanges(workspace)
    note = workspace / B / "Nordlicht GmbH" / "OUT" / "samples sent.txt"
    note.write_text("sent by DHL")
    set_times(note, dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC).timestamp())
    # a grade move noted in Berlin, late on 30 November
    (workspace / B / "Koala Electrical Pty Ltd" / ".folder-kit-grades.txt").write_text(
        "2026-11-30T23:45:00+01:00 C -> B\n"
    )
    local_zone("UTC")
    assert_ok(invoke("-w", str(workspace), "scan"))
    local_zone("Asia/Shanghai")
    assert_ok(invoke("-w", str(workspace), "scan"))
    incremental = index_rows(workspace)
    timeline = invoke("-w", str(workspace), "timeline", "--json").stdout
    assert_ok(invoke("-w", str(workspace), "scan", "--rebuild"))
    assert index_rows(workspace) == incremental
    assert invoke("-w", str(workspace), "timeline", "--json").stdout == timeline
    events = json.loads(timeline)
    (dhl,) = [e for e in events if e["path"].endswith("samples sent.txt")]
    assert dhl["date"] == "2026-12-01T07:30:00+08:00"  # in the user's zone now
    (move,) = [e for e in events if e["kind"] == "grade"]
    assert move["date"] == "2026-11-30T23:45:00+01:00"
    days = {row[1]: row[4] for row in incremental["files"]}
    assert days["OUT/samples sent.txt"] == "2026-12-01"
    assert incremental["grades"][0][3] == "2026-12-01"  # 06:45 in Shanghai
