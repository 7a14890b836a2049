"""The watcher, run for real: a subprocess driven by real file operations.

Each test waits on the watcher's JSON lines (a reader thread and a queue) or on
the index, always with a timeout; none sleeps blindly.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from watching import Line, WatchProcess, settles_to_rebuild, wait_until, watching

from folder_kit.timeline.watcher_lock import request_stop, running_watcher
from folder_kit.watch.log import log_path

posix_signals = pytest.mark.skipif(sys.platform == "win32", reason="Windows has no POSIX signals")

B = "客户/B-在谈客户"
A = "客户/A-交易客户"


def mail(subject: str, date: str = "Mon, 30 Nov 2026 10:00:00 +0100") -> bytes:
    return f"From: a@b.example\r\nSubject: {subject}\r\nDate: {date}\r\n\r\nHello\r\n".encode()


def new_paths(lines: list[Line]) -> list[str]:
    return [line["path"] for line in lines if line.get("change") == "new"]


def changes(lines: list[Line]) -> list[Line]:
    return [line for line in lines if "change" in line]


@pytest.fixture
def ws(workspace: Path) -> Path:
    """A workspace with two customers, each with one sent mail; ACME has a quote."""
    for grade, name in ((B, "ACME GmbH"), (B, "Rossi Srl")):
        folder = workspace / grade / name
        for sub in ("OUT", "IN", "报价", "PI", "定单"):
            (folder / sub).mkdir(parents=True)
        (folder / "OUT" / "2026-11-02 Quotation.eml").write_bytes(mail("Quotation QT-1"))
    (workspace / B / "ACME GmbH" / "报价" / "QT-1 2026-11-02.pdf").write_bytes(b"%PDF-1.4")
    return workspace


def sentinel(w: WatchProcess, root: Path, name: str) -> list[Line]:
    """Drop one more file and return every line up to its event: what came before it
    is all the watcher said about the steps before (its date sorts it last among
    the events of one reconcile)."""
    path = root / B / "Rossi Srl" / "OUT" / f"2099-12-31 {name}.txt"
    path.write_text("note", encoding="utf-8")
    rel = path.relative_to(root).as_posix()
    return w.expect(lambda line: line.get("path") == rel and line.get("change") == "new")[:-1]


def test_ready_then_one_line_per_saved_file_and_readers_answer_meanwhile(
    ws: Path, invoke: object
) -> None:
    with watching(ws) as w:
        first, ready = w.ready()
        assert ready == {"ready": True, "customers": 2, "events": 3}
        assert sorted(new_paths(first)) == [
            f"{B}/ACME GmbH/OUT/2026-11-02 Quotation.eml",
            f"{B}/ACME GmbH/报价/QT-1 2026-11-02.pdf",
            f"{B}/Rossi Srl/OUT/2026-11-02 Quotation.eml",
        ]
        (ws / B / "ACME GmbH" / "IN" / "Re Quotation.eml").write_bytes(mail("Re: Quotation QT-1"))
        [line] = w.expect(lambda line: "change" in line)
        assert line["change"] == "new" and line["kind"] == "in"
        assert line["path"] == f"{B}/ACME GmbH/IN/Re Quotation.eml"
        assert line["date_source"] == "header" and line["highlight"] == "reply-to-quote"
        done = subprocess.run(
            [sys.executable, "-m", "folder_kit", "-w", str(ws), "customer", "list", "--json"],
            capture_output=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert b'"last_contact": "2026-11-30"' in done.stdout
        assert w.stop() == 0
    assert w.stderr == []


def test_atomic_saves_swap_files_and_partial_downloads_give_one_event_for_the_final_name(
    ws: Path,
) -> None:
    out = ws / B / "ACME GmbH" / "OUT"
    with watching(ws) as w:
        w.ready()
        tmp = out / ".2026-11-21 offer.eml.tmp"
        tmp.write_bytes(mail("Offer"))
        os.replace(tmp, out / "2026-11-21 offer.eml")  # temp file, then rename
        swap = out / ".2026-11-21 offer.eml.swp"
        swap.write_bytes(b"vim")
        swap.unlink()
        part = out / "2026-11-22 catalogue.pdf.crdownload"
        part.write_bytes(b"%PDF-1.4 half")
        with part.open("ab") as f:
            f.write(b" and the rest")
        part.rename(out / "2026-11-22 catalogue.pdf")
        (out / "~$draft.docx").write_bytes(b"owner file")
        before = sentinel(w, ws, "sentinel")
        assert sorted(new_paths(before)) == [
            f"{B}/ACME GmbH/OUT/2026-11-21 offer.eml",
            f"{B}/ACME GmbH/OUT/2026-11-22 catalogue.pdf",
        ]
        assert len(changes(before)) == 2
        assert w.stop() == 0


def test_a_slow_write_is_read_once_it_is_quiet(ws: Path) -> None:
    """The writer pauses longer than the settle period with the file open: the
    file is read once, whole, after its writer closes it."""
    path = ws / B / "ACME GmbH" / "IN" / "Re offer.eml"
    whole = mail("Re: Offer, the long answer")
    third = len(whole) // 3
    with watching(ws) as w:
        w.ready()
        with path.open("wb") as f:
            for start in (0, third, 2 * third):
                f.write(whole[start : start + third] if start < 2 * third else whole[start:])
                f.flush()
                writer_pause(1.3)
            assert w.lines.empty(), w.lines.queue  # nothing read while it is open
        [line] = [c for c in w.expect(lambda line: "change" in line)]
        assert line["path"] == f"{B}/ACME GmbH/IN/Re offer.eml"
        assert line["date_source"] == "header" and line["subject"] == "Re: Offer, the long answer"
        assert changes(sentinel(w, ws, "after-slow")) == []
        assert w.stop() == 0


def writer_pause(seconds: float) -> None:
    """The writer's own pause (it is the thing under test, not a wait for the watcher)."""
    import threading

    threading.Event().wait(seconds)


def test_a_folder_moved_in_is_read_at_once_with_a_file_made_in_it_right_after(
    ws: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "Downloads" / "Nordlicht AG"
    (outside / "IN").mkdir(parents=True)
    (outside / "IN" / "Inquiry.eml").write_bytes(mail("Inquiry for LED panels"))
    with watching(ws) as w:
        w.ready()
        n = len(w.seen)
        target = ws / "客户/待开发客户/Nordlicht AG"
        shutil.move(str(outside), str(target))
        (target / "OUT").mkdir()
        (target / "OUT" / "2026-11-30 Reply.eml").write_bytes(mail("Re: Inquiry"))
        got = w.expect(lambda line: len(new_paths(w.seen[n:])) >= 2, timeout=15)
        assert sorted(new_paths(got)) == [
            "客户/待开发客户/Nordlicht AG/IN/Inquiry.eml",
            "客户/待开发客户/Nordlicht AG/OUT/2026-11-30 Reply.eml",
        ]
        assert changes(sentinel(w, ws, "after-move-in")) == []
        settles_to_rebuild(ws, ws.parent / "rebuilt")
        assert w.stop() == 0


def test_a_customer_regraded_by_hand_is_one_grade_event(ws: Path) -> None:
    with watching(ws) as w:
        w.ready()
        (ws / B / "ACME GmbH").rename(ws / A / "ACME GmbH")
        [line] = w.expect(lambda line: "change" in line)
        assert line["kind"] == "grade" and (line["from"], line["to"]) == ("B", "A")
        assert line["change"] == "new" and line["path"] == f"{A}/ACME GmbH"
        assert changes(sentinel(w, ws, "after-regrade")) == []
        settles_to_rebuild(ws, ws.parent / "rebuilt")
        assert w.stop() == 0


def test_a_second_watcher_exits_1_naming_the_first(ws: Path) -> None:
    with watching(ws) as w:
        w.ready()
        done = subprocess.run(
            [sys.executable, "-m", "folder_kit", "-w", str(ws), "watch"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 1
        lines = done.stderr.splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith(
            f"Error: a watcher already runs on this workspace (PID {w.pid}, since "
        )
        assert done.stdout == ""
        assert w.stop() == 0


@pytest.mark.skipif(sys.platform == "win32", reason="Windows forbids control characters in names")
def test_the_log_holds_a_file_names_escape_sequence_written_out_never_raw(ws: Path) -> None:
    name = "Re \x1b]0;pwned\x07.eml"
    with watching(ws, "--log") as w:
        w.ready()
        (ws / B / "ACME GmbH" / "IN" / name).write_bytes(mail("Re: Quotation QT-1"))
        w.expect(lambda line: line.get("path") == f"{B}/ACME GmbH/IN/{name}")
        assert w.stop() == 0
    text = log_path(ws).read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text
    assert "ACME GmbH      IN/Re \\x1b]0;pwned\\x07.eml  <- a reply to an open quote" in text


@posix_signals
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_stop_it_with_exit_0_and_a_consistent_index(ws: Path, sig: int) -> None:
    with watching(ws) as w:
        w.ready()
        for i in range(30):
            (ws / B / "Rossi Srl" / "IN" / f"Re {i}.eml").write_bytes(mail(f"Re: {i}"))
        w.expect(lambda line: "change" in line)
        assert w.stop(sig) == 0
    assert w.stderr == []
    with watching(ws) as again:  # the lock is free again, and the index catches up
        again.ready()
        settles_to_rebuild(ws, ws.parent / "rebuilt")
        assert again.stop() == 0


def watch_stop(ws: Path) -> str:
    """What `folder-kit watch --stop` prints; it must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", "folder_kit", "-w", str(ws), "watch", "--stop"],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8")


def test_watch_stop_ends_it_with_exit_0_and_a_consistent_index(ws: Path) -> None:
    """`folder-kit watch --stop`: the clean stop every system has (Windows too, where
    a background watcher has no console to send Ctrl-C to)."""
    with watching(ws) as w:
        w.ready()
        for i in range(30):
            (ws / B / "Rossi Srl" / "IN" / f"Re {i}.eml").write_bytes(mail(f"Re: {i}"))
        w.expect(lambda line: "change" in line)
        assert watch_stop(ws) == f"Stopped the watcher on {ws} (PID {w.pid}).\n"
        assert w.proc.wait(timeout=20) == 0
    assert w.stderr == []
    assert running_watcher(ws) is None
    assert watch_stop(ws) == f"No watcher is running on {ws}.\n"
    with watching(ws) as w2:  # the lock is free, no stale request stops the next one
        w2.ready()
        settles_to_rebuild(ws, ws.parent / "rebuilt")
        assert w2.stop() == 0


def test_kill_9_mid_burst_leaves_no_stale_lock_and_a_restart_catches_up(ws: Path) -> None:
    folder = ws / B / "Rossi Srl" / "IN"
    with watching(ws) as w:
        w.ready()
        for i in range(200):
            (folder / f"Re burst {i}.eml").write_bytes(mail(f"Re: burst {i}"))
            if i == 100:
                w.expect(lambda line: "change" in line)  # mid-reconcile, or near it
                w.kill()
    assert running_watcher(ws) is None  # `service status` says "Watcher: not running"
    with watching(ws) as w2:  # a second watcher would exit 1: the lock died with the first
        _, ready = w2.ready()
        assert ready["events"] == 3 + 200
        settles_to_rebuild(ws, ws.parent / "rebuilt")
        assert w2.stop() == 0


@posix_signals
def test_sigstop_through_thousands_of_files_loses_nothing(ws: Path) -> None:
    """More events than the inotify queue holds (16384 by default): it overflows
    while the watcher is stopped, and a full reconcile picks everything up."""
    folders = [ws / "客户/C-潜力客户" / f"C{n:02d} Trading" / "OUT" for n in range(20)]
    for folder in folders:
        folder.mkdir(parents=True)
    with watching(ws) as w:
        w.ready()
        w.send(signal.SIGSTOP)
        try:
            made = []
            for folder in folders:
                for i in range(330):
                    path = folder / f"2026-10-{i % 28 + 1:02d} n{i}.txt"
                    path.write_text("x", encoding="utf-8")
                    made.append(path.relative_to(ws).as_posix())
        finally:
            w.send(signal.SIGCONT)
        wait_until(
            lambda: set(made) <= set(new_paths(drain(w))),
            timeout=60,
            what="an event for every file made while the watcher was stopped",
        )
        settles_to_rebuild(ws, ws.parent / "rebuilt", timeout=30)
        limit = Path("/proc/sys/fs/inotify/max_queued_events")
        overflowed = limit.exists() and limit.read_text().strip() == "16384"
        if overflowed:  # the default limit: the burst is more than it holds
            assert {"reconciled": True, "reason": "overflow", "events": 3 + len(made)} in w.seen
        assert w.stop() == 0
    if overflowed:
        assert w.stderr == [
            "Warning: too many file changes at once for the OS to report them all; "
            "reading the whole workspace again"
        ]


def test_the_customers_folder_renamed_is_watched_under_its_new_name(ws: Path) -> None:
    with watching(ws) as w:
        w.ready()
        (ws / "客户").rename(ws / "Customers")  # the other language's name: still found
        w.expect(lambda line: line.get("reconciled") is True)
        folder = ws / "Customers" / "B-在谈客户" / "ACME GmbH" / "IN"
        (folder / "Re renamed.eml").write_bytes(mail("Re: Quotation QT-1"))
        [line] = w.expect(lambda line: "change" in line)
        assert line["change"] == "new"
        assert line["path"] == "Customers/B-在谈客户/ACME GmbH/IN/Re renamed.eml"
        assert w.stop() == 0
    assert w.stderr == []


def drain(w: WatchProcess) -> list[Line]:
    while not w.lines.empty():
        if w.lines.queue[0] is None:
            break
        w.next(0.1)
    return w.seen


def test_the_workspace_unplugged_is_reported_and_watching_resumes(ws: Path) -> None:
    away = ws.with_name("ws-unplugged")
    with watching(ws) as w:
        w.ready()
        ws.rename(away)
        wait_until(
            lambda: any("is not there" in line for line in w.stderr),
            timeout=15,
            what="the warning that the workspace is gone",
        )
        (away / B / "Rossi Srl" / "IN" / "Re while away.eml").write_bytes(mail("Re: away"))
        away.rename(ws)
        got = w.expect(lambda line: line.get("reason") == "workspace-returned", timeout=20)
        assert [line["change"] for line in changes(got)] == ["new"]
        assert any("is back" in line for line in w.stderr)
        assert changes(sentinel(w, ws, "after-return")) == []
        assert w.stop() == 0


def _remove_while_written(folder: Path, *, timeout: float = 10.0) -> None:
    """Delete ``folder`` as a user would, though the running watcher may write a file
    into it meanwhile (its log): then the folder is not empty yet, and deleting it
    is tried again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            shutil.rmtree(folder)
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="Windows deletes no file a process holds open: the running watcher's index "
    "and lock keep its state folder from being deleted",
)
@pytest.mark.parametrize("deleted", ["state folder", "index"])
def test_the_state_folder_deleted_under_a_running_watcher_is_made_anew(
    ws: Path, deleted: str
) -> None:
    """The README says the state folder may be deleted at any time. Under a running
    watcher, the watcher stopped reporting, `service status` said none ran, and a
    second watcher started. It now notices, takes its lock and index anew in a new
    state folder, reads the workspace again, and goes on. The same for the index
    alone deleted, as an old error message advised."""
    from folder_kit.timeline.state import INDEX_FILE, state_dir

    state = state_dir(ws)
    with watching(ws, "--log") as w:
        w.ready()
        if deleted == "index":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{state / INDEX_FILE}{suffix}").unlink(missing_ok=True)
        else:
            _remove_while_written(state)
        got = w.expect(lambda line: line.get("reason") == "state-deleted", timeout=20)
        assert changes(got) == []  # nothing in the workspace changed: nothing is new
        assert got[-1]["events"] == 3
        gone = state if deleted == "state folder" else state / INDEX_FILE
        wait_until(  # stderr is read by a thread of its own: it may come after stdout
            lambda: any("was deleted" in line for line in w.stderr),
            timeout=10,
            what="the warning that the state folder was deleted",
        )
        assert [line for line in w.stderr if "was deleted" in line] == [
            f"Warning: the {deleted} {gone} was deleted; the watcher made it anew "
            "and read the whole workspace again"
        ]
        info = running_watcher(ws)  # what `service status` asks
        assert info is not None and info.pid == w.pid
        second = subprocess.run(
            [sys.executable, "-m", "folder_kit", "-w", str(ws), "watch"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert second.returncode == 1
        assert second.stderr.startswith(
            f"Error: a watcher already runs on this workspace (PID {w.pid}"
        )
        reply = ws / B / "ACME GmbH" / "IN" / "Re after.eml"
        reply.write_bytes(mail("Re: after the state folder went"))
        [line] = changes(w.expect(lambda line: "change" in line))
        assert line["path"] == f"{B}/ACME GmbH/IN/Re after.eml"
        # Readers read the watcher's new index (they do not scan while it runs).
        shown = subprocess.run(
            [sys.executable, "-m", "folder_kit", "-w", str(ws), "timeline", "ACME", "--json"],
            capture_output=True,
            timeout=30,
            check=False,
        )
        assert shown.returncode == 0, shown.stderr
        assert b"Re after.eml" in shown.stdout
        assert w.stop() == 0
    assert "Re after.eml" in log_path(ws).read_text(encoding="utf-8")


def test_notify_without_the_library_is_one_line_and_the_watcher_goes_on(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "no-notifier" / "desktop_notifier"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('not installed')\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(blocker.parent))
    with watching(ws, "--notify") as w:
        w.ready()
        (ws / B / "ACME GmbH" / "定单" / "PO 2026-11-30.pdf").write_bytes(b"%PDF-1.4")
        [line] = w.expect(lambda line: "change" in line)
        assert line["kind"] == "order" and line["highlight"] == "order"
        assert w.stop() == 0
    assert w.stderr == [
        "Warning: --notify needs desktop-notifier: pip install 'folder-kit[notify]'; "
        "going on without it"
    ]


def test_in_a_terminal_the_first_catch_up_shows_ten_lines_and_counts_the_rest(
    ws: Path,
) -> None:
    for i in range(12):
        (ws / B / "Rossi Srl" / "OUT" / f"2026-10-{i + 1:02d} note.txt").write_text("x", "utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "folder_kit", "-w", str(ws), "watch"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    got: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: [got.put(x) for x in proc.stdout], daemon=True)
    reader.start()
    try:
        lines: list[str] = []
        while not lines or not lines[-1].startswith("... and"):
            lines.append(got.get(timeout=20).rstrip("\n"))
        if sys.platform == "win32":
            request_stop(ws)
        else:
            proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        reader.join(timeout=5)
    assert len(lines) == 12
    assert lines[0] == f"Watching {ws}: 2 customers, 15 events. Ctrl-C stops."
    assert all("  out    " in line or "  quote  " in line for line in lines[1:11])
    assert lines[11] == "... and 5 more since the watcher last ran."


def test_a_customer_moved_out_of_the_workspace_takes_its_events_with_it(
    ws: Path, tmp_path: Path
) -> None:
    with watching(ws) as w:
        w.ready()
        shutil.move(str(ws / B / "ACME GmbH"), str(tmp_path / "ACME GmbH"))
        got = w.expect(lambda line: len(changes(w.seen[3:])) >= 2)
        assert sorted((c["change"], c["path"]) for c in changes(got)) == [
            ("gone", f"{B}/ACME GmbH/OUT/2026-11-02 Quotation.eml"),
            ("gone", f"{B}/ACME GmbH/报价/QT-1 2026-11-02.pdf"),
        ]
        assert changes(sentinel(w, ws, "after-move-out")) == []
        settles_to_rebuild(ws, ws.parent / "rebuilt")
        assert w.stop() == 0
