"""Drafts of the tool's own still waiting in a customer's 草稿/ (Drafts/): one draft
per customer at a time, so a second `draft` (or `draft --due`) writes nothing.

A waiting draft is one `draft` wrote and nobody sent yet: an ``.eml`` named as
`draft` names it (``YYYY-MM-DD <topic>.eml``, maybe `` (2)``) that still carries
the mark of a draft (``X-Unsent: 1``). A draft the user renamed, or a mail of
their own saved there, is theirs, not the tool's.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from folder_kit.drafts.eml import TOPIC_HEADER
from folder_kit.errors import UnreadableFileError
from folder_kit.files import open_regular
from folder_kit.terms import DRAFT_TOPICS
from folder_kit.workspace.customers import Customer, kind_folder
from folder_kit.workspace.find import Workspace

_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2}) ([a-z-]+)(?: \(\d+\))?\.eml$", re.IGNORECASE)
_UNSENT = re.compile(rb"^X-Unsent:[ \t]*1[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_TOPIC = re.compile(
    rb"^" + TOPIC_HEADER.encode("ascii") + rb":[ \t]*([a-z-]+)[ \t]*\r?$",
    re.IGNORECASE | re.MULTILINE,
)
_HEAD = 16 * 1024  # the header block of a draft; its attachments come after


@dataclass(frozen=True)
class Waiting:
    """A draft of the tool's own, not sent yet."""

    path: Path
    day: dt.date
    topic: str


def waiting_drafts(ws: Workspace, customer: Customer) -> list[Waiting]:
    """The customer's waiting drafts, oldest first."""
    folder = kind_folder(ws, customer, "drafts")
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError:  # no drafts folder yet
        return []
    out = []
    for name in names:
        m = _NAME.match(name)
        if m is None or m.group(2).casefold() not in DRAFT_TOPICS:
            continue
        path = folder / name
        try:  # a regular file, not through a link
            fd = open_regular(path)
        except (UnreadableFileError, OSError):
            continue
        try:
            head = os.read(fd, _HEAD)
        except OSError:
            continue
        finally:
            os.close(fd)
        head = head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        if not _UNSENT.search(head):
            continue
        topic = _TOPIC.search(head)
        try:
            day = dt.date.fromisoformat(m.group(1))
        except ValueError:
            continue
        out.append(
            Waiting(path, day, topic.group(1).decode("ascii") if topic else m.group(2).casefold())
        )
    out.sort(key=lambda w: (w.day, w.path.name))
    return out
