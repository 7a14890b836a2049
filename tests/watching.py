"""Running a real watcher in tests: a subprocess or a thread, read through a queue.

Every wait is on a condition with a timeout, never a bare sleep.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from folder_kit.kept import ENV_STATE
from folder_kit.timeline.events import load_events
from folder_kit.timeline.index import Index
from folder_kit.timeline.watcher_lock import request_stop
from folder_kit.workspace.find import open_workspace

Line = dict[str, Any]


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


# Wine's CreateProcess now and then fails with ERROR_INTERNAL_ERROR (1359) when a
# test has started many processes (seen once in 2,360 Windows-lane tests, in the
# stateful watcher property, which starts one watcher per example). It is Wine's,
# not the product's: the launch is tried again, a few times, after a pause.
_WINE_INTERNAL_ERROR = 1359


def _popen(argv: list[str]) -> subprocess.Popen[bytes]:
    for attempt in range(5):
        try:
            return subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        except OSError as exc:
            if getattr(exc, "winerror", None) != _WINE_INTERNAL_ERROR or attempt == 4:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


class WatchProcess:
    """`python -m folder_kit -w ROOT watch --json ARGS` with its lines in a queue."""

    def __init__(self, root: Path, *args: str) -> None:
        self.root = root
        self.proc = _popen(
            [sys.executable, "-m", "folder_kit", "-w", str(root), "watch", "--json", *args],
        )
        self.lines: queue.Queue[Line | None] = queue.Queue()
        self.seen: list[Line] = []
        self.stderr: list[str] = []
        self._threads = [
            threading.Thread(target=self._read_out, daemon=True),
            threading.Thread(target=self._read_err, daemon=True),
        ]
        for t in self._threads:
            t.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines.put(json.loads(raw.decode("utf-8")))
        self.lines.put(None)

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self.stderr.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def next(self, timeout: float) -> Line:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no line from the watcher within {timeout} s; stderr: {self.stderr}"
            ) from None
        if line is None:
            self.lines.put(None)
            raise AssertionError(f"the watcher ended ({self.proc.poll()}); stderr: {self.stderr}")
        self.seen.append(line)
        return line

    def expect(self, match: Callable[[Line], bool], *, timeout: float = 15) -> list[Line]:
        """Lines up to and including the first that matches; returns them all."""
        end = time.monotonic() + timeout
        got = []
        while True:
            line = self.next(max(0.01, end - time.monotonic()))
            got.append(line)
            if match(line):
                return got

    def ready(self, timeout: float = 30) -> tuple[list[Line], Line]:
        got = self.expect(lambda line: line.get("ready") is True, timeout=timeout)
        return got[:-1], got[-1]

    def send(self, sig: int) -> None:
        os.kill(self.proc.pid, sig)

    def stop(self, sig: int | None = None, timeout: float = 20) -> int:
        """End the watcher the clean way this system has, or by ``sig``: SIGTERM on
        POSIX; on Windows, which has no signal for a process without a console,
        the stop request of `folder-kit watch --stop`."""
        if self.proc.poll() is None:
            if sig is None and sys.platform == "win32":
                request_stop(self.root, timeout=timeout)
            else:
                self.send(signal.SIGTERM if sig is None else sig)
        code = self.proc.wait(timeout=timeout)
        for t in self._threads:
            t.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        for t in self._threads:
            t.join(timeout=5)


@contextmanager
def watching(root: Path, *args: str) -> Iterator[WatchProcess]:
    w = WatchProcess(root, *args)
    try:
        yield w
    finally:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait(timeout=10)
        for t in w._threads:
            t.join(timeout=5)


def indexed(root: Path) -> list[Line]:
    """The events the index of ``root`` holds now (in the current $FOLDER_KIT_STATE)."""
    ws = open_workspace(root)
    with Index.open(root) as index:
        return [e.as_json() for e in load_events(ws, index)]


def rebuilt(root: Path, state: Path) -> list[Line]:
    """The events `scan --rebuild` gives for ``root``, in a state folder of its own
    (knowing the cards as the index of the current one first saw them, which a
    rebuild keeps)."""
    from helpers import seed_seen_cards

    from folder_kit.timeline.scan import scan

    seed_seen_cards(root, state)
    was = os.environ.get(ENV_STATE)
    os.environ[ENV_STATE] = str(state)
    try:
        scan(open_workspace(root), rebuild=True, workers=1)
        return indexed(root)
    finally:
        if was is None:
            del os.environ[ENV_STATE]
        else:
            os.environ[ENV_STATE] = was


def settles_to_rebuild(root: Path, state: Path, *, timeout: float = 20) -> None:
    """Wait until the watcher's index equals what `scan --rebuild` gives."""
    last: dict[str, Any] = {}

    def same() -> bool:
        last["watched"], last["rebuilt"] = indexed(root), rebuilt(root, state)
        return last["watched"] == last["rebuilt"]

    try:
        wait_until(same, timeout=timeout, what="the index to equal scan --rebuild")
    except AssertionError:
        watched = {json.dumps(e, sort_keys=True) for e in last["watched"]}
        fresh = {json.dumps(e, sort_keys=True) for e in last["rebuilt"]}
        raise AssertionError(
            f"only in the watcher's index: {sorted(watched - fresh)[:5]}; "
            f"only after a rebuild: {sorted(fresh - watched)[:5]}"
        ) from None
