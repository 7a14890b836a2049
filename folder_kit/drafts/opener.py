"""Handing a written draft to the system's mail program (``draft --open``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

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
    if platform.startswith("win"):
        os.startfile(path)  # type: ignore[attr-defined]
    elif platform == "darwin":
        run(["open", str(path)])
    else:
        run(["xdg-open", str(path)])
