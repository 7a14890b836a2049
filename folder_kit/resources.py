"""Data files shipped inside the package: the workspace layout, config and draft templates."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


@cache
def template_root() -> Traversable:
    """The ``templates/`` tree: inside the installed package (the wheel puts it
    there), or beside the package in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    # Imported from a zip archive: only importlib.resources can reach the data.
    from importlib.resources import files

    return files("folder_kit") / "templates"


def read_template(*parts: str) -> str:
    node = template_root()
    for part in parts:
        node = node / part
    return node.read_text(encoding="utf-8")
