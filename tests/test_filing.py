"""The one way a file is added to a customer's folder (``workspace/filing.py``):
`sent`, `log` and `draft` use it, and mail filing will."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from helpers import needs_links, read_tree

from folder_kit.errors import LinkInPathError, TargetExistsError
from folder_kit.workspace import filing
from folder_kit.workspace.customers import Customer, resolve_customer
from folder_kit.workspace.filing import file_into, mail_stem, planned_path
from folder_kit.workspace.find import Workspace, open_workspace
from folder_kit.workspace.names import MAX_PATH_CHARS

DAY = dt.date(2026, 12, 6)


@pytest.fixture
def ws(workspace: Path) -> Workspace:
    (workspace / "客户" / "B-在谈客户" / "Rossi Srl").mkdir(parents=True)
    return open_workspace(workspace)


@pytest.fixture
def rossi(ws: Workspace) -> Customer:
    return resolve_customer(ws, "Rossi")


def test_files_into_the_kind_folder_and_never_overwrites(ws: Workspace, rossi: Customer) -> None:
    first = file_into(ws, rossi, "out", stem="2026-12-06 Offer", suffix=".eml", data=b"1", keep=10)
    second = file_into(ws, rossi, "out", stem="2026-12-06 Offer", suffix=".eml", data=b"2", keep=10)
    third = file_into(ws, rossi, "out", stem="2026-12-06 Offer", suffix=".eml", data=b"3", keep=10)
    assert [p.name for p in (first, second, third)] == [
        "2026-12-06 Offer.eml",
        "2026-12-06 Offer (2).eml",
        "2026-12-06 Offer (3).eml",
    ]
    assert read_tree(rossi.path / "OUT") == {
        "2026-12-06 Offer.eml": b"1",
        "2026-12-06 Offer (2).eml": b"2",
        "2026-12-06 Offer (3).eml": b"3",
    }


def test_an_existing_folder_in_the_other_language_is_used(ws: Workspace, rossi: Customer) -> None:
    (rossi.path / "Drafts").mkdir()
    path = file_into(ws, rossi, "drafts", stem="2026-12-06 x", suffix=".eml", data=b"", keep=10)
    assert path.parent == rossi.path / "Drafts"
    assert not (rossi.path / "草稿").exists()


def test_planned_path_is_where_it_files(ws: Workspace, rossi: Customer) -> None:
    (rossi.path / "IN").mkdir(exist_ok=True)
    (rossi.path / "IN" / "2026-12-06 Re - Offer.eml").write_bytes(b"taken")
    planned = planned_path(ws, rossi, "in", stem="2026-12-06 Re - Offer", suffix=".eml", keep=10)
    filed = file_into(
        ws, rossi, "in", stem="2026-12-06 Re - Offer", suffix=".eml", data=b"", keep=10
    )
    assert planned == filed == rossi.path / "IN" / "2026-12-06 Re - Offer (2).eml"


def test_a_name_taken_meanwhile_gets_the_next_suffix(
    ws: Workspace, rossi: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program saves a file of the same name between the look and the write."""
    looked = filing.unique_path
    raced: list[Path] = []

    def racing(folder: Path, stem: str, suffix: str) -> Path:
        path = looked(folder, stem, suffix)
        if not raced:
            path.write_bytes(b"theirs")
            raced.append(path)
        return path

    (rossi.path / "OUT").mkdir(exist_ok=True)
    monkeypatch.setattr(filing, "unique_path", racing)
    path = file_into(
        ws, rossi, "out", stem="2026-12-06 Offer", suffix=".eml", data=b"ours", keep=10
    )
    assert path.read_bytes() == b"ours"
    assert (rossi.path / "OUT" / "2026-12-06 Offer.eml").read_bytes() == b"theirs"


def test_gives_up_with_an_error_when_every_name_is_taken_meanwhile(
    ws: Workspace, rossi: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    (rossi.path / "OUT").mkdir(exist_ok=True)
    (rossi.path / "OUT" / "x.eml").write_bytes(b"theirs")
    monkeypatch.setattr(filing, "unique_path", lambda folder, stem, suffix: folder / "x.eml")
    with pytest.raises(TargetExistsError):
        file_into(ws, rossi, "out", stem="x", suffix=".eml", data=b"ours", keep=1)
    assert (rossi.path / "OUT" / "x.eml").read_bytes() == b"theirs"


def test_a_long_stem_is_cut_to_fit_the_path_keeping_its_date(
    ws: Workspace, rossi: Customer
) -> None:
    stem = "2026-12-06 " + "Re - quotation for the 2027 season " * 12
    path = file_into(ws, rossi, "out", stem=stem, suffix=".eml", data=b"", keep=10)
    assert len(str(path)) <= MAX_PATH_CHARS
    assert path.name.startswith("2026-12-06 Re - quotation")
    assert path.suffix == ".eml"


def test_dry_run_and_failing_data_write_nothing(ws: Workspace, rossi: Customer) -> None:
    before = read_tree(ws.root)
    path = file_into(ws, rossi, "in", stem="s", suffix=".eml", data=b"x", keep=1, dry_run=True)
    assert path == rossi.path / "IN" / "s.eml"

    def broken() -> bytes:
        raise OSError("attachment gone")

    with pytest.raises(OSError, match="attachment gone"):
        file_into(ws, rossi, "in", stem="s", suffix=".eml", data=broken, keep=1)
    assert read_tree(ws.root) == before


def test_leaves_no_temporary_file(ws: Workspace, rossi: Customer) -> None:
    file_into(ws, rossi, "out", stem="s", suffix=".txt", data=b"note\n", keep=1)
    assert sorted(os.listdir(rossi.path / "OUT")) == ["s.txt"]


@needs_links
def test_a_dangling_link_holds_its_name(ws: Workspace, rossi: Customer) -> None:
    (rossi.path / "OUT").mkdir(exist_ok=True)
    (rossi.path / "OUT" / "s.eml").symlink_to(ws.root / "nowhere")
    path = file_into(ws, rossi, "out", stem="s", suffix=".eml", data=b"x", keep=1)
    assert path.name == "s (2).eml"
    assert (rossi.path / "OUT" / "s.eml").is_symlink()


@needs_links
def test_a_folder_linked_elsewhere_is_refused(
    ws: Workspace, rossi: Customer, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (rossi.path / "OUT").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(LinkInPathError):
        file_into(ws, rossi, "out", stem="s", suffix=".eml", data=b"x", keep=1)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    ("subject", "stem"),
    [
        ("Offer", "2026-12-06 Offer"),
        ("Re: Offer", "2026-12-06 Re - Offer"),
        ("答复：报价", "2026-12-06 答复 - 报价"),
        ("Re:Re: Offer / 2027", "2026-12-06 Re - Re - Offer _ 2027"),
        ("  ", "2026-12-06 (no subject)"),
        ("Offer\r\n\tfor 2027", "2026-12-06 Offer for 2027"),
    ],
)
def test_mail_stem(subject: str, stem: str) -> None:
    assert mail_stem(DAY, subject) == stem
