"""``files.write_new``: a new file appears whole or not at all, and never replaces
one, also on file systems without hard links (exFAT, FAT, SMB shares) and on a
full disk."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from folder_kit import files
from folder_kit.errors import TargetExistsError
from folder_kit.files import write_new

MAIL = b"From: a@example.com\r\n\r\n" + b"x" * 400_000


@pytest.fixture
def no_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system that makes no hard links, as FAT and exFAT answer."""

    def link(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", link)


class _FullDisk:
    """Room for ``room`` more bytes in every file opened for writing after it is set."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.real = open

    def __call__(self, path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        f = self.real(path, mode, *args, **kwargs)
        if "w" in mode or "x" in mode:
            room = self.room
            write = f.write

            def limited(data: bytes) -> int:
                if len(data) > room:
                    write(data[:room])
                    raise OSError(errno.ENOSPC, "No space left on device")
                return int(write(data))

            f.write = limited
        return f


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "OUT"
    out.mkdir()
    return out


def names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


@pytest.mark.usefixtures("no_links")
def test_without_hard_links_the_file_is_written_whole(folder: Path) -> None:
    write_new(folder / "mail.eml", MAIL)
    assert (folder / "mail.eml").read_bytes() == MAIL
    assert names(folder) == ["mail.eml"]


@pytest.mark.usefixtures("no_links")
def test_without_hard_links_a_taken_name_is_refused(folder: Path) -> None:
    (folder / "mail.eml").write_bytes(b"theirs")
    with pytest.raises(TargetExistsError):
        write_new(folder / "mail.eml", MAIL)
    assert (folder / "mail.eml").read_bytes() == b"theirs"
    assert names(folder) == ["mail.eml"]


@pytest.mark.usefixtures("no_links")
def test_without_hard_links_a_full_disk_leaves_nothing(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Room for the temporary copy but not for a second one: the mail must not be
    left half-written under its name (it would count as a follow-up)."""
    monkeypatch.setattr(files, "open", _FullDisk(room=len(MAIL) // 2), raising=False)
    try:
        write_new(folder / "mail.eml", MAIL)
    except OSError:
        assert names(folder) == []
    else:
        assert (folder / "mail.eml").read_bytes() == MAIL
        assert names(folder) == ["mail.eml"]


@pytest.mark.usefixtures("no_links")
def test_with_no_way_to_rename_exclusively_a_failed_write_is_removed(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last resort, an exclusive create: a write that fails takes its file along."""
    monkeypatch.setattr(files, "_no_replace_rename", lambda: None)
    monkeypatch.setattr(files, "open", _FullDisk(room=1000), raising=False)
    with pytest.raises(OSError, match="No space"):
        write_new(folder / "mail.eml", MAIL)
    assert names(folder) == []


def test_a_full_disk_leaves_nothing(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.fdopen

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        f = real(fd, mode, *args, **kwargs)
        if "w" in mode:

            def full(data: bytes) -> int:
                raise OSError(errno.ENOSPC, "No space left on device")

            f.write = full
        return f

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(OSError, match="No space"):
        write_new(folder / "mail.eml", MAIL)
    assert names(folder) == []
