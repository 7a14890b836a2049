"""Handing a written draft to the system's mail program (``draft --open``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from folder_kit.errors import UsageError, shown

Runner = Callable[[Sequence[str]], object]


def _spawn(command: Sequence[str]) -> object:
    return subprocess.Popen(
        list(command),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def open_with_system(path: Path, *, platform: str | None = None, run: Runner | None = None) -> None:
    """Open ``path`` with its default handler: ``os.startfile`` on Windows,
    ``open`` on macOS, ``xdg-open`` elsewhere."""
    platform = platform or sys.platform
    run = run or _spawn
    opener = "open" if platform == "darwin" else "xdg-open"
    try:
        if platform.startswith("win"):
            os.startfile(path)  # type: ignore[attr-defined]
        else:
            run([opener, str(path)])
    except FileNotFoundError as e:
        hint = " (Debian/Ubuntu: apt-get install xdg-utils)" if opener == "xdg-open" else ""
        raise UsageError(
            f"the draft is written ({shown(path)}), but this machine has no {opener} "
            f"to open it with{hint}: open it in your mail program yourself"
        ) from e
    except OSError as e:
        raise UsageError(
            f"the draft is written ({shown(path)}), but it could not be opened: {e.strerror or e}"
        ) from e
