"""A Contact.txt is a `card` event only once it changes after folder-kit first saw it:
a copied workspace (the demo copies the sample) shows no card dated the day of
the copy, and `scan --rebuild` keeps what it knew."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from conftest import Invoke
from helpers import assert_ok, build_tree

B = "客户/B-在谈客户"
CARD = f"{B}/ACME GmbH/Contact.txt"
TREE = {
    CARD: "Company: ACME GmbH\nName: Hans Maier\nEmail: hans@acme.example\n",
    f"{B}/ACME GmbH/OUT/2026-11-20 price list.txt": "x",
    f"{B}/Rossi/Contact.txt": "Company: Rossi Srl\n",
    f"{B}/Rossi/IN/2026-11-24 re price list.txt": "x",
}
DAY = 1_795_000_000  # 2026-11-18: a day before --today


def events(invoke: Invoke, ws: Path, *args: str) -> list[dict[str, object]]:
    result = invoke("-w", str(ws), "timeline", "--json", *args)
    assert_ok(result)
    return list(json.loads(result.stdout))


def cards(invoke: Invoke, ws: Path) -> list[tuple[object, ...]]:
    return [(e["path"], e["date"][:10]) for e in events(invoke, ws) if e["kind"] == "card"]  # type: ignore[index]


def scan(invoke: Invoke, ws: Path, *args: str) -> dict[str, object]:
    result = invoke("-w", str(ws), "scan", "--json", *args)
    assert_ok(result)
    return dict(json.loads(result.stdout))


def test_a_copied_workspace_shows_no_card_events(
    invoke: Invoke, workspace: Path, tmp_path: Path
) -> None:
    build_tree(workspace, TREE)
    copy = tmp_path / "copy"
    shutil.copytree(workspace, copy)  # every mtime today, after --today below
    first = scan(invoke, copy)
    assert cards(invoke, copy) == []
    # What scan counts is what report counts, as of a day before the copy.
    assert first["events"] == 2
    text = invoke("-w", str(copy), "report", "--today", "2026-12-01")
    assert "2 customers, 2 events" in text.stdout


def test_a_changed_card_is_an_event_and_a_rebuild_keeps_it(invoke: Invoke, workspace: Path) -> None:
    build_tree(workspace, TREE)
    scan(invoke, workspace)
    card = workspace / CARD
    # Saved again unchanged, with another time: no change.
    os.utime(card, (DAY, DAY))
    scan(invoke, workspace)
    assert cards(invoke, workspace) == []
    # Changed: an event, dated when it was saved.
    card.write_text(card.read_text(encoding="utf-8") + "Phone: +49 30 1234\n", encoding="utf-8")
    os.utime(card, (DAY, DAY))
    assert scan(invoke, workspace)["new_events"] == 1
    assert cards(invoke, workspace) == [(CARD, "2026-11-18")]
    before = events(invoke, workspace)
    assert scan(invoke, workspace, "--rebuild")["events"] == len(before)
    assert events(invoke, workspace) == before
    # Changed back to what was first seen: no event any more.
    card.write_text(TREE[CARD], encoding="utf-8")
    os.utime(card, (DAY + 60, DAY + 60))
    scan(invoke, workspace)
    assert cards(invoke, workspace) == []
