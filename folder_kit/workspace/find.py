"""Finding the workspace a command works on, and what it holds."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from folder_kit.errors import WorkspaceError
from folder_kit.files import kind_of
from folder_kit.workspace.config import CONFIG_NAME, Config, load_config
from folder_kit.workspace.layout import Layout, customers_folder_names, load_layout

ENV_WORKSPACE = "FOLDER_KIT_WORKSPACE"


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Config

    @property
    def layout(self) -> Layout:
        return load_layout(self.config.lang)

    @property
    def customers_dir(self) -> Path:
        """The customers folder: the layout's own name, else the other language's if present."""
        own = self.root / self.layout.customers
        if own.is_dir():
            return own
        for name in customers_folder_names():
            if (self.root / name).is_dir():
                return self.root / name
        return own

    def relative(self, path: Path) -> str:
        """A workspace-relative path with ``/`` separators, as JSON output shows it."""
        return path.relative_to(self.root).as_posix()


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


def open_workspace(root: Path) -> Workspace:
    return Workspace(root=root, config=load_config(root / CONFIG_NAME))
