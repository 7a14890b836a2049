"""The context-menu entries and the command line each one runs."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Action = Literal["draft", "timeline"]


@dataclass(frozen=True)
class Entry:
    """One entry of the menu: what it does, and the words the menu shows."""

    action: Action
    label: str
    help: str  # a tooltip or a comment, where the file manager has one


ENTRIES: tuple[Entry, ...] = (
    Entry(
        "draft",
        "Write a follow-up draft",
        "writes the next follow-up of this customer and opens it in your mail program",
    ),
    Entry(
        "timeline",
        "Show timeline",
        "shows every contact with this customer, oldest first, in a text file",
    ),
)

# What install records its work under, and the prefix of every name it gives
# (registry keys, the Dolphin service menu): never a name a person would choose.
NAME = "folder-kit"


def python_for_menu(python: str = sys.executable, *, platform: str = sys.platform) -> str:
    """The Python the menu runs: this one (its virtual environment included), as an
    absolute path; on Windows its windowless twin, so that no console flashes up."""
    if platform != sys.platform:  # a plan for another system (--dry-run, tests): as given
        return python
    path = Path(python).absolute()
    if platform == "win32":
        windowless = path.with_name("pythonw.exe")
        if windowless.exists():
            path = windowless
    return str(path)


def run_command(action: Action, *, python: str) -> list[str]:
    """The command an entry runs, before the selected folders: `folder-kit integrate
    run ACTION -- FOLDER...` by way of ``python -m folder_kit``, so that it needs no
    PATH (a file manager's is not the shell's)."""
    return [python, "-m", "folder_kit", "integrate", "run", action, "--"]
