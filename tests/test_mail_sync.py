"""`mail sync` and `mail list` against a real Dovecot (tests/dovecot.py).

Every test checks what a user would: the files filed in the workspace, the JSON,
the Error: line, and, read with a second, independent client, that the server
is as it was (flags, UIDs, UIDVALIDITY).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Invoke
from dovecot import PASSWORD, USER, Dovecot, free_port, message
from helpers import build_tree, read_tree, tree_diff
from mail_accounts import account_yaml, add_mail_section
from memory_keyring import memory_keyring  # noqa: F401  (a fixture)

from folder_kit.timeline.state import state_dir

ACME = "客户/B-在谈客户/ACME GmbH"
ROSSI = "客户/B-在谈客户/Rossi Srl"
NEWCO = "客户/C-潜力客户/Newco Ltd"
ME = USER  # lilei@example.cn: the account's user is one of my addresses

INQUIRY = message(
    sender="Anna <anna@acme.de>",
    to=ME,
    subject="Inquiry: LED panels",
    date="Tue, 03 Mar 2026 12:00:00 +0000",
    message_id="<in1@acme.de>",
)
OFFER = message(
    sender=f"Li Lei <{ME}>",
    to="anna@acme.de",
    subject="Offer LED panels",
    date="Wed, 04 Mar 2026 12:00:00 +0000",
    message_id="<out1@example.cn>",
)
STRANGER = message(
    sender="Zhao <zhao@newco.com>",
    to=ME,
    subject="RFQ 500 flood lights",
    date="Thu, 05 Mar 2026 12:00:00 +0000",
    message_id="<rfq@newco.com>",
)
COLLEAGUE = message(
    sender="Han Meimei <han@example.cn>",
    to=ME,
    subject="Lunch",
    date="Thu, 05 Mar 2026 13:00:00 +0000",
    message_id="<lunch@example.cn>",
)
ROSSI_MAIL = message(
    sender="Mario <mario@rossi.it>",
    to=ME,
    subject="Ordine",
    date="Fri, 06 Mar 2026 12:00:00 +0000",
    message_id="<ordine@rossi.it>",
)
# A reply from an address no card names, found by its thread: it answers OFFER,
# which sits in Sent, read after INBOX.
REPLY = message(
    sender="Anna <anna.home@gmail.com>",
    to=ME,
    subject="Re: Offer LED panels",
    date="Sat, 07 Mar 2026 12:00:00 +0000",
    message_id="<reply@gmail.com>",
    extra="In-Reply-To: <out1@example.cn>\r\nReferences: <out1@example.cn>\r\n",
)


@pytest.fixture
def server() -> Iterator[Dovecot]:
    with Dovecot() as d:
        yield d


@pytest.fixture
def ws(workspace: Path) -> Path:
    build_tree(
        workspace,
        {
            f"{ACME}/Contact.txt": "Company: ACME GmbH\nEmail: Anna@ACME.de\n",
            f"{ROSSI}/Contact.txt": "Company: Rossi Srl\nEmail: mario@rossi.it\n",
        },
    )
    return workspace


def synced(invoke: Invoke, ws: Path, *args: str) -> dict[str, object]:
    result = invoke("mail", "sync", *args, "--json", "-w", str(ws))
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exc_info)
    assert result.stderr == ""
    out: dict[str, object] = json.loads(result.stdout)
    return out


def filed(out: dict[str, object]) -> list[str]:
    entries = out["filed"]
    assert isinstance(entries, list)
    return sorted(f["path"] for f in entries)


def counts(out: dict[str, object]) -> tuple[object, ...]:
    return (out["messages"], len(filed(out)), out["known"], out["unmatched"], out["internal"])


def mail_files(ws: Path) -> dict[str, bytes]:
    return {
        path: data
        for path, data in read_tree(ws).items()
        if data is not None and path.endswith(".eml")
    }


def test_sync_files_inbox_and_sent_and_changes_nothing_on_the_server(
    invoke: Invoke, ws: Path, server: Dovecot
) -> None:
    server.append("INBOX", INQUIRY, flags="\\Seen")
    server.append("INBOX", STRANGER)
    server.append("INBOX", COLLEAGUE, flags="\\Flagged")
    server.append("INBOX", REPLY)
    server.append("Sent", OFFER, flags="\\Seen")
    add_mail_section(ws, account_yaml(server, "work"))
    before = {f: server.snapshot(f) for f in ("INBOX", "Sent")}
    tree = read_tree(ws)

    out = synced(invoke, ws)

    assert out["filed"] == [
        {
            "customer": "ACME GmbH",
            "kind": "in",
            "path": f"{ACME}/IN/2026-03-03 Inquiry - LED panels.eml",
            "message_id": "in1@acme.de",
        },
        {
            "customer": "ACME GmbH",
            "kind": "out",
            "path": f"{ACME}/OUT/2026-03-04 Offer LED panels.eml",
            "message_id": "out1@example.cn",
        },
        {
            "customer": "ACME GmbH",
            "kind": "in",
            "path": f"{ACME}/IN/2026-03-07 Re - Offer LED panels.eml",
            "message_id": "reply@gmail.com",
        },
    ]
    assert counts(out) == (5, 3, 0, 1, 1)
    assert out["warnings"] == []
    assert out["accounts"] == [
        {
            "name": "work",
            "folders": [{"name": "INBOX", "messages": 4}, {"name": "Sent", "messages": 1}],
            "error": None,
        }
    ]
    added, removed, changed = tree_diff(tree, read_tree(ws))
    assert (removed, changed) == (set(), set())
    assert {p for p in added if p.endswith(".eml")} == set(filed(out))
    files = mail_files(ws)
    assert files[f"{ACME}/IN/2026-03-03 Inquiry - LED panels.eml"] == INQUIRY  # the bytes as sent
    assert files[f"{ACME}/OUT/2026-03-04 Offer LED panels.eml"] == OFFER
    # Read-only: the same messages, UIDs and flags (no \Seen added), the same UIDVALIDITY.
    assert {f: server.snapshot(f) for f in ("INBOX", "Sent")} == before
    assert before["INBOX"].flags[2] == frozenset()  # the unseen one stays unseen


def test_a_second_sync_reads_only_new_mail(invoke: Invoke, ws: Path, server: Dovecot) -> None:
    server.append("INBOX", INQUIRY)
    server.append("INBOX", STRANGER)
    server.append("Sent", OFFER)
    add_mail_section(ws, account_yaml(server, "work"))
    first = synced(invoke, ws)
    assert counts(first) == (3, 2, 0, 1, 0)

    again = synced(invoke, ws)
    assert counts(again) == (0, 0, 0, 0, 0)
    assert again["accounts"] == [
        {
            "name": "work",
            "folders": [{"name": "INBOX", "messages": 0}, {"name": "Sent", "messages": 0}],
            "error": None,
        }
    ]

    server.append("INBOX", ROSSI_MAIL)
    new = synced(invoke, ws)
    assert counts(new) == (1, 1, 0, 0, 0)
    assert filed(new) == [f"{ROSSI}/IN/2026-03-06 Ordine.eml"]


def test_with_the_state_folder_deleted_nothing_is_filed_twice(
    invoke: Invoke, ws: Path, server: Dovecot
) -> None:
    server.append("INBOX", INQUIRY)
    server.append("INBOX", STRANGER)
    server.append("INBOX", REPLY)
    server.append("Sent", OFFER)
    add_mail_section(ws, account_yaml(server, "work"))
    assert counts(synced(invoke, ws)) == (4, 3, 0, 1, 0)
    files = mail_files(ws)

    shutil.rmtree(state_dir(ws))
    out = synced(invoke, ws)

    assert counts(out) == (4, 0, 3, 1, 0)
    assert mail_files(ws) == files
    # The unmatched mail is remembered again: `mail unmatched` lists it.
    listed = json.loads(invoke("mail", "unmatched", "--json", "-w", str(ws)).stdout)
    assert [g["key"] for g in listed] == ["newco.com"]


def test_a_folder_renumbered_is_read_again_and_nothing_filed_twice(
    invoke: Invoke, ws: Path, server: Dovecot
) -> None:
    server.create("Kunden")
    for m in (INQUIRY, ROSSI_MAIL, STRANGER):
        server.append("Kunden", m)
    add_mail_section(ws, account_yaml(server, "work", folders=["INBOX", "Kunden"]))
    assert counts(synced(invoke, ws)) == (3, 2, 0, 1, 0)
    files = mail_files(ws)
    uidvalidity = server.snapshot("Kunden").uidvalidity

    server.delete("Kunden")
    server.create("Kunden")
    for m in (STRANGER, ROSSI_MAIL, INQUIRY, OFFER):
        server.append("Kunden", m)
    assert server.snapshot("Kunden").uidvalidity != uidvalidity

    out = synced(invoke, ws)
    assert counts(out) == (4, 1, 2, 1, 0)  # only OFFER is new
    assert filed(out) == [f"{ACME}/OUT/2026-03-04 Offer LED panels.eml"]
    assert len(mail_files(ws)) == len(files) + 1


def test_mail_a_card_claims_later_is_filed_by_the_next_sync(
    invoke: Invoke, ws: Path, server: Dovecot
) -> None:
    server.append("INBOX", INQUIRY)
    server.append("INBOX", STRANGER)
    server.append("INBOX", COLLEAGUE)
    server.append("Sent", OFFER)
    add_mail_section(ws, account_yaml(server, "work"))
    assert counts(synced(invoke, ws)) == (4, 2, 0, 1, 1)
    unmatched = json.loads(invoke("mail", "unmatched", "--json", "-w", str(ws)).stdout)
    assert [(g["key"], g["messages"], g["subjects"]) for g in unmatched] == [
        ("newco.com", 1, ["RFQ 500 flood lights"])
    ]

    build_tree(ws, {f"{NEWCO}/Contact.txt": "Company: Newco Ltd\nEmail: zhao@newco.com\n"})
    out = synced(invoke, ws)

    assert filed(out) == [f"{NEWCO}/IN/2026-03-05 RFQ 500 flood lights.eml"]
    assert counts(out) == (1, 1, 0, 0, 0)
    assert mail_files(ws)[f"{NEWCO}/IN/2026-03-05 RFQ 500 flood lights.eml"] == STRANGER
    assert json.loads(invoke("mail", "unmatched", "--json", "-w", str(ws)).stdout) == []
    assert counts(synced(invoke, ws)) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("use", ["\\Sent", None], ids=["marked", "by-name"])
def test_a_chinese_sent_folder(invoke: Invoke, ws: Path, use: str | None) -> None:
    with Dovecot(folders={"已发送": use, "草稿箱": "\\Drafts"}) as server:
        server.append("已发送", OFFER, flags="\\Seen")
        before = server.snapshot("已发送")
        add_mail_section(ws, account_yaml(server, "work"))
        out = synced(invoke, ws)
        assert out["accounts"] == [
            {
                "name": "work",
                "folders": [{"name": "INBOX", "messages": 0}, {"name": "已发送", "messages": 1}],
                "error": None,
            }
        ]
        assert filed(out) == [f"{ACME}/OUT/2026-03-04 Offer LED panels.eml"]
        assert server.snapshot("已发送") == before
        assert counts(synced(invoke, ws)) == (0, 0, 0, 0, 0)


def test_a_folder_named_in_the_config(invoke: Invoke, ws: Path) -> None:
    with Dovecot(folders={"已发送": None, "Sent": "\\Sent"}) as server:
        server.append("已发送", OFFER)
        server.append("Sent", ROSSI_MAIL)
        add_mail_section(ws, account_yaml(server, "work", folders=["已发送"]))
        out = synced(invoke, ws)
        assert filed(out) == [f"{ACME}/OUT/2026-03-04 Offer LED panels.eml"]
        listed = json.loads(invoke("mail", "list", "--json", "-w", str(ws)).stdout)
        assert [(a["name"], a["folders"]) for a in listed] == [("work", ["已发送"])]


def assert_account_error(result: object, account_name: str, *secrets: str) -> str:
    from click.testing import Result

    assert isinstance(result, Result)
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exc_info)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: mail account '{account_name}': "), lines[0]
    for secret in secrets:
        assert secret not in result.stdout + result.stderr
    return lines[0]


def test_a_wrong_password_is_one_error_line_without_the_password(
    invoke: Invoke, ws: Path, server: Dovecot
) -> None:
    wrong = "Wr0ng-授权码-7731"
    server.append("INBOX", INQUIRY)
    add_mail_section(ws, account_yaml(server, "work", password=wrong))
    tree = read_tree(ws)
    result = invoke("mail", "sync", "-w", str(ws))
    line = assert_account_error(result, "work", wrong, PASSWORD)
    assert "refused the login" in line
    assert read_tree(ws) == tree
    assert not state_dir(ws).exists() or not any(state_dir(ws).glob("unmatched*"))


@pytest.mark.usefixtures("memory_keyring")
def test_a_stopped_server_is_one_error_line_and_the_state_is_kept(
    invoke: Invoke, ws: Path, server: Dovecot
) -> None:
    import keyring

    keyring.set_password("folder-kit imap 127.0.0.1", USER, PASSWORD)  # as `mail add` keeps it
    server.append("INBOX", INQUIRY)
    add_mail_section(ws, account_yaml(server, "work", keyring=True))
    assert counts(synced(invoke, ws)) == (1, 1, 0, 0, 0)
    state = {p.name: p.read_bytes() for p in state_dir(ws).glob("unmatched*")}

    server.stop()
    result = invoke("mail", "sync", "--json", "-w", str(ws))
    line = assert_account_error(result, "work", PASSWORD)
    assert "refused the connection" in line
    assert {p.name: p.read_bytes() for p in state_dir(ws).glob("unmatched*")} == state

    server.start()
    server.append("INBOX", ROSSI_MAIL)
    assert counts(synced(invoke, ws)) == (1, 1, 0, 0, 0)


def test_dry_run_writes_nothing(invoke: Invoke, ws: Path, server: Dovecot) -> None:
    server.append("INBOX", INQUIRY)
    server.append("INBOX", STRANGER)
    server.append("INBOX", REPLY)
    server.append("Sent", OFFER)
    add_mail_section(ws, account_yaml(server, "work"))
    invoke("scan", "-w", str(ws))
    tree = read_tree(ws)
    state = sorted(p.name for p in state_dir(ws).iterdir())

    out = synced(invoke, ws, "--dry-run")

    assert counts(out) == (4, 3, 0, 1, 0)
    assert read_tree(ws) == tree
    assert sorted(p.name for p in state_dir(ws).iterdir()) == state
    real = synced(invoke, ws)
    assert filed(real) == filed(out)


def test_two_accounts_one_failing(invoke: Invoke, ws: Path, server: Dovecot) -> None:
    server.append("INBOX", INQUIRY)
    add_mail_section(
        ws, account_yaml(server, "old", port=free_port()) + account_yaml(server, "work")
    )
    result = invoke("mail", "sync", "--json", "-w", str(ws))
    assert_account_error(result, "old", PASSWORD)
    out = json.loads(result.stdout)
    assert filed(out) == [f"{ACME}/IN/2026-03-03 Inquiry - LED panels.eml"]
    accounts = out["accounts"]
    assert [a["name"] for a in accounts] == ["old", "work"]
    assert accounts[0]["error"] and accounts[0]["folders"] == []
    assert accounts[1]["error"] is None
    listed = json.loads(invoke("mail", "list", "--json", "-w", str(ws)).stdout)
    assert [(a["name"], a["last_sync"] is None) for a in listed] == [
        ("old", True),
        ("work", False),
    ]


def test_a_missing_folder_lists_those_there(invoke: Invoke, ws: Path, server: Dovecot) -> None:
    server.append("INBOX", INQUIRY)
    add_mail_section(ws, account_yaml(server, "work", folders=["INBOX", "Gesendet"]))
    tree = read_tree(ws)
    result = invoke("mail", "sync", "-w", str(ws))
    line = assert_account_error(result, "work")
    assert "Gesendet" in line and "INBOX, Sent" in line
    assert read_tree(ws) == tree


def test_since_limits_the_first_sync(invoke: Invoke, ws: Path, server: Dovecot) -> None:
    import time

    old = time.mktime((2025, 6, 1, 12, 0, 0, 0, 0, -1))
    server.append("INBOX", ROSSI_MAIL, when=old)
    server.append("INBOX", INQUIRY)
    add_mail_section(ws, account_yaml(server, "work", since="2026-01-01"))
    out = synced(invoke, ws)
    assert filed(out) == [f"{ACME}/IN/2026-03-03 Inquiry - LED panels.eml"]
    assert counts(synced(invoke, ws)) == (0, 0, 0, 0, 0)  # nor later


def test_mail_list(invoke: Invoke, ws: Path, server: Dovecot) -> None:
    add_mail_section(ws, account_yaml(server, "work"))
    listed = json.loads(invoke("mail", "list", "--json", "-w", str(ws)).stdout)
    assert listed == [
        {"name": "work", "host": "127.0.0.1", "user": USER, "folders": [], "last_sync": None}
    ]
    synced(invoke, ws)
    (entry,) = json.loads(invoke("mail", "list", "--json", "-w", str(ws)).stdout)
    assert entry["folders"] == ["INBOX", "Sent"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", entry["last_sync"])
    text = invoke("mail", "list", "-w", str(ws)).stdout
    assert "work" in text and "127.0.0.1" in text


def test_a_connection_lost_midway_keeps_what_was_filed_and_goes_on_next_time(
    ws: Path, server: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from folder_kit.mail import sync
    from folder_kit.mail.importer import Progress
    from folder_kit.workspace.find import open_workspace

    monkeypatch.setattr(sync, "STEP", 2)
    mails = [
        message(
            sender="anna@acme.de",
            to=ME,
            subject=f"Order {n}",
            date=f"Tue, 0{n} Mar 2026 12:00:00 +0000",
        )
        for n in range(1, 6)
    ]
    for m in mails:
        server.append("INBOX", m)
    add_mail_section(ws, account_yaml(server, "work"))
    workspace = open_workspace(ws)

    def lose_the_connection(progress: Progress) -> None:
        if progress.messages == 2:  # after the first step
            assert server.drop_connections() == 1

    out = sync.sync_accounts(workspace, workspace.config, progress=lose_the_connection)
    (report,) = out.accounts
    assert report.error is not None and "work" in report.error
    assert sorted(f.path for f in out.filed) == [
        f"{ACME}/IN/2026-03-01 Order 1.eml",
        f"{ACME}/IN/2026-03-02 Order 2.eml",
    ]

    again = sync.sync_accounts(workspace, workspace.config)
    assert again.errors == []
    assert (again.messages, again.known) == (3, 0)  # it went on after the last step filed
    assert sorted(f.path for f in again.filed) == [
        f"{ACME}/IN/2026-03-0{n} Order {n}.eml" for n in (3, 4, 5)
    ]


def test_an_account_removed_and_added_again_is_read_afresh_and_files_nothing_twice(
    invoke: Invoke, ws: Path, server: Dovecot
) -> None:
    server.append("INBOX", message(sender="anna@acme.de", to=ME, subject="Order 1"))
    add_mail_section(ws, account_yaml(server, "work"))
    first = synced(invoke, ws)
    assert len(filed(first)) == 1
    removed = invoke("mail", "remove", "work", "-w", str(ws))
    assert removed.exit_code == 0, removed.stderr
    add_mail_section(ws, account_yaml(server, "work"))
    (entry,) = json.loads(invoke("mail", "list", "--json", "-w", str(ws)).stdout)
    assert entry["last_sync"] is None, "the sync state of the removed account stayed"
    again = synced(invoke, ws)
    assert filed(again) == [] and again["known"] == 1
