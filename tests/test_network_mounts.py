"""Network drives: the watcher polls there by itself, and the index
refuses a state folder there (SQLite's locks do not hold on network file systems)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest
from conftest import Invoke

import folder_kit.mounts
from folder_kit.mounts import Mount, mount_of, network_drive, parse_mountinfo, unc_share

MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
25 22 0:23 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
40 22 0:40 / /mnt/nas rw,relatime shared:20 - nfs4 nas:/export rw,vers=4.2
41 22 0:41 / /mnt/nas2 rw,relatime shared:21 - ext4 /dev/sdb1 rw
42 40 0:42 / /mnt/nas/local rw,relatime - tmpfs tmpfs rw
43 22 0:43 / /media/Sales\\040Share rw,relatime - cifs //nas/sales rw,vers=3.1.1
44 22 0:44 / /home/li/remote rw,nosuid,nodev,relatime - fuse.sshfs li@nas:/ rw
45 22 0:45 / /srv rw,relatime - ext4 /dev/sdc1 rw
46 22 0:46 / /srv rw,relatime - cifs //nas/srv rw
garbage line
"""


def test_the_mount_table_is_read_with_its_escapes() -> None:
    mounts = parse_mountinfo(MOUNTINFO)
    assert Mount("/media/Sales Share", "cifs") in mounts
    assert Mount("/home/li/remote", "fuse.sshfs") in mounts
    assert len(mounts) == 9  # the garbage line skipped


@pytest.mark.parametrize(
    ("path", "fstype"),
    [
        ("/home/li/sales", "ext4"),
        ("/mnt/nas", "nfs4"),
        ("/mnt/nas/客户/ACME", "nfs4"),
        ("/mnt/nas2/sales", "ext4"),  # not inside /mnt/nas
        ("/mnt/nas/local/x", "tmpfs"),  # the longest mount point wins
        ("/media/Sales Share/客户", "cifs"),
        ("/home/li/remote/sales", "fuse.sshfs"),
        ("/srv/sales", "cifs"),  # mounted over /srv later: the later one
    ],
)
def test_a_path_is_on_the_longest_mount_point_that_holds_it(path: str, fstype: str) -> None:
    mount = mount_of(path, parse_mountinfo(MOUNTINFO))
    assert mount is not None and mount.fstype == fstype


@pytest.mark.parametrize(
    ("path", "unc"),
    [
        ("\\\\nas\\sales\\客户", True),
        ("//nas/sales", True),
        ("\\\\?\\UNC\\nas\\sales", True),
        ("\\\\?\\C:\\Users\\li", False),
        ("\\\\.\\pipe\\x", False),
        ("C:\\Users\\li\\sales", False),
        ("Z:\\sales", False),
    ],
)
def test_unc_paths_are_network_shares(path: str, unc: bool) -> None:
    assert unc_share(path) is unc


@pytest.fixture
def on_cifs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A mount table that says ``tmp_path/nas`` is a CIFS share (Linux)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the Linux mount table")
    share = Path(os.path.realpath(tmp_path)) / "nas"
    share.mkdir()
    table = tmp_path / "mountinfo"
    table.write_text(MOUNTINFO + f"50 22 0:50 / {share} rw - cifs //nas/sales rw\n")
    monkeypatch.setattr(folder_kit.mounts, "MOUNTINFO", str(table))
    return share


def test_network_drive_reads_the_mount_table(on_cifs: Path, tmp_path: Path) -> None:
    assert network_drive(on_cifs / "sales") == "cifs"
    assert network_drive(on_cifs / "not made yet" / "state") == "cifs"
    assert network_drive(tmp_path / "local") is None


def test_a_state_folder_on_a_network_drive_is_refused(
    invoke: Invoke, workspace: Path, on_cifs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = on_cifs / "state"
    monkeypatch.setenv("FOLDER_KIT_STATE", str(state))
    result = invoke("-w", str(workspace), "scan")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the state folder {state} is on a network drive (cifs), where the index "
        "would be damaged (SQLite's locks do not hold there); set FOLDER_KIT_STATE to a "
        "local folder\n"
    )
    assert not state.exists()  # nothing made there


def test_a_workspace_on_a_network_drive_is_fine_with_a_local_state_folder(
    invoke: Invoke, on_cifs: Path
) -> None:
    from folder_kit.workspace.scaffold import scaffold

    scaffold(on_cifs / "sales", lang="zh")
    result = invoke("-w", str(on_cifs / "sales"), "scan")
    assert (result.exit_code, result.stderr) == (0, "")


class _FakeWatcher:
    """Stands in for the watcher: records how it was asked to watch, and returns."""

    seen: ClassVar[list[bool]] = []

    def __init__(self, ws: Any, *, polling: bool, **kwargs: Any) -> None:
        self.seen.append(polling)

    def run(self) -> None:
        return None

    def stop(self) -> None:
        return None


@pytest.fixture
def fake_watcher(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    import folder_kit.watch.watcher

    _FakeWatcher.seen = []
    monkeypatch.setattr(folder_kit.watch.watcher, "Watcher", _FakeWatcher)
    return _FakeWatcher.seen


def test_the_watcher_polls_by_itself_on_a_network_drive(
    invoke: Invoke, on_cifs: Path, fake_watcher: list[bool]
) -> None:
    from folder_kit.workspace.scaffold import scaffold

    root = on_cifs / "sales"
    scaffold(root, lang="zh")
    result = invoke("-w", str(root), "watch")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{root} is on a network drive (cifs): watching by polling every 2 s.\n"
    )
    assert fake_watcher == [True]


def test_on_a_local_drive_the_watcher_asks_the_os(
    invoke: Invoke, workspace: Path, on_cifs: Path, fake_watcher: list[bool]
) -> None:
    result = invoke("-w", str(workspace), "watch")
    assert (result.exit_code, result.stdout, fake_watcher) == (0, "", [False])


def test_with_json_the_polling_line_goes_to_stderr(
    invoke: Invoke, on_cifs: Path, fake_watcher: list[bool]
) -> None:
    from folder_kit.workspace.scaffold import scaffold

    scaffold(on_cifs / "sales", lang="zh")
    result = invoke("-w", str(on_cifs / "sales"), "watch", "--json")
    assert result.stdout == ""
    assert "is on a network drive (cifs): watching by polling" in result.stderr


# --- Windows (the Wine lane) -------------------------------------------------------

windows = pytest.mark.skipif(sys.platform != "win32", reason="Windows")


@windows
def test_a_unc_workspace_is_on_a_network_share() -> None:
    assert network_drive(Path("\\\\nas\\sales\\客户")) == "UNC share"


@windows
def test_a_local_drive_letter_is_no_network_drive(tmp_path: Path) -> None:
    # Under Wine, Z: is the Linux root and C: the prefix: both DRIVE_FIXED.
    assert network_drive(tmp_path) is None
    assert network_drive(Path("C:\\")) is None
