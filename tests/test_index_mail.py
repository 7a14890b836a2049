"""What mail filing asks of the index: which customer has an address, and whether
a mail (by its Message-ID) is filed for a customer already; kept current by
incremental scans and by the watcher, and the same as a rebuild gives."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from helpers import build_tree, seed_seen_cards
from test_scan import age_tree
from watching import wait_until, watching

from folder_kit.timeline.index import Index
from folder_kit.timeline.scan import scan
from folder_kit.workspace.find import open_workspace

B = "客户/B-在谈客户"
C = "客户/C-潜力客户"
ACME = f"{B}/ACME GmbH"
ROSSI = f"{C}/Rossi Srl"


def mail(subject: str, message_id: str | None) -> bytes:
    lines = [
        "From: Li Lei <lilei@example.cn>",
        "To: buyer@acme.example",
        f"Subject: {subject}",
        "Date: Thu, 05 Mar 2026 10:00:00 +0800",
    ]
    if message_id is not None:
        lines.append(f"Message-ID: {message_id}")
    return ("\r\n".join(lines) + "\r\n\r\nHello\r\n").encode()


NO_ID = mail("No id here", None)
NO_ID_KEY = "sha256:" + hashlib.sha256(NO_ID).hexdigest()  # its bytes, CRLF already


@pytest.fixture
def ws(workspace: Path) -> Path:
    build_tree(
        workspace / ACME,
        {
            "Contact.txt": (
                "公司: ACME GmbH\nEmail: Buyer@ACME.example; boss@acme.example\n"
                "---\n联系人: Hans\n备注: private hans@gmail.example\n"
            ),
            "OUT/2026-03-05 offer.eml": mail("Offer", "<Offer-1@Example.CN>"),
            "IN/reply.eml": NO_ID,
            "OUT/草稿/draft.eml": mail("Draft", "<draft-1@example.cn>"),
            "报价/QT 2026-03-05.pdf": "%PDF",
        },
    )
    build_tree(
        workspace / ROSSI,
        {
            "Contact.txt": "Company: Rossi Srl\nEmail: rossi@rossi.example, buyer@acme.example\n",
            "IN/2026-03-06 hello.eml": mail("Hello", "<hello-9@rossi.example>"),
        },
    )
    age_tree(workspace)
    return workspace


def lookups(root: Path) -> tuple[dict[str, list[str]], dict[tuple[str, str], bool]]:
    ws = open_workspace(root)
    with Index.open(ws.root) as index:
        addresses = {
            a: index.customers_of_address(a)
            for a in (
                "buyer@acme.example",
                "BOSS@acme.example ",
                "hans@gmail.example",
                "rossi@rossi.example",
                "nobody@acme.example",
            )
        }
        messages = {
            (c, m): index.has_message(c, m)
            for c in ("ACME GmbH", "Rossi Srl")
            for m in (
                "offer-1@example.cn",
                NO_ID_KEY,
                "draft-1@example.cn",
                "hello-9@rossi.example",
            )
        }
    return addresses, messages


def tables(root: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with Index.open(root) as index:
        addresses = index.conn.execute("SELECT * FROM addresses ORDER BY 1, 2").fetchall()
        messages = index.conn.execute(
            "SELECT customer, rel, message_id FROM files ORDER BY 1, 2"
        ).fetchall()
    return addresses, messages


def rebuilt_tables(
    root: Path, state: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    seed_seen_cards(root, state)  # what `scan --rebuild` keeps
    with monkeypatch.context() as m:
        m.setenv("FOLDER_KIT_STATE", str(state))
        scan(open_workspace(root), rebuild=True)
        return tables(root)


def test_every_address_of_a_card_names_its_customer(ws: Path) -> None:
    scan(open_workspace(ws))
    addresses, _ = lookups(ws)
    assert addresses == {
        "buyer@acme.example": ["ACME GmbH", "Rossi Srl"],  # on both cards
        "BOSS@acme.example ": ["ACME GmbH"],  # compared without case or blanks
        "hans@gmail.example": ["ACME GmbH"],  # a second contact, under Notes
        "rossi@rossi.example": ["Rossi Srl"],
        "nobody@acme.example": [],
    }


def test_a_filed_mail_is_found_by_its_message_id_for_its_customer_only(ws: Path) -> None:
    scan(open_workspace(ws))
    _, messages = lookups(ws)
    assert messages == {
        ("ACME GmbH", "offer-1@example.cn"): True,  # <> and case gone
        ("ACME GmbH", NO_ID_KEY): True,  # no Message-ID: the hash of its bytes
        ("ACME GmbH", "draft-1@example.cn"): False,  # a draft is not filed
        ("ACME GmbH", "hello-9@rossi.example"): False,  # another customer's
        ("Rossi Srl", "offer-1@example.cn"): False,
        ("Rossi Srl", NO_ID_KEY): False,
        ("Rossi Srl", "draft-1@example.cn"): False,
        ("Rossi Srl", "hello-9@rossi.example"): True,
    }


def test_incremental_scans_keep_both_current_and_equal_to_a_rebuild(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = open_workspace(ws)
    scan(workspace)
    assert tables(ws) == rebuilt_tables(ws, tmp_path / "fresh0", monkeypatch)
    # the card edited: an address gone, one added; a mail gone, one filed, one
    # rewritten with another id; a customer removed
    (ws / ACME / "Contact.txt").write_text(
        "公司: ACME GmbH\nEmail: buyer@acme.example\n邮箱: new@acme.example\n", encoding="utf-8"
    )
    (ws / ACME / "OUT" / "2026-03-05 offer.eml").unlink()
    (ws / ACME / "IN" / "later.eml").write_bytes(mail("Later", "<Later-2@acme.example>"))
    (ws / ACME / "IN" / "reply.eml").write_bytes(mail("Reply", "<reply-3@acme.example>"))
    shutil.rmtree(ws / ROSSI)
    age_tree(ws)
    scan(workspace)
    with Index.open(ws) as index:
        assert index.customers_of_address("boss@acme.example") == []
        assert index.customers_of_address("new@acme.example") == ["ACME GmbH"]
        assert index.customers_of_address("rossi@rossi.example") == []
        assert not index.has_message("ACME GmbH", "offer-1@example.cn")
        assert not index.has_message("ACME GmbH", NO_ID_KEY)
        assert index.has_message("ACME GmbH", "later-2@acme.example")
        assert index.has_message("ACME GmbH", "reply-3@acme.example")
        assert not index.has_message("Rossi Srl", "hello-9@rossi.example")
    assert tables(ws) == rebuilt_tables(ws, tmp_path / "fresh1", monkeypatch)
    # the card deleted: no address left
    (ws / ACME / "Contact.txt").unlink()
    age_tree(ws)
    scan(workspace)
    assert tables(ws)[0] == []
    assert tables(ws) == rebuilt_tables(ws, tmp_path / "fresh2", monkeypatch)


def test_an_index_of_the_schema_before_is_rebuilt_with_both(ws: Path) -> None:
    scan(open_workspace(ws))
    with Index.open(ws) as index:
        path = index.path
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP TABLE addresses")
        conn.execute("UPDATE meta SET value = '8' WHERE key = 'schema'")
    conn.close()
    scan(open_workspace(ws))
    addresses, messages = lookups(ws)
    assert addresses["rossi@rossi.example"] == ["Rossi Srl"]
    assert messages[("ACME GmbH", "offer-1@example.cn")]


def test_the_watcher_keeps_both_current(ws: Path) -> None:
    scan(open_workspace(ws))
    with watching(ws) as w:
        w.ready()
        (ws / ROSSI / "IN" / "new.eml").write_bytes(mail("New", "<New-5@rossi.example>"))
        (ws / ROSSI / "Contact.txt").write_text(
            "Company: Rossi Srl\nEmail: sales@rossi.example\n", encoding="utf-8"
        )

        def current() -> bool:
            with Index.open(ws) as index:
                return index.has_message("Rossi Srl", "new-5@rossi.example") and (
                    index.customers_of_address("sales@rossi.example") == ["Rossi Srl"]
                )

        wait_until(current, timeout=15, what="the watcher to index the new mail and card")
        assert w.stop() == 0
    with Index.open(ws) as index:
        assert index.customers_of_address("rossi@rossi.example") == []
