"""The ``folder-kit`` command line: thin commands over the library.

Library modules are imported inside the commands so that ``--help`` stays fast
and never loads watchdog or Jinja2.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from folder_kit import __version__
from folder_kit.errors import FolderKitError
from folder_kit.terms import LOG_MEDIA, LOG_TOPICS

if TYPE_CHECKING:
    from folder_kit.layout import Grade
    from folder_kit.workspace import Workspace


class GradeChoice(click.Choice[str]):
    """A–D or P, typed in either case, shown in capitals."""

    def __init__(self) -> None:
        super().__init__(["A", "B", "C", "D", "P"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return super().convert(value.upper() if isinstance(value, str) else value, param, ctx)


GRADE_CHOICE = GradeChoice()


class FolderKitGroup(click.Group):
    """Turns every FolderKitError, and OS errors on user files, into one ``Error:`` line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FolderKitError as e:
            raise click.ClickException(str(e)) from e
        except BrokenPipeError:
            raise  # `folder-kit timeline | head`: click ends quietly
        except OSError as e:
            where = f": {e.filename}" if e.filename else ""
            raise click.ClickException(f"{e.strerror or e}{where}") from e
        except Exception as e:
            # The index is derived data: a damaged or locked one is the user's to
            # delete or wait for, not a crash (sqlite3 is not imported for --help).
            if type(e).__module__ == "sqlite3":
                raise click.ClickException(
                    f"the index could not be used ({e}); run `folder-kit scan --rebuild`"
                ) from e
            raise


def print_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        padded = [c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)]
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
        ctx.meta["folder_kit.workspace"] = value


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
    from folder_kit.workspace import find_workspace, open_workspace

    root: Path | None = ctx.meta.get("folder_kit.workspace")
    if root is None:
        root = ctx.find_root().params.get("workspace")
    return open_workspace(find_workspace(root))


@click.group(cls=FolderKitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-w",
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    help=WORKSPACE_HELP,
)
@click.version_option(__version__, prog_name="folder-kit")
def cli(workspace: Path | None) -> None:
    """Your customer folders, as a follow-up system.

    Keep every customer in a folder under 客户/ (Customers/), in a grade
    folder A-D or 待开发客户 (Prospects); save the mail you send into its OUT
    folder and the replies into IN. folder-kit reads the folders and keeps a
    dated timeline of every contact: no data entry. `-w DIR` names the
    workspace, before or after the command.
    """


@cli.command(short_help="Create the recommended workspace (safe to run again).")
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
    from folder_kit.scaffold import scaffold

    if directory is None:
        directory = ctx.find_root().params.get("workspace") or Path(".")
    plan = scaffold(directory, lang="en" if lang == "en" else "zh", dry_run=dry_run)
    explicit = ctx.get_parameter_source("lang") is not click.core.ParameterSource.DEFAULT
    if explicit and plan.lang != lang:
        click.echo(
            f"{plan.root} already has the {plan.lang} layout and keeps it "
            f"(--lang {lang} is for a new workspace)."
        )
    if not plan.created:
        click.echo(f"Nothing to do: {plan.root} is already a complete workspace.")
        return
    verb = "Would create" if dry_run else "Created"
    click.echo(f"{verb} in {plan.root} ({plan.lang} layout):")
    for rel in plan.created:
        depth = rel.rstrip("/").count("/")
        click.echo(
            f"  {'  ' * depth}{rel.rstrip('/').rsplit('/', 1)[-1]}{'/' if rel.endswith('/') else ''}"
        )
    if not dry_run:
        click.echo(
            f"Next: put your name and company under `me:` in {plan.root / 'folder-kit.yaml'}, "
            f'then `cd {plan.root}` and `folder-kit customer add "ACME GmbH" --grade B`.'
        )


@cli.group()
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
    from folder_kit.customers import add_customer

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
    click.echo(f"{verb} {ws.relative(result.customer.path)}/")
    for path in result.created[1:]:
        click.echo(f"  {path.name}{'' if path.suffix == '.txt' else '/'}")


@customer.command("move", short_help="Move a customer to another grade folder.")
@click.argument("name")
@click.option("--grade", "-g", type=GRADE_CHOICE, required=True, help="The grade to move to.")
@click.option("--dry-run", is_flag=True, help="Show the move; change nothing.")
@workspace_option
@click.pass_context
def customer_move(ctx: click.Context, name: str, grade: str, dry_run: bool) -> None:
    """Move a customer to another grade folder (one rename; nothing is copied)."""
    from folder_kit.customers import move_customer

    ws = workspace(ctx)
    result = move_customer(ws, name, grade=cast("Grade", grade), dry_run=dry_run)
    if not result.moved:
        click.echo(
            f"{result.customer.name} is already grade {result.customer.grade}; nothing moved."
        )
        return
    verb = "Would move" if dry_run else "Moved"
    click.echo(f"{verb} {ws.relative(result.source)}/ -> {ws.relative(result.customer.path)}/")


@customer.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@workspace_option
@click.pass_context
def customer_list(ctx: click.Context, as_json: bool) -> None:
    """Customers with their grade and last contact (scans first)."""
    from folder_kit.events import customer_summaries

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


@cli.command("scan", short_help="Read new and changed files into the timeline.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@click.option("--rebuild", is_flag=True, help="Start from an empty index and read every file.")
@workspace_option
@click.pass_context
def scan_cmd(ctx: click.Context, as_json: bool, rebuild: bool) -> None:
    """Read the customer folders and update the timeline of contact events.

    Only what changed since the last scan is read again. The index lives
    outside the workspace and can be deleted at any time: `scan` rebuilds it.
    """
    from folder_kit.scan import scan

    ws = workspace(ctx)
    show_bar = not as_json and sys.stderr.isatty()
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total >= 200:
            bar = click.progressbar(length=total, label="Scanning customers", file=sys.stderr)
            bar.__enter__()
        if bar is not None:
            bar.update(done - bar.pos)

    try:
        result = scan(ws, rebuild=rebuild, progress=progress if show_bar else None)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        print_json(result.as_json())
        return
    click.echo(
        f"{result.customers} customers, {result.files} files, {result.events} events "
        f"({result.new_events} new)."
    )
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)


@cli.command()
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@workspace_option
@click.pass_context
def timeline(ctx: click.Context, name: str | None, as_json: bool) -> None:
    """Contact events of one customer (NAME), or of all, oldest first.

    Scans first, so it shows what is in the folders now. NAME is the folder
    name, the company name from Contact.txt, a unique part of either, or a
    path (`.` inside the customer's folder). Kinds: out (you wrote), in (they
    wrote), quote, pi, order, card (Contact.txt changed), grade (moved to
    another grade folder).
    """
    from folder_kit.events import timeline as build

    ws = workspace(ctx)
    events = build(ws, name=name)
    if as_json:
        print_json([e.as_json() for e in events])
        return
    if not events:
        click.echo("No events yet: save mail into the customers' OUT and IN folders.")
        return
    rows = []
    for e in events:
        what = e.kind if e.kind != "grade" else f"grade {e.from_grade}->{e.to_grade}"
        rows.append(
            [e.day, what, e.medium or "", e.topic or "", e.path.rsplit("/", 1)[-1]]
            if name
            else [e.day, e.customer, what, e.medium or "", e.topic or "", e.path.rsplit("/", 1)[-1]]
        )
    headers = ["date", "kind", "medium", "topic", "file"]
    table(headers if name else [headers[0], "customer", *headers[1:]], rows)


class TopicChoice(click.Choice[str]):
    """A follow-up topic, also as words: "price update", "New Product", "展会"."""

    def __init__(self) -> None:
        super().__init__(LOG_TOPICS)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            slug = "-".join(value.strip().lower().replace("_", " ").split())
            if slug in LOG_TOPICS:
                return slug
            from folder_kit.classify import KeywordMatcher
            from folder_kit.config import DEFAULT_TOPIC_KEYWORDS

            found = KeywordMatcher(DEFAULT_TOPIC_KEYWORDS).find(value)
            if found in LOG_TOPICS:
                return found
        return super().convert(value, param, ctx)


LOG_EPILOG = """\b
Media: phone; fax; courier (samples, DHL/FedEx/UPS); chat (WeChat,
WhatsApp, Skype, Teams, LinkedIn); visit (a meeting, either way); email.

\b
Topics, the course's reasons to write again:
  self-check         a correction or addition to what you sent last
  price-update       a new price list, up or down, and why
  product-update     a new product, spec, pictures or certificate
  company-news       new equipment, an anniversary, news of the company
  exhibition-invite  an invitation to a fair you attend
  visit-invite       an invitation to visit the factory
  holiday-greeting   a greeting for a holiday of their country
  first-contact      the first letter to a prospect
  quote, order       about a quotation or an order
"""


@cli.command("log", epilog=LOG_EPILOG)
@click.argument("name")
@click.option(
    "--direction",
    type=click.Choice(["out", "in"], case_sensitive=False),
    required=True,
    help="out: you contacted them; in: they contacted you.",
)
@click.option(
    "--medium",
    type=click.Choice(LOG_MEDIA, case_sensitive=False),
    required=True,
    metavar="MEDIUM",
    help="How the contact was made (see below).",
)
@click.option(
    "--topic",
    type=TopicChoice(),
    metavar="TOPIC",
    help="What it was about: the reason (see below).",
)
@click.option(
    "--date",
    "day",
    metavar="DATE",
    help="When: 2026-11-26, 20261126, 2026.11.26 or 2026年11月26日 (default: today).",
)
@click.option("--note", default="", help="What was said; kept in the file.")
@click.option("--dry-run", is_flag=True, help="Show the file that would be written.")
@workspace_option
@click.pass_context
def log_cmd(
    ctx: click.Context,
    name: str,
    direction: str,
    medium: str,
    topic: str | None,
    day: str | None,
    note: str,
    dry_run: bool,
) -> None:
    """Record a contact made outside mail (a call, a visit, a chat).

    Writes a small dated text file into the customer's OUT (or IN) folder,
    so the folders stay the single record; the next scan reads it back.
    NAME is the folder name, the company name from Contact.txt, a unique
    part of either, or a path (`.` inside the customer's folder).
    """
    import datetime as dt

    from folder_kit.customers import resolve_customer
    from folder_kit.dates import parse_day
    from folder_kit.errors import UsageError
    from folder_kit.record import record_contact

    ws = workspace(ctx)
    customer = resolve_customer(ws, name)
    today = dt.date.today()
    when = parse_day(day) if day is not None else today
    if when > today:
        raise UsageError(f"{when} is in the future: log a contact once it has happened")
    result = record_contact(
        ws,
        customer,
        direction="out" if direction.lower() == "out" else "in",
        medium=medium.lower(),
        day=when,
        topic=topic,
        note=note,
        dry_run=dry_run,
    )
    click.echo(f"{'Would write' if dry_run else 'Wrote'} {ws.relative(result.path)}")


def main() -> None:
    cli(prog_name="folder-kit")


if __name__ == "__main__":
    main()
