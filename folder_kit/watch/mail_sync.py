"""The watcher's mail: ``mail sync`` at start and every ``mail.interval`` seconds,
while accounts are configured, in a thread of its own.

The sync files new mail into the customers' OUT/ and IN/ like any program saving a
file there, so the watcher's own file events report it: nothing here touches the
index the watcher holds (the sync reads it through its own connection, and skips
the scan a running watcher makes needless). One thread, so never two syncs at once;
the file events never wait for a sync, which may take minutes on a first run.

Polling, not IDLE: IDLE watches one folder per connection, and an account is read
in two (INBOX and Sent) or more; a sync every few minutes is what a salesperson
needs, and it costs a server one EXAMINE per folder when nothing is new.

Each account keeps its own rhythm: one that fails (a wrong password, a server down)
is a warning, and is tried again after a back-off that doubles up to an hour, so
that a server is not asked to refuse a login every few minutes (providers lock
accounts for that); the others sync as usual. Editing the accounts in
folder-kit.yaml while the watcher runs syncs the new or changed ones at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from folder_kit.workspace.config import Account
from folder_kit.workspace.find import Workspace

if TYPE_CHECKING:
    from folder_kit.mail.sync import SyncResult

RETRY_MAX = 3600.0  # seconds: the longest back-off of an account that fails
STOP_WAIT = 10.0  # seconds stop() waits for a sync under way to end


@dataclass(frozen=True)
class Synced:
    """A sync that went through: what it read and filed (the files are events too)."""

    accounts: tuple[str, ...]
    messages: int
    filed: int

    def as_json(self) -> dict[str, object]:
        return {
            "mail_synced": True,
            "accounts": list(self.accounts),
            "messages": self.messages,
            "filed": self.filed,
        }


@dataclass(frozen=True)
class SyncFailed:
    """An account that could not be synced, and when it is tried again."""

    account: str
    error: str
    retry_in: float

    def as_json(self) -> dict[str, object]:
        return {
            "mail_sync_failed": True,
            "account": self.account,
            "error": self.error,
            "retry_in": round(self.retry_in),
        }


MailNote = Synced | SyncFailed


class _Stopping(Exception):
    """Raised through the sync from its progress callback: the watcher is ending."""


@dataclass(frozen=True)
class _Outcome:
    """What one call of sync_accounts said: totals, and the error of each account."""

    messages: int
    filed: int
    warnings: tuple[str, ...]
    errors: dict[str, str | None]


def _outcome(result: SyncResult, names: Sequence[str]) -> _Outcome:
    """What the watcher needs of a sync's result."""
    errors: dict[str, str | None] = {name: None for name in names}
    for account in result.accounts:
        errors[account.name] = account.error
    return _Outcome(
        messages=int(result.messages),
        filed=len(result.filed),
        warnings=tuple(result.warnings),
        errors=errors,
    )


Sync = Callable[..., "SyncResult"]  # mail.sync.sync_accounts, or a test's stand-in


class MailSyncer:
    """Syncs the workspace's accounts until ``stop()``. ``report`` and ``warn`` are
    called from the sync thread: the watcher hands them to its own loop."""

    def __init__(
        self,
        ws: Workspace,
        *,
        report: Callable[[MailNote], None],
        warn: Callable[[str], None],
        interval: float | None = None,
        sync: Sync | None = None,
    ) -> None:
        self.ws = ws
        self.report = report
        self.warn = warn
        self.interval = interval  # None: mail.interval of the workspace's config
        self._sync = sync
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._accounts: tuple[Account, ...] = ()
        self._due: dict[str, float] = {}  # account name -> when it syncs next (monotonic)
        self._failures: dict[str, int] = {}

    # --- from the watcher's thread ---------------------------------------------

    def start(self) -> None:
        """Sync now and every interval, if there are accounts (else on the first
        config that has some: ``reload``)."""
        self.reload(self.ws)

    def reload(self, ws: Workspace) -> None:
        """Take a new config: new or changed accounts sync at once, removed ones stop."""
        accounts = ws.config.mail.accounts
        with self._lock:
            self.ws = ws
            now = time.monotonic()
            before = {a.name: a for a in self._accounts}
            self._accounts = accounts
            self._due = {
                a.name: self._due.get(a.name, now) if before.get(a.name) == a else now
                for a in accounts
            }
            self._failures = {k: v for k, v in self._failures.items() if k in self._due}
        if accounts and self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="folder-kit mail sync", daemon=True
            )
            self._thread.start()
        self._wake.set()

    def stop(self, timeout: float = STOP_WAIT) -> None:
        """End the thread: a sync under way stops at its next message (what it filed
        stays filed; the next sync goes on from there)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- the sync thread ---------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                now = time.monotonic()
                due = [name for name, when in self._due.items() if when <= now]
                ws = self.ws
                later = min(self._due.values(), default=None)
            if due:
                try:
                    self._round(ws, due)
                except _Stopping:
                    return
                continue
            self._wake.wait(None if later is None else max(0.0, later - time.monotonic()))
            self._wake.clear()

    def _every(self, ws: Workspace) -> float:
        return float(self.interval if self.interval is not None else ws.config.mail.interval)

    def _round(self, ws: Workspace, names: list[str]) -> None:
        interval = self._every(ws)
        try:
            outcome = _outcome(self._call(ws, names), names)
        except _Stopping:
            raise
        except Exception as e:  # the whole sync failed: every account it was for
            reason = str(e) if str(e) else type(e).__name__
            outcome = _Outcome(0, 0, (), dict.fromkeys(names, reason))
        for warning in outcome.warnings:
            self.warn(f"mail sync: {warning}")
        synced = []
        now = time.monotonic()
        with self._lock:
            for name in names:
                if name not in self._due:
                    continue  # removed from folder-kit.yaml meanwhile
                error = outcome.errors.get(name)
                if error is None:
                    self._failures.pop(name, None)
                    self._due[name] = now + interval
                    synced.append(name)
                    continue
                n = self._failures[name] = self._failures.get(name, 0) + 1
                delay = min(max(RETRY_MAX, interval), interval * 2 ** (n - 1))
                self._due[name] = now + delay
                self.warn(f"mail sync failed: {error}; trying again in {delay:.0f} s")
                self.report(SyncFailed(name, error, delay))
        if synced:
            self.report(Synced(tuple(synced), outcome.messages, outcome.filed))

    def _call(self, ws: Workspace, names: list[str]) -> SyncResult:
        sync = self._sync
        if sync is None:
            from folder_kit.mail.sync import sync_accounts

            sync = sync_accounts

        def progress(*_: object) -> None:
            if self._stop.is_set():
                raise _Stopping

        return sync(ws, ws.config, names=names, progress=progress)
