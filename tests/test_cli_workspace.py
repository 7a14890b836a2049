"""Finding the workspace (-w, $FOLDER_KIT_WORKSPACE, upwards from cwd), and CLI errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from conftest import Invoke
from helpers import assert_error, assert_ok, build_tree, read_tree

from folder_kit.cli import cli

HINT = "run `folder-kit init DIR`, or name the workspace with -w DIR or $FOLDER_KIT_WORKSPACE"


def names(result_stdout: str) -> list[str]:
    return [c["name"] for c in json.loads(result_stdout)]


@pytest.fixture
def two(invoke: Invoke, tmp_path: Path) -> tuple[Path, Path]:
    """Two workspaces, each with one customer, to tell which one a command used."""
    first, second = tmp_path / "first", tmp_path / "second"
    for root, name in ((first, "First Co"), (second, "Second Co")):
        assert_ok(invoke("init", str(root)))
        assert_ok(invoke("-w", str(root), "customer", "add", name, "--grade", "B"))
    return first, second


def test_dash_w_names_the_workspace(invoke: Invoke, two: tuple[Path, Path]) -> None:
    result = invoke("-w", str(two[0]), "customer", "list", "--json")
    assert_ok(result)
    assert names(result.stdout) == ["First Co"]


def test_long_option_and_relative_path(
    invoke: Invoke, two: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(two[1].parent)
    result = invoke("--workspace", "second", "customer", "list", "--json")
    assert_ok(result)
    assert names(result.stdout) == ["Second Co"]


def test_environment_variable_names_the_workspace(
    invoke: Invoke, two: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLDER_KIT_WORKSPACE", str(two[1]))
    result = invoke("customer", "list", "--json")
    assert_ok(result)
    assert names(result.stdout) == ["Second Co"]


def test_dash_w_wins_over_the_environment(
    invoke: Invoke, two: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLDER_KIT_WORKSPACE", str(two[1]))
    result = invoke("-w", str(two[0]), "customer", "list", "--json")
    assert_ok(result)
    assert names(result.stdout) == ["First Co"]


def test_environment_wins_over_the_current_folder(
    invoke: Invoke, two: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(two[0])
    monkeypatch.setenv("FOLDER_KIT_WORKSPACE", str(two[1]))
    result = invoke("customer", "list", "--json")
    assert_ok(result)
    assert names(result.stdout) == ["Second Co"]


@pytest.mark.parametrize(
    "nested", ["", "客户", "客户/B-在谈客户", "客户/B-在谈客户/First Co/OUT", "产品/价格信息"]
)
def test_nearest_workspace_upwards_from_cwd(
    invoke: Invoke, two: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, nested: str
) -> None:
    monkeypatch.chdir(two[0] / nested)
    result = invoke("customer", "list", "--json")
    assert_ok(result)
    assert names(result.stdout) == ["First Co"]


def test_nearest_means_the_innermost(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `init` refuses a workspace inside another; one copied there is still found.
    outer, inner = tmp_path / "outer", tmp_path / "outer" / "nested" / "inner"
    elsewhere = tmp_path / "elsewhere"
    for root, name in ((outer, "Outer Co"), (elsewhere, "Inner Co")):
        assert_ok(invoke("init", str(root)))
        assert_ok(invoke("-w", str(root), "customer", "add", name, "--grade", "C"))
    shutil.copytree(elsewhere, inner)
    monkeypatch.chdir(inner / "客户")
    result = invoke("customer", "list", "--json")
    assert_ok(result)
    assert names(result.stdout) == ["Inner Co"]


@pytest.mark.parametrize(
    "args", [["customer", "list"], ["customer", "add", "X", "--grade", "B"]], ids=["list", "add"]
)
def test_no_workspace_found(
    invoke: Invoke, cwd: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    build_tree(cwd, {"deep": {"er": None}})
    start = (cwd / "deep" / "er").resolve()
    monkeypatch.chdir(start)
    result = invoke(*args)
    assert_error(
        result, f"Error: no folder-kit.yaml found in {start} or any folder above it; {HINT}"
    )
    assert result.stdout == ""
    assert read_tree(cwd) == {"deep": None, "deep/er": None}


def test_empty_environment_variable_is_ignored(
    invoke: Invoke, two: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLDER_KIT_WORKSPACE", "")
    monkeypatch.chdir(two[0])
    result = invoke("customer", "list", "--json")
    assert_ok(result)
    assert names(result.stdout) == ["First Co"]


def test_dash_w_folder_without_config(invoke: Invoke, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    result = invoke("-w", str(plain), "customer", "list")
    assert_error(
        result,
        f"Error: -w/--workspace names {plain}, which has no folder-kit.yaml; "
        f"run `folder-kit init {plain}` first",
    )
    assert read_tree(plain) == {}


def test_dash_w_missing_folder(invoke: Invoke, tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    result = invoke("-w", str(missing), "customer", "list")
    assert_error(result, f"Error: -w/--workspace names {missing}, which is not a folder")
    assert not missing.exists()


def test_environment_folder_without_config(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.setenv("FOLDER_KIT_WORKSPACE", str(plain))
    result = invoke("customer", "list")
    assert_error(
        result,
        f"Error: $FOLDER_KIT_WORKSPACE names {plain}, which has no folder-kit.yaml; "
        f"run `folder-kit init {plain}` first",
    )


BROKEN = {
    "unknown key": (
        "lang: zh\nme:\n  nmae: Li Lei\n",
        "3: me.nmae: unknown key (known keys: name, title, company, email, phone, website, "
        "signature)",
    ),
    "bad cadence": (
        "cadence:\n  B: 0\n",
        "2: cadence.B: expected a number of days from 1 to 3650, got 0",
    ),
    "broken yaml": (
        "me:\n  name: [Li Lei\n",
        "3: invalid YAML: while parsing a flow sequence expected ',' or ']', but got "
        "'<stream end>' (a [ or { is not closed on this line or the one above)",
    ),
    "python tag": (
        "me:\n  name: !!python/object/apply:os.system ['true']\n",
        "2: me.name: the tag !!python/object/apply:os.system is not allowed here",
    ),
}


@pytest.mark.parametrize(("text", "where_what"), BROKEN.values(), ids=BROKEN.keys())
@pytest.mark.parametrize(
    "args", [["customer", "list"], ["customer", "add", "ACME", "--grade", "B"]], ids=["list", "add"]
)
def test_broken_config_names_file_line_and_key(
    invoke: Invoke, workspace: Path, text: str, where_what: str, args: list[str]
) -> None:
    (workspace / "folder-kit.yaml").write_text(text, encoding="utf-8")
    before = read_tree(workspace)
    result = invoke("-w", str(workspace), *args)
    assert_error(result, f"Error: {workspace / 'folder-kit.yaml'}:{where_what}")
    assert read_tree(workspace) == before


def test_broken_config_found_from_cwd(
    invoke: Invoke, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workspace / "folder-kit.yaml").write_text("lang: fr\n", encoding="utf-8")
    monkeypatch.chdir(workspace / "客户")
    result = invoke("customer", "list")
    assert_error(
        result, f"Error: {workspace / 'folder-kit.yaml'}:1: lang: expected one of zh, en, got 'fr'"
    )


FAILING = [
    ["customer", "list"],
    ["customer", "add", "X", "--grade", "B"],
    ["customer", "move", "X", "--grade", "C"],
    ["-w", "{ws}", "customer", "move", "nobody", "--grade", "C"],
    ["-w", "{ws}", "customer", "add", "..", "--grade", "B"],
    ["-w", "{ws}/客户", "customer", "list"],
    ["-w", "{ws}", "customer", "add", "Dup", "--grade", "B"],
    ["init", "{ws}/folder-kit.yaml/x"],
]


@pytest.mark.parametrize("args", FAILING, ids=[" ".join(a) for a in FAILING])
def test_user_errors_are_one_line_never_a_traceback(
    invoke: Invoke, workspace: Path, args: list[str]
) -> None:
    (workspace / "客户" / "B-在谈客户" / "Dup").mkdir()
    result = invoke(*(a.replace("{ws}", str(workspace)) for a in args))
    assert_error(result)
    assert result.stdout == ""


def test_usage_errors_exit_2(invoke: Invoke) -> None:
    for args in (
        ["customer", "add"],
        ["customer", "add", "X"],
        ["nonsense"],
        ["init", "--lang", "fr"],
    ):
        result = invoke(*args)
        assert result.exit_code == 2, args
        assert isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.stderr
        assert "Error: " in result.stderr


def test_version(invoke: Invoke) -> None:
    from folder_kit import __version__

    result = invoke("--version")
    assert_ok(result)
    assert result.stdout == f"folder-kit, version {__version__}\n"


def walk(
    group: click.Group, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    out: list[tuple[tuple[str, ...], click.Command]] = [(path, group)]
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            out += walk(command, (*path, name))
        else:
            out.append(((*path, name), command))
    return out


COMMANDS = walk(cli)


def test_the_foundation_commands_exist() -> None:
    paths = {" ".join(p) for p, _ in COMMANDS}
    assert {"", "init", "customer", "customer add", "customer move", "customer list"} <= paths


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "folder-kit" for p, _ in COMMANDS]
)
def test_every_command_has_help(
    invoke: Invoke, path: tuple[str, ...], command: click.Command
) -> None:
    assert command.help and command.help.strip(), f"{' '.join(path)} has no help text"
    assert command.get_short_help_str().strip()
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help or (param.is_flag and param.name in ("version", "help")), (
                f"{' '.join(path)} {param.opts} has no help"
            )
    for flag in ("--help", "-h"):
        result = invoke(*path, flag)
        assert_ok(result)
        assert result.stdout.startswith(f"Usage: folder-kit {' '.join(path)}".rstrip() + " ")
        first_line = command.help.strip().splitlines()[0]
        assert first_line in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["customer", "list", "--json", "-w", "{ws}"],
        ["-w", "{ws}", "customer", "list", "--json"],
    ],
    ids=["after the command", "before the command"],
)
def test_w_goes_before_or_after_the_command(
    invoke: Invoke, tmp_path: Path, args: list[str]
) -> None:
    ws = tmp_path / "sales"
    assert_ok(invoke("init", str(ws)))
    assert_ok(invoke("-w", str(ws), "customer", "add", "ACME GmbH", "--grade", "B"))
    result = invoke(*[a.format(ws=ws) for a in args])
    assert_ok(result)
    assert names(result.stdout) == ["ACME GmbH"]


def test_w_names_the_folder_init_makes(invoke: Invoke, tmp_path: Path) -> None:
    ws = tmp_path / "sales"
    assert_ok(invoke("-w", str(ws), "init"))
    assert (ws / "folder-kit.yaml").is_file()
    assert not (tmp_path / "cwd" / "folder-kit.yaml").exists()


def test_init_inside_a_workspace_is_refused(invoke: Invoke, tmp_path: Path) -> None:
    ws = tmp_path / "sales"
    assert_ok(invoke("init", str(ws)))
    before = read_tree(ws)
    assert_error(
        invoke("init", str(ws / "客户")),
        f"Error: {ws / '客户'} is inside the workspace {ws}; a workspace in a workspace "
        "would read the same customers twice — choose a folder outside it",
    )
    assert read_tree(ws) == before


def test_w_naming_a_folder_inside_a_workspace_points_to_it(invoke: Invoke, tmp_path: Path) -> None:
    ws = tmp_path / "sales"
    assert_ok(invoke("init", str(ws)))
    assert_error(
        invoke("-w", str(ws / "客户"), "scan"),
        f"Error: -w/--workspace names {ws / '客户'}, which has no folder-kit.yaml; "
        f"it is inside the workspace {ws}: name that one",
    )
