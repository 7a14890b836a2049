"""Every test runs in its own temporary world: no user state, no user workspace.

Two guards keep it so. In the process, asking platformdirs for folder-kit's real
state folder fails the test that asks (every test must set FOLDER_KIT_STATE, as
``isolate`` does). Across processes (a CLI run in a subprocess, a module-scoped
fixture), the session itself runs with FOLDER_KIT_STATE set, and fails at its
end if the real per-user state folder gained an index of a workspace the tests
made. (Entries of other workspaces are not the tests': on a shared machine a
`dev.py demo` run meanwhile puts its index there, rightly.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import platformdirs
import pytest
from click.testing import CliRunner, Result

from folder_kit.cli import cli
from folder_kit.workspace.scaffold import scaffold

# Rich failure messages from the shared assertions in helpers.py.
pytest.register_assert_rewrite("helpers")

REPO = Path(__file__).resolve().parent.parent
SAMPLE_WORKSPACE = REPO / "sample_workspace"

Invoke = Callable[..., Result]

# Where folder-kit keeps indexes for the real user, computed once before any test
# changes HOME: the folder no test may touch.
REAL_STATE = Path(platformdirs.user_state_dir("folder-kit", appauthor=False))
_real_user_state_dir = platformdirs.user_state_dir


class RealStateTouched(AssertionError):
    """A test reached the real per-user state folder instead of its own."""


def state_listing(folder: Path) -> dict[str, int] | None:
    """What a state folder holds, each entry with its mtime; None if it is missing."""
    try:
        entries = list(os.scandir(folder))
        own = folder.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    listing = {e.name: e.stat(follow_symlinks=False).st_mtime_ns for e in entries}
    return {**listing, ".": own}


def workspaces_indexed_as(base: Path, names: set[str]) -> list[Path]:
    """Workspaces under ``base`` (folders holding folder-kit.yaml) whose index would
    be one of ``names`` in a state folder."""
    from folder_kit.timeline.state import state_dir

    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        if "folder-kit.yaml" in filenames:
            root = Path(dirpath)
            if state_dir(root, env={"FOLDER_KIT_STATE": "/"}).name in names:
                found.append(root)
        dirnames[:] = [d for d in dirnames if d not in ("state", "home")]
    return found


def state_changes(before: dict[str, int] | None, after: dict[str, int] | None) -> list[str]:
    """Entries created or changed between two listings (a folder created: all of it)."""
    if after is None:
        return []
    if before is None:
        return sorted(after) or ["."]
    return sorted(n for n, mtime in after.items() if before.get(n) != mtime)


_before: dict[str, int] | None = None
_session_state: str = ""
_basetemp: Path | None = None


def pytest_sessionstart(session: pytest.Session) -> None:
    global _before, _session_state
    _before = state_listing(REAL_STATE)
    # Subprocesses and fixtures wider than one test inherit a private state folder.
    _session_state = tempfile.mkdtemp(prefix="folder-kit-test-state-")
    os.environ["FOLDER_KIT_STATE"] = _session_state


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_session_state, ignore_errors=True)
    touched = set(state_changes(_before, state_listing(REAL_STATE)))
    leaked = workspaces_indexed_as(_basetemp, touched) if touched and _basetemp else []
    if leaked:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = (
            f"the tests put indexes into the real folder-kit state folder {REAL_STATE}, "
            f"for {', '.join(map(str, leaked[:5]))}; set FOLDER_KIT_STATE in every test"
        )
        if reporter is not None:
            reporter.write_sep("=", "folder-kit state guard", red=True)
            reporter.write_line(f"ERROR: {message}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _refuse_real_state(appname: str | None = None, *args: object, **kwargs: object) -> str:
    if appname == "folder-kit":
        raise RealStateTouched(
            "a test asked for folder-kit's real per-user state folder; "
            "set FOLDER_KIT_STATE to a tmp folder (the isolate fixture does)"
        )
    return _real_user_state_dir(appname, *args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def real_state_tripwire(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    global _basetemp
    _basetemp = tmp_path_factory.getbasetemp()
    patch = pytest.MonkeyPatch()
    patch.setattr(platformdirs, "user_state_dir", _refuse_real_state)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test off the user's machine: state, home and cwd all in tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("FOLDER_KIT_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("FOLDER_KIT_WORKSPACE", raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


@pytest.fixture
def cwd(isolate: Path) -> Path:
    """The (empty, workspace-less) folder each test starts in."""
    return isolate


@pytest.fixture
def runner() -> CliRunner:
    # click >= 8.2: stdout and stderr are kept apart (result.stdout / result.stderr).
    return CliRunner()


@pytest.fixture
def invoke(runner: CliRunner) -> Invoke:
    """``invoke("customer", "list")`` runs ``folder-kit customer list``."""

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli, list(args), input=input, prog_name="folder-kit")

    return run


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh zh workspace, made by the library's scaffold."""
    root = tmp_path / "ws"
    scaffold(root, lang="zh")
    return root


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A private copy of the repo's sample_workspace/ (skipped while it does not exist)."""
    if not SAMPLE_WORKSPACE.is_dir():
        pytest.skip("sample_workspace/ is not there yet")
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE_WORKSPACE, target, symlinks=True)
    return target


ZoneSetter = Callable[[str], None]


@pytest.fixture
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[ZoneSetter]:
    """Set the machine's local time zone (TZ, an IANA name) for the rest of the test,
    and back after. Windows reads its zone once, when the process starts, and has no
    time.tzset: a test that needs another zone is skipped there."""
    import time

    if not hasattr(time, "tzset"):
        pytest.skip("Windows has no time.tzset: the local zone cannot change in a process")

    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


# Tests of pure logic, on strings and in-memory values, which no platform changes:
# thousands of generated examples each. The Windows lane (Wine, two processes,
# within CI's ten minutes) leaves them to Linux and spends its time on what
# Windows does differently: names, paths, locks, processes, the watcher.
PURE_LOGIC = {
    "test_subjects.py",
    "test_mail_parties.py",
    "test_topic_precision.py",
    "test_json_output.py",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from helpers import under_wine

    if not under_wine():
        return
    skip = pytest.mark.skip(reason="pure logic, the same on every platform: run on Linux")
    for item in items:
        if item.path.name in PURE_LOGIC:
            item.add_marker(skip)
