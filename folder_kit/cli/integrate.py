"""`integrate`: "Write a follow-up draft" and "Show timeline" in the file manager."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from folder_kit.cli.common import print_json, say, say_lines

if TYPE_CHECKING:
    from folder_kit.integrate.install import Plan, Report

DRY_RUN_HELP = "Show what would be written (or removed), and where; change nothing."
JSON_HELP = "Print JSON, for other programs."

# Where each file manager shows the entries, for the line after install.
WHERE = {
    "linux": "Nautilus, Nemo, Caja: right-click a customer folder > Scripts; "
    "Dolphin: right-click a customer folder",
    "macos": "Finder: right-click a customer folder > Quick Actions (or Services)",
    "windows": "Explorer: right-click a customer folder, or the empty space inside one "
    "(Windows 11: Show more options)",
}


@click.group()
def integrate() -> None:
    """Add "Write a follow-up draft" and "Show timeline" to the file manager.

    Right-click a customer folder in Explorer (Windows), Finder (macOS),
    Nautilus, Nemo, Caja or Dolphin (Linux): the first entry runs
    `folder-kit draft <folder> --open`, the second writes the customer's
    timeline to a text file and opens it. For you alone: nothing needs
    administrator rights. Install writes down what it wrote; uninstall
    removes exactly that.
    """


def _plan() -> Plan:
    from folder_kit.integrate.install import plan

    return plan()


def _show(report: Report, *, as_json: bool, verbs: dict[str, str]) -> None:
    if as_json:
        print_json(report.as_json())
        return
    for row in report.rows:
        verb = verbs.get(row.done, "") or STATE_WORDS[row.state]
        say(f"{verb:<14} {row.item.shown_target}")
    for warning in report.warnings:
        say(f"Warning: {warning}", err=True)


STATE_WORDS = {
    "installed": "Installed",
    "not-installed": "Not installed",
    "outdated": "Outdated",
    "changed": "Changed by you",
    "missing": "Deleted",
    "foreign": "Not ours",
}


def _dry_run(report: Report) -> None:
    """What install would write: each file's text; the registry keys as a .reg file."""
    from folder_kit.integrate import windows

    keys = []
    for row in report.rows:
        if row.done not in ("written", "updated"):
            continue
        if row.item.kind == "key":
            import json

            keys.append((row.item.target, json.loads(row.item.content)))
            continue
        say(f"Would write {row.item.shown_target}:")
        say_lines(row.item.content.decode("utf-8", "replace").rstrip("\n"))
        click.echo("")
    if keys:
        click.echo("Would set these registry keys (as a .reg file):")
        say_lines(windows.reg_text(keys).rstrip("\n"))


@integrate.command("install")
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def integrate_install(dry_run: bool, as_json: bool) -> None:
    """Add the entries to the context menu of folders (safe to run again)."""
    from folder_kit.integrate.install import install

    report = install(_plan(), dry_run=dry_run)
    if dry_run and not as_json:
        _dry_run(report)
    verbs = {"written": "Would write", "updated": "Would update"} if dry_run else {}
    _show(report, as_json=as_json, verbs=verbs or {"written": "Wrote", "updated": "Updated"})
    if as_json:
        return
    if dry_run:
        say(f"Would record them in {report.plan.manifest}")
        return
    say(f"The entries run {report.plan.python} -m folder_kit.")
    say(f"{WHERE[report.plan.platform]}.")


@integrate.command("uninstall")
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def integrate_uninstall(dry_run: bool, as_json: bool) -> None:
    """Remove what install wrote; keep what was changed since."""
    from folder_kit.integrate.install import uninstall

    plan = _plan()
    report = uninstall(plan, dry_run=dry_run)
    if not report.rows and not as_json:
        say(f"Nothing to remove: {plan.manifest} records no entries.")
        return
    verb = "Would remove" if dry_run else "Removed"
    _show(report, as_json=as_json, verbs={"removed": verb, "kept": "Kept"})


@integrate.command("status")
@click.option("--dry-run", is_flag=True, hidden=True, help="Accepted; status writes nothing.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def integrate_status(dry_run: bool, as_json: bool) -> None:
    """Whether the entries are installed, and as install would write them now."""
    from folder_kit.integrate.install import status

    report = status(_plan())
    _show(report, as_json=as_json, verbs={})
    if as_json:
        return
    states = {row.state for row in report.rows}
    if states == {"installed"}:
        click.echo("Installed and current.")
    elif states == {"not-installed"}:
        click.echo("Not installed: run `folder-kit integrate install`.")
    else:
        click.echo("Partly installed or out of date: run `folder-kit integrate install`.")


@integrate.command("run")
@click.argument("action", type=click.Choice(["draft", "timeline"]))
@click.argument("paths", metavar="FOLDER...", nargs=-1)
def integrate_run(action: str, paths: tuple[str, ...]) -> None:
    """What the menu entries run: `draft FOLDER --open` or `timeline FOLDER`,
    from inside each FOLDER, with what they say shown in a message box.

    With no FOLDER: the selection Nautilus, Nemo or Caja passed, else the
    folder they show, else the current folder.
    """
    import os
    from pathlib import Path

    from folder_kit.integrate import launch

    chosen = launch.selected_paths(paths, env=os.environ, cwd=Path.cwd())
    outcomes = launch.run(action, chosen, launch=launch.Launch())  # type: ignore[arg-type]
    said = launch.message(outcomes)
    if said is not None:
        text, error = said
        launch.tell(text, error=error)
    if any(o.returncode != 0 for o in outcomes):
        raise SystemExit(1)
