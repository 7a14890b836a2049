"""Finding the workspace a command works on, and what it holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from folder_kit.workspace.config import CONFIG_NAME, Config, load_config
from folder_kit.workspace.layout import Layout, customers_folder_names, load_layout
from folder_kit.workspace.root import ENV_WORKSPACE as ENV_WORKSPACE
from folder_kit.workspace.root import config_kind as config_kind
from folder_kit.workspace.root import enclosing_workspace as enclosing_workspace
from folder_kit.workspace.root import find_workspace as find_workspace


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


def open_workspace(root: Path) -> Workspace:
    return Workspace(root=root, config=load_config(root / CONFIG_NAME))
