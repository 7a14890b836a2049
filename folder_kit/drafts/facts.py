"""Gathering what the topic choice needs about a customer: events, 产品/ files, holidays."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from folder_kit.drafts.greetings import Holiday, upcoming_holidays
from folder_kit.drafts.topics import Facts, FileFact
from folder_kit.timeline.dates import date_from_name
from folder_kit.timeline.events import Event
from folder_kit.workspace.customers import Customer
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.ignore import (
    computer_names,
    is_ignored,
    onedrive_copies,
    onedrive_pattern,
)
from folder_kit.workspace.layout import LANGS, load_layout

HOLIDAY_LOOKAHEAD = 60  # days: how far --topic holiday-greeting looks for one


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
    for entry in entries:
        if is_ignored(entry.name) or entry.name in copies:
            continue
        if not entry.is_file(follow_symlinks=False):
            continue
        day = date_from_name(entry.name)
        if day is None:
            day = dt.date.fromtimestamp(entry.stat(follow_symlinks=False).st_mtime)
        out.append(FileFact(ws.relative(Path(entry.path)), day))
    return tuple(sorted(out, key=lambda f: (f.day, f.path)))


PRODUCT_KEYS = ("price_lists", "pictures", "certificates", "company_profile")


def all_product_files(ws: Workspace) -> dict[str, tuple[FileFact, ...]]:
    """The files of every 产品/ folder the topic choice reads, by key: the same for
    every customer, so gathered once for a run of drafts."""
    return {key: product_files(ws, key) for key in PRODUCT_KEYS}


def customer_facts(
    ws: Workspace,
    customer: Customer,
    events: Sequence[Event],
    *,
    country: str | None,
    today: dt.date,
    products: Mapping[str, tuple[FileFact, ...]] | None = None,
) -> Facts:
    """The Facts of ``customer`` as of ``today``: events dated after it are not known yet.
    ``products``: ``all_product_files``, when gathered already."""
    if products is None:
        products = all_product_files(ws)
    known = [e for e in events if dt.date.fromisoformat(e.day) <= today]
    outs = [e for e in known if e.kind == "out"]
    window = ws.config.taboos.repeat_window
    recent = tuple(e.topic for e in reversed(outs[-window:]))
    # What a self-check completes: the last mail or quotation, not a call or a visit.
    sent = [e for e in known if (e.kind == "out" and e.medium == "email") or e.kind == "quote"]
    last = sent[-1] if sent else None
    holidays_cfg = ws.config.holidays
    holidays = (
        upcoming_holidays(
            country,
            today=today,
            names=holidays_cfg.names,
            min_days=0,
            lead_days=max(HOLIDAY_LOOKAHEAD, holidays_cfg.lead_days),
        )
        if holidays_cfg.greet
        else []
    )
    if country is None and holidays_cfg.greet:
        # No country on the card: New Year's Day is one holiday everybody keeps.
        new_year = dt.date(today.year + 1, 1, 1)
        if (new_year - today).days <= max(HOLIDAY_LOOKAHEAD, holidays_cfg.lead_days):
            holidays = [Holiday("New Year", "新年", new_year, "", "New Year's Day")]
    return Facts(
        prospect=customer.grade == "P",
        last_out=dt.date.fromisoformat(outs[-1].day) if outs else None,
        recent_topics=recent,
        last_sent=(
            FileFact(last.path, dt.date.fromisoformat(last.day)) if last is not None else None
        ),
        last_subject=(last.subject or Path(last.path).stem) if last is not None else "",
        price_lists=products["price_lists"],
        pictures=products["pictures"],
        certificates=products["certificates"],
        company_files=products["company_profile"],
        exhibitions=ws.config.exhibitions,
        holidays=tuple(holidays),
        holiday_window=(holidays_cfg.min_days, holidays_cfg.lead_days),
    )
