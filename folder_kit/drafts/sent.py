"""`sent DRAFT`: file a sent draft into OUT, so that it counts as the follow-up.

The new file in OUT is written first, then the draft removed: the mail is
never lost, and nothing in OUT is overwritten. The message keeps its bytes but
for the header lines that made it a draft (X-Unsent, Apple's draft marker) and
its Date, which becomes now.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path

from folder_kit.drafts.eml import DRAFT_HEADERS, TOPIC_HEADER
from folder_kit.errors import (
    NotACustomerFolderError,
    NotADraftError,
    UnreadableFileError,
)
from folder_kit.files import read_regular
from folder_kit.timeline.mail import read_message
from folder_kit.workspace.customers import Customer, resolve_customer
from folder_kit.workspace.filing import file_into, mail_stem
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.layout import kind_of_folder

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:")


@dataclass(frozen=True)
class SentResult:
    customer: str
    path: str  # workspace-relative, in OUT

    def as_json(self) -> dict[str, object]:
        return {"customer": self.customer, "path": self.path}


def without_fields(data: bytes, names: Iterable[str], *, add: Sequence[bytes] = ()) -> bytes:
    """The message without its header fields ``names`` (folded lines and all), with
    the lines ``add`` at the end of its header; the body untouched."""
    m = _HEAD_END.search(data)
    if m is None:
        raise ValueError("no blank line after the headers")
    drop = {name.casefold() for name in names}
    head, rest = data[: m.start()], data[m.start() :]
    newline = b"\r\n" if b"\r\n" in head else b"\n"
    lines = head.split(newline)
    kept: list[bytes] = []
    dropping = False
    for line in lines:
        if line[:1] in (b" ", b"\t"):  # a folded continuation of the field above
            if not dropping:
                kept.append(line)
            continue
        field = _FIELD.match(line)
        dropping = field is not None and field.group(1).decode("ascii").casefold() in drop
        if not dropping:
            kept.append(line)
    kept += add
    return newline.join(kept) + rest


def as_sent(data: bytes, *, now: dt.datetime) -> bytes:
    """The message without its draft headers, dated ``now``; the body untouched."""
    date = f"Date: {format_datetime(now)}".encode("ascii")
    return without_fields(data, [*DRAFT_HEADERS, TOPIC_HEADER, "Date"], add=[date])


def sent_at(day: dt.date, *, now: dt.datetime | None = None) -> dt.datetime:
    """When a mail sent on ``day`` is dated: now, if that is today; else that day at
    the time of day it is now (local time)."""
    now = now or dt.datetime.now().astimezone()
    if day == now.date():
        return now
    return now.replace(year=day.year, month=day.month, day=day.day)


MAX_DRAFT = 64 * 1024 * 1024  # a draft with a few attachments, base64-encoded


def _customer_of(ws: Workspace, path: Path) -> Customer:
    try:
        return resolve_customer(ws, str(path.parent))
    except NotACustomerFolderError:
        raise NotADraftError(
            path=str(path), reason="not in a customer's drafts folder (草稿/ or Drafts/)"
        ) from None


def mark_sent(ws: Workspace, draft: Path, *, now: dt.datetime | None = None) -> SentResult:
    """Move ``draft`` (an .eml in a customer's 草稿/) into its OUT as the sent mail."""
    path = draft if draft.is_absolute() else Path.cwd() / draft
    if not path.exists() and not draft.is_absolute() and (ws.root / draft).exists():
        path = ws.root / draft  # as `draft --json` gives it: relative to the workspace
    if not path.is_file():
        raise NotADraftError(path=str(draft), reason="no such file")
    if path.suffix.casefold() != ".eml" or kind_of_folder(path.parent.name) != "drafts":
        raise NotADraftError(
            path=str(draft), reason="not an .eml in a customer's drafts folder (草稿/ or Drafts/)"
        )
    customer = _customer_of(ws, path)
    when = now or dt.datetime.now().astimezone()
    try:  # a regular file, not through a link; a draft with its attachments
        data = read_regular(path, limit=MAX_DRAFT)
    except UnreadableFileError as e:
        raise NotADraftError(path=str(draft), reason=f"it is {e.reason}") from None
    try:
        sent = as_sent(data, now=when)
    except ValueError as e:
        raise NotADraftError(path=str(draft), reason=f"not a mail: {e}") from None
    subject = read_message(path, addresses=False).subject or path.stem
    day = when.date()
    stem = mail_stem(day, subject) or f"{day.isoformat()} {path.stem}"
    # First the mail in OUT, then the draft goes; OUT linked elsewhere: refused, the draft stays.
    target = file_into(
        ws, customer, "out", stem=stem, suffix=".eml", data=sent, keep=len(day.isoformat())
    )
    # Saved when it was sent: a mail sent on a day given (`--date`) is not "dated
    # later than the file was saved", which the scan would take for a wrong clock.
    stamp = when.timestamp()
    os.utime(target, (stamp, stamp))
    path.unlink()
    return SentResult(customer=customer.name, path=ws.relative(target))
