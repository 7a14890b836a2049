"""The scan's worker processes (folder_kit/timeline/workers.py): answers in the
tasks' order, a worker's error or death reported instead of waited on forever,
and no worker left running when the scan that started it is killed.

Run on Windows too (the Windows lane): there the workers are spawned, a dead
parent leaves ``os.getppid()`` unchanged, and Wine's pipes never deliver the
empty messages concurrent.futures wakes its threads with.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from folder_kit.timeline.workers import WorkerDiedError, Workers

# Task functions live in a module of their own, which spawned workers can import.
TASKS = textwrap.dedent(
    """
    import os, time

    def square(common, n):
        return common * n * n

    def fail_on_three(common, n):
        if n == 3:
            raise ValueError(f"bad task {n}")
        return n

    def die_on_two(common, n):
        if n == 2:
            os._exit(7)
        return n

    def beat(path, n):
        # A heartbeat: a number written every 50 ms for a minute.
        for i in range(1200):
            with open(f"{path}-{n}", "w", encoding="utf-8") as f:
                f.write(str(i))
            time.sleep(0.05)
        return n
    """
)


@pytest.fixture
def tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    folder = tmp_path / "tasks"
    folder.mkdir()
    (folder / "fk_worker_tasks.py").write_text(TASKS, encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    import importlib

    return importlib.import_module("fk_worker_tasks")


def test_answers_come_in_the_tasks_order(tasks: Any) -> None:
    with Workers(tasks.square, 2, list(range(9)), 2) as pool:
        assert list(pool.answers()) == [2 * n * n for n in range(9)]


def test_a_tasks_error_is_raised_where_its_answer_was_due(tasks: Any) -> None:
    got = []
    pool = Workers(tasks.fail_on_three, None, list(range(6)), 2)
    with pool, pytest.raises(ValueError, match="bad task 3"):
        for answer in pool.answers():
            got.append(answer)
    assert got == [0, 1, 2]


def test_a_worker_that_dies_is_an_error_not_a_hang(tasks: Any) -> None:
    pool = Workers(tasks.die_on_two, None, list(range(4)), 2)
    with pool, pytest.raises(WorkerDiedError, match="exit code 7"):
        list(pool.answers())


def test_workers_end_when_the_scan_that_started_them_is_killed(tasks: Any, tmp_path: Path) -> None:
    """A killed `folder-kit scan` leaves no process behind: each worker follows
    its parent's end (Linux at once by prctl, elsewhere by the parent's sentinel)."""
    heart = tmp_path / "heart"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            f"sys.path.insert(0, {str(tmp_path / 'tasks')!r})\n"
            "import fk_worker_tasks\n"
            "from folder_kit.timeline.workers import Workers\n"
            "if __name__ == '__main__':\n"
            f"    with Workers(fk_worker_tasks.beat, {str(heart)!r}, [0, 1], 2) as pool:\n"
            "        print('started', flush=True)\n"
            "        list(pool.answers())\n",
        ],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline() == b"started" + os.linesep.encode()
        beats = [Path(f"{heart}-0"), Path(f"{heart}-1")]
        wait_for(lambda: all(b.exists() for b in beats), "both workers to beat")
    finally:
        parent.kill()
        parent.wait(timeout=30)

    def still() -> bool:
        before = [b.read_text(encoding="utf-8") for b in beats]
        time.sleep(0.5)  # two beats' time: a living worker writes again within it
        return before == [b.read_text(encoding="utf-8") for b in beats]

    wait_for(still, "the workers to end after their parent was killed", timeout=20)


def wait_for(condition: Callable[[], bool], what: str, *, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def test_a_first_scan_of_hundreds_of_customers_in_two_processes(tmp_path: Path) -> None:
    """`folder-kit scan` of 450 new customers: read by worker processes, it ends
    (under Wine it hung for good with concurrent.futures), and gives what one
    process gives. Run as a command with a time limit, so a hang is a failure."""
    from folder_kit.timeline.parallel import PARALLEL_MIN

    root = tmp_path / "ws"
    assert run_cli(["init", str(root), "--lang", "en"], tmp_path).returncode == 0
    count = PARALLEL_MIN + 50
    for n in range(count):
        folder = root / "Customers" / "B-Negotiating" / f"Customer {n:03d}"
        (folder / "OUT").mkdir(parents=True)
        (folder / "Contact.txt").write_text(f"Company: Customer {n:03d}\n", encoding="utf-8")
        mail = f"Subject: offer {n}\r\nDate: Mon, 2 Mar 2026 10:00:00 +0100\r\n\r\nHi\r\n"
        (folder / "OUT" / "2026-03-02 offer.eml").write_bytes(mail.encode())

    def timeline(state: str, workers: int) -> bytes:
        env = {"FOLDER_KIT_STATE": str(tmp_path / state)}
        code = (
            "import sys\n"
            "from pathlib import Path\n"
            "from folder_kit.timeline.scan import scan\n"
            "from folder_kit.workspace.find import open_workspace\n"
            "print(scan(open_workspace(Path(sys.argv[1])), workers=int(sys.argv[2])).new_events)\n"
        )
        scanned = run(["-c", code, str(root), str(workers)], tmp_path, env)
        assert scanned.returncode == 0, scanned.stderr
        # A mail each; the cards, first seen, are no events.
        assert scanned.stdout.split() == [str(count).encode()]
        shown = run_cli(["-w", str(root), "timeline", "--json"], tmp_path, env)
        assert shown.returncode == 0, shown.stderr
        return shown.stdout

    assert timeline("state-processes", 2) == timeline("state-one", 1)


def run_cli(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return run(["-m", "folder_kit", *args], cwd, env)


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Python with ``args``, bounded in time: a hang fails the test."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=180,
        check=False,
    )
