"""`init` and `customer add|move|list`: the folders and the customers in them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from folder_kit.cli.common import (
    GRADE_CHOICE,
    given_workspace,
    print_json,
    say,
    table,
    workspace,
    workspace_option,
)

if TYPE_CHECKING:
    from folder_kit.workspace.layout import Grade


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of the folder names (产品/模板/内联/客户 or Products/Templates/...).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be created; write nothing.")
@click.pass_context
def init(ctx: click.Context, directory: Path | None, lang: str, dry_run: bool) -> None:
    """Create the recommended workspace in DIRECTORY (default: -w, else here).

    Safe to run again: it only adds what is missing and never changes or
    overwrites a file that is there. An existing workspace keeps its layout
    language.
    """
    from folder_kit.workspace.scaffold import scaffold

    if directory is None:
        directory = given_workspace(ctx) or Path(".")
    plan = scaffold(directory, lang="en" if lang == "en" else "zh", dry_run=dry_run)
    explicit = ctx.get_parameter_source("lang") is not click.core.ParameterSource.DEFAULT
    if explicit and plan.lang != lang:
        say(
            f"{plan.root} already has the {plan.lang} layout and keeps it "
            f"(--lang {lang} is for a new workspace)."
        )
    if not plan.created:
        say(f"Nothing to do: {plan.root} is already a complete workspace.")
        return
    verb = "Would create" if dry_run else "Created"
    say(f"{verb} in {plan.root} ({plan.lang} layout):")
    for rel in plan.created:
        depth = rel.rstrip("/").count("/")
        say(
            f"  {'  ' * depth}{rel.rstrip('/').rsplit('/', 1)[-1]}{'/' if rel.endswith('/') else ''}"
        )
    if not dry_run:
        say(
            f"Next: put your name and company under `me:` in {plan.root / 'folder-kit.yaml'}, "
            f'then `cd {plan.root}` and `folder-kit customer add "ACME GmbH" --grade B`.'
        )


@click.group()
def customer() -> None:
    """Add, move and list customers."""


@customer.command("add", short_help="Create a customer folder and its Contact.txt.")
@click.argument("name")
@click.option(
    "--grade",
    "-g",
    type=GRADE_CHOICE,
    required=True,
    help="A trading, B negotiating, C potential, D industry, P prospect.",
)
@click.option("--email", default="", help="The contact's email address.")
@click.option("--contact-name", default="", help="The contact person's name.")
@click.option("--country", default="", help="Country, as ISO code (DE) or name.")
@click.option("--dry-run", is_flag=True, help="Show what would be created; write nothing.")
@workspace_option
@click.pass_context
def customer_add(
    ctx: click.Context,
    name: str,
    grade: str,
    email: str,
    contact_name: str,
    country: str,
    dry_run: bool,
) -> None:
    """Create a customer folder with OUT, IN, quotes, PIs, orders and a Contact.txt.

    NAME is the company's real name in any script; characters a folder name
    cannot hold are replaced in the folder name, and the real name is kept
    in Contact.txt.
    """
    from folder_kit.workspace.customers import add_customer

    ws = workspace(ctx)
    result = add_customer(
        ws,
        name,
        grade=cast("Grade", grade),
        email=email,
        contact_name=contact_name,
        country=country,
        dry_run=dry_run,
    )
    verb = "Would create" if dry_run else "Created"
    say(f"{verb} {ws.relative(result.customer.path)}/")
    for path in result.created[1:]:
        say(f"  {path.name}{'' if path.suffix == '.txt' else '/'}")


@customer.command("move", short_help="Move a customer to another grade folder.")
@click.argument("name")
@click.option("--grade", "-g", type=GRADE_CHOICE, required=True, help="The grade to move to.")
@click.option("--dry-run", is_flag=True, help="Show the move; change nothing.")
@workspace_option
@click.pass_context
def customer_move(ctx: click.Context, name: str, grade: str, dry_run: bool) -> None:
    """Move a customer to another grade folder (one rename; nothing is copied)."""
    from folder_kit.timeline.events import find_customer
    from folder_kit.workspace.customers import move_customer

    ws = workspace(ctx)
    customer = find_customer(ws, name)
    result = move_customer(ws, customer, grade=cast("Grade", grade), dry_run=dry_run)
    if not result.moved:
        say(f"{result.customer.name} is already grade {result.customer.grade}; nothing moved.")
        return
    verb = "Would move" if dry_run else "Moved"
    say(f"{verb} {ws.relative(result.source)}/ -> {ws.relative(result.customer.path)}/")
    if result.note_error:
        say(
            f"Warning: the grade change could not be noted in the folder ({result.note_error}); "
            "the next scan writes the note",
            err=True,
        )


@customer.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@workspace_option
@click.pass_context
def customer_list(ctx: click.Context, as_json: bool) -> None:
    """Customers with their grade and last contact (scans first)."""
    from folder_kit.timeline.events import customer_summaries

    ws = workspace(ctx)
    summaries = customer_summaries(ws)
    if as_json:
        print_json([s.as_json() for s in summaries])
        return
    if not summaries:
        click.echo("No customers yet. Add one with `folder-kit customer add NAME --grade B`.")
        return
    rows = [[s.grade, s.name, s.last_contact or "-"] for s in summaries]
    headers = ["grade", "customer", "last contact"]
    others = ["" if s.company in (None, s.name) else s.company or "" for s in summaries]
    if any(others):  # a real name the folder name could not hold, like Maersk A/S
        headers.append("company (Contact.txt)")
        rows = [[*row, other] for row, other in zip(rows, others, strict=True)]
    table(headers, rows)
