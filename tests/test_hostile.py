"""What hostile or careless files do to folder-kit: one class of defect per section.

Each class is fixed where it arises (the mail reader, the safe-open helper in
files.py, the writers, the config parser, the CLI's output); these tests drive
it through the library and through the commands a user runs.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from conftest import Invoke
from helpers import (
    WINDOWS,
    assert_error,
    assert_ok,
    build_tree,
    needs_fifo,
    needs_links,
    needs_names,
    needs_posix_permissions,
    read_tree,
)

from folder_kit.errors import MailError, UnreadableFileError
from folder_kit.files import MAX_WHOLE_FILE, open_regular, read_regular
from folder_kit.timeline.mail import read_message

B = "客户/B-在谈客户"
ACME = f"{B}/ACME GmbH"
DATE = b"Date: Mon, 2 Mar 2026 10:00:00 +0100\n"


def storable(text: str | None) -> bool:
    """Text SQLite can store: valid Unicode, no lone surrogates."""
    if text is None:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@pytest.fixture
def ws(workspace: Path) -> Path:
    build_tree(workspace / ACME, {"Contact.txt": "公司: ACME GmbH\n", "OUT": {}, "IN": {}})
    return workspace


def scan_json(invoke: Invoke, ws: Path) -> dict[str, object]:
    result = invoke("-w", str(ws), "scan", "--json")
    assert_ok(result)
    data: dict[str, object] = json.loads(result.stdout)
    return data


# --- 1. mail charsets: a label is a stranger's data --------------------------------

HOSTILE_SUBJECTS = [
    b"Subject: =?utf-7?Q?+2AA-?=\n",  # a lone surrogate
    b"Subject: =?utf-7?B?K2RnQS0=?=\n",
    b"Subject: =?base64?Q?abc?=\n",  # not a text encoding
    b"Subject: =?zlib?B?eJw=?=\n",
    b"Subject: =?bz2?Q?x?=\n",
    b"Subject: =?hex?Q?zz?=\n",
    b"Subject: =?rot13?Q?uryyb?=\n",
    b"Subject: =?uu?Q?x?=\n",
    b"Subject: =?quopri?Q?=3D?=\n",
    b"Subject: =?idna?Q?xn--?=\n",  # fails with UnicodeError, not UnicodeDecodeError
    b"Subject: =?punycode?Q?=FF?=\n",
    b"Subject: =?unicode_escape?Q?\\ud800?=\n",
    b"Subject: =?raw_unicode_escape?Q?\\U00110000?=\n",
    b"Subject: =?undefined?Q?x?=\n",
    b"Subject: =?utf-16?Q?=00=D8?=\n",  # an unpaired surrogate in UTF-16
    b"Subject: =?utf-32?Q?=00=00=11=00?=\n",
    b"Subject: =?utf-8?Q?=ED=A0=80?=\n",  # UTF-8 of a surrogate
    b"Subject: \\ud800 =?utf-8?Q?x?=\n",  # an escape in the plain run beside a word
    b"Content-Type: text/plain; charset=utf-7\nSubject: \xff +2AA-\n",
    b"Content-Type: text/plain; charset=base64\nSubject: \xff\xfe\n",
    b"Content-Type: text/plain; charset=unicode_escape\nSubject: \xff\\ud800\n",
    b"From: =?utf-7?Q?+2AA-?= <a@b.c>\nTo: =?zlib?Q?x?= <d@e.f>\n",
]


@pytest.mark.parametrize("header", HOSTILE_SUBJECTS)
def test_a_hostile_charset_gives_storable_text(tmp_path: Path, header: bytes) -> None:
    path = tmp_path / "x.eml"
    path.write_bytes(DATE + header + b"\nbody\n")
    info = read_message(path)
    assert info.date is not None
    assert all(storable(v) for v in (info.subject, info.sender, info.to)), info


@pytest.mark.parametrize(
    ("header", "subject"),
    [
        (b"Subject: =?utf-7?Q?Hi_+AOk-?=\n", "Hi é"),  # UTF-7 that is valid still reads
        (b"Subject: =?rot13?Q?uryyb?=\n", "uryyb"),  # not decoded by rot13
        (b"Subject: =?base64?Q?abc?=\n", "abc"),
        (b"Subject: =?gb2312?B?sai82w==?=\n", "报价"),
    ],
)
def test_only_real_text_encodings_decode(tmp_path: Path, header: bytes, subject: str) -> None:
    path = tmp_path / "x.eml"
    path.write_bytes(DATE + header + b"\n")
    assert read_message(path).subject == subject


@pytest.mark.parametrize("header", HOSTILE_SUBJECTS[:4] + HOSTILE_SUBJECTS[-3:])
def test_one_hostile_mail_does_not_stop_any_command(
    invoke: Invoke, ws: Path, header: bytes
) -> None:
    (ws / ACME / "IN" / "x.eml").write_bytes(DATE + header + b"\n")
    (ws / ACME / "OUT" / "2026-03-01 offer.txt").write_text("offer")
    data = scan_json(invoke, ws)
    assert data["customers"] == 1
    for command in (["timeline"], ["timeline", "ACME"], ["customer", "list"]):
        result = invoke("-w", str(ws), *command, "--json")
        assert_ok(result)
    events = json.loads(invoke("-w", str(ws), "timeline", "--json").stdout)
    assert {e["path"].rsplit("/", 1)[-1] for e in events} >= {"x.eml", "2026-03-01 offer.txt"}


def test_a_mail_that_raises_is_a_warning_not_the_end_of_the_scan(
    invoke: Invoke, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import folder_kit.timeline.mail as mail

    def explode(*_: object, **__: object) -> None:
        raise RecursionError("deep")

    monkeypatch.setattr(mail, "_parse_date", explode)
    (ws / ACME / "IN" / "x.eml").write_bytes(DATE + b"Subject: hi\n\n")
    data = scan_json(invoke, ws)
    assert any("x.eml" in w and "deep" in w for w in data["warnings"]), data  # type: ignore[attr-defined]


# --- 2. FIFOs, devices and folders where a file should be: refused, never waited on ----


@needs_fifo
def test_open_regular_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(UnreadableFileError) as info:
        open_regular(tmp_path / "pipe")
    assert str(info.value) == f"{tmp_path / 'pipe'} is a FIFO (named pipe), not a file"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.mkdir(), "a folder, not a file"),
        pytest.param(
            lambda p: os.symlink("/etc/hostname", p),
            "a symbolic link; folder-kit never reads through links",
            marks=needs_links,
        ),
        pytest.param(
            lambda p: os.symlink("missing", p),
            "a symbolic link; folder-kit never reads through links",
            marks=needs_links,
        ),
        pytest.param(
            lambda p: os.symlink(".", p),
            "a symbolic link; folder-kit never reads through links",
            marks=needs_links,
        ),
    ],
    ids=["folder", "link-to-file", "dangling-link", "link-to-folder"],
)
def test_read_regular_refuses_what_is_not_a_file(tmp_path: Path, make: object, reason: str) -> None:
    assert callable(make)
    path = tmp_path / "x.txt"
    make(path)
    with pytest.raises(UnreadableFileError) as info:
        read_regular(path)
    assert info.value.reason == reason


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="a device, not a file"):
        read_regular("/dev/zero")


@needs_fifo
@pytest.mark.parametrize("name", ["Contact.txt", ".folder-kit-grades.txt"])
def test_a_fifo_in_a_customer_folder_hangs_no_command(invoke: Invoke, ws: Path, name: str) -> None:
    (ws / ACME / name).unlink(missing_ok=True)
    os.mkfifo(ws / ACME / name)
    for command in (["scan"], ["customer", "list"], ["timeline", "ACME GmbH"]):
        result = invoke("-w", str(ws), *command)
        assert (result.exit_code, result.exception) == (0, None), result.output


@needs_fifo
def test_a_fifo_history_hangs_neither_move_nor_scan(ws: Path) -> None:
    """In a subprocess with a timeout, so that a hang fails instead of stalling the suite."""
    import subprocess

    os.mkfifo(ws / ACME / ".folder-kit-grades.txt")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "folder_kit", "-w", str(ws), *args]
        return subprocess.run(
            command, capture_output=True, encoding="utf-8", timeout=30, check=False
        )

    moved = run("customer", "move", "ACME", "--grade", "A")
    assert moved.returncode == 1 and "FIFO" in moved.stderr, moved.stderr
    (ws / "客户" / "A-交易客户").mkdir(exist_ok=True)
    os.rename(ws / ACME, ws / "客户" / "A-交易客户" / "ACME GmbH")  # by hand
    scanned = run("scan")
    assert scanned.returncode == 0, scanned.stderr
    assert "FIFO" in scanned.stderr


@needs_fifo
def test_customer_move_refuses_a_fifo_history_before_moving(invoke: Invoke, ws: Path) -> None:
    os.mkfifo(ws / ACME / ".folder-kit-grades.txt")
    result = invoke("-w", str(ws), "customer", "move", "ACME", "--grade", "A")
    assert_error(
        result,
        f"Error: {ws / ACME / '.folder-kit-grades.txt'} is a FIFO (named pipe), not a file",
    )
    assert (ws / ACME).is_dir()  # nothing moved


@needs_fifo
def test_a_fifo_history_moved_by_hand_is_a_warning(invoke: Invoke, ws: Path) -> None:
    scan_json(invoke, ws)
    os.mkfifo(ws / ACME / ".folder-kit-grades.txt")
    (ws / "客户" / "A-交易客户").mkdir(exist_ok=True)
    os.rename(ws / ACME, ws / "客户" / "A-交易客户" / "ACME GmbH")
    data = scan_json(invoke, ws)
    assert data["customers"] == 1
    where = "客户/A-交易客户/ACME GmbH"
    assert data["warnings"] == [
        f"cannot note the grade move B -> A of {where} (a FIFO (named pipe), not a file): "
        "the timeline shows it once the note is written; every scan tries again"
    ]


@needs_fifo
def test_a_fifo_named_folder_kit_yaml_is_reported_as_one(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "w"
    root.mkdir()
    os.mkfifo(root / "folder-kit.yaml")
    result = invoke("-w", str(root), "customer", "list")
    assert_error(
        result,
        f"Error: {root / 'folder-kit.yaml'} is a FIFO (named pipe), not the settings file; "
        f"rename it and run `folder-kit init {root}`",
    )
    result = invoke("init", str(root))
    assert_error(
        result,
        f"Error: {root / 'folder-kit.yaml'} is a FIFO (named pipe), not the settings file; "
        "rename it and run init again",
    )
    (root / "sub").mkdir()
    monkeypatch.chdir(root / "sub")  # found by looking upwards, too
    assert_error(
        invoke("customer", "list"),
        f"Error: {root / 'folder-kit.yaml'} is a FIFO (named pipe), not the settings file; "
        f"rename it and run `folder-kit init {root}`",
    )


# --- 3. reads never go through a link ----------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "grades.txt").write_text("2020-01-01T00:00:00+00:00 D -> A\n")
    (folder / "card.txt").write_text("公司: Secret Outside Corp\n", encoding="utf-8")
    (folder / "folder-kit.yaml").write_text("lang: en\n")
    return folder


@needs_links
def test_customer_move_never_imports_a_linked_history(
    invoke: Invoke, ws: Path, outside: Path
) -> None:
    os.symlink(outside / "grades.txt", ws / ACME / ".folder-kit-grades.txt")
    result = invoke("-w", str(ws), "customer", "move", "ACME", "--grade", "A")
    line = assert_error(result)
    assert "symbolic link" in line
    assert (outside / "grades.txt").read_text(encoding="utf-8") == (
        "2020-01-01T00:00:00+00:00 D -> A\n"
    )
    events = json.loads(invoke("-w", str(ws), "timeline", "--json").stdout)
    assert [e for e in events if e["kind"] == "grade"] == []


@needs_links
def test_a_company_name_behind_a_linked_contact_names_no_customer(
    invoke: Invoke, ws: Path, outside: Path
) -> None:
    (ws / ACME / "Contact.txt").unlink()
    os.symlink(outside / "card.txt", ws / ACME / "Contact.txt")
    result = invoke("-w", str(ws), "timeline", "Secret Outside Corp")
    assert_error(result, "Error: no customer 'Secret Outside Corp'")
    result = invoke(
        "-w", str(ws), "log", "Secret Outside", "--direction", "out", "--medium", "phone"
    )
    assert_error(result, "Error: no customer 'Secret Outside'")


@needs_links
def test_a_linked_folder_kit_yaml_is_not_parsed(
    invoke: Invoke, tmp_path: Path, outside: Path
) -> None:
    root = tmp_path / "w"
    root.mkdir()
    os.symlink(outside / "folder-kit.yaml", root / "folder-kit.yaml")
    result = invoke("-w", str(root), "customer", "list")
    assert_error(
        result,
        f"Error: {root / 'folder-kit.yaml'}: cannot read: it is a symbolic link; "
        "folder-kit never reads through links",
    )


@needs_links
def test_a_linked_mail_is_never_opened(tmp_path: Path, outside: Path) -> None:
    (outside / "x.eml").write_bytes(DATE + b"Subject: secret\n\n")
    os.symlink(outside / "x.eml", tmp_path / "x.eml")
    with pytest.raises(MailError, match="symbolic link"):
        read_message(tmp_path / "x.eml")


# --- 4. writes never go through a link ---------------------------------------------


def log_args(ws: Path, *extra: str) -> list[str]:
    return ["-w", str(ws), "log", "ACME", "--direction", "out", "--medium", "phone", *extra]


@needs_links
def test_log_refuses_a_linked_out_folder(invoke: Invoke, ws: Path, outside: Path) -> None:
    (ws / ACME / "OUT").rmdir()
    os.symlink(outside, ws / ACME / "OUT")
    before = sorted(os.listdir(outside))
    for extra in ((), ("--dry-run",)):
        result = invoke(*log_args(ws, "--note", "x", *extra))
        assert_error(
            result,
            f"Error: {ws / ACME / 'OUT'} is a symbolic link; folder-kit never writes through "
            "links (nothing was written): make it a real folder",
        )
    assert sorted(os.listdir(outside)) == before


@needs_links
def test_log_refuses_a_linked_customers_folder(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    os.rename(ws / "客户", elsewhere)
    os.symlink(elsewhere, ws / "客户")
    # Behind a linked 客户/ there are no customers (the scan never follows it), so
    # nothing names one; adding one is refused at the link.
    assert_error(invoke(*log_args(ws)), "Error: no customer 'ACME'")
    assert_error(
        invoke("-w", str(ws), "customer", "move", "ACME", "--grade", "A"),
        "Error: no customer 'ACME'",
    )
    result = invoke("-w", str(ws), "customer", "add", "New Co", "--grade", "B")
    assert assert_error(result).startswith(f"Error: {ws / '客户'} is a symbolic link;")
    assert list((elsewhere / "B-在谈客户" / "ACME GmbH" / "OUT").iterdir()) == []
    assert sorted(os.listdir(elsewhere / "B-在谈客户")) == ["ACME GmbH"]


@needs_links
def test_customer_add_refuses_a_linked_grade_folder(
    invoke: Invoke, ws: Path, outside: Path
) -> None:
    grade = ws / "客户" / "C-潜力客户"
    grade.rmdir()
    os.symlink(outside, grade)
    result = invoke("-w", str(ws), "customer", "add", "New Co", "--grade", "C")
    assert assert_error(result).startswith(f"Error: {grade} is a symbolic link;")
    result = invoke("-w", str(ws), "customer", "move", "ACME", "--grade", "C")
    assert assert_error(result).startswith(f"Error: {grade} is a symbolic link;")
    assert (ws / ACME).is_dir()
    assert not (outside / "New Co").exists()


@needs_links
def test_init_creates_nothing_through_a_linked_folder(
    invoke: Invoke, tmp_path: Path, outside: Path
) -> None:
    root = tmp_path / "new"
    root.mkdir()
    os.symlink(outside, root / "产品")
    before = sorted(os.listdir(outside))
    for extra in ((), ("--dry-run",)):
        result = invoke("init", str(root), *extra)
        assert assert_error(result).startswith(f"Error: {root / '产品'} is a symbolic link;")
    assert sorted(os.listdir(outside)) == before
    assert sorted(os.listdir(root)) == ["产品"]  # nothing half-built either


# --- 5. what the tool writes reads back as what the user asked ----------------------


def events_of(invoke: Invoke, ws: Path) -> list[dict[str, object]]:
    result = invoke("-w", str(ws), "timeline", "ACME", "--json")
    assert_ok(result)
    events: list[dict[str, object]] = json.loads(result.stdout)
    return [e for e in events if e["kind"] in ("out", "in")]


@pytest.mark.parametrize(
    ("direction", "medium", "topic", "note"),
    [
        ("out", "phone", None, "x (conflicted copy"),
        ("out", "phone", None, "x (冲突副本 2)"),
        ("in", "fax", None, "see a.sync-conflict-b"),
        ("out", "visit", "quote", "talked about the price list"),
        ("out", "chat", "price-update", "sent the new catalog by email and DHL"),
        ("in", "courier", "order", "samples (DHL) arrived 2025-01-01"),
        ("out", "phone", "holiday-greeting", "~$ tmp file name.part"),
        ("out", "email", None, "Re: offer.tmp"),
        ("out", "phone", None, ".hidden note"),
        ("in", "visit", "first-contact", "他们说 2026年1月5日 再联系 (报价)"),
        ("out", "phone", "company-news", "note ending with a tilde~"),
        ("out", "phone", None, ""),
    ],
)
def test_log_reads_back_as_what_was_asked(
    invoke: Invoke, ws: Path, direction: str, medium: str, topic: str | None, note: str
) -> None:
    args = ["-w", str(ws), "log", "ACME", "--direction", direction, "--medium", medium]
    args += ["--date", "2026-03-04", "--note", note]
    if topic:
        args += ["--topic", topic]
    assert_ok(invoke(*args))
    (event,) = events_of(invoke, ws)
    assert (event["kind"], event["date"], event["medium"]) == (direction, "2026-03-04", medium)
    if topic:
        assert event["topic"] == topic
    written = next((ws / ACME / direction.upper()).iterdir())
    assert written.read_text(encoding="utf-8") == (note.strip() + "\n" if note.strip() else "")


@pytest.mark.parametrize("day", ["1899-12-31", "1989-12-31", "2100-01-01", "0001-01-01"])
def test_log_refuses_a_date_the_scan_cannot_read_back(invoke: Invoke, ws: Path, day: str) -> None:
    result = invoke(*log_args(ws, "--date", day))
    if day == "2100-01-01":  # in the future too: that message comes first
        assert_error(
            result, "Error: 2100-01-01 is in the future: log a contact once it has happened"
        )
    else:
        assert_error(
            result,
            f"Error: {day} cannot be logged: the scan reads a date in a file name only in "
            "the years 1990 to 2099",
        )
    assert list((ws / ACME / "OUT").iterdir()) == []


@pytest.mark.parametrize("day", ["9999-12-31", "9999-12-25", "2100-01-01", "0001-01-01"])
@pytest.mark.parametrize(
    "command",
    [
        ["draft", "ACME"],
        ["draft", "--due"],
        ["due"],
        ["due", "--within", "30"],
        ["check"],
        ["report"],
    ],
)
def test_a_judging_day_outside_the_readable_years_is_refused(
    invoke: Invoke, ws: Path, command: list[str], day: str
) -> None:
    """Days near the calendar's end overflowed; the year 1 said "no contact events yet"."""
    before = read_tree(ws)
    result = invoke("-w", str(ws), *command, "--today", day)
    assert_error(result, f"Error: --today {day} is outside the years 1990 to 2099")
    assert read_tree(ws) == before


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--email", "a@b.c\n公司: Evil Corp"),
        ("--email", "a@b.c\r---\n公司: Evil Corp"),
        ("--contact-name", "Hans\u2028公司: Evil Corp"),
        ("--country", "DE\x85公司: Evil"),
        ("--contact-name", "Hans\x1b]0;title\x07"),
        ("--email", "a@b.c\x0b公司: Evil"),
    ],
)
def test_customer_add_refuses_a_value_that_would_add_lines(
    invoke: Invoke, ws: Path, option: str, value: str
) -> None:
    result = invoke("-w", str(ws), "customer", "add", "New Co", "--grade", "B", option, value)
    line = assert_error(result)
    assert line.startswith(f"Error: {option} '")
    assert line.endswith("; give it on one line")
    assert not (ws / B / "New Co").exists()


@pytest.mark.parametrize(
    ("name", "email", "contact", "country"),
    [
        ("ACME: Trading", "a@b.c", "Hans: Müller", "DE"),
        ("--- Corp ---", "  spaced@b.c  ", "# Hash", "中国"),
        ("公司: Evil", "x@y.z", "---", "：CN"),
        ("Line\nBreak\u2028Corp", "", "", ""),
        ("Müller & Söhne GmbH", "j@m.de", "Jörg", "Deutschland"),
    ],
)
def test_customer_add_reads_back_as_given(
    invoke: Invoke, ws: Path, name: str, email: str, contact: str, country: str
) -> None:
    from folder_kit.workspace.contact import read_card
    from folder_kit.workspace.names import normalize_name

    args = ["-w", str(ws), "customer", "add", "--grade", "C", "--email", email]
    assert_ok(invoke(*args, "--contact-name", contact, "--country", country, "--", name))
    (folder,) = (ws / "客户" / "C-潜力客户").iterdir()
    card = read_card(folder / "Contact.txt")
    assert len(card.contacts) == 1
    got = card.primary
    assert (got.company, got.email, got.name, got.country) == (
        normalize_name(name),
        email.strip(),
        contact,
        country,
    )


# --- 12. small ones ---------------------------------------------------------------


@needs_posix_permissions
def test_a_move_keeps_the_history_notes_mode(invoke: Invoke, ws: Path) -> None:
    assert_ok(invoke("-w", str(ws), "customer", "move", "ACME", "--grade", "A"))
    note = ws / "客户" / "A-交易客户" / "ACME GmbH" / ".folder-kit-grades.txt"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(note.stat().st_mode) == 0o666 & ~umask
    note.chmod(0o640)
    assert_ok(invoke("-w", str(ws), "customer", "move", "ACME", "--grade", "C"))
    note = ws / "客户" / "C-潜力客户" / "ACME GmbH" / ".folder-kit-grades.txt"
    assert stat.S_IMODE(note.stat().st_mode) == 0o640
    assert len(note.read_text(encoding="utf-8").splitlines()) == 3


def test_a_move_keeps_the_history_notes_line_ends(invoke: Invoke, ws: Path) -> None:
    """A note edited on Windows keeps its CRLF lines; the new line is added whole."""
    assert_ok(invoke("-w", str(ws), "customer", "move", "ACME", "--grade", "A"))
    note = ws / "客户" / "A-交易客户" / "ACME GmbH" / ".folder-kit-grades.txt"
    crlf = note.read_bytes().replace(b"\n", b"\r\n")
    note.write_bytes(crlf)
    assert_ok(invoke("-w", str(ws), "customer", "move", "ACME", "--grade", "C"))
    data = (ws / "客户" / "C-潜力客户" / "ACME GmbH" / ".folder-kit-grades.txt").read_bytes()
    assert data.startswith(crlf)
    assert b"\r\r" not in data and data.endswith(b" A -> C\n")


@pytest.mark.parametrize("name", ["", "   ", "\t"])
def test_a_blank_name_names_no_customer(invoke: Invoke, ws: Path, name: str) -> None:
    """A blank NAME is refused, even beside a folder named by spaces alone (where
    the system has such names: Windows strips trailing spaces, so it has none)."""
    blank = ws / B / "   "
    if not WINDOWS:
        blank.mkdir()
    expected = (
        "Error: NAME is empty: give the customer's name as `customer list` shows it, "
        "or . inside its folder"
    )
    for args in (
        ["log", name, "--direction", "out", "--medium", "phone"],
        ["customer", "move", name, "--grade", "A"],
        ["timeline", name],
    ):
        assert_error(invoke("-w", str(ws), *args), expected)
    if not WINDOWS:
        assert list(blank.iterdir()) == []


@pytest.mark.parametrize(
    ("data", "company", "name"),
    [
        ("公司: 上海贸易\n".encode() + "联系人: 王伟\n".encode("gbk"), "上海贸易", "王伟"),
        ("公司: 上海贸易\n".encode("gbk") + "联系人: 王伟\n".encode(), "上海贸易", "王伟"),
        (b"Company: ACME\r\n" + "Name: 李雷\r\n".encode("gb18030"), "ACME", "李雷"),
        ("Company: Müller\n".encode() + "联系人: 韩梅梅\n".encode("gbk"), "Müller", "韩梅梅"),
    ],
)
def test_a_contact_mixing_utf8_and_gbk_lines_keeps_both(
    tmp_path: Path, data: bytes, company: str, name: str
) -> None:
    from folder_kit.workspace.contact import read_card

    path = tmp_path / "Contact.txt"
    path.write_bytes(data)
    card = read_card(path)
    assert (card.company, card.primary.name, card.warnings) == (company, name, ())


# --- 11. terminal safety: names shown with control characters visible, values cut --


ESCAPE = "\x1b]0;pwned\x07"


def no_raw_controls(text: str) -> None:
    assert not [ch for ch in text if (ord(ch) < 32 and ch != "\n") or 0x7F <= ord(ch) <= 0x9F]


@needs_names(f"Evil{ESCAPE}Co")
def test_a_customer_name_with_an_escape_sequence_is_shown_escaped(invoke: Invoke, ws: Path) -> None:
    (ws / B / f"Evil{ESCAPE}Co").mkdir()
    (ws / B / f"Evil{ESCAPE}Co" / "OUT").mkdir()
    (ws / B / f"Evil{ESCAPE}Co" / "OUT" / f"2026-03-01 {ESCAPE}.txt").write_text("x")
    for args in (["customer", "list"], ["timeline"], ["scan"]):
        result = invoke("-w", str(ws), *args)
        assert result.exit_code == 0, result.output
        no_raw_controls(result.stdout + result.stderr)
    listed = invoke("-w", str(ws), "customer", "list").stdout
    assert "Evil\\x1b]0;pwned\\x07Co" in listed


def test_a_company_name_with_an_escape_sequence_gets_a_plain_folder(
    invoke: Invoke, ws: Path
) -> None:
    """No folder can hold control characters on Windows, but a company name typed
    (or pasted) can: `customer add` makes the folder portable, Contact.txt keeps the
    name, and every command shows it escaped."""
    name = f"Evil{ESCAPE}Co"
    assert_ok(invoke("-w", str(ws), "customer", "add", "--grade", "B", "--", name))
    assert (ws / B / "Evil_]0;pwned_Co" / "Contact.txt").is_file()
    for args in (["customer", "list"], ["timeline"], ["scan"], ["timeline", name]):
        result = invoke("-w", str(ws), *args)
        assert_ok(result)
        no_raw_controls(result.stdout + result.stderr)
    listed = invoke("-w", str(ws), "customer", "list").stdout
    assert "Evil_]0;pwned_Co" in listed and "Evil\\x1b]0;pwned\\x07Co" in listed


@needs_names("2026-03-01 x\nError: forged.txt")
def test_a_newline_in_a_file_name_cannot_forge_an_error_line(invoke: Invoke, ws: Path) -> None:
    (ws / ACME / "OUT" / "2026-03-01 x\nError: forged.txt").write_text("x")
    (ws / ACME / "IN" / "bad\nError: forged.eml").write_bytes(b"\x00garbage")
    for args in (["scan"], ["timeline"], ["timeline", "ACME"]):
        result = invoke("-w", str(ws), *args)
        assert result.exit_code == 0, result.output
        lines = (result.stdout + result.stderr).splitlines()
        assert not [line for line in lines if line.startswith("Error:")], lines
        no_raw_controls(result.stdout + result.stderr)


def test_json_output_escapes_what_a_terminal_would_obey(invoke: Invoke, ws: Path) -> None:
    (ws / B / "C1\x9b31mCo").mkdir()
    result = invoke("-w", str(ws), "customer", "list", "--json")
    assert_ok(result)
    no_raw_controls(result.stdout)
    assert "C1\x9b31mCo" in [c["name"] for c in json.loads(result.stdout)]


@pytest.mark.parametrize(
    "args",
    [
        ["timeline", f"no{ESCAPE}such"],
        ["log", "x\nError: forged", "--direction", "out", "--medium", "phone"],
        ["customer", "move", "\x1b[2J", "--grade", "A"],
        ["customer", "add", "\x1b", "--grade", "A"],
    ],
)
def test_error_lines_show_control_characters(invoke: Invoke, ws: Path, args: list[str]) -> None:
    line = assert_error(invoke("-w", str(ws), *args))
    no_raw_controls(line)


def test_a_long_value_in_an_error_is_cut(invoke: Invoke, ws: Path) -> None:
    line = assert_error(invoke("-w", str(ws), "timeline", "x" * 100_000))
    assert len(line) < 500
    assert line.endswith("… (100000 characters)'")


def test_a_long_config_value_in_an_error_is_cut(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "w"
    root.mkdir()
    (root / "folder-kit.yaml").write_text("lang: " + "x" * 900_000 + "\n")
    line = assert_error(invoke("-w", str(root), "customer", "list"))
    assert len(line) < 300 + len(str(root))


def test_a_huge_config_is_refused_before_it_is_read(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "w"
    root.mkdir()
    with open(root / "folder-kit.yaml", "wb") as f:
        f.truncate(20 * 1024 * 1024)  # sparse: 20 MB of nothing, cheaply
    result = invoke("-w", str(root), "customer", "list")
    assert_error(
        result,
        f"Error: {root / 'folder-kit.yaml'}: cannot read: it is 20.0 MB, larger than 1.0 MB",
    )


def test_an_alias_bomb_is_one_error_line_and_quick(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "w"
    root.mkdir()
    lines = ["a: &a [" + ", ".join(["lol"] * 9) + "]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    lines.append("lang: *i")
    (root / "folder-kit.yaml").write_text("\n".join(lines) + "\n")
    line = assert_error(invoke("-w", str(root), "customer", "list"))
    assert "once its aliases (*name) are expanded" in line


# --- 6. files read whole have a size cap -------------------------------------------


def test_a_huge_contact_file_is_a_warning_not_a_memory_error(invoke: Invoke, ws: Path) -> None:
    with open(ws / ACME / "Contact.txt", "wb") as f:
        f.truncate(3 * 1024 * 1024 * 1024)  # sparse: 3 GB that take no disk
    data = scan_json(invoke, ws)
    assert any("larger than 4.0 MB" in w for w in data["warnings"]), data  # type: ignore[attr-defined]
    assert_error(
        invoke("-w", str(ws), "timeline", "Some Company"), "Error: no customer 'Some Company'"
    )


def test_read_regular_caps_what_it_reads(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * (MAX_WHOLE_FILE + 1))
    with pytest.raises(UnreadableFileError, match=r"larger than 4\.0 MB"):
        read_regular(path)
    assert read_regular(path, limit=MAX_WHOLE_FILE + 1) == b"x" * (MAX_WHOLE_FILE + 1)


@pytest.mark.parametrize(
    ("data", "limit", "expected"),
    [
        (b"", 10, b""),
        (b"abc", 10, b"abc"),
        (b"x" * 10, 10, b"x" * 10),
        (b"x" * 11, 10, None),  # refused
    ],
)
def test_read_whole_reads_past_what_fstat_says(
    data: bytes, limit: int, expected: bytes | None
) -> None:
    """A descriptor whose size fstat does not know (a pipe says 0, as a file that grew
    since would say too little) is still read to its end, and still capped."""
    from folder_kit.files import read_whole

    read_end, write_end = os.pipe()
    try:
        os.write(write_end, data)
        os.close(write_end)
        if expected is None:
            with pytest.raises(UnreadableFileError, match=r"larger than 10 bytes"):
                read_whole(read_end, "pipe", limit=limit)
        else:
            assert read_whole(read_end, "pipe", limit=limit) == expected
    finally:
        os.close(read_end)


# --- 13. tests never touch the real per-user state folder ---------------------------


def test_reaching_the_real_state_folder_fails_the_test(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from conftest import RealStateTouched

    from folder_kit.timeline.state import state_dir

    monkeypatch.delenv("FOLDER_KIT_STATE")
    with pytest.raises(RealStateTouched):
        state_dir(tmp_path)
    assert state_dir(tmp_path, env={"FOLDER_KIT_STATE": str(tmp_path)}).parent == tmp_path


def test_every_test_has_its_own_state_folder(tmp_path: Path) -> None:
    assert os.environ["FOLDER_KIT_STATE"] == str(tmp_path / "state")


@pytest.mark.parametrize(
    ("before", "after", "touched"),
    [
        (None, None, []),
        (None, {".": 1}, ["."]),
        (None, {".": 1, "abc": 2}, [".", "abc"]),
        ({".": 1}, {".": 1}, []),
        ({".": 1, "a": 2}, {".": 3, "a": 2, "b": 4}, [".", "b"]),
        ({".": 1, "a": 2}, {".": 1, "a": 5}, ["a"]),
    ],
)
def test_the_session_guard_sees_what_changed(
    before: dict[str, int] | None, after: dict[str, int] | None, touched: list[str]
) -> None:
    from conftest import state_changes

    assert state_changes(before, after) == touched


def test_the_session_guard_knows_the_tests_workspaces(tmp_path: Path, workspace: Path) -> None:
    from conftest import workspaces_indexed_as

    from folder_kit.timeline.state import state_dir

    name = state_dir(workspace).name
    assert workspaces_indexed_as(tmp_path, {name}) == [workspace]
    assert workspaces_indexed_as(tmp_path, {"0123456789abcdef"}) == []


def test_a_subprocess_gets_a_private_state_folder(tmp_path: Path, workspace: Path) -> None:
    """A CLI run in a subprocess keeps its index in the test's state folder."""
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "folder_kit", "-w", str(workspace), "scan"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert list((tmp_path / "state").iterdir())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain 名字 Müller", "plain 名字 Müller"),
        ("a\nError: b", "a\\nError: b"),
        ("\x1b]0;t\x07", "\\x1b]0;t\\x07"),
        ("tab\there\r", "tab\\there\\r"),
        ("del\x7f c1\x9b", "del\\x7f c1\\x9b"),
        ("line\u2028sep\u2029", "line\\u2028sep\\u2029"),
        ("bidi\u202egnp.exe", "bidi\\u202egnp.exe"),
        ("bytes \udcff\udc80", "bytes \\xff\\x80"),
        ("lone \ud800", "lone \\ud800"),
    ],
)
def test_visible_writes_out_what_a_terminal_would_obey(text: str, expected: str) -> None:
    from folder_kit.errors import visible

    assert visible(text) == expected


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("x" * 10, 10, "x" * 10),
        ("x" * 11, 10, "x" * 9 + "… (11 characters)"),
        ("\x1b" * 3, 200, "\\x1b" * 3),
        (42, 10, "42"),
    ],
)
def test_shown_cuts_long_values(value: object, limit: int, expected: str) -> None:
    from folder_kit.errors import shown

    assert shown(value, limit=limit) == expected


@needs_links
def test_a_link_swapped_in_after_the_look_is_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The descriptor is opened with O_NOFOLLOW and checked with fstat: a file
    replaced by a link or a FIFO between the look and the open is refused too."""
    regular = os.lstat(__file__)
    os.symlink(__file__, tmp_path / "link")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe")
    names = [n for n in ("link", "pipe") if os.path.lexists(tmp_path / n)]
    with monkeypatch.context() as patch:  # the look sees a regular file each time
        patch.setattr(os, "lstat", lambda *_a, **_k: regular)
        for name in names:
            with pytest.raises(UnreadableFileError, match=r"symbolic link|FIFO"):
                open_regular(tmp_path / name)
    for name in names:  # without the look, as the mail reader opens
        with pytest.raises(UnreadableFileError, match=r"symbolic link|FIFO"):
            open_regular(tmp_path / name, look_first=False)


def test_a_huge_date_option_is_cut_in_the_error(invoke: Invoke, ws: Path) -> None:
    line = assert_error(invoke(*log_args(ws, "--date", "x" * 1_000_000)))
    assert line.startswith("Error: not a date: 'xxx") and len(line) < 200
