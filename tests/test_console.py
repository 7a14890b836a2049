"""What a command prints reaches a pipe, a file or a console whole, whatever the
system's code page: UTF-8 with LF line endings where the output is not a console
(folder_kit/cli/console.py), and JSON as the same bytes on every system."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from folder_kit.cli.console import prepare

# Python opens a pipe in the locale's code page: on Windows the ANSI one (cp1252 on
# a western system, cp936 on a Chinese one), with CRLF line endings. Where the
# system's is not the one wanted (on Linux, or cp936 on a western Windows), the
# child opens its streams so before folder-kit starts, as Python would there.
LAUNCH = (
    "import io, sys\n"
    "code_page = sys.argv.pop(1)\n"
    "for name in ('stdout', 'stderr'):\n"
    "    stream = getattr(sys, name)\n"
    "    setattr(sys, name, io.TextIOWrapper(stream.buffer, encoding=code_page, newline='\\r\\n'))\n"
    "sys.argv[0] = 'folder-kit'\n"
    "from folder_kit.__main__ import main\n"
    "main()\n"
)
CODE_PAGES = ["cp1252", "cp936"]


def run_piped(
    args: list[str], cwd: Path, *, code_page: str | None = "cp1252", **env: str
) -> subprocess.CompletedProcess[bytes]:
    """``folder-kit ARGS`` with its output going to a pipe opened in ``code_page``
    (None: the system's own settings), none of Python's overrides from the caller."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    clean.update(env)
    if code_page is None or (sys.platform == "win32" and code_page == "cp1252"):
        start = ["-m", "folder_kit"]  # the system's own: under Wine, a western Windows
    else:
        start = ["-c", LAUNCH, code_page]
    return subprocess.run(
        [sys.executable, *start, *args],
        cwd=cwd,
        env=clean,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("code_page", CODE_PAGES)
def test_init_prints_the_chinese_tree_to_a_pipe(tmp_path: Path, code_page: str) -> None:
    """`folder-kit init X | more` on a western or Chinese Windows: the tree, not a
    UnicodeEncodeError after the folders were made; and in UTF-8 even where cp936
    could encode it, since a reader of the pipe cannot know which code page wrote it."""
    result = run_piped(["init", "X"], tmp_path, code_page=code_page)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    out = result.stdout.decode("utf-8")
    assert "  客户/\n" in out and "    A-交易客户/\n" in out
    assert b"\r" not in result.stdout
    assert (tmp_path / "X" / "客户" / "A-交易客户").is_dir()


@pytest.mark.parametrize("code_page", CODE_PAGES)
def test_help_and_errors_reach_a_pipe_in_utf8(tmp_path: Path, code_page: str) -> None:
    help_text = run_piped(["--help"], tmp_path, code_page=code_page)
    assert help_text.returncode == 0, help_text.stderr
    assert "under 客户/ (Customers/)".encode() in help_text.stdout
    assert b"\r" not in help_text.stdout
    # An error naming a Chinese customer goes to stderr, a pipe too.
    assert run_piped(["init", "W"], tmp_path).returncode == 0
    missing = run_piped(["-w", "W", "timeline", "宁波海讯"], tmp_path, code_page=code_page)
    assert missing.returncode == 1
    line = missing.stderr.decode("utf-8")
    assert line.startswith("Error: ") and "宁波海讯" in line and line.endswith("\n")
    assert line.count("\n") == 1 and "\r" not in line


def test_json_is_the_same_bytes_empty_or_not(tmp_path: Path) -> None:
    """An empty list and a long one end their lines alike (LF) on every system."""
    assert run_piped(["init", "W", "--lang", "en"], tmp_path).returncode == 0
    empty = run_piped(["-w", "W", "customer", "list", "--json"], tmp_path)
    assert empty.returncode == 0, empty.stderr
    assert empty.stdout == b"[]\n"
    add = run_piped(["-w", "W", "customer", "add", "宁波海讯", "--grade", "B"], tmp_path)
    assert add.returncode == 0, add.stderr
    listed = run_piped(["-w", "W", "customer", "list", "--json"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert b"\r" not in listed.stdout and listed.stdout.endswith(b"]\n")
    assert [c["name"] for c in json.loads(listed.stdout.decode("utf-8"))] == ["宁波海讯"]


@pytest.mark.parametrize("code_page", ["cp1252", "cp936", "ascii", "utf-8"])
@pytest.mark.parametrize("newline", ["\r\n", None])
def test_a_redirected_stream_writes_utf8(code_page: str, newline: str | None) -> None:
    """A pipe or a file in a western or Chinese code page, or a C locale: UTF-8, and
    LF also where the stream would write CRLF (Windows)."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=code_page, newline=newline)
    prepare(stream)
    stream.write("Moved 客户/B-在谈客户/Müller → C\n")
    stream.flush()
    assert raw.getvalue() == "Moved 客户/B-在谈客户/Müller → C\n".encode()


class FakeConsole(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


def test_a_narrow_console_shows_a_mark_instead_of_failing() -> None:
    raw = io.BytesIO()
    stream = FakeConsole(raw, encoding="ascii", newline="\n")
    prepare(stream)
    stream.write("宁波 GmbH\n")
    stream.flush()
    assert raw.getvalue() == b"?? GmbH\n"


def test_a_utf8_console_is_left_as_it_is() -> None:
    stream = FakeConsole(io.BytesIO(), encoding="utf-8", newline="\r\n")
    prepare(stream)
    assert (stream.encoding, stream.errors) == ("utf-8", "strict")


def test_pythonioencoding_is_the_users_choice(tmp_path: Path) -> None:
    result = run_piped(["--help"], tmp_path, code_page=None, PYTHONIOENCODING="cp1252:replace")
    assert result.returncode == 0
    assert b"under ??/ (Customers/)" in result.stdout  # 客户, as the user asked
