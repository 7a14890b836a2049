"""The recipient of a draft, from a Contact.txt typed the way people type it:
lines without a key, several addresses, names in the address field, full-width
`＠`, international domains. One customer's bad card never stops `draft --due`."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest
from conftest import Invoke
from test_drafts import TODAY, draft
from test_drafts import ws as ws  # the drafts tests' workspace fixture

ACME = "客户/B-在谈客户/ACME GmbH"


def set_card(ws: Path, text: str, folder: str = ACME) -> None:
    (ws / folder / "Contact.txt").write_text(text, encoding="utf-8")


def headers(ws: Path, out: dict[str, object]) -> email.message.EmailMessage:
    data = (ws / str(out["path"])).read_bytes()
    msg = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


def test_a_line_without_a_key_under_name_stays_out_of_the_headers(invoke: Invoke, ws: Path) -> None:
    set_card(
        ws,
        "Company: ACME GmbH\nCountry: DE\nName: Anna Schmidt\nPurchasing Manager\n"
        "Email: anna.schmidt@acme.example\nLanguage: en\n",
    )
    out = draft(invoke, ws, "ACME")
    msg = headers(ws, out)
    assert msg["To"] == "Anna Schmidt <anna.schmidt@acme.example>"
    # The header block did not end at the To line: what follows it is still there.
    assert msg["Subject"] == out["subject"]
    assert msg["X-Unsent"] == "1"
    body = msg.get_body(("plain",))
    assert body is not None
    assert "Purchasing Manager" not in body.get_content()


def recipient(ws: Path, out: dict[str, object]) -> tuple[str, str]:
    to = headers(ws, out)["To"]
    return (to.addresses[0].display_name, to.addresses[0].addr_spec) if to else ("", "")


CARD = "Company: ACME GmbH\nCountry: DE\nName: Anna Schmidt\nEmail: {}\nLanguage: en\n"
FILE = f"{ACME}/Contact.txt"


@pytest.mark.parametrize(
    ("email_field", "to"),
    [
        ("anna＠acme.example", ("Anna Schmidt", "anna@acme.example")),
        ("sales@例子.中国", ("Anna Schmidt", "sales@xn--fsqu00a.xn--fiqs8s")),
        ("Bob <bob@acme.example>", ("Anna Schmidt", "bob@acme.example")),
    ],
)
def test_an_address_that_can_be_normalised_is_with_no_warning(
    invoke: Invoke, ws: Path, email_field: str, to: tuple[str, str]
) -> None:
    set_card(ws, CARD.format(email_field))
    out = draft(invoke, ws, "ACME")
    assert recipient(ws, out) == to
    assert out["to"] == f"{to[0]} <{to[1]}>"
    assert out["warnings"] == []


def test_a_name_in_the_address_field_names_a_card_with_none(invoke: Invoke, ws: Path) -> None:
    set_card(ws, "Company: ACME GmbH\nCountry: DE\nEmail: Bob Baker <bob@acme.example>\n")
    out = draft(invoke, ws, "ACME")
    assert recipient(ws, out) == ("Bob Baker", "bob@acme.example")


@pytest.mark.parametrize(
    ("email_field", "to", "warning"),
    [
        (
            "anna@acme.example, jonas@acme.example",
            ("Anna Schmidt", "anna@acme.example"),
            f"{FILE}: Email 'anna@acme.example, jonas@acme.example' holds 2 addresses, "
            "not one; the draft goes to the first, anna@acme.example: give each person "
            "a contact of their own, after a line ---",
        ),
        (
            "anna@acme.example>, Evil <evil@x.example",
            ("Anna Schmidt", ""),
            f"{FILE}: Email 'anna@acme.example>, Evil <evil@x.example' is not one mail "
            "address; the draft has no To: write one address, as name@domain",
        ),
        (
            "张伟@example.cn",
            ("Anna Schmidt", ""),
            f"{FILE}: Email '张伟@example.cn' has a name before the @ that is not in ASCII, "
            "which a mail header can only carry where every server on the way supports "
            "SMTPUTF8; the draft has no To: ask the customer for an address in ASCII, "
            "or type this one into the draft",
        ),
    ],
)
def test_what_is_not_one_address_is_a_warning_naming_the_file(
    invoke: Invoke, ws: Path, email_field: str, to: tuple[str, str], warning: str
) -> None:
    set_card(ws, CARD.format(email_field))
    out = draft(invoke, ws, "ACME")
    if to[1]:
        assert recipient(ws, out) == to
    head = (ws / str(out["path"])).read_bytes().split(b"\r\n\r\n")[0].split(b"\r\n")
    if not to[1]:  # the name alone, as for a card with no email: the user types the address
        assert b"To: Anna Schmidt <>" in head
    assert out["warnings"] == [warning]
    assert not any(b"evil" in line or b"\xe5" in line for line in head)


def test_one_bad_card_never_stops_draft_due(invoke: Invoke, ws: Path) -> None:
    """A card whose address cannot go into a header gives its customer a warning;
    every other due customer still gets a draft, and the bad one gets one too."""
    set_card(ws, CARD.format("张伟@example.cn"))
    result = invoke("-w", str(ws), "draft", "--due", "--today", TODAY)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exc_info)
    assert result.stdout.splitlines()[-1] == "3 drafts written, 2 with warnings."
    assert f"Warning: ACME GmbH: {FILE}: Email '张伟@example.cn' has a name" in result.stderr
    drafts = sorted(p.parent.parent.name for p in ws.glob("客户/*/*/草稿/*.eml"))
    assert drafts == ["ACME GmbH", "Bare Co", "上海恒瑞"]


def test_my_own_address_is_normalised_too(invoke: Invoke, ws: Path) -> None:
    config = ws / "folder-kit.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("lilei@example.cn", "lilei＠例子.中国"), encoding="utf-8")
    out = draft(invoke, ws, "ACME")
    sender = headers(ws, out)["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Li Lei", "lilei@xn--fsqu00a.xn--fiqs8s")
    config.write_text(text.replace("lilei@example.cn", "李雷@example.cn"), encoding="utf-8")
    out = draft(invoke, ws, "ACME", "--again")  # the first one waits
    assert b"\r\nFrom: Li Lei <>\r\n" in (ws / str(out["path"])).read_bytes()
    assert out["warnings"] == [
        "folder-kit.yaml: `me: email:` '李雷@example.cn' has a name before the @ that is "
        "not in ASCII, which a mail header can only carry where every server on the way "
        "supports SMTPUTF8; drafts have no From address: write one address, as name@domain"
    ]


def test_a_big5_card_gives_the_recipient_in_its_own_script(invoke: Invoke, ws: Path) -> None:
    card = "Company: 台灣照明股份有限公司\nCountry: TW\nName: 陳志明\nEmail: chen@example.tw\n"
    (ws / ACME / "Contact.txt").write_bytes(card.encode("big5"))
    out = draft(invoke, ws, "ACME")
    assert recipient(ws, out) == ("陳志明", "chen@example.tw")
