"""What a menu entry runs when it is clicked: `folder-kit integrate run ACTION FOLDER...`.

A file manager gives the command no terminal and no sensible working folder,
so this runs the real command (``folder-kit draft FOLDER --open``, ``folder-kit
timeline FOLDER``) from inside each selected folder, where the workspace is
found as in a terminal, and shows what would have gone to the terminal in a
message box: an ``Error:`` line, the draft's warnings. The timeline, being a
table to read, is written to a text file and opened.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from folder_kit.integrate.entries import Action
from folder_kit.kept import state_base

# Where Nautilus, Nemo and Caja put the selection (one path a line), and the
# folder shown when nothing is selected (a URI).
SELECTION_VARIABLES = tuple(f"{m}_SCRIPT_SELECTED_FILE_PATHS" for m in ("NAUTILUS", "NEMO", "CAJA"))
CURRENT_VARIABLES = tuple(f"{m}_SCRIPT_CURRENT_URI" for m in ("NAUTILUS", "NEMO", "CAJA"))
TIMELINES = "timelines"  # in the state folder: the files "Show timeline" opens
TITLE = "folder-kit"


def selected_paths(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    platform: str = sys.platform,
) -> list[Path]:
    """The paths the entry was run on: the arguments, else the file manager's
    selection variables, else the folder it shows, else the working folder."""
    paths = [a for a in args if a]
    for variable in SELECTION_VARIABLES:
        if not paths:
            paths = [line for line in env.get(variable, "").split("\n") if line]
    for variable in CURRENT_VARIABLES:
        uri = urlparse(env.get(variable, ""))
        if not paths and uri.scheme == "file":
            paths = [url2pathname(unquote(uri.path))]
    if platform == "win32":
        # Explorer's "%V" of a drive's root is `"C:\"`, which reads back as `C:"`;
        # no Windows name holds a '"'.
        paths = [p.rstrip('"') for p in paths]
    return [cwd / p for p in paths] or [cwd]


@dataclass(frozen=True)
class Outcome:
    """What one run of the command on one folder gave."""

    path: Path
    returncode: int
    errors: list[str]  # Error: lines, or all it said on stderr when it failed
    warnings: list[str]
    opened: Path | None = None


@dataclass
class Launch:
    """How the commands run and speak; the tests give their own ``open``."""

    python: str = sys.executable
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    open: Callable[[Path], None] | None = None


def _child_env(env: Mapping[str, str]) -> dict[str, str]:
    out = dict(env)
    out["PYTHONIOENCODING"] = "utf-8"  # a pipe on Windows is the ANSI code page otherwise
    return out


def _run(launch: Launch, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console for the child
    return subprocess.run(
        [launch.python, "-m", "folder_kit", *args],
        cwd=cwd,
        env=_child_env(launch.env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        creationflags=flags,
        check=False,
    )


def _where(path: Path) -> Path:
    """The folder to run from: the path itself, or the folder of a selected file."""
    return path if path.is_dir() else path.parent


def _said(process: subprocess.CompletedProcess[str]) -> tuple[list[str], list[str]]:
    lines = [line for line in process.stderr.splitlines() if line.strip()]
    warnings = [line for line in lines if line.startswith("Warning:")]
    errors = [line for line in lines if not line.startswith("Warning:")]
    if process.returncode != 0 and not errors:
        errors = [f"Error: folder-kit stopped with exit code {process.returncode}"]
    return (errors if process.returncode != 0 else []), warnings


def timeline_file(path: Path, env: Mapping[str, str]) -> Path:
    """Where "Show timeline" writes the timeline of the customer folder at ``path``
    (one file per customer, written again each time)."""
    return state_base(env=dict(env)) / TIMELINES / f"{path.name or 'timeline'}.txt"


def run(action: Action, paths: Sequence[Path], *, launch: Launch) -> list[Outcome]:
    """Run ``action`` on each path; nothing is shown here (see ``tell``)."""
    outcomes = []
    for path in paths:
        if not path.exists():
            outcomes.append(Outcome(path, 1, [f"Error: {path} is not there"], []))
            continue
        folder = _where(path)
        if action == "draft":
            done = _run(launch, ["draft", str(path), "--open"], folder)
            errors, warnings = _said(done)
            if errors:  # written but not opened (no mail program): say where it is
                errors = [
                    line for line in done.stdout.splitlines()[:1] if line.startswith("Wrote ")
                ] + errors
            outcomes.append(Outcome(path, done.returncode, errors, warnings))
            continue
        done = _run(launch, ["timeline", str(path)], folder)
        errors, warnings = _said(done)
        opened = None
        if done.returncode == 0:
            opened = timeline_file(folder, launch.env)
            opened.parent.mkdir(parents=True, exist_ok=True)
            text = f"{folder.name}\n{folder}\n\n{done.stdout}"
            # With a BOM: Notepad and TextEdit then read it as UTF-8, Chinese names too.
            tmp = opened.with_name(f".{opened.name}.tmp")
            tmp.write_text(text, encoding="utf-8-sig", newline="\r\n" if os.name == "nt" else "\n")
            os.replace(tmp, opened)
            (launch.open or _open_with_system)(opened)
        outcomes.append(Outcome(path, done.returncode, errors, warnings, opened))
    return outcomes


def _open_with_system(path: Path) -> None:
    from folder_kit.drafts.opener import open_with_system

    open_with_system(path)


def message(outcomes: Sequence[Outcome]) -> tuple[str, bool] | None:
    """What to show after the runs: (text, is an error), or None when all went well
    with nothing to say (the draft is open in the mail program by then)."""
    lines: list[str] = []
    failed = any(o.returncode != 0 for o in outcomes)
    for o in outcomes:
        said = o.errors + o.warnings
        if said:
            if len(outcomes) > 1:
                lines.append(f"{o.path.name}:")
            lines += said
    return ("\n".join(lines), failed) if lines else None


def tell(
    text: str,
    *,
    error: bool,
    platform: str = sys.platform,
    which: Callable[[str], str | None] = shutil.which,
) -> bool:
    """Show ``text`` in a message box (a notification at least); False when there is
    no way to show it here. It goes to stderr too, which a file manager may log."""
    print(text, file=sys.stderr)
    if platform == "win32":
        import ctypes

        flags = 0x10 if error else 0x40  # MB_ICONERROR, MB_ICONINFORMATION
        ctypes.windll.user32.MessageBoxW(None, text, TITLE, flags)  # type: ignore[attr-defined]
        return True
    commands = _dialog_commands(text, error=error, platform=platform)
    for command in commands:
        if which(command[0]) is None:
            continue
        try:
            subprocess.run(command, stdin=subprocess.DEVNULL, check=False, timeout=3600)
        except (OSError, subprocess.SubprocessError):
            continue
        return True
    return False


def _dialog_commands(text: str, *, error: bool, platform: str) -> list[list[str]]:
    """Ways to show a message box, best first; the text always as one argument."""
    if platform == "darwin":
        kind = "as critical" if error else ""
        script = (
            f"on run argv\ndisplay alert (item 1 of argv) message (item 2 of argv) {kind}\nend run"
        )
        return [["osascript", "-e", script, TITLE, text]]
    return [
        [
            "zenity",
            "--error" if error else "--info",
            "--no-markup",
            f"--title={TITLE}",
            f"--text={text}",
        ],
        ["kdialog", f"--title={TITLE}", "--error" if error else "--msgbox", text],
        ["notify-send", "--app-name=folder-kit", TITLE, text],
        ["xmessage", "-center", f"{TITLE}:\n{text}"],
    ]
