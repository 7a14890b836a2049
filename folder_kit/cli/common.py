"""What every command shares: the workspace option, grade choice, tables and JSON."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from folder_kit.workspace.find import Workspace


class GradeChoice(click.Choice[str]):
    """A–D or P, typed in either case, shown in capitals."""

    def __init__(self) -> None:
        super().__init__(["A", "B", "C", "D", "P"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return super().convert(value.upper() if isinstance(value, str) else value, param, ctx)


GRADE_CHOICE = GradeChoice()


def print_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def print_json_rows(rows: list[dict[str, object]]) -> None:
    """A JSON list of many objects, one object a line: still one JSON value, and
    written by the C encoder (``indent`` falls back to pure Python, 10x slower)."""
    if not rows:
        click.echo("[]")
        return
    lines = ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    click.echo(f"[\n{lines}\n]")


def print_json_object(value: dict[str, object]) -> None:
    """A JSON object with each key on a line and long lists one item a line, by
    the C encoder: for reports that may list thousands of customers."""

    def dump(item: object) -> str:
        return json.dumps(item, ensure_ascii=False)

    parts = []
    for key, item in value.items():
        if isinstance(item, list) and item:
            inner = ",\n".join(f"    {dump(x)}" for x in item)
            parts.append(f"  {dump(key)}: [\n{inner}\n  ]")
        else:
            parts.append(f"  {dump(key)}: {dump(item)}")
    click.echo("{\n" + ",\n".join(parts) + "\n}")


def width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        padded = [c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True)]
        return "  ".join(padded).rstrip()

    click.echo(line(headers))
    for row in rows:
        click.echo(line(row))


WORKSPACE_HELP = (
    "The workspace folder (default: $FOLDER_KIT_WORKSPACE, else the nearest folder "
    "at or above here holding folder-kit.yaml)."
)


def _remember_workspace(ctx: click.Context, _: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.meta["folder_kit.workspace.find"] = value


def workspace_option(f: Any) -> Any:
    """``-w DIR`` after the command too: `folder-kit scan -w ~/sales` as well as
    `folder-kit -w ~/sales scan`."""
    return click.option(
        "-w",
        "--workspace",
        type=click.Path(file_okay=False, path_type=Path),
        expose_value=False,
        callback=_remember_workspace,
        help=WORKSPACE_HELP,
    )(f)


def workspace(ctx: click.Context) -> Workspace:
    from folder_kit.workspace.find import find_workspace, open_workspace

    root: Path | None = ctx.meta.get("folder_kit.workspace.find")
    if root is None:
        root = ctx.find_root().params.get("workspace")
    return open_workspace(find_workspace(root))
