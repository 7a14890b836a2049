"""The workspace's state folder: what folder-kit keeps about a workspace outside it.

Workspaces often live in synced folders (OneDrive, Dropbox, Nextcloud) where a
live database gets corrupted, so the index, the watcher's lock and log, and any
later state of the same kind sit in the per-user state folder, one folder per
workspace, named from the workspace's absolute path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from folder_kit.errors import NetworkStateError
from folder_kit.kept import state_base
from folder_kit.mounts import network_drive

INDEX_FILE = "index.sqlite"


def state_dir(root: Path, *, env: dict[str, str] | None = None) -> Path:
    """The state folder of the workspace at ``root``: ``$FOLDER_KIT_STATE`` or the
    user state folder, then a name derived from the workspace's absolute path."""
    digest = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return state_base(env=env) / digest[:16]


def local_state_dir(root: Path) -> Path:
    """``state_dir(root)``, refused (NetworkStateError) when it lies on a network
    drive, where SQLite's locks do not hold: for state kept in a database.

    A read of the mount table (Linux, about 40 us), one call on Windows and
    macOS: once per database opened, not per query. State an older folder-kit
    made there is refused too: it is being damaged.
    """
    folder = state_dir(root)
    drive = network_drive(folder.parent)
    if drive is not None:
        raise NetworkStateError(path=folder.parent, drive=drive)
    return folder
