"""Folders shared and backed up by sync tools: their conflict copies are no contact,
and their online-only placeholders are dated without being downloaded (issue 16)."""

from __future__ import annotations

import pytest

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
