"""Faults the watcher survives, injected into a real watcher run in a thread.

A raising parser, a raising handler, an observer thread that stops, the inotify
watch limit, and a network drive that fails for a while (--polling): the watcher
goes on, says so in one warning, and loses nothing.
"""

from __future__ import annotations

import errno
import os
import queue
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import under_wine
from watching import wait_until

import folder_kit.timeline.mail
from folder_kit.timeline.state import state_dir
from folder_kit.watch import observer as obs
from folder_kit.watch.watcher import Watcher
from folder_kit.workspace.find import open_workspace

B = "客户/B-在谈客户"
Note = dict[str, Any]


def mail(subject: str) -> bytes:
    return f"Subject: {subject}\r\nDate: Mon, 30 Nov 2026 10:00:00 +0100\r\n\r\nHi\r\n".encode()


class InThread:
    """A Watcher run in a thread; its notes (as JSON) and warnings in queues."""

    def __init__(self, root: Path, **options: Any) -> None:
        self.notes: queue.Queue[Note] = queue.Queue()
        self.warnings: list[str] = []
        self.seen: list[Note] = []
        self.watcher = Watcher(
            open_workspace(root),
            on_note=lambda n: self.notes.put(n.as_json()),
            on_warning=self.warnings.append,
            **options,
        )
        self.failed: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, name="watcher under test")
        self.thread.start()

    def _run(self) -> None:
        try:
            self.watcher.run()
        except BaseException as e:
            self.failed.append(e)
            raise

    def expect(self, match: Callable[[Note], bool], *, timeout: float = 15) -> list[Note]:
        end = time.monotonic() + timeout
        got = []
        while True:
            try:
                note = self.notes.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"timed out; warnings {self.warnings}; died {self.failed}"
                ) from None
            self.seen.append(note)
            got.append(note)
            if match(note):
                return got

    def new(self, rel: str, *, timeout: float = 15) -> list[Note]:
        return self.expect(
            lambda n: n.get("path") == rel and n.get("change") == "new", timeout=timeout
        )

    def stop(self) -> None:
        self.watcher.stop()
        self.thread.join(timeout=20)
        assert not self.thread.is_alive()
        assert self.failed == []


@pytest.fixture
def ws(workspace: Path) -> Path:
    for name in ("ACME GmbH", "Rossi Srl"):
        for sub in ("OUT", "IN"):
            (workspace / B / name / sub).mkdir(parents=True)
        (workspace / B / name / "OUT" / "2026-11-02 Quotation.eml").write_bytes(mail("Quotation"))
    return workspace


@pytest.fixture
def run(ws: Path) -> Iterator[Callable[..., InThread]]:
    """Start watchers; afterwards every one is stopped and no thread is left running."""
    before = set(threading.enumerate())
    started: list[InThread] = []

    def start(**options: Any) -> InThread:
        w = InThread(ws, **options)
        started.append(w)
        w.expect(lambda n: n.get("ready") is True)
        return w

    yield start
    for w in started:
        if w.thread.is_alive():
            w.stop()
    wait_until(  # watchdog's threads end a moment after they are joined
        lambda: set(threading.enumerate()) - before == set(),
        timeout=10,
        what=f"the threads to end: {set(threading.enumerate()) - before}",
    )


def test_a_parser_that_raises_stops_only_its_customer_and_is_tried_again(
    ws: Path, run: Callable[..., InThread], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = folder_kit.timeline.mail.read_message

    def read_message(path: str | Path, **kw: Any) -> Any:
        if "boom" in str(path):
            raise RuntimeError("parser bug")
        return real(path, **kw)

    monkeypatch.setattr(folder_kit.timeline.mail, "read_message", read_message)
    w = run()
    (ws / B / "ACME GmbH" / "IN" / "Re boom.eml").write_bytes(mail("Re: boom"))
    (ws / B / "Rossi Srl" / "IN" / "Re fine.eml").write_bytes(mail("Re: fine"))
    w.new(f"{B}/Rossi Srl/IN/Re fine.eml")
    assert w.warnings == [
        f"could not read {B}/ACME GmbH (RuntimeError: parser bug); trying again in 2 s"
    ]
    monkeypatch.setattr(folder_kit.timeline.mail, "read_message", real)  # the bug is fixed
    w.new(f"{B}/ACME GmbH/IN/Re boom.eml")
    w.stop()


def test_a_handler_that_raises_is_survived_with_a_full_reconcile(
    ws: Path, run: Callable[..., InThread], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Watcher._hint
    calls = []

    def hint(self: Watcher, event: Any) -> None:
        calls.append(event)
        if len(calls) == 1:
            raise KeyError("a bug")
        real(self, event)

    monkeypatch.setattr(Watcher, "_hint", hint)
    w = run()
    (ws / B / "ACME GmbH" / "IN" / "Re 1.eml").write_bytes(mail("Re: 1"))
    got = w.expect(lambda n: n.get("reconciled") is True)
    assert got[-1]["reason"] == "fault"
    assert w.warnings[0] == (
        "an event handler failed (KeyError: 'a bug'); reading the whole workspace again"
    )
    (ws / B / "Rossi Srl" / "IN" / "Re 2.eml").write_bytes(mail("Re: 2"))
    w.new(f"{B}/Rossi Srl/IN/Re 2.eml")
    w.stop()


def test_an_observer_that_stops_is_started_again_and_the_workspace_reread(
    ws: Path, run: Callable[..., InThread]
) -> None:
    # Under Wine, a ReadDirectoryChangesW watch set up anew was seen to miss a file
    # saved the moment after (Wine's emulation, not Windows'): the restart is
    # tested there with the polling observer.
    w = run(polling=under_wine())
    w.watcher._observer.stop()  # as if its thread had died
    got = w.expect(lambda n: n.get("reconciled") is True)
    assert got[-1]["reason"] == "observer-restarted"
    assert w.warnings == ["the file-system observer stopped; starting it again"]
    (ws / B / "Rossi Srl" / "IN" / "Re after.eml").write_bytes(mail("Re: after"))
    w.new(f"{B}/Rossi Srl/IN/Re after.eml")
    w.stop()


def test_the_inotify_watch_limit_falls_back_to_polling_with_one_message(
    ws: Path, run: Callable[..., InThread], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = obs.start_observer

    def start_observer(paths: Any, *, polling: bool, **kw: Any) -> Any:
        if not polling:
            raise obs.LimitError("inotify watch limit reached")
        return real(paths, polling=polling, **kw)

    monkeypatch.setattr(obs, "start_observer", start_observer)
    w = run()
    assert w.watcher.polling is True
    [message] = w.warnings
    assert message.startswith("inotify watch limit reached (fs.inotify.max_user_watches is ")
    assert "sudo sysctl --system" in message
    (ws / B / "Rossi Srl" / "IN" / "Re polled.eml").write_bytes(mail("Re: polled"))
    w.new(f"{B}/Rossi Srl/IN/Re polled.eml")
    assert len(w.warnings) == 1
    w.stop()


def test_with_polling_a_folder_failing_for_a_while_is_never_taken_as_deleted(
    ws: Path, run: Callable[..., InThread], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A network drive: for a while every look into one customer folder fails with
    EIO. Its events stay; once it answers again, what was added there is seen."""
    flaky = str(ws / B / "ACME GmbH")
    failing = threading.Event()
    real_stat, real_scandir = os.stat, os.scandir

    def check(path: Any) -> None:  # normpath: the watcher joins with "/", Windows too
        if failing.is_set() and os.path.normpath(os.fspath(path)).startswith(flaky):
            raise OSError(errno.EIO, os.strerror(errno.EIO), os.fspath(path))

    def stat(path: Any, *args: Any, **kw: Any) -> Any:
        check(path)
        return real_stat(path, *args, **kw)

    def scandir(path: Any = ".") -> Any:
        check(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "scandir", scandir)
    w = run(polling=True, interval=2.0)
    caught_up = len(w.seen)
    failing.set()
    (ws / B / "ACME GmbH" / "IN" / "Re meanwhile.eml").write_bytes(mail("Re: meanwhile"))
    w.expect(lambda n: n.get("reason") == "timer", timeout=20)  # a full reconcile while failing
    w.expect(lambda n: n.get("reason") == "timer", timeout=20)
    assert f"cannot read folder {B}/ACME GmbH: Input/output error" in w.warnings
    assert [n for n in w.seen[caught_up:] if "change" in n] == []  # none new, none gone
    failing.clear()
    w.new(f"{B}/ACME GmbH/IN/Re meanwhile.eml", timeout=20)
    assert [n for n in w.seen if n.get("change") == "gone"] == []
    w.stop()


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="Windows deletes no file a process holds open: the running watcher's index "
    "and lock keep its state folder from being deleted",
)
def test_a_watcher_whose_state_folder_was_taken_by_another_watcher_stops(ws: Path) -> None:
    """The state folder deleted, and a second watcher started before the first one
    noticed: the first ends with an error naming the second, which keeps the index."""
    from folder_kit.errors import WatcherRunningError
    from folder_kit.timeline.watcher_lock import WatcherInfo, WatcherLock

    before = set(threading.enumerate())
    other = WatcherLock(ws)
    failed: list[BaseException] = []

    def on_note(note: Any) -> None:
        # Inside the watcher's own thread, so that it cannot notice in between.
        if note.as_json().get("ready"):
            shutil.rmtree(state_dir(ws))
            other.acquire(WatcherInfo(pid=4242, started="2026-12-01T09:00:00+01:00"))

    watcher = Watcher(open_workspace(ws), on_note=on_note, on_warning=lambda m: None)

    def run() -> None:
        try:
            watcher.run()
        except BaseException as e:
            failed.append(e)

    thread = threading.Thread(target=run, name="watcher under test")
    thread.start()
    try:
        thread.join(timeout=20)
        assert not thread.is_alive()
        [error] = failed
        assert isinstance(error, WatcherRunningError)
        assert str(error) == (
            "a watcher already runs on this workspace (PID 4242, since "
            "2026-12-01T09:00:00+01:00); it started after this watcher's state folder was "
            "deleted, and keeps the index current now; this one stops"
        )
        assert other.intact()  # the one that ends left the other's lock alone
    finally:
        watcher.stop()
        thread.join(timeout=20)
        other.release()
    wait_until(
        lambda: set(threading.enumerate()) - before == set(),
        timeout=10,
        what=f"the threads to end: {set(threading.enumerate()) - before}",
    )
