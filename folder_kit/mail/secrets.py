"""Where an account's password comes from: its ``password_command``, else the OS keyring.

Never from folder-kit.yaml, never printed, never in a log or a message. The keyring
entry is the service ``folder-kit imap <host>`` with the account's user name, so
renaming an account in folder-kit.yaml keeps its password.
"""

from __future__ import annotations

import os
import subprocess
from typing import TYPE_CHECKING

from folder_kit.mail.imap import AccountError

if TYPE_CHECKING:
    from folder_kit.workspace.config import Account

COMMAND_TIMEOUT = 60.0  # a password manager may ask for its own passphrase
NO_KEYRING = (
    "this machine has no keyring to keep the password in (a headless Linux has none): "
    "set password_command: in the account instead, e.g. `pass show mail/work`"
)
NO_KEYRING_FOR_ADD = (
    "this machine has no keyring to keep the password in (a headless Linux has none): "
    "give --password-command instead, a command that prints it (e.g. `pass show mail/work`); "
    "nothing was written"
)


def keyring_service(account: Account) -> str:
    return f"folder-kit imap {account.host.lower()}"


def password_for(account: Account) -> str:
    """The account's password: the first line of ``password_command``, else the keyring."""
    if account.password_command:
        return _from_command(account)
    import keyring
    from keyring.errors import KeyringError

    try:
        password = keyring.get_password(keyring_service(account), account.user)
    except KeyringError as e:
        raise AccountError(account=account.name, reason=_keyring_trouble(e)) from e
    if password is None:
        raise AccountError(
            account=account.name,
            reason="no password is stored for it: set password_command: in the account, or "
            f"run `folder-kit mail remove {account.name}` and `folder-kit mail add "
            f"{account.name} --host {account.host} --user {account.user} --password-stdin`",
        )
    return password


def store_password(account: Account, password: str) -> None:
    """Keep ``password`` in the OS keyring for ``account`` (``mail add --password-stdin``)."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(keyring_service(account), account.user, password)
    except KeyringError as e:
        raise AccountError(account=account.name, reason=_keyring_trouble(e)) from e


def check_keyring(account: Account) -> None:
    """Refuse, before anything is done, to keep a password where no keyring exists."""
    if _no_backend():
        raise AccountError(account=account.name, reason=NO_KEYRING_FOR_ADD)


def forget_password(account: Account) -> bool:
    """Remove the account's password from the keyring; False when none was there."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(keyring_service(account), account.user)
    except PasswordDeleteError:
        return False
    except KeyringError:
        return False
    return True


def _keyring_trouble(e: Exception) -> str:
    from keyring.errors import NoKeyringError

    if isinstance(e, NoKeyringError) or _no_backend():
        return NO_KEYRING
    return f"the keyring failed: {str(e).splitlines()[0] if str(e) else type(e).__name__}"


def _no_backend() -> bool:
    import keyring
    from keyring.backends import fail

    return isinstance(keyring.get_keyring(), fail.Keyring)


def _from_command(account: Account) -> str:
    command = account.password_command or ""
    try:
        done = subprocess.run(
            command,
            shell=True,  # a command line as the user writes it: `pass show mail/work`
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            env=os.environ.copy(),
        )
    except subprocess.TimeoutExpired as e:
        raise AccountError(
            account=account.name,
            reason=f"password_command gave no password within {COMMAND_TIMEOUT:.0f} s",
        ) from e
    except OSError as e:
        raise AccountError(
            account=account.name, reason=f"password_command cannot run: {e.strerror or e}"
        ) from e
    if done.returncode != 0:
        # Its output may hold the secret, or part of it: only the exit code is shown.
        raise AccountError(
            account=account.name,
            reason=f"password_command failed (exit code {done.returncode})",
        )
    text = done.stdout.decode("utf-8", "replace")
    first = text.splitlines()[0] if text.splitlines() else ""
    if not first:
        raise AccountError(account=account.name, reason="password_command printed no password")
    return first
