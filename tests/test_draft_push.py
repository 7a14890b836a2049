"""`draft NAME --push`: the draft also put into the account's Drafts folder, on a real
Dovecot (tests/dovecot.py), and checked there with an independent client."""

from __future__ import annotations

import email
import json
from collections.abc import Iterator
from email import policy
from pathlib import Path

import pytest
from click.testing import Result
from conftest import Invoke
from dovecot import Dovecot
from helpers import assert_error, build_tree, read_tree
from mail_accounts import account_yaml, add_mail_section

from folder_kit.drafts.push import for_drafts_folder

CONFIG = """\
lang: zh
me:
  name: Li Lei
  title: Sales Manager
  company: Suzhou Example Co., Ltd.
  email: lilei@example.cn
"""
CARD = "Company: ACME GmbH\nCountry: DE\nName: Anna Schmidt\nEmail: anna@acme.example\n"
ACME = "客户/B-在谈客户/ACME GmbH"
TODAY = "2026-12-01"


@pytest.fixture(scope="module")
def server() -> Iterator[Dovecot]:
    with Dovecot() as d:
        yield d


@pytest.fixture
def ws(workspace: Path) -> Path:
    (workspace / "folder-kit.yaml").write_text(CONFIG, encoding="utf-8")
    build_tree(workspace, {ACME: {"Contact.txt": CARD, "OUT": None, "IN": None}})
    return workspace


def drafts_of(ws: Path) -> dict[str, bytes | None]:
    return {k: v for k, v in read_tree(ws / ACME).items() if k.startswith("草稿/")}


def push(invoke: Invoke, ws: Path, *args: str) -> Result:
    return invoke("-w", str(ws), "draft", "ACME", "--push", "--today", TODAY, *args)


def test_the_draft_goes_into_drafts_flagged_draft_and_seen_as_the_local_one(
    invoke: Invoke, ws: Path, server: Dovecot
) -> None:
    add_mail_section(ws, account_yaml(server))
    before = len(server.messages("Drafts"))
    result = push(invoke, ws, "--json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    out = json.loads(result.stdout)
    assert out["pushed"] == {"account": "work", "folder": "Drafts"}
    local = (ws / out["path"]).read_bytes()  # the local copy stays
    on_server = server.messages("Drafts")
    assert len(on_server) == before + 1
    pushed = on_server[-1]
    assert pushed == for_drafts_folder(local)
    flags = list(server.snapshot("Drafts").flags.values())[-1]
    assert flags == {"\\Draft", "\\Seen"}
    mine = email.message_from_bytes(local, policy=policy.default)
    theirs = email.message_from_bytes(pushed, policy=policy.default)
    assert mine["X-Unsent"] == "1" and theirs["X-Unsent"] is None
    assert theirs["Message-ID"] == mine["Message-ID"] and mine["Message-ID"]
    assert theirs["Date"] == mine["Date"] and theirs["Subject"] == mine["Subject"]
    assert theirs["X-Uniform-Type-Identifier"] == "com.apple.mail-draft"
    assert theirs.get_body().get_content() == mine.get_body().get_content()  # type: ignore[union-attr]


def test_the_plain_output_says_where_it_went(invoke: Invoke, ws: Path, server: Dovecot) -> None:
    add_mail_section(ws, account_yaml(server))
    result = push(invoke, ws)
    assert result.exit_code == 0, result.stderr
    assert "Pushed into Drafts of mail account work, flagged \\Draft." in result.stdout.splitlines()


def test_a_drafts_folder_with_a_chinese_name_is_found_by_its_special_use(
    invoke: Invoke, ws: Path
) -> None:
    with Dovecot(folders={"已发送": "\\Sent", "草稿箱": "\\Drafts"}) as other:
        add_mail_section(ws, account_yaml(other, "qq"))
        result = push(invoke, ws, "--json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["pushed"] == {"account": "qq", "folder": "草稿箱"}
        assert len(other.messages("草稿箱")) == 1


def test_a_wrong_password_is_one_error_line_and_the_draft_stays_written(
    invoke: Invoke, ws: Path, server: Dovecot
) -> None:
    add_mail_section(ws, account_yaml(server, password="wrong-授权码"))
    before = server.snapshot("Drafts")
    result = push(invoke, ws, "--json")
    line = assert_error(result)
    assert line.startswith(
        f"Error: the draft is written ({ACME}/草稿/2026-12-01 visit-invite.eml), but not in "
        "the Drafts folder: mail account 'work': 127.0.0.1:"
    ), line
    assert "refused the login" in line and "wrong-授权码" not in line
    assert list(drafts_of(ws)) == ["草稿/2026-12-01 visit-invite.eml"]
    assert json.loads(result.stdout)["path"].endswith("visit-invite.eml")
    assert "pushed" not in json.loads(result.stdout)
    assert server.snapshot("Drafts") == before


def test_a_drafts_folder_the_server_lacks_is_named_with_those_it_has(
    invoke: Invoke, ws: Path, server: Dovecot
) -> None:
    add_mail_section(ws, account_yaml(server, extra="drafts_folder: Entwürfe"))
    line = assert_error(push(invoke, ws))
    assert line.endswith(
        "mail account 'work': no folder 'Entwürfe' on the server (it has: Drafts, INBOX, Sent, Trash)"
    ), line
    assert len(drafts_of(ws)) == 1


def test_the_server_stopped_is_one_error_line_and_the_draft_stays_written(
    invoke: Invoke, ws: Path
) -> None:
    with Dovecot() as gone:
        add_mail_section(ws, account_yaml(gone))
        gone.stop()
        line = assert_error(push(invoke, ws))
    assert "refused the connection" in line, line
    assert len(drafts_of(ws)) == 1


@pytest.mark.parametrize(
    ("accounts", "args", "error"),
    [
        (
            None,
            (),
            "Error: --push needs a mail account to put the draft into: add one with "
            "`folder-kit mail add NAME --host H --user U`",
        ),
        (
            ("work", "home"),
            (),
            "Error: there are several mail accounts (work, home): say which with --account, "
            "or set mail.drafts_account in folder-kit.yaml",
        ),
        (
            ("work",),
            ("--account", "home"),
            "Error: --account 'home': no such mail account in folder-kit.yaml (accounts: work)",
        ),
    ],
)
def test_no_account_to_push_to_is_an_error_before_anything_is_written(
    invoke: Invoke,
    ws: Path,
    server: Dovecot,
    accounts: tuple[str, ...] | None,
    args: tuple[str, ...],
    error: str,
) -> None:
    if accounts:
        add_mail_section(ws, "".join(account_yaml(server, name) for name in accounts))
    assert_error(push(invoke, ws, *args), error)
    assert drafts_of(ws) == {}


@pytest.mark.parametrize(
    ("args", "drafts_account", "expected"),
    [((), "home", "home"), (("--account", "work"), "home", "work")],
)
def test_the_account_is_the_one_named_else_drafts_account(
    invoke: Invoke,
    ws: Path,
    server: Dovecot,
    args: tuple[str, ...],
    drafts_account: str,
    expected: str,
) -> None:
    accounts = account_yaml(server, "work") + account_yaml(server, "home")
    add_mail_section(ws, accounts, extra=f"  drafts_account: {drafts_account}\n")
    result = push(invoke, ws, "--json", *args)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["pushed"]["account"] == expected


def test_account_without_push_is_a_usage_error(invoke: Invoke, ws: Path) -> None:
    result = invoke("-w", str(ws), "draft", "ACME", "--account", "work", "--today", TODAY)
    assert_error(result, "Error: --account says where --push goes: give --push too")
    assert drafts_of(ws) == {}
