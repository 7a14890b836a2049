"""Folders shared and backed up by sync tools: their conflict copies are no contact,
and their online-only placeholders are dated without being downloaded."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from helpers import build_tree, record_calls

import folder_kit.placeholders
import folder_kit.timeline.mail
from folder_kit.placeholders import online_only
from folder_kit.timeline.scan import ScanResult, placeholders_warning, scan
from folder_kit.workspace.find import open_workspace
from folder_kit.workspace.ignore import (
    computer_names,
    is_ignored,
    onedrive_copies,
    onedrive_pattern,
)

# --- conflict copies, by name ---------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        # Synology Drive: <name>_<client>_<Mon-DD-HHMM-YYYY>_<reason>_<n>.<ext>
        "a_Andy-PC_Jan-03-0901-2013_CaseConflict_1.txt",
        "PI 2026-118_OFFICE-PC_Nov-26-1742-2026_Conflict_1.pdf",
        "Re_ quote_LAPTOP_Dec-01-0815-2026_WhiteSpaceConflict_2.eml",
        "报价单_王丽的电脑_Nov-26-0901-2026_TailCharacterConflict_1.xlsx",
        "quote_NAS-CLIENT_Nov-26-0901-2026_Conflict.xlsx",
        # Nutstore 坚果云: -conflict (Windows), -NSConflict (macOS, Linux)
        "Re_ Canton Fair-conflict.eml",
        "报价单 ACME-conflict.xlsx",
        "报价单 ACME-李雷-conflict.xlsx",
        "PO 88231-NSConflict.pdf",
        "PO 88231-nsconflict-李雷.pdf",
        # WPS cloud sync
        "1-副本.doc",
        "报价单 2026-11-26-副本.xlsx",
        # git-annex
        "Re_ price list.variant-c696.eml",
        "PO.variant-SHA256E-s1234--abcdef.pdf",
        # the Linux OneDrive client
        "quote-thinkpad-safeBackup-0001.pdf",
    ],
)
def test_conflict_copies_of_sync_tools_are_ignored(name: str) -> None:
    assert is_ignored(name)


@pytest.mark.parametrize(
    "name",
    [
        "Re_ conflict of delivery dates.eml",
        "Zero-Conflict",  # a company's folder
        "Zero-Conflict Ltd",
        "Re_ Zero-Conflict order.eml",
        "2026-11-26 phone conflict resolution.txt",
        "quote_Jan-03-0901-2013.pdf",  # a Synology-like date, no conflict
        "Nov-26 trade-show notes.docx",
        "文件 - 副本.doc",  # Windows Explorer's copy: the user's own
        "副本说明.txt",
        "variant list.xlsx",
        "PI-2026-118.pdf",
        "Quote-FINAL.pdf",
        "backup-plan.pdf",
    ],
)
def test_ordinary_names_are_not_taken_for_conflict_copies(name: str) -> None:
    assert not is_ignored(name)


# --- OneDrive's name-COMPUTERNAME.ext -------------------------------------------

PATTERN = onedrive_pattern(["office-pc"])


@pytest.mark.parametrize(
    ("names", "copies"),
    [
        # a Windows default PC name beside the original
        (["quote.pdf", "quote-DESKTOP-AB12CD3.pdf"], {"quote-DESKTOP-AB12CD3.pdf"}),
        (["Re_ PI.eml", "Re_ PI-LAPTOP-7Q2M9X1K.eml"], {"Re_ PI-LAPTOP-7Q2M9X1K.eml"}),
        # this computer's name, any case
        (["报价单.xlsx", "报价单-OFFICE-PC.xlsx"], {"报价单-OFFICE-PC.xlsx"}),
        (["报价单.xlsx", "报价单-office-pc.xlsx"], {"报价单-office-pc.xlsx"}),
        # the original's case may differ on a case-insensitive disk
        (["Quote.PDF", "quote-desktop-ab12cd3.pdf"], {"quote-desktop-ab12cd3.pdf"}),
        # no extension
        (["notes", "notes-DESKTOP-AB12CD3"], {"notes-DESKTOP-AB12CD3"}),
    ],
)
def test_onedrive_copy_beside_its_original_is_found(names: list[str], copies: set[str]) -> None:
    assert onedrive_copies(names, PATTERN) == copies


@pytest.mark.parametrize(
    "names",
    [
        # no original beside it: a name the user chose
        ["quote-DESKTOP-AB12CD3.pdf"],
        ["报价单-OFFICE-PC.xlsx", "报价单 v2.xlsx"],
        # an original, but a suffix that is no computer's name
        ["Quote.pdf", "Quote-FINAL.pdf"],
        ["PI.pdf", "PI-2026-118.pdf"],
        ["quote.pdf", "quote-ACME.pdf"],
        ["quote.pdf", "quote-DESKTOP-AB12.pdf"],  # too short for Windows' default
        ["quote.pdf", "quote-OTHER-PC.pdf"],  # another computer, named by its owner
        # the original is the copy's own name, in another folder's sense: same stem, other extension
        ["quote.xlsx", "quote-DESKTOP-AB12CD3.pdf"],
    ],
)
def test_names_that_merely_look_like_onedrive_copies_are_kept(names: list[str]) -> None:
    assert onedrive_copies(names, PATTERN) == set()


def test_this_computers_names_come_from_the_environment_and_the_host() -> None:
    names = computer_names({"COMPUTERNAME": "OFFICE-PC"})
    assert "office-pc" in names
    assert all(n == n.casefold() and n for n in names)


# --- in a scan ------------------------------------------------------------------

ACME = "客户/B-在谈客户/ACME GmbH"
DATED = "Date: Thu, 05 Mar 2026 10:00:00 +0800\n"


def _mail(subject: str) -> bytes:
    return f"From: hans@acme.de\nSubject: {subject}\n{DATED}\nHello.\n".encode()


def _scan(root: Path) -> ScanResult:
    return scan(open_workspace(root), workers=1, clock=lambda: time.time_ns() + 10**12)


def _events(root: Path) -> dict[str, tuple[str, str]]:
    from folder_kit.timeline.events import timeline

    return {
        e.path.rpartition("/")[2]: (e.date[:10], e.date_source)
        for e in timeline(open_workspace(root))
        if e.kind != "card"
    }


def test_a_scan_passes_over_a_onedrive_copy_beside_its_original(workspace: Path) -> None:
    build_tree(
        workspace / ACME,
        {
            "报价/2026-03-10 quote.xlsx": b"PK",
            "报价/2026-03-10 quote-DESKTOP-AB12CD3.xlsx": b"PK",
            "报价/2026-03-11 quote-FINAL.xlsx": b"PK",
            "报价/2026-03-11 quote.xlsx": b"PK",
            "OUT/2026-03-12 offer-DESKTOP-AB12CD3.pdf": b"%PDF",  # no original: kept
        },
    )
    _scan(workspace)
    assert sorted(_events(workspace)) == [
        "2026-03-10 quote.xlsx",
        "2026-03-11 quote-FINAL.xlsx",
        "2026-03-11 quote.xlsx",
        "2026-03-12 offer-DESKTOP-AB12CD3.pdf",
    ]


def test_online_only_mails_are_dated_without_opening_with_one_warning(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the system says a mail is online-only, it is not opened: dated from its
    name (else its mtime) like a mail that cannot be read, with one warning a scan."""
    build_tree(
        workspace / ACME,
        {
            "IN/2026-03-06 Re offer.eml": _mail("Re: offer"),
            "IN/Re samples.eml": _mail("Re: samples"),
            "OUT/2026-03-07 price list.eml": _mail("price list"),
            "OUT/local.eml": _mail("local, a size no other mail here has"),
        },
    )
    opened = record_calls(
        monkeypatch, folder_kit.timeline.mail, "read_message", lambda path: Path(path).name
    )
    # Every mail but local.eml is online-only, as the system would say (told by its
    # size: a scan's stat on Windows has no inode number).
    local = (workspace / ACME / "OUT/local.eml").stat().st_size
    monkeypatch.setattr(folder_kit.placeholders, "IS_PLACEHOLDER", lambda st: st.st_size != local)
    result = _scan(workspace)
    assert opened == ["local.eml"]
    events = _events(workspace)
    assert events["2026-03-06 Re offer.eml"] == ("2026-03-06", "filename")
    assert events["2026-03-07 price list.eml"] == ("2026-03-07", "filename")
    assert events["Re samples.eml"][1] == "mtime"
    assert events["local.eml"] == ("2026-03-05", "header")
    assert list(result.warnings) == [placeholders_warning(3)]
    assert result.warnings[0].startswith("3 mails are online-only")
    # Nothing new: nothing dated without opening this time, no warning.
    assert _scan(workspace).warnings == ()


@pytest.mark.parametrize(
    ("attributes", "flags", "expected"),
    [
        (0, 0, False),
        (0x20, 0, False),  # ARCHIVE
        (0x80, 0, False),  # NORMAL
        (0x400, 0, False),  # REPARSE_POINT alone: a link, or a hydrated OneDrive file
        (0x80000, 0, False),  # PINNED ("always keep on this device")
        (0x400000, 0, True),  # RECALL_ON_DATA_ACCESS: OneDrive, Nutstore on demand
        (0x400000 | 0x400 | 0x20, 0, True),
        (0x40000, 0, True),  # RECALL_ON_OPEN
        (0x1000, 0, True),  # OFFLINE
        (0, 0x40000000, True),  # macOS SF_DATALESS
        (0, 0x20, False),  # macOS UF_COMPRESSED... any other flag
    ],
)
def test_online_only_by_attributes_and_flags(attributes: int, flags: int, expected: bool) -> None:
    assert online_only(attributes=attributes, flags=flags) is expected


@pytest.mark.skipif(sys.platform == "win32", reason="the Linux and macOS side")
def test_linux_has_no_placeholder_test() -> None:
    if sys.platform.startswith("linux"):
        assert folder_kit.placeholders.IS_PLACEHOLDER is None


# --- Windows: real attributes (the Wine lane) -------------------------------------


def _set_attributes(path: Path, extra: int) -> int:
    """Add ``extra`` to a file's attributes with SetFileAttributesW; returns what
    os.stat then reports."""
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    before = os.stat(path).st_file_attributes  # type: ignore[attr-defined]
    if not kernel32.SetFileAttributesW(ctypes.c_wchar_p(str(path)), before | extra):
        pytest.fail(f"SetFileAttributesW failed: {ctypes.get_last_error()}")  # type: ignore[attr-defined]
    return int(os.stat(path).st_file_attributes)  # type: ignore[attr-defined]


@pytest.mark.skipif(sys.platform != "win32", reason="Windows file attributes")
@pytest.mark.parametrize(
    "attribute",
    [
        pytest.param(0x1000, id="OFFLINE"),
        pytest.param(0x40000, id="RECALL_ON_OPEN"),
        pytest.param(0x400000, id="RECALL_ON_DATA_ACCESS"),
    ],
)
def test_a_mail_marked_online_only_is_not_opened(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, attribute: int
) -> None:
    build_tree(workspace / ACME, {"IN/2026-03-06 Re offer.eml": _mail("Re: offer")})
    mail = workspace / ACME / "IN/2026-03-06 Re offer.eml"
    shown = _set_attributes(mail, attribute)
    if not shown & attribute:
        pytest.skip(f"this system does not keep the attribute {attribute:#x} (Wine: {shown:#x})")
    opened: list[str] = []
    monkeypatch.setattr(folder_kit.timeline.mail, "read_message", lambda p, **k: opened.append(p))
    result = _scan(workspace)
    assert opened == []
    assert _events(workspace)["2026-03-06 Re offer.eml"] == ("2026-03-06", "filename")
    assert list(result.warnings) == [placeholders_warning(1)]


@pytest.mark.skipif(sys.platform != "win32", reason="Windows file attributes")
def test_an_ordinary_file_is_no_placeholder_by_its_listed_attributes(tmp_path: Path) -> None:
    """The scan asks the stat of a folder listing (FindNextFile's data on Windows)."""
    folder = tmp_path / "IN"
    build_tree(folder, {"x.eml": _mail("x")})
    test = folder_kit.placeholders.IS_PLACEHOLDER
    assert test is not None
    [entry] = list(os.scandir(folder))
    assert test(entry.stat(follow_symlinks=False)) is False
    assert test(os.stat(folder / "x.eml")) is False
