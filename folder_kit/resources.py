"""Data files shipped inside the package: the workspace layout, config and draft templates."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path


@cache
def template_root() -> Traversable:
    """The ``templates/`` tree: inside the installed wheel, or beside the package in a checkout."""
    packaged = files("folder_kit") / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def read_template(*parts: str) -> str:
    node = template_root()
    for part in parts:
        node = node / part
    return node.read_text(encoding="utf-8")
