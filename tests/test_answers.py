"""Readers answered by the running watcher (``folder_kit.answers``): the same bytes
as the command computes itself, kept only while nothing they depend on changed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from watching import Line, WatchProcess, wait_until, watching

from folder_kit.answers import ANSWERS_FILE, ask, served
from folder_kit.timeline.state import state_dir

B = "客户/B-在谈客户"
A = "客户/A-交易客户"
TODAY = "2026-12-01"


def mail(subject: str, date: str) -> bytes:
    return f"From: a@b.example\r\nSubject: {subject}\r\nDate: {date}\r\n\r\nHello\r\n".encode()


@pytest.fixture
def ws(workspace: Path) -> Path:
    """Three customers in two grades, with mail, a quote and a card each."""
    for n, (grade, name) in enumerate(((B, "ACME GmbH"), (B, "Rossi Srl"), (A, "Dupont SA"))):
        folder = workspace / grade / name
        for sub in ("OUT", "IN", "报价", "PI", "定单"):
            (folder / sub).mkdir(parents=True)
        (folder / "Contact.txt").write_text(f"公司: {name}\n国家: DE\n", encoding="utf-8")
        date = f"Mon, {2 + n:02d} Nov 2026 10:00:00 +0100"
        (folder / "OUT" / f"2026-11-0{2 + n} Quotation.eml").write_bytes(mail("Quotation", date))
    (workspace / B / "ACME GmbH" / "报价" / "QT-1 2026-11-02.pdf").write_bytes(b"%PDF-1.4")
    return workspace


READERS = {
    "due": ["due", "--json", "--today", TODAY],
    "due within": ["due", "--today", TODAY, "--within=30", "--json"],
    "customer list": ["customer", "list", "--json"],
}


def run(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "folder_kit", "-w", str(root), *args],
        capture_output=True,
        timeout=60,
        check=False,
    )


def direct(root: Path, args: list[str], invoke: object) -> bytes:
    """The command computed in this process (trusting the watcher's index, as any
    reader does while one runs): never asking the watcher."""
    result = invoke("-w", str(root), *args)  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    return result.stdout_bytes  # type: ignore[no-any-return]


def answered(root: Path, args: list[str]) -> bytes:
    answer = ask(["-w", str(root), *args])
    assert answer is not None, "the watcher did not answer"
    return answer


def ready_with_answers(w: WatchProcess, root: Path) -> None:
    w.ready()
    wait_until(lambda: (state_dir(root) / ANSWERS_FILE).is_file(), timeout=15, what="answers.json")


def change_line(w: WatchProcess, rel: str) -> list[Line]:
    return w.expect(lambda line: line.get("path") == rel and "change" in line)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["due", "--json"], (None, ["due", "--json"])),
        (
            ["-w", "W", "due", "--json", "--today", "2026-12-01"],
            ("W", ["due", "--json", "--today", "2026-12-01"]),
        ),
        (
            ["due", "--today=2026-12-01", "--json", "--workspace", "W"],
            ("W", ["due", "--today=2026-12-01", "--json"]),
        ),
        (["--workspace=W", "customer", "list", "--json"], ("W", ["customer", "list", "--json"])),
        (["due", "--within", "3", "--json"], (None, ["due", "--within", "3", "--json"])),
        (["customer", "list"], None),  # a table: not answered
        (["due"], None),
        (["due", "--json", "--ics", "x.ics"], None),
        (["due", "--json", "--json"], None),
        (["due", "--json", "--today"], None),
        (["-w", "W", "-w", "V", "due", "--json"], None),
        (["-w"], None),
        (["customer", "list", "--json", "--today", "2026-12-01"], None),
        (["customer", "add", "--json"], None),
        (["timeline", "--json"], None),
        (["check", "--json"], None),
        (["due", "--json", "--help"], None),
        ([], None),
    ],
)
def test_only_the_readers_it_serves_are_asked_of_the_watcher(
    argv: list[str], expected: tuple[str | None, list[str]] | None
) -> None:
    assert served(argv) == expected


def test_the_watchers_answers_equal_the_commands_own_byte_for_byte(
    ws: Path, invoke: object
) -> None:
    with watching(ws) as w:
        ready_with_answers(w, ws)
        for args in READERS.values():
            own = direct(ws, args, invoke)
            assert answered(ws, args) == own
            assert answered(ws, args) == own  # kept: the same again
            done = run(ws, *args)  # the command line, answered by the watcher
            assert (done.returncode, done.stdout, done.stderr) == (0, own, b"")
        # What the command writes with no watcher (after its own scan) is the same too.
        watched = {name: answered(ws, args) for name, args in READERS.items()}
        assert w.stop() == 0
    assert not (state_dir(ws) / ANSWERS_FILE).exists()
    assert ask(["-w", str(ws), *READERS["due"]]) is None
    for name, args in READERS.items():
        done = run(ws, *args)
        assert (done.returncode, done.stdout) == (0, watched[name]), name
    assert w.stderr == []


def test_an_answer_is_not_kept_past_a_change_of_the_index_or_the_settings(
    ws: Path, invoke: object
) -> None:
    due = READERS["due"]
    with watching(ws) as w:
        ready_with_answers(w, ws)
        before = answered(ws, due)
        listed = answered(ws, READERS["customer list"])
        # A reply saved: the watcher indexes it; the answers follow.
        reply = ws / B / "Rossi Srl" / "IN" / "Re Quotation.eml"
        reply.write_bytes(mail("Re: Quotation", "Mon, 30 Nov 2026 10:00:00 +0100"))
        change_line(w, reply.relative_to(ws).as_posix())
        after = answered(ws, due)
        assert after != before and b"Rossi Srl" not in after  # answered: not due now
        assert after == direct(ws, due, invoke)
        assert answered(ws, READERS["customer list"]) != listed
        assert answered(ws, READERS["customer list"]) == direct(
            ws, READERS["customer list"], invoke
        )
        # The settings: another cadence makes other customers due.
        config = ws / "folder-kit.yaml"
        text = config.read_text(encoding="utf-8")
        assert "  B: 7 " in text
        config.write_text(text.replace("  B: 7 ", "  B: 60"), encoding="utf-8")
        changed = answered(ws, due)
        assert changed != after
        assert changed == direct(ws, due, invoke)
        # Another day asked for is another answer.
        later = ["due", "--json", "--today", "2027-03-01"]
        assert answered(ws, later) == direct(ws, later, invoke) != changed
        # Settings that do not load: no answer; the command says why, as always.
        config.write_text(text + "\ncadence:\n  B: 60\n", encoding="utf-8")
        assert ask(["-w", str(ws), *due]) is None
        done = run(ws, *due)
        assert done.returncode == 1 and b"cadence: appears twice" in done.stderr
        assert w.stop() == 0


def test_a_reader_does_not_trust_what_does_not_answer_as_the_watcher(
    ws: Path, invoke: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    with watching(ws) as w:
        ready_with_answers(w, ws)
        where_file = state_dir(ws) / ANSWERS_FILE
        where = json.loads(where_file.read_text(encoding="utf-8"))
        own = direct(ws, READERS["due"], invoke)
        # A wrong token gets no answer: the command works it out itself.
        where_file.write_text(json.dumps({**where, "token": "0" * 48}), encoding="utf-8")
        assert ask(["-w", str(ws), *READERS["due"]]) is None
        done = run(ws, *READERS["due"])
        assert (done.returncode, done.stdout) == (0, own)
        # A port nobody listens on (a watcher that died): the same.
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            free = s.getsockname()[1]
        where_file.write_text(json.dumps({**where, "port": free}), encoding="utf-8")
        assert ask(["-w", str(ws), *READERS["due"]]) is None
        # Another time zone than the watcher's: not answered (its day may differ).
        where_file.write_text(json.dumps(where), encoding="utf-8")
        with monkeypatch.context() as m:
            m.setenv("TZ", "UTC" if os.environ.get("TZ") == "Etc/GMT-14" else "Etc/GMT-14")
            assert ask(["-w", str(ws), *READERS["due"]]) is None
        assert ask(["-w", str(ws), *READERS["due"]]) == own
        # An error is the command's own, said as always.
        bad = run(ws, "due", "--json", "--today", "2026-13-01")
        assert bad.returncode != 0 and b"Error" in bad.stderr + bad.stdout
        assert w.stop() == 0


def test_the_answers_file_of_a_killed_watcher_is_not_trusted(ws: Path) -> None:
    """A watcher killed leaves answers.json behind; readers then work as without one."""
    with watching(ws) as w:
        ready_with_answers(w, ws)
        w.kill()
    assert (state_dir(ws) / ANSWERS_FILE).exists()
    assert ask(["-w", str(ws), *READERS["due"]]) is None
    done = run(ws, *READERS["customer list"])
    assert done.returncode == 0 and b"ACME GmbH" in done.stdout
