"""The package's layers, read from every module's imports with ``ast``.

workspace/ < timeline/ < followup/, watch/ < drafts/ (which may use followup/),
with the CLI on top. Lower layers never import higher ones; only the CLI imports
click; watchdog and Jinja2 load only inside the capabilities that need them.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import folder_kit

# The package under test, wherever it was imported from: the checkout, or an
# installed wheel (the Windows lane has no checkout beside the tests).
PACKAGE = Path(folder_kit.__file__).resolve().parent

# What each part may import from the package ("top" = the top-level modules).
ALLOWED: dict[str, set[str]] = {
    "top": {"top"},
    "workspace": {"top", "workspace"},
    "timeline": {"top", "workspace", "timeline"},
    "mail": {"top", "workspace", "timeline", "mail"},
    "followup": {"top", "workspace", "timeline", "followup"},
    "watch": {"top", "workspace", "timeline", "mail", "watch"},
    "drafts": {"top", "workspace", "timeline", "followup", "mail", "drafts"},
    "integrate": {"top", "timeline", "drafts", "integrate"},
    "cli": {
        "top",
        "workspace",
        "timeline",
        "mail",
        "followup",
        "watch",
        "drafts",
        "integrate",
        "cli",
    },
}
# Heavy libraries never imported at module level by these parts.
LIGHT_PARTS = {"top", "workspace", "timeline", "cli"}
HEAVY = {"watchdog", "jinja2", "imapclient", "keyring"}


def part_of(module: str, package: Path = PACKAGE) -> str:
    """The layer a dotted module name belongs to (``folder_kit.timeline.scan`` -> timeline)."""
    pieces = module.split(".")
    if len(pieces) == 1:
        return "top"
    if pieces[1] in ("__main__", "answers"):  # the command line's, before click is imported
        return "cli"
    if pieces[1] in ALLOWED or (package / pieces[1]).is_dir():
        return pieces[1]  # a new subpackage must be given its place in ALLOWED
    return "top"


def modules(package: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def imports(path: Path, module: str) -> Iterator[tuple[str, int, bool]]:
    """Every module ``path`` imports: (dotted name, line, at module level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    top_level = {id(node) for node in tree.body}
    # Imports under `if TYPE_CHECKING:` are for the type checker only: they never run.
    type_only = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for child in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, id(node) in top_level
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield name, node.lineno, id(node) in top_level
            for alias in node.names:  # `from folder_kit import workspace`
                yield f"{name}.{alias.name}", node.lineno, id(node) in top_level


def violations(package: Path = PACKAGE) -> list[str]:
    found: dict[str, str] = {}  # one finding per line
    for module, path in modules(package):
        part = part_of(module, package)
        shown = path.relative_to(package.parent)
        for name, line, module_level in imports(path, module):
            root = name.split(".")[0]
            if root == "folder_kit" and "." in name:
                target = part_of(name, package)
                if target not in ALLOWED.get(part, set()):
                    found.setdefault(f"{shown}:{line}", f"{part}/ imports {name} ({target}/)")
            elif root == "click" and part != "cli":
                found.setdefault(f"{shown}:{line}", f"only the CLI imports click ({name})")
            elif root in HEAVY and module_level and part in LIGHT_PARTS:
                found.setdefault(f"{shown}:{line}", f"{name} imported at module level by {part}/")
    return [f"{where}: {what}" for where, what in found.items()]


def test_the_layers_hold() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("where", "line", "expected"),
    [
        ("workspace/layout.py", "from folder_kit.timeline import scan", "workspace/ imports"),
        ("timeline/classify.py", "import folder_kit.drafts.render", "timeline/ imports"),
        ("timeline/scan.py", "from folder_kit.cli import common", "timeline/ imports"),
        ("errors.py", "from folder_kit.workspace import layout", "top/ imports"),
        ("workspace/config.py", "import click", "only the CLI imports click"),
        ("timeline/scan.py", "import watchdog.observers", "watchdog.observers imported"),
        ("cli/common.py", "from jinja2 import Environment", "jinja2 imported"),
    ],
)
def test_a_forbidden_import_is_caught(tmp_path: Path, where: str, line: str, expected: str) -> None:
    """The check itself can fail: a copy of the package with one bad import."""
    import shutil

    copy = tmp_path / "folder_kit"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / where
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    found = violations(copy)
    assert len(found) == 1 and expected in found[0], found


def test_a_function_level_import_of_jinja_is_allowed_in_the_cli() -> None:
    """Inside a command, a heavy import is paid only by that command."""
    tree = "def f():\n    import jinja2\n"
    path = PACKAGE / "cli" / "common.py"
    found = [
        (name, level)
        for name, _, level in imports_of_text(tree, "folder_kit.cli.common", path)
        if name == "jinja2"
    ]
    assert found == [("jinja2", False)]


def imports_of_text(text: str, module: str, path: Path) -> list[tuple[str, int, bool]]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.name
        copy.write_text(text, encoding="utf-8")
        return list(imports(copy, module))


def loaded_by(*args: str) -> list[str]:
    """The modules of watchdog, Jinja2 and folder-kit that `folder-kit ARGS` loads,
    started as the console script starts it."""
    code = (
        "import sys\n"
        f"sys.argv = ['folder-kit', *{list(args)!r}]\n"
        "from folder_kit.__main__ import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in sys.modules\n"
        "               if m.split('.')[0] in ('watchdog', 'jinja2', 'folder_kit'))\n"
        "print('LOADED', heavy, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        encoding="utf-8",
        check=True,
        timeout=60,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED "))
    loaded: list[str] = ast.literal_eval(line.removeprefix("LOADED "))
    return loaded


def test_help_loads_neither_watchdog_nor_jinja_nor_any_command() -> None:
    assert loaded_by("--help") == [
        "folder_kit",
        "folder_kit.__main__",
        "folder_kit.cli",
        "folder_kit.cli.console",
        "folder_kit.errors",
    ]


def test_a_command_loads_its_own_module_only() -> None:
    loaded = loaded_by("scan", "--help")
    commands = {m for m in loaded if m.startswith("folder_kit.cli.")}
    assert commands == {
        "folder_kit.cli.console",
        "folder_kit.cli.common",
        "folder_kit.cli.timeline",
    }
    assert not [m for m in loaded if m.split(".")[0] in ("watchdog", "jinja2")]


def test_the_entry_point_sets_the_collector_before_importing_the_cli() -> None:
    """``folder-kit`` (and ``python -m folder_kit``) starts in ``folder_kit.__main__``:
    the collector's threshold is set before click and the package are imported,
    and what is left at the end is frozen, not collected once more on the way out."""
    code = (
        "import gc, sys\n"
        "import folder_kit.__main__ as entry\n"
        "assert 'folder_kit.cli' not in sys.modules and 'click' not in sys.modules\n"
        "seen = []\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'click': seen.append(gc.get_threshold()[0])\n"
        "sys.meta_path.insert(0, Spy())\n"
        "sys.argv = ['folder-kit', '--version']\n"
        "try:\n"
        "    entry.main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(seen, gc.get_freeze_count() > 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        encoding="utf-8",
        check=True,
        timeout=60,
    )
    assert done.stdout.splitlines()[-1] == "[200000] True"


def test_every_command_is_listed_where_help_finds_it() -> None:
    """Each command object in a cli module is a command of the group, or of one of
    its groups: none is defined and then left out of COMMANDS."""
    import importlib

    import click

    from folder_kit.cli import COMMANDS, cli

    ctx = click.Context(cli)
    reachable: set[int] = set()
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        reachable.add(id(command))
        if isinstance(command, click.Group):
            reachable.update(id(c) for c in command.commands.values())
    for module in {m for m, _, _ in COMMANDS.values()}:
        objects = vars(importlib.import_module(f"folder_kit.cli.{module}")).values()
        for obj in objects:
            if isinstance(obj, click.Command):
                assert id(obj) in reachable, f"{module}: {obj.name} is in no group"


def test_help_lists_every_command_with_its_summary() -> None:
    """`folder-kit --help` lists, without importing them, every command once, in
    order, with its line from COMMANDS, and each name is a command that loads."""
    import click
    from click.testing import CliRunner

    from folder_kit.cli import COMMANDS, cli

    listed = CliRunner().invoke(cli, ["--help"], terminal_width=200).output
    lines = listed.split("Commands:\n", 1)[1].splitlines()
    rows = [line.split(None, 1) for line in lines if line.strip()]
    assert [name for name, _ in rows] == sorted(COMMANDS)
    ctx = click.Context(cli)
    for name, summary in rows:
        assert summary == COMMANDS[name][2]
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name


# SQL, and the connection it runs on, belong to timeline/: the rest of the package
# reads the index through its typed methods. Uppercase statement words, as SQL is
# written here; prose rarely shouts "DELETE FROM".
SQL = re.compile(
    r"\b(SELECT\b.+\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM"
    r"|CREATE\s+(TEMP\s+|TEMPORARY\s+|UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)"
    r"|PRAGMA\s+\w+|BEGIN(\s+IMMEDIATE)?$|COMMIT$)\b",
    re.DOTALL,
)


def sql_outside_the_store(package: Path = PACKAGE) -> list[str]:
    """Every place outside timeline/ that holds SQL, imports sqlite3 or reaches for
    the index's connection."""
    found: list[str] = []
    for module, path in modules(package):
        if part_of(module, package) == "timeline":
            continue
        shown = path.relative_to(package.parent)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        # An f-string is read whole, its {fields} as blanks, not piece by piece.
        pieces = {
            id(value)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for value in node.values
        }
        for node in ast.walk(tree):
            where = f"{shown}:{getattr(node, 'lineno', 0)}"
            text = None
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = None if id(node) in pieces else node.value
            elif isinstance(node, ast.JoinedStr):
                text = "".join(
                    v.value if isinstance(v, ast.Constant) else "{}" for v in node.values
                )
            if text is not None and SQL.search(text):
                found.append(f"{where}: SQL {text[:40]!r}")
            elif isinstance(node, ast.Import):
                found += [f"{where}: imports sqlite3" for a in node.names if a.name == "sqlite3"]
            elif isinstance(node, ast.ImportFrom) and node.module == "sqlite3":
                found.append(f"{where}: imports sqlite3")
            elif isinstance(node, ast.Attribute) and node.attr == "conn":
                found.append(f"{where}: uses the index's connection")
    return found


def test_sql_stays_in_the_timeline() -> None:
    assert sql_outside_the_store() == []


@pytest.mark.parametrize(
    ("where", "line", "expected"),
    [
        ("watch/highlights.py", "import sqlite3", "imports sqlite3"),
        ("followup/rules.py", "from sqlite3 import Connection", "imports sqlite3"),
        ("cli/common.py", "Q = 'SELECT key FROM customers'", "SQL"),
        ("drafts/draft.py", "Q = f'SELECT {1} FROM files WHERE day <= ?'", "SQL"),
        ("followup/page.py", "Q = 'DELETE FROM files'", "SQL"),
        ("watch/changes.py", "Q = 'CREATE TEMP TABLE t(x)'", "SQL"),
        ("watch/watcher.py", "Q = 'INSERT OR REPLACE INTO t VALUES (?)'", "SQL"),
        ("cli/watch.py", "def f(index): return index.conn", "connection"),
    ],
)
def test_sql_outside_the_timeline_is_caught(
    tmp_path: Path, where: str, line: str, expected: str
) -> None:
    import shutil

    copy = tmp_path / "folder_kit"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = set(sql_outside_the_store(copy))
    target = copy / where
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    added = set(sql_outside_the_store(copy)) - before
    assert len(added) == 1 and expected in added.pop(), added


@pytest.mark.parametrize(
    "text",
    [
        "Select a customer from the list",
        "delete from the drafts folder",
        "the watcher's SELECT of last week",
        "CREATED 2026-12-01",
    ],
)
def test_prose_is_no_sql(text: str) -> None:
    assert not SQL.search(text)
