"""A draft is done once its sent mail is filed: a mail in the customer's folders
(OUT above all) with the Message-ID of a draft in 草稿/ moves that draft into
草稿/sent/.

A mail program that sends a draft opened from the Drafts folder (``draft --push``
put it there) usually keeps its Message-ID, so the sent copy names the draft it was.
Whoever files that copy, `mail sync`, `mail import`, `sent` or the user saving it
by hand, the scan that reads it notices: this is the scan's second write in the
workspace, after the grade notes. A draft is never deleted and nothing is
overwritten: one whose name is taken in 草稿/sent/ gets " (2)"; one that cannot be
moved (a read-only folder) stays where it is.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from folder_kit.errors import FolderKitError, TargetExistsError
from folder_kit.files import check_no_links, rename_new, unique_path
from folder_kit.timeline.index import Index
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.layout import kind_of_folder

DONE_FOLDER = "sent"  # inside the drafts folder: 草稿/sent/, Drafts/sent/
_ATTEMPTS = 100


def file_drafts_done(ws: Workspace, index: Index, customers: Collection[str]) -> list[Path]:
    """Move each draft of ``customers`` (keys) whose mail ``index`` holds into its
    drafts folder's ``sent/``; returns where they went.

    A scan asks this of every customer with new mail but those whose folder it
    listed and saw no drafts folder in; a folder each is listed (text paths, no
    ``Path`` made for one without a draft), and the mail reader is imported only
    for a draft found."""
    moved: list[Path] = []
    base = str(ws.customers_dir)
    for key, (grade_folder, name) in index.customer_places(customers).items():
        drafts = _drafts(f"{base}/{grade_folder}/{name}")
        if not drafts:
            continue
        from folder_kit.timeline.mail import read_message

        for draft in drafts:
            try:
                mail = read_message(draft, addresses=False).message_id
            except FolderKitError:
                continue  # not a mail (yet): a draft being written, a stray file
            if mail is not None and index.has_message(key, mail):
                done = _put_away(ws, draft)
                if done is not None:
                    moved.append(done)
    return moved


def _drafts(customer: str) -> list[Path]:
    """The ``.eml`` files directly in the customer's drafts folders (草稿/, Drafts/)."""
    found: list[Path] = []
    try:
        with os.scandir(customer) as entries:
            folders = [
                e.path
                for e in entries
                if e.is_dir(follow_symlinks=False) and kind_of_folder(e.name) == "drafts"
            ]
        for folder in folders:
            with os.scandir(folder) as entries:
                found += [
                    Path(e.path)
                    for e in entries
                    if e.name.casefold().endswith(".eml") and e.is_file(follow_symlinks=False)
                ]
    except OSError:
        pass  # gone or unreadable since the scan read it: the next scan tries again
    return sorted(found)


def _put_away(ws: Workspace, draft: Path) -> Path | None:
    folder = draft.parent / DONE_FOLDER
    try:
        check_no_links(ws.root, folder / draft.name)
        folder.mkdir(exist_ok=True)
        for _ in range(_ATTEMPTS):
            target = unique_path(folder, draft.stem, draft.suffix)
            try:
                rename_new(draft, target)
                return target
            except TargetExistsError:  # taken since unique_path looked
                continue
    except (OSError, FolderKitError):
        pass  # it stays a draft: nothing is lost
    return None
