"""One watcher per workspace: an OS lock in the workspace's state folder.

The lock is an advisory lock on ``watcher.lock`` (``fcntl.flock``, or
``msvcrt.locking`` on Windows) held by the running watcher; the OS drops it when
the process dies, so a ``kill -9`` leaves no stale lock. Beside it,
``watcher.json`` says who holds it (PID, start time) and what the watcher last
did; it is believed only while the lock is held.

``watcher.stop``, written by ``request_stop``, asks the watcher whose PID it
names to end as Ctrl-C would: the one way to stop it cleanly that every system
has (Windows sends no signal to a process without a console, such as the
scheduled task of ``service install``).

It lives in timeline/ because the readers (``refresh``) ask it whether to scan.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from folder_kit.errors import WatcherRunningError
from folder_kit.timeline.state import state_dir

LOCK_FILE = "watcher.lock"
INFO_FILE = "watcher.json"
STOP_FILE = "watcher.stop"


@dataclass(frozen=True)
class WatcherInfo:
    """What a running watcher says about itself."""

    pid: int
    started: str  # ISO 8601, local time
    polling: bool = False
    last_reconcile: str | None = None
    reason: str | None = None
    events: int | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "pid": self.pid,
            "started": self.started,
            "polling": self.polling,
            "last_reconcile": self.last_reconcile,
            "reason": self.reason,
            "events": self.events,
        }


def _try_lock(f: IO[bytes]) -> bool:
    """Take the lock without waiting; False when another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(f: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        with contextlib.suppress(OSError):
            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _read_info(folder: Path) -> WatcherInfo | None:
    try:
        data = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
        return WatcherInfo(
            pid=int(data["pid"]),
            started=str(data["started"]),
            polling=bool(data.get("polling", False)),
            last_reconcile=data.get("last_reconcile"),
            reason=data.get("reason"),
            events=data.get("events"),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def running_watcher(root: Path) -> WatcherInfo | None:
    """The watcher running on this workspace, or None. Never waits."""
    folder = state_dir(root)
    try:
        f = open(folder / LOCK_FILE, "rb")  # noqa: SIM115 - held across the check
    except OSError:
        return None  # no watcher has ever run here
    with f:
        if _try_lock(f):
            _unlock(f)
            return None
    info = _read_info(folder)
    # Held, but its note not written yet (a watcher starting up this instant).
    return info if info is not None else WatcherInfo(pid=0, started="")


def request_stop(root: Path, *, timeout: float = 30.0) -> WatcherInfo | None:
    """Ask the watcher running on this workspace to stop, and wait until it has
    (at most ``timeout`` seconds). Returns what it said of itself, or None when
    none was running; raises TimeoutError when it was asked and did not end."""
    info = running_watcher(root)
    if info is None:
        return None
    folder = state_dir(root)
    stop = folder / STOP_FILE
    tmp = folder / f".{STOP_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"pid": info.pid}), encoding="utf-8")
    os.replace(tmp, stop)
    try:
        end = time.monotonic() + timeout
        while running_watcher(root) is not None:
            if time.monotonic() > end:
                raise TimeoutError(f"the watcher (PID {info.pid}) did not stop in {timeout:.0f} s")
            time.sleep(0.1)
    finally:
        with contextlib.suppress(OSError):
            stop.unlink()
    return info


def _stop_asked_of(folder: Path) -> int | None:
    """The PID a stop request names, or None when there is none."""
    try:
        return int(json.loads((folder / STOP_FILE).read_text(encoding="utf-8"))["pid"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return 0  # being written, or damaged: asks nobody in particular


class WatcherLock:
    """Held by the running watcher for as long as it runs."""

    def __init__(self, root: Path) -> None:
        self.folder = state_dir(root)
        self._file: IO[bytes] | None = None
        self._info: WatcherInfo | None = None

    def acquire(self, info: WatcherInfo) -> None:
        """Take the lock or raise WatcherRunningError naming the holder."""
        self.folder.mkdir(parents=True, exist_ok=True)
        f = open(self.folder / LOCK_FILE, "a+b")  # noqa: SIM115 - held until release
        if not _try_lock(f):
            f.close()
            other = _read_info(self.folder)
            raise WatcherRunningError(
                pid=other.pid if other else None, since=other.started if other else None
            )
        self._file = f
        # A request left for a watcher that ended before it saw it asks nothing of this one.
        with contextlib.suppress(OSError):
            os.unlink(self.folder / STOP_FILE)
        self.update(info)

    def intact(self) -> bool:
        """Whether the lock file in the state folder is still the one held: not so
        once the state folder was deleted (then no other command sees the lock)."""
        if self._file is None:
            return False
        try:
            there = os.stat(self.folder / LOCK_FILE)
        except OSError:
            return False
        held = os.fstat(self._file.fileno())
        return (there.st_dev, there.st_ino) == (held.st_dev, held.st_ino)

    def retake(self, info: WatcherInfo) -> None:
        """Take the lock anew in a state folder made again, dropping the one held in
        the deleted folder; WatcherRunningError when another watcher took it meanwhile."""
        if self._file is not None:
            # Not release(): the note in the folder now is not this watcher's to delete.
            with contextlib.suppress(OSError):
                _unlock(self._file)
            self._file.close()
            self._file = None
        self.acquire(info)

    def stop_requested(self) -> bool:
        """Whether ``request_stop`` asked this watcher to end (one stat when not)."""
        if not os.path.exists(self.folder / STOP_FILE):
            return False
        return self._info is not None and _stop_asked_of(self.folder) == self._info.pid

    def update(self, info: WatcherInfo) -> None:
        """Say what the watcher did last (for `service status`), atomically; not
        while the lock held is not the one in the state folder (deleted, and maybe
        taken by another watcher whose note this is)."""
        self._info = info
        if not self.intact():
            return
        tmp = self.folder / f".{INFO_FILE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(info.as_json()), encoding="utf-8")
        os.replace(tmp, self.folder / INFO_FILE)

    def release(self) -> None:
        if self._file is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.folder / INFO_FILE)
        _unlock(self._file)
        self._file.close()
        self._file = None

    def __enter__(self) -> WatcherLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
