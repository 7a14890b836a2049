"""Any real company name can become a customer; the folder name is always portable.

Each name goes through the CLI into a fresh workspace, and the whole tree is
compared before and after: one new customer folder, nothing else.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import Invoke
from helpers import Tree, assert_error, assert_ok, grade_moves, read_tree, tree_diff

from folder_kit.workspace.contact import read_card

GRADE_B = "客户/B-在谈客户"
GRADE_C = "客户/C-潜力客户"
GRADE_D = "客户/D-行业客户"
SUBFOLDERS = ("OUT", "IN", "报价", "PI", "定单")
# Outside the workspace but inside tmp_path: the per-user state the tool may keep.
STATE = ("state", "home/.local/state")

# Windows device names, refused with or without an extension (CON, NUL.txt...).
WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{c}" for c in "0123456789¹²³"),
    *(f"LPT{c}" for c in "0123456789¹²³"),
}
FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')

HOSTILE_NAMES = {
    "chinese": "上海某某贸易有限公司",
    "japanese": "株式会社テスト",
    "german": "Müller & Söhne GmbH",
    "french": "Société Générale d'Import S.A.",
    "arabic": "شركة الاختبار للتجارة",
    "emoji": "Rocket 🚀 Trading",
    "slash": "Maersk A/S",
    "apostrophe-dot": "O'Brien Ltd.",
    "ampersand": "AT&T",
    "angle brackets": "a<b>c",
    "colon": "x:y",
    "quotes": '"quoted"',
    "pipe": "pipe|name",
    "star": "star*",
    "question": "what?",
    "backslash": "back\\slash",
    "reserved CON": "CON",
    "reserved NUL.txt": "NUL.txt",
    "reserved com1": "com1",
    "reserved LPT9": "LPT9",
    "reserved aux.tar.gz": "aux.tar.gz",
    "reserved COM superscript": "COM¹",
    "reserved space before extension": "PRN .txt",
    "trailing dot": "trailing dot.",
    "trailing dots and spaces": "Acme Co., Ltd. . ",
    "trailing space": "trailing space ",
    "leading spaces": "   leading",
    "relative escape": "../../etc/passwd",
    "absolute": "/absolute",
    "windows escape": "..\\..\\windows",
    "nul char": "a\x00b",
    "tab": "tab\there",
    "del char": "a\x7fb",
    "300 chars": ("Global Export Trading Company " * 11)[:300],
    "200 chinese chars": ("上海某某国际贸易有限公司" * 17)[:200],
    "nfd": "Mu\u0308ller",
    "hidden": ".hidden corp",
    "office temp": "~$temp",
    "backup tilde": "Tom~",
    "partial download": "Best.Part",
    "sync conflict": "X (conflicted copy)",
    "os litter": "Thumbs.db",
    "dash first": "-dash corp",
}


def real_name(name: str) -> str:
    """What Contact.txt keeps: NFC, runs of whitespace as one space, no surrounding blanks."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def assert_portable(folder: str) -> None:
    assert folder
    assert not FORBIDDEN.search(folder), folder
    assert not folder.endswith((".", " ")), folder
    assert not folder.startswith((".", "~$")), f"{folder!r} would be hidden"
    stem = folder.split(".", 1)[0].rstrip(" ").upper()
    assert stem not in WINDOWS_RESERVED, f"{folder!r} is a Windows device name"
    assert len(folder.encode("utf-8")) <= 255
    assert unicodedata.is_normalized("NFC", folder)


def new_customer(before: Tree, after: Tree) -> str:
    """The one customer folder added between two trees (asserting nothing else changed)."""
    added, removed, changed = tree_diff(before, after)
    assert removed == set()
    assert changed == set()
    tops = {p for p in added if "/" not in p.removeprefix(GRADE_B + "/")}
    assert all(p.startswith(GRADE_B + "/") for p in added), sorted(added)
    assert len(tops) == 1, sorted(added)
    top = tops.pop()
    assert added == {top, *(f"{top}/{s}" for s in SUBFOLDERS), f"{top}/Contact.txt"}
    for sub in SUBFOLDERS:
        assert after[f"{top}/{sub}"] is None
    return top.removeprefix(GRADE_B + "/")


def moved(tree: Tree, old: str, new: str) -> Tree:
    return {
        (new + p[len(old) :] if p == old or p.startswith(old + "/") else p): v
        for p, v in tree.items()
    }


def without_ws_prefix(tree: Tree) -> Tree:
    return {k.removeprefix("ws/"): v for k, v in tree.items() if k.startswith("ws/")}


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_any_name_becomes_one_portable_customer_folder(
    invoke: Invoke, tmp_path: Path, workspace: Path, name: str
) -> None:
    ws = str(workspace)
    before = read_tree(tmp_path, exclude=STATE)
    result = invoke("-w", ws, "customer", "add", "--grade", "B", "--", name)
    assert_ok(result)
    after = read_tree(tmp_path, exclude=STATE)
    folder = new_customer(without_ws_prefix(before), without_ws_prefix(after))
    # Nothing outside the workspace changed either.
    assert {k: v for k, v in after.items() if not k.startswith("ws/")} == {
        k: v for k, v in before.items() if not k.startswith("ws/")
    }
    assert_portable(folder)
    assert result.stdout.splitlines()[0] == f"Created {GRADE_B}/{folder}/"

    contact = workspace / GRADE_B / folder / "Contact.txt"
    lines = contact.read_text(encoding="utf-8").splitlines()
    assert f"公司: {real_name(name)}" in lines
    assert read_card(contact).company == real_name(name)

    # Found by the real name...
    assert_ok(invoke("-w", ws, "customer", "move", "--grade", "C", "--", name))
    after_c = read_tree(workspace)
    assert grade_moves(after_c, f"{GRADE_C}/{folder}") == [("B", "C")]
    assert after_c == moved(without_ws_prefix(after), f"{GRADE_B}/{folder}", f"{GRADE_C}/{folder}")
    # ...and by the folder name, as `customer list` shows it.
    assert_ok(invoke("-w", ws, "customer", "move", "--grade", "D", "--", folder))
    after_d = read_tree(workspace)
    assert grade_moves(after_d, f"{GRADE_D}/{folder}") == [("B", "C"), ("C", "D")]
    assert after_d == moved(after_c, f"{GRADE_C}/{folder}", f"{GRADE_D}/{folder}")

    listed = invoke("-w", ws, "customer", "list", "--json")
    assert_ok(listed)
    assert json.loads(listed.stdout) == [
        {
            "name": folder,
            "grade": "D",
            "path": f"{GRADE_D}/{folder}",
            "last_contact": None,
            "company": real_name(name),
        }
    ]


REFUSED = {
    "empty": ("", "it is empty"),
    "blank": ("   ", "it is empty"),
    "dot": (".", "it names no folder, only dots"),
    "dotdot": ("..", "it names no folder, only dots"),
    "three dots": ("...", "it names no folder, only dots"),
    "slash": ("/", "nothing usable is left for a folder name"),
    "questions": ("???", "nothing usable is left for a folder name"),
    "nul only": ("\x00", "nothing usable is left for a folder name"),
}


@pytest.mark.parametrize(("name", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_names_with_no_folder_name_are_refused(
    invoke: Invoke, tmp_path: Path, workspace: Path, name: str, reason: str
) -> None:
    before = read_tree(tmp_path)
    result = invoke("-w", str(workspace), "customer", "add", "--grade", "B", "--", name)
    assert_error(result, f"Error: cannot use {name!r} as a customer name: {reason}")
    assert result.stdout == ""
    assert read_tree(tmp_path) == before
