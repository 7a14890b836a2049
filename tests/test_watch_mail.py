"""The watcher syncs mail: at start and every interval, in a thread of its own; a
failing account is a warning with back-off, never the end of the watcher.

The syncer's rhythm is tested with a recording sync function (its scheduling is
what is under test); the whole loop with mail/sync.py on a real Dovecot."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from dovecot import Dovecot, message
from helpers import build_tree
from mail_accounts import account_yaml, add_mail_section
from test_watch_faults import InThread
from watching import wait_until, watching

from folder_kit.watch.mail_sync import MailNote, MailSyncer, Synced, SyncFailed
from folder_kit.workspace.find import open_workspace

ACME = "客户/B-在谈客户/ACME GmbH"
CARD = "Company: ACME GmbH\nName: Anna\nEmail: anna@acme.example\n"


@pytest.fixture
def ws(workspace: Path) -> Path:
    build_tree(workspace, {ACME: {"Contact.txt": CARD, "OUT": None, "IN": None}})
    return workspace


def with_accounts(ws: Path, *names: str) -> None:
    accounts = "".join(
        f"    {n}:\n      host: imap.example.cn\n      user: {n}@example.cn\n" for n in names
    )
    add_mail_section(ws, accounts)


class Recorded:
    """sync_accounts' stand-in: records each call; ``failing`` accounts fail."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], float]] = []
        self.failing: set[str] = set()
        self.raising: Exception | None = None
        self.active = 0
        self.most_at_once = 0
        self.lock = threading.Lock()

    def __call__(self, ws: Any, config: Any, *, names: list[str], progress: Any) -> Any:
        with self.lock:
            self.active += 1
            self.most_at_once = max(self.most_at_once, self.active)
            self.calls.append((list(names), time.monotonic()))
        try:
            progress()
            if self.raising is not None:
                raise self.raising
            return SimpleNamespace(
                messages=len(names),
                filed=[],
                warnings=[],
                accounts=[
                    SimpleNamespace(
                        name=n,
                        error=f"mail account '{n}': refused" if n in self.failing else None,
                    )
                    for n in names
                ],
            )
        finally:
            with self.lock:
                self.active -= 1

    def times(self, name: str) -> list[float]:
        return [t for names, t in self.calls if name in names]


@pytest.fixture
def syncer(ws: Path) -> Iterator[tuple[MailSyncer, Recorded, list[MailNote], list[str]]]:
    with_accounts(ws, "work", "home")
    notes: list[MailNote] = []
    warnings: list[str] = []
    recorded = Recorded()
    s = MailSyncer(
        open_workspace(ws),
        report=notes.append,
        warn=warnings.append,
        interval=0.2,
        sync=recorded,
    )
    yield s, recorded, notes, warnings
    s.stop()
    assert not s.running()


def test_it_syncs_at_start_then_every_interval_one_sync_at_a_time(syncer: Any) -> None:
    s, recorded, notes, warnings = syncer
    s.start()
    wait_until(lambda: len(recorded.calls) >= 3, timeout=10, what="three syncs")
    assert recorded.calls[0][0] == ["work", "home"]
    gaps = [b - a for a, b in zip(recorded.times("work"), recorded.times("work")[1:], strict=False)]
    assert all(g >= 0.19 for g in gaps), gaps
    assert recorded.most_at_once == 1
    assert isinstance(notes[0], Synced) and notes[0].accounts == ("work", "home")
    assert warnings == []


def test_a_failing_account_backs_off_doubling_and_the_other_goes_on(syncer: Any) -> None:
    s, recorded, notes, warnings = syncer
    recorded.failing = {"home"}
    s.start()
    wait_until(lambda: len(recorded.times("home")) >= 3, timeout=10, what="three tries")
    failed = [n for n in notes if isinstance(n, SyncFailed)]
    assert [round(n.retry_in, 1) for n in failed[:3]] == [0.2, 0.4, 0.8]
    assert failed[0].as_json() == {
        "mail_sync_failed": True,
        "account": "home",
        "error": "mail account 'home': refused",
        "retry_in": 0,
    }
    assert warnings[0] == "mail sync failed: mail account 'home': refused; trying again in 0 s"
    assert len(recorded.times("work")) > len(recorded.times("home"))
    recorded.failing = set()  # the server is back: home syncs at its interval again
    n = len(recorded.times("home"))
    wait_until(lambda: len(recorded.times("home")) >= n + 2, timeout=10, what="home again")


def test_a_sync_that_raises_is_a_warning_and_syncing_goes_on(syncer: Any) -> None:
    s, recorded, notes, warnings = syncer
    recorded.raising = RuntimeError("disk full")
    s.start()
    wait_until(lambda: len(recorded.calls) >= 2, timeout=10, what="a second try")
    assert s.running()
    assert warnings[0] == "mail sync failed: disk full; trying again in 0 s"
    assert {n.account for n in notes if isinstance(n, SyncFailed)} == {"work", "home"}


def test_stop_ends_a_sync_under_way_at_its_next_message(ws: Path) -> None:
    with_accounts(ws, "work")
    started = threading.Event()

    def slow(ws: Any, config: Any, *, names: list[str], progress: Any) -> Any:
        started.set()
        while True:  # a long first sync: a message at a time
            progress()
            time.sleep(0.01)

    s = MailSyncer(open_workspace(ws), report=lambda n: None, warn=print, sync=slow)
    s.start()
    assert started.wait(10)
    t = time.monotonic()
    s.stop()
    assert not s.running() and time.monotonic() - t < 2


def test_no_accounts_no_thread_until_the_config_has_one(ws: Path) -> None:
    recorded = Recorded()
    s = MailSyncer(
        open_workspace(ws), report=lambda n: None, warn=print, interval=60, sync=recorded
    )
    s.start()
    assert not s.running() and recorded.calls == []
    with_accounts(ws, "work")
    s.reload(open_workspace(ws))
    wait_until(lambda: len(recorded.calls) == 1, timeout=10, what="the new account's sync")
    s.stop()


# -- the watcher on a real server ------------------------------------------------------


@pytest.fixture
def server() -> Iterator[Dovecot]:
    with Dovecot() as d:
        yield d


def test_the_watcher_files_mail_that_arrives_on_the_server(ws: Path, server: Dovecot) -> None:
    add_mail_section(ws, account_yaml(server))
    before = set(threading.enumerate())
    # Above the watcher's settle period (1 s): a folder filed into faster than that
    # would never be quiet enough to read.
    w = InThread(ws, mail_interval=2)
    try:
        w.expect(lambda n: n.get("ready") is True)
        w.expect(lambda n: n.get("mail_synced") is True)  # the sync at start
        server.append(
            "INBOX",
            message(
                sender="Anna <anna@acme.example>", to="lilei@example.cn", subject="Re: Samples"
            ),
        )
        got = w.expect(lambda n: n.get("change") == "new" and n.get("kind") == "in", timeout=20)
        assert got[-1]["path"] == f"{ACME}/IN/2026-11-30 Re - Samples.eml"
        assert (ws / got[-1]["path"]).read_bytes().startswith(b"From: Anna <anna@acme.example>")
        assert w.warnings == []
    finally:
        w.stop()
    wait_until(
        lambda: set(threading.enumerate()) - before == set(), timeout=10, what="threads to end"
    )


def test_a_failing_sync_is_a_warning_and_a_json_line_and_the_watcher_goes_on(
    ws: Path, server: Dovecot
) -> None:
    add_mail_section(ws, account_yaml(server, password="wrong"))
    with watching(ws) as w:
        w.ready()
        (failed,) = w.expect(lambda line: line.get("mail_sync_failed") is True)[-1:]
        assert failed["account"] == "work" and "refused the login" in failed["error"]
        assert failed["retry_in"] == 300
        (ws / ACME / "OUT" / "2026-12-01 Samples.eml").write_bytes(
            message(sender="lilei@example.cn", to="anna@acme.example", subject="Samples")
        )
        w.expect(lambda line: line.get("change") == "new")
        assert w.stop() == 0
    assert any(
        line.startswith("Warning: mail sync failed: mail account 'work': ") for line in w.stderr
    ), w.stderr
    assert not any("wrong" in line for line in w.stderr)
