"""`draft` and `sent`: the next follow-up as a mail draft, and filing it once sent."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from folder_kit.cli.common import (
    parse_today,
    print_json,
    say,
    say_lines,
    today_option,
    workspace,
    workspace_option,
)
from folder_kit.terms import DRAFT_TOPICS

if TYPE_CHECKING:
    from folder_kit.drafts.draft import DraftResult


DRAFT_EPILOG = """\b
Topics, best first when several are new since the last follow-up:
  holiday-greeting   a holiday of the customer's country in 3-14 days
  exhibition-invite  a fair in folder-kit.yaml opening within 90 days
  price-update       a price list in 产品/价格信息/ since the last follow-up
  product-update     new files in 产品/产品图片/ or 产品/认证证书/
  self-check         complete or correct what you last sent in writing
  company-news       news of the company, with 产品/公司介绍/
  visit-invite       an invitation to visit the factory
  first-contact      the first letter to a prospect
  reply              an answer to a customer who wrote and was never written to
Topics of the last follow-ups (taboos: repeat_window) are left out. A self-check
completes only what was sent in the last two cadences; after three cadences of
silence the mail is a revival and says so.
One draft per customer at a time: while a draft written by `draft` waits unsent
in 草稿/, `draft` writes nothing and says so; --again writes another reason.
Templates: put <topic>.j2 or <topic>.<zh|en>.j2 in 模板/邮件模板/ to use your own.
"""


def _show_waiting(result: DraftResult) -> None:
    say(f"Waiting: {result.path}  [{result.topic}]  {result.subject}")
    say(
        f"  A draft for {result.customer} is waiting to be sent: nothing written. Send it "
        "(then `folder-kit sent` it), delete it, or add --again for another reason."
    )


def _show(ws_relative: str, result: DraftResult) -> None:
    if result.waiting:
        _show_waiting(result)
        return
    say(f"Wrote {ws_relative}")
    say(f"  Topic:   {result.topic} ({result.reason})")
    say(f"  To:      {result.to or '(no address)'}")
    say(f"  Subject: {result.subject}")
    for path in result.attachments:
        say(f"  Attach:  {path}")
    click.echo("")
    # The whole mail, as is (a webmail user pastes it), its lines terminal-safe.
    say_lines(result.body.rstrip("\n"))
    for warning in result.warnings:
        say(f"Warning: {warning}", err=True)


@click.command("draft", epilog=DRAFT_EPILOG)
@click.argument("name", required=False)
@click.option("--due", is_flag=True, help="One draft for every customer due today.")
@click.option(
    "--topic",
    type=click.Choice(DRAFT_TOPICS),
    metavar="TOPIC",
    help="Write about this topic, whatever is new (see below).",
)
@click.option(
    "--contact",
    metavar="K",
    help="Write to another contact in Contact.txt: its number (1 = the first) or a part of "
    "its name or email.",
)
@click.option(
    "--again",
    is_flag=True,
    help="Write another draft although one is waiting unsent, about another reason.",
)
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@click.option("--open", "open_it", is_flag=True, help="Open the draft in your mail program.")
@click.option(
    "--push",
    is_flag=True,
    help="Also put the draft into the Drafts folder of your mail account (IMAP), "
    "to edit and send it from any mail program or webmail.",
)
@click.option(
    "--account",
    metavar="NAME",
    help="The mail account --push goes to (default: mail.drafts_account, else the only one).",
)
@workspace_option
@click.pass_context
def draft(
    ctx: click.Context,
    name: str | None,
    due: bool,
    topic: str | None,
    contact: str | None,
    again: bool,
    today_text: str | None,
    as_json: bool,
    open_it: bool,
    push: bool,
    account: str | None,
) -> None:
    """Write the next follow-up of customer NAME as a mail draft.

    Picks the best reason to write now (a new price list, a fair next month,
    a holiday of the customer's country...), writes the mail to the right
    contact with the right attachments, runs the course's Check step, and
    saves it as an .eml in the customer's 草稿/ (Drafts/) folder, which is
    never counted as contact. Open it in your mail client, edit, send; then
    run `folder-kit sent <draft>` if the client does not save the sent mail
    into OUT. NAME is as for `timeline` (`.` inside the customer's folder).

    --push also puts the draft into the account's Drafts folder (flagged
    \\Draft), where the new Outlook, webmail and phones open it as a draft;
    once its sent copy is filed into OUT, the draft moves into 草稿/sent/.
    """
    from folder_kit.errors import UsageError

    day = parse_today(today_text)
    if due == (name is not None):
        raise UsageError("name one customer, or give --due for everyone due today")
    if due and (topic or contact or open_it or push):
        raise UsageError(
            "--due writes each customer's own best topic: drop --topic/--contact/--open/--push"
        )
    if account is not None and not push:
        raise UsageError("--account says where --push goes: give --push too")
    ws = workspace(ctx)
    day = parse_today(today_text, ws)
    if due:
        _draft_due(ws, day, as_json=as_json, again=again)
        return
    from folder_kit.drafts.draft import write_draft

    assert name is not None
    target = None
    if push:
        from folder_kit.drafts.push import push_account

        target = push_account(ws.config.mail, account)  # before anything is written
    result = write_draft(
        ws, name, today=day, topic=topic, contact=contact, again=again, account=target
    )
    pushed, failed = None, None
    if target is not None and not result.waiting:  # a draft waiting: nothing written
        from folder_kit.drafts.push import DraftNotPushedError, push_draft

        try:
            pushed = push_draft(ws, ws.root / result.path, target)
        except DraftNotPushedError as e:
            failed = e  # said after the draft, which is written
    if as_json:
        print_json({**result.as_json(), **({"pushed": pushed.as_json()} if pushed else {})})
    else:
        _show(result.path, result)
        if pushed is not None:
            say(f"Pushed into {pushed.folder} of mail account {pushed.account}, flagged \\Draft.")
    if failed is not None:
        raise failed
    if open_it:
        from folder_kit.drafts.opener import open_with_system

        open_with_system(ws.root / result.path)


def _draft_due(ws: Any, day: Any, *, as_json: bool, again: bool) -> None:
    from folder_kit.drafts.draft import write_due_drafts

    show_bar = not as_json and sys.stderr.isatty()
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="Writing drafts", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        results = write_due_drafts(
            ws, today=day, progress=progress if show_bar else None, again=again
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        print_json([r.as_json() for r in results])
        return
    for r in results:
        say(f"{'Waiting: ' if r.waiting else ''}{r.path}  [{r.topic}]  {r.subject}")
        for warning in r.warnings:
            say(f"Warning: {r.customer}: {warning}", err=True)
    written = [r for r in results if not r.waiting]
    waiting = len(results) - len(written)
    warned = sum(1 for r in written if r.warnings)
    if not results:
        click.echo(f"No customer is due on {day}.")
        return
    parts = [f"{len(written)} draft{'s' if len(written) != 1 else ''} written"]
    if warned:
        parts.append(f"{warned} with warnings")
    if waiting:
        parts.append(
            f"{waiting} waiting already (nothing written for "
            f"{'it' if waiting == 1 else 'them'}; --again writes another reason)"
        )
    click.echo(", ".join(parts) + ".")


@click.command("sent")
@click.argument("draft_path", metavar="DRAFT", type=click.Path(path_type=Path))
@click.option(
    "--date",
    "date_text",
    metavar="YYYY-MM-DD",
    help="The day it was sent (default: today): 2026-11-26, 20261126, 2026.11.26 or "
    "2026年11月26日.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@workspace_option
@click.pass_context
def sent(ctx: click.Context, draft_path: Path, date_text: str | None, as_json: bool) -> None:
    """The draft DRAFT was sent: file it into OUT, so that it counts.

    Moves the .eml from the customer's 草稿/ into OUT/ as
    `<date> <subject>.eml`, marked as sent (no X-Unsent) and dated now (or on
    the day --date gives), so that the next scan counts it as your follow-up
    with the draft's topic. Use it when your mail client did not save the sent
    mail into OUT itself.
    """
    from folder_kit.drafts.sent import mark_sent, sent_at

    ws = workspace(ctx)
    from folder_kit.timeline.dates import parse_day

    when = None if date_text is None else sent_at(parse_day(date_text))
    result = mark_sent(ws, draft_path, now=when)
    if as_json:
        print_json(result.as_json())
    else:
        say(f"Filed {result.path}")
