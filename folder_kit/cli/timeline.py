"""`scan`, `timeline` and `log`: reading the folders into events, and writing one."""

from __future__ import annotations

import sys
from typing import Any

import click

from folder_kit.cli.common import (
    parse_today,
    print_json,
    print_json_objects,
    say,
    table,
    workspace,
    workspace_option,
)
from folder_kit.terms import LOG_MEDIA, LOG_TOPICS


@click.command("scan")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@click.option("--rebuild", is_flag=True, help="Start from an empty index and read every file.")
@workspace_option
@click.pass_context
def scan_cmd(ctx: click.Context, as_json: bool, rebuild: bool) -> None:
    """Read the customer folders and update the timeline of contact events.

    Only what changed since the last scan is read again. The index lives
    outside the workspace and can be deleted at any time: `scan` rebuilds it.
    """
    from folder_kit.timeline.scan import scan

    ws = workspace(ctx)
    if rebuild:
        from folder_kit.errors import WatcherRunningError
        from folder_kit.timeline.watcher_lock import running_watcher

        running = running_watcher(ws.root)
        if running is not None:
            raise WatcherRunningError(
                pid=running.pid,
                since=running.started,
                hint="stop it first (Ctrl-C, or `folder-kit service uninstall`); "
                "a plain `folder-kit scan` can run beside it",
            )
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
        say(f"Warning: {warning}", err=True)


@click.command()
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
    from folder_kit.timeline.events import timeline as build
    from folder_kit.timeline.events import timeline_json

    ws = workspace(ctx)
    if as_json:
        print_json_objects(timeline_json(ws, name=name))
        return
    events = build(ws, name=name)
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
            from folder_kit.timeline.classify import KeywordMatcher
            from folder_kit.workspace.config import DEFAULT_TOPIC_KEYWORDS

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


@click.command("log", epilog=LOG_EPILOG)
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
    from folder_kit.errors import UsageError
    from folder_kit.timeline.dates import parse_day
    from folder_kit.timeline.events import find_customer
    from folder_kit.timeline.record import record_contact

    ws = workspace(ctx)
    customer = find_customer(ws, name)
    today = parse_today(None, ws)
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
    say(f"{'Would write' if dry_run else 'Wrote'} {ws.relative(result.path)}")
