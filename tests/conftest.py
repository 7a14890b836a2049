"""Every test runs in its own temporary world: no user state, no user workspace."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from folder_kit.cli import cli
from folder_kit.workspace.scaffold import scaffold

# Rich failure messages from the shared assertions in helpers.py.
pytest.register_assert_rewrite("helpers")

REPO = Path(__file__).resolve().parent.parent
SAMPLE_WORKSPACE = REPO / "sample_workspace"

Invoke = Callable[..., Result]


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
