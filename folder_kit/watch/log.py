"""The background watcher's log: a rotating file in the workspace's state folder."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
from collections import deque
from pathlib import Path

from folder_kit.timeline.state import state_dir

LOG_FILE = "watch.log"
MAX_BYTES = 1_000_000
BACKUPS = 3


def log_path(root: Path) -> Path:
    return state_dir(root) / LOG_FILE


class _LogHandler(logging.handlers.RotatingFileHandler):
    """Rotated at MAX_BYTES, and opened anew when its file is gone: the state folder
    may be deleted at any time, and a log written into a deleted file is one
    `service status` never shows."""

    def emit(self, record: logging.LogRecord) -> None:
        if self.stream is not None and not os.path.exists(self.baseFilename):
            self.stream.close()
            self.stream = None  # FileHandler.emit opens it again
            # A folder that cannot be made is reported by emit(), which opens the file.
            with contextlib.suppress(OSError):
                os.makedirs(os.path.dirname(self.baseFilename), exist_ok=True)
        super().emit(record)


def open_log(root: Path) -> logging.Logger:
    """A logger writing to ``watch.log`` (1 MB, then rotated; 3 old ones kept)."""
    path = log_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f"folder_kit.watch.log.{path}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    if not logger.handlers:
        handler = _LogHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        logger.addHandler(handler)
    return logger


def tail(path: Path, lines: int = 10) -> list[str]:
    """The last ``lines`` lines of the log ([] when there is none)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            return [line.rstrip("\n") for line in deque(f, maxlen=lines)]
    except OSError:
        return []
