"""The scan's mechanisms, each tested where breaking it would show: the settle
window, the no-change fast path, the per-customer entry point the watcher calls,
the one definition of a customer, the index under concurrent first scans, and
worker processes that end with their scan."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke
from helpers import (
    assert_error,
    assert_ok,
    build_tree,
    needs_byte_names,
    needs_fifo,
    seed_seen_cards,
)
from test_scan import ACME, MUELLER, B, C, age_tree, eml, two_customers

import folder_kit.timeline.reader as reader_module
import folder_kit.timeline.walk as walk_module
from folder_kit.timeline.events import load_events
from folder_kit.timeline.index import Index
from folder_kit.timeline.scan import scan, update
from folder_kit.workspace.find import open_workspace
from folder_kit.workspace.layout import kind_of_folder

SECOND = 1_000_000_000

needs_fork = pytest.mark.skipif(
    not hasattr(os, "fork"), reason="no os.fork on Windows: the scan never splits its check there"
)


@pytest.fixture
def ws(workspace: Path) -> Path:
    age_tree(two_customers(workspace))
    return workspace


def events_json(root: Path) -> list[dict[str, Any]]:
    with Index.open(root) as index:
        return [e.as_json() for e in load_events(open_workspace(root), index)]


def rebuilt(root: Path, state: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The events `scan --rebuild` gives for the same tree, in a state folder of its
    own: an index that knows the cards as the first one saw them, as a rebuild keeps."""
    seed_seen_cards(root, state)
    with monkeypatch.context() as m:
        m.setenv("FOLDER_KIT_STATE", str(state))
        scan(open_workspace(root), rebuild=True)
        return events_json(root)


# --- the settle window -----------------------------------------------------------


def test_a_mail_still_being_written_at_scan_time_is_read_again(ws: Path) -> None:
    """A mail client writing in place: the first scan sees the file half-written (no
    Date yet); the file is then finished in place, which leaves its folder's mtime
    as it was. Only the settle window makes the next scan read it again."""
    workspace = open_workspace(ws)
    out = ws / ACME / "OUT"
    mail = out / "2026-03-04 offer.eml"  # dated by its name until its header is read
    t0 = time.time() - 600
    mail.write_bytes(b"From: me@example.cn\nSubject: New price list\n")  # no Date yet
    os.utime(mail, (t0, t0))
    os.utime(out, (t0, t0))
    at = int(t0 * SECOND)
    scan(workspace, clock=lambda: at + SECOND // 2)  # half a second after the last write
    mail.write_bytes(eml("New price list", "Thu, 05 Mar 2026 10:00:00 +0800"))
    os.utime(mail, (t0 + 0.1, t0 + 0.1))
    os.utime(out, (t0, t0))  # an edit in place: the folder's entries are unchanged
    scan(workspace, clock=lambda: at + 60 * SECOND)
    event = next(e for e in events_json(ws) if e["path"].endswith("offer.eml"))
    assert event["date_source"] == "header"
    assert (event["date"], event["date_source"]) == ("2026-03-05T10:00:00+08:00", "header")


def test_a_settled_folder_is_not_listed_again(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other side of the window: once a folder is older than the window, an
    unchanged mtime means it is not listed again."""
    workspace = open_workspace(ws)
    scan(workspace)
    listed = count_calls(monkeypatch, "scandir")
    scan(workspace)
    assert listed == [str(workspace.customers_dir)]  # 客户/ itself, each time


def count_calls(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """Every path the scan hands to os.<name>, in order."""
    calls: list[str] = []
    real = getattr(os, name)

    def counting(path: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, name, counting)
    return calls


# --- the no-change fast path -----------------------------------------------------


@pytest.fixture
def careful(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The customers the scan reads by its careful path (not the no-change check)."""
    names: list[str] = []
    real = reader_module.Reader._read_customer

    def spy(self: Any, job: Any, mtime_ns: int, shown: str) -> None:
        names.append(job.name)
        real(self, job, mtime_ns, shown)

    monkeypatch.setattr(reader_module.Reader, "_read_customer", spy)
    return names


def test_a_no_change_scan_takes_the_fast_path(
    ws: Path, monkeypatch: pytest.MonkeyPatch, careful: list[str]
) -> None:
    """Known, unchanged customers are checked with stat calls alone: no listing, no
    query per folder, no careful read."""
    workspace = open_workspace(ws)
    scan(workspace)
    careful.clear()
    stats = count_calls(monkeypatch, "stat")
    listed = count_calls(monkeypatch, "scandir")
    result = scan(workspace)
    assert careful == []
    assert result.new_events == 0
    assert listed == [str(workspace.customers_dir)]
    # each grade folder; per customer: its folder, Contact.txt, each folder the index knows
    base = str(workspace.customers_dir)
    # normpath: the scan joins with "/", and on Windows its listings give "\\"
    in_customers = [os.path.normpath(p) for p in stats]
    in_customers = [p for p in in_customers if p.startswith(base + os.sep)]
    expected = []
    for path in (ws / "客户").rglob("*"):
        parts = path.relative_to(ws / "客户").parts
        if len(parts) == 3 and parts[2] == "Contact.txt":
            expected.append(path)  # the card
        elif path.is_dir() and (
            len(parts) <= 2 or kind_of_folder(parts[2]) not in (None, "drafts")
        ):
            expected.append(path)  # grade folders, customer folders, what they hold
    assert sorted(in_customers) == sorted(str(p) for p in expected)


def test_a_changed_customer_takes_the_careful_path(ws: Path, careful: list[str]) -> None:
    workspace = open_workspace(ws)
    scan(workspace)
    careful.clear()
    (ws / ACME / "IN" / "2026-04-01 call.txt").write_text("asked for samples")
    result = scan(workspace)
    assert careful == ["ACME GmbH"]
    assert result.new_events == 1


# --- scan(only=...): the watcher's entry point -----------------------------------


def step_add_mail(ws: Path) -> Path:
    path = ws / ACME / "IN" / "Re price.eml"
    path.write_bytes(eml("Re: price list", "Mon, 09 Mar 2026 09:00:00 +0100"))
    return path


def step_delete_file(ws: Path) -> Path:
    path = ws / ACME / "PI" / "PI-0042 2026-03-12.pdf"
    path.unlink()
    return path.parent


def step_new_subfolder(ws: Path) -> Path:
    path = ws / MUELLER / "OUT" / "2027" / "2027-01-05 visit.txt"
    path.parent.mkdir()
    path.write_text("met at the fair")
    return path.parent


def step_regrade_by_hand(ws: Path) -> Path:
    target = ws / C / "ACME GmbH"
    (ws / ACME).rename(target)
    return target


def step_new_customer(ws: Path) -> Path:
    folder = ws / B / "Nordic Tools AB"
    build_tree(
        folder, {"Contact.txt": "Company: Nordic Tools AB\n", "OUT/2026-02-02 intro.txt": "hi"}
    )
    return folder / "OUT" / "2026-02-02 intro.txt"


def step_delete_customer(ws: Path) -> Path:
    import shutil

    shutil.rmtree(ws / MUELLER)
    return ws / MUELLER


def step_edit_card(ws: Path) -> Path:
    card = ws / ACME / "Contact.txt"
    card.write_text(card.read_text(encoding="utf-8") + "电话: +49 30 1234\n", encoding="utf-8")
    return card


def step_duplicate_in_another_grade(ws: Path) -> Path:
    copy = ws / C / "ACME GmbH"
    build_tree(copy, {"OUT/2026-05-05 other.txt": "x"})
    return copy / "OUT"


STEPS = [
    step_add_mail,
    step_delete_file,
    step_new_subfolder,
    step_regrade_by_hand,
    step_new_customer,
    step_delete_customer,
    step_edit_card,
    step_duplicate_in_another_grade,
]


@pytest.mark.parametrize("step", STEPS, ids=[s.__name__[5:] for s in STEPS])
def test_scanning_only_the_changed_path_equals_a_rebuild(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: Any
) -> None:
    workspace = open_workspace(ws)
    scan(workspace)
    changed = step(ws)
    scan(workspace, only=[changed])
    assert events_json(ws) == rebuilt(ws, tmp_path / "fresh", monkeypatch)


def test_all_the_steps_one_after_another(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = open_workspace(ws)
    scan(workspace)
    for i, step in enumerate(STEPS):
        if step is step_regrade_by_hand or step is step_duplicate_in_another_grade:
            continue  # they collide with the others' paths
        scan(workspace, only=[step(ws)])
        assert events_json(ws) == rebuilt(ws, tmp_path / f"fresh{i}", monkeypatch), step


def counted(root: Path) -> tuple[int, int, int]:
    """What the index holds, counted row by row (not as a scan kept it)."""
    with Index.open(root) as index:
        return tuple(Index._count(index.conn))  # type: ignore[return-value]


@pytest.mark.parametrize("step", STEPS, ids=[s.__name__[5:] for s in STEPS])
def test_the_counts_a_scan_says_are_what_the_index_holds(ws: Path, step: Any) -> None:
    """A scan keeps its counts for the next to say without counting; any write
    in between (here the watcher's, which counts nothing) makes them counted anew."""
    workspace = open_workspace(ws)
    first = scan(workspace)
    assert (first.customers, first.files, first.events) == counted(ws)
    update(workspace, only=[step(ws)])
    said = scan(workspace)  # nothing left to read: the counts are all it does
    assert (said.customers, said.files, said.events) == counted(ws)


def split_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Split the no-change check of even two customers with a forked process; returns
    the children forked."""
    monkeypatch.setattr(walk_module, "SPLIT_MIN", 1)
    forks: list[int] = []
    real = os.fork

    def counting() -> int:
        pid = real()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counting)
    return forks


@needs_fork
@pytest.mark.parametrize(
    ("step", "changed"),
    [
        (step_add_mail, "ACME GmbH"),
        (step_new_subfolder, "Müller & Söhne"),
        # A touched customer's job carries its card as first seen, loaded after the
        # check: the edit is a card event, as in a scan that does not split.
        (step_edit_card, "ACME GmbH"),
    ],
    ids=["in-this-half", "in-the-forked-half", "card-edited"],
)
def test_the_no_change_check_split_in_two_sees_each_change(
    ws: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    careful: list[str],
    step: Any,
    changed: str,
) -> None:
    """ACME's half is checked here, Müller's by the forked process: a change in
    either half is read, and only that customer is."""
    workspace = open_workspace(ws)
    scan(workspace, workers=2)
    forks = split_checks(monkeypatch)
    careful.clear()
    step(ws)
    stats = count_calls(monkeypatch, "stat")
    result = scan(workspace, workers=2)
    assert len(forks) == 1
    assert careful == [changed]
    # Müller's no-change check was the child's: here, only a change makes a stat of it
    assert any("Müller" in p for p in stats) == (changed == "Müller & Söhne")
    assert result.new_events == 1
    assert events_json(ws) == rebuilt(ws, tmp_path / "fresh", monkeypatch)


@needs_fork
@pytest.mark.parametrize("step", STEPS, ids=[s.__name__[5:] for s in STEPS])
def test_a_scan_that_may_split_its_check_equals_a_rebuild(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: Any
) -> None:
    """Whether a change leaves every grade folder as it was (the check made from the
    index's rows, split) or not (the grade folders listed), the index is a rebuild's."""
    workspace = open_workspace(ws)
    scan(workspace, workers=2)
    split_checks(monkeypatch)
    step(ws)
    scan(workspace, workers=2)
    assert events_json(ws) == rebuilt(ws, tmp_path / "fresh", monkeypatch)
    with Index.open(ws) as index:
        assert set(index.customers()) == {p.name for p in (ws / "客户").glob("*/*") if p.is_dir()}


@needs_fork
def test_a_split_check_whose_child_fails_reads_that_half_here(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, careful: list[str]
) -> None:
    workspace = open_workspace(ws)
    scan(workspace, workers=2)
    forks = split_checks(monkeypatch)
    parent, real = os.getpid(), walk_module._untouched

    def dies_in_the_child(*args: Any) -> bool:
        if os.getpid() != parent:
            os._exit(3)
        return real(*args)

    monkeypatch.setattr(walk_module, "_untouched", dies_in_the_child)
    careful.clear()
    step_add_mail(ws)
    stats = count_calls(monkeypatch, "stat")
    result = scan(workspace, workers=2)
    assert len(forks) == 1
    assert careful == ["ACME GmbH"]
    assert any("Müller" in p for p in stats)  # the child's half, checked here after all
    assert result.new_events == 1
    assert events_json(ws) == rebuilt(ws, tmp_path / "fresh", monkeypatch)


def test_only_reads_just_the_customer_it_is_given(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = open_workspace(ws)
    scan(workspace)
    listed = count_calls(monkeypatch, "scandir")
    scan(workspace, only=[step_add_mail(ws)])
    customer_folders = [p for p in listed if "Müller" in p]
    assert customer_folders == []
    assert any(p.endswith("ACME GmbH/IN") for p in listed)


@pytest.mark.parametrize("where", ["客户", "客户/B-在谈客户", "."])
def test_only_on_a_folder_that_holds_customers_is_a_full_scan(ws: Path, where: str) -> None:
    workspace = open_workspace(ws)
    scan(workspace)
    step_new_customer(ws)
    result = scan(workspace, only=[ws / where])
    assert result.new_events == 1  # the new customer's mail; its card, first seen, is none


def test_only_outside_the_customers_reads_nothing(ws: Path) -> None:
    workspace = open_workspace(ws)
    scan(workspace)
    step_new_customer(ws)  # not named: not read
    result = scan(workspace, only=[ws / "产品" / "价格信息" / "2026 prices.xlsx"])
    assert result.new_events == 0


# --- one definition of a customer ------------------------------------------------


def test_a_duplicate_in_another_grade_is_the_same_for_every_command(
    invoke: Invoke, ws: Path
) -> None:
    build_tree(
        ws / C / "ACME GmbH", {"Contact.txt": "公司: ACME Copy\n", "OUT/2027-01-01 x.txt": "x"}
    )
    scanned = invoke("-w", str(ws), "scan", "--json")
    assert_ok(scanned)
    warning = (
        "customer 'ACME GmbH' is in two grade folders (B-在谈客户 and C-潜力客户); "
        "only B-在谈客户 is read — merge or delete one of them"
    )
    assert warning in json.loads(scanned.stdout)["warnings"]
    listed = invoke("-w", str(ws), "customer", "list", "--json")
    assert_ok(listed)
    acme = [c for c in json.loads(listed.stdout) if c["name"] == "ACME GmbH"]
    assert acme == [
        {
            "name": "ACME GmbH",
            "grade": "B",
            "path": ACME,
            "last_contact": "2026-03-20",
            "company": "ACME GmbH",
        }
    ]
    # the copy's real name is unknown to every command; its mail is no event
    assert_error(invoke("-w", str(ws), "timeline", "ACME Copy"))
    events = json.loads(invoke("-w", str(ws), "timeline", "ACME GmbH", "--json").stdout)
    assert not [e for e in events if "2027-01-01" in e["path"]]
    logged = invoke("-w", str(ws), "log", "ACME GmbH", "--direction", "out", "--medium", "phone")
    assert_ok(logged)
    assert logged.stdout.startswith(f"Wrote {ACME}/OUT/")


def test_nfc_and_nfd_copies_in_one_grade_folder_say_so(invoke: Invoke, ws: Path) -> None:
    nfd = ws / "客户" / "A-交易客户" / "Mu\u0308ller & So\u0308hne"
    build_tree(nfd, {"OUT/2026-01-09 x.txt": "x"})
    data = json.loads(invoke("-w", str(ws), "scan", "--json").stdout)
    [warning] = [w for w in data["warnings"] if "Unicode" in w]
    assert warning == (
        "客户/A-交易客户 holds two folders named 'Müller & Söhne', spelled with different "
        "Unicode forms (as macOS and Windows write accents); only one is read — merge them"
    )


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses names that are not UTF-8")
@needs_byte_names
def test_a_customer_folder_not_named_in_utf8_is_no_customer_anywhere(
    invoke: Invoke, ws: Path
) -> None:
    bad = os.fsencode(ws / B) + b"/Caf\xe9 Ltd"
    os.makedirs(bad + b"/OUT")
    data = json.loads(invoke("-w", str(ws), "scan", "--json").stdout)
    assert (
        f"skipped {B}/Caf\ufffd Ltd: folder name is not valid UTF-8; rename it" in data["warnings"]
    )
    listed = json.loads(invoke("-w", str(ws), "customer", "list", "--json").stdout)
    assert [c["name"] for c in listed] == ["Müller & Söhne", "ACME GmbH"]
    for args in (
        ("timeline", "Caf"),
        ("log", "Caf", "--direction", "out", "--medium", "phone"),
        ("customer", "move", "Caf", "--grade", "A"),
    ):
        result = invoke("-w", str(ws), *args)
        assert_error(result, "Error: no customer 'Caf'")
    assert os.listdir(bad + b"/OUT") == []


# --- what the walk survives ------------------------------------------------------


@needs_fifo
def test_a_pipe_in_a_customer_folder_is_a_warning(invoke: Invoke, ws: Path) -> None:
    os.mkfifo(ws / ACME / "IN" / "pipe.eml")
    data = json.loads(invoke("-w", str(ws), "scan", "--json").stdout)
    assert (
        f"skipped {ACME}/IN/pipe.eml: a FIFO (named pipe), not a file a mail client saves"
        in data["warnings"]
    )


def test_a_very_deep_tree_is_read_to_a_limit_without_recursion(invoke: Invoke, ws: Path) -> None:
    deep = ws / ACME / "OUT"
    rel = Path()
    for _ in range(200):
        rel = rel / "d"
    os.makedirs(deep / rel)
    (deep / "d" / "d" / "2026-06-01 shallow.txt").write_text("x")
    data = json.loads(invoke("-w", str(ws), "scan", "--json").stdout)
    limit = "/".join(["d"] * reader_module.MAX_DEPTH)
    assert f"{ACME}/OUT/{limit}: folders nested this deep are not read" in data["warnings"]
    events = json.loads(invoke("-w", str(ws), "timeline", "--json").stdout)
    assert any(e["path"].endswith("d/d/2026-06-01 shallow.txt") for e in events)


def test_a_rebuild_notes_a_move_the_history_note_does_not_show(invoke: Invoke, ws: Path) -> None:
    assert_ok(invoke("-w", str(ws), "customer", "move", "ACME GmbH", "--grade", "C"))
    (ws / C / "ACME GmbH").rename(ws / "客户" / "A-交易客户" / "ACME GmbH")  # by hand
    assert_ok(invoke("-w", str(ws), "scan", "--rebuild"))
    events = json.loads(invoke("-w", str(ws), "timeline", "ACME", "--json").stdout)
    moves = [(e["from"], e["to"]) for e in events if e["kind"] == "grade"]
    assert moves == [("B", "C"), ("C", "A")]


# --- processes -------------------------------------------------------------------


def many_customers(root: Path, count: int) -> None:
    for i in range(count):
        build_tree(root / B / f"Customer {i:04d}", {"OUT/2026-01-01 hello.txt": "hi"})


def run_scans(root: Path, state: Path, count: int) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "FOLDER_KIT_STATE": str(state)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "folder_kit", "-w", str(root), "scan", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",  # what folder-kit writes to a pipe, whatever the code page
        )
        for _ in range(count)
    ]
    done = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return done


def test_concurrent_first_scans_all_succeed(workspace: Path, tmp_path: Path) -> None:
    many_customers(workspace, 300)
    for attempt in range(3):
        state = tmp_path / f"state{attempt}"
        for result in run_scans(workspace, state, 3):
            assert result.returncode == 0, result.stderr
            assert json.loads(result.stdout)["customers"] == 300


def children_of(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def wait_for(condition: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_killed_scan_leaves_no_worker_running(workspace: Path, tmp_path: Path) -> None:
    """Workers are made to take their time (they sleep), then the scan is killed."""
    many_customers(workspace, 8)
    code = (
        "import sys, time\n"
        "import folder_kit.timeline.parallel as p, folder_kit.timeline.walk as w\n"
        "from folder_kit.timeline.scan import scan\n"
        "from folder_kit.workspace.find import open_workspace\n"
        "w.PARALLEL_MIN = 1; w.CHUNK = 1\n"
        "def slow(*args):\n"
        "    time.sleep(60)\n"
        "p._read_chunk = slow\n"
        "scan(open_workspace(__import__('pathlib').Path(sys.argv[1])), workers=2)\n"
    )
    env = {**os.environ, "FOLDER_KIT_STATE": str(tmp_path / "state")}
    proc = subprocess.Popen([sys.executable, "-c", code, str(workspace)], env=env)
    try:
        workers = wait_for(lambda: alive(children_of(proc.pid)), 30, "worker processes")
        assert len(workers) >= 1
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        wait_for(lambda: not alive(workers), 10, f"workers {workers} to end")
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.fixture(autouse=True)
def _no_threads_left() -> Iterator[None]:
    import threading

    before = set(threading.enumerate())
    yield
    assert set(threading.enumerate()) <= before


# --- the index is replaced only when proven unusable -----------------------------


def index_file(root: Path) -> Path:
    from folder_kit.timeline.state import state_dir

    return state_dir(root) / "index.sqlite"


def test_a_busy_index_is_an_error_not_a_reason_to_delete_it(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    import folder_kit.timeline.index as index_module
    from folder_kit.errors import IndexStoreError

    scan(open_workspace(ws))
    before = index_file(ws).read_bytes()

    def busy(path: Path) -> sqlite3.Connection:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(index_module, "_connect", busy)
    with pytest.raises(IndexStoreError, match="database is locked; another folder-kit command"):
        Index.open(ws)
    assert index_file(ws).read_bytes() == before


def _disk_full() -> Exception:
    """The error SQLite gives when the disk is full (SQLITE_FULL), made by SQLite."""
    import sqlite3

    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("PRAGMA max_page_count = 1")
        conn.execute("CREATE TABLE t(x)")
    except sqlite3.OperationalError as e:
        assert e.sqlite_errorcode == sqlite3.SQLITE_FULL
        return e
    finally:
        conn.close()
    raise AssertionError("SQLite did not report a full database")


def _full_state_disk_line(root: Path) -> str:
    from folder_kit.timeline.state import state_dir

    return (
        f"Error: the disk of the state folder {state_dir(root)} is full, so the index "
        "cannot be written: free some space on it (or set FOLDER_KIT_STATE to a folder on "
        "another disk), then run the command again"
    )


def test_a_full_state_disk_fails_the_scan_and_the_advice_is_to_free_space(
    invoke: Invoke, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the state folder's disk full, the advice was "delete it and run scan"."""
    import folder_kit.timeline.index as index_module

    real = index_module._connect

    def small_disk(path: Path) -> Any:
        conn = real(path)
        conn.execute("PRAGMA max_page_count = 8")  # far fewer pages than the scan writes
        return conn

    with monkeypatch.context() as m:
        m.setattr(index_module, "_connect", small_disk)
        assert_error(invoke("-w", str(ws), "scan"), _full_state_disk_line(ws))
        assert_error(invoke("-w", str(ws), "due"), _full_state_disk_line(ws))
    # Space freed: the same index takes the scan.
    assert_ok(invoke("-w", str(ws), "scan"))
    assert len(events_json(ws)) == 10  # its two cards, first seen, are no events


def test_a_scan_whose_index_cannot_be_written_out_says_so(
    invoke: Invoke, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan's rows fitted into SQLite's log, but the disk could not take the index
    when the log was written into it (at close, silently): the scan said it had
    succeeded, and the next command failed."""
    import sqlite3

    assert_ok(invoke("-w", str(ws), "scan"))
    build_tree(ws / ACME / "IN", {"2026-03-20 reply.txt": "thanks"})

    class FullAtCheckpoint(sqlite3.Connection):
        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
            if "wal_checkpoint" in sql:
                raise _disk_full()
            return super().execute(sql, *args)

    real = sqlite3.connect
    with monkeypatch.context() as m:
        m.setattr(sqlite3, "connect", lambda *a, **k: real(*a, **k, factory=FullAtCheckpoint))
        assert_error(invoke("-w", str(ws), "scan"), _full_state_disk_line(ws))
    assert_ok(invoke("-w", str(ws), "scan"))
    assert any(e["path"].endswith("2026-03-20 reply.txt") for e in events_json(ws))


@pytest.mark.parametrize(
    "damage",
    [b"not a database at all", b"SQLite format 3\x00" + b"\xff" * 200],
    ids=["garbage", "damaged header"],
)
def test_an_unusable_index_is_replaced(ws: Path, damage: bytes) -> None:
    scan(open_workspace(ws))
    expected = events_json(ws)
    path = index_file(ws)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(damage)
    scan(open_workspace(ws))
    assert events_json(ws) == expected


def test_an_index_of_another_schema_is_replaced(ws: Path) -> None:
    import sqlite3

    scan(open_workspace(ws))
    expected = events_json(ws)
    conn = sqlite3.connect(index_file(ws))
    with conn:  # commits; closing is apart, and Windows cannot replace an open file
        conn.execute("UPDATE meta SET value = 'old' WHERE key = 'schema'")
    conn.close()
    scan(open_workspace(ws))
    assert events_json(ws) == expected


# --- the grade note: the scan's one write into a customer's folder -----------------


def test_reading_writes_nothing_and_the_note_is_a_step_of_its_own(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A customer moved by hand: the readers hand the move back, the scan's own
    step notes it in the history file (nothing was there while reading), and
    the grade event is read back from that note in the same scan."""
    import folder_kit.timeline.scan as scan_module
    from folder_kit.workspace.history import HISTORY_FILE, read_history

    scan(open_workspace(ws))
    moved = ws / C / "ACME GmbH"
    (ws / C).mkdir(exist_ok=True)
    os.rename(ws / ACME, moved)
    seen: list[tuple[str, str, str, bool]] = []
    real = scan_module.note_grade_moves

    def spy(moves: Any, *, now_ns: int) -> Any:
        for m in moves:
            seen.append((m.key, m.source, m.target, (Path(m.path) / HISTORY_FILE).exists()))
        return real(moves, now_ns=now_ns)

    monkeypatch.setattr(scan_module, "note_grade_moves", spy)
    result = scan(open_workspace(ws))
    assert seen == [("ACME GmbH", "B", "C", False)]
    assert [(c.source, c.target) for c in read_history(moved)] == [("B", "C")]
    grade_events = [e for e in events_json(ws) if e["kind"] == "grade"]
    assert [(e["from"], e["to"]) for e in grade_events] == [("B", "C")]
    assert result.new_events == 1
    seen.clear()
    assert scan(open_workspace(ws)).new_events == 0
    assert seen == []  # noted once


def test_a_rebuild_notes_a_move_the_note_does_not_show_yet(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no index to compare, the note's last grade is the one it was in: a note
    saying B for a customer now in C gets the move, noted by the scan's step, also
    when a worker process read the customer."""
    from folder_kit.workspace.history import HISTORY_FILE, append_history, change_at, read_history

    moment = __import__("datetime").datetime(2026, 1, 5, 9, 0).astimezone()
    append_history(ws / ACME, change_at(moment, "C", "B"))
    (ws / C).mkdir(exist_ok=True)
    moved = ws / C / "ACME GmbH"
    os.rename(ws / ACME, moved)
    assert (moved / HISTORY_FILE).exists()
    monkeypatch.setattr(walk_module, "PARALLEL_MIN", 1)
    monkeypatch.setattr(walk_module, "CHUNK", 1)
    for workers in (2, 1):
        scan(open_workspace(ws), rebuild=True, workers=workers)
    # noted once, by the first rebuild; the second found the note up to date
    assert [(c.source, c.target) for c in read_history(moved)] == [("C", "B"), ("B", "C")]
    grade_events = [e for e in events_json(ws) if e["kind"] == "grade"]
    assert [(e["from"], e["to"]) for e in grade_events] == [("C", "B"), ("B", "C")]


@pytest.mark.parametrize("rebuild", [False, True], ids=["scan", "rebuild"])
def test_a_grade_note_that_could_not_be_written_is_written_by_a_later_scan(
    ws: Path, monkeypatch: pytest.MonkeyPatch, rebuild: bool
) -> None:
    """A full disk when the move was noticed: the scan warned once, recorded the new
    grade, and no later scan (not even a rebuild) ever wrote the note or showed the
    move. The move stays pending until its note is written, dated when noticed."""
    import folder_kit.timeline.scan as scan_module
    from folder_kit.workspace.history import read_history

    scan(open_workspace(ws))
    (ws / C).mkdir(exist_ok=True)
    moved = ws / C / "ACME GmbH"
    os.rename(ws / ACME, moved)

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    noticed = dt.datetime(2026, 3, 20, 9, 30).astimezone()
    with monkeypatch.context() as m:
        m.setattr(scan_module, "append_history", full_disk)
        at = int(noticed.timestamp() * SECOND)
        result = scan(open_workspace(ws), clock=lambda: at)
        assert result.warnings == (
            "cannot note the grade move B -> C of 客户/C-潜力客户/ACME GmbH (No space left on "
            "device): the timeline shows it once the note is written; every scan tries again",
        )
        assert [e for e in events_json(ws) if e["kind"] == "grade"] == []
        assert scan(open_workspace(ws)).warnings == result.warnings  # still full: pending

    result = scan(open_workspace(ws), rebuild=rebuild)
    assert result.warnings == ()
    assert [(c.when, c.source, c.target) for c in read_history(moved)] == [
        (noticed.isoformat(), "B", "C")
    ]
    grade_events = [e for e in events_json(ws) if e["kind"] == "grade"]
    assert [(e["date"], e["from"], e["to"]) for e in grade_events] == [
        (noticed.isoformat(), "B", "C")
    ]
    assert scan(open_workspace(ws)).new_events == 0  # noted once
    assert [(c.source, c.target) for c in read_history(moved)] == [("B", "C")]


@pytest.mark.parametrize(
    ("then", "expected"),
    [("A", [("B", "C"), ("C", "A")]), ("B", [("B", "C"), ("C", "B")])],
    ids=["moved-on", "moved-back"],
)
def test_moves_made_while_a_note_is_pending_are_noted_in_order(
    ws: Path, monkeypatch: pytest.MonkeyPatch, then: str, expected: list[tuple[str, str]]
) -> None:
    """A customer moved again by hand before the first move's note could be written:
    the note gets both moves, in the order they were made."""
    import folder_kit.timeline.scan as scan_module
    from folder_kit.workspace.history import read_history

    scan(open_workspace(ws))
    grade_dir = {"A": ws / "客户/A-交易客户", "B": ws / B, "C": ws / C}
    (ws / C).mkdir(exist_ok=True)
    os.rename(ws / ACME, grade_dir["C"] / "ACME GmbH")

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(scan_module, "append_history", full_disk)
        assert len(scan(open_workspace(ws)).warnings) == 1
        os.rename(grade_dir["C"] / "ACME GmbH", grade_dir[then] / "ACME GmbH")
        assert len(scan(open_workspace(ws)).warnings) == 1
    assert scan(open_workspace(ws)).warnings == ()
    assert [(c.source, c.target) for c in read_history(grade_dir[then] / "ACME GmbH")] == expected
    grade_events = [e for e in events_json(ws) if e["kind"] == "grade"]
    assert [(e["from"], e["to"]) for e in grade_events] == expected
    assert scan(open_workspace(ws)).new_events == 0
