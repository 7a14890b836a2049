"""The .msg reader against extract-msg, a second reader used here as the oracle.

extract-msg (GPL-3.0) is a test-only dependency: it reads the real samples and the
.msg files built below with its own OLE writer, and both readers must agree.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import struct
from dataclasses import dataclass, field
from pathlib import Path

import extract_msg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from realdata import msg, msg_dir

from folder_kit.errors import MailError
from folder_kit.timeline import msg as msg_module
from folder_kit.timeline.mail import read_message
from folder_kit.timeline.msg import OutlookMessage, Recipient, read_msg

EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)


def read(path: Path) -> OutlookMessage:
    with path.open("rb") as file:
        return read_msg(file, path=path)


def oracle(path: Path) -> dict[str, object]:
    """What extract-msg reads from ``path``, in the shape of OutlookMessage's fields."""
    with extract_msg.openMsg(str(path), delayAttachments=True) as m:
        sender_name = m.getStringStream("__substg1.0_0C1A")
        return {
            "message_class": m.classType,
            "subject": m.subject,
            "sent_time": m.date,
            "delivery_time": m.receivedTime,
            "message_id": m.getStringStream("__substg1.0_1035"),
            "in_reply_to": m.inReplyTo,
            "references": m.getStringStream("__substg1.0_1039"),
            "sender_name": sender_name,
            "recipients": [
                (r.type.name.lower(), r.name, r.smtpAddress or r.email) for r in m.recipients
            ],
            "transport_headers": m.headerText,
        }


def ours(path: Path) -> dict[str, object]:
    got = read(path)
    return {
        "message_class": got.message_class,
        "subject": got.subject,
        "sent_time": got.sent_time,
        "delivery_time": got.delivery_time,
        "message_id": got.message_id,
        "in_reply_to": got.in_reply_to,
        "references": got.references,
        "sender_name": got.sender_name,
        "recipients": [(r.kind, r.name, r.address) for r in got.recipients],
        "transport_headers": got.transport_headers,
    }


@pytest.mark.parametrize("name", ["unicode.msg", "strangeDate.msg"])
def test_every_real_sample_reads_as_extract_msg_reads_it(name: str) -> None:
    assert ours(msg(name)) == oracle(msg(name))


def test_every_real_sample_is_covered() -> None:
    assert {p.name for p in msg_dir().glob("*.msg")} == {"unicode.msg", "strangeDate.msg"}


def test_the_real_received_mail_in_full() -> None:
    got = read(msg("unicode.msg"))
    assert got.sent_time == dt.datetime(2013, 11, 18, 8, 26, 24, tzinfo=dt.UTC)
    assert got.message_id == "<CADtJ4eNjQSkGcBtVteCiTF+YFG89+AcHxK3QZ=-Mt48xygkvdQ@mail.gmail.com>"
    assert (got.sender_name, got.sender_address) == ("Brian Zhou", "brizhou@gmail.com")
    assert got.recipients == (
        Recipient("to", "brianzhou@me.com", "brianzhou@me.com"),
        Recipient("cc", "Brian Zhou", "brizhou@gmail.com"),
    )
    assert got.header("date") == "Mon, 18 Nov 2013 10:26:24 +0200"
    assert got.addresses("cc") == "Brian Zhou <brizhou@gmail.com>"


def test_the_real_draft_has_no_time_and_no_sender() -> None:
    got = read(msg("strangeDate.msg"))
    assert (got.sent_time, got.delivery_time, got.transport_headers) == (None, None, None)
    assert (got.sender_name, got.sender_address, got.sender()) == (None, None, None)
    assert got.addresses("to") == "time2talk@online-convert.com"


# --- .msg files built here, read by both ----------------------------------------


@dataclass
class Built:
    """A .msg to write: fixed properties (id -> (type, value)), strings, recipients."""

    fixed: dict[int, tuple[int, int]] = field(default_factory=dict)
    strings: dict[int, str] = field(default_factory=dict)
    recipients: list[tuple[int, dict[int, str]]] = field(default_factory=list)
    unicode: bool = True
    codec: str = "utf-16-le"

    def write(self, path: Path) -> Path:
        writer = extract_msg.OleWriter()
        count = len(self.recipients)
        writer.addEntry(
            "__properties_version1.0",
            struct.pack("<8xIIII8x", count, 0, count, 0) + entries(self.fixed),
        )
        self.add_strings(writer, "", self.strings)
        for index, (kind, strings) in enumerate(self.recipients):
            where = f"__recip_version1.0_#{index:08X}/"
            writer.addEntry(where.rstrip("/"), storage=True)
            writer.addEntry(
                where + "__properties_version1.0", b"\0" * 8 + entries({0x0C15: (3, kind)})
            )
            self.add_strings(writer, where, strings)
        writer.write(str(path))
        return path

    def add_strings(
        self, writer: extract_msg.OleWriter, where: str, strings: dict[int, str]
    ) -> None:
        kind = "001F" if self.unicode else "001E"
        for prop, text in strings.items():
            writer.addEntry(f"{where}__substg1.0_{prop:04X}{kind}", text.encode(self.codec))


def entries(fixed: dict[int, tuple[int, int]]) -> bytes:
    out = b""
    for prop, (kind, value) in fixed.items():
        out += struct.pack("<IIQ", prop << 16 | kind, 6, value)
    return out


def filetime(when: dt.datetime) -> tuple[int, int]:
    return (0x0040, (when - EPOCH) // dt.timedelta(microseconds=1) * 10)


SENT = dt.datetime(2026, 3, 2, 9, 15, 30, tzinfo=dt.UTC)
RECEIVED = dt.datetime(2026, 3, 2, 9, 16, 2, tzinfo=dt.UTC)
X500 = "/O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=LIWEI"


def exchange_mail() -> Built:
    """A message from an Exchange mailbox: sender and recipients as X500 addresses."""
    return Built(
        fixed={0x0039: filetime(SENT), 0x0E06: filetime(RECEIVED), 0x0E07: (3, 1)},
        strings={
            0x001A: "IPM.Note",
            0x0037: "回复: 报价 PI-2026-031",
            0x0C1A: "Li Wei",
            0x0C1E: "EX",
            0x0C1F: X500,
            0x5D01: "li.wei@example.cn",
            0x1035: "<reply-1@example.cn>",
            0x1042: "<offer-7@buyer.example.com>",
            0x1039: "<offer-6@buyer.example.com> <offer-7@buyer.example.com>",
        },
        recipients=[
            (1, {0x3001: "Hans Müller", 0x3002: "SMTP", 0x3003: "hans@buyer.example.com"}),
            (2, {0x3001: "Zhang San", 0x3002: "EX", 0x3003: X500, 0x39FE: "zs@example.cn"}),
            (3, {0x3001: "Archive", 0x3002: "SMTP", 0x3003: "archive@example.cn"}),
        ],
    )


def test_an_exchange_message_gives_smtp_addresses_never_x500(tmp_path: Path) -> None:
    path = exchange_mail().write(tmp_path / "x.msg")
    assert ours(path) == oracle(path) | {
        # extract-msg's email falls back to the X500 address; ours never does.
        "recipients": [
            ("to", "Hans Müller", "hans@buyer.example.com"),
            ("cc", "Zhang San", "zs@example.cn"),
            ("bcc", "Archive", "archive@example.cn"),
        ],
    }
    got = read(path)
    assert got.sender() == "Li Wei <li.wei@example.cn>"
    assert got.references == "<offer-6@buyer.example.com> <offer-7@buyer.example.com>"
    assert got.sent_time == SENT and got.delivery_time == RECEIVED


def test_an_x500_sender_with_no_smtp_property_takes_the_transport_headers(
    tmp_path: Path,
) -> None:
    built = exchange_mail()
    del built.strings[0x5D01]
    built.strings[0x007D] = (
        "Microsoft Mail Internet Headers Version 2.0\r\n"
        "From: =?utf-8?B?5p2O5aiB?= <li.wei@example.cn>\r\n"
        "To: hans@buyer.example.com\r\nDate: Mon, 2 Mar 2026 17:15:30 +0800\r\n\r\n"
    )
    got = read(built.write(tmp_path / "x.msg"))
    assert got.sender_address == "li.wei@example.cn"
    assert got.header("date") == "Mon, 2 Mar 2026 17:15:30 +0800"


@pytest.mark.parametrize(
    ("codepage", "codec", "subject"),
    [
        (936, "gbk", "报价单 第二版"),
        (1252, "cp1252", "Angebot – Müller “Preisliste”"),
        (65001, "utf-8", "Заказ №17"),
        (1251, "cp1251", "Заказ №17"),
    ],
)
def test_8bit_strings_are_read_in_the_message_codepage(
    tmp_path: Path, codepage: int, codec: str, subject: str
) -> None:
    built = Built(
        fixed={0x3FFD: (3, codepage), 0x340D: (3, 0), 0x0039: filetime(SENT)},
        strings={0x001A: "IPM.Note", 0x0037: subject, 0x0C1A: "Li Wei"},
        recipients=[(1, {0x3001: "Hans", 0x3003: "hans@buyer.example.com"})],
        unicode=False,
        codec=codec,
    )
    path = built.write(tmp_path / "x.msg")
    assert ours(path) == oracle(path)
    assert read(path).subject == subject


def test_the_internet_codepage_is_the_fallback(tmp_path: Path) -> None:
    built = Built(
        fixed={0x3FDE: (3, 936)},
        strings={0x001A: "IPM.Note", 0x0037: "样品"},
        unicode=False,
        codec="gbk",
    )
    assert read(built.write(tmp_path / "x.msg")).subject == "样品"


def test_an_unsent_draft_has_no_sent_time_even_with_a_submit_time(tmp_path: Path) -> None:
    built = Built(
        fixed={0x0039: filetime(SENT), 0x0E07: (3, 0x8)},
        strings={0x001A: "IPM.Note", 0x0037: "draft"},
    )
    path = built.write(tmp_path / "x.msg")
    assert ours(path) == oracle(path)
    assert read(path).sent_time is None
    assert read_message(path).date is None


def test_a_received_message_without_submit_time_is_dated_by_its_delivery(tmp_path: Path) -> None:
    built = Built(fixed={0x0E06: filetime(RECEIVED)}, strings={0x001A: "IPM.Note"})
    assert read_message(built.write(tmp_path / "x.msg")).date == RECEIVED


@pytest.mark.parametrize("ticks", [0, 0x7FFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF])
def test_null_and_absurd_filetimes_are_no_time(tmp_path: Path, ticks: int) -> None:
    built = Built(fixed={0x0039: (0x0040, ticks)}, strings={0x001A: "IPM.Note"})
    assert read(built.write(tmp_path / "x.msg")).submit_time is None


def test_a_stream_over_the_cap_is_left_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = Built(strings={0x001A: "IPM.Note", 0x0037: "x" * 600})
    path = built.write(tmp_path / "x.msg")
    monkeypatch.setattr(msg_module, "_MAX_STRING_STREAM", 1000)
    assert read(path).subject is None
    monkeypatch.setattr(msg_module, "_MAX_STRING_STREAM", 1200)
    assert read(path).subject == "x" * 600


def test_a_file_over_the_cap_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(msg_module, "MAX_MSG_BYTES", 1024 * 1024)
    with pytest.raises(MailError, match=r": 2 MB, larger than 1 MB$"):
        read_msg(io.BytesIO(b"\0" * (2 * 1024 * 1024)), path=tmp_path / "big.msg")


def test_recipients_fall_back_to_the_transport_headers(tmp_path: Path) -> None:
    built = Built(
        strings={
            0x001A: "IPM.Note",
            0x007D: "From: a@example.com\r\nTo: Hans <hans@buyer.example.com>, b@x.example\r\n"
            "Cc: c@x.example\r\n\r\n",
        }
    )
    got = read(built.write(tmp_path / "x.msg"))
    assert got.addresses("to") == "Hans <hans@buyer.example.com>, b@x.example"
    assert got.addresses("cc") == "c@x.example"
    assert got.sender_address == "a@example.com"


# --- damaged files: one MailError each, never anything else ---------------------


@functools.cache
def real_head() -> bytes:
    """The OLE header, FAT, directory and first streams of a real .msg."""
    return msg("unicode.msg").read_bytes()[:48_000]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 40_000), st.integers(0, 255)), min_size=1, max_size=40))
def test_damaged_files_give_a_mail_error_or_a_message(edits: list[tuple[int, int]]) -> None:
    """Bytes changed in the OLE header, FAT and directory of a real .msg."""
    data = bytearray(real_head())
    for offset, value in edits:
        data[offset] = value
    try:
        got = read_msg(io.BytesIO(bytes(data)), path=Path("x.msg"))
    except MailError as err:
        assert str(err).startswith("cannot read mail x.msg: ")
    else:
        assert isinstance(got, OutlookMessage)
