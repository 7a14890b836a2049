"""`draft --push`: the draft written into 草稿/ also put into the Drafts folder of a
mail account, where every mail program and webmail (the new Outlook, Outlook on
the web, QQ, 163, Gmail, a phone) opens it as a draft to edit and send.

The message on the server is the local draft's bytes but for ``X-Unsent``: that
header is how an ``.eml`` file on disk asks classic Outlook and Thunderbird to open
it as a draft; on a server the ``\\Draft`` flag and the Drafts folder say so, and a
program that sent the bytes as they are would pass the header on to the customer.
The Message-ID stays: the sent copy usually keeps it, and that is how the local
draft is known to be done once it is filed into OUT (``timeline/sent_drafts.py``).
Apple Mail's draft marker stays too, as Apple Mail's own drafts on a server carry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from folder_kit.drafts.sent import MAX_DRAFT, without_fields
from folder_kit.errors import FolderKitError, UsageError, quoted
from folder_kit.files import read_regular
from folder_kit.mail.imap import AccountError, session
from folder_kit.mail.secrets import password_for
from folder_kit.workspace.config import Account, Mail
from folder_kit.workspace.find import Workspace

# Header fields of the local draft left out of the one on the server.
LOCAL_ONLY = ("X-Unsent",)


@dataclass(frozen=True)
class Pushed:
    account: str
    folder: str

    def as_json(self) -> dict[str, object]:
        return {"account": self.account, "folder": self.folder}


class DraftNotPushedError(FolderKitError):
    """The draft is written in 草稿/, but could not be put into the Drafts folder."""

    def __init__(self, *, path: str, reason: str) -> None:
        super().__init__(f"the draft is written ({path}), but not in the Drafts folder: {reason}")


def push_account(mail: Mail, wanted: str | None) -> Account:
    """The account ``draft --push`` goes to: ``--account``, else ``mail.drafts_account``,
    else the only one. Checked before the draft is written."""
    names = ", ".join(a.name for a in mail.accounts)
    if wanted is not None:
        account = mail.account(wanted)
        if account is None:
            raise UsageError(
                f"--account {quoted(wanted)}: no such mail account in folder-kit.yaml "
                f"(accounts: {names or 'none yet'})"
            )
        return account
    account = mail.drafts_target()
    if account is not None:
        return account
    if not mail.accounts:
        raise UsageError(
            "--push needs a mail account to put the draft into: add one with "
            "`folder-kit mail add NAME --host H --user U`"
        )
    if len(mail.accounts) > 1:
        raise UsageError(
            f"there are several mail accounts ({names}): say which with --account, "
            "or set mail.drafts_account in folder-kit.yaml"
        )
    return mail.accounts[0]


def for_drafts_folder(data: bytes) -> bytes:
    """The local draft as it goes onto the server (without ``LOCAL_ONLY``)."""
    return without_fields(data, LOCAL_ONLY)


def push_draft(ws: Workspace, path: Path, account: Account) -> Pushed:
    """APPEND the draft at ``path`` to ``account``'s Drafts folder, flagged \\Draft and
    \\Seen: ``drafts_folder`` when the account sets it, else the folder the server
    marks \\Drafts (or names like Drafts, 草稿箱). Any failure is a
    :class:`DraftNotPushedError`; the local draft stays as it is."""
    shown = ws.relative(path)
    try:
        message = for_drafts_folder(read_regular(path, limit=MAX_DRAFT))
    except (OSError, ValueError) as e:
        raise DraftNotPushedError(path=shown, reason=str(e)) from e
    try:
        with session(account, password_for(account)) as s:
            folder = account.drafts_folder or s.drafts_folder()
            if folder is None:
                listed = ", ".join(sorted(f.name for f in s.folders()))
                raise s.fail(
                    "the server marks no folder \\Drafts and has none of the usual names; "
                    f"set drafts_folder: in the account to one of: {listed}"
                )
            if folder not in {f.name for f in s.folders()}:
                raise s.missing(folder)
            s.append_draft(folder, message)
    except AccountError as e:
        raise DraftNotPushedError(path=shown, reason=str(e)) from e
    return Pushed(account=account.name, folder=folder)
