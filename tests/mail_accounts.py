"""A workspace's `mail:` section pointing at a test Dovecot (tests/dovecot.py)."""

from __future__ import annotations

import json
from pathlib import Path

from dovecot import Dovecot


def account_yaml(
    server: Dovecot,
    name: str = "work",
    *,
    password: str | None = None,
    keyring: bool = False,
    port: int | None = None,
    folders: list[str] | None = None,
    since: str | None = None,
    extra: str = "",
) -> str:
    """One account under ``mail.accounts``: the server's user, its password from a
    file through ``password_command`` (``password`` overrides it: a wrong one), or
    from the OS keyring with ``keyring``; ``port`` another port (one nobody
    listens on), ``folders`` and ``since`` as folder-kit.yaml writes them."""
    lines = [
        f"    {name}:",
        "      host: 127.0.0.1",
        f"      port: {port or server.port}",
        "      security: none",
        f"      user: {server.user}",
    ]
    if not keyring:
        secret = server.base / f"password-{name}"
        secret.write_text(
            (server.password if password is None else password) + "\n", encoding="utf-8"
        )
        lines.append(f"      password_command: cat {secret}")
    if folders is not None:
        lines.append(f"      folders: {json.dumps(folders, ensure_ascii=False)}")
    if since is not None:
        lines.append(f"      since: {since}")
    lines += [f"      {line}" for line in extra.splitlines() if line.strip()]
    return "\n".join(lines) + "\n"


def add_mail_section(root: Path, accounts: str, *, extra: str = "") -> None:
    """Give the workspace's folder-kit.yaml ``mail.accounts`` (account_yaml's) and the
    ``extra`` lines of ``mail:``, in its ``mail:`` section (made when there is none)."""
    config = root / "folder-kit.yaml"
    text = config.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    added = f"  accounts:\n{accounts}{extra}"
    if "mail:\n" in lines:
        at = lines.index("mail:\n") + 1
        config.write_text("".join([*lines[:at], added, *lines[at:]]), encoding="utf-8")
    else:
        config.write_text(f"{text.rstrip()}\nmail:\n{added}", encoding="utf-8")
