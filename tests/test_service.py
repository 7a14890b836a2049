"""`service install|uninstall|status`: the service files parsed back, and the service
manager played by a fake `systemctl` on PATH (tests never touch the real one)."""

from __future__ import annotations

import json
import os
import plistlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import Invoke
from helpers import WINDOWS, assert_error, assert_ok, needs_byte_names, read_tree

from folder_kit.timeline.watcher_lock import WatcherInfo, WatcherLock
from folder_kit.watch import service as svc
from folder_kit.watch.log import log_path, open_log

# A workspace name systemd must not expand, with a '"' it must escape where a name
# may hold one (Windows forbids it).
ODD = "My 100% Sales $HOME 'quoted'" if WINDOWS else 'My 100% Sales $HOME "quoted"'


@pytest.fixture
def root(tmp_path: Path, workspace: Path) -> Path:
    target = tmp_path / ODD
    workspace.rename(target)
    return target


@pytest.mark.skipif(WINDOWS, reason="a systemd unit names a POSIX path, with a '\"' to escape")
def test_the_systemd_unit_quotes_the_command_for_systemd(root: Path, tmp_path: Path) -> None:
    plan = svc.plan(root, platform="linux", env={"FOLDER_KIT_STATE": str(tmp_path / "s")})
    text = plan.shown()
    odd = f'{root.parent}/My 100%% Sales $$HOME \\"quoted\\"'
    assert f'ExecStart="{sys.executable}" "-m" "folder_kit" "-w" "{odd}" "watch" "--log"' in text
    assert "WantedBy=default.target" in text and "Restart=on-failure" in text


def _unit_arguments(line: str) -> list[bytes]:
    """ExecStart's arguments as systemd reads them: quoted, with C escapes."""
    out: list[bytes] = []
    for arg in re.findall(r'"((?:[^"\\]|\\.)*)"', line):
        raw = re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), arg)
        raw = raw.replace('\\"', '"').replace("\\\\", "\\").replace("$$", "$").replace("%%", "%")
        out.append(
            raw.encode("latin-1") if raw.isascii() or max(map(ord, raw)) < 256 else raw.encode()
        )
    return out


@needs_byte_names
@pytest.mark.parametrize(
    "name", [b"Line\nBreak\nExecStartPre=false", b"\xc4\xe3\xba\xc3 ws", b"tab\there\r"]
)
def test_the_systemd_unit_keeps_a_hostile_workspace_name_in_its_argument(
    tmp_path: Path, workspace: Path, name: bytes
) -> None:
    """A line break must not start a new setting; bytes that are not UTF-8 reach
    the watcher as those bytes (systemd drops a line that is not UTF-8)."""
    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + name))
    workspace.rename(root)
    plan = svc.plan(root, platform="linux", env={"FOLDER_KIT_STATE": str(tmp_path / "s")})
    text = plan.content.decode("utf-8")  # strict: the whole unit is UTF-8
    keys = [line.split("=")[0] for line in text.splitlines() if line and line[0] not in "#["]
    assert keys == [
        "Description",
        "Type",
        "ExecStart",
        "Environment",
        "Environment",
        "Restart",
        "RestartSec",
        "StandardOutput",
        "WantedBy",
    ]
    (exec_start,) = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    args = _unit_arguments(exec_start)
    assert args[3:5] == [b"-w", os.fsencode(root)]


@needs_byte_names
def test_report_html_of_a_workspace_whose_name_is_not_utf8(
    invoke: Invoke, tmp_path: Path, workspace: Path
) -> None:
    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/\xc4\xe3\xba\xc3 ws"))
    workspace.rename(root)
    page = tmp_path / "report.html"
    assert_ok(invoke("-w", str(root), "report", "--html", str(page)))
    shown = os.fsencode(root.name).decode("utf-8", "replace")
    assert shown.startswith("\ufffd") and f" · {shown} · " in page.read_text(encoding="utf-8")
    assert_ok(invoke("-w", str(root), "service", "install", "--dry-run"))


def test_the_systemd_unit_passes_systemd_analyze_verify(root: Path, tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    plan = svc.plan(root, platform="linux", env={"FOLDER_KIT_STATE": str(tmp_path / "s")})
    unit = tmp_path / "units" / plan.path.name
    unit.parent.mkdir()
    unit.write_bytes(plan.content)
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    if "Failed to initialize manager" in done.stderr:
        pytest.skip(f"systemd-analyze cannot run here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_the_launch_agent_parses_back(root: Path, tmp_path: Path) -> None:
    home = tmp_path / "mac-home"
    state = {"FOLDER_KIT_STATE": str(tmp_path / "state")}
    plan = svc.plan(root, platform="darwin", env=state, home=home, python="/usr/bin/python3")
    assert plan.path.parent == home / "Library" / "LaunchAgents"
    data = plistlib.loads(plan.content)
    assert data["Label"] == plan.path.name.removesuffix(".plist")
    assert data["ProgramArguments"] == [
        "/usr/bin/python3", "-m", "folder_kit", "-w", str(root), "watch", "--log"
    ]  # fmt: skip
    assert data["RunAtLoad"] is True and data["KeepAlive"] == {"SuccessfulExit": False}
    assert plan.commands[0][:2] == ["launchctl", "bootstrap"]


def test_the_task_scheduler_xml_parses_back(root: Path, tmp_path: Path) -> None:
    plan = svc.plan(
        root, platform="win32",
        env={"USERNAME": "lilei", "USERDOMAIN": "OFFICE", "FOLDER_KIT_STATE": str(tmp_path)},
        python=r"C:\Python312\python.exe",
    )  # fmt: skip
    assert plan.content.startswith(b"\xff\xfe")  # UTF-16, as schtasks /XML wants
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    task = ET.fromstring(plan.content.decode("utf-16").split("\n", 1)[1])
    assert task.findtext("t:Triggers/t:LogonTrigger/t:UserId", namespaces=ns) == r"OFFICE\lilei"
    assert task.findtext("t:Actions/t:Exec/t:Command", namespaces=ns) == r"C:\Python312\python.exe"
    arguments = task.findtext("t:Actions/t:Exec/t:Arguments", namespaces=ns)
    assert arguments == f'-m folder_kit -w "{root}" watch --log'.replace('"quoted"', '\\"quoted\\"')
    assert plan.commands == [
        ["schtasks", "/Create", "/TN", plan.name, "/XML", str(plan.path), "/F"]
    ]


@pytest.fixture
def systemctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake `systemctl` first on PATH that logs its arguments, one JSON list a line."""
    if sys.platform == "win32":
        pytest.skip("a shell script as systemctl")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "systemctl-calls"
    script = bin_dir / "systemctl"
    script.write_text(
        "#!/bin/sh\n"
        f'{sys.executable} -c \'import json, sys; print(json.dumps(sys.argv[1:]))\' "$@" >> "{calls}"\n'
        'if [ "$2" = show-environment ] && [ -n "$NO_SESSION" ]; then\n'
        '  echo "Failed to connect to bus: No medium found" >&2; exit 1\nfi\n'
        'if [ "$2" = is-active ]; then echo active; fi\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(sys, "platform", "linux")
    return calls


def calls_of(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_install_status_uninstall_with_systemd(
    invoke: Invoke, workspace: Path, systemctl: Path, tmp_path: Path
) -> None:
    unit_dir = tmp_path / "home" / ".config" / "systemd" / "user"
    result = invoke("-w", str(workspace), "service", "install")
    assert_ok(result)
    [unit] = list(unit_dir.iterdir())
    name = unit.name
    assert result.stdout.splitlines()[0] == f"Wrote {unit}"
    assert calls_of(systemctl) == [
        ["--user", "show-environment"],
        ["--user", "daemon-reload"],
        ["--user", "enable", "--now", name],
    ]
    result = invoke("-w", str(workspace), "service", "status")
    assert_ok(result)
    assert result.stdout.splitlines()[:2] == [
        f"Service: installed, active ({unit})",
        "Watcher: not running",
    ]
    result = invoke("-w", str(workspace), "service", "uninstall")
    assert_ok(result)
    assert not unit.exists()
    assert calls_of(systemctl)[-2:] == [
        ["--user", "disable", "--now", name],
        ["--user", "daemon-reload"],
    ]


def test_no_systemd_user_session_is_one_error_and_nothing_written(
    invoke: Invoke,
    workspace: Path,
    systemctl: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_SESSION", "1")
    home = read_tree(tmp_path / "home")
    assert_error(
        invoke("-w", str(workspace), "service", "install"),
        "Error: there is no systemd user session here (systemctl --user: Failed to connect "
        "to bus: No medium found); run `folder-kit watch` in a terminal instead, or add "
        "that command to your desktop's startup programs",
    )
    assert read_tree(tmp_path / "home") == home


def test_dry_run_shows_the_file_and_writes_nothing(
    invoke: Invoke, workspace: Path, systemctl: Path, tmp_path: Path
) -> None:
    before = read_tree(tmp_path, exclude=("systemctl-calls",))
    result = invoke("-w", str(workspace), "service", "install", "--dry-run")
    assert_ok(result)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Would write {tmp_path / 'home' / '.config' / 'systemd' / 'user'}")
    assert "[Service]" in lines and lines[-1].startswith("Would run: systemctl --user enable --now")
    assert read_tree(tmp_path, exclude=("systemctl-calls",)) == before
    assert calls_of(systemctl) == []
    result = invoke("-w", str(workspace), "service", "uninstall", "--dry-run")
    assert_ok(result)
    assert result.stdout.startswith("No service installed for ")


def test_a_workspace_path_with_an_escape_sequence_is_shown_never_sent(
    invoke: Invoke, tmp_path: Path, systemctl: Path
) -> None:
    root = tmp_path / "ws \x1b]0;pwned\x07"
    assert_ok(invoke("init", str(root)))
    for args in (["install", "--dry-run"], ["uninstall", "--dry-run"], ["status"]):
        result = invoke("-w", str(root), "service", *args)
        assert_ok(result)
        assert "\x1b" not in result.output and "\x07" not in result.output, args
        if args[0] != "status":  # status names the unit and the log, not the workspace
            assert "ws \\x1b]0;pwned\\x07" in result.output, args


def test_status_names_the_running_watcher_and_shows_its_log(
    invoke: Invoke, workspace: Path, systemctl: Path
) -> None:
    log = open_log(workspace)
    log.info("10:42  in     ACME GmbH      IN/Re quotation.eml")
    for handler in log.handlers:
        handler.flush()
    info = WatcherInfo(
        pid=4242, started="2026-12-01T09:00:00+08:00", last_reconcile="2026-12-01T09:30:00+08:00",
        reason="timer", events=12,
    )  # fmt: skip
    with WatcherLock(workspace) as lock:
        lock.acquire(info)
        result = invoke("-w", str(workspace), "service", "status")
    assert_ok(result)
    lines = result.stdout.splitlines()
    assert lines[1:5] == [
        "Watcher: running, PID 4242, since 2026-12-01T09:00:00+08:00",
        "Last full reconcile: 2026-12-01T09:30:00+08:00 (timer)",
        "Events in the index: 0",
        f"Log: {log_path(workspace)}, last lines:",
    ]
    assert lines[5].endswith(" 10:42  in     ACME GmbH      IN/Re quotation.eml")


def test_status_shows_an_escape_sequence_in_the_log_and_never_sends_it(
    invoke: Invoke, workspace: Path, systemctl: Path
) -> None:
    log = open_log(workspace)  # as a watcher before the fix wrote it: the name raw
    log.info("10:42  in     ACME GmbH      IN/Re \x1b]0;pwned\x07.eml")
    for handler in log.handlers:
        handler.flush()
    result = invoke("-w", str(workspace), "service", "status")
    assert_ok(result)
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert result.stdout.splitlines()[-1].endswith(" IN/Re \\x1b]0;pwned\\x07.eml")
