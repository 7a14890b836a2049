"""Who a message names (``mail/parties.py``): the quick reading of plain header
blocks and address lists gives what the standard library's parser gives."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from realdata import EML

from folder_kit.mail import parties
from folder_kit.mail.parties import read_key_and_parties, read_parties
from folder_kit.timeline.mail import message_key_of
from folder_kit.workspace.contact import normal_address

_PIECES = [
    "anna@acme.de",
    "Anna.Rossi+x@mail.acme-group.co.uk",
    "o'brien@example.com",
    "Anna Rossi",
    "J. Smith Jr.",
    "=?utf-8?B?5byg5LiJ?=",
    "<",
    ">",
    "<anna@acme.de>",
    " ",
    "\r\n ",
    "\n\t",
    ",",
    ";",
    ":",
    "@",
    ".",
    '"',
    '"Rossi, Anna"',
    "(comment)",
    "(",
    ")",
    "[1.2.3.4]",
    "\\",
    "undisclosed-recipients:;",
    "a..b@c.d",
    "x@y",
]
values = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


@given(st.lists(values, min_size=1, max_size=3))
@settings(max_examples=1500, deadline=None)
def test_a_plain_address_list_reads_as_getaddresses_reads_it(fields: list[str]) -> None:
    plain = parties._plain_addresses(", ".join(fields))
    if plain is not None:
        assert [a for a in plain] == [a for _, a in getaddresses(fields) if a]


def test_the_plain_reading_is_taken_for_the_usual_shapes() -> None:
    """Not a test that passes by never taking the quick way."""
    assert parties._plain_addresses("Anna <anna@acme.de>, bob@x.org") == [
        "anna@acme.de",
        "bob@x.org",
    ]
    assert parties._plain_addresses('"Rossi, Anna" <anna@acme.de>') is None
    block = b"From: Anna <anna@acme.de>\r\nTo: a@b.c,\r\n c@d.e\r\nSubject: x"
    assert parties._plain_fields(block) is not None


_LINES = [
    b"From: Anna <anna@acme.de>",
    b"from:anna@acme.de",
    b"To: a@b.c,",
    b" c@d.e",
    b"\tfoo@bar.com",
    b"Cc: ",
    b"CC:\tx@y.z",
    b"Bcc: hidden@x.org",
    b"Reply-To: r@x.org",
    b"In-Reply-To: <m1@x.org>",
    b"References: <m0@x.org>",
    b"  <m1@x.org>",
    b"Subject: Re: offer",
    b"To : spaced@x.org",
    b"X-Weird",
    b"From x@y Thu Mar  5 10:00:00 2026",
    b":empty name",
    b"Subject: caf\xc3\xa9",
    b"To: a@b.c\rd@e.f",
    b"Message-ID: <Abc.1@X.org>",
    b"Message-Id:",
    b" <folded@x.org>",
    b"message-id: no-brackets@x.org",
    b"Message-ID: <>",
]


@given(
    st.lists(st.sampled_from(_LINES), min_size=1, max_size=10),
    st.sampled_from([b"\n", b"\r\n"]),
)
@settings(max_examples=1500, deadline=None)
def test_a_plain_header_block_reads_as_the_parser_reads_it(lines: list[bytes], end: bytes) -> None:
    block = end.join(lines)
    fields = parties._plain_fields(block)
    if fields is None:
        return
    headers = BytesHeaderParser(policy=compat32).parsebytes(block + b"\n\n")
    assert fields == {n: [str(v) for v in headers.get_all(n, [])] for n in parties._WANTED}


@pytest.mark.parametrize("path", sorted(EML.glob("*.eml")), ids=lambda p: p.name)
def test_real_mail_reads_the_same_either_way(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = path.read_bytes()
    quick = read_parties(data, path=path)
    monkeypatch.setattr(parties, "_plain_fields", lambda block: None)
    monkeypatch.setattr(parties, "_plain_addresses", lambda text: None)
    assert read_parties(data, path=path) == quick


@given(
    st.lists(st.sampled_from(_LINES), min_size=1, max_size=10),
    st.sampled_from([b"\n", b"\r\n"]),
)
@settings(max_examples=1500, deadline=None)
def test_the_key_and_parties_read_together_are_those_read_apart(
    lines: list[bytes], end: bytes
) -> None:
    data = end.join(lines) + end + end + b"Body." + end
    key = message_key_of(data)
    together = read_key_and_parties(data)
    if key is None:
        assert together is None
    else:
        assert together == (key, read_parties(data, path=Path("x.eml")))


@pytest.mark.parametrize(
    ("written", "compared"),
    [
        # as the real Enron .pst has them (tests/data/pst)
        (
            "IMCEANOTES-+22Jim+20Lokay+22+20+3Clokay+40bigfoot+2Ecom+3E+40ENRON@ENRON.com",
            "lokay@bigfoot.com",
        ),
        (
            "imceanotes-+22hitschel+2c+20bonnie+20v+2e+22+20+3cbhitschel+40tesoropetroleum"
            "+2ecom+3e+40enron@enron.com",
            "bhitschel@tesoropetroleum.com",
        ),
        ("IMCEASMTP-anna+40acme+2Ede@corp.example", "anna@acme.de"),
        # no address inside: a Notes name, an Exchange X.500 name, as written
        ("IMCEANOTES-clickathome+40enron@enron.com", "imceanotes-clickathome+40enron@enron.com"),
        (
            "IMCEAEX-_O=ENRON_OU=NA_CN=RECIPIENTS_CN=JSMITH@ENRON.com",
            "imceaex-_o=enron_ou=na_cn=recipients_cn=jsmith@enron.com",
        ),
        ("imcea@acme.de", "imcea@acme.de"),
        (" Anna@ACME.de ", "anna@acme.de"),
    ],
)
def test_an_address_exchange_wrapped_is_compared_as_the_one_inside(
    written: str, compared: str
) -> None:
    assert normal_address(written) == compared
    block = f"From: Someone <{written.strip()}>\r\nTo: me@myco.cn\r\n".encode()
    assert read_parties(block + b"\r\nhi\r\n", path=Path("x.eml")).sender == (compared,)
