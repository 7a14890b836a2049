"""Adding a file to one of a customer's folders (OUT, IN, 草稿/...): the one way
the tool files a sent mail, a logged contact, a draft or an imported message.

The name is the caller's stem, cut to fit Windows' MAX_PATH (a workspace may be
synced to a Windows machine, so this holds on every system), with " (2)",
" (3)"... where it is taken. The bytes are written atomically under a name no
file had: nothing is overwritten, not even a file that appears between choosing
the name and writing it, and a reader never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from folder_kit.errors import TargetExistsError, UnsafeNameError
from folder_kit.files import check_no_links, unique_path, write_new
from folder_kit.workspace.customers import Customer, kind_folder
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.layout import Kind
from folder_kit.workspace.names import fit_path, folder_name

NO_SUBJECT = "(no subject)"
_ATTEMPTS = 100  # names taken by other writers meanwhile, before giving up
_SEPARATOR = re.compile(r"\s*[:：]\s*")


def mail_stem(day: dt.date, subject: str) -> str | None:
    """``<day> <subject>``, the way salespeople name a saved mail ("Re: Offer" as
    "Re - Offer"), portable on every system; None where the subject leaves no
    usable name."""
    subject = " ".join(subject.split()) or NO_SUBJECT
    try:
        return folder_name(f"{day.isoformat()} {_SEPARATOR.sub(' - ', subject)}")
    except UnsafeNameError:
        return None


def planned_path(
    ws: Workspace, customer: Customer, kind: Kind, *, stem: str, suffix: str, keep: int
) -> Path:
    """Where ``file_into`` would write now. ``keep``: the stem's first characters
    (its date, say) that are never cut to fit the path."""
    folder = kind_folder(ws, customer, kind)
    return unique_path(folder, fit_path(str(folder), stem, suffix, keep=keep), suffix)


def file_into(
    ws: Workspace,
    customer: Customer,
    kind: Kind,
    *,
    stem: str,
    suffix: str,
    data: bytes | Callable[[], bytes],
    keep: int,
    dry_run: bool = False,
) -> Path:
    """Write ``data`` as a new file in the customer's folder of ``kind``; returns its
    path. ``data`` may be a function, called before anything is written (building a
    mail can fail, and then nothing is left behind). A folder or customer linked
    elsewhere is refused; with ``dry_run``, nothing is written."""
    folder = kind_folder(ws, customer, kind)
    stem = fit_path(str(folder), stem, suffix, keep=keep)
    target = unique_path(folder, stem, suffix)
    check_no_links(ws.root, target)
    if dry_run:
        return target
    content = data() if callable(data) else data
    folder.mkdir(parents=True, exist_ok=True)
    for _ in range(_ATTEMPTS):
        try:
            write_new(target, content)
            return target
        except TargetExistsError:  # taken since unique_path looked: take the next
            target = unique_path(folder, stem, suffix)
    raise TargetExistsError(path=str(target), hint="other programs keep taking the names")
