"""The watcher's pure parts, from tables: places, the settle rule, highlights, lines,
and the lock that readers consult."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import assert_error

from folder_kit.cli import cli
from folder_kit.cli.watch import change_line
from folder_kit.errors import WatcherRunningError
from folder_kit.timeline.events import Event
from folder_kit.timeline.watcher_lock import WatcherInfo, WatcherLock, running_watcher
from folder_kit.watch.changes import Change
from folder_kit.watch.highlights import highlight
from folder_kit.watch.settle import Settler

F = "/c/ACME"
A = "/c/ACME/OUT/a.eml"


# (events: (time, path, stamp, writing, at_once)), (check time, stat now) -> due?
@pytest.mark.parametrize(
    ("events", "now", "stat", "due"),
    [
        ([(0.0, A, (1, 1), None, False)], 0.5, (1, 1), False),  # not quiet yet
        ([(0.0, A, (1, 1), None, False)], 1.0, (1, 1), True),  # quiet for the settle period
        ([(0.0, A, (1, 1), None, False)], 1.0, (2, 2), False),  # grew without an event
        ([(0.0, A, (1, 1), True, False)], 5.0, (1, 1), False),  # still open for writing
        ([(0.0, A, (1, 1), True, False), (2.0, A, (1, 1), False, False)], 3.0, (1, 1), True),
        ([(0.0, A, (1, 1), True, False)], 31.0, (1, 1), True),  # a writer that never closes
        ([(0.0, None, None, None, True)], 0.0, None, True),  # a folder moved in: at once
        ([(0.0, A, None, None, False)], 1.0, None, True),  # deleted, and stays deleted
    ],
)
def test_the_settle_rule(
    events: list[tuple[float, str | None, tuple[int, int] | None, bool | None, bool]],
    now: float,
    stat: tuple[int, int] | None,
    due: bool,
) -> None:
    s = Settler(settle=1.0, hold_open=30.0)
    for when, path, stamp, writing, at_once in events:
        s.touch(F, when, path=path, stamp=stamp, writing=writing, at_once=at_once)
    assert s.take_due(now, lambda _: stat) == ([F] if due else [])
    assert len(s) == (0 if due else 1)


def test_a_folder_not_quiet_is_looked_at_again_one_settle_period_later() -> None:
    s = Settler(settle=1.0)
    s.touch(F, 0.0, path=A, stamp=(1, 1))
    assert s.next_due() == 1.0
    assert s.take_due(1.0, lambda _: (2, 2)) == []
    assert s.next_due() == 2.0
    assert s.take_due(2.0, lambda _: (2, 2)) == [F]
    assert s.next_due() is None


def ev(kind: str, day: str, grade: str = "B") -> Event:
    return Event(
        "ACME",
        grade,
        kind,
        day,
        day,
        "filename",
        None,
        None,
        f"客户/B/ACME/X/{kind}{day}",
        stamp=day,
    )


@pytest.mark.parametrize(
    ("new", "others", "expected"),
    [
        (ev("order", "2026-11-30"), [], "order"),
        (ev("in", "2026-11-30"), [ev("quote", "2026-11-01")], "reply-to-quote"),
        (ev("in", "2026-11-30"), [ev("pi", "2026-11-01")], "reply-to-quote"),
        (ev("in", "2026-11-30"), [ev("quote", "2026-11-01"), ev("in", "2026-11-05")], None),
        (ev("in", "2026-11-30", "P"), [ev("out", "2026-11-01", "P")], "first-answer"),
        (ev("in", "2026-11-30", "D"), [], "first-answer"),
        (ev("in", "2026-11-30", "D"), [ev("in", "2026-10-01", "D")], None),
        (ev("in", "2026-11-30", "A"), [], None),
        (ev("out", "2026-11-30"), [ev("quote", "2026-11-01")], None),
        (ev("in", "2026-10-30"), [ev("quote", "2026-11-01")], None),  # the quote came later
    ],
)
def test_what_matters(new: Event, others: list[Event], expected: str | None) -> None:
    assert highlight(new, others) == expected


NOW = dt.datetime(2026, 12, 1, 10, 42)


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (
            Change(
                "new",
                Event(
                    "ACME GmbH",
                    "B",
                    "in",
                    "2026-11-30",
                    "2026-11-30",
                    "header",
                    "email",
                    None,
                    "客户/B-在谈客户/ACME GmbH/IN/Re quotation.eml",
                ),
            ),
            "10:42  in     ACME GmbH      IN/Re quotation.eml",
        ),
        (
            Change(
                "gone",
                Event(
                    "上海恒瑞",
                    "A",
                    "out",
                    "2026-11-30",
                    "2026-11-30",
                    "filename",
                    "file",
                    None,
                    "客户/A/上海恒瑞/OUT/x.txt",
                ),
            ),
            "10:42  out    上海恒瑞       OUT/x.txt  (gone)",
        ),
        (
            Change(
                "new",
                Event(
                    "ACME GmbH",
                    "A",
                    "order",
                    "2026-11-30",
                    "2026-11-30",
                    "filename",
                    "file",
                    "order",
                    "客户/A/ACME GmbH/定单/PO 1.pdf",
                ),
                "order",
            ),
            "10:42  order  ACME GmbH      定单/PO 1.pdf  <- a new order",
        ),
        (
            Change(
                "new",
                Event(
                    "ACME GmbH",
                    "A",
                    "grade",
                    "2026-11-30",
                    "2026-11-30",
                    "mtime",
                    None,
                    None,
                    "客户/A/ACME GmbH",
                    from_grade="B",
                    to_grade="A",
                ),
            ),
            "10:42  grade  ACME GmbH      B -> A",
        ),
    ],
)
def test_the_line_a_change_prints(change: Change, line: str) -> None:
    assert change_line(change, now=NOW) == line


def test_a_change_as_json_is_the_timeline_object_plus_change() -> None:
    e = Event(
        "ACME",
        "B",
        "in",
        "2026-11-30",
        "2026-11-30",
        "header",
        "email",
        "quote",
        "客户/B/ACME/IN/x.eml",
        subject="Re: x",
    )
    assert Change("new", e, "reply-to-quote").as_json() == {
        **e.as_json(),
        "change": "new",
        "highlight": "reply-to-quote",
    }
    assert "highlight" not in Change("gone", e).as_json()


def test_the_lock_names_its_holder_and_is_free_once_released(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    assert running_watcher(root) is None
    info = WatcherInfo(pid=4242, started="2026-12-01T10:00:00+00:00")
    with WatcherLock(root) as lock:
        lock.acquire(info)
        assert running_watcher(root) == info
        with pytest.raises(WatcherRunningError) as caught:
            WatcherLock(root).acquire(WatcherInfo(pid=1, started=""))
        assert str(caught.value) == (
            "a watcher already runs on this workspace (PID 4242, since "
            "2026-12-01T10:00:00+00:00); it keeps the index current, so there is no need "
            "for a second one"
        )
    assert running_watcher(root) is None


def test_readers_do_not_scan_while_a_watcher_holds_the_lock(workspace: Path) -> None:
    runner = CliRunner()

    def customers() -> list[str]:
        result = runner.invoke(cli, ["-w", str(workspace), "customer", "list", "--json"])
        assert result.exit_code == 0, result.output
        return [c["name"] for c in json.loads(result.stdout)]

    (workspace / "客户/B-在谈客户/ACME GmbH/OUT").mkdir(parents=True)
    assert customers() == ["ACME GmbH"]
    with WatcherLock(workspace) as lock:
        lock.acquire(WatcherInfo(pid=os.getpid(), started="now"))
        (workspace / "客户/B-在谈客户/Rossi Srl/OUT").mkdir(parents=True)
        assert customers() == ["ACME GmbH"]  # the index as the watcher keeps it
        result = runner.invoke(cli, ["-w", str(workspace), "scan", "--rebuild"])
        assert_error(result)
        assert result.stderr.startswith(
            f"Error: a watcher already runs on this workspace (PID {os.getpid()}, since now); "
            "stop it first"
        )
    assert customers() == ["ACME GmbH", "Rossi Srl"]


@pytest.mark.parametrize("interval", ["0", "nan", "NaN", "inf", "-inf", "1e400"])
def test_watch_help_and_a_bad_interval(interval: str) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["watch", "--help"])
    assert (
        result.exit_code == 0 and "--polling" in result.stdout and "--interval S" in result.stdout
    )
    result = runner.invoke(cli, ["watch", "--interval", interval])
    assert result.exit_code == 2
    assert "Invalid value for '--interval'" in result.stderr


def test_readers_do_not_block_on_the_watchers_open_write(workspace: Path) -> None:
    """While the watcher holds a write transaction open, `customer list` answers at
    once from what was committed (SQLite's WAL)."""
    import time

    from folder_kit.timeline.index import Index
    from folder_kit.timeline.scan import scan
    from folder_kit.workspace.find import open_workspace

    (workspace / "客户/B-在谈客户/ACME GmbH/OUT").mkdir(parents=True)
    scan(open_workspace(workspace))
    runner = CliRunner()
    with WatcherLock(workspace) as lock, Index.open(workspace) as index:
        lock.acquire(WatcherInfo(pid=os.getpid(), started="now"))
        index.conn.execute("BEGIN IMMEDIATE")  # as a reconcile in the middle of writing
        index.conn.execute("DELETE FROM customers")
        start = time.monotonic()
        result = runner.invoke(cli, ["-w", str(workspace), "customer", "list", "--json"])
        took = time.monotonic() - start
        index.conn.rollback()
    assert result.exit_code == 0, result.output
    assert [c["name"] for c in json.loads(result.stdout)] == ["ACME GmbH"]
    assert took < 5  # the busy timeout is 30 s: no waiting on the writer
