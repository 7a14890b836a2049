"""The recipient of a draft, from a Contact.txt typed the way people type it:
lines without a key, several addresses, names in the address field, full-width
`＠`, international domains. One customer's bad card never stops `draft --due`."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

from conftest import Invoke
from test_drafts import draft
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
