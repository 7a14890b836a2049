"""`mail import` and `mail unmatched`: filing the mail a salesperson already has."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from folder_kit.cli.common import print_json, say, table, workspace, workspace_option

if TYPE_CHECKING:
    from folder_kit.mail.importer import ImportResult, Progress

# Below this many bytes of source (or messages, where the size is not known) an
# import is over before a bar would tell anything.
_BAR_AFTER_BYTES = 20 * 1024 * 1024
_BAR_AFTER_MESSAGES = 500


SHOWN_ADDRESSES = 5  # a company's correspondents on one line; --json lists them all


@click.group("mail")
def mail() -> None:
    """File the mail you already have into the customer folders.

    `mail import` reads mail exports (an mbox, a Maildir, a folder of .eml and
    .msg files, an Outlook .pst), `mail sync` your IMAP accounts, and each
    copies every message that concerns a customer into its OUT/ (sent) or IN/
    (received), matched by the addresses in the customers' Contact.txt. `mail
    unmatched` lists who wrote the mail no customer claims: prospects to add.
    """


@mail.command("import")
@click.argument(
    "paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option(
    "--me",
    "me",
    metavar="ADDRESS",
    multiple=True,
    help="One of your own addresses (besides me.email); repeat for several.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@click.option("--dry-run", is_flag=True, help="Show what would be filed; write nothing.")
@workspace_option
@click.pass_context
def import_cmd(
    ctx: click.Context, paths: tuple[Path, ...], me: tuple[str, ...], as_json: bool, dry_run: bool
) -> None:
    """File the messages of the mail sources PATH... into the customer folders.

    A PATH is an mbox file (Thunderbird, Gmail Takeout, Apple Mail), a Maildir,
    a folder searched for .eml and .msg files, or an Outlook .pst (needs
    `pip install 'folder-kit[pst]'`). Mail from you or a colleague goes into
    the OUT/ of each customer it was sent to, other mail into the IN/ of the
    customer who sent it; mail among colleagues and mail no customer claims is
    not filed (see `mail unmatched`). A message already in the customer's
    folders is never filed twice: importing the same source again is safe.
    """
    from folder_kit.mail.importer import import_mail

    ws = workspace(ctx)
    bar = _Bar() if not as_json and sys.stderr.isatty() else None
    try:
        result = import_mail(
            ws, list(paths), me=me, dry_run=dry_run, progress=bar.show if bar else None
        )
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        print_json(result.as_json())
        return
    _show(result, dry_run=dry_run)


def _show(result: ImportResult, *, dry_run: bool) -> None:
    verb = "Would file" if dry_run else "Filed"
    for filed in result.filed:
        say(f"{verb} {filed.path}")
    for warning in result.warnings:
        say(f"Warning: {warning}", err=True)
    parts = [
        f"{result.messages} message{'s' if result.messages != 1 else ''}",
        f"{len(result.filed)} {'to file' if dry_run else 'filed'}",
        f"{result.known} already filed",
        f"{result.internal} internal",
        f"{result.unmatched} unmatched",
    ]
    click.echo(", ".join(parts) + ".")
    if result.unmatched and not dry_run:
        click.echo("See who wrote the unmatched mail: folder-kit mail unmatched")


class _Bar:
    """A progress bar on stderr, shown once an import or a sync proves long: over the
    bytes of the sources (the messages to read) where known, else a count of
    messages; a new bar for each new label (each account a sync reads)."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.label = ""

    def show(self, progress: Progress) -> None:
        if self.bar is not None and progress.label != self.label:
            self.close()
        if self.bar is None:
            self.label = progress.label
            if progress.total is not None:
                least = _BAR_AFTER_BYTES if progress.unit == "bytes" else _BAR_AFTER_MESSAGES
                if progress.total < least:
                    return
                self.bar = click.progressbar(
                    length=progress.total, label=progress.label, file=sys.stderr
                )
            else:
                if progress.messages < _BAR_AFTER_MESSAGES:
                    return
                self.bar = click.progressbar(
                    itertools.count(), label=progress.label, show_pos=True, file=sys.stderr
                )
            self.bar.__enter__()
        done = progress.done if progress.total is not None else progress.messages
        step = min(done, progress.total or done) - self.bar.pos
        if step > 0:
            self.bar.update(step)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@mail.command("unmatched")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@workspace_option
@click.pass_context
def unmatched_cmd(ctx: click.Context, as_json: bool) -> None:
    """Who wrote the mail that no customer claims: prospects to add.

    Lists the correspondents of the unmatched mail the last imports and syncs
    saw, grouped by company domain (an address at a free-mail provider by
    itself), most messages first, each with the `customer add` line that would
    claim its mail; the next `mail sync` (or importing the same mail again)
    files it then.
    """
    from folder_kit.mail.importer import list_unmatched

    ws = workspace(ctx)
    groups = list_unmatched(ws)
    if as_json:
        print_json([g.as_json() for g in groups])
        return
    if not groups:
        click.echo("No unmatched mail: every correspondent seen belongs to a customer.")
        return
    for g in groups:
        span = g.first if g.first == g.last else f"{g.first} to {g.last}"
        say(f"{g.key}  {g.messages} message{'s' if g.messages != 1 else ''}, {span}")
        shown = g.addresses[:SHOWN_ADDRESSES]  # most messages first
        more = len(g.addresses) - len(shown)
        say(f"  from: {', '.join(shown)}" + (f" and {more} more" if more else ""))
        for subject in g.subjects:
            say(f"  - {subject}")
        say(f"  {g.claim}" if g.claim else "  (sent by machines only: no one to add)")


@mail.command("sync")
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@click.option("--dry-run", is_flag=True, help="Show what would be filed; write nothing.")
@workspace_option
@click.pass_context
def sync_cmd(ctx: click.Context, name: str | None, as_json: bool, dry_run: bool) -> None:
    """File what is new in your IMAP accounts (or the account NAME).

    Reads each account's folders (INBOX and Sent unless `folders:` names
    others) without changing anything on the server, and files the mail that
    concerns a customer as `mail import` does. Only what arrived since the
    last sync is read; mail that matched no customer is remembered, and filed
    by a later sync once a customer's Contact.txt names its sender. An account
    that fails is an Error: line; the others still sync.
    """
    from folder_kit.cli import one_line
    from folder_kit.mail.sync import sync_accounts

    ws = workspace(ctx)
    bar = _Bar() if not as_json and sys.stderr.isatty() else None
    try:
        result = sync_accounts(
            ws,
            ws.config,
            names=[name] if name is not None else None,
            dry_run=dry_run,
            progress=bar.show if bar else None,
        )
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        print_json(result.as_json())
    else:
        _show(result, dry_run=dry_run)
    for error in result.errors:
        click.echo(f"Error: {one_line(error)}", err=True)
    if result.errors:
        ctx.exit(1)


@mail.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@workspace_option
@click.pass_context
def list_cmd(ctx: click.Context, as_json: bool) -> None:
    """The mail accounts, the folders each syncs, and when each last synced."""
    from folder_kit.mail.sync import list_accounts

    listed = list_accounts(workspace(ctx))
    if as_json:
        print_json([a.as_json() for a in listed])
        return
    if not listed:
        click.echo("No mail account: add one with `folder-kit mail add NAME --host HOST`.")
        return
    table(
        ["name", "host", "user", "folders", "last sync"],
        [
            [
                a.name,
                a.host,
                a.user,
                ", ".join(a.folders) or "INBOX and Sent",
                a.last_sync or "never",
            ]
            for a in listed
        ],
    )


def _accounts() -> None:
    """`mail add` and `mail remove` live in their own module."""
    from folder_kit.cli.mail_accounts import add_cmd, remove_cmd

    mail.add_command(add_cmd)
    mail.add_command(remove_cmd)


_accounts()
