"""`mail add` and `mail remove`: the IMAP accounts in folder-kit.yaml."""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING, get_args

import click

from folder_kit.cli.common import print_json, say, workspace, workspace_option
from folder_kit.errors import UsageError
from folder_kit.mail.presets import PRESETS
from folder_kit.workspace.config import Security

if TYPE_CHECKING:
    from folder_kit.mail.accounts import Added, Removed

_PRESET_NAMES = ", ".join(preset.name for preset in PRESETS)


@click.command("add")
@click.argument("name")
@click.option(
    "--host",
    required=True,
    metavar="HOST",
    help=f"The IMAP server, or a provider's short name: {_PRESET_NAMES}.",
)
@click.option("--port", type=click.IntRange(1, 65535), help="Default: 993 for ssl, else 143.")
@click.option(
    "--security",
    type=click.Choice(get_args(Security)),
    help="ssl (default), starttls, or none (only for a server on this machine).",
)
@click.option("--user", metavar="USER", help="The login name (default: the first --address).")
@click.option(
    "--address",
    "addresses",
    multiple=True,
    metavar="A",
    help="An address you send from on this account; repeat for several.",
)
@click.option(
    "--folder",
    "folders",
    multiple=True,
    metavar="F",
    help="A folder to read (default: INBOX and the folder of sent mail); repeat for several.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The first sync ignores older mail.",
)
@click.option(
    "--ca-file",
    type=click.Path(exists=True, dir_okay=False, resolve_path=True),
    metavar="PEM",
    help="Your company's CA certificate, where the server's is signed by it.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from stdin (asked for, hidden, on a terminal); "
    "it is kept in the OS keyring.",
)
@click.option(
    "--password-command",
    metavar="CMD",
    help="A command that prints the password (like `pass show mail/work`); "
    "written into the account instead of any password.",
)
@click.option("--no-check", is_flag=True, help="Do not log in first; write the account as given.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@workspace_option
@click.pass_context
def add_cmd(
    ctx: click.Context,
    name: str,
    host: str,
    port: int | None,
    security: Security | None,
    user: str | None,
    addresses: tuple[str, ...],
    folders: tuple[str, ...],
    since: dt.datetime | None,
    ca_file: str | None,
    password_stdin: bool,
    password_command: str | None,
    no_check: bool,
    as_json: bool,
) -> None:
    """Add the IMAP account NAME, after logging in once.

    Finds INBOX and the folders of sent mail and drafts, lists them, and writes
    the account into folder-kit.yaml (your comments there stay). The password
    is never written there: --password-stdin keeps it in the OS keyring,
    --password-command names a command that prints it. QQ, 163, 126 and Exmail
    want a client password (授权码) from the web mail's settings, Gmail an app
    password: `--host qq` (or another provider) says where to find it.

    \b
    folder-kit mail add work --host exmail --address lilei@example.cn --password-stdin
    """
    from folder_kit.mail.accounts import add_account, new_account

    if password_stdin and password_command:
        raise UsageError("give --password-stdin or --password-command, not both")
    ws = workspace(ctx)
    account, preset = new_account(
        name,
        host=host,
        port=port,
        security=security,
        user=user,
        addresses=addresses,
        folders=folders,
        since=since.date() if since is not None else None,
        password_command=password_command,
        ca_file=ca_file,
    )
    if preset is not None and not as_json:
        say(f"{preset.provider}: {preset.note}.")
    password = _read_password(account.user) if password_stdin else None
    added = add_account(ws, account, password=password, check=not no_check, preset=preset)
    if as_json:
        print_json(added.as_json())
        return
    _show_added(added)


def _read_password(user: str) -> str:
    """One line of stdin (asked for without echo on a terminal), its line break cut."""
    if sys.stdin is None:
        raise UsageError("--password-stdin: there is no stdin to read the password from")
    if sys.stdin.isatty():
        value: str = click.prompt(f"Password for {user}", hide_input=True, err=True)
        return value
    # Bytes, read as UTF-8: the console's code page (cp936) must not change a password.
    line = sys.stdin.buffer.readline()
    try:
        password = line.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise UsageError("the password on stdin is not UTF-8 text") from None
    if not password:
        raise UsageError("--password-stdin: stdin held no password (one line is read)")
    return password


def _show_added(added: Added) -> None:
    account = added.account
    where = f"{account.host}:{account.address_port}"
    if added.found is not None:
        found = added.found
        say(f"Logged in to {where} as {account.user}.")
        roles = {found.inbox: "inbox", **({found.sent: "sent mail"} if found.sent else {})}
        for folder, count in found.messages.items():
            role = roles.get(folder)
            label = f"{folder} ({role})" if role and role.lower() != folder.lower() else folder
            say(f"  reads {label}: {count} message{'s' if count != 1 else ''}")
        if found.drafts:
            say(f"  drafts go to {found.drafts} (draft --push)")
    for warning in added.warnings:
        say(f"Warning: {warning}", err=True)
    kept = {
        "keyring": "its password is in the OS keyring",
        "password_command": "its password comes from password_command",
        None: "no password is stored for it yet (set password_command: in it, or remove it "
        "and add it again with --password-stdin)",
    }[added.password]
    say(f"Added mail account '{account.name}' to folder-kit.yaml; {kept}.")
    say(f"Next: folder-kit mail sync {account.name}")


@click.command("remove")
@click.argument("name")
@workspace_option
@click.pass_context
def remove_cmd(ctx: click.Context, name: str) -> None:
    """Forget the mail account NAME (its filed mail stays).

    Takes it out of folder-kit.yaml (your comments there stay) and its
    password out of the OS keyring. The mail already filed from it stays in
    the customer folders; nothing on the server changes.
    """
    from folder_kit.mail.accounts import remove_account

    _show_removed(remove_account(workspace(ctx), name))


def _show_removed(removed: Removed) -> None:
    name = removed.account.name
    also = " and mail.drafts_account, which named it," if removed.drafts_account else ""
    say(f"Removed mail account '{name}'{also} from folder-kit.yaml.")
    if removed.password_shared:
        say(
            "Its password stays in the keyring: "
            f"{', '.join(removed.password_shared)} log{'s' if len(removed.password_shared) == 1 else ''} "
            "in with it too."
        )
    elif removed.password_forgotten:
        say("Its password was removed from the OS keyring.")
    say("The mail filed from it stays in the customer folders.")
