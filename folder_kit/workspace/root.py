"""Where the workspace is: its root folder, as ``-w``, ``$FOLDER_KIT_WORKSPACE`` or
the folders above here say (``workspace.find`` opens it).

Apart from ``find``, and light: a reader answered by the running watcher
(``answers``) finds the workspace before click, PyYAML or the rest of the
package are imported.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from folder_kit.errors import WorkspaceError
from folder_kit.files import kind_of

CONFIG_NAME = "folder-kit.yaml"
ENV_WORKSPACE = "FOLDER_KIT_WORKSPACE"


def find_workspace(
    explicit: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Path:
    """The workspace root: ``-w``, else ``$FOLDER_KIT_WORKSPACE``, else the nearest
    folder at or above ``cwd`` holding folder-kit.yaml (as git finds ``.git``)."""
    env = os.environ if env is None else env
    if explicit is not None:
        return _check_root(explicit, "-w/--workspace")
    if env.get(ENV_WORKSPACE):
        return _check_root(Path(env[ENV_WORKSPACE]), f"${ENV_WORKSPACE}")
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
        not_a_file = config_kind(folder / CONFIG_NAME)
        if not_a_file:  # a FIFO or a folder of that name: say so, not "none found"
            raise WorkspaceError(
                reason=f"{folder / CONFIG_NAME} is {not_a_file}, not the settings file; "
                f"rename it and run `folder-kit init {folder}`"
            )
    raise WorkspaceError(
        reason=f"no {CONFIG_NAME} found in {start} or any folder above it; "
        "run `folder-kit init DIR`, or name the workspace with -w DIR "
        f"or ${ENV_WORKSPACE}",
    )


def _check_root(path: Path, given_by: str) -> Path:
    path = path.expanduser().resolve()
    if not path.is_dir():
        raise WorkspaceError(reason=f"{given_by} names {path}, which is not a folder")
    not_a_file = config_kind(path / CONFIG_NAME)
    if not_a_file:
        raise WorkspaceError(
            reason=f"{path / CONFIG_NAME} is {not_a_file}, not the settings file; rename it "
            f"and run `folder-kit init {path}`"
        )
    if not (path / CONFIG_NAME).is_file():
        outer = enclosing_workspace(path)
        hint = (
            f"it is inside the workspace {outer}: name that one"
            if outer is not None
            else f"run `folder-kit init {path}` first"
        )
        raise WorkspaceError(reason=f"{given_by} names {path}, which has no {CONFIG_NAME}; {hint}")
    return path


def config_kind(path: Path) -> str:
    """What stands at ``path`` in words ("a folder", "a FIFO (named pipe)") when it is
    there but is not a regular file; "" when it is one or is missing. A link is
    judged by what it points to: reading it is refused later, with its own reason."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return ""
    return "" if stat.S_ISREG(mode) else kind_of(mode)


def enclosing_workspace(path: Path) -> Path | None:
    """The workspace that ``path`` lies inside (not at), if any."""
    for folder in path.absolute().parents:
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None
