#!/usr/bin/env python3
"""Set up the dev environment in .venv, then run the demo or the whole test suite.

    python3 scripts/dev.py demo          # the CLI on a temporary copy of sample_workspace/
    python3 scripts/dev.py test [ARGS]   # ruff check, ruff format --check, mypy, pytest ARGS

Stdlib only, so it runs on a bare Python >= 3.11: it makes .venv itself, even where
Debian's python3 comes without venv/ensurepip or pip.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path

# `folder-kit -w <copy of sample_workspace/> STEP...`, run in order; append new commands here.
# "{workspace}" in a step is replaced by the copy's path.
DEMO_STEPS: list[list[str]] = [
    ["scan"],
    ["customer", "list"],
    ["timeline", "Rossi"],
    ["due", "--today", "2026-12-01"],
    ["check", "--today", "2026-12-01"],
    ["check", "Hartmann", "--today", "2026-12-01"],
    ["report", "--today", "2026-12-01", "--html", "{workspace}/report.html"],
    # The next follow-up as a draft: Christmas in ten days for a US buyer...
    ["draft", "Brightway", "--today", "2026-12-15"],
    # ...and a Chinese mail with the new price list attached, for a Chinese customer.
    ["draft", "宁波海讯", "--topic", "price-update", "--today", "2026-12-15"],
    # Sent from the mail client: file it into OUT, where it counts as the follow-up.
    ["sent", "客户/A-交易客户/Brightway Lighting Supply Inc/草稿/2026-12-15 holiday-greeting.eml"],
]

# Run in order from the repo root with the venv's tools; the first failure stops the run.
CHECKS: list[list[str]] = [
    ["ruff", "check", "."],
    ["ruff", "format", "--check", "."],
    ["mypy"],  # what to check is in pyproject.toml
    ["pytest"],
]

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
EXE = ".exe" if os.name == "nt" else ""
# Records what .venv was last installed from, so an unchanged pyproject.toml skips pip.
STAMP = VENV / "folder-kit-dev.json"
SAMPLE = ROOT / "sample_workspace"
PIP_JSON_URL = "https://pypi.org/pypi/pip/json"


class DevError(Exception):
    """A setup step failed; the message is one line saying what to do."""

    def __init__(self, message: str, *, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/dev.py", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("demo", help="run the CLI on a temporary copy of sample_workspace/")
    commands.add_parser("test", help="ruff check, ruff format --check, mypy, pytest [ARGS]")
    args, extra = parser.parse_known_args(argv)
    if args.command != "test" and extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        python = ensure_venv()
        install(python)
        return run_demo() if args.command == "demo" else run_checks(extra)
    except DevError as e:
        print(f"dev.py: error: {e}", file=sys.stderr)
        return e.code


# --- the virtual environment -------------------------------------------------


def tool(name: str) -> Path:
    return BIN / f"{name}{EXE}"


def ensure_venv() -> Path:
    """The venv's python: .venv reused when it works, else made anew."""
    python = tool("python")
    if VENV.exists():
        stamp = read_stamp()
        if stamp.get("root", str(ROOT)) != str(ROOT):
            # Scripts in a copied or moved venv still point at the old one.
            note(f".venv was made for {stamp['root']}; making a new one")
        elif quiet([python, "-c", "import pip"]) == 0:
            return python
        else:
            note(".venv is broken or has no pip; making a new one")
        shutil.rmtree(VENV)
    note(f"Making .venv with {sys.executable} (Python {sys.version.split()[0]})")
    try:
        create_venv()
    except BaseException:
        shutil.rmtree(VENV, ignore_errors=True)  # never leave a half-made venv behind
        raise
    return python


def create_venv() -> None:
    if make_venv() == 0:
        return
    # Debian's python3 makes the venv but has no ensurepip without python3-venv.
    shutil.rmtree(VENV, ignore_errors=True)
    if apt_install_venv():
        if make_venv() == 0:
            return
        shutil.rmtree(VENV, ignore_errors=True)
    if make_venv("--without-pip") != 0:
        raise DevError(
            f"{sys.executable} cannot make a virtual environment; install the venv module "
            f"(Debian/Ubuntu: apt-get install python3-venv)"
        )
    try:
        bootstrap_pip()
    except (OSError, ValueError, KeyError) as e:
        raise DevError(
            f"{sys.executable} has no ensurepip and pip could not be downloaded ({e}); "
            f"install Debian's python3-venv (apt-get install python3-venv) and run again"
        ) from e


def make_venv(*options: str) -> int:
    return quiet([sys.executable, "-m", "venv", *options, str(VENV)])


def apt_install_venv() -> bool:
    """Install Debian's venv package for this python, when we are root on apt with Debian's python."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        return False
    if not os.path.realpath(sys.executable).startswith("/usr/bin/"):
        return False  # a python of its own (pyenv, /usr/local): Debian's package won't help
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    note("Running apt-get update (this python3 needs Debian's venv package)")
    result = captured(["apt-get", "update"], env=env)
    if result.returncode != 0:
        sys.stderr.write(result.stdout)
        return False
    versioned = f"python3.{sys.version_info.minor}-venv"
    for package in (versioned, "python3-venv"):
        note(f"Running apt-get install -y {package}")
        result = captured(["apt-get", "install", "-y", package], env=env)
        if result.returncode == 0:
            return True
        sys.stderr.write(result.stdout)
    return False


def bootstrap_pip() -> None:
    """Put pip into a --without-pip venv from the pip wheel on PyPI, checked against its hash."""
    note(f"Downloading pip from {PIP_JSON_URL}")
    with urllib.request.urlopen(PIP_JSON_URL, timeout=60) as response:
        release = json.load(response)
        base = response.geturl()
    wheel = next((u for u in release["urls"] if u["packagetype"] == "bdist_wheel"), None)
    if wheel is None:
        raise ValueError(f"no pip wheel listed at {PIP_JSON_URL}")
    # A mirror may list files by relative URL.
    with urllib.request.urlopen(urllib.parse.urljoin(base, wheel["url"]), timeout=120) as response:
        data = response.read()
    if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
        raise ValueError(f"{wheel['filename']} does not match its sha256 on PyPI")
    with tempfile.TemporaryDirectory(prefix="folder-kit-pip-") as tmp:
        path = Path(tmp) / wheel["filename"]  # pip wants a wheel's own file name
        path.write_bytes(data)
        # A wheel is a zip that Python can import from: run the pip inside it to install itself.
        command = [
            str(tool("python")),
            f"{path}/pip",
            "install",
            "--quiet",
            "--no-index",
            str(path),
        ]
        result = captured(command)
    if result.returncode != 0:
        sys.stderr.write(result.stdout)
        raise ValueError(f"installing {wheel['filename']} failed")


# --- the project install -----------------------------------------------------


def install(python: Path) -> None:
    """`pip install -e '.[dev]'`, skipped while pyproject.toml is what was installed last."""
    want = {
        "root": str(ROOT),
        "pyproject_sha256": hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest(),
    }
    if read_stamp() == want:
        return
    note("Installing folder-kit and its dev tools into .venv (pip install -e '.[dev]')")
    command = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    result = captured([*command, "-e", ".[dev]"])
    if result.returncode != 0:
        sys.stderr.write(result.stdout)
        raise DevError(
            "pip install -e '.[dev]' failed (its output is above)", code=result.returncode
        )
    STAMP.write_text(json.dumps(want, indent=2) + "\n", encoding="utf-8")


def read_stamp() -> dict[str, str]:
    try:
        stamp = json.loads(STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


# --- the commands ------------------------------------------------------------


def run_demo() -> int:
    if not SAMPLE.is_dir():
        raise DevError(f"{SAMPLE} is missing")
    copy = Path(tempfile.mkdtemp(prefix="folder-kit-demo-"))
    # The committed sample is never touched: every step runs on this copy.
    shutil.copytree(SAMPLE, copy, symlinks=True, dirs_exist_ok=True)
    print(f"Demo workspace: {copy} (a copy of sample_workspace/)")
    for template in DEMO_STEPS:
        step = [arg.replace("{workspace}", str(copy)) for arg in template]
        code = show_and_run(
            ["folder-kit", *step], [str(tool("folder-kit")), "-w", str(copy), *step]
        )
        if code != 0:
            print(f"dev.py: demo step `folder-kit {' '.join(step)}` failed", file=sys.stderr)
            print(f"The demo workspace is kept at {copy}", file=sys.stderr)
            return code
    print(f"\nThe HTML report is at {copy / 'report.html'}")
    print(f"The demo workspace is at {copy}; try: {tool('folder-kit')} -w {copy} --help")
    return 0


def run_checks(pytest_args: Sequence[str]) -> int:
    for check in CHECKS:
        args = [*check, *pytest_args] if check[0] == "pytest" else check
        code = show_and_run(args, [str(tool(args[0])), *args[1:]])
        if code != 0:
            print(f"dev.py: `{' '.join(args)}` failed (exit code {code})", file=sys.stderr)
            return code
    return 0


def show_and_run(shown: Sequence[str], command: Sequence[str]) -> int:
    print(f"\n$ {' '.join(shown)}", flush=True)
    return subprocess.run(command, cwd=ROOT, stdin=subprocess.DEVNULL, check=False).returncode


# --- helpers -----------------------------------------------------------------


def note(message: str) -> None:
    print(f"dev.py: {message} ...", file=sys.stderr, flush=True)


def quiet(command: Sequence[str | Path]) -> int:
    return captured(command).returncode


def captured(
    command: Sequence[str | Path], *, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run with output kept for when it fails; a missing program is exit code 127."""
    try:
        return subprocess.run(
            [str(c) for c in command],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            check=False,
        )
    except OSError as e:
        return subprocess.CompletedProcess(command, 127, stdout=f"{e}\n")


if __name__ == "__main__":
    # Checked here, not by ruff's target version: this runs on whatever python3 a machine has.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit(
            f"dev.py: error: folder-kit needs Python >= 3.11; this is {sys.version.split()[0]}"
        )
    sys.exit(main())
