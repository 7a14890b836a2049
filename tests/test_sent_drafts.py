"""A draft is done once its sent mail is filed: the scan moves it into 草稿/sent/.

The real flow runs on Dovecot: `draft --push`, the mail "sent" from the Drafts
folder (the same bytes, into Sent, without \\Draft), then filed into OUT."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Invoke
from dovecot import Dovecot
from helpers import assert_ok, build_tree, read_tree
from mail_accounts import account_yaml, add_mail_section
from test_scan import age_tree

import folder_kit.timeline.sent_drafts as sent_drafts
from folder_kit.timeline.mail import message_key_of
from folder_kit.timeline.reader import Reader
from folder_kit.timeline.scan import scan
from folder_kit.workspace.find import open_workspace

CONFIG = "lang: zh\nme:\n  name: Li Lei\n  company: Example Co.\n  email: lilei@example.cn\n"
ACME = "客户/B-在谈客户/ACME GmbH"
OTHER = "客户/B-在谈客户/Other Ltd"


def mail(message_id: str, *, subject: str = "Samples", unsent: bool = False) -> bytes:
    head = (
        "From: Li Lei <lilei@example.cn>\r\nTo: anna@acme.example\r\n"
        f"Subject: {subject}\r\nDate: Tue, 01 Dec 2026 10:00:00 +0800\r\n"
        f"Message-ID: <{message_id}>\r\n" + ("X-Unsent: 1\r\n" if unsent else "")
    )
    return (head + "\r\nDear Anna,\r\n").encode("ascii")


@pytest.fixture
def ws(workspace: Path) -> Path:
    (workspace / "folder-kit.yaml").write_text(CONFIG, encoding="utf-8")
    card = "Company: ACME GmbH\nCountry: DE\nName: Anna\nEmail: anna@acme.example\n"
    build_tree(
        workspace,
        {
            ACME: {"Contact.txt": card, "OUT": None, "IN": None},
            OTHER: {"Contact.txt": "Company: Other Ltd\nEmail: bo@other.example\n", "OUT": None},
        },
    )
    return workspace


def scanned(root: Path) -> None:
    scan(open_workspace(root), workers=1)


def test_a_draft_whose_sent_mail_is_saved_by_hand_moves_into_sent(ws: Path) -> None:
    build_tree(
        ws / ACME,
        {
            "草稿": {
                "2026-12-01 samples.eml": mail("d1@example.cn", unsent=True),
                "2026-12-01 waiting.eml": mail("d2@example.cn", unsent=True),
            }
        },
    )
    scanned(ws)
    assert sorted(p for p in read_tree(ws / ACME) if p.startswith("草稿/")) == [
        "草稿/2026-12-01 samples.eml",
        "草稿/2026-12-01 waiting.eml",
    ]
    (ws / ACME / "OUT" / "2026-12-01 Samples.eml").write_bytes(mail("D1@example.cn"))
    scanned(ws)
    tree = read_tree(ws / ACME)
    assert tree["草稿/sent/2026-12-01 samples.eml"] == mail("d1@example.cn", unsent=True)
    assert "草稿/2026-12-01 samples.eml" not in tree
    assert "草稿/2026-12-01 waiting.eml" in tree  # its mail is not filed
    assert tree["OUT/2026-12-01 Samples.eml"] == mail("D1@example.cn")


def test_a_name_taken_in_sent_gives_a_numbered_one_and_nothing_is_overwritten(ws: Path) -> None:
    build_tree(
        ws / ACME,
        {"草稿": {"a.eml": mail("d1@example.cn", unsent=True), "sent": {"a.eml": b"earlier"}}},
    )
    (ws / ACME / "OUT" / "a.eml").write_bytes(mail("d1@example.cn"))
    scanned(ws)
    tree = read_tree(ws / ACME)
    assert tree["草稿/sent/a.eml"] == b"earlier"
    assert tree["草稿/sent/a (2).eml"] == mail("d1@example.cn", unsent=True)
    assert "草稿/a.eml" not in tree


def test_the_same_message_id_in_another_customers_folder_leaves_the_draft(ws: Path) -> None:
    build_tree(ws / ACME, {"草稿": {"a.eml": mail("d1@example.cn", unsent=True)}})
    (ws / OTHER / "OUT" / "a.eml").write_bytes(mail("d1@example.cn"))
    scanned(ws)
    assert "草稿/a.eml" in read_tree(ws / ACME)


def test_a_first_scan_finds_a_done_draft_in_drafts_too(ws: Path) -> None:
    (ws / ACME / "OUT" / "a.eml").write_bytes(mail("d1@example.cn"))
    build_tree(ws / ACME, {"Drafts": {"a.eml": mail("d1@example.cn", unsent=True)}})
    scan(open_workspace(ws), rebuild=True, workers=1)
    assert "Drafts/sent/a.eml" in read_tree(ws / ACME)


# -- the real flow, on a server ----------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[Dovecot]:
    with Dovecot() as d:
        yield d


def send_from_drafts(server: Dovecot) -> bytes:
    """What a mail program does when the pushed draft is sent: the same message
    (its Message-ID kept) into Sent, flagged \\Seen but no longer \\Draft."""
    sent = server.messages("Drafts")[-1]
    server.append("Sent", sent, flags="\\Seen")
    return sent


def test_push_send_and_import_move_the_draft_into_sent(
    invoke: Invoke, ws: Path, server: Dovecot, tmp_path: Path
) -> None:
    add_mail_section(ws, account_yaml(server))
    result = invoke("-w", str(ws), "draft", "ACME", "--push", "--json", "--today", "2026-12-01")
    assert result.exit_code == 0, result.stderr
    draft = json.loads(result.stdout)["path"]
    sent = send_from_drafts(server)
    export = tmp_path / "export"
    build_tree(export, {"sent.eml": sent})
    result = invoke("-w", str(ws), "mail", "import", str(export), "--json")
    assert result.exit_code == 0, result.stderr
    (filed,) = json.loads(result.stdout)["filed"]
    assert filed["kind"] == "out" and filed["customer"] == "ACME GmbH"
    assert_ok(invoke("-w", str(ws), "customer", "list"))  # any command scans first
    name = Path(draft).name
    assert not (ws / draft).exists()
    assert (ws / ACME / "草稿" / "sent" / name).is_file()
    assert (ws / filed["path"]).read_bytes() == sent


def test_push_send_and_sync_move_the_draft_into_sent(
    invoke: Invoke, ws: Path, server: Dovecot
) -> None:
    add_mail_section(ws, account_yaml(server, extra="folders: [Sent]"))
    result = invoke("-w", str(ws), "draft", "ACME", "--push", "--json", "--today", "2026-12-01")
    assert result.exit_code == 0, result.stderr
    draft = json.loads(result.stdout)["path"]
    key = message_key_of((ws / draft).read_bytes())
    sent = send_from_drafts(server)
    result = invoke("-w", str(ws), "mail", "sync", "--json")
    assert result.exit_code == 0, result.stderr
    (filed,) = [f for f in json.loads(result.stdout)["filed"] if f["message_id"] == key]
    assert filed["kind"] == "out" and (ws / filed["path"]).read_bytes() == sent
    assert_ok(invoke("-w", str(ws), "customer", "list"))
    assert not (ws / draft).exists()
    assert (ws / ACME / "草稿" / "sent" / Path(draft).name).is_file()


def test_a_draft_is_found_where_the_scan_does_not_list_its_customer_again(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its sent mail saved into OUT changes OUT, not the customer folder: the scan
    lists OUT alone, and still looks for the draft."""
    build_tree(ws / ACME, {"草稿": {"2026-12-01 samples.eml": mail("d1@example.cn", unsent=True)}})
    age_tree(ws)
    scanned(ws)
    listed: list[str] = []
    real = Reader._customer_listing

    def listing(self: Reader, key: str, path: str, shown: str) -> tuple[list[str], bool] | None:
        listed.append(key)
        return real(self, key, path, shown)

    monkeypatch.setattr(Reader, "_customer_listing", listing)
    (ws / ACME / "OUT" / "2026-12-01 Samples.eml").write_bytes(mail("d1@example.cn"))
    scanned(ws)
    assert listed == []
    assert "草稿/sent/2026-12-01 samples.eml" in read_tree(ws / ACME)


def test_customers_listed_without_a_drafts_folder_are_not_looked_into_again(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_tree(ws / ACME, {"草稿": {"2026-12-01 samples.eml": mail("d1@example.cn", unsent=True)}})
    (ws / OTHER / "OUT" / "2026-12-01 Offer.eml").write_bytes(mail("o1@example.cn"))
    (ws / ACME / "OUT" / "2026-12-01 Samples.eml").write_bytes(mail("d1@example.cn"))
    looked: list[str] = []
    real = sent_drafts._drafts

    def drafts(customer: str) -> list[Path]:
        looked.append(Path(customer).name)
        return real(customer)

    monkeypatch.setattr(sent_drafts, "_drafts", drafts)
    scanned(ws)
    assert looked == ["ACME GmbH"]
    assert "草稿/sent/2026-12-01 samples.eml" in read_tree(ws / ACME)
