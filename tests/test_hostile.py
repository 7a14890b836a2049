"""What hostile or careless files do to folder-kit: one class of defect per section.

Each class is fixed where it arises (the mail reader, the safe-open helper in
files.py, the writers, the config parser, the CLI's output); these tests drive
it through the library and through the commands a user runs.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from conftest import Invoke
from helpers import assert_error, assert_ok, build_tree

from folder_kit.errors import MailError, UnreadableFileError
from folder_kit.files import open_regular, read_regular
from folder_kit.timeline.mail import read_message

B = "客户/B-在谈客户"
ACME = f"{B}/ACME GmbH"
DATE = b"Date: Mon, 2 Mar 2026 10:00:00 +0100\n"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
needs_links = pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges")


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
        (
            lambda p: os.symlink("/etc/hostname", p),
            "a symbolic link; folder-kit never reads through links",
        ),
        (
            lambda p: os.symlink("missing", p),
            "a symbolic link; folder-kit never reads through links",
        ),
        (lambda p: os.symlink(".", p), "a symbolic link; folder-kit never reads through links"),
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


@needs_fifo
def test_a_fifo_named_folder_kit_yaml_is_reported_as_one(invoke: Invoke, tmp_path: Path) -> None:
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


# --- 3. reads never go through a link ----------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "grades.txt").write_text("2020-01-01T00:00:00+00:00 D -> A\n")
    (folder / "card.txt").write_text("公司: Secret Outside Corp\n")
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
    assert (outside / "grades.txt").read_text() == "2020-01-01T00:00:00+00:00 D -> A\n"
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
