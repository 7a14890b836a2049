"""The files of 产品/ (Products/) the topics draw on: price lists, pictures,
certificates, the company profile.

The same for every customer, so read once per command: ``all_product_files``
is four folder listings, whether `draft` writes one mail or `due` lists
10,000 customers.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from folder_kit.followup.topics import FileFact
from folder_kit.timeline.dates import date_from_name
from folder_kit.timeline.instants import day_of, user_zone
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.ignore import (
    computer_names,
    is_ignored,
    onedrive_copies,
    onedrive_pattern,
)
from folder_kit.workspace.layout import LANGS, load_layout

PRODUCT_KEYS = ("price_lists", "pictures", "certificates", "company_profile")


def product_folder(ws: Workspace, key: str) -> Path | None:
    """产品/价格信息/ and the like, in the workspace's language or the other one."""
    for lang in (ws.config.lang, *LANGS):
        layout = load_layout(lang)
        for products in (ws.layout.products, layout.products):
            path = ws.root / products / layout.product_dirs[key]
            if path.is_dir():
                return path
    return None


def product_files(ws: Workspace, key: str) -> tuple[FileFact, ...]:
    """The files of one 产品/ folder (not in subfolders), dated like events:
    a date in the name first, then the modification time."""
    folder = product_folder(ws, key)
    if folder is None:
        return ()
    out = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return ()
    # A sync tool's conflict copy beside the real file is no new product to write about.
    copies = onedrive_copies([e.name for e in entries], onedrive_pattern(computer_names()))
    zone = user_zone(ws.config.timezone)
    for entry in entries:
        if is_ignored(entry.name) or entry.name in copies:
            continue
        if not entry.is_file(follow_symlinks=False):
            continue
        day = date_from_name(entry.name)
        if day is None:
            mtime = entry.stat(follow_symlinks=False).st_mtime
            day = dt.date.fromisoformat(day_of(int(mtime // 1), zone))
        out.append(FileFact(ws.relative(Path(entry.path)), day))
    return tuple(sorted(out, key=lambda f: (f.day, f.path)))


def all_product_files(ws: Workspace) -> dict[str, tuple[FileFact, ...]]:
    """The files of every 产品/ folder the topic choice reads, by key: the same for
    every customer, so gathered once for a command."""
    return {key: product_files(ws, key) for key in PRODUCT_KEYS}
