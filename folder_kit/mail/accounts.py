"""``mail add`` and ``mail remove``: an IMAP account into folder-kit.yaml, and out again.

``mail add`` logs in once, so that a wrong host or password is found while the
user is at the keyboard, not at the first sync; it finds INBOX and the folders
that hold sent mail and drafts, and writes them into the account, so that a sync
reads what the user saw listed. The file is edited in place (config_edit): the
user's comments and order stay. The password goes to the OS keyring, or stays
behind the user's password_command: never into folder-kit.yaml, never into a
message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from folder_kit.errors import AddressError, UsageError, quoted
from folder_kit.mail import imap, secrets
from folder_kit.mail.presets import Preset, preset_for, preset_named
from folder_kit.timeline.unmatched import forget_sync_state
from folder_kit.workspace.config import (
    ACCOUNT_NAME,
    ACCOUNT_NAME_RULE,
    CONFIG_NAME,
    NO_SECURITY_RULE,
    Account,
    Security,
    is_loopback,
)
from folder_kit.workspace.config_edit import Value, rewrite_config, with_entry, without_entry
from folder_kit.workspace.contact import mail_address
from folder_kit.workspace.find import Workspace

PasswordSource = Literal["keyring", "password_command"]


@dataclass(frozen=True)
class Found:
    """What the login found on the server."""

    inbox: str
    sent: str | None  # None: no folder marked \Sent, none with a usual name
    drafts: str | None
    messages: Mapping[str, int]  # each folder the account reads: how many messages it holds


@dataclass(frozen=True)
class Added:
    account: Account
    found: Found | None  # None: not logged in (--no-check)
    password: PasswordSource | None  # where a sync takes the password from; None: nowhere yet
    preset: Preset | None
    warnings: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        found = None
        if self.found is not None:
            found = {
                "inbox": self.found.inbox,
                "sent": self.found.sent,
                "drafts": self.found.drafts,
                "folders": [{"name": n, "messages": c} for n, c in self.found.messages.items()],
            }
        written = {
            k: v.isoformat() if isinstance(v, dt.date) else v
            for k, v in account_lines(self.account).items()
        }
        return {
            "name": self.account.name,
            "account": written,
            "found": found,
            "password": self.password,
            "preset": (
                {
                    "name": self.preset.name,
                    "provider": self.preset.provider,
                    "note": self.preset.note,
                }
                if self.preset is not None
                else None
            ),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Removed:
    account: Account
    password_forgotten: bool  # its password was in the keyring, and is not any more
    password_shared: tuple[str, ...] = ()  # accounts with the same login, which keep it
    drafts_account: bool = False  # mail.drafts_account named it, and went too


def new_account(
    name: str,
    *,
    host: str,
    port: int | None = None,
    security: Security | None = None,
    user: str | None = None,
    addresses: Sequence[str] = (),
    folders: Sequence[str] = (),
    since: dt.date | None = None,
    password_command: str | None = None,
    ca_file: str | None = None,
) -> tuple[Account, Preset | None]:
    """The account ``mail add`` was asked for, its host resolved from a preset
    (``--host exmail``), and the preset, whose note the user should read."""
    if not ACCOUNT_NAME.fullmatch(name):
        raise UsageError(f"cannot name an account {quoted(name)}: {ACCOUNT_NAME_RULE}")
    preset = preset_named(host)
    if preset is not None:
        host = preset.host
        port = port if port is not None or security is not None else preset.port
        security = security or preset.security
    else:
        host = host.strip()
        preset = preset_for(host)
    if not host or any(ch.isspace() for ch in host):
        raise UsageError(f"--host {quoted(host)} is not a host name (like imap.example.com)")
    security = security or "ssl"
    if security == "none" and not is_loopback(host):
        raise UsageError(f"--security {NO_SECURITY_RULE}")
    checked = tuple(_address(a) for a in addresses)
    login = (user or "").strip() or (checked[0] if checked else "")
    if not login:
        raise UsageError("give --user (the login name, usually your mail address) or --address")
    command = (password_command or "").strip() or None
    account = Account(
        name=name,
        host=host,
        user=login,
        port=port,
        security=security,
        addresses=checked,
        folders=tuple(f.strip() for f in folders if f.strip()),
        since=since,
        password_command=command,
        ca_file=ca_file,
    )
    return account, preset


def _address(value: str) -> str:
    address = mail_address(value)
    if address.problem or address.name:
        raise AddressError(
            option="--address",
            value=value,
            reason=address.problem or "holds a name",
            hint="give one address, as name@domain",
        )
    return address.typed.lower()


def account_lines(account: Account) -> dict[str, Value]:
    """The account as folder-kit.yaml holds it: what it sets, in the spec's order."""
    lines: dict[str, Value] = {"host": account.host}
    if account.port is not None:
        lines["port"] = account.port
    lines["security"] = account.security
    lines["user"] = account.user
    if account.addresses:
        lines["addresses"] = list(account.addresses)
    if account.folders:
        lines["folders"] = list(account.folders)
    if account.drafts_folder:
        lines["drafts_folder"] = account.drafts_folder
    if account.since is not None:
        lines["since"] = account.since
    if account.password_command:
        lines["password_command"] = account.password_command
    if account.ca_file:
        lines["ca_file"] = account.ca_file
    return lines


def add_account(
    ws: Workspace,
    account: Account,
    *,
    password: str | None = None,
    check: bool = True,
    preset: Preset | None = None,
) -> Added:
    """Log in as ``account`` (unless ``check`` is off), find its folders, and write it
    into folder-kit.yaml; ``password`` (given on stdin) goes to the OS keyring, only
    once the login worked. Nothing is written when anything fails."""
    if ws.config.mail.account(account.name) is not None:
        raise _exists(account.name)
    if password is not None:
        secrets.check_keyring(account)  # before logging in: the password must go somewhere
    found: Found | None = None
    warnings: list[str] = []
    if check:
        tried = password if password is not None else secrets.password_for(account)
        found = _look(account, tried)
        if not account.folders:
            account = replace(account, folders=(found.inbox, *([found.sent] if found.sent else [])))
        if found.drafts and not account.drafts_folder:
            account = replace(account, drafts_folder=found.drafts)
        if found.sent is None and len(account.folders) < 2:
            warnings.append(
                "no folder for sent mail was found (none is marked \\Sent, none has a usual "
                "name): your sent mail will not be filed; name it with --folder"
            )
        if found.drafts is None:
            warnings.append(
                "no Drafts folder was found: `draft --push` needs drafts_folder: in the account"
            )
    path = ws.root / CONFIG_NAME

    def edit(text: str) -> str:
        try:
            return with_entry(text, ("mail", "accounts", account.name), account_lines(account))
        except ValueError:
            raise _exists(account.name) from None

    if password is not None:
        secrets.store_password(account, password)
    rewrite_config(path, edit, meant=lambda config: config.mail.account(account.name) == account)
    source: PasswordSource | None = None
    if account.password_command:
        source = "password_command"
    elif password is not None or found is not None:
        source = "keyring"
    return Added(
        account=account, found=found, password=source, preset=preset, warnings=tuple(warnings)
    )


def _exists(name: str) -> UsageError:
    return UsageError(
        f"there is already a mail account {quoted(name)} in {CONFIG_NAME}; "
        f"remove it first (folder-kit mail remove {name}) or choose another name"
    )


def _look(account: Account, password: str) -> Found:
    """Log in, and find INBOX, sent mail and drafts (and any folder asked for)."""
    with imap.session(account, password) as session:
        inbox = session.inbox()
        sent = session.sent_folder()
        drafts = session.drafts_folder()
        folders = account.folders or (inbox, *([sent] if sent else []))
        for name in (*account.folders, *([account.drafts_folder] if account.drafts_folder else [])):
            if _listed(session, name) is None:
                raise session.missing(name)
        messages = imap.folder_counts(session, folders)
    return Found(inbox=inbox, sent=sent, drafts=drafts, messages=messages)


def _listed(session: imap.Session, name: str) -> str | None:
    for folder in session.folders():
        if "\\Noselect" in folder.flags:
            continue
        if folder.name == name or (name.upper() == "INBOX" and folder.name.upper() == "INBOX"):
            return folder.name
    return None


def remove_account(ws: Workspace, name: str) -> Removed:
    """Take the account ``name`` out of folder-kit.yaml (and ``mail.drafts_account``
    where it names it), then its password out of the keyring, unless another
    account logs in with it, and what the sync state knew of it. Mail filed from it
    stays where it is."""
    mail = ws.config.mail
    account = mail.account(name)
    if account is None:
        names = ", ".join(a.name for a in mail.accounts)
        raise UsageError(
            f"no mail account {quoted(name)} in {CONFIG_NAME}"
            + (f" (accounts: {names})" if names else " (it has no accounts)")
        )
    drafts = mail.drafts_account == name

    def edit(text: str) -> str:
        if drafts:
            text = without_entry(text, ("mail", "drafts_account"))
        return without_entry(text, ("mail", "accounts", name))

    others = tuple(a for a in mail.accounts if a.name != name)
    config = rewrite_config(
        ws.root / CONFIG_NAME, edit, meant=lambda config: config.mail.accounts == others
    )
    # What the sync state knew of it goes too: added again later, the account is
    # read afresh, and the workspace's Message-IDs keep anything from being filed twice.
    forget_sync_state(ws.root, name)
    remaining = config.mail.accounts
    shared = tuple(a.name for a in remaining if _same_login(a, account))
    forgotten = False if shared else secrets.forget_password(account)
    return Removed(
        account=account,
        password_forgotten=forgotten,
        password_shared=shared,
        drafts_account=drafts,
    )


def _same_login(a: Account, b: Account) -> bool:
    return secrets.keyring_service(a) == secrets.keyring_service(b) and a.user == b.user
