"""The Task Scheduler task of `service install` on Windows, checked where Wine cannot:
its XML against the Task Scheduler schema (tests/data/taskschd/, see the NOTICE
there), and its command line as Windows splits it back into arguments."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from subprocess import list2cmdline

import pytest
import xmlschema
from hypothesis import given
from hypothesis import strategies as st

from folder_kit.watch import service as svc

SCHEMA_FILE = Path(__file__).parent / "data" / "taskschd" / "TaskSchedulerV2Schema.xsd"
NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
# Not where any test machine keeps a pythonw.exe, so the command keeps python.exe.
PYTHON = r"D:\Tools\Python 3.12\python.exe"
ENV = {"USERNAME": "zhangwei", "USERDOMAIN": "OFFICE"}

ROOTS = {
    "plain": r"C:\Users\lilei\Documents\sales",
    "spaces": r"C:\Users\Li Lei\My Documents\Sales 2027",
    "chinese": r"C:\Users\张伟\Documents\销售",
    "ampersand": r"D:\Müller & Söhne\Vertrieb",
    "less-than": r"D:\<draft> sales",
    "quotes": r'D:\the "big" one\it\'s',
    "backslashes before a quote": 'D:\\odd\\\\"x\\',
    "percent": r"D:\100% Sales",
    "very long": "C:\\Users\\张伟\\" + "\\".join(["客户资料 Customer files"] * 20),
}


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema11:
    # XSD 1.1: WnfStateChangeTrigger's xs:any breaks 1.0's unique particle attribution.
    return xmlschema.XMLSchema11(str(SCHEMA_FILE))


def task_bytes(root: str, tmp_path: Path, *, python: str = PYTHON) -> bytes:
    env = {**ENV, "FOLDER_KIT_STATE": str(tmp_path / "state")}
    plan = svc.plan(Path(root), platform="win32", env=env, python=python)
    assert plan.manager == "schtasks"
    return plan.content


def parse(content: bytes) -> ET.Element:
    """The document as a parser reads the file: from its bytes, by its declaration."""
    return ET.fromstring(content)


def windows_argv(line: str) -> list[str]:
    """Split a command line's arguments as the Microsoft C runtime does for a program's
    argv (the rules of "Parsing C command-line arguments"; CommandLineToArgvW agrees
    on all of them but the doubled quote inside quotes): whitespace is a space or a
    tab; "..." groups; 2n backslashes before a quote are n and the quote delimits,
    2n+1 are n and a literal quote; other backslashes are literal."""
    args: list[str] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            return args
        arg: list[str] = []
        quoted = False
        while i < n:
            c = line[i]
            if c == "\\":
                j = i
                while j < n and line[j] == "\\":
                    j += 1
                count = j - i
                if j < n and line[j] == '"':
                    arg.append("\\" * (count // 2))
                    if count % 2:
                        arg.append('"')
                        j += 1
                else:
                    arg.append("\\" * count)
                i = j
            elif c == '"':
                if quoted and i + 1 < n and line[i + 1] == '"':
                    arg.append('"')  # "" inside quotes: a quote, and still quoted
                    i += 2
                else:
                    quoted = not quoted
                    i += 1
            elif c in " \t" and not quoted:
                break
            else:
                arg.append(c)
                i += 1
        args.append("".join(arg))


# The examples of Microsoft's "Parsing C command-line arguments" table.
DOCUMENTED = [
    ('"a b c" d e', ["a b c", "d", "e"]),
    ('"ab\\"c" "\\\\" d', ['ab"c', "\\", "d"]),
    ('a\\\\\\b d"e f"g h', ["a\\\\\\b", "de fg", "h"]),
    ('a\\\\\\"b c d', ['a\\"b', "c", "d"]),
    ('a\\\\\\\\"b c" d e', ["a\\\\b c", "d", "e"]),
    ('a"b"" c d', ['ab" c d']),
]


@pytest.mark.parametrize(("line", "argv"), DOCUMENTED)
def test_the_splitter_follows_the_documented_examples(line: str, argv: list[str]) -> None:
    assert windows_argv(line) == argv


@pytest.mark.skipif(sys.platform != "win32", reason="CommandLineToArgvW is Windows'")
@pytest.mark.parametrize(("line", "argv"), DOCUMENTED[:-1])  # "" in quotes: shell32 differs
def test_the_splitter_agrees_with_command_line_to_argv(line: str, argv: list[str]) -> None:
    import ctypes
    from ctypes import wintypes

    split = ctypes.windll.shell32.CommandLineToArgvW  # type: ignore[attr-defined]
    split.argtypes = [wintypes.LPCWSTR, ctypes.POINTER(ctypes.c_int)]
    split.restype = ctypes.POINTER(wintypes.LPWSTR)
    count = ctypes.c_int()
    # A program name first: shell32 reads the first word by other rules.
    words = split(f"prog.exe {line}", ctypes.byref(count))
    try:
        assert [words[k] for k in range(1, count.value)] == argv
    finally:
        ctypes.windll.kernel32.LocalFree(words)  # type: ignore[attr-defined]


@given(st.lists(st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\0"))))
def test_list2cmdline_splits_back_into_the_same_arguments(args: list[str]) -> None:
    assert windows_argv(list2cmdline(args)) == args


@pytest.mark.parametrize("root", ROOTS.values(), ids=ROOTS.keys())
def test_the_task_validates_against_the_task_scheduler_schema(
    root: str, schema: xmlschema.XMLSchema11, tmp_path: Path
) -> None:
    task = parse(task_bytes(root, tmp_path))
    errors = [str(e).splitlines()[0] for e in schema.iter_errors(task)]
    assert errors == []


@pytest.mark.parametrize("root", ROOTS.values(), ids=ROOTS.keys())
def test_the_task_runs_the_watcher_on_that_workspace(root: str, tmp_path: Path) -> None:
    task = parse(task_bytes(root, tmp_path))
    assert task.findtext("t:Actions/t:Exec/t:Command", namespaces=NS) == PYTHON
    arguments = task.findtext("t:Actions/t:Exec/t:Arguments", namespaces=NS)
    assert arguments is not None
    # What python.exe gets in sys.argv[1:] when the task starts it.
    assert windows_argv(arguments) == [
        "-m", "folder_kit", "-w", str(Path(root)), "watch", "--log"
    ]  # fmt: skip


def test_the_file_is_utf16_with_a_bom_and_says_so(tmp_path: Path) -> None:
    content = task_bytes(ROOTS["chinese"], tmp_path)
    assert content[:2] == b"\xff\xfe"  # little-endian BOM: schtasks /XML reads it
    text = content[2:].decode("utf-16-le")
    assert text.startswith('<?xml version="1.0" encoding="UTF-16"?>\n<Task version="1.2" ')
    assert "\ufeff" not in text  # one BOM, at the start
    assert "销售" in text
    # The declaration must match the bytes: a parser that believes it reads them back.
    assert parse(content).findtext("t:RegistrationInfo/t:Description", namespaces=NS)


def test_a_declaration_that_lies_about_the_encoding_is_caught(tmp_path: Path) -> None:
    """The check above can fail: UTF-16 bytes that declare UTF-8 do not parse."""
    text = task_bytes(ROOTS["plain"], tmp_path).decode("utf-16")
    lying = text.replace('encoding="UTF-16"', 'encoding="UTF-8"').encode("utf-16")
    with pytest.raises(ET.ParseError):
        parse(lying)


def _task_text(tmp_path: Path) -> str:
    return task_bytes(ROOTS["spaces"], tmp_path).decode("utf-16")


BROKEN = {
    # Within a trigger the common elements come before the trigger's own (a sequence).
    "trigger elements out of order": (
        r"<Enabled>true</Enabled>(<UserId>[^<]*</UserId>)",
        r"\1<Enabled>true</Enabled>",
    ),
    "a duration without its P": ("<ExecutionTimeLimit>PT0S<", "<ExecutionTimeLimit>0S<"),
    "a restart interval below a minute": ("<Interval>PT1M<", "<Interval>PT30S<"),
    "a boolean spelt True": (
        "<StopIfGoingOnBatteries>false<",
        "<StopIfGoingOnBatteries>False<",
    ),
    "an unknown policy": ("IgnoreNew", "Ignore"),
    "a context naming no principal": ('Context="Author"', 'Context="Someone"'),
    "a setting outside Settings": (
        "<Settings>\n    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>",
        "<MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy><Settings>",
    ),
    "an empty user": (r"<UserId>[^<]*</UserId></LogonTrigger>", "<UserId></UserId></LogonTrigger>"),
}


@pytest.mark.parametrize(("pattern", "replacement"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_task_fails_validation(
    pattern: str, replacement: str, schema: xmlschema.XMLSchema11, tmp_path: Path
) -> None:
    text = _task_text(tmp_path)
    broken, count = re.subn(pattern, replacement, text, count=1)
    assert count == 1, "the test no longer finds what it breaks"
    assert not schema.is_valid(parse(broken.encode("utf-16")))


def test_a_command_longer_than_max_path_fails_validation(
    schema: xmlschema.XMLSchema11, tmp_path: Path
) -> None:
    """Command is a pathType: at most 260 characters. (The workspace, in the
    arguments, has no such limit.)"""
    python = "C:\\" + "p" * 249 + "\\python.exe"
    assert len(python) == 263
    assert not schema.is_valid(parse(task_bytes(ROOTS["plain"], tmp_path, python=python)))
