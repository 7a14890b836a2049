from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import random
import re
import shutil
from pathlib import Path

import pytest
from helpers import needs_posix_permissions
from hypothesis import assume, given
from hypothesis import strategies as st
from realdata import EML, msg, msg_dir

from folder_kit.errors import MailError
from folder_kit.timeline.mail import MessageInfo, message_key, message_key_of, read_message


def missing_file_text() -> str:
    """What the system says of a file that is not there, as the reader meets it
    (an lstat): "No such file or directory" on POSIX; Windows words its own."""
    try:
        os.lstat(Path(__file__).with_name("no such file"))
    except FileNotFoundError as e:
        return e.strerror
    raise AssertionError("the file that must be missing is there")


NO_SUCH_FILE = missing_file_text()


def real(relative: str) -> Path:
    """A real sample: eml/NAME from tests/data, msg/NAME from ../shared (or skip)."""
    folder, name = relative.split("/")
    return EML / name if folder == "eml" else msg(name)


# Read off each file by hand (grep of the header block; extract_msg for .msg).
# Dates keep the zone the message states, so the ISO string checks both the
# instant and the offset.
REAL_MAIL = [
    (
        "eml/mail_malformed_2.eml",
        "2016-08-22T06:23:36-03:00",
        "Delivery failure (abh@netpar.com.br)",
        "postmaster@netpar.com.br",
        "tanya@infospacemail.com",
    ),
    (
        "eml/mail_malformed_3.eml",
        "2017-03-20T05:12:54+06:00",
        "Ahorre Dinero en su Recibo de Luz",
        "El Punto de los Frutos & Verdes <smgsiso@yahoo.com.mx>",
        "luzina@test.it",
    ),
    (
        "eml/mail_test_12.eml",  # GB2312 subject and sender name; raw UTF-8 in To
        "2018-05-13T12:32:22+08:00",
        "代开各地增值税发票",
        "张先生 <baoguan@hotmail.com>",
        "danglüe@email.com",
    ),
    (
        "eml/mail_test_14.eml",
        "2019-04-24T10:05:02+02:00",
        "Test",
        "example@example.com",
        "rcpt@example.com",
    ),
    (
        "eml/mail_test_15.eml",
        "2018-02-13T16:26:00-08:00",
        "Urgent Request for Order Quotation",
        "purchasing@aquillaindustries.com <do-not-reply@ncs.gov.ng>",
        "Undisclosed-Recipients",
    ),
    (
        "eml/mail_test_18.eml",
        "2025-11-03T18:23:00+01:00",
        "Test for Comma and Name Bugs",
        "LastßlName, FirstName <comma.name@example.com>",
        "tony.stark@example.com",
    ),
    (
        "eml/mail_test_19.eml",
        "2024-01-01T12:00:00+00:00",
        "Test email with email address as display name",
        "alice@example.com <bob@example.com>",
        "Charlie Brown <charlie@example.com>, dave@example.com",
    ),
    (
        "eml/mail_test_3.eml",
        "2016-08-22T16:56:09+03:00",
        "Hi there",
        "Ava Oneil <Oneil.844@randtelekom.com.tr>",
        "kalinokyra@thismail.it",
    ),
    (
        "eml/mail_test_4.eml",  # no To header at all
        "2016-08-19T15:33:29+01:00",
        "PI",
        "Anabel Gonzalo <anabelgonzalo@fanox.com>",
        None,
    ),
    (
        "eml/mail_test_5.eml",
        "2017-03-08T05:00:31+01:00",
        "Je prépare mon été zéro complexe !",
        "Marina de Carlance <contact@carlance.fr>",
        "rollierjocelyne@fake.com",
    ),
    (
        "eml/mail_test_7.eml",
        "2017-06-09T17:56:00+02:00",
        "I: Ordine",
        "Mariachiara Geronazzo <geronazzo@voidstudicom.it>",
        "serena.nicolini@fake.it",
    ),
    (
        "msg/unicode.msg",  # PR_CLIENT_SUBMIT_TIME, in UTC; the header says 10:26:24 +0200
        "2013-11-18T08:26:24+00:00",
        "Test for TIF files",
        "Brian Zhou <brizhou@gmail.com>",
        "brianzhou@me.com",
    ),
    (
        "msg/strangeDate.msg",  # an unsent draft: no sent, delivery or header date
        None,
        "MSG Test File",
        None,
        "time2talk@online-convert.com",
    ),
]


def copy_in(tmp_path: Path, relative: str) -> Path:
    target = tmp_path / Path(relative).name
    shutil.copyfile(real(relative), target)
    return target


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_every_real_file_has_expectations() -> None:
    on_disk = {f"eml/{p.name}" for p in EML.glob("*.eml")}
    on_disk |= {f"msg/{p.name}" for p in msg_dir().iterdir()}
    assert on_disk == {row[0] for row in REAL_MAIL}


@pytest.mark.parametrize(("relative", "date", "subject", "sender", "to"), REAL_MAIL)
def test_real_mail(
    tmp_path: Path,
    relative: str,
    date: str | None,
    subject: str,
    sender: str | None,
    to: str | None,
) -> None:
    info = read_message(copy_in(tmp_path, relative))
    assert (info.date.isoformat() if info.date else None) == date
    assert (info.subject, info.sender, info.to) == (subject, sender, to)


def test_real_dates_are_aware_and_the_same_instant_as_stated() -> None:
    info = read_message(real("eml/mail_test_12.eml"))
    assert info.date == dt.datetime(2018, 5, 13, 4, 32, 22, tzinfo=dt.UTC)
    assert info.date is not None and info.date.utcoffset() == dt.timedelta(hours=8)


def test_what_a_file_is_comes_from_its_bytes_not_its_name(tmp_path: Path) -> None:
    ole_named_eml = tmp_path / "saved.eml"
    shutil.copyfile(real("msg/unicode.msg"), ole_named_eml)
    assert read_message(ole_named_eml).subject == "Test for TIF files"
    text_named_msg = tmp_path / "saved.msg"
    shutil.copyfile(real("eml/mail_test_14.eml"), text_named_msg)
    assert read_message(text_named_msg).subject == "Test"


# --- built by hand -------------------------------------------------------------

HEADERS = b"From: Li Wei <li@example.cn>\r\nTo: buyer@example.com\r\n"


def test_broken_date_gives_none_and_keeps_the_rest(tmp_path: Path) -> None:
    path = write(
        tmp_path, "x.eml", HEADERS + b"Date: next Tuesday-ish\r\nSubject: Offer\r\n\r\nbody"
    )
    assert read_message(path) == MessageInfo(
        date=None,
        subject="Offer",
        sender="Li Wei <li@example.cn>",
        to="buyer@example.com",
        message_id=crlf_hash(path.read_bytes()),
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"Date: Mon, 32 Foo 2026 99:99:99 +0800", None),
        (b"Date:", None),
        # no zone stated: a naive datetime, not a guessed zone
        (b"Date: Thu, 26 Nov 2026 09:30:00", dt.datetime(2026, 11, 26, 9, 30)),
        # -0000 is UTC with the sender's own zone unknown (RFC 5322, 3.3)
        (
            b"Date: Thu, 26 Nov 2026 09:30:00 -0000",
            dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC),
        ),
        (
            b"Date: 26 Nov 2026 09:30 +0800 (CST)",
            dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        ),
        (
            b"Date: Thu,\r\n 26 Nov 2026 09:30:00 +0100",
            dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        ),
    ],
)
def test_date_header(tmp_path: Path, header: bytes, expected: dt.datetime | None) -> None:
    date = read_message(write(tmp_path, "x.eml", HEADERS + header + b"\r\n\r\n")).date
    assert date == expected
    if date is not None and expected is not None:
        assert date.utcoffset() == expected.utcoffset()


def b64_word(charset: str, text: str, codec: str | None = None) -> bytes:
    payload = base64.b64encode(text.encode(codec or charset)).decode()
    return f"=?{charset}?B?{payload}?=".encode()


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (b"Re: Quotation for 2026", "Re: Quotation for 2026"),
        (b"Re: long\r\n subject\r\n\tfolded", "Re: long subject folded"),
        (b"  ", None),
        (b"=?UTF-8?B?5oql5Lu35Y2V?=", "报价单"),
        (b"=?utf-8?q?Re=3A_=E6=8A=A5=E4=BB=B7?=", "Re: 报价"),
        # two encoded words: the whitespace between them is not text
        (b"=?UTF-8?B?5oql5Lu3?= =?UTF-8?B?5Y2V?=", "报价单"),
        (b"Fw: =?UTF-8?B?5oql5Lu3?= list", "Fw: 报价 list"),
        # labelled GB2312 but holding GBK-only characters (镕), as Chinese clients write
        (b64_word("GB2312", "朱镕基的报价", "gbk"), "朱镕基的报价"),
        (b64_word("gbk", "样品寄出"), "样品寄出"),
        (b64_word("GB18030", "订单确认"), "订单确认"),
        (b64_word("BIG5", "報價"), "報價"),
        # ISO-8859-1 label with Windows quotes in it
        (b"=?iso-8859-1?Q?=93Offer=94_f=FCr_Sie?=", "“Offer” für Sie"),
        (b"=?ISO-8859-15?Q?Prix_en_=A4?=", "Prix en €"),
        # unknown label: guessed, never an exception
        (b"=?x-unknown?B?5oql5Lu3?=", "报价"),
        (b64_word("utf-8", "报价", "gbk"), "报价"),  # GBK bytes labelled UTF-8
        (b"=?utf-8?B?not base64!!?=", "=?utf-8?B?not base64!!?="),
        # raw 8-bit: UTF-8, else the body's charset, else GB18030
        ("Re: 报价单".encode(), "Re: 报价单"),
        ("Re: 报价单".encode("gbk"), "Re: 报价单"),
    ],
)
def test_subject_decoding(tmp_path: Path, subject: bytes, expected: str | None) -> None:
    path = write(tmp_path, "x.eml", HEADERS + b"Subject: " + subject + b"\r\n\r\nbody")
    assert read_message(path).subject == expected


def test_raw_8bit_headers_follow_the_declared_body_charset(tmp_path: Path) -> None:
    data = (
        b"From: "
        + "Müller".encode("latin-1")
        + b" <m@example.de>\nSubject: "
        + "Preisänderung".encode("latin-1")
        + b'\nContent-Type: text/plain; charset="iso-8859-1"\n\nbody'
    )
    info = read_message(write(tmp_path, "x.eml", data))
    assert (info.subject, info.sender) == ("Preisänderung", "Müller <m@example.de>")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"a@example.com", "a@example.com"),
        (b"<a@example.com>", "a@example.com"),
        (b'"Wang, Fang" <w@example.cn>', "Wang, Fang <w@example.cn>"),
        (b"Wang, Fang <w@example.cn>", "Wang, Fang <w@example.cn>"),
        (b'"a@example.com" <a@example.com>', "a@example.com"),
        (b"w@example.cn (Wang Fang)", "Wang Fang <w@example.cn>"),
        (b'"Say \\"hi\\"" <h@example.com>', 'Say "hi" <h@example.com>'),
        (b"=?UTF-8?B?546L6Iqz?= <w@example.cn>", "王芳 <w@example.cn>"),
        (b'"=?UTF-8?B?546L6Iqz?=" <w@example.cn>', "王芳 <w@example.cn>"),
        (
            b"a@example.com, B <b@example.com>;c@example.com",
            "a@example.com, B <b@example.com>, c@example.com",
        ),
        (b"Sales: a@example.com, b@example.com;", "a@example.com, b@example.com"),
        (b"undisclosed-recipients:;", "undisclosed-recipients"),
        (b"", None),
    ],
)
def test_addresses(tmp_path: Path, header: bytes, expected: str | None) -> None:
    path = write(tmp_path, "x.eml", b"Subject: s\nFrom: " + header + b"\nTo: " + header + b"\n\n")
    info = read_message(path)
    assert (info.sender, info.to) == (expected, expected)


def test_mbox_from_line_is_the_envelope_not_a_header(tmp_path: Path) -> None:
    data = (
        b"From li@example.cn Thu Nov 26 09:30:00 2026\n"
        + b"Date: Thu, 26 Nov 2026 09:30:00 +0800\nSubject: PI 0042\n\nbody\n"
    )
    info = read_message(write(tmp_path, "x.eml", data))
    assert info.subject == "PI 0042"
    assert info.date == dt.datetime(2026, 11, 26, 1, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "prefix",
    [b"\xef\xbb\xbf", b"\r\n", b"\n\n"],
    ids=["utf8-bom", "blank-line", "blank-lines"],
)
def test_leading_bom_or_blank_lines(tmp_path: Path, prefix: bytes) -> None:
    path = write(tmp_path, "x.eml", prefix + b"Subject: hello\nDate: 1 Jan 2026 00:00 +0000\n")
    assert read_message(path).subject == "hello"


def test_only_the_header_block_is_read(tmp_path: Path) -> None:
    body = b"Subject: not me\n" + bytes(range(256)) * 1000
    path = write(tmp_path, "x.eml", HEADERS + b"Subject: me\n\n" + body)
    assert read_message(path).subject == "me"


def test_a_long_header_block_is_read_to_its_end(tmp_path: Path) -> None:
    received = b"Received: from relay.example.net by mx.example.com; 26 Nov 2026 09:30:00\r\n"
    data = received * 400 + b"Subject: after 30 KiB of Received lines\r\n\r\nbody"
    assert read_message(write(tmp_path, "x.eml", data)).subject == "after 30 KiB of Received lines"


def test_headers_without_a_body(tmp_path: Path) -> None:
    path = write(tmp_path, "x.eml", b"Subject: only headers\r\nFrom: a@example.com")
    info = read_message(path)
    assert (info.subject, info.sender, info.date, info.to) == (
        "only headers",
        "a@example.com",
        None,
        None,
    )


def test_headers_are_read_where_the_block_stops_being_headers(tmp_path: Path) -> None:
    path = write(
        tmp_path, "x.eml", b"Subject: kept\nthis line is not a header\nTo: lost@example.com\n"
    )
    info = read_message(path)
    assert info[:4] == (None, "kept", None, None)
    assert info.message_id is not None and info.message_id.startswith("sha256:")


# --- not a mail -----------------------------------------------------------------


def ole_without_message(path: Path) -> Path:
    from extract_msg import OleWriter

    writer = OleWriter()
    writer.addEntry("WordDocument", b"\x00" * 4096)
    writer.write(path)
    return path


def outlook_task(path: Path) -> Path:
    import extract_msg

    with extract_msg.openMsg(str(real("msg/strangeDate.msg"))) as msg:
        writer = extract_msg.OleWriter()
        writer.fromMsg(msg)
    writer.editEntry("__substg1.0_001A001F", data="IPM.Task".encode("utf-16-le"))
    writer.write(path)
    return path


def truncated_msg(path: Path) -> Path:
    path.write_bytes((real("msg/unicode.msg")).read_bytes()[:4096])
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: write(p, "x.eml", random.Random(7).randbytes(8192)), "no mail headers"),
        (lambda p: write(p, "x.eml", b""), "empty file"),
        (lambda p: write(p, "x.eml", b"\r\n \n\t\n"), "empty file"),
        (lambda p: write(p, "x.eml", b": no name\n\n"), "no mail headers"),
        (lambda p: write(p, "x.msg", b""), "empty file"),
        (
            lambda p: write(p, "x.msg", "客户说下周回复。\nCall back Monday.\n".encode()),
            "no mail headers",
        ),
        (lambda p: write(p, "x.msg", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "no mail headers"),
        (lambda p: ole_without_message(p / "x.msg"), "File does not contain a property stream"),
        (lambda p: outlook_task(p / "x.msg"), "an Outlook IPM.Task item, not a mail"),
        (lambda p: truncated_msg(p / "x.msg"), "incomplete OLE sector"),
        (lambda p: p / "missing.eml", NO_SUCH_FILE),
        (lambda p: p / "missing.msg", NO_SUCH_FILE),
    ],
    ids=[
        "garbage-eml",
        "empty-eml",
        "blank-eml",
        "nameless-header",
        "empty-msg",
        "text-msg",
        "pdf-msg",
        "ole-not-msg",
        "outlook-task",
        "truncated-msg",
        "missing-eml",
        "missing-msg",
    ],
)
def test_not_a_mail(tmp_path: Path, make: object, reason: str) -> None:
    assert callable(make)
    path = make(tmp_path)
    with pytest.raises(MailError) as info:
        read_message(path)
    assert str(info.value) == f"cannot read mail {path}: {reason}"
    assert info.value.path == path


@pytest.mark.parametrize("name", ["folder.eml", "folder.msg"])
def test_directory_is_not_a_mail(tmp_path: Path, name: str) -> None:
    (tmp_path / name).mkdir()
    with pytest.raises(MailError, match=r"^cannot read mail "):
        read_message(tmp_path / name)


@needs_posix_permissions
@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file: needs a user"
)
def test_unreadable_file_is_a_mail_error(tmp_path: Path) -> None:
    path = write(tmp_path, "x.eml", HEADERS + b"\n")
    path.chmod(0)
    try:
        with pytest.raises(MailError, match="Permission denied"):
            read_message(path)
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize(
    "raw",
    [
        "Mon, 2 Mar 2026 10:00:00 +0100",
        "2 Mar 2026 10:00 -0800",
        "Tue, 13 Feb 2018 16:26:00 -0800 (PST)",
        "Mon, 2 Mar 2026 10:00:00 +0000",
        "Sun, 13 May 2018 12:32:22 +0800",
        "Mon, 2 Mar 2026 10:00:00 GMT",
        "Mon,  2 Mar 2026 09:05:07 +0530",
        "Mon, 2 Mar 26 10:00:00 +0100",
        "Thu, 1 Jan 2026 23:59:59 -1200",
    ],
)
def test_the_fast_date_path_agrees_with_email_utils(raw: str) -> None:
    from email.utils import parsedate_to_datetime

    from folder_kit.timeline.mail import _parse_date

    assert _parse_date(raw) == parsedate_to_datetime(raw)


# --- the fast paths agree with the general ones (Hypothesis) --------------------

_blank = st.sampled_from([" ", "  ", "\t", " \t"])
_maybe_blank = st.sampled_from(["", " ", "\t"])


@st.composite
def _common_dates(draw: st.DrawFn) -> str:
    """Date headers of the common shape, valid or not: any case, odd blanks, days,
    hours and zones out of range, years email.utils reads as two-digit ones."""
    letters = st.text(
        st.sampled_from("AaDdEeFfJjMmNnOoPpRrSsTtUuVvWwYyHhIiLlBbCcGgX"), min_size=3, max_size=3
    )
    weekday = draw(st.one_of(st.just(""), st.sampled_from(["Mon", "tue", "SUN"]), letters))
    month = draw(st.one_of(st.sampled_from(["Jan", "feb", "MAR", "Dec", "Sep", "jun"]), letters))
    day = draw(st.integers(0, 99))
    year = draw(st.one_of(st.integers(1900, 2100), st.integers(0, 9999)))
    hour, minute, second = (
        draw(st.integers(0, 99)),
        draw(st.integers(0, 99)),
        draw(st.integers(0, 99)),
    )
    seconds = draw(st.booleans())
    sign = draw(st.sampled_from("+-"))
    zone = draw(st.one_of(st.sampled_from([0, 800, 530, 1200, 1400, 2359]), st.integers(0, 9999)))
    # Not "+0800(CST)": there email.utils reads no zone at all, and the fast path
    # keeps the stated offset, as it always has (a row of test_common_date_forms).
    comment = draw(st.sampled_from(["", " (PST)", "\t(UTC)", " (a (b) c)"]))
    raw = draw(_maybe_blank)
    if weekday:
        raw += f"{weekday},{draw(_maybe_blank)}"
    raw += f"{day:0{draw(st.integers(1, 2))}d}{draw(_blank)}{month}{draw(_blank)}{year:04d}"
    raw += f"{draw(_blank)}{hour:0{draw(st.integers(1, 2))}d}:{minute:02d}"
    if seconds:
        raw += f":{second:02d}"
    raw += f"{draw(_blank)}{sign}{zone:04d}{comment}{draw(_maybe_blank)}"
    return raw


def _same_time(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    """The same wall time and the same zone (== alone compares instants)."""
    if a is None or b is None:
        return a is b
    return (a.isoformat(), a.utcoffset()) == (b.isoformat(), b.utcoffset())


@given(_common_dates())
def test_the_fast_date_path_gives_what_email_utils_gives(raw: str) -> None:
    from folder_kit.timeline.mail import _COMMON_DATE, _parse_any_date, _parse_date

    assert _COMMON_DATE.match(raw) is not None  # the generator makes the common shape
    assert _same_time(_parse_date(raw), _parse_any_date(raw))


@st.composite
def _odd_dates(draw: st.DrawFn) -> str:
    """A common date with one character replaced by any other: a Unicode digit or
    blank, a missing field, a stray letter."""
    raw = draw(_common_dates())
    at = draw(st.integers(0, len(raw) - 1))
    return raw[:at] + draw(st.characters()) + raw[at + 1 :]


@given(
    st.one_of(_odd_dates(), st.text(), st.from_regex(r"[0-9A-Za-z ,:+()\t-]{0,40}", fullmatch=True))
)
def test_any_date_text_gives_what_email_utils_gives(raw: str) -> None:
    from folder_kit.timeline.mail import _parse_any_date, _parse_date

    assume(re.search(r"[0-9]\(", raw) is None)  # "+0800(CST)": see _common_dates

    assert _same_time(_parse_date(raw), _parse_any_date(raw))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mon, 1 Dec 2026 10:00:00 +0800", "2026-12-01T10:00:00+08:00"),
        ("1 Dec 2026 10:00:00 +0800", "2026-12-01T10:00:00+08:00"),
        ("1 Dec 2026 10:00:00 -0000", "2026-12-01T10:00:00+00:00"),  # UTC, zone unknown
        ("1 Dec 0069 10:00:00 +0000", "1969-12-01T10:00:00+00:00"),  # as email.utils reads it
        ("1 Dec 0068 10:00:00 +0000", "2068-12-01T10:00:00+00:00"),
        ("31 Feb 2026 10:00:00 +0000", None),
        ("1 Dec 2026 24:00:00 +0000", None),
        ("1 Dec 2026 10:00:00 +2400", None),
        ("1 Dec 2026 10:00:00 +0099", "2026-12-01T10:00:00+01:39"),
        ("1 Dec 2026 10:00:00 +0800(CST)", "2026-12-01T10:00:00+08:00"),
    ],
)
def test_common_date_forms(raw: str, expected: str | None) -> None:
    from folder_kit.timeline.mail import _parse_date

    parsed = _parse_date(raw)
    assert (parsed.isoformat() if parsed else None) == expected


@given(st.lists(st.sampled_from([b"\r", b"\n", b"a", b" ", b"\r\n"])).map(b"".join))
def test_the_blank_line_is_where_the_regex_finds_it(head: bytes) -> None:
    from folder_kit.timeline.mail import _blank_line

    m = re.search(rb"\r?\n\r?\n", head)
    assert _blank_line(head) == (m.start() if m else -1)


# The header fields as the regexes anchored at every line start ("^", MULTILINE)
# found them, before they were made to jump from newline to newline.
_OLD_WANTED = re.compile(
    r"^(date|subject|from|to|content-type)[ \t]*:[ \t]*(.*(?:\n[ \t].*)*)",
    re.IGNORECASE | re.MULTILINE,
)
_OLD_NOT_A_FIELD = re.compile(r"^(?![!-9;-~]+[ \t]*:|[ \t]|\r?$)", re.MULTILINE)
_header_lines = st.sampled_from(
    ["Date: 1 Dec 2026 10:00 +0800", "subject:  Hi", "SUBJECT: again", "To:a@b", "From : x",
     " folded", "\tfolded", "X-Other: 1", "not a field", "", "\r", "Content-Type: text/plain",
     "date:", "Fromage: no", "é: 8-bit"]
)  # fmt: skip


@given(st.lists(_header_lines, min_size=1, max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_header_fields_are_those_the_line_anchored_regexes_found(
    lines: list[str], end: str
) -> None:
    from folder_kit.timeline.mail import _CONTINUATION, _FIRST_FIELD, _header_fields

    block = ("Date: first" + end + end.join(lines)).encode("utf-8", "surrogateescape")
    text = block.decode("ascii", "surrogateescape")
    assert _FIRST_FIELD.match(text)
    stray = _OLD_NOT_A_FIELD.search(text)
    if stray is not None:
        text = text[: stray.start()]
    expected: dict[str, str] = {}
    for m in _OLD_WANTED.finditer(text):
        value = m.group(2)
        expected.setdefault(m.group(1).lower(), _CONTINUATION.sub(" ", value).strip())
    assert _header_fields(block) == (expected or {"": ""})


# --- the key the index files a mail by -------------------------------------------


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("<ABC.123@Mail.Example.COM>", "abc.123@mail.example.com"),
        ("  <abc@x>  ", "abc@x"),
        ("<abc@x> (a comment)", "abc@x"),
        ("<first@x> <second@x>", "first@x"),
        ("no-brackets@X.cn", "no-brackets@x.cn"),
        ("< split @x >", "split@x"),
        ("<>", None),
        ("   ", None),
        ("", None),
        (None, None),
    ],
)
def test_message_key(value: str | None, key: str | None) -> None:
    assert message_key(value) == key


MAIL_WITH_ID = (
    b"From: a@example.cn\r\nMessage-ID:\r\n <X1@Example.CN>\r\nSubject: s\r\n\r\nbody\r\n"
)


def test_a_mails_key_is_its_message_id_folded_lines_and_all(tmp_path: Path) -> None:
    path = write(tmp_path, "x.eml", MAIL_WITH_ID)
    assert read_message(path).message_id == "x1@example.cn"
    assert read_message(path, addresses=False).message_id == "x1@example.cn"
    assert message_key_of(MAIL_WITH_ID) == "x1@example.cn"


def crlf_hash(data: bytes) -> str:
    return (
        "sha256:" + hashlib.sha256(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")).hexdigest()
    )


def test_a_mail_without_message_id_is_keyed_by_all_its_bytes(tmp_path: Path) -> None:
    """The contract (docs/cli.md, mail filing): the hash of its bytes with CRLF line
    endings, so a copy saved with LF ones is the same mail; another body is another."""
    mail = (
        b"From: a@example.cn\r\nDate: Thu, 05 Mar 2026 10:00:00 +0800\r\nSubject: s\r\n\r\nbody\r\n"
    )
    crlf = write(tmp_path, "one.eml", mail)
    lf = write(tmp_path, "two.eml", mail.replace(b"\r\n", b"\n"))
    other = write(tmp_path, "other.eml", mail.replace(b"body", b"other body"))
    expected = "sha256:" + hashlib.sha256(mail).hexdigest()
    assert read_message(crlf).message_id == read_message(lf).message_id == expected
    assert read_message(other).message_id != expected
    assert message_key_of(lf.read_bytes()) == expected


def test_a_mail_longer_than_the_head_read_is_hashed_whole(tmp_path: Path) -> None:
    data = b"From: a@example.cn\r\nSubject: s\r\nX-Long: " + b"x" * 20_000 + b"\r\n\r\n"
    data += b"body line\n" * 20_000
    path = write(tmp_path, "x.eml", data)
    assert read_message(path).message_id == crlf_hash(data)
    assert message_key_of(path.read_bytes()) == read_message(path).message_id


@pytest.mark.parametrize(
    "data", [b"", b"  \n", b"\x00\x01 garbage", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]
)
def test_no_key_for_what_is_no_mail(data: bytes) -> None:
    assert message_key_of(data) is None


def test_an_outlook_msg_is_keyed_by_its_message_id_or_its_bytes() -> None:
    with_id, draft = msg("unicode.msg"), msg("strangeDate.msg")
    assert read_message(with_id).message_id == (
        "cadtj4enjqskgcbtvtecitf+yfg89+achxk3qz=-mt48xygkvdq@mail.gmail.com"
    )
    # an unsent draft has no Message-ID: the file's own bytes key it
    expected = "sha256:" + hashlib.sha256(draft.read_bytes()).hexdigest()
    assert read_message(draft).message_id == expected
    assert message_key_of(draft.read_bytes()) is None  # no .eml: read it as a file
