"""The watcher's loop: hints in, reconciles out, and the supervision around them.

One thread (the caller's) does everything that touches the index: it takes the
observer's events from a queue, lets the settle rule say which customer folders
are quiet, reconciles those through the scan, and reports what changed. The
observer runs in watchdog's threads and only names folders. A full reconcile
runs at start, on a timer (with jitter), and at once after any sign of loss.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import queue
import random
import threading
import time
import warnings as warnings_module
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from folder_kit.errors import WatcherRunningError
from folder_kit.timeline.events import Event, load_events
from folder_kit.timeline.index import Index
from folder_kit.timeline.watcher_lock import WatcherInfo, WatcherLock
from folder_kit.watch import observer as obs
from folder_kit.watch.changes import Change, changes_of
from folder_kit.watch.highlights import highlight
from folder_kit.watch.mail_sync import MailNote, MailSyncer
from folder_kit.watch.settle import Settler, Stamp
from folder_kit.workspace.config import CONFIG_NAME
from folder_kit.workspace.customers import customer_key
from folder_kit.workspace.find import Workspace, open_workspace
from folder_kit.workspace.history import HISTORY_FILE
from folder_kit.workspace.ignore import is_ignored
from folder_kit.workspace.layout import customers_folder_names
from folder_kit.workspace.locate import locate

SETTLE_SECONDS = 1.0
INTERVAL_SECONDS = 30 * 60.0
JITTER = 0.1  # of the interval, either way
SUPERVISE_SECONDS = 2.0
WAIT_MAX = 0.5  # the longest the loop sleeps: how soon a stop is seen
RETRY_FIRST, RETRY_MAX = 2.0, 300.0
# A folder moved in is read at once, a created one once it has settled; either is
# read once more after the scan's own settle period, for files created in it
# before its watch was in place.
AGAIN_SECONDS = 2.5


@dataclass(frozen=True)
class Ready:
    customers: int
    events: int

    def as_json(self) -> dict[str, object]:
        return {"ready": True, "customers": self.customers, "events": self.events}


@dataclass(frozen=True)
class Reconciled:
    reason: str
    events: int

    def as_json(self) -> dict[str, object]:
        return {"reconciled": True, "reason": self.reason, "events": self.events}


Note = Change | Ready | Reconciled | MailNote


class Service(Protocol):
    """Something the watcher runs beside its loop once the index is current, and
    stops at its end: the readers' answers of ``cli.answers``."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def publish(self) -> None:
        """Say again where it is, in a state folder made anew."""


def _stat(path: str) -> Stamp:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class Watcher:
    """Keeps one workspace's index current until ``stop()``, and syncs its mail
    accounts (``mail_sync``) meanwhile.

    ``on_note`` receives each Change, the Ready after the first reconcile, a
    Reconciled after every later full one, and a Synced or SyncFailed after each
    mail sync; ``on_warning`` one line of text each. Both are called from the
    thread that called ``run()``. ``mail_interval``: seconds between mail syncs
    (default: ``mail.interval``).
    """

    def __init__(
        self,
        ws: Workspace,
        *,
        on_note: Callable[[Note], None],
        on_warning: Callable[[str], None],
        polling: bool = False,
        interval: float = INTERVAL_SECONDS,
        mail_interval: float | None = None,
        service: Service | None = None,
    ) -> None:
        self.ws = ws
        self.root = ws.root
        self.on_note = on_note
        self.on_warning = on_warning
        self.polling = polling
        self.interval = interval
        self.settler = Settler(settle=SETTLE_SECONDS)
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._stop = threading.Event()
        self._observer: Any = None
        # Looked at once per observer start and config reload, not per event:
        self._customers = ""  # str(self.ws.customers_dir), set by _watched()
        self._tracks_close = False  # obs.tracks_close(self._observer)
        self._full: str | None = None  # the reason of a full reconcile wanted now
        self._again: dict[str, float] = {}  # folders to read once more, and when
        self._failures: dict[str, int] = {}
        self._lost = False  # the workspace folder is gone (an unplugged drive)
        self._warned: dict[str, str] = {}
        self._last_loss = ""  # the same sign again (a poll failing every time) is not repeated
        self._lock = WatcherLock(self.root)
        self._info = WatcherInfo(
            pid=os.getpid(), started=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            polling=polling,
        )  # fmt: skip
        self._index: Index | None = None  # held from run()'s start to its end
        self._service = service  # started once the index is current
        self._serving = False
        # The events of an index whose state folder was deleted, until the reconcile
        # into the new one has said only what differs from them.
        self._renewed: set[Event] | None = None
        self._next_full = 0.0
        self._mail = MailSyncer(
            ws,
            report=lambda note: self._queue.put(("note", note)),
            warn=lambda message: self._queue.put(("warning", message)),
            interval=mail_interval,
        )

    # --- public ------------------------------------------------------------

    def stop(self) -> None:
        """Ask the loop to end after what it is doing (safe from a signal handler)."""
        self._stop.set()

    def run(self) -> None:
        """Take the workspace's lock, reconcile, then watch until ``stop()``."""
        self._lock.acquire(self._info)
        # watchdog's own warnings (a callback registered twice after a rescan) are
        # no concern of the user's: its log records are the signs of loss we use.
        warnings_module.filterwarnings("ignore", category=RuntimeWarning, module=r"watchdog\.")
        undo_log = obs.hook_watchdog_log(self._fault)
        previous_hook = threading.excepthook
        threading.excepthook = self._thread_failed
        try:
            self._index = Index.open(self.root)
            self._start_observer()
            changes, customers, events = self._reconcile_all()
            self._report(changes)
            self.on_note(Ready(customers, events))
            self._done("start", events)
            self._start_service()
            self._mail.start()  # its mail arrives as file events, after the catch-up
            self._loop()
        finally:
            self._mail.stop()
            if self._serving and self._service is not None:
                self._service.stop()
            if self._observer is not None:
                obs.stop_observer(self._observer)
            threading.excepthook = previous_hook
            undo_log()
            if self._index is not None:
                self._index.close()
            self._lock.release()

    def _start_service(self) -> None:
        """Start the service, now that the index is current; without it (the readers
        then work out their answers themselves) when it cannot start."""
        if self._service is None:
            return
        try:
            self._service.start()
        except OSError as e:
            self._service.stop()
            self._warn(f"readers are not answered by the watcher ({e}); they still work")
            return
        self._serving = True

    # --- the loop ----------------------------------------------------------

    def _loop(self) -> None:
        next_check = time.monotonic() + SUPERVISE_SECONDS
        while not self._stop.is_set():
            now = time.monotonic()
            deadlines = [next_check, self._next_full, *self._again.values()]
            due = self.settler.next_due()
            if due is not None:
                deadlines.append(due)
            wait = min(max(0.0, min(deadlines) - now), WAIT_MAX)
            try:
                item = self._queue.get(timeout=wait)
                self._take(item)
                while True:  # a burst: take all that came before looking at the disk
                    self._take(self._queue.get_nowait())
            except queue.Empty:
                pass
            if self._stop.is_set() or self._lock.stop_requested():
                break
            try:
                next_check = self._step(next_check)
            except WatcherRunningError:
                raise  # another watcher took the workspace over: this one ends
            except Exception as e:  # the index or the disk failing: say so, go on
                delay = self._backoff("loop")
                self._warn(
                    f"watching failed for a moment ({type(e).__name__}: {e}); "
                    f"reading the whole workspace again in {delay:.0f} s"
                )
                self._full = None
                self._next_full = time.monotonic() + delay
            else:
                self._failures.pop("loop", None)

    def _step(self, next_check: float) -> float:
        """One turn of the loop after the queue was read; returns the next supervision time."""
        now = time.monotonic()
        if now >= next_check:
            next_check = now + SUPERVISE_SECONDS
            self._supervise()
        if self._lost:
            return next_check
        if self._full is not None or now >= self._next_full:
            reason = self._full or "timer"
            self._full = None
            self._full_reconcile(reason)
            return next_check
        for folder, when in list(self._again.items()):
            if now >= when:
                del self._again[folder]
                self.settler.touch(folder, now, at_once=True)
        folders = self.settler.take_due(now, _stat)
        if folders:
            self._reconcile(folders)
        return next_check

    def _take(self, item: tuple[str, Any]) -> None:
        what, value = item
        if what == "fault":
            self._loss(value)
            return
        if what == "note":  # from the mail sync's thread
            self.on_note(value)
            return
        if what == "warning":
            self._warn(value)
            return
        try:
            self._hint(value)
        except Exception as e:  # a bug of ours must not stop the watching
            self._loss(f"an event handler failed ({type(e).__name__}: {e})")

    def _fault(self, message: str) -> None:
        """From any thread: something may have been missed."""
        self._queue.put(("fault", message))

    def _thread_failed(self, args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread is not None else "a thread"
        self._fault(f"{name} stopped ({args.exc_type.__name__}: {args.exc_value})")

    def _loss(self, message: str) -> None:
        """A sign that events were missed: one warning, then a full reconcile (signs
        that come before it is done are the same loss)."""
        overflow = "overflow" in message.lower()
        if self._full is None and message != self._last_loss:
            self._last_loss = message
            if overflow:
                message = "too many file changes at once for the OS to report them all"
            self._warn(f"{message}; reading the whole workspace again")
        self._full = self._full or ("overflow" if overflow else "fault")

    # --- hints ---------------------------------------------------------------

    def _hint(self, event: Any) -> None:
        now = time.monotonic()
        root = str(self.root)
        customers = self._customers
        src: str = os.fsdecode(event.src_path)
        dest: str = os.fsdecode(getattr(event, "dest_path", "") or "")
        moved = event.event_type == "moved"
        for path, is_dest in ((src, False), (dest, True)):
            if not path:
                continue
            place = locate(path, root=root, customers=customers)
            if place.level == "outside":
                continue
            if place.level == "root":
                if place.rel == CONFIG_NAME:
                    self._reload_config()
                elif place.rel in customers_folder_names():
                    self._full = self._full or "customers-folder"
                    self._restart_observer()
                continue
            if place.level == "grades":
                self._full = self._full or "grade-folder"
                continue
            name = path.rsplit(os.sep, 1)[-1]
            if place.rel and is_ignored(name) and name != HISTORY_FILE:
                continue  # temp names, swap files, partial downloads: never an event
            if not place.rel or event.is_directory:
                # The customer folder itself, or a folder in it: moved in whole
                # from outside (no source) or regraded, it is read at once.
                whole = moved and (not src or is_dest or not dest)
                if whole or event.event_type == "created":
                    self._again[place.folder] = now + AGAIN_SECONDS
                self.settler.touch(place.folder, now, at_once=whole)
                continue
            writing = None
            if event.event_type == "modified" and self._tracks_close:
                writing = True
            elif event.event_type == "closed":
                writing = False
            self.settler.touch(place.folder, now, path=path, stamp=_stat(path), writing=writing)

    def _reload_config(self) -> None:
        try:
            self.ws = open_workspace(self.root)
            self._customers = str(self.ws.customers_dir)
        except Exception as e:  # keep the last good one: the user is still editing
            self._warn(f"{e}; still using the settings read before")
            return
        self._mail.reload(self.ws)

    # --- reconciles ----------------------------------------------------------

    def _present(self) -> bool:
        """The workspace is there to read: never take an unplugged drive for deletions."""
        try:
            return (self.root / CONFIG_NAME).is_file() and os.path.isdir(self.ws.customers_dir)
        except OSError:
            return False

    def _full_reconcile(self, reason: str) -> None:
        if not self._present():
            self._gone()
            return
        try:
            changes, _, events = self._reconcile_all()
        except Exception as e:
            self._warn(f"could not read the workspace ({type(e).__name__}: {e}); trying again")
            self._next_full = time.monotonic() + self._backoff("")
            return
        self._failures.pop("", None)
        if self._renewed is not None:
            changes = _since(self._renewed, changes)
            self._renewed = None
        self._report(changes)
        self.on_note(Reconciled(reason, events))
        self._done(reason, events)

    def _reconcile_all(self) -> tuple[list[Change], int, int]:
        from folder_kit.timeline.scan import scan

        index = self._held()
        before = index.warnings_by_key()
        snapshot = index.snapshot()
        result = scan(self.ws, index=index)
        changes = changes_of(index.changed_since(snapshot), self.ws.customers_dir.name)
        self._new_warnings(before)
        self._schedule_timer()
        return changes, result.customers, result.events

    def _reconcile(self, folders: Sequence[str]) -> None:
        if not self._present():
            self._gone()
            return
        from folder_kit.timeline.scan import update

        keys = [customer_key(f.rsplit(os.sep, 1)[-1]) for f in folders]
        index = self._held()
        before = index.warnings_by_key()
        try:
            snapshot = index.snapshot(keys)
            update(self.ws, only=[Path(f) for f in folders], index=index)
            changes = changes_of(index.changed_since(snapshot), self.ws.customers_dir.name)
        except Exception as e:
            if len(folders) > 1:
                for folder in folders:  # find the one that fails; the others go on
                    self._reconcile([folder])
                return
            self._failed(folders[0], e)
            return
        for folder in folders:
            self._failures.pop(folder, None)
        self._new_warnings(before)
        self._report(changes)

    def _failed(self, folder: str, e: Exception) -> None:
        delay = self._backoff(folder)
        shown = self._shown(folder)
        self._warn(
            f"could not read {shown} ({type(e).__name__}: {e}); trying again in {delay:.0f} s"
        )
        when = time.monotonic() + delay
        self.settler.later(folder, when)

    def _backoff(self, key: str) -> float:
        n = self._failures[key] = self._failures.get(key, 0) + 1
        return float(min(RETRY_MAX, RETRY_FIRST * 2 ** (n - 1)))

    def _schedule_timer(self) -> None:
        jitter = random.uniform(-JITTER, JITTER) * self.interval
        self._next_full = time.monotonic() + self.interval + jitter

    def _done(self, reason: str, events: int) -> None:
        self._info = WatcherInfo(
            pid=self._info.pid,
            started=self._info.started,
            polling=self.polling,
            last_reconcile=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            reason=reason,
            events=events,
        )
        with contextlib.suppress(OSError):  # only `service status` reads it
            self._lock.update(self._info)
        if self._serving and self._service is not None and reason == "state-deleted":
            with contextlib.suppress(OSError):
                self._service.publish()  # in the state folder made anew

    def _report(self, changes: list[Change]) -> None:
        if not changes:
            return
        by_customer: dict[str, list[Event]] = {}
        # Only a reply needs the customer's other events: an order is one by itself.
        wanted = {c.event.customer for c in changes if c.change == "new" and c.event.kind == "in"}
        for key in wanted:
            by_customer[key] = load_events(self.ws, self._held(), customer=key)
        for c in changes:
            if c.change == "new" and c.event.kind in ("in", "order"):
                others = [e for e in by_customer.get(c.event.customer, ()) if e != c.event]
                c = Change(c.change, c.event, highlight(c.event, others))
            self.on_note(c)

    def _new_warnings(self, before: dict[str, str]) -> None:
        for key, message in self._held().warnings_by_key().items():
            if before.get(key) != message and self._warned.get(key) != message:
                self._warned[key] = message
                self.on_warning(message)

    def _held(self) -> Index:
        """The index run() holds open from its start to its end: every reconcile,
        report and warning happens inside run()."""
        assert self._index is not None
        return self._index

    def _warn(self, message: str) -> None:
        self.on_warning(message)

    def _shown(self, folder: str) -> str:
        try:
            return Path(folder).relative_to(self.root).as_posix()
        except ValueError:
            return folder

    # --- the observer and its supervision ------------------------------------

    def _watched(self) -> list[tuple[Path, bool]]:
        customers = self.ws.customers_dir
        self._customers = str(customers)
        paths = [(self.root, False)]
        if customers.is_dir():
            paths.append((customers, True))
        return paths

    def _start_observer(self) -> None:
        def hint(event: Any) -> None:
            self._queue.put(("event", event))

        try:
            self._observer = obs.start_observer(
                self._watched(), polling=self.polling, hint=hint, fault=self._fault
            )
        except obs.LimitError as e:
            self._warn(
                f"{e} (fs.inotify.max_user_watches is {obs.max_user_watches()}): watching by "
                "polling, which is slower; to raise the limit run "
                "`echo fs.inotify.max_user_watches=524288 | sudo tee "
                "/etc/sysctl.d/40-folder-kit.conf && sudo sysctl --system`"
            )
            self.polling = True
            self._observer = obs.start_observer(
                self._watched(), polling=True, hint=hint, fault=self._fault
            )
        self._tracks_close = obs.tracks_close(self._observer)

    def _restart_observer(self) -> None:
        # The new one first, then the old one stopped: a file descriptor the old
        # one closes late is never one the new one was given.
        old, self._observer = self._observer, None
        self._start_observer()
        if old is not None:
            obs.stop_observer(old)

    def _supervise(self) -> None:
        if not (self._lock.intact() and self._held().intact()):
            self._state_deleted()
            return
        if self._lost:
            if self._present():
                self._lost = False
                self._warn(f"the workspace {self.root} is back; watching again")
                self._restart_observer()
                self._full = "workspace-returned"
            return
        if not self._present():
            self._gone()
            return
        if self._observer is None or not obs.alive(self._observer):
            self._warn("the file-system observer stopped; starting it again")
            try:
                self._restart_observer()
            except Exception as e:
                self._warn(f"the observer could not start ({type(e).__name__}: {e})")
                return
            self._full = self._full or "observer-restarted"

    def _state_deleted(self) -> None:
        """The state folder was deleted (the README allows it at any time), or the
        index in it: the lock and the index held are then in files nobody else
        sees, so a second watcher could start and the readers would read an index
        left behind. Take the lock anew (or end, when another watcher took it
        meanwhile), open a new index, and read the whole workspace into it,
        reporting only what differs from what the old index held."""
        lock_lost = not self._lock.intact()
        try:
            if lock_lost:
                self._lock.retake(self._info)
        except WatcherRunningError as e:
            raise WatcherRunningError(
                pid=e.pid,
                since=e.since,
                hint="it started after this watcher's state folder was deleted, and "
                "keeps the index current now; this one stops",
            ) from e
        old = self._held()
        try:
            kept = set(load_events(self.ws, old))  # a deleted file, still open, reads
        except Exception:  # unreadable: every event is reported again, none is lost
            kept = set()
        self._index = None
        old.close()
        self._index = Index.open(self.root)
        self._renewed = kept
        what = f"the state folder {self._lock.folder}" if lock_lost else f"the index {old.path}"
        self._warn(
            f"{what} was deleted; the watcher made it anew and read the whole workspace again"
        )
        self._full = "state-deleted"

    def _gone(self) -> None:
        if self._lost:
            return
        self._lost = True
        self._warn(
            f"the workspace {self.root} is not there (an unplugged drive?); "
            "watching resumes when it returns"
        )


def _since(kept: set[Event], changes: list[Change]) -> list[Change]:
    """The changes of a reconcile into a new, empty index (every event "new"), as
    they differ from the events ``kept`` of the index it replaces."""
    now = {c.event for c in changes}
    gone = [Change("gone", e) for e in sorted(kept - now, key=lambda e: (e.day, e.date, e.path))]
    return gone + [c for c in changes if c.event not in kept]
