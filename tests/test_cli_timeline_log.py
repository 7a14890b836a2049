"""`folder-kit timeline`, `customer list`'s last contact, and `log`, as docs/cli.md
describes them."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

import click
import pytest
from conftest import Invoke, ZoneSetter
from helpers import assert_error, assert_ok, build_tree, read_tree, set_times, tree_diff

from folder_kit.terms import LOG_TOPICS

A = "客户/A-交易客户"
B = "客户/B-在谈客户"
D = "客户/D-行业客户"
ACME = f"{B}/ACME"
KEYS = {"customer", "grade", "kind", "date", "date_source", "medium", "topic", "path"}
MEDIA = ("phone", "fax", "courier", "chat", "visit", "email")

Event = dict[str, Any]


def eml(subject: str, date: str) -> bytes:
    return f"From: a@b.c\nSubject: {subject}\nDate: {date}\n\nHi.\n".encode()


def age_tree(root: Path, seconds: float = 3600) -> float:
    """Every file and folder under ``root`` ``seconds`` into the past, bottom-up."""
    when = time.time() - seconds
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for name in [*filenames, *dirnames]:
            set_times(os.path.join(dirpath, name), when)
    return when


@pytest.fixture
def ws(workspace: Path) -> Path:
    build_tree(
        workspace / ACME,
        {
            "Contact.txt": "公司: ACME Trading GmbH\n国家: DE\n联系人: Hans\n",
            "OUT/2026-03-01 price list.txt": "sent",
            "IN/Re price list.eml": eml("Re: price list", "Thu, 05 Mar 2026 09:00:00 +0100"),
            "报价/Q-2026-03-10.xlsx": b"PK",
            "PI": None,
            "定单": None,
            "草稿/2026-12-01 follow-up.eml": eml("Follow-up", "Tue, 01 Dec 2026 09:00:00 +0100"),
        },
    )
    build_tree(
        workspace / A / "Bosch",
        {
            "Contact.txt": "Company: Robert Bosch\n",
            "OUT/2026-01-05 WeChat.txt": "hi",
            "定单/PO 2026-02-14.pdf": b"%PDF",
        },
    )
    build_tree(workspace / D / "Quiet Ltd", {"Contact.txt": "Company: Quiet\n", "OUT": None})
    age_tree(workspace)
    return workspace


def timeline(invoke: Invoke, ws: Path | None, *name: str) -> list[Event]:
    args = ("-w", str(ws)) if ws is not None else ()
    result = invoke(*args, "timeline", *name, "--json")
    assert_ok(result)
    events: list[Event] = json.loads(result.stdout)
    return events


def log(invoke: Invoke, ws: Path, *args: str) -> str:
    result = invoke("-w", str(ws), "log", *args)
    assert_ok(result)
    return result.stdout


def only(events: list[Event], path: str) -> Event:
    hits = [e for e in events if e["path"] == path]
    assert len(hits) == 1, (path, [e["path"] for e in events])
    return hits[0]


# --- timeline ----------------------------------------------------------------------


def test_timeline_of_one_customer_oldest_first(invoke: Invoke, ws: Path) -> None:
    events = timeline(invoke, ws, "ACME")
    assert [(e["kind"], e["path"]) for e in events[:3]] == [
        ("out", f"{ACME}/OUT/2026-03-01 price list.txt"),
        ("in", f"{ACME}/IN/Re price list.eml"),
        ("quote", f"{ACME}/报价/Q-2026-03-10.xlsx"),
    ]
    assert [e["kind"] for e in events] == ["out", "in", "quote"]  # its card, first seen: none
    assert [list(e) for e in events] == [
        ["customer", "grade", "kind", "date", "date_source", "medium", "topic", "path"],
        ["customer", "grade", "kind", "date", "date_source", "medium", "topic", "path", "subject"],
        ["customer", "grade", "kind", "date", "date_source", "medium", "topic", "path"],
    ]
    assert events[1] == {
        "customer": "ACME",
        "grade": "B",
        "kind": "in",
        "date": "2026-03-05T09:00:00+01:00",
        "date_source": "header",
        "medium": "email",
        "topic": "price-update",
        "path": f"{ACME}/IN/Re price list.eml",
        "subject": "Re: price list",
    }


def test_timeline_of_everyone_oldest_first(invoke: Invoke, ws: Path) -> None:
    events = timeline(invoke, ws)
    # Quiet Ltd has nothing but its card, first seen: no event.
    assert {e["customer"] for e in events} == {"ACME", "Bosch"}
    assert len(events) == 3 + 2
    days = [e["date"][:10] for e in events]
    assert days == sorted(days)
    assert [e["path"].rsplit("/", 1)[1] for e in events[:2]] == [
        "2026-01-05 WeChat.txt",
        "PO 2026-02-14.pdf",
    ]


def test_timeline_grade_event_adds_from_and_to(invoke: Invoke, ws: Path) -> None:
    assert_ok(invoke("-w", str(ws), "customer", "move", "Quiet Ltd", "--grade", "C"))
    events = timeline(invoke, ws, "Quiet Ltd")
    grade = [e for e in events if e["kind"] == "grade"]
    assert len(grade) == 1
    assert set(grade[0]) == KEYS | {"from", "to"}
    assert (grade[0]["from"], grade[0]["to"], grade[0]["path"]) == (
        "D",
        "C",
        "客户/C-潜力客户/Quiet Ltd",
    )


@pytest.mark.parametrize("name", ["ACME", "acme", "ACME Trading GmbH", "acme trading gmbh"])
def test_timeline_by_folder_or_company_name(invoke: Invoke, ws: Path, name: str) -> None:
    assert timeline(invoke, ws, name) == timeline(invoke, ws, "ACME")


@pytest.mark.parametrize("inside", ["", "OUT", "报价"])
def test_timeline_of_dot_inside_the_customer_folder(
    invoke: Invoke, ws: Path, monkeypatch: pytest.MonkeyPatch, inside: str
) -> None:
    expected = timeline(invoke, ws, "ACME")
    monkeypatch.chdir(ws / ACME / inside)
    assert timeline(invoke, None, ".") == expected


def test_timeline_by_path(invoke: Invoke, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = timeline(invoke, ws, "Bosch")
    assert timeline(invoke, ws, str(ws / A / "Bosch")) == expected
    monkeypatch.chdir(ws / "客户")
    assert timeline(invoke, None, "A-交易客户/Bosch") == expected


def test_timeline_of_an_unknown_customer(invoke: Invoke, ws: Path) -> None:
    result = invoke("-w", str(ws), "timeline", "Nobody Inc", "--json")
    assert_error(result, "Error: no customer 'Nobody Inc'")
    assert result.stdout == ""


def test_timeline_of_a_misspelt_customer_names_the_closest(invoke: Invoke, ws: Path) -> None:
    line = assert_error(invoke("-w", str(ws), "timeline", "Bosh"))
    assert line.startswith("Error: no customer 'Bosh'") and "Bosch" in line, line


def test_timeline_human_output(invoke: Invoke, ws: Path) -> None:
    result = invoke("-w", str(ws), "timeline", "ACME")
    assert_ok(result)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["date", "kind", "medium", "topic", "file"]
    assert lines[1].split() == [
        "2026-03-01",
        "out",
        "file",
        "price-update",
        "2026-03-01",
        "price",
        "list.txt",
    ]


# --- customer list: last contact ----------------------------------------------------


def test_customer_list_last_contact(invoke: Invoke, ws: Path) -> None:
    # a card edited today, a draft for later and a grade move today are no contact
    assert_ok(invoke("-w", str(ws), "customer", "move", "ACME", "--grade", "A"))
    (ws / A / "ACME" / "Contact.txt").write_text(
        "公司: ACME Trading GmbH\n备注: VIP\n", encoding="utf-8"
    )
    result = invoke("-w", str(ws), "customer", "list", "--json")
    assert_ok(result)
    assert json.loads(result.stdout) == [
        {
            "name": "ACME",
            "grade": "A",
            "path": f"{A}/ACME",
            "last_contact": "2026-03-10",
            "company": "ACME Trading GmbH",  # the card as edited just now
        },
        {
            "name": "Bosch",
            "grade": "A",
            "path": f"{A}/Bosch",
            "last_contact": "2026-02-14",
            "company": "Robert Bosch",
        },
        {
            "name": "Quiet Ltd",
            "grade": "D",
            "path": f"{D}/Quiet Ltd",
            "last_contact": None,
            "company": "Quiet",
        },
    ]


def test_customer_list_last_contact_follows_new_files(
    invoke: Invoke, ws: Path, local_zone: ZoneSetter
) -> None:
    local_zone("Asia/Shanghai")
    (ws / D / "Quiet Ltd" / "OUT" / "2026-04-01 phone.txt").write_text("no answer")
    (ws / A / "Bosch" / "IN" / "2026-04-02 re.eml").parent.mkdir()
    (ws / A / "Bosch" / "IN" / "2026-04-02 re.eml").write_bytes(
        eml("Re", "Wed, 01 Apr 2026 23:30:00 -0700")
    )
    result = invoke("-w", str(ws), "customer", "list", "--json")
    assert_ok(result)
    last = {c["name"]: c["last_contact"] for c in json.loads(result.stdout)}
    # the user's day of the mail's instant: 23:30 at -07:00 is 14:30 the next day in Shanghai
    assert last == {"ACME": "2026-03-10", "Bosch": "2026-04-02", "Quiet Ltd": "2026-04-01"}


# --- log ---------------------------------------------------------------------------

NOTE_FILE = "2026-11-20 phone price-update asked about MOQ.txt"
NOTE_ARGS = (
    "ACME", "--direction", "out", "--medium", "phone", "--topic", "price-update",
    "--date", "2026-11-20", "--note", "asked about MOQ",
)  # fmt: skip


def test_log_writes_the_file_and_the_next_timeline_has_the_event(invoke: Invoke, ws: Path) -> None:
    before = read_tree(ws)
    out = log(
        invoke,
        ws,
        *NOTE_ARGS,
    )
    assert out == f"Wrote {ACME}/OUT/{NOTE_FILE}\n"
    added, removed, changed = tree_diff(before, read_tree(ws))
    assert (added, removed, changed) == ({f"{ACME}/OUT/{NOTE_FILE}"}, set(), set())
    assert (ws / ACME / "OUT" / NOTE_FILE).read_text(encoding="utf-8") == "asked about MOQ\n"
    # at once: the file was written a moment ago
    event = only(timeline(invoke, ws, "ACME"), f"{ACME}/OUT/{NOTE_FILE}")
    assert event == {
        "customer": "ACME",
        "grade": "B",
        "kind": "out",
        "date": "2026-11-20",
        "date_source": "filename",
        "medium": "phone",
        "topic": "price-update",
        "path": f"{ACME}/OUT/{NOTE_FILE}",
    }


def test_log_after_earlier_scans_is_seen_by_the_next_timeline(invoke: Invoke, ws: Path) -> None:
    """The everyday order: the index already knows the customer, then `log`, then `timeline`."""
    timeline(invoke, ws, "ACME")
    timeline(invoke, ws, "ACME")
    log(invoke, ws, "ACME", "--direction", "out", "--medium", "phone", "--date", "2026-11-25")
    event = only(timeline(invoke, ws, "ACME"), f"{ACME}/OUT/2026-11-25 phone.txt")
    assert (event["kind"], event["medium"], event["date"]) == ("out", "phone", "2026-11-25")
    log(invoke, ws, "ACME", "--direction", "in", "--medium", "chat", "--date", "2026-11-26")
    assert only(timeline(invoke, ws), f"{ACME}/IN/2026-11-26 chat.txt")["kind"] == "in"


def test_log_in_goes_into_in(invoke: Invoke, ws: Path) -> None:
    out = log(
        invoke,
        ws,
        "ACME Trading GmbH",
        "--direction",
        "in",
        "--medium",
        "visit",
        "--date",
        "2026-11-21",
        "--note",
        "Hans came to the factory",
    )
    name = "2026-11-21 visit Hans came to the factory.txt"
    assert out == f"Wrote {ACME}/IN/{name}\n"
    event = only(timeline(invoke, ws), f"{ACME}/IN/{name}")
    assert (event["kind"], event["date"], event["date_source"], event["medium"]) == (
        "in",
        "2026-11-21",
        "filename",
        "visit",
    )


@pytest.mark.parametrize("direction", ["out", "in"])
@pytest.mark.parametrize("medium", MEDIA)
def test_log_every_medium_comes_back(invoke: Invoke, ws: Path, direction: str, medium: str) -> None:
    log(invoke, ws, "Bosch", "--direction", direction, "--medium", medium, "--date", "2026-11-22")
    folder = "OUT" if direction == "out" else "IN"
    event = only(timeline(invoke, ws, "Bosch"), f"{A}/Bosch/{folder}/2026-11-22 {medium}.txt")
    assert (event["kind"], event["medium"], event["date"], event["date_source"]) == (
        direction,
        medium,
        "2026-11-22",
        "filename",
    )


@pytest.mark.parametrize("topic", LOG_TOPICS)
@pytest.mark.parametrize("medium", [m for m in MEDIA if m != "email"])
def test_log_every_topic_comes_back(invoke: Invoke, ws: Path, medium: str, topic: str) -> None:
    log(invoke, ws, "Bosch", "--direction", "out", "--medium", medium, "--topic", topic)
    today = dt.date.today().isoformat()
    event = only(timeline(invoke, ws, "Bosch"), f"{A}/Bosch/OUT/{today} {medium} {topic}.txt")
    assert (event["medium"], event["topic"], event["date"], event["date_source"]) == (
        medium,
        topic,
        today,
        "filename",
    )


@pytest.mark.parametrize(
    ("note", "topic"),
    [
        ("sent the new price list", "price-update"),  # no --topic: the note may tell
        ("just said hello", "other"),
        ("2025-01-01 was the last order", "order"),
    ],
)
def test_log_without_topic(invoke: Invoke, ws: Path, note: str, topic: str) -> None:
    log(
        invoke,
        ws,
        "ACME",
        "--direction",
        "out",
        "--medium",
        "fax",
        "--date",
        "2026-11-23",
        "--note",
        note,
    )
    event = only(timeline(invoke, ws, "ACME"), f"{ACME}/OUT/2026-11-23 fax {note}.txt")
    assert (event["date"], event["medium"], event["topic"]) == ("2026-11-23", "fax", topic)


def test_log_note_keywords_do_not_override_the_options(invoke: Invoke, ws: Path) -> None:
    log(
        invoke,
        ws,
        "ACME",
        "--direction",
        "out",
        "--medium",
        "phone",
        "--topic",
        "holiday-greeting",
        "--date",
        "2025-12-20",
        "--note",
        "DHL samples and new price list",
    )
    name = "2025-12-20 phone holiday-greeting DHL samples and new price list.txt"
    event = only(timeline(invoke, ws, "ACME"), f"{ACME}/OUT/{name}")
    assert (event["medium"], event["topic"]) == ("phone", "holiday-greeting")


def test_log_twice_never_overwrites(invoke: Invoke, ws: Path) -> None:
    args = ("ACME", "--direction", "out", "--medium", "phone", "--topic", "price-update")
    args += ("--date", "2026-11-20", "--note", "asked about MOQ")
    log(invoke, ws, *args)
    (ws / ACME / "OUT" / NOTE_FILE).write_text("asked about MOQ\nHans will check.\n")
    before = read_tree(ws)
    second = "2026-11-20 phone price-update asked about MOQ (2).txt"
    assert log(invoke, ws, *args) == f"Wrote {ACME}/OUT/{second}\n"
    added, removed, changed = tree_diff(before, read_tree(ws))
    assert (added, removed, changed) == ({f"{ACME}/OUT/{second}"}, set(), set())
    assert (ws / ACME / "OUT" / second).read_text(encoding="utf-8") == "asked about MOQ\n"
    events = timeline(invoke, ws, "ACME")
    for name in (NOTE_FILE, second):
        event = only(events, f"{ACME}/OUT/{name}")
        assert (event["date"], event["medium"], event["topic"]) == (
            "2026-11-20",
            "phone",
            "price-update",
        )


def test_log_without_date_is_today(invoke: Invoke, ws: Path) -> None:
    out = log(invoke, ws, "ACME", "--direction", "out", "--medium", "courier")
    today = dt.date.today().isoformat()
    assert out == f"Wrote {ACME}/OUT/{today} courier.txt\n"
    assert (ws / ACME / "OUT" / f"{today} courier.txt").read_bytes() == b""
    event = only(timeline(invoke, ws, "ACME"), f"{ACME}/OUT/{today} courier.txt")
    assert (event["date"], event["date_source"], event["medium"]) == (today, "filename", "courier")


def test_log_creates_a_missing_out_folder(invoke: Invoke, ws: Path) -> None:
    build_tree(ws / B / "New Co", {"Contact.txt": "Company: New Co\n"})
    log(invoke, ws, "New Co", "--direction", "out", "--medium", "phone", "--date", "2026-11-20")
    assert (ws / B / "New Co" / "OUT" / "2026-11-20 phone.txt").is_file()


def test_log_by_dot_inside_the_customer_folder(
    invoke: Invoke, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ws / ACME / "IN")
    result = invoke("log", ".", "--direction", "in", "--medium", "chat", "--date", "2026-11-24")
    assert_ok(result)
    assert (ws / ACME / "IN" / "2026-11-24 chat.txt").is_file()


@pytest.mark.parametrize(
    "bad", ["2026-13-01", "2026-02-30", "20.11.2026", "tomorrow", "2026-1-5x", "20261131", ""]
)
def test_log_invalid_date(invoke: Invoke, ws: Path, bad: str) -> None:
    before = read_tree(ws)
    result = invoke(
        "-w", str(ws), "log", "ACME", "--direction", "out", "--medium", "phone", "--date", bad
    )
    # an empty value (a script's unset variable) is not a date either, not "today"
    assert_error(result, f"Error: not a date: {bad!r} (expected YYYY-MM-DD)")
    assert read_tree(ws) == before


@pytest.mark.parametrize(
    ("option", "value"),
    [("--medium", "pigeon"), ("--direction", "sideways"), ("--topic", "weather")],
)
def test_log_invalid_choice_is_a_usage_error(
    invoke: Invoke, ws: Path, option: str, value: str
) -> None:
    before = read_tree(ws)
    args = {"--direction": "out", "--medium": "phone", option: value}
    flat = [x for kv in args.items() for x in kv]
    result = invoke("-w", str(ws), "log", "ACME", *flat)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert f"Invalid value for '{option}'" in result.stderr
    assert "Traceback" not in result.stderr
    assert read_tree(ws) == before


def test_log_unknown_customer(invoke: Invoke, ws: Path) -> None:
    before = read_tree(ws)
    result = invoke("-w", str(ws), "log", "Nobody", "--direction", "out", "--medium", "phone")
    assert_error(result, "Error: no customer 'Nobody'")
    assert read_tree(ws) == before


@pytest.mark.parametrize(
    "note",
    [
        "../../../../etc/passwd",
        "..",
        'a/b\\c:d*e?f"g<h>i|j',
        "first line\nsecond line\r\nthird",
        "x" * 500,
        "中文备注/" * 100,
        "CON",
        "ends with dots...",
        "\ttabbed\x0bnote",
    ],
)
def test_log_hostile_note_stays_inside_out(invoke: Invoke, ws: Path, note: str) -> None:
    before = read_tree(ws)
    out = log(invoke, ws, "ACME", "--direction", "out", "--medium", "phone", "--note", note)
    added, removed, changed = tree_diff(before, read_tree(ws))
    assert (removed, changed) == (set(), set())
    assert len(added) == 1
    rel = added.pop()
    assert rel.startswith(f"{ACME}/OUT/") and "/" not in rel[len(f"{ACME}/OUT/") :], rel
    assert out == f"Wrote {rel}\n"
    name = rel.rsplit("/", 1)[1]
    assert name.endswith(".txt") and len(name.encode("utf-8")) <= 255, name
    assert not any(c in name for c in '\\:*?"<>|\n\r\t\x0b'), name
    assert not name.endswith((". txt", " .txt"))
    assert (ws / rel).read_bytes().decode("utf-8") == note.strip() + "\n"
    # and the scan reads it back as a phone call
    event = only(timeline(invoke, ws, "ACME"), rel)
    assert (event["kind"], event["medium"], event["date"]) == (
        "out",
        "phone",
        dt.date.today().isoformat(),
    )


def test_log_dry_run_writes_nothing(invoke: Invoke, ws: Path) -> None:
    before = read_tree(ws)
    result = invoke(
        "-w",
        str(ws),
        "log",
        *NOTE_ARGS,
        "--dry-run",
    )
    assert_ok(result)
    assert result.stdout == f"Would write {ACME}/OUT/{NOTE_FILE}\n"
    assert read_tree(ws) == before
    assert [e for e in timeline(invoke, ws, "ACME") if "MOQ" in e["path"]] == []


def test_log_dry_run_names_the_free_name(invoke: Invoke, ws: Path) -> None:
    args = ("ACME", "--direction", "out", "--medium", "phone", "--date", "2026-11-20")
    log(invoke, ws, *args)
    before = read_tree(ws)
    assert (
        log(invoke, ws, *args, "--dry-run") == f"Would write {ACME}/OUT/2026-11-20 phone (2).txt\n"
    )
    assert read_tree(ws) == before


def test_the_cli_offers_the_topics_and_media_the_library_knows() -> None:
    """cli.py keeps its own lists so that --help loads no YAML; they must not drift."""
    from folder_kit import cli
    from folder_kit.terms import LOG_MEDIA
    from folder_kit.workspace.config import DEFAULT_MEDIUM_KEYWORDS, DEFAULT_TOPIC_KEYWORDS

    # every topic and medium `log` writes has a keyword list, so the scan reads it back
    assert set(LOG_TOPICS) == set(DEFAULT_TOPIC_KEYWORDS)
    log = cli.cli.get_command(click.Context(cli.cli), "log")
    assert log is not None
    medium = next(p for p in log.params if p.name == "medium")
    assert isinstance(medium.type, click.Choice)
    assert set(medium.type.choices) == set(LOG_MEDIA) == set(DEFAULT_MEDIUM_KEYWORDS)


@pytest.mark.parametrize(
    "typed",
    ["2026-11-05", "20261105", "2026.11.05", "2026年11月5日", "2026-11-5", "２０２６－１１－０５"],
)
def test_log_date_takes_the_forms_file_names_use(invoke: Invoke, ws: Path, typed: str) -> None:
    result = invoke(
        "-w", str(ws), "log", "ACME", "--direction", "out", "--medium", "phone", "--date", typed
    )
    assert_ok(result)
    assert (ws / ACME / "OUT" / "2026-11-05 phone.txt").is_file()


def test_log_in_the_future_is_refused(invoke: Invoke, ws: Path) -> None:
    before = read_tree(ws)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    result = invoke(
        "-w", str(ws), "log", "ACME", "--direction", "out", "--medium", "phone",
        "--date", tomorrow.isoformat(),
    )  # fmt: skip
    assert_error(result, f"Error: {tomorrow} is in the future: log a contact once it has happened")
    assert read_tree(ws) == before


@pytest.mark.parametrize(
    ("typed", "topic"),
    [
        ("price update", "price-update"),
        ("New Product", "product-update"),
        ("展会", "exhibition-invite"),
        ("Holiday_Greeting", "holiday-greeting"),
    ],
)
def test_log_topic_in_words(invoke: Invoke, ws: Path, typed: str, topic: str) -> None:
    result = invoke(
        "-w", str(ws), "log", "ACME", "--direction", "OUT", "--medium", "Phone",
        "--topic", typed, "--date", "2026-11-05",
    )  # fmt: skip
    assert_ok(result)
    assert (ws / ACME / "OUT" / f"2026-11-05 phone {topic}.txt").is_file()


def test_log_note_head_ends_at_a_whole_word(invoke: Invoke, ws: Path) -> None:
    note = "sent the new price list and a catalogue of the marine series to Hans"
    result = invoke(
        "-w", str(ws), "log", "ACME", "--direction", "out", "--medium", "phone",
        "--date", "2026-11-05", "--note", note,
    )  # fmt: skip
    assert_ok(result)
    path = ws / ACME / "OUT" / "2026-11-05 phone sent the new price list and a catalogue.txt"
    assert path.read_text(encoding="utf-8") == note + "\n"
