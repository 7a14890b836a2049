"""Mail sources: what a path is, from its content, and its messages as a stream."""

from __future__ import annotations

import datetime as dt
import email
import io
import os
import re
import sys
import tracemalloc
from pathlib import Path

import pytest
from helpers import needs_posix_permissions
from hypothesis import example, given, settings
from hypothesis import strategies as st
from realdata import EML, PST

from folder_kit.errors import MailSourceError
from folder_kit.mail import sources
from folder_kit.mail.sources import SourceMessage, SourceWarning, detect_source, read_source
from folder_kit.timeline.mail import read_message

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def eml(subject: str, body: str = "Hello.\n") -> bytes:
    return f"From: a@example.com\nTo: b@example.com\nSubject: {subject}\n\n{body}".encode()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def messages(path: Path) -> list[SourceMessage]:
    items = list(read_source(path))
    assert all(isinstance(i, SourceMessage) for i in items), items
    return [i for i in items if isinstance(i, SourceMessage)]


def subjects(path: Path) -> list[str | None]:
    return [email.message_from_bytes(m.data)["subject"] for m in messages(path)]


def maildir(path: Path, new: dict[str, bytes], cur: dict[str, bytes]) -> Path:
    for sub, files in (("new", new), ("cur", cur), ("tmp", {"half": eml("being written")})):
        (path / sub).mkdir(parents=True)
        for name, data in files.items():
            write(path / sub / name, data)
    return path


# --- what a path is ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("export.txt", b"From a@example.com Thu Mar  5 10:00:00 2026\n" + eml("x"), "mbox"),
        ("notes", eml("x"), "eml"),
        ("saved.eml", OLE, "msg"),  # named .eml, an OLE file inside
        ("backup.dat", b"!BDN" + b"\0" * 600, "pst"),
        ("mail.msg", "\ufeffSubject: x\r\n\r\n".encode(), "eml"),  # UTF-8 BOM first
    ],
)
def test_a_file_is_told_by_its_content(tmp_path: Path, name: str, data: bytes, kind: str) -> None:
    assert detect_source(write(tmp_path / name, data)) == kind


def test_a_folder_with_cur_and_new_is_a_maildir_any_other_a_folder(tmp_path: Path) -> None:
    assert detect_source(maildir(tmp_path / "Mail", {}, {})) == "maildir"
    (tmp_path / "half" / "cur").mkdir(parents=True)
    assert detect_source(tmp_path / "half") == "folder"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p / "nowhere.mbox", "no such file or folder"),
        (
            lambda p: write(p / "a.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
            "not mail: neither an mbox, an .eml, a .msg nor an Outlook .pst file",
        ),
        (
            lambda p: write(p / "empty.mbox", b""),
            "not mail: neither an mbox, an .eml, a .msg nor an Outlook .pst file",
        ),
    ],
    ids=["missing", "pdf", "empty"],
)
def test_a_path_that_is_no_source_is_one_error(tmp_path: Path, make: object, reason: str) -> None:
    assert callable(make)
    path = make(tmp_path)
    with pytest.raises(MailSourceError) as info:
        list(read_source(path))
    assert str(info.value) == f"cannot read mail from {path}: {reason}"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(MailSourceError, match=r": a FIFO \(named pipe\), not a file or folder$"):
        detect_source(fifo)


@needs_posix_permissions
def test_a_link_given_as_the_source_is_not_followed(tmp_path: Path) -> None:
    target = write(tmp_path / "real.mbox", b"From x Thu Mar  5 10:00:00 2026\n" + eml("x"))
    (tmp_path / "link.mbox").symlink_to(target)
    with pytest.raises(MailSourceError, match="a symbolic link"):
        list(read_source(tmp_path / "link.mbox"))


# --- mbox -------------------------------------------------------------------------

MBOX = (
    b"From alice@example.com Thu Mar  5 10:00:00 2026\n"
    b"From: alice@example.com\nSubject: first\n\n"
    b"Body line.\n>From the factory, with love.\n>>From quoted twice.\n"
    b"From here on a line that is no separator: no blank line before it.\n\n"
    b"From bob@example.com Fri Mar  6 11:30:05 +0800 2026\n"
    b"From: bob@example.com\nSubject: second\n\nShort.\n\n"
    b"From carol@example.com Sat Mar  7 08:00 2026\n"
    b"Subject: third\n\nLast, with no blank line at the end.\n"
)


def test_an_mbox_gives_each_message_without_its_from_line(tmp_path: Path) -> None:
    path = write(tmp_path / "Inbox", MBOX)
    got = messages(path)
    assert [m.index for m in got] == [0, 1, 2]
    assert got[0].data == (
        b"From: alice@example.com\nSubject: first\n\n"
        b"Body line.\nFrom the factory, with love.\n>From quoted twice.\n"
        b"From here on a line that is no separator: no blank line before it.\n"
    )
    assert got[1].data == b"From: bob@example.com\nSubject: second\n\nShort.\n"
    assert got[2].data.endswith(b"at the end.\n")
    assert {(m.kind, m.path) for m in got} == {("eml", path)}


def test_the_from_line_gives_the_fallback_date(tmp_path: Path) -> None:
    got = messages(write(tmp_path / "Inbox", MBOX))
    assert [m.envelope_date for m in got] == [
        dt.datetime(2026, 3, 5, 10, 0, 0),  # no zone: as written, naive
        dt.datetime(2026, 3, 6, 11, 30, 5, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        dt.datetime(2026, 3, 7, 8, 0),
    ]


def test_the_mtime_is_the_sources(tmp_path: Path) -> None:
    path = write(tmp_path / "Inbox", MBOX)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    when = dt.datetime.fromtimestamp(1_700_000_000, dt.UTC)
    assert {m.mtime for m in messages(path)} == {when}


def test_a_crlf_mbox_keeps_its_line_ends(tmp_path: Path) -> None:
    path = write(tmp_path / "Inbox", MBOX.replace(b"\n", b"\r\n"))
    got = messages(path)
    assert got[1].data == b"From: bob@example.com\r\nSubject: second\r\n\r\nShort.\r\n"


def test_a_broken_message_in_the_middle_is_a_warning_and_the_rest_is_read(
    tmp_path: Path,
) -> None:
    data = (
        b"From a Thu Mar  5 10:00:00 2026\n" + eml("one") + b"\n"
        b"From b Thu Mar  5 10:00:00 2026\n\x00\x01\x02 binary junk, no header\n\n"
        b"From c Thu Mar  5 10:00:00 2026\n\n\n"
        b"From d Thu Mar  5 10:00:00 2026\n" + eml("four")
    )
    items = list(read_source(write(tmp_path / "Inbox", data)))
    shown = [str(i) if isinstance(i, SourceWarning) else i.index for i in items]
    assert shown == [
        0,
        f"{tmp_path / 'Inbox'}, message 2: not a mail message (no header fields)",
        f"{tmp_path / 'Inbox'}, message 3: an empty message",
        3,
    ]


def test_a_message_over_the_cap_is_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAX_MESSAGE_BYTES", 1000)
    data = (
        b"From a Thu Mar  5 10:00:00 2026\n" + eml("big", "x" * 2000 + "\n") + b"\n"
        b"From b Thu Mar  5 10:00:00 2026\n" + eml("small")
    )
    items = list(read_source(write(tmp_path / "Inbox", data)))
    assert isinstance(items[0], SourceWarning) and "larger than" in items[0].reason
    assert isinstance(items[1], SourceMessage) and items[1].index == 1


def test_an_mbox_is_streamed_not_read_whole(tmp_path: Path) -> None:
    """20 MB of mbox, read with a peak of memory the size of one message, not the file."""
    message = eml("bulk", "A line of a body that repeats.\n" * 130)  # about 4 KB
    path = tmp_path / "Archive.mbox"
    with path.open("wb") as file:
        for _ in range(5000):
            file.write(b"From x Thu Mar  5 10:00:00 2026\n" + message + b"\n")
    assert path.stat().st_size > 20_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_source(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 5000
    assert peak < 2_000_000, peak


def test_a_line_with_no_end_is_read_in_pieces(tmp_path: Path) -> None:
    path = write(
        tmp_path / "Inbox", b"From a Thu Mar  5 10:00:00 2026\nSubject: x\n\n" + b"y" * 3_000_000
    )
    (got,) = messages(path)
    assert len(got.data) == len(b"Subject: x\n\n") + 3_000_000


def _split_by_lines(data: bytes) -> list[tuple[int, bytes]]:
    """mboxrd split the plain way, line by line: the reference for the chunked reader."""
    found: list[tuple[int, bytes]] = []
    lines: list[bytes] | None = None
    previous_blank = True
    for line in re.findall(rb"[^\n]*\n|[^\n]+\Z", data):  # not splitlines: \r is no end
        if previous_blank and line.startswith(b"From "):
            if lines is not None:
                found.append((len(found), b"".join(lines[:-1])))  # less the blank line
            lines, previous_blank = [], False
            continue
        previous_blank = line in (b"\n", b"\r\n")
        if lines is not None:
            lines.append(line[1:] if re.match(rb">+From ", line) else line)
    if lines is not None:
        if lines and lines[-1] in (b"\n", b"\r\n"):
            lines.pop()
        found.append((len(found), b"".join(lines)))
    return found


_LINES = [
    b"From x Thu Mar  5 10:00:00 2026",
    b"Subject: s",
    b"",
    b"\r",
    b"body",
    b">From the factory",
    b">>From quoted",
    b"a >From b",
    b"From here",
    b"From",
]


@given(
    lines=st.lists(st.sampled_from(_LINES), max_size=30),
    ends=st.lists(st.sampled_from([b"\n", b"\r\n"]), min_size=30, max_size=30),
    chunk=st.sampled_from([1, 2, 3, 5, 8, 64]),
)
@example(lines=[_LINES[0], b""], ends=[b"\n"] * 30, chunk=1)  # a last message of one blank line
@settings(max_examples=1000, deadline=None)
def test_the_chunked_reader_splits_as_line_by_line_whatever_the_chunks(
    lines: list[bytes], ends: list[bytes], chunk: int
) -> None:
    """Separators, blank lines and escaped lines falling across chunk boundaries."""
    data = b"".join(line + end for line, end in zip(lines, ends, strict=False))
    got = []
    with pytest.MonkeyPatch.context() as m:
        m.setattr(sources, "_CHUNK", chunk)
        for index, (_, message) in enumerate(sources._mbox_messages(io.BytesIO(data))):
            got.append((index, message))
    assert got == _split_by_lines(data)


# --- Maildirs and folders ---------------------------------------------------------


def test_a_maildir_reads_new_and_cur_never_tmp(tmp_path: Path) -> None:
    path = maildir(
        tmp_path / "Mail",
        new={"1700000002.M2.host": eml("new one")},
        cur={"1700000001.M1.host:2,S": eml("seen one"), ".hidden": eml("no")},
    )
    assert subjects(path) == ["seen one", "new one"]
    assert {m.index for m in messages(path)} == {None}


def test_a_folder_is_searched_recursively(tmp_path: Path) -> None:
    root = tmp_path / "export"
    write(root / "b.eml", eml("b"))
    write(root / "a" / "deep" / "c.eml", eml("c"))
    write(root / "a" / "x.msg", OLE)
    write(root / "a" / "Inbox", b"From a Thu Mar  5 10:00:00 2026\n" + eml("in mbox"))
    write(root / "a" / "Inbox.msf", b"// Thunderbird's index, not mail")
    write(root / "a" / "notes", b"plain words, not an mbox")
    write(root / "a" / "offer.pdf", b"%PDF-1.4")
    write(root / ".trash" / "d.eml", eml("hidden"))
    maildir(root / "z" / "Maildir", new={"m1": eml("in maildir")}, cur={})
    got = messages(root)
    assert [(m.path.relative_to(root).as_posix(), m.kind) for m in got] == [
        ("b.eml", "eml"),  # a folder's own files first, then its sub-folders
        ("a/Inbox", "eml"),
        ("a/x.msg", "msg"),
        ("a/deep/c.eml", "eml"),
        ("z/Maildir/new/m1", "eml"),
    ]


def test_a_bad_file_in_a_folder_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "empty.eml", b"")
    write(tmp_path / "junk.eml", b"\x00\x01 not a mail")
    write(tmp_path / "ok.eml", eml("ok"))
    items = list(read_source(tmp_path))
    assert [str(i) if isinstance(i, SourceWarning) else i.path.name for i in items] == [
        f"{tmp_path / 'empty.eml'}: empty file",
        f"{tmp_path / 'junk.eml'}: not a mail message (no header fields)",
        "ok.eml",
    ]


@needs_posix_permissions
def test_links_inside_a_folder_are_not_followed(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "secret.eml", eml("outside"))
    root = tmp_path / "export"
    write(root / "in.eml", eml("in"))
    (root / "link.eml").symlink_to(outside)
    (root / "linked-folder").symlink_to(outside.parent)
    assert subjects(root) == ["in"]


def test_a_single_eml_and_a_single_msg(tmp_path: Path) -> None:
    (got,) = messages(EML / "mail_test_14.eml")
    assert (got.kind, got.index, got.data) == ("eml", None, (EML / "mail_test_14.eml").read_bytes())
    (got,) = messages(write(tmp_path / "x.msg", OLE))
    assert (got.kind, got.data) == ("msg", OLE)


# --- Outlook .pst -----------------------------------------------------------------


def test_a_pst_without_libpff_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pypff", None)  # as if it were not installed
    path = write(tmp_path / "old.pst", b"!BDN" + b"\0" * 600)
    with pytest.raises(MailSourceError) as info:
        list(read_source(path))
    assert str(info.value) == (
        f"cannot read mail from {path}: reading an Outlook .pst needs libpff: "
        "pip install 'folder-kit[pst]'"
    )


def test_a_damaged_pst_is_one_error(tmp_path: Path) -> None:
    pytest.importorskip("pypff", reason="libpff-python (folder-kit[pst]) is not installed")
    path = write(tmp_path / "old.pst", b"!BDN" + os.urandom(4000))
    with pytest.raises(MailSourceError, match=r"^cannot read mail from .*old\.pst: \S"):
        list(read_source(path))


def test_a_truncated_real_pst_is_an_error_or_warnings_never_a_traceback(tmp_path: Path) -> None:
    pytest.importorskip("pypff", reason="libpff-python (folder-kit[pst]) is not installed")
    path = write(tmp_path / "cut.pst", PST.read_bytes()[:1_500_000])
    try:
        items = list(read_source(path))
    except MailSourceError as err:
        assert str(err).startswith(f"cannot read mail from {path}: ")
    else:
        assert all(isinstance(i, SourceMessage | SourceWarning) for i in items)


@pytest.fixture(scope="module")
def enron() -> list[SourceMessage]:
    pytest.importorskip("pypff", reason="libpff-python (folder-kit[pst]) is not installed")
    items = list(read_source(PST))
    assert not [i for i in items if isinstance(i, SourceWarning)]
    return [i for i in items if isinstance(i, SourceMessage)]


def test_the_real_pst_gives_every_message(enron: list[SourceMessage]) -> None:
    assert len(enron) == 71
    assert [m.index for m in enron] == list(range(71))
    assert {m.kind for m in enron} == {"eml"}
    folders = {m.folder for m in enron}
    top = "Top of Personal Folders/lokay-m/MLOKAY (Non-Privileged)"
    assert folders == {
        top,
        *(f"{top}/{f}" for f in ("Personal", "TW-Commercial Group", "Systems", "Sent Items")),
    }


def test_the_real_pst_messages_read_as_mail(enron: list[SourceMessage], tmp_path: Path) -> None:
    ids = set()
    no_subject = []
    for m in enron:
        parsed = email.message_from_bytes(m.data)
        # One body, the rebuilt one: the transport headers' MIME fields are dropped.
        assert len(parsed.get_all("content-type") or []) == 1
        assert parsed["message-id"]
        ids.add(parsed["message-id"])
        saved = write(tmp_path / f"{m.index}.eml", m.data)
        info = read_message(saved)
        assert info.date is not None and 2000 <= info.date.year <= 2001
        if info.subject is None:
            no_subject.append(m.index)
    assert len(ids) == 71
    assert no_subject == [67]  # it has none, in its headers or its properties


def test_a_real_pst_message_in_full(enron: list[SourceMessage]) -> None:
    first = email.message_from_bytes(enron[0].data, policy=email.policy.default)
    assert first["subject"] == "Power Mart '01 - Register online for your FREE exhibition pass!"
    assert first["message-id"] == "<IWTBDKF2WUUQG3I3RF3DVZAFDYEPIJCPB@zlsvr22>"
    assert first.get_content_type() == "multipart/mixed"
    parts = [p.get_content_type() for p in first.iter_parts()]
    assert parts == ["text/plain", "image/gif"]
    (gif,) = [p for p in first.iter_attachments()]
    assert gif.get_filename() == "image001.gif"
    # The Enron conversion left a note where the image was: the bytes are as stored.
    assert gif.get_content().startswith(b"Attachment C:\\Enron Data\\attach\\")
    body = first.get_body(preferencelist=("plain",))
    assert body is not None and "public.resdata.com" in body.get_content()


def test_a_meeting_reply_in_the_real_pst_is_mail(enron: list[SourceMessage]) -> None:
    replies = [
        m for m in enron if b"Subject: Accepted: " in m.data or b"subject: Accepted: " in m.data
    ]
    assert replies and {m.folder.rsplit("/", 1)[-1] for m in replies if m.folder} >= {"Sent Items"}


# --- a .pst message with no transport headers (sent mail), built from properties --


class Entry:
    """What libpff gives for one property (only what the reader asks)."""

    def __init__(self, entry_type: int, value: str | int) -> None:
        self.entry_type = entry_type
        self.value_type = 0x001F if isinstance(value, str) else 0x0003
        self.value = value

    def get_data_as_string(self) -> str:
        assert isinstance(self.value, str)
        return self.value

    def get_data_as_integer(self) -> int:
        assert isinstance(self.value, int)
        return self.value


class Properties:
    def __init__(self, values: dict[int, str | int]) -> None:
        self.entries = [Entry(k, v) for k, v in values.items()]


class Recipients:
    def __init__(self, rows: list[dict[int, str | int]]) -> None:
        self.rows = rows
        self.number_of_record_sets = len(rows)

    def get_record_set(self, k: int) -> Properties:
        return Properties(self.rows[k])


class SentItem:
    """A sent message as libpff shows it: properties, no transport headers."""

    transport_headers = None
    number_of_record_sets = 1
    number_of_attachments = 0
    client_submit_time = dt.datetime(2026, 3, 2, 9, 15, 30)
    delivery_time = None
    plain_text_body = b"Dear Hans,\r\nthe offer is attached.\r\n"
    html_body = b"<p>Dear Hans,</p>"

    def __init__(self, message_class: str = "IPM.Note") -> None:
        self.subject = "报价 PI-2026-031\r\nBcc: injected@evil.example"
        self.props = {
            0x001A: message_class,
            0x0C1A: "Li Wei",
            0x0C1E: "EX",
            0x0C1F: "/O=EXCHANGELABS/OU=EXCHANGE/CN=RECIPIENTS/CN=LIWEI",
            0x5D01: "li.wei@example.cn",
            0x1035: "<sent-1@example.cn>",
            0x1042: "<enquiry-9@buyer.example.com>",
        }
        self.recipients = Recipients(
            [
                {
                    0x0C15: 1,
                    0x3001: "Hans Müller",
                    0x3002: "SMTP",
                    0x3003: "hans@buyer.example.com",
                },
                {
                    0x0C15: 2,
                    0x3001: "Zhang San",
                    0x3002: "EX",
                    0x3003: "/O=X/CN=ZS",
                    0x39FE: "zs@example.cn",
                },
            ]
        )

    def get_record_set(self, index: int) -> Properties:
        return Properties(self.props)


def test_a_sent_pst_message_is_built_from_its_properties(tmp_path: Path) -> None:
    from folder_kit.mail.pst import _rebuild

    built = _rebuild(SentItem())
    assert built is not None
    data, warnings = built
    assert warnings == []
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert parsed["from"] == "Li Wei <li.wei@example.cn>"
    assert parsed["to"] == "Hans Müller <hans@buyer.example.com>"
    assert parsed["cc"] == "Zhang San <zs@example.cn>"
    assert parsed["subject"] == "报价 PI-2026-031 Bcc: injected@evil.example"
    assert parsed["bcc"] is None
    assert parsed["message-id"] == "<sent-1@example.cn>"
    assert parsed["in-reply-to"] == "<enquiry-9@buyer.example.com>"
    assert parsed.get_content_type() == "multipart/alternative"
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().splitlines() == ["Dear Hans,", "the offer is attached."]
    assert b"\r\n\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # CRLF only
    info = read_message(write(tmp_path / "sent.eml", data))
    assert info.date == dt.datetime(2026, 3, 2, 9, 15, 30, tzinfo=dt.UTC)
    assert info.subject == "报价 PI-2026-031 Bcc: injected@evil.example"


@pytest.mark.parametrize("message_class", ["IPM.Task", "IPM.Contact", "IPM.StickyNote"])
def test_an_item_that_is_not_mail_is_left_out(message_class: str) -> None:
    from folder_kit.mail.pst import _rebuild

    assert _rebuild(SentItem(message_class)) is None
