"""`folder-kit customer add/move/list` as docs/cli.md describes them."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest
from conftest import Invoke
from helpers import (
    Tree,
    assert_error,
    assert_ok,
    build_tree,
    grade_moves,
    needs_links,
    needs_names,
    needs_posix_permissions,
    read_tree,
    tree_diff,
)

from folder_kit.timeline import scan as scan_module
from folder_kit.workspace import customers as customers_module
from folder_kit.workspace.contact import Contact, parse_card
from folder_kit.workspace.history import read_history

A = "客户/A-交易客户"
B = "客户/B-在谈客户"
C = "客户/C-潜力客户"
D = "客户/D-行业客户"
P = "客户/待开发客户"
SUBFOLDERS = ("OUT", "IN", "报价", "PI", "定单")


def customer_tree(rel: str, contact: bytes) -> Tree:
    return {rel: None, **{f"{rel}/{s}": None for s in SUBFOLDERS}, f"{rel}/Contact.txt": contact}


def moved(tree: Tree, old: str, new: str) -> Tree:
    return {
        (new + p[len(old) :] if p == old or p.startswith(old + "/") else p): v
        for p, v in tree.items()
    }


@pytest.fixture
def ws(workspace: Path) -> str:
    return str(workspace)


# --- add ---------------------------------------------------------------------


def test_add_creates_the_customer_folder_and_card(invoke: Invoke, ws: str, workspace: Path) -> None:
    before = read_tree(workspace)
    result = invoke(
        "-w",
        ws,
        "customer",
        "add",
        "ACME GmbH",
        "--grade",
        "b",
        "--email",
        "hans@acme.de",
        "--contact-name",
        "Hans Müller",
        "--country",
        "DE",
    )
    assert_ok(result)
    assert result.stdout == (
        f"Created {B}/ACME GmbH/\n  OUT/\n  IN/\n  报价/\n  PI/\n  定单/\n  Contact.txt\n"
    )
    contact = (workspace / B / "ACME GmbH" / "Contact.txt").read_bytes()
    assert read_tree(workspace) == {**before, **customer_tree(f"{B}/ACME GmbH", contact)}
    assert contact.decode("utf-8") == (
        "公司: ACME GmbH\n国家: DE\n联系人: Hans Müller\n职位: \n邮箱: hans@acme.de\n"
        "电话: \n语言: \n来源: \n备注: \n"
    )
    assert parse_card(contact.decode("utf-8")).primary == Contact(
        company="ACME GmbH", country="DE", name="Hans Müller", email="hans@acme.de"
    )


@pytest.mark.parametrize(("grade", "folder"), [("A", A), ("B", B), ("C", C), ("D", D), ("P", P)])
def test_add_puts_each_grade_in_its_folder(
    invoke: Invoke, ws: str, workspace: Path, grade: str, folder: str
) -> None:
    assert_ok(invoke("-w", ws, "customer", "add", "ACME", "--grade", grade))
    assert (workspace / folder / "ACME" / "Contact.txt").is_file()
    assert sorted(p.name for p in (workspace / "客户").glob("*/*")) == ["ACME"]


def test_add_in_an_en_workspace_uses_english_names(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "en"
    assert_ok(invoke("init", str(root), "--lang", "en"))
    result = invoke("-w", str(root), "customer", "add", "ACME", "--grade", "P")
    assert_ok(result)
    assert result.stdout == (
        "Created Customers/Prospects/ACME/\n  OUT/\n  IN/\n  Quotes/\n  PI/\n  Orders/\n"
        "  Contact.txt\n"
    )
    assert (
        (root / "Customers/Prospects/ACME/Contact.txt")
        .read_text(encoding="utf-8")
        .startswith("Company: ACME\nCountry: \n")
    )


def test_add_dry_run_writes_nothing(invoke: Invoke, ws: str, tmp_path: Path) -> None:
    before = read_tree(tmp_path)
    result = invoke("-w", ws, "customer", "add", "ACME GmbH", "--grade", "B", "--dry-run")
    assert_ok(result)
    assert read_tree(tmp_path) == before
    assert result.stdout == (
        f"Would create {B}/ACME GmbH/\n  OUT/\n  IN/\n  报价/\n  PI/\n  定单/\n  Contact.txt\n"
    )


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("wang＠example.cn", "wang@example.cn"),
        ("ｗａｎｇ＠ｅｘａｍｐｌｅ。ｃｎ", "wang@example.cn"),
        # Readable in the card; drafts write its ASCII form (xn--fsqu00a.xn--fiqs8s).
        ("sales@例子.中国", "sales@例子.中国"),
        (" hans@acme.de ", "hans@acme.de"),
    ],
)
def test_add_writes_the_email_normalised(
    invoke: Invoke, ws: str, workspace: Path, typed: str, written: str
) -> None:
    assert_ok(invoke("-w", ws, "customer", "add", "ACME", "--grade", "B", "--email", typed))
    card = parse_card((workspace / B / "ACME" / "Contact.txt").read_text(encoding="utf-8"))
    assert card.primary.email == written


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        (
            "张伟@example.cn",
            "Error: --email '张伟@example.cn' has a name before the @ that is not in ASCII, "
            "which a mail header can only carry where every server on the way supports "
            "SMTPUTF8; ask the customer for an address in ASCII; nothing was written",
        ),
        (
            "a@acme.de, b@acme.de",
            "Error: --email 'a@acme.de, b@acme.de' holds 2 addresses, not one; give one "
            "address, and add the other people to Contact.txt after a line ---; nothing "
            "was written",
        ),
        (
            "a@acme.de>, Evil <c@evil.example",
            "Error: --email 'a@acme.de>, Evil <c@evil.example' is not one mail address; "
            "give one address, as name@domain; nothing was written",
        ),
        (
            "Hans <hans@acme.de>",
            "Error: --email 'Hans <hans@acme.de>' holds a name; give the address alone, "
            "and the name with --contact-name; nothing was written",
        ),
        (
            "hans",
            "Error: --email 'hans' is not one mail address; give one address, as "
            "name@domain; nothing was written",
        ),
    ],
)
def test_add_refuses_an_email_that_is_not_one_address(
    invoke: Invoke, ws: str, tmp_path: Path, typed: str, error: str
) -> None:
    before = read_tree(tmp_path)
    result = invoke("-w", ws, "customer", "add", "ACME", "--grade", "B", "--email", typed)
    assert_error(result, error)
    assert read_tree(tmp_path) == before


@pytest.mark.parametrize("again", ["ACME", "acme", " ACME ", "ＡＣＭＥ"])
def test_add_an_existing_customer_is_refused(
    invoke: Invoke, ws: str, tmp_path: Path, again: str
) -> None:
    assert_ok(invoke("-w", ws, "customer", "add", "ACME", "--grade", "B"))
    before = read_tree(tmp_path)
    result = invoke("-w", ws, "customer", "add", again, "--grade", "C")
    assert_error(result, f"Error: customer {again!r} already exists at {B}/ACME")
    assert read_tree(tmp_path) == before


def test_add_on_a_full_disk_leaves_nothing_and_a_retry_works(
    invoke: Invoke, ws: str, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder was left without its Contact.txt: the retry said "already
    exists", and the email given was lost."""
    before = read_tree(workspace)

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    add = ("-w", ws, "customer", "add", "ACME GmbH", "--grade", "B", "--email", "a@acme.de")
    with monkeypatch.context() as m:
        m.setattr(customers_module, "write_new", full_disk)
        assert_error(invoke(*add), "Error: No space left on device")
    assert read_tree(workspace) == before
    assert_ok(invoke(*add))
    card = (workspace / "客户" / "B-在谈客户" / "ACME GmbH" / "Contact.txt").read_text("utf-8")
    assert "a@acme.de" in card


def test_add_never_replaces_an_empty_folder_that_appeared_meanwhile(
    invoke: Invoke, ws: str, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = workspace / "客户" / "B-在谈客户" / "ACME GmbH"
    real = customers_module.rename_new

    def racing(src: Path, dst: Path) -> None:
        dst.mkdir()  # another program (a sync tool) made it since the check
        real(src, dst)

    monkeypatch.setattr(customers_module, "rename_new", racing)
    result = invoke("-w", ws, "customer", "add", "ACME GmbH", "--grade", "B")
    assert_error(result, "Error: customer 'ACME GmbH' already exists at 客户/B-在谈客户/ACME GmbH")
    assert list(target.iterdir()) == []
    assert [p.name for p in target.parent.iterdir()] == ["ACME GmbH"]


def test_add_requires_a_known_grade(invoke: Invoke, ws: str, tmp_path: Path) -> None:
    before = read_tree(tmp_path)
    result = invoke("-w", ws, "customer", "add", "ACME", "--grade", "E")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert read_tree(tmp_path) == before


@needs_posix_permissions
def test_written_files_get_the_usual_permissions(invoke: Invoke, tmp_path: Path) -> None:
    """Contact.txt and folder-kit.yaml are ordinary user files: readable as any file the
    user saves (a shared or synced folder, a colleague taking the customer over)."""
    umask = os.umask(0)
    os.umask(umask)
    root = tmp_path / "ws"
    assert_ok(invoke("init", str(root)))
    assert_ok(invoke("-w", str(root), "customer", "add", "ACME", "--grade", "B"))
    (root / "mine.txt").write_text("a file the user saved")
    usual = stat.S_IMODE((root / "mine.txt").stat().st_mode)
    assert usual == 0o666 & ~umask
    for rel in ("folder-kit.yaml", f"{B}/ACME/Contact.txt"):
        assert oct(stat.S_IMODE((root / rel).stat().st_mode)) == oct(usual), rel


# --- move --------------------------------------------------------------------


@pytest.fixture
def acme(invoke: Invoke, ws: str, workspace: Path) -> Tree:
    """ACME GmbH in grade B with a mail in OUT; returns the workspace tree."""
    assert_ok(invoke("-w", ws, "customer", "add", "ACME GmbH", "--grade", "B"))
    build_tree(workspace / B / "ACME GmbH" / "OUT", {"2026-03-05 offer.txt": "offer"})
    return read_tree(workspace)


def test_move_renames_the_folder_and_notes_the_grade_change(
    invoke: Invoke, ws: str, workspace: Path, acme: Tree
) -> None:
    result = invoke("-w", ws, "customer", "move", "ACME GmbH", "--grade", "A")
    assert_ok(result)
    assert result.stdout == f"Moved {B}/ACME GmbH/ -> {A}/ACME GmbH/\n"
    after = read_tree(workspace)
    assert grade_moves(after, f"{A}/ACME GmbH") == [("B", "A")]
    assert after == moved(acme, f"{B}/ACME GmbH", f"{A}/ACME GmbH")


def test_move_by_company_name_from_contact_txt(invoke: Invoke, ws: str, workspace: Path) -> None:
    assert_ok(invoke("-w", ws, "customer", "add", "Maersk A/S", "--grade", "D"))
    card = workspace / D / "Maersk A_S" / "Contact.txt"
    assert card.read_text(encoding="utf-8").startswith("公司: Maersk A/S\n")
    result = invoke("-w", ws, "customer", "move", "maersk a/s", "--grade", "C")
    assert_ok(result)
    assert result.stdout == f"Moved {D}/Maersk A_S/ -> {C}/Maersk A_S/\n"


def test_move_to_the_same_grade_changes_nothing(
    invoke: Invoke, ws: str, workspace: Path, acme: Tree
) -> None:
    result = invoke("-w", ws, "customer", "move", "acme gmbh", "--grade", "B")
    assert_ok(result)
    assert result.stdout == "ACME GmbH is already grade B; nothing moved.\n"
    assert read_tree(workspace) == acme


def test_move_dry_run_writes_nothing(invoke: Invoke, ws: str, tmp_path: Path, acme: Tree) -> None:
    before = read_tree(tmp_path, exclude=("state",))
    result = invoke("-w", ws, "customer", "move", "ACME GmbH", "--grade", "C", "--dry-run")
    assert_ok(result)
    assert result.stdout == f"Would move {B}/ACME GmbH/ -> {C}/ACME GmbH/\n"
    assert read_tree(tmp_path, exclude=("state",)) == before


def test_move_onto_an_existing_file_moves_nothing(
    invoke: Invoke, ws: str, workspace: Path, acme: Tree
) -> None:
    build_tree(workspace / C, {"ACME GmbH": "a file the user put here"})
    before = read_tree(workspace)
    result = invoke("-w", ws, "customer", "move", "ACME GmbH", "--grade", "C")
    assert_error(
        result,
        f"Error: {C}/ACME GmbH already exists; move or rename that folder first; nothing was moved",
    )
    assert read_tree(workspace) == before


def test_move_onto_an_existing_folder_moves_nothing(
    invoke: Invoke, ws: str, workspace: Path, acme: Tree
) -> None:
    """Two folders of one name in two grades: named by path, the move still refuses."""
    build_tree(workspace / C / "ACME GmbH", {"IN": {"old.txt": "old"}})
    before = read_tree(workspace)
    result = invoke("-w", ws, "customer", "move", str(workspace / B / "ACME GmbH"), "--grade", "C")
    assert_error(
        result,
        f"Error: {C}/ACME GmbH already exists; move or rename that folder first; nothing was moved",
    )
    assert read_tree(workspace) == before


@needs_names("Mu\u0308ller GmbH")
def test_move_onto_a_unicode_twin_moves_nothing(invoke: Invoke, ws: str, workspace: Path) -> None:
    """Müller GmbH in A and its NFD spelling in C: only one folder's events stayed visible."""
    nfc, nfd = "M\u00fcller GmbH", "Mu\u0308ller GmbH"
    build_tree(workspace / A / nfc, {"OUT": {"2026-03-05 offer.txt": "offer"}})
    build_tree(workspace / C / nfd, {"IN": {"2026-03-06 reply.txt": "reply"}})
    if len(list((workspace / C).iterdir())) != 1 or (workspace / C / nfc).exists():
        pytest.skip("this file system folds Unicode spellings into one name")
    before = read_tree(workspace)
    result = invoke("-w", ws, "customer", "move", str(workspace / A / nfc), "--grade", "C")
    assert_error(
        result,
        f"Error: {C}/{nfd} already exists; move or rename that folder first; nothing was moved",
    )
    assert read_tree(workspace) == before


def test_move_on_a_full_disk_says_the_move_happened(
    invoke: Invoke, ws: str, workspace: Path, acme: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It said "Error: No space left on device" after the folder had moved."""

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(customers_module, "append_history", full_disk)
        m.setattr(scan_module, "append_history", full_disk)
        result = invoke("-w", ws, "customer", "move", "ACME GmbH", "--grade", "A")
        assert result.exit_code == 0, result.stderr
        assert result.stdout == f"Moved {B}/ACME GmbH/ -> {A}/ACME GmbH/\n"
        assert result.stderr == (
            "Warning: the grade change could not be noted in the folder (No space left on "
            "device); the next scan writes the note\n"
        )
        assert (workspace / A / "ACME GmbH" / "OUT" / "2026-03-05 offer.txt").is_file()
        still_full = invoke("-w", ws, "scan")  # the disk is still full: it warns, and waits
        assert "cannot note the grade move B -> A" in still_full.stderr
    # Space freed: the next scan keeps the promise.
    assert_ok(invoke("-w", ws, "scan"))
    assert [(c.source, c.target) for c in read_history(workspace / A / "ACME GmbH")] == [("B", "A")]
    shown = invoke("-w", ws, "timeline", "ACME", "--json")
    assert_ok(shown)
    events = json.loads(shown.stdout)
    assert [(e["from"], e["to"]) for e in events if e["kind"] == "grade"] == [("B", "A")]


def test_unknown_customer_is_an_error(invoke: Invoke, ws: str, tmp_path: Path, acme: Tree) -> None:
    before = read_tree(tmp_path, exclude=("state",))
    result = invoke("-w", ws, "customer", "move", "zzz", "--grade", "C")
    assert_error(result, "Error: no customer 'zzz'")
    assert read_tree(tmp_path, exclude=("state",)) == before


def test_unknown_customer_lists_the_closest_matches_once(
    invoke: Invoke, ws: str, acme: Tree
) -> None:
    assert_ok(invoke("-w", ws, "customer", "add", "Brightway Lighting", "--grade", "C"))
    result = invoke("-w", ws, "customer", "move", "ACME GmbX", "--grade", "C")
    # The folder name and the company name are both "ACME GmbH": one customer, one match.
    assert_error(result, "Error: no customer 'ACME GmbX'; closest: ACME GmbH")


def test_closest_matches_ignore_case(invoke: Invoke, ws: str, acme: Tree) -> None:
    """Names are matched without regard to case everywhere else; so are suggestions."""
    result = invoke("-w", ws, "customer", "move", "acme gmbx", "--grade", "C")
    assert_error(result, "Error: no customer 'acme gmbx'; closest: ACME GmbH")


def test_ambiguous_partial_name_lists_both(
    invoke: Invoke, ws: str, tmp_path: Path, acme: Tree
) -> None:
    assert_ok(invoke("-w", ws, "customer", "add", "ACME Ltd", "--grade", "C"))
    before = read_tree(tmp_path, exclude=("state",))
    result = invoke("-w", ws, "customer", "move", "acme", "--grade", "A")
    assert_error(
        result, "Error: 'acme' matches more than one customer: ACME GmbH (B), ACME Ltd (C)"
    )
    assert read_tree(tmp_path, exclude=("state",)) == before


def test_unique_partial_name_is_enough(
    invoke: Invoke, ws: str, workspace: Path, acme: Tree
) -> None:
    result = invoke("-w", ws, "customer", "move", "gmbh", "--grade", "C")
    assert_ok(result)
    assert result.stdout == f"Moved {B}/ACME GmbH/ -> {C}/ACME GmbH/\n"


def test_name_as_an_absolute_path(invoke: Invoke, ws: str, workspace: Path, acme: Tree) -> None:
    result = invoke("-w", ws, "customer", "move", str(workspace / B / "ACME GmbH"), "-g", "C")
    assert_ok(result)
    assert result.stdout == f"Moved {B}/ACME GmbH/ -> {C}/ACME GmbH/\n"


def test_name_as_a_relative_path(
    invoke: Invoke, workspace: Path, acme: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workspace / "客户")
    result = invoke("customer", "move", "B-在谈客户/ACME GmbH/", "-g", "C")
    assert_ok(result)
    assert result.stdout == f"Moved {B}/ACME GmbH/ -> {C}/ACME GmbH/\n"


@pytest.mark.parametrize("inside", ["", "OUT", "报价"])
def test_name_as_dot_inside_the_customer_folder(
    invoke: Invoke, workspace: Path, acme: Tree, monkeypatch: pytest.MonkeyPatch, inside: str
) -> None:
    monkeypatch.chdir(workspace / B / "ACME GmbH" / inside)
    result = invoke("customer", "move", ".", "--grade", "C")
    assert_ok(result)
    assert result.stdout == f"Moved {B}/ACME GmbH/ -> {C}/ACME GmbH/\n"
    assert (workspace / C / "ACME GmbH" / "OUT" / "2026-03-05 offer.txt").is_file()


def test_name_as_dotdot_from_a_subfolder(
    invoke: Invoke, workspace: Path, acme: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workspace / B / "ACME GmbH" / "OUT")
    assert_ok(invoke("customer", "move", "..", "--grade", "D"))
    assert (workspace / D / "ACME GmbH" / "Contact.txt").is_file()


def test_dot_outside_any_customer_is_an_error(
    invoke: Invoke, workspace: Path, acme: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workspace / B)
    before = read_tree(workspace)
    result = invoke("customer", "move", ".", "--grade", "C")
    assert_error(
        result,
        f"Error: {workspace / B} is not a customer folder or inside one; "
        "name the customer, or run this inside its folder",
    )
    assert read_tree(workspace) == before


def test_dot_never_matches_a_name_with_a_dot(
    invoke: Invoke, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`log .` from the wrong folder must not write into some customer named 'Foo Co., Ltd'."""
    ws = str(workspace)
    assert_ok(invoke("-w", ws, "customer", "add", "Foo Trading Co., Ltd.", "--grade", "B"))
    monkeypatch.chdir(workspace / C)
    before = read_tree(workspace)
    result = invoke("log", ".", "--direction", "out", "--medium", "phone")
    assert_error(result)
    assert read_tree(workspace) == before


# --- list --------------------------------------------------------------------


def test_list_empty_workspace(invoke: Invoke, ws: str) -> None:
    result = invoke("-w", ws, "customer", "list")
    assert_ok(result)
    assert result.stdout == (
        "No customers yet. Add one with `folder-kit customer add NAME --grade B`.\n"
    )
    result = invoke("-w", ws, "customer", "list", "--json")
    assert_ok(result)
    assert json.loads(result.stdout) == []


@pytest.fixture
def three(invoke: Invoke, ws: str, workspace: Path) -> Path:
    for name, grade in [("Zeta Ltd", "C"), ("ACME GmbH", "B"), ("上海某某贸易", "A")]:
        assert_ok(invoke("-w", ws, "customer", "add", name, "--grade", grade))
    build_tree(
        workspace / B / "ACME GmbH",
        {"OUT": {"2026-03-05 price list.txt": "p"}, "IN": {"2026-03-07 reply.txt": "r"}},
    )
    return workspace


def test_list_json_shape(invoke: Invoke, ws: str, three: Path) -> None:
    result = invoke("-w", ws, "customer", "list", "--json")
    assert_ok(result)
    assert json.loads(result.stdout) == [
        {
            "name": "上海某某贸易",
            "grade": "A",
            "path": f"{A}/上海某某贸易",
            "last_contact": None,
            "company": "上海某某贸易",
        },
        {
            "name": "ACME GmbH",
            "grade": "B",
            "path": f"{B}/ACME GmbH",
            "last_contact": "2026-03-07",
            "company": "ACME GmbH",
        },
        {
            "name": "Zeta Ltd",
            "grade": "C",
            "path": f"{C}/Zeta Ltd",
            "last_contact": None,
            "company": "Zeta Ltd",
        },
    ]


def test_list_text(invoke: Invoke, ws: str, three: Path) -> None:
    result = invoke("-w", ws, "customer", "list")
    assert_ok(result)
    assert result.stdout.splitlines() == [
        "grade  customer      last contact",
        "A      上海某某贸易  -",
        "B      ACME GmbH     2026-03-07",
        "C      Zeta Ltd      -",
    ]


def test_list_changes_nothing_in_the_workspace(invoke: Invoke, ws: str, three: Path) -> None:
    before = read_tree(three)
    assert_ok(invoke("-w", ws, "customer", "list"))
    assert read_tree(three) == before


def test_list_skips_hidden_folders_files_and_non_grade_folders(
    invoke: Invoke, ws: str, workspace: Path
) -> None:
    build_tree(
        workspace / "客户",
        {
            "B-在谈客户": {".sync": None, "~$lock": None, "notes.txt": "x", "Real Co": None},
            "Archive": {"Old Co": None},
            ".hidden": {"Ghost": None},
        },
    )
    result = invoke("-w", ws, "customer", "list", "--json")
    assert_ok(result)
    assert [c["name"] for c in json.loads(result.stdout)] == ["Real Co"]


def test_renamed_grade_folder_keeps_its_grade(
    invoke: Invoke, ws: str, workspace: Path, acme: Tree
) -> None:
    (workspace / B).rename(workspace / "客户" / "B 在谈")
    result = invoke("-w", ws, "customer", "list", "--json")
    assert_ok(result)
    assert json.loads(result.stdout) == [
        {
            "name": "ACME GmbH",
            "grade": "B",
            "path": "客户/B 在谈/ACME GmbH",
            "last_contact": "2026-03-05",
            "company": "ACME GmbH",
        }
    ]
    before = read_tree(workspace)
    result = invoke("-w", ws, "customer", "add", "Nova Srl", "--grade", "B")
    assert_ok(result)
    assert result.stdout.splitlines()[0] == "Created 客户/B 在谈/Nova Srl/"
    added, removed, changed = tree_diff(before, read_tree(workspace))
    assert (removed, changed) == (set(), set())
    assert {p.split("/")[1] for p in added} == {"B 在谈"}
    assert not (workspace / B).exists()


def test_move_into_a_renamed_grade_folder(
    invoke: Invoke, ws: str, workspace: Path, acme: Tree
) -> None:
    (workspace / C).rename(workspace / "客户" / "c_potential")
    result = invoke("-w", ws, "customer", "move", "ACME GmbH", "--grade", "C")
    assert_ok(result)
    assert result.stdout == f"Moved {B}/ACME GmbH/ -> 客户/c_potential/ACME GmbH/\n"
    assert not (workspace / C).exists()


def test_sample_workspace_lists_every_customer_folder(invoke: Invoke, sample_copy: Path) -> None:
    result = invoke("-w", str(sample_copy), "customer", "list", "--json")
    assert_ok(result)
    rows = json.loads(result.stdout)
    assert rows
    for row in rows:
        assert set(row) == {"name", "grade", "path", "last_contact", "company"}
        assert row["company"]  # every sample customer has a Contact.txt naming it
        assert (sample_copy / row["path"]).is_dir()
        assert row["path"].rsplit("/", 1)[-1] == row["name"]


def test_a_part_of_the_name_typed_without_accents_finds_the_customer(
    invoke: Invoke, ws: str
) -> None:
    assert_ok(invoke("-w", ws, "customer", "add", "Müller & Söhne GmbH", "--grade", "B"))
    result = invoke("-w", ws, "customer", "move", "muller", "--grade", "A")
    assert_ok(result)
    assert "A-交易客户/Müller & Söhne GmbH/" in result.stdout


def test_a_misspelt_start_of_a_long_name_is_suggested(invoke: Invoke, ws: str) -> None:
    assert_ok(invoke("-w", ws, "customer", "add", "Müller & Söhne GmbH", "--grade", "B"))
    assert_error(
        invoke("-w", ws, "customer", "move", "Mueler", "--grade", "A"),
        "Error: no customer 'Mueler'; closest: Müller & Söhne GmbH",
    )


def test_list_shows_the_real_name_where_the_folder_could_not_hold_it(
    invoke: Invoke, ws: str, three: Path
) -> None:
    assert_ok(invoke("-w", ws, "customer", "add", "Maersk A/S", "--grade", "D"))
    result = invoke("-w", ws, "customer", "list")
    assert_ok(result)
    assert result.stdout.splitlines() == [
        "grade  customer      last contact  company (Contact.txt)",
        "A      上海某某贸易  -",
        "B      ACME GmbH     2026-03-07",
        "C      Zeta Ltd      -",
        "D      Maersk A_S    -             Maersk A/S",
    ]


def test_bytes_that_are_not_text_are_refused_before_anything_is_written(
    invoke: Invoke, ws: str, workspace: Path
) -> None:
    """A shell in another encoding hands Python undecodable bytes (as surrogates)."""
    before = read_tree(workspace)
    result = invoke("-w", ws, "customer", "add", "Good Co", "--grade", "B", "--email", "a\udcff")
    assert_error(
        result,
        "Error: --email 'a\ufffd' is not valid text; type it again in a UTF-8 terminal",
    )
    assert read_tree(workspace) == before


@needs_links
def test_add_never_writes_through_a_linked_grade_folder(
    invoke: Invoke, ws: str, workspace: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (workspace / B).rmdir()
    (workspace / B).symlink_to(elsewhere, target_is_directory=True)
    result = invoke("-w", ws, "customer", "add", "Linked Co", "--grade", "B")
    assert_error(result)
    assert list(elsewhere.iterdir()) == []


def test_a_customer_is_suggested_once_by_the_name_the_list_shows(invoke: Invoke, ws: str) -> None:
    """Folder 'Rossi Srl', company 'Rossi S.r.l.': one suggestion, not both spellings."""
    assert_ok(invoke("-w", ws, "customer", "add", "Rossi S.r.l.", "--grade", "B"))
    assert_error(
        invoke("-w", ws, "customer", "move", "Rosi", "--grade", "A"),
        "Error: no customer 'Rosi'; closest: Rossi S.r.l",
    )
