"""The file-system observer: watchdog, with inotify (or the OS's own API), else polling.

Only the event types the watcher uses are subscribed: with watchdog's default
types the inotify emitter also receives open and close-without-write events, so
every directory walk (including the rescans the watcher does) floods the queue.
watchdog reports a queue overflow only in its log, so its warnings are caught
here and passed on as a sign of loss.
"""

from __future__ import annotations

import contextlib
import errno
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers.api import BaseObserver

# Created, deleted, moved, written, closed after writing, touched: nothing else.
EVENT_TYPES: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    DirCreatedEvent,
    FileDeletedEvent,
    DirDeletedEvent,
    FileMovedEvent,
    DirMovedEvent,
    FileModifiedEvent,
    FileAttribEvent,
    FileClosedEvent,
]

POLL_SECONDS = 2.0

LIMIT_ERRNOS = (errno.ENOSPC, errno.EMFILE)


class LimitError(Exception):
    """The OS would not give the watches needed (inotify's watch or instance limit)."""


class _Handler(FileSystemEventHandler):
    """Passes every event on; never raises into watchdog's thread."""

    def __init__(
        self, hint: Callable[[FileSystemEvent], None], fault: Callable[[str], None]
    ) -> None:
        self.hint = hint
        self.fault = fault

    def dispatch(self, event: FileSystemEvent) -> None:
        try:
            self.hint(event)
        except Exception as e:  # a bug of ours must not stop the watching
            self.fault(f"an event handler failed ({type(e).__name__}: {e})")


class _LossLog(logging.Handler):
    """watchdog's warnings (a queue overflow, a folder it could not read) as signs of loss."""

    def __init__(self, fault: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self.fault = fault

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.fault(record.getMessage())


def hook_watchdog_log(fault: Callable[[str], None]) -> Callable[[], None]:
    """Route watchdog's log records to ``fault`` (and nowhere else); returns the undo."""
    logger = logging.getLogger("watchdog")
    handler = _LossLog(fault)
    logger.addHandler(handler)
    was = logger.propagate
    logger.propagate = False

    def undo() -> None:
        logger.removeHandler(handler)
        logger.propagate = was

    return undo


def start_observer(
    paths: list[tuple[Path, bool]],
    *,
    polling: bool,
    hint: Callable[[FileSystemEvent], None],
    fault: Callable[[str], None],
) -> BaseObserver:
    """An observer started on ``paths`` (folder, recursive). Raises LimitError when
    the OS's watch limit is reached (the caller falls back to polling)."""
    observer: BaseObserver
    if polling:
        from watchdog.observers.polling import PollingObserver

        observer = PollingObserver(timeout=POLL_SECONDS)
    else:
        observer = _native_observer()
    handler = _Handler(hint, fault)
    try:
        for path, recursive in paths:
            observer.schedule(handler, str(path), recursive=recursive, event_filter=EVENT_TYPES)
        observer.start()
    except OSError as e:
        stop_observer(observer)
        if e.errno in LIMIT_ERRNOS:
            raise LimitError(str(e)) from e
        raise
    return observer


def _native_observer() -> BaseObserver:
    import sys

    if sys.platform.startswith("linux"):
        from watchdog.observers.inotify import InotifyObserver

        # Full events: a folder moved in from outside the workspace is a move
        # with no source, not a creation, so it is read at once.
        return InotifyObserver(generate_full_events=True)
    from watchdog.observers import Observer

    observer: BaseObserver = Observer()
    return observer


def stop_observer(observer: BaseObserver) -> None:
    try:
        observer.stop()
        if observer.is_alive():
            observer.join(timeout=10)
    except Exception:
        pass  # a broken observer is replaced, not mended


def alive(observer: BaseObserver) -> bool:
    """The observer and each of its emitters still run."""
    emitters: Any = observer.emitters
    return observer.is_alive() and all(e.is_alive() for e in emitters)


def tracks_close(observer: BaseObserver) -> bool:
    """Whether the observer reports a writer's close (Linux's inotify does)."""
    return type(observer).__name__ == "InotifyObserver"


def max_user_watches() -> str:
    try:
        return Path("/proc/sys/fs/inotify/max_user_watches").read_text().strip()
    except OSError:
        return "?"
