"""`draft` and `sent` under hostile files: nothing outside the workspace is read
into a mail, nothing is written through a link (see test_hostile.py for the rest)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import Invoke
from helpers import assert_error, needs_links, read_tree
from test_drafts import TODAY, draft
from test_drafts import ws as ws  # the drafts tests' workspace fixture

from folder_kit.files import inside

ACME = "客户/B-在谈客户/ACME GmbH"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "id_rsa"
    path.parent.mkdir()
    path.write_text("PRIVATE KEY")
    return path


def template_attaching(ws: Path, *names: str) -> None:
    (ws / "模板/邮件模板/price-update.en.j2").write_text(
        "Subject: Prices\n"
        + "".join(f"Attach: {n}\n" for n in names)
        + "\nDear {{ contact.name }},\n\n{{ me.signature }}\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    "named",
    [
        "{secret}",
        "../outside/id_rsa",
        "产品/../../outside/id_rsa",
        "产品/价格信息/../../../outside/id_rsa",
    ],
)
def test_a_template_cannot_attach_a_file_outside_the_workspace(
    invoke: Invoke, ws: Path, secret: Path, named: str
) -> None:
    template_attaching(ws, named.format(secret=secret))
    out = draft(invoke, ws, "ACME")
    assert all("outside" not in str(a) for a in out["attachments"])  # type: ignore[attr-defined]
    data = (ws / str(out["path"])).read_bytes()
    assert b"PRIVATE KEY" not in data and b"UFJJVkFURSBLRVk" not in data  # nor in base64


@pytest.mark.parametrize(
    "named",
    ["客户/B-在谈客户/Other Co/OUT/2026-03-01 offer.eml", "folder-kit.yaml", "内联/notes.txt"],
)
def test_a_template_attaches_only_from_the_product_folder(
    invoke: Invoke, ws: Path, named: str
) -> None:
    """Another customer's mail named by `Attach:` went out with the draft."""
    target = ws / named
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_text("SOMEONE ELSE'S OFFER", encoding="utf-8")
    template_attaching(ws, named)
    out = draft(invoke, ws, "ACME")
    assert named not in out["attachments"]  # type: ignore[operator]
    assert any(
        w == f"Attach: {named} is not in 产品/: only product files are attached"
        for w in out["warnings"]  # type: ignore[attr-defined]
    ), out["warnings"]
    data = (ws / str(out["path"])).read_bytes()
    assert target.read_bytes() not in data


@needs_links
@pytest.mark.parametrize("where", ["产品/价格信息/key.pdf", "产品/linked/id_rsa"])
def test_a_linked_product_file_is_not_attached(
    invoke: Invoke, ws: Path, secret: Path, where: str
) -> None:
    if "linked" in where:
        os.symlink(secret.parent, ws / "产品/linked")
    else:
        os.symlink(secret, ws / where)
    template_attaching(ws, where, Path(where).name)
    out = draft(invoke, ws, "ACME")
    data = (ws / str(out["path"])).read_bytes()
    assert b"UFJJVkFURSBLRVk" not in data


@needs_links
def test_a_linked_template_is_refused(invoke: Invoke, ws: Path, secret: Path) -> None:
    os.symlink(secret, ws / "模板/邮件模板/price-update.en.j2")
    result = invoke("-w", str(ws), "draft", "ACME", "--today", TODAY, "--json")
    line = assert_error(result)
    assert "symbolic link" in line and line.endswith("; no draft was written")


@needs_links
def test_draft_refuses_a_linked_drafts_folder(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, ws / ACME / "草稿")
    result = invoke("-w", str(ws), "draft", "ACME", "--today", TODAY)
    assert assert_error(result).startswith(f"Error: {ws / ACME / '草稿'} is a symbolic link;")
    assert list(elsewhere.iterdir()) == []


@needs_links
def test_sent_refuses_a_linked_out_folder_and_keeps_the_draft(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    out = draft(invoke, ws, "ACME")
    elsewhere = tmp_path / "elsewhere"
    os.rename(ws / ACME / "OUT", elsewhere)
    os.symlink(elsewhere, ws / ACME / "OUT")
    before = read_tree(elsewhere)
    result = invoke("-w", str(ws), "sent", str(ws / str(out["path"])))
    assert assert_error(result).startswith(f"Error: {ws / ACME / 'OUT'} is a symbolic link;")
    assert (ws / str(out["path"])).is_file()
    assert read_tree(elsewhere) == before


@needs_links
def test_sent_refuses_a_draft_that_is_a_link(invoke: Invoke, ws: Path, secret: Path) -> None:
    (ws / ACME / "草稿").mkdir()
    link = ws / ACME / "草稿" / "2026-12-01 x.eml"
    os.symlink(secret, link)
    result = invoke("-w", str(ws), "sent", str(link))
    assert "symbolic link" in assert_error(result)
    assert secret.read_text(encoding="utf-8") == "PRIVATE KEY"
    assert link.is_symlink()


@pytest.mark.parametrize(
    ("rel", "ok"),
    [
        ("a/b.pdf", True),
        ("b.pdf", True),
        ("../b.pdf", False),
        ("a/../../b.pdf", False),
        ("/etc/passwd", False),
        ("", False),
        (".", False),
    ],
)
def test_inside_keeps_names_in_the_workspace(tmp_path: Path, rel: str, ok: bool) -> None:
    assert (inside(tmp_path, rel) is not None) == ok


def test_draft_output_shows_control_characters_from_contact_txt(invoke: Invoke, ws: Path) -> None:
    card = ws / ACME / "Contact.txt"
    text = card.read_text(encoding="utf-8")
    card.write_text(text.replace("Anna Schmidt", "Anna\x1b]0;pwned\x07 Schmidt"), encoding="utf-8")
    result = invoke("-w", str(ws), "draft", "ACME", "--today", TODAY)
    assert result.exit_code == 0, result.output
    text = result.stdout + result.stderr
    assert "\x1b" not in text and "\x07" not in text
    assert "Anna\\x1b]0;pwned\\x07 Schmidt" in text
