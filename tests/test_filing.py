"""The one way a file is added to a customer's folder (``workspace/filing.py``):
`sent`, `log` and `draft` use it, and mail filing will."""

from __future__ import annotations

import datetime as dt
import os
import sys
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


# --- many files: Filer ------------------------------------------------------------


def visible(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if not n.startswith("."))


def temps(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(".folder-kit-"))


def add(filer: filing.Filer, customer: Customer, stem: str, data: bytes) -> filing.Filing:
    return filer.add(customer, "in", stem=stem, suffix=".eml", data=data, keep=10)


def test_a_filer_names_its_files_only_when_flushed(ws: Workspace, rossi: Customer) -> None:
    with filing.Filer(ws) as filer:
        first = add(filer, rossi, "2026-12-06 Offer", b"one")
        second = add(filer, rossi, "2026-12-06 Offer", b"two")
        # Written, but only as hidden temporary files that a scan passes over.
        assert visible(rossi.path / "IN") == []
        assert len(temps(rossi.path / "IN")) == 2
    assert visible(rossi.path / "IN") == ["2026-12-06 Offer (2).eml", "2026-12-06 Offer.eml"]
    assert temps(rossi.path / "IN") == []
    assert (first.path.read_bytes(), second.path.read_bytes()) == (b"one", b"two")
    assert first.path.name == "2026-12-06 Offer.eml"


def test_a_filer_flushes_a_full_batch_at_once(ws: Workspace, rossi: Customer) -> None:
    with filing.Filer(ws, max_files=2) as filer:
        for n in range(5):
            add(filer, rossi, f"2026-12-06 Mail {n}", b"x")
        assert len(visible(rossi.path / "IN")) == 4  # two batches of two
        assert len(temps(rossi.path / "IN")) == 1
    assert len(visible(rossi.path / "IN")) == 5


def test_a_filer_batch_of_bytes_is_flushed_too(ws: Workspace, rossi: Customer) -> None:
    with filing.Filer(ws, max_bytes=10) as filer:
        add(filer, rossi, "2026-12-06 Small", b"x" * 4)
        assert visible(rossi.path / "IN") == []
        add(filer, rossi, "2026-12-06 Big", b"x" * 6)
        assert visible(rossi.path / "IN") == ["2026-12-06 Big.eml", "2026-12-06 Small.eml"]


def test_a_batch_interrupted_before_naming_leaves_no_visible_file(
    ws: Workspace, rossi: Customer
) -> None:
    """A crash (here: an error) between writing and naming: no file appears, and
    the temporary files go."""
    with pytest.raises(KeyboardInterrupt), filing.Filer(ws) as filer:
        add(filer, rossi, "2026-12-06 Offer", b"one")
        add(filer, rossi, "2026-12-06 Reply", b"two")
        raise KeyboardInterrupt
    assert os.listdir(rossi.path / "IN") == []


def test_a_failure_while_syncing_names_nothing(
    ws: Workspace, rossi: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(fds: list[int]) -> bool:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(filing, "sync_file_systems", failing)
    with pytest.raises(OSError, match="Input/output"), filing.Filer(ws) as filer:
        add(filer, rossi, "2026-12-06 Offer", b"one")
    assert os.listdir(rossi.path / "IN") == []


def test_names_taken_before_the_flush_get_the_next_number(ws: Workspace, rossi: Customer) -> None:
    with filing.Filer(ws) as filer:
        ours = add(filer, rossi, "2026-12-06 Offer", b"ours")
        assert ours.path.name == "2026-12-06 Offer.eml"  # the name planned...
        (rossi.path / "IN" / "2026-12-06 Offer.eml").write_bytes(b"theirs")
        (rossi.path / "IN" / "2026-12-06 Offer (2).eml").write_bytes(b"theirs too")
    assert ours.path.name == "2026-12-06 Offer (3).eml"  # ...and the name given
    assert ours.path.read_bytes() == b"ours"
    assert (rossi.path / "IN" / "2026-12-06 Offer.eml").read_bytes() == b"theirs"
    assert (rossi.path / "IN" / "2026-12-06 Offer (2).eml").read_bytes() == b"theirs too"


def test_a_filer_dry_run_writes_nothing_and_plans_distinct_names(
    ws: Workspace, rossi: Customer
) -> None:
    (rossi.path / "IN").mkdir()
    (rossi.path / "IN" / "2026-12-06 Offer (2).eml").write_bytes(b"theirs")
    before = read_tree(ws.root)
    with filing.Filer(ws, dry_run=True) as filer:
        planned = [add(filer, rossi, "2026-12-06 Offer", b"x").path.name for _ in range(3)]
    assert planned == [
        "2026-12-06 Offer.eml",
        "2026-12-06 Offer (3).eml",
        "2026-12-06 Offer (4).eml",
    ]
    assert read_tree(ws.root) == before


def test_without_syncfs_each_file_is_fsynced_after_all_are_written(
    ws: Workspace, rossi: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The portable way (Windows, macOS, old Linux): an fsync of each file, issued
    when the whole batch is written."""
    from folder_kit import files

    events: list[str] = []
    real_fsync, real_write_temp = os.fsync, filing.write_temp

    def fsync(fd: int) -> None:
        events.append("fsync")
        real_fsync(fd)

    def write_temp(folder: Path, data: bytes) -> tuple[str, int]:
        events.append("write")
        return real_write_temp(folder, data)

    monkeypatch.setattr(files, "_syncfs", lambda: None)
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(filing, "write_temp", write_temp)
    with filing.Filer(ws) as filer:
        for n in range(3):
            add(filer, rossi, f"2026-12-06 Mail {n}", b"x")
    assert events == ["write"] * 3 + ["fsync"] * 3
    assert len(visible(rossi.path / "IN")) == 3


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs is Linux's")
def test_on_linux_a_batch_is_synced_by_one_syncfs(
    ws: Workspace, rossi: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from folder_kit import files

    calls: list[int] = []
    real = files._syncfs()
    assert real is not None

    def syncfs(fd: int) -> None:
        calls.append(fd)
        real(fd)

    def no_fsync(fd: int) -> None:
        raise AssertionError("fsync with syncfs at hand")

    monkeypatch.setattr(files, "_syncfs", lambda: syncfs)
    monkeypatch.setattr(os, "fsync", no_fsync)
    with filing.Filer(ws) as filer:
        for n in range(3):
            add(filer, rossi, f"2026-12-06 Mail {n}", b"x")
    assert len(calls) == 1  # one file system
    assert len(visible(rossi.path / "IN")) == 3


def test_stale_temporary_files_are_removed_and_only_those(ws: Workspace, rossi: Customer) -> None:
    out, inbox = rossi.path / "OUT", rossi.path / "IN"
    out.mkdir()
    inbox.mkdir()
    old = 1_700_000_000
    names = {
        ".folder-kit-abcd_123.tmp": old,  # ours, left by a crash: removed
        ".folder-kit-zzzzzzzz.tmp": None,  # ours, but young: maybe being written
        ".folder-kit-grades.txt": old,  # not a temporary file
        ".folder-kit-ab.tmp": old,  # not a name mkstemp makes
        "2026-12-06 Offer.tmp": old,  # the user's
    }
    for folder in (out, inbox):
        for name, mtime in names.items():
            (folder / name).write_bytes(b"x")
            if mtime is not None:
                os.utime(folder / name, (mtime, mtime))
    (rossi.path / ".folder-kit-abcd_123.tmp").write_bytes(b"x")  # not in OUT/ or IN/
    os.utime(rossi.path / ".folder-kit-abcd_123.tmp", (old, old))
    assert filing.remove_stale_temps_of(ws, [rossi]) == 2
    for folder in (out, inbox):
        assert sorted(os.listdir(folder)) == sorted(set(names) - {".folder-kit-abcd_123.tmp"})
    assert (rossi.path / ".folder-kit-abcd_123.tmp").exists()
