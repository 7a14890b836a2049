"""`folder-kit scan`: the index is derived from the folders, incrementally and safely."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke
from helpers import (
    assert_error,
    assert_ok,
    build_tree,
    grade_moves,
    needs_byte_names,
    needs_fifo,
    needs_links,
    read_tree,
    record_calls,
    set_times,
)
from realdata import EML, msg, msg_dir

import folder_kit.timeline.mail

A = "客户/A-交易客户"
B = "客户/B-在谈客户"
C = "客户/C-潜力客户"
ACME = f"{B}/ACME GmbH"
MUELLER = f"{A}/Müller & Söhne"
TIMELINE_KEYS = {"customer", "grade", "kind", "date", "date_source", "medium", "topic", "path"}

Event = dict[str, Any]


def eml(subject: str, date: str | None) -> bytes:
    head = f"From: Hans <hans@acme.de>\nTo: me@example.cn\nSubject: {subject}\n"
    if date is not None:
        head += f"Date: {date}\n"
    return (head + "MIME-Version: 1.0\nContent-Type: text/plain\n\nHello.\n").encode()


CARD_ACME = "公司: ACME GmbH\n国家: DE\n联系人: Hans\n邮箱: hans@acme.de\n"
CARD_MUELLER = "Company: Müller & Söhne KG\nCountry: DE\nName: Jörg\n"

ACME_FILES: dict[str, str | bytes | None] = {
    "Contact.txt": CARD_ACME,
    "OUT/2026-03-05 price list.eml": eml("New price list 2026", "Thu, 05 Mar 2026 10:00:00 +0800"),
    "OUT/2025/2025-12-01 DHL samples.txt": "tracking 1234567890",
    "IN/2026-03-06 电话 询价.txt": "asked for a quote",
    "IN/Re offer.eml": eml("Re: offer", "Sat, 07 Mar 2026 09:30:00 +0100"),
    "报价/ACME 2026-03-10.xlsx": b"PK\x03\x04 not really",
    "PI/PI-0042 2026-03-12.pdf": b"%PDF-1.4",
    "定单/PO 2026-03-20.pdf": b"%PDF-1.4",
    # never events
    "草稿/2026-03-21 follow-up.eml": eml("Follow-up", "Sat, 21 Mar 2026 09:00:00 +0800"),
    "notes.pdf": b"%PDF-1.4",
    "资料/2026-03-22 brochure.pdf": b"%PDF-1.4",
    "OUT/~$2026-03-23 draft.docx": b"lock",
    "OUT/.DS_Store": b"\x00",
    "IN/2026-03-24 big.part": b"partial",
}
MUELLER_FILES: dict[str, str | bytes | None] = {
    "Contact.txt": CARD_MUELLER,
    "OUT/2026-01-01 WeChat.txt": "hi",
    "Quotes/2026-01-02 quotation.pdf": b"%PDF-1.4",
    "Orders/2026-02-01 PO 4500.pdf": b"%PDF-1.4",
    "IN": None,
}

# path -> (kind, date, date_source, medium, topic); the cards are checked apart
EXPECTED: dict[str, tuple[str, str, str, str | None, str | None]] = {
    f"{ACME}/OUT/2026-03-05 price list.eml": (
        "out",
        "2026-03-05T10:00:00+08:00",
        "header",
        "email",
        "price-update",
    ),
    f"{ACME}/OUT/2025/2025-12-01 DHL samples.txt": (
        "out",
        "2025-12-01",
        "filename",
        "courier",
        "other",
    ),
    f"{ACME}/IN/2026-03-06 电话 询价.txt": ("in", "2026-03-06", "filename", "phone", "quote"),
    f"{ACME}/IN/Re offer.eml": ("in", "2026-03-07T09:30:00+01:00", "header", "email", "quote"),
    f"{ACME}/报价/ACME 2026-03-10.xlsx": ("quote", "2026-03-10", "filename", "file", "quote"),
    f"{ACME}/PI/PI-0042 2026-03-12.pdf": ("pi", "2026-03-12", "filename", "file", "order"),
    f"{ACME}/定单/PO 2026-03-20.pdf": ("order", "2026-03-20", "filename", "file", "order"),
    f"{MUELLER}/OUT/2026-01-01 WeChat.txt": ("out", "2026-01-01", "filename", "chat", "other"),
    f"{MUELLER}/Quotes/2026-01-02 quotation.pdf": (
        "quote",
        "2026-01-02",
        "filename",
        "file",
        "quote",
    ),
    f"{MUELLER}/Orders/2026-02-01 PO 4500.pdf": (
        "order",
        "2026-02-01",
        "filename",
        "file",
        "order",
    ),
}


def age_tree(root: Path, seconds: float = 3600, *, when: float | None = None) -> float:
    """Set every file and folder under ``root`` (and root) ``seconds`` into the past (or
    to ``when``), bottom-up so that touching a child does not leave its folder new;
    returns the time set."""
    if when is None:
        when = time.time() - seconds
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for name in [*filenames, *dirnames]:
            set_times(os.path.join(dirpath, name), when)
    os.utime(root, (when, when))
    return when


def local_iso(when: float) -> str:
    return dt.datetime.fromtimestamp(int(when)).astimezone().isoformat(timespec="seconds")


def scan(invoke: Invoke, ws: Path, *args: str) -> dict[str, Any]:
    result = invoke("-w", str(ws), "scan", "--json", *args)
    assert_ok(result)
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def timeline(invoke: Invoke, ws: Path, *name: str) -> list[Event]:
    result = invoke("-w", str(ws), "timeline", *name, "--json")
    assert_ok(result)
    events: list[Event] = json.loads(result.stdout)
    return events


def by_path(events: list[Event]) -> dict[str, Event]:
    paths = [e["path"] for e in events if e["kind"] != "grade"]
    assert len(paths) == len(set(paths)), f"an event counted twice: {paths}"
    return {e["path"]: e for e in events if e["kind"] != "grade"}


def fields(event: Event) -> tuple[str, str, str, str | None, str | None]:
    return (event["kind"], event["date"], event["date_source"], event["medium"], event["topic"])


def contact_events(events: list[Event]) -> dict[str, tuple[Any, ...]]:
    """The non-grade events by path inside their customer folder (which survives a move)."""
    out = {}
    for e in events:
        if e["kind"] == "grade":
            continue
        inside = e["path"].split("/", 3)[3]
        key = f"{e['customer']}/{inside}"
        assert key not in out, f"counted twice: {key}"
        out[key] = (*fields(e), e.get("subject"))
    return out


def two_customers(root: Path) -> Path:
    """ACME and Müller as these tests know them, in the workspace ``root``."""
    build_tree(root / ACME, ACME_FILES)
    build_tree(root / MUELLER, MUELLER_FILES)
    return root


@pytest.fixture
def ws(workspace: Path) -> Path:
    return two_customers(workspace)


@pytest.fixture
def aged(ws: Path) -> float:
    """The tree as a user leaves it: nothing written in the last hour."""
    return age_tree(ws)


@pytest.fixture
def read_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every mail the scan opens, by file name."""
    return record_calls(
        monkeypatch, folder_kit.timeline.mail, "read_message", lambda path: Path(path).name
    )


# --- what each folder means ------------------------------------------------------


def test_each_folder_gives_its_kind(invoke: Invoke, ws: Path, aged: float) -> None:
    events = timeline(invoke, ws)
    found = by_path(events)
    cards = {p: found.pop(p) for p in list(found) if found[p]["kind"] == "card"}
    assert {p: fields(e) for p, e in found.items()} == EXPECTED
    assert cards == {}  # a card first seen is no event: only a change to it is one
    for e in events:
        assert set(e) in (TIMELINE_KEYS, TIMELINE_KEYS | {"subject"}), e
        assert (e["customer"], e["grade"]) == (
            ("ACME GmbH", "B") if e["path"].startswith(ACME) else ("Müller & Söhne", "A")
        )
    assert found[f"{ACME}/OUT/2026-03-05 price list.eml"]["subject"] == "New price list 2026"
    assert "subject" not in found[f"{ACME}/PI/PI-0042 2026-03-12.pdf"]
    days = [e["date"][:10] for e in events]
    assert days == sorted(days)


def test_scan_json_shape(invoke: Invoke, ws: Path, aged: float) -> None:
    data = scan(invoke, ws)
    assert data == {
        "customers": 2,
        "files": len(EXPECTED) + 2,  # the two cards are files, but no events yet
        "events": len(EXPECTED),
        "new_events": len(EXPECTED),
        "warnings": [],
    }


def test_scan_prints_a_summary(invoke: Invoke, ws: Path, aged: float) -> None:
    result = invoke("-w", str(ws), "scan")
    assert_ok(result)
    assert result.stdout == f"2 customers, 12 files, 10 events ({len(EXPECTED)} new).\n"


def test_the_index_lives_outside_the_workspace(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    before = read_tree(ws)
    scan(invoke, ws)
    assert read_tree(ws) == before  # the scan wrote nothing into the workspace
    assert list((tmp_path / "state").rglob("*.sqlite"))


# --- incremental, and derived -------------------------------------------------------


def test_second_scan_adds_nothing(invoke: Invoke, ws: Path, aged: float) -> None:
    first = scan(invoke, ws)
    events = timeline(invoke, ws)
    second = scan(invoke, ws)
    assert second == {**first, "new_events": 0}
    assert timeline(invoke, ws) == events


def test_second_scan_does_not_reopen_unchanged_mail(
    invoke: Invoke, ws: Path, aged: float, read_calls: list[str]
) -> None:
    scan(invoke, ws)
    # The two mails, and the draft of a customer with new mail (is it sent? sent_drafts)
    assert sorted(read_calls) == [
        "2026-03-05 price list.eml",
        "2026-03-21 follow-up.eml",
        "Re offer.eml",
    ]
    read_calls.clear()
    scan(invoke, ws)
    timeline(invoke, ws)
    assert read_calls == []


def test_unchanged_size_and_mtime_means_not_read_again(
    invoke: Invoke, ws: Path, aged: float
) -> None:
    before = timeline(invoke, ws)
    mail = ws / ACME / "IN" / "Re offer.eml"
    st = mail.stat()
    other = eml("Re: order", "Sun, 08 Mar 2026 09:30:00 +0100")
    assert len(other) == st.st_size
    mail.write_bytes(other)
    os.utime(mail, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert scan(invoke, ws)["new_events"] == 0
    assert timeline(invoke, ws) == before


def test_rebuild_gives_the_same_events(invoke: Invoke, ws: Path, aged: float) -> None:
    first = scan(invoke, ws)
    events = timeline(invoke, ws)
    rebuilt = scan(invoke, ws, "--rebuild")
    assert rebuilt == {**first, "new_events": first["events"]}
    assert timeline(invoke, ws) == events


def test_deleting_the_index_loses_nothing(
    invoke: Invoke, ws: Path, aged: float, tmp_path: Path
) -> None:
    scan(invoke, ws)
    events = timeline(invoke, ws)
    state = tmp_path / "state"
    assert state.is_dir()
    shutil.rmtree(state)
    assert scan(invoke, ws)["events"] == len(events)
    assert timeline(invoke, ws) == events


def test_a_new_file_is_one_new_event(invoke: Invoke, ws: Path, aged: float) -> None:
    first = scan(invoke, ws)
    (ws / ACME / "OUT" / "2026-04-01 phone new product.txt").write_text("called Hans")
    age_tree(ws)
    second = scan(invoke, ws)
    assert (second["new_events"], second["events"]) == (1, first["events"] + 1)
    event = by_path(timeline(invoke, ws))[f"{ACME}/OUT/2026-04-01 phone new product.txt"]
    assert fields(event) == ("out", "2026-04-01", "filename", "phone", "product-update")


def test_a_file_in_a_new_subfolder_is_an_event(invoke: Invoke, ws: Path, aged: float) -> None:
    scan(invoke, ws)
    build_tree(ws / ACME / "IN" / "2026" / "03", {"2026-03-30 fax.pdf": b"%PDF"})
    age_tree(ws)
    assert scan(invoke, ws)["new_events"] == 1
    event = by_path(timeline(invoke, ws))[f"{ACME}/IN/2026/03/2026-03-30 fax.pdf"]
    assert fields(event) == ("in", "2026-03-30", "filename", "fax", "other")


def test_a_file_written_just_now_is_seen_at_once(invoke: Invoke, ws: Path, aged: float) -> None:
    scan(invoke, ws)
    (ws / ACME / "OUT" / "2026-04-02 visit.txt").write_text("met Hans")  # no ageing
    assert scan(invoke, ws)["new_events"] == 1
    assert f"{ACME}/OUT/2026-04-02 visit.txt" in by_path(timeline(invoke, ws))


def test_a_file_still_being_written_is_read_again(invoke: Invoke, ws: Path, aged: float) -> None:
    scan(invoke, ws)
    mail = ws / ACME / "IN" / "reply.eml"
    mail.write_bytes(eml("Re: hello", None))  # the mail client has written the head only
    scan(invoke, ws)
    mail.write_bytes(eml("Re: hello", "Mon, 09 Mar 2026 08:00:00 +0100"))
    scan(invoke, ws)
    event = by_path(timeline(invoke, ws))[f"{ACME}/IN/reply.eml"]
    assert (event["date"], event["date_source"]) == ("2026-03-09T08:00:00+01:00", "header")


@pytest.mark.parametrize(
    "rel", [f"{ACME}/PI/PI-0042 2026-03-12.pdf", f"{ACME}/OUT/2025/2025-12-01 DHL samples.txt"]
)
def test_a_deleted_file_takes_its_event_with_it(
    invoke: Invoke, ws: Path, aged: float, rel: str
) -> None:
    first = scan(invoke, ws)
    (ws / rel).unlink()
    age_tree(ws)
    assert scan(invoke, ws)["events"] == first["events"] - 1
    assert rel not in by_path(timeline(invoke, ws))


def test_a_deleted_subfolder_takes_its_events_with_it(
    invoke: Invoke, ws: Path, aged: float
) -> None:
    first = scan(invoke, ws)
    shutil.rmtree(ws / ACME / "OUT" / "2025")
    age_tree(ws)
    assert scan(invoke, ws)["events"] == first["events"] - 1
    assert f"{ACME}/OUT/2025/2025-12-01 DHL samples.txt" not in by_path(timeline(invoke, ws))


def test_a_file_replaced_by_a_new_version_is_read_again(
    invoke: Invoke, ws: Path, aged: float
) -> None:
    """As mail clients and most editors save: a new file renamed over the old one."""
    first = scan(invoke, ws)
    mail = ws / ACME / "IN" / "Re offer.eml"
    new = ws / ACME / "IN" / "new.tmp"
    new.write_bytes(eml("Re: new price list", "Tue, 10 Mar 2026 11:00:00 +0100"))
    os.replace(new, mail)
    age_tree(ws)
    assert scan(invoke, ws) == {**first, "new_events": 0}
    event = by_path(timeline(invoke, ws))[f"{ACME}/IN/Re offer.eml"]
    assert fields(event) == ("in", "2026-03-10T11:00:00+01:00", "header", "email", "price-update")
    assert event["subject"] == "Re: new price list"


def test_a_mail_rewritten_in_place_is_read_by_rebuild(
    invoke: Invoke, ws: Path, aged: float
) -> None:
    """The one change an incremental scan does not see (scan.py, SOUNDNESS): a saved
    mail rewritten in place with another Date, its folder's listing unchanged."""
    first = scan(invoke, ws)
    before = by_path(timeline(invoke, ws))[f"{ACME}/IN/Re offer.eml"]
    mail = ws / ACME / "IN" / "Re offer.eml"
    folder_mtime = (ws / ACME / "IN").stat().st_mtime_ns
    with mail.open("wb") as f:
        f.write(eml("Re: new price list", "Tue, 10 Mar 2026 11:00:00 +0100"))
    later = time.time() - 60
    os.utime(mail, (later, later))
    assert (ws / ACME / "IN").stat().st_mtime_ns == folder_mtime
    assert scan(invoke, ws) == {**first, "new_events": 0}
    assert by_path(timeline(invoke, ws))[f"{ACME}/IN/Re offer.eml"] == before
    scan(invoke, ws, "--rebuild")
    event = by_path(timeline(invoke, ws))[f"{ACME}/IN/Re offer.eml"]
    assert fields(event) == ("in", "2026-03-10T11:00:00+01:00", "header", "email", "price-update")


def test_a_file_dated_by_mtime_edited_in_place_moves_its_event(
    invoke: Invoke, ws: Path, aged: float
) -> None:
    note = ws / ACME / "OUT" / "call notes.txt"
    note.write_text("first call")
    age_tree(ws)
    scan(invoke, ws)
    folder_mtime = (ws / ACME / "OUT").stat().st_mtime_ns
    with note.open("a") as f:
        f.write("\nsecond call")
    when = time.time() - 30
    os.utime(note, (when, when))
    assert (ws / ACME / "OUT").stat().st_mtime_ns == folder_mtime
    assert scan(invoke, ws)["new_events"] == 0
    event = by_path(timeline(invoke, ws))[f"{ACME}/OUT/call notes.txt"]
    assert (event["date"], event["date_source"]) == (local_iso(when), "mtime")
    events = timeline(invoke, ws)
    scan(invoke, ws, "--rebuild")
    assert timeline(invoke, ws) == events


def test_a_renamed_grade_folder_is_no_grade_change(invoke: Invoke, ws: Path, aged: float) -> None:
    scan(invoke, ws)
    before = contact_events(timeline(invoke, ws))
    os.rename(ws / B, ws / "客户" / "B 在谈")
    after = timeline(invoke, ws)
    assert [e for e in after if e["kind"] == "grade"] == []
    assert contact_events(after) == before
    assert all(e["path"].startswith("客户/B 在谈/ACME GmbH/") for e in after if "ACME" in e["path"])


# --- grade moves ---------------------------------------------------------------


def grade_events(events: list[Event]) -> list[Event]:
    return [e for e in events if e["kind"] == "grade"]


def test_a_customer_moved_by_hand_is_one_grade_event(
    invoke: Invoke, ws: Path, aged: float, tmp_path: Path
) -> None:
    scan(invoke, ws)
    before = contact_events(timeline(invoke, ws))
    os.rename(ws / ACME, ws / A / "ACME GmbH")
    moved = scan(invoke, ws)
    assert moved["new_events"] == 1
    events = timeline(invoke, ws)
    grades = grade_events(events)
    assert len(grades) == 1
    grade = grades[0]
    assert (grade["customer"], grade["grade"], grade["from"], grade["to"]) == (
        "ACME GmbH",
        "A",
        "B",
        "A",
    )
    assert grade["path"] == f"{A}/ACME GmbH"
    assert dt.date.fromisoformat(grade["date"][:10]) == dt.date.today()
    assert contact_events(events) == before  # the same events, none twice
    acme = [e for e in events if e["customer"] == "ACME GmbH"]
    assert {e["grade"] for e in acme} == {"A"}
    assert all(e["path"].startswith(f"{A}/ACME GmbH") for e in acme)
    # the move is noted in the customer folder ...
    tree = read_tree(ws / A)
    assert grade_moves(tree, "ACME GmbH") == [("B", "A")]
    # ... so a rebuilt index still has it
    assert scan(invoke, ws)["new_events"] == 0
    assert timeline(invoke, ws) == events
    shutil.rmtree(tmp_path / "state")
    scan(invoke, ws)
    assert timeline(invoke, ws) == events


def test_moves_there_and_back_are_two_grade_events(invoke: Invoke, ws: Path, aged: float) -> None:
    scan(invoke, ws)
    os.rename(ws / ACME, ws / C / "ACME GmbH")
    scan(invoke, ws)
    os.rename(ws / C / "ACME GmbH", ws / ACME)
    scan(invoke, ws)
    grades = grade_events(timeline(invoke, ws))
    assert [(g["from"], g["to"]) for g in grades] == [("B", "C"), ("C", "B")]


def test_customer_move_is_one_grade_event(
    invoke: Invoke, ws: Path, aged: float, tmp_path: Path
) -> None:
    scan(invoke, ws)
    before = contact_events(timeline(invoke, ws))
    assert_ok(invoke("-w", str(ws), "customer", "move", "ACME GmbH", "--grade", "A"))
    assert scan(invoke, ws)["new_events"] == 1
    events = timeline(invoke, ws)
    assert [(g["from"], g["to"], g["grade"]) for g in grade_events(events)] == [("B", "A", "A")]
    assert contact_events(events) == before
    assert grade_moves(read_tree(ws / A), "ACME GmbH") == [("B", "A")]
    again = scan(invoke, ws)
    assert again["new_events"] == 0
    # The history note is a file of the index but no file of the counts; its move
    # is one event more.
    assert (again["files"], again["events"]) == (len(EXPECTED) + 2, len(EXPECTED) + 1)
    assert timeline(invoke, ws) == events
    shutil.rmtree(tmp_path / "state")
    scan(invoke, ws)
    assert timeline(invoke, ws) == events


def test_customer_move_before_any_scan_is_one_grade_event(invoke: Invoke, ws: Path) -> None:
    assert_ok(invoke("-w", str(ws), "customer", "move", "ACME GmbH", "--grade", "C"))
    events = timeline(invoke, ws)
    assert [(g["from"], g["to"]) for g in grade_events(events)] == [("B", "C")]
    assert scan(invoke, ws)["new_events"] == 0
    assert grade_events(timeline(invoke, ws)) == grade_events(events)


def test_a_deleted_customer_takes_its_events_with_it(invoke: Invoke, ws: Path, aged: float) -> None:
    first = scan(invoke, ws)
    shutil.rmtree(ws / ACME)
    age_tree(ws)
    after = scan(invoke, ws)
    assert (after["customers"], after["events"]) == (1, 3)
    assert after["events"] < first["events"]
    events = timeline(invoke, ws)
    assert {e["customer"] for e in events} == {"Müller & Söhne"}
    assert len(events) == 3


# --- real mail -------------------------------------------------------------------

# file name in IN -> (date, date_source, topic, subject)
REAL_MAIL: dict[str, tuple[str, str, str, str]] = {
    "mail_malformed_2.eml": (
        "2016-08-22T06:23:36-03:00",
        "header",
        "other",
        "Delivery failure (abh@netpar.com.br)",
    ),
    "mail_malformed_3.eml": (
        "2017-03-20T05:12:54+06:00",
        "header",
        "other",
        "Ahorre Dinero en su Recibo de Luz",
    ),
    "mail_test_12.eml": ("2018-05-13T12:32:22+08:00", "header", "other", "代开各地增值税发票"),
    "mail_test_14.eml": ("2019-04-24T10:05:02+02:00", "header", "other", "Test"),
    "mail_test_15.eml": (
        "2018-02-13T16:26:00-08:00",
        "header",
        "quote",
        "Urgent Request for Order Quotation",
    ),
    "mail_test_18.eml": (
        "2025-11-03T18:23:00+01:00",
        "header",
        "other",
        "Test for Comma and Name Bugs",
    ),
    "mail_test_19.eml": (
        "2024-01-01T12:00:00+00:00",
        "header",
        "other",
        "Test email with email address as display name",
    ),
    "mail_test_3.eml": ("2016-08-22T16:56:09+03:00", "header", "other", "Hi there"),
    "mail_test_4.eml": ("2016-08-19T15:33:29+01:00", "header", "other", "PI"),
    "mail_test_5.eml": (
        "2017-03-08T05:00:31+01:00",
        "header",
        "other",
        "Je prépare mon été zéro complexe !",
    ),
    "mail_test_7.eml": ("2017-06-09T17:56:00+02:00", "header", "order", "I: Ordine"),
    "unicode.msg": ("2013-11-18T08:26:24+00:00", "header", "other", "Test for TIF files"),
    "2026-03-05 strange.msg": ("2026-03-05", "filename", "other", "MSG Test File"),
}


def copy_real_mail(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for src in sorted(EML.glob("*.eml")) + sorted(msg_dir().glob("*.msg")):
        name = "2026-03-05 strange.msg" if src.name == "strangeDate.msg" else src.name
        shutil.copyfile(src, target / name)  # copyfile: not the read-only mode


def test_every_real_mail_is_expected() -> None:
    names = {p.name for p in EML.glob("*.eml")} | {p.name for p in msg_dir().iterdir()}
    assert names - {"strangeDate.msg"} == set(REAL_MAIL) - {"2026-03-05 strange.msg"}


def test_real_mail(invoke: Invoke, ws: Path) -> None:
    copy_real_mail(ws / ACME / "IN")
    age_tree(ws)
    data = scan(invoke, ws)
    found = by_path(timeline(invoke, ws, "ACME GmbH"))
    got = {
        p.rsplit("/", 1)[1]: (e["date"], e["date_source"], e["topic"], e.get("subject"))
        for p, e in found.items()
        if p.startswith(f"{ACME}/IN/") and p.endswith((".eml", ".msg")) and "Re offer" not in p
    }
    assert got == REAL_MAIL
    for p, e in found.items():
        if p.endswith((".eml", ".msg")) and "/IN/" in p:
            assert (e["kind"], e["medium"]) == ("in", "email"), p
    # the one mail without a date of its own says so
    undated = [w for w in data["warnings"] if "strange.msg" in w]
    assert len(undated) == 1, data["warnings"]
    assert [w for w in data["warnings"] if "mail_" in w or "unicode" in w] == []


def test_real_mail_without_any_date_is_dated_by_its_mtime(invoke: Invoke, ws: Path) -> None:
    shutil.copyfile(msg("strangeDate.msg"), ws / ACME / "IN" / "strangeDate.msg")
    when = age_tree(ws)
    event = by_path(timeline(invoke, ws))[f"{ACME}/IN/strangeDate.msg"]
    assert (event["kind"], event["medium"], event["date"], event["date_source"]) == (
        "in",
        "email",
        local_iso(when),
        "mtime",
    )


def test_the_gb2312_subject_gives_the_topic(invoke: Invoke, ws: Path) -> None:
    config = ws / "folder-kit.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "\nkeywords:\n  topic:\n    company-news: [增值税, 公司动态]\n",
        encoding="utf-8",
    )
    shutil.copyfile(EML / "mail_test_12.eml", ws / ACME / "IN" / "mail_test_12.eml")
    event = by_path(timeline(invoke, ws))[f"{ACME}/IN/mail_test_12.eml"]
    assert (event["subject"], event["topic"], event["date"]) == (
        "代开各地增值税发票",
        "company-news",
        "2018-05-13T12:32:22+08:00",
    )


# --- hostile trees ---------------------------------------------------------------


@pytest.fixture
def baseline(invoke: Invoke, ws: Path, aged: float, tmp_path: Path) -> list[Event]:
    """The healthy tree's events; the index is then deleted, so the test's scan is a first."""
    events = timeline(invoke, ws)
    shutil.rmtree(tmp_path / "state")
    return events


def assert_intact(events: list[Event], baseline: list[Event]) -> None:
    """Every healthy event is still there, unchanged."""
    have = by_path(events)
    for path, event in by_path(baseline).items():
        assert have.get(path) == event, path


def hostile_symlink_loop(ws: Path, tmp_path: Path) -> str:
    os.symlink("../OUT", ws / ACME / "OUT" / "loop")
    os.symlink("b", ws / ACME / "IN" / "a")
    os.symlink("a", ws / ACME / "IN" / "b")
    return "loop"


def hostile_link_outside(ws: Path, tmp_path: Path) -> str:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "2026-01-01 secret.eml").write_bytes(
        eml("secret", "Thu, 01 Jan 2026 10:00:00 +0000")
    )
    os.symlink(outside, ws / ACME / "IN" / "elsewhere")
    return "elsewhere"


def hostile_linked_file(ws: Path, tmp_path: Path) -> str:
    target = tmp_path / "2026-01-02 linked.eml"
    target.write_bytes(eml("linked", "Fri, 02 Jan 2026 10:00:00 +0000"))
    os.symlink(target, ws / ACME / "OUT" / "2026-01-02 linked.eml")
    return "linked.eml"


def hostile_linked_customer(ws: Path, tmp_path: Path) -> str:
    other = tmp_path / "other customer"
    build_tree(other, {"OUT/2026-01-03 phone.txt": "x", "Contact.txt": "Company: Other\n"})
    os.symlink(other, ws / C / "Other")
    return "Other"


def hostile_bad_name(ws: Path, tmp_path: Path) -> str:
    folder = os.fsencode(ws / ACME / "OUT")
    fd = os.open(os.path.join(folder, b"\xff\xfe bad.txt"), os.O_CREAT | os.O_WRONLY, 0o644)
    os.close(fd)
    return "bad.txt"


def hostile_bad_customer_name(ws: Path, tmp_path: Path) -> str:
    folder = os.path.join(os.fsencode(ws / C), b"Caf\xe9 Lyon")
    os.mkdir(folder)
    os.mkdir(os.path.join(folder, b"OUT"))
    return "Lyon"


def hostile_garbage_eml(ws: Path, tmp_path: Path) -> str:
    (ws / ACME / "IN" / "2026-03-07 garbage.eml").write_bytes(bytes(range(256)) * 4)
    return "garbage.eml"


def hostile_empty_msg(ws: Path, tmp_path: Path) -> str:
    (ws / ACME / "IN" / "2026-03-08 empty.msg").write_bytes(b"")
    return "empty.msg"


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(hostile_symlink_loop, marks=needs_links),
        pytest.param(hostile_link_outside, marks=needs_links),
        pytest.param(hostile_linked_file, marks=needs_links),
        pytest.param(hostile_linked_customer, marks=needs_links),
        pytest.param(hostile_bad_name, marks=needs_byte_names),
        pytest.param(hostile_bad_customer_name, marks=needs_byte_names),
        hostile_garbage_eml,
        hostile_empty_msg,
    ],
)
def test_hostile_input_is_a_warning_not_a_failure(
    invoke: Invoke,
    ws: Path,
    tmp_path: Path,
    aged: float,
    baseline: list[Event],
    read_calls: list[str],
    make: Callable[[Path, Path], str],
) -> None:
    needle = make(ws, tmp_path)
    age_tree(ws, when=aged)  # the healthy files keep their times, and the cards their dates
    data = scan(invoke, ws)
    assert [w for w in data["warnings"] if needle in w], data["warnings"]
    events = timeline(invoke, ws)
    assert_intact(events, baseline)
    # nothing was read through a link
    assert not {"2026-01-01 secret.eml", "2026-01-02 linked.eml"} & set(read_calls)
    paths = [e["path"] for e in events]
    assert not [p for p in paths if "secret" in p or "linked" in p or "Other" in p], paths
    # the same warnings again next time, and nothing new
    again = scan(invoke, ws)
    assert again == {**data, "new_events": 0}


def test_the_warnings_of_a_broken_mail_stay_until_it_is_fixed(
    invoke: Invoke, ws: Path, aged: float
) -> None:
    bad = ws / ACME / "IN" / "2026-03-07 garbage.eml"
    bad.write_bytes(b"\x00\x01garbage")
    age_tree(ws)
    first = scan(invoke, ws)["warnings"]
    assert len(first) == 1 and "2026-03-07 garbage.eml" in first[0], first
    age_tree(ws, 1800)
    assert scan(invoke, ws)["warnings"] == first
    bad.unlink()
    age_tree(ws, 60)
    assert scan(invoke, ws)["warnings"] == []


@pytest.mark.parametrize(
    ("name", "date_source"),
    [("2026-03-07 garbage.eml", "filename"), ("2026-03-08 empty.msg", "filename")],
)
def test_an_unreadable_mail_is_still_an_event_dated_by_its_name(
    invoke: Invoke, ws: Path, name: str, date_source: str
) -> None:
    (ws / ACME / "IN" / name).write_bytes(b"\x00\x01\x02garbage" if name.endswith("eml") else b"")
    age_tree(ws)
    data = scan(invoke, ws)
    assert any(name in w for w in data["warnings"]), data["warnings"]
    event = by_path(timeline(invoke, ws))[f"{ACME}/IN/{name}"]
    assert (event["kind"], event["medium"], event["date"], event["date_source"]) == (
        "in",
        "email",
        name[:10],
        date_source,
    )


def test_a_gb18030_card_is_read(invoke: Invoke, ws: Path, aged: float) -> None:
    scan(invoke, ws)  # the card first seen; changed below, it is an event
    card = ws / MUELLER / "Contact.txt"
    card.write_bytes("公司: 上海某某贸易有限公司\n联系人: 王经理\n".encode("gb18030"))
    age_tree(ws)
    result = invoke("-w", str(ws), "scan", "--json")
    assert result.exit_code == 0, result.stderr
    events = timeline(invoke, ws, "上海某某贸易有限公司")
    assert f"{MUELLER}/Contact.txt" in by_path(events)
    assert {e["customer"] for e in events} == {"Müller & Söhne"}


@pytest.mark.parametrize("locked_rel", [f"{ACME}/IN", ACME, B])
@pytest.mark.parametrize("known", [False, True], ids=["first-scan", "after-a-scan"])
def test_an_unreadable_folder_is_a_warning_and_is_read_once_readable(
    invoke: Invoke,
    ws: Path,
    baseline: list[Event],
    monkeypatch: pytest.MonkeyPatch,
    locked_rel: str,
    known: bool,
) -> None:
    """A folder that cannot be listed (a permission, a sync client holding it) is a
    warning; once it can be listed again, its events are all there and the warning goes."""
    locked = ws / locked_rel
    if known:
        scan(invoke, ws)
        # something changed in the folder since: the next scan must list it again
        st = locked.stat()
        os.utime(locked, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if isinstance(path, str | os.PathLike) and Path(os.fspath(path)) == locked:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    data = scan(invoke, ws)
    assert data["warnings"] == [f"cannot read folder {locked_rel}: Permission denied"]
    events = by_path(timeline(invoke, ws))
    healthy = {p: e for p, e in by_path(baseline).items() if not p.startswith(locked_rel + "/")}
    assert {p: events.get(p) for p in healthy} == healthy
    # the user fixes the permissions: the folder's events come (back), the warning goes
    monkeypatch.setattr(os, "scandir", real_scandir)
    fixed = scan(invoke, ws)
    assert timeline(invoke, ws) == baseline
    assert fixed["warnings"] == []


def test_drafts_are_never_events(invoke: Invoke, ws: Path, aged: float) -> None:
    build_tree(
        ws / ACME / "草稿",
        {"2026-04-01 price list.eml": eml("price list", "Wed, 01 Apr 2026 10:00:00 +0800")},
    )
    build_tree(ws / MUELLER / "Drafts", {"2026-04-01 visit.txt": "draft"})
    age_tree(ws)
    events = timeline(invoke, ws)
    assert [e["path"] for e in events if "草稿" in e["path"] or "Drafts" in e["path"]] == []
    assert len(events) == len(EXPECTED)


@pytest.mark.parametrize(
    "name",
    [
        "~$2026-04-01 quote.docx",
        ".~lock.2026-04-01 quote.xlsx#",
        "2026-04-01 quote.xlsx.tmp",
        "2026-04-01 mail.eml.part",
        "2026-04-01 catalogue.pdf.crdownload",
        "Thumbs.db",
        "desktop.ini",
        "2026-04-01 quote (conflicted copy 2026-04-02).xlsx",
        "2026-04-01 quote.sync-conflict-20260402-101010-ABCDEFG.xlsx",
        ".2026-04-01 hidden.eml",
    ],
)
def test_temporary_files_are_never_events(invoke: Invoke, ws: Path, aged: float, name: str) -> None:
    scan(invoke, ws)
    (ws / ACME / "报价" / name).write_bytes(b"temporary")
    age_tree(ws)
    data = scan(invoke, ws)
    assert (data["new_events"], data["warnings"]) == (0, [])
    assert [e for e in timeline(invoke, ws) if name in e["path"]] == []


@needs_links
def test_a_symlinked_folder_is_not_read(
    invoke: Invoke, ws: Path, aged: float, tmp_path: Path, read_calls: list[str]
) -> None:
    real = tmp_path / "real folder"
    build_tree(real, {"2026-05-01 hidden.eml": eml("hi", "Fri, 01 May 2026 10:00:00 +0000")})
    os.symlink(real, ws / ACME / "IN" / "2026")
    os.symlink(real, ws / MUELLER / "IN" / "linked")
    age_tree(ws)
    data = scan(invoke, ws)
    assert "2026-05-01 hidden.eml" not in read_calls
    assert len([w for w in data["warnings"] if "symbolic link" in w]) == 2, data["warnings"]
    assert [e for e in timeline(invoke, ws) if "hidden" in e["path"]] == []


@pytest.mark.parametrize(
    ("make", "remove"),
    [
        pytest.param(hostile_link_outside, f"{ACME}/IN/elsewhere", marks=needs_links),
        pytest.param(hostile_linked_customer, f"{C}/Other", marks=needs_links),
        (hostile_empty_msg, f"{ACME}/IN/2026-03-08 empty.msg"),
    ],
)
def test_a_warning_goes_when_its_cause_goes(
    invoke: Invoke,
    ws: Path,
    tmp_path: Path,
    make: Callable[[Path, Path], str],
    remove: str,
) -> None:
    make(ws, tmp_path)
    age_tree(ws)
    assert len(scan(invoke, ws)["warnings"]) == 1
    os.unlink(ws / remove)
    age_tree(ws, 1800)
    assert scan(invoke, ws)["warnings"] == []


def test_a_card_saved_in_place_is_read_again(invoke: Invoke, ws: Path, aged: float) -> None:
    first = scan(invoke, ws)
    card = ws / ACME / "Contact.txt"
    with card.open("a", encoding="utf-8") as f:  # Notepad: same file, same folder listing
        f.write("电话: +49 89 1234\n")
    later = time.time() - 600
    os.utime(card, (later, later))
    os.utime(ws / ACME, (aged, aged))
    # Changed since first seen: an event now, dated when it was saved.
    assert scan(invoke, ws) == {**first, "events": first["events"] + 1, "new_events": 1}
    event = by_path(timeline(invoke, ws))[f"{ACME}/Contact.txt"]
    assert (event["kind"], event["date"], event["date_source"]) == (
        "card",
        local_iso(later),
        "mtime",
    )


def test_scans_right_after_writing_add_nothing_twice(invoke: Invoke, ws: Path) -> None:
    """Nothing aged: every file is 'just written', read again each time, never counted twice."""
    first = scan(invoke, ws)
    events = timeline(invoke, ws)
    for _ in range(2):
        assert scan(invoke, ws) == {**first, "new_events": 0}
        assert timeline(invoke, ws) == events


def damage_index(state: Path) -> None:
    (db,) = state.rglob("index.sqlite")
    for extra in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        extra.unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)


def test_a_damaged_index_is_rebuilt(invoke: Invoke, ws: Path, aged: float, tmp_path: Path) -> None:
    """The index is derived data: a damaged one is started afresh, as index.py intends."""
    scan(invoke, ws)
    events = timeline(invoke, ws)
    damage_index(tmp_path / "state")
    assert scan(invoke, ws)["events"] == len(events)
    assert timeline(invoke, ws) == events


def test_scan_rebuild_recovers_a_damaged_index(
    invoke: Invoke, ws: Path, aged: float, tmp_path: Path
) -> None:
    scan(invoke, ws)
    events = timeline(invoke, ws)
    damage_index(tmp_path / "state")
    assert scan(invoke, ws, "--rebuild")["events"] == len(events)
    assert timeline(invoke, ws) == events


def test_an_unusable_state_folder_is_one_error_line(
    invoke: Invoke, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "state-is-a-file"
    blocker.write_text("x")
    monkeypatch.setenv("FOLDER_KIT_STATE", str(blocker))
    line = assert_error(invoke("-w", str(ws), "scan", "--json"))
    assert line.startswith("Error: index "), line


def test_a_customer_in_two_grade_folders_is_read_once(
    invoke: Invoke, ws: Path, aged: float
) -> None:
    build_tree(ws / C / "Müller & Söhne", {"OUT/2026-06-01 phone.txt": "dup"})
    age_tree(ws)
    data = scan(invoke, ws)
    assert len(data["warnings"]) == 1 and "two grade folders" in data["warnings"][0], data
    assert data["customers"] == 2
    events = timeline(invoke, ws)
    assert [e for e in events if e["path"].startswith(C)] == []
    assert scan(invoke, ws)["warnings"] == data["warnings"]


def test_a_hand_move_into_a_read_only_folder_is_a_warning(
    invoke: Invoke, ws: Path, aged: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan notes a hand move in the customer folder; if it cannot write there (a
    read-only share, a sync client's lock) the scan still finishes, and says so."""
    scan(invoke, ws)
    before = contact_events(timeline(invoke, ws))
    os.rename(ws / ACME, ws / A / "ACME GmbH")
    locked = ws / A / "ACME GmbH"
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args: Any, **kwargs: Any) -> Any:
        if Path(kwargs.get("dir") or ".") == locked:
            raise PermissionError(13, "Permission denied", str(locked))
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    data = scan(invoke, ws)
    assert [w for w in data["warnings"] if "ACME GmbH" in w], data["warnings"]
    events = timeline(invoke, ws)
    assert contact_events(events) == before
    assert {e["grade"] for e in events if e["customer"] == "ACME GmbH"} == {"A"}


def test_a_deleted_card_takes_its_event_with_it(invoke: Invoke, ws: Path, aged: float) -> None:
    first = scan(invoke, ws)
    card = ws / ACME / "Contact.txt"
    card.write_text(card.read_text(encoding="utf-8") + "电话: +49 89 1234\n", encoding="utf-8")
    age_tree(ws)
    assert scan(invoke, ws)["events"] == first["events"] + 1  # changed: an event
    card.unlink()
    age_tree(ws)
    assert scan(invoke, ws)["events"] == first["events"]
    assert f"{ACME}/Contact.txt" not in by_path(timeline(invoke, ws))


def test_a_new_customer_is_seen(invoke: Invoke, ws: Path, aged: float) -> None:
    first = scan(invoke, ws)
    assert_ok(invoke("-w", str(ws), "customer", "add", "Nova SpA", "--grade", "C"))
    (ws / C / "Nova SpA" / "IN" / "2026-07-01 RFQ.pdf").write_bytes(b"%PDF")
    data = scan(invoke, ws)
    # Its card, first seen, is no event.
    assert (data["customers"], data["new_events"], data["events"]) == (3, 1, first["events"] + 1)
    nova = [e for e in timeline(invoke, ws) if e["customer"] == "Nova SpA"]
    assert [(e["kind"], e["grade"], e["topic"]) for e in nova] == [("in", "C", "quote")]


def test_a_new_file_of_a_customer_without_a_card_is_seen(invoke: Invoke, workspace: Path) -> None:
    """No Contact.txt is no reason to skip the customer's folders on the next scan."""
    folder = workspace / C / "Cardless Ltd"
    (folder / "OUT").mkdir(parents=True)
    (folder / "OUT" / "2026-07-01 price list.pdf").write_bytes(b"%PDF")
    age_tree(workspace)
    assert scan(invoke, workspace)["events"] == 1
    (folder / "OUT" / "2026-07-09 samples.txt").write_text("DHL", encoding="utf-8")
    assert scan(invoke, workspace)["new_events"] == 1


# --- worker processes ------------------------------------------------------------


def test_worker_processes_give_the_same_index_as_one_process(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Large workspaces are read in worker processes; the result must not depend on it."""
    from folder_kit.timeline.events import load_events
    from folder_kit.timeline.index import Index
    from folder_kit.timeline.scan import scan as run_scan
    from folder_kit.workspace.find import open_workspace

    for n in range(24):
        grade = ["A-交易客户", "B-在谈客户", "C-潜力客户", "D-行业客户"][n % 4]
        build_tree(
            workspace / "客户" / grade / f"Customer {n:02d}",
            {
                "Contact.txt": f"Company: Customer {n:02d}\n",
                "OUT": {f"2026-03-{n % 28 + 1:02d} price list.eml": eml("Price list", None)},
                "IN": {"Re offer.eml": eml("Re: offer", "Mon, 2 Mar 2026 10:00:00 +0100")},
                "报价": {"QT-1 2026-03-05.pdf": b"%PDF"},
            },
        )
    age_tree(workspace)
    ws = open_workspace(workspace)

    def events(state: str, workers: int) -> list[dict[str, object]]:
        monkeypatch.setenv("FOLDER_KIT_STATE", str(tmp_path / state))
        run_scan(ws, workers=workers)
        (
            workspace / "客户" / "A-交易客户" / "Customer 00" / "OUT" / "2026-04-01 call.txt"
        ).write_text("x")
        os.rename(
            workspace / "客户" / "B-在谈客户" / "Customer 01",
            workspace / "客户" / "C-潜力客户" / "Customer 01",
        )
        card.write_text("Company: Customer 02\nName: Ana\n", encoding="utf-8")
        # A card event is dated by the card's time: the same in both runs, whatever
        # second each run wrote it in (under load they were a second apart).
        when = card.stat().st_mtime - 3600 if workers == 1 else edited[0]
        edited[:] = [when]
        os.utime(card, (when, when))
        result = run_scan(ws, workers=workers)
        assert result.new_events == 3  # the call, one grade event, the card changed
        with Index.open(workspace) as index:
            return [e.as_json() for e in load_events(ws, index)]

    card = workspace / "客户" / "C-潜力客户" / "Customer 02" / "Contact.txt"
    edited: list[float] = []
    serial = events("serial", workers=1)
    card.write_text("Company: Customer 02\n", encoding="utf-8")
    # undo the changes so the parallel run starts from the same tree
    (workspace / "客户" / "A-交易客户" / "Customer 00" / "OUT" / "2026-04-01 call.txt").unlink()
    os.rename(
        workspace / "客户" / "C-潜力客户" / "Customer 01",
        workspace / "客户" / "B-在谈客户" / "Customer 01",
    )
    (workspace / "客户" / "B-在谈客户" / "Customer 01" / ".folder-kit-grades.txt").unlink()
    monkeypatch.setattr("folder_kit.timeline.walk.PARALLEL_MIN", 1)
    monkeypatch.setattr("folder_kit.timeline.walk.CHUNK", 5)
    parallel = events("parallel", workers=2)

    def stable(items: list[dict[str, object]]) -> list[dict[str, object]]:
        # grade events carry the time of the move; everything else must be equal
        return [
            {k: v for k, v in e.items() if not (e["kind"] == "grade" and k == "date")}
            for e in items
        ]

    assert stable(parallel) == stable(serial)
    assert len(serial) == 24 * 3 + 3  # no card an event but the one changed


def test_two_scans_at_once_both_succeed(workspace: Path) -> None:
    """A scan from `watch` and one from `customer list` may overlap: the second
    waits for the first's write lock instead of failing."""
    import subprocess
    import sys

    for n in range(40):
        build_tree(
            workspace / "客户" / "B-在谈客户" / f"Customer {n:02d}",
            {
                "Contact.txt": f"Company: Customer {n:02d}\n",
                "OUT": {"2026-03-05 price list.eml": eml("Price list", None)},
                "IN": {"Re offer.eml": eml("Re: offer", "Mon, 2 Mar 2026 10:00:00 +0100")},
            },
        )
    age_tree(workspace)
    command = [sys.executable, "-m", "folder_kit", "-w", str(workspace), "scan", "--json"]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8")
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], [err for _, err in outputs]
    counts = {(r["customers"], r["events"]) for r in (json.loads(out) for out, _ in outputs)}
    assert counts == {(40, 80)}  # the cards, first seen, are no events


def test_a_warning_stays_while_its_file_does(invoke: Invoke, ws: Path, aged: float) -> None:
    """A warning about one file must not vanish when another file joins its folder."""
    (ws / ACME / "IN" / "broken.eml").write_bytes(b"\x00\x01garbage\x02")
    age_tree(ws)
    first = scan(invoke, ws)["warnings"]
    assert any("broken.eml" in w for w in first)
    fax = ws / ACME / "IN" / "2026-04-03 fax.pdf"
    fax.write_bytes(b"%PDF")
    when = time.time() - 60
    for path in (fax, fax.parent):  # the broken mail itself is untouched
        os.utime(path, (when, when))
    assert scan(invoke, ws)["warnings"] == first
    assert scan(invoke, ws)["warnings"] == first
    (ws / ACME / "IN" / "broken.eml").unlink()
    assert not any("broken.eml" in w for w in scan(invoke, ws)["warnings"])


def test_a_customer_outside_any_grade_folder_is_a_warning(
    invoke: Invoke, ws: Path, aged: float
) -> None:
    build_tree(ws / "客户" / "Loose Customer", {"OUT": {"2026-03-01 hello.txt": "x"}})
    build_tree(ws / "客户" / "E-其他" / "Zed", {"IN": {"2026-03-02 hi.txt": "x"}})
    age_tree(ws)
    warnings = scan(invoke, ws)["warnings"]
    assert [w for w in warnings if "not a grade folder" in w] == [
        "客户/E-其他 is not a grade folder (its name must start with A, B, C or D, or be "
        "待开发客户/Prospects): the customers in it are not read",
        "客户/Loose Customer is not a grade folder (its name must start with A, B, C or D, or "
        "be 待开发客户/Prospects): the customers in it are not read",
    ]


def test_a_move_by_copy_then_delete_keeps_the_customer(
    invoke: Invoke, ws: Path, aged: float
) -> None:
    """How sync clients and moves across drives move a folder."""

    def no_cards(events: list[Event]) -> dict[str, tuple[Any, ...]]:
        # ageing the tree below moves the cards' dates; the rest must not change
        return {k: v for k, v in contact_events(events).items() if "Contact.txt" not in k}

    first = scan(invoke, ws)
    before = no_cards(timeline(invoke, ws))
    shutil.copytree(ws / ACME, ws / "客户" / "C-潜力客户" / "ACME GmbH", symlinks=True)
    age_tree(ws, seconds=1800)
    assert any("two grade folders" in w for w in scan(invoke, ws)["warnings"])
    shutil.rmtree(ws / ACME)
    age_tree(ws, seconds=900)
    result = scan(invoke, ws)
    assert (result["customers"], result["warnings"]) == (first["customers"], [])
    events = timeline(invoke, ws)
    assert no_cards(events) == before
    acme = [e["path"] for e in events if e["customer"] == "ACME GmbH"]
    assert acme and all(p.startswith("客户/C-潜力客户/ACME GmbH") for p in acme)
    assert [(e["from"], e["to"]) for e in grade_events(events)] == [("B", "C")]


def test_a_folder_that_cannot_be_looked_at_keeps_its_events(
    invoke: Invoke, ws: Path, aged: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A network drive or a permission change for a while must not lose contacts."""
    scan(invoke, ws)
    events = timeline(invoke, ws)
    blocked = str(ws / ACME / "OUT")
    real_stat = os.stat

    def stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if os.path.normpath(path) == blocked:  # the scan joins with "/", Windows too
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    # the customer folder changed, so the careful path runs and meets the blocked OUT
    (ws / ACME / "note.txt").write_text("x")
    result = scan(invoke, ws)
    assert f"cannot read folder {ACME}/OUT: Permission denied" in result["warnings"]
    assert timeline(invoke, ws) == events
    monkeypatch.setattr(os, "stat", real_stat)
    assert scan(invoke, ws)["warnings"] == []
    assert timeline(invoke, ws) == events


@needs_fifo
def test_pipes_and_devices_are_no_contact_and_do_not_hang(
    invoke: Invoke, ws: Path, aged: float
) -> None:
    os.mkfifo(ws / ACME / "OUT" / "x.eml")
    (ws / MUELLER / "Contact.txt").unlink()
    os.mkfifo(ws / MUELLER / "Contact.txt")
    result = scan(invoke, ws)
    assert (
        f"{MUELLER}/Contact.txt is not a regular file; contact details ignored"
        in result["warnings"]
    )
    assert f"{ACME}/OUT/x.eml" not in by_path(timeline(invoke, ws))


@needs_links
def test_a_linked_grade_history_is_not_followed(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("2026-01-01T00:00:00+00:00 D -> B\n")
    (ws / ACME / ".folder-kit-grades.txt").symlink_to(outside)
    age_tree(ws)
    assert grade_events(timeline(invoke, ws)) == []


def test_progress_is_reported_up_to_the_last_customer(ws: Path, aged: float) -> None:
    from folder_kit.timeline.scan import scan as run_scan
    from folder_kit.workspace.find import open_workspace

    calls: list[tuple[int, int]] = []
    run_scan(open_workspace(ws), progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (2, 2)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
