"""Running the watcher at login: a systemd user unit, a LaunchAgent or a scheduled task.

Each service runs ``python -m folder_kit -w ROOT watch --log`` with the Python
that installed it, so it works from any virtual environment; the watcher logs to
its rotating file in the state folder. One service per workspace, named after the
workspace's state folder. The file contents are built by pure functions (tested
by parsing them back); ``install``/``uninstall`` write them and ask the OS's
service manager to start or stop the watcher.
"""

from __future__ import annotations

import os
import plistlib
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

from folder_kit.errors import ServiceError, visible
from folder_kit.kept import ENV_STATE
from folder_kit.timeline.state import state_dir

Manager = Literal["systemd", "launchd", "schtasks"]

FALLBACK_HINT = (
    "run `folder-kit watch` in a terminal instead, or add that command to your "
    "desktop's startup programs"
)


@dataclass(frozen=True)
class Plan:
    """What installing (or removing) the service means on this system."""

    manager: Manager
    name: str
    path: Path  # the service file
    content: bytes
    commands: list[list[str]] = field(default_factory=list)  # run after writing / before removing

    def shown(self) -> str:
        return self.content.decode("utf-16" if self.manager == "schtasks" else "utf-8")


def manager_of(platform: str = sys.platform) -> Manager:
    if platform == "darwin":
        return "launchd"
    if platform == "win32":
        return "schtasks"
    return "systemd"


def watch_command(
    root: Path, *, python: str = sys.executable, platform: str = sys.platform
) -> list[str]:
    """The command the service runs."""
    if platform == "win32":
        windowless = Path(python).with_name("pythonw.exe")
        if windowless.exists():  # no console window at every login
            python = str(windowless)
    return [python, "-m", "folder_kit", "-w", str(root), "watch", "--log"]


def service_name(root: Path) -> str:
    return f"folder-kit-watch-{state_dir(root).name[:8]}"


def _environment(env: Mapping[str, str]) -> dict[str, str]:
    out = {"PYTHONUNBUFFERED": "1"}
    if env.get(ENV_STATE):
        out[ENV_STATE] = str(Path(env[ENV_STATE]).absolute())
    return out


# Characters that must not reach a unit file as they are: a line break would
# start a new setting, and a byte that is not UTF-8 makes systemd drop the line.
_UNIT_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _unit_bytes(match: re.Match[str]) -> str:
    """The character's bytes (a name's undecodable byte itself) as systemd's ``\\xNN``."""
    raw = match.group().encode("utf-8", "surrogateescape")
    return "".join(f"\\x{b:02x}" for b in raw)


def _systemd_quote(arg: str) -> str:
    quoted = '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return _UNIT_UNSAFE.sub(_unit_bytes, quoted.replace("%", "%%").replace("$", "$$"))


def systemd_unit(root: Path, command: Sequence[str], env: Mapping[str, str]) -> str:
    environment = "".join(
        f"Environment={_systemd_quote(f'{k}={v}')}\n" for k, v in _environment(env).items()
    )
    return (
        "# Written by `folder-kit service install`; `folder-kit service uninstall` removes it.\n"
        "[Unit]\n"
        f"Description=folder-kit watcher for {visible(str(root)).replace('%', '%%')}\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f"ExecStart={' '.join(_systemd_quote(a) for a in command)}\n"
        f"{environment}"
        "Restart=on-failure\n"
        "RestartSec=10\n"
        "# What the watcher says goes to its rotating log in the state folder.\n"
        "StandardOutput=null\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def launch_agent(label: str, command: Sequence[str], env: Mapping[str, str], errors: Path) -> bytes:
    return plistlib.dumps(
        {
            "Label": label,
            "ProgramArguments": list(command),
            "EnvironmentVariables": _environment(env),
            "RunAtLoad": True,
            "KeepAlive": {"SuccessfulExit": False},
            "StandardOutPath": "/dev/null",
            "StandardErrorPath": str(errors),
            "ProcessType": "Background",
        }
    )


def task_xml(name: str, command: Sequence[str], user: str) -> str:
    from subprocess import list2cmdline

    return (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">\n'
        "  <RegistrationInfo>\n"
        f"    <Description>{escape(name)}: folder-kit watcher, started at logon</Description>\n"
        "  </RegistrationInfo>\n"
        "  <Triggers>\n"
        f"    <LogonTrigger><Enabled>true</Enabled><UserId>{escape(user)}</UserId></LogonTrigger>\n"
        "  </Triggers>\n"
        "  <Principals>\n"
        f'    <Principal id="Author"><UserId>{escape(user)}</UserId>'
        "<LogonType>InteractiveToken</LogonType><RunLevel>LeastPrivilege</RunLevel></Principal>\n"
        "  </Principals>\n"
        "  <Settings>\n"
        "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\n"
        "    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\n"
        "    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>\n"
        "    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>\n"
        "    <RestartOnFailure><Interval>PT1M</Interval><Count>3</Count></RestartOnFailure>\n"
        "  </Settings>\n"
        '  <Actions Context="Author">\n'
        "    <Exec>\n"
        f"      <Command>{escape(command[0])}</Command>\n"
        f"      <Arguments>{escape(list2cmdline(command[1:]))}</Arguments>\n"
        "    </Exec>\n"
        "  </Actions>\n"
        "</Task>\n"
    )


def plan(
    root: Path,
    *,
    platform: str = sys.platform,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
    python: str = sys.executable,
) -> Plan:
    """The service file for this workspace on ``platform``, and the commands that
    start it (``Plan.commands``)."""
    env = dict(os.environ) if env is None else env
    home = Path.home() if home is None else home
    manager = manager_of(platform)
    name = service_name(root)
    command = watch_command(root, python=python, platform=platform)
    if manager == "systemd":
        config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
        path = config / "systemd" / "user" / f"{name}.service"
        content = systemd_unit(root, command, env).encode("utf-8")
        commands = [
            ["systemctl", "--user", "daemon-reload"],
            ["systemctl", "--user", "enable", "--now", f"{name}.service"],
        ]
    elif manager == "launchd":
        label = f"io.github.folder-kit.{name}"
        path = home / "Library" / "LaunchAgents" / f"{label}.plist"
        errors = state_dir(root, env=dict(env)) / "watch.err.log"
        content = launch_agent(label, command, env, errors)
        uid = os.getuid() if hasattr(os, "getuid") else 0
        commands = [["launchctl", "bootstrap", f"gui/{uid}", str(path)]]
    else:
        user = (
            env.get("USERDOMAIN", "") + "\\" + env.get("USERNAME", "")
            if env.get("USERNAME")
            else ""
        )
        path = state_dir(root, env=dict(env)) / f"{name}.xml"
        content = task_xml(name, command, user or "INTERACTIVE").encode("utf-16")
        commands = [["schtasks", "/Create", "/TN", name, "/XML", str(path), "/F"]]
    return Plan(manager, name, path, content, commands)


def removal_commands(p: Plan) -> list[list[str]]:
    if p.manager == "systemd":
        return [["systemctl", "--user", "disable", "--now", f"{p.name}.service"]]
    if p.manager == "launchd":
        uid = os.getuid() if hasattr(os, "getuid") else 0
        return [["launchctl", "bootout", f"gui/{uid}", str(p.path)]]
    # Deleting a task leaves its running instance running: /End first. The CLI has
    # asked the watcher to stop cleanly before (request_stop); /End is the fallback.
    return [["schtasks", "/End", "/TN", p.name], ["schtasks", "/Delete", "/TN", p.name, "/F"]]


def _run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            list(command), capture_output=True, text=True, timeout=60, check=False
        )
    except OSError as e:
        return subprocess.CompletedProcess(list(command), 127, "", str(e))


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no output"


def check_manager(p: Plan) -> None:
    """Raise ServiceError when this system cannot run the service (no systemd user
    session, say), before anything is written."""
    tool = p.commands[0][0]
    if shutil.which(tool) is None:
        raise ServiceError(reason=f"{tool} is not on this system", hint=FALLBACK_HINT)
    if p.manager == "systemd":
        probe = _run(["systemctl", "--user", "show-environment"])
        if probe.returncode != 0:
            raise ServiceError(
                reason="there is no systemd user session here "
                f"(systemctl --user: {_first_line(probe.stderr or probe.stdout)})",
                hint=FALLBACK_HINT,
            )


def install(p: Plan) -> None:
    check_manager(p)
    p.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.path.with_name(f".{p.path.name}.tmp")
    tmp.write_bytes(p.content)
    os.replace(tmp, p.path)  # our own file: replaced whole, never half-written
    for command in p.commands:
        done = _run(command)
        if done.returncode != 0:
            raise ServiceError(
                reason=f"`{' '.join(command)}` failed ({_first_line(done.stderr or done.stdout)})",
                hint=f"the service file is at {p.path}; {FALLBACK_HINT}",
            )


def uninstall(p: Plan) -> bool:
    """Stop and remove the service; False when it was not installed."""
    if not p.path.exists():
        return False
    if shutil.which(removal_commands(p)[0][0]) is not None:
        for command in removal_commands(p):
            _run(command)  # not loaded any more is fine: the file goes either way
    p.path.unlink()
    if p.manager == "systemd" and shutil.which("systemctl") is not None:
        _run(["systemctl", "--user", "daemon-reload"])
    return True


def state_of(p: Plan) -> str:
    """What the service manager says of the service, in a word or two."""
    if not p.path.exists():
        return "not installed"
    if p.manager == "systemd":
        if shutil.which("systemctl") is None:
            return "installed"
        done = _run(["systemctl", "--user", "is-active", f"{p.name}.service"])
        return f"installed, {_first_line(done.stdout) if done.stdout.strip() else 'unknown'}"
    if p.manager == "launchd":
        uid = os.getuid() if hasattr(os, "getuid") else 0
        label = p.path.name.removesuffix(".plist")
        done = _run(["launchctl", "print", f"gui/{uid}/{label}"])
        return "installed, loaded" if done.returncode == 0 else "installed, not loaded"
    done = _run(["schtasks", "/Query", "/TN", p.name])
    return "installed" if done.returncode == 0 else "file written, task not registered"
