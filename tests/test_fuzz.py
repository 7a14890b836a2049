"""Generated hostile input: mail, names, Contact.txt and folder-kit.yaml.

Each reader either gives a value fit to store and show, or raises its own
FolderKitError: never another exception, never text SQLite would refuse. What
the tool writes (a Contact.txt, a logged contact's file name) reads back as
what was asked. The "ci" profile is derandomized so CI runs the same examples
every time; `HYPOTHESIS_PROFILE=deep` searches far wider with fresh seeds.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import encodings.aliases
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from folder_kit.drafts.eml import Mail, build_eml
from folder_kit.errors import ConfigError, MailError, UnsafeNameError, UsageError
from folder_kit.terms import LOG_MEDIA, LOG_TOPICS
from folder_kit.timeline.classify import Classifier
from folder_kit.timeline.mail import read_message
from folder_kit.timeline.record import _file_stem, _reads_back
from folder_kit.workspace.config import Config, parse_config
from folder_kit.workspace.contact import Contact, decode, parse_card, render_card
from folder_kit.workspace.ignore import is_ignored
from folder_kit.workspace.names import MAX_PATH_CHARS, check_line, folder_name, normalize_name

settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "deep",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def storable(text: str | None) -> bool:
    if text is None:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- mail -------------------------------------------------------------------------

CHARSETS = sorted(
    {*encodings.aliases.aliases, *encodings.aliases.aliases.values()}
    | {"utf-7", "utf-8", "gb2312", "gbk", "big5", "iso-8859-1", "rot13", "base64", "zlib",
       "hex", "bz2", "uu", "quopri", "idna", "punycode", "unicode_escape",
       "raw_unicode_escape", "undefined", "utf-16", "utf-32", "charmap", "mbcs", "x-unknown",
       "utf-8*en", "'utf-8'", ""}
)  # fmt: skip


@st.composite
def encoded_word(draw: st.DrawFn) -> bytes:
    charset = draw(st.sampled_from(CHARSETS)).encode("ascii", "replace")
    how = draw(st.sampled_from([b"Q", b"B", b"q", b"b", b"X"]))
    payload = draw(st.binary(max_size=40))
    if how in (b"B", b"b"):
        import base64

        text = base64.b64encode(payload)
    else:
        text = b"".join(
            bytes([c]) if 33 <= c < 127 and c not in b"=?_" else b"=%02X" % c for c in payload
        )
    return b"=?" + charset + b"?" + how + b"?" + text + b"?="


header_value = st.lists(
    st.one_of(
        encoded_word(), st.binary(max_size=30), st.sampled_from([b" ", b"\\ud800", b"+2AA-"])
    ),
    max_size=4,
).map(b" ".join)


@st.composite
def hostile_mail(draw: st.DrawFn) -> bytes:
    fields = []
    for name in draw(
        st.lists(
            st.sampled_from([b"Subject", b"From", b"To", b"Date", b"Content-Type"]), max_size=6
        )
    ):
        if name == b"Content-Type":
            value = b"text/plain; charset=" + draw(st.sampled_from(CHARSETS)).encode(
                "ascii", "replace"
            )
        elif name == b"Date":
            value = draw(st.sampled_from([b"Mon, 2 Mar 2026 10:00:00 +0100", b"garbage", b""]))
        else:
            value = draw(header_value).replace(b"\n", b" ").replace(b"\r", b" ")
        fields.append(name + b": " + value)
    head = b"\n".join(fields)
    return draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"From x\n"])) + head + b"\n\nbody"


@given(data=hostile_mail())
def test_any_mail_reads_as_storable_text_or_a_mail_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.eml"
    path.write_bytes(data)
    try:
        info = read_message(path)
    except MailError:
        return
    assert all(storable(v) for v in (info.subject, info.sender, info.to)), info


@given(data=st.binary(max_size=300))
def test_any_bytes_read_as_a_mail_or_a_mail_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.eml"
    path.write_bytes(data)
    try:
        info = read_message(path)
    except MailError:
        return
    assert all(storable(v) for v in (info.subject, info.sender, info.to)), info


# --- names ------------------------------------------------------------------------


@given(name=st.text(max_size=60))
def test_any_name_gives_a_portable_folder_name_or_is_refused(name: str) -> None:
    try:
        folder = folder_name(name)
    except UnsafeNameError:
        return
    assert folder and "/" not in folder and "\\" not in folder
    assert folder not in (".", "..")
    assert not is_ignored(folder), folder
    assert len(folder.encode("utf-8")) <= 120


# --- Contact.txt --------------------------------------------------------------------

line_value = st.text(max_size=30)


@given(
    company=st.text(min_size=1, max_size=30),
    email=line_value,
    name=line_value,
    country=line_value,
    lang=st.sampled_from(["zh", "en"]),
)
def test_a_card_reads_back_as_written(
    company: str, email: str, name: str, country: str, lang: str
) -> None:
    """What `customer add` accepts, Contact.txt gives back."""
    try:
        check_line(email=email, contact_name=name, country=country)
        company = normalize_name(company)
    except UsageError:
        return
    if not company:
        return
    contact = Contact(
        company=company, email=email.strip(), name=name.strip(), country=country.strip()
    )
    text = render_card([contact], lang=lang)
    card = parse_card(decode(text.encode("utf-8")).text)
    assert card.contacts == (contact,)


@given(data=st.binary(max_size=200))
def test_any_contact_bytes_decode_or_are_refused_cleanly(data: bytes) -> None:
    try:
        text = decode(data).text
    except UnicodeDecodeError:
        return
    parse_card(text)


# --- drafts: the headers of an .eml --------------------------------------------------

HEADER_PIECES = [
    "\r", "\n", "\r\n", "\r\n\r\n", "\n ", "\x0b", "\x0c", "\x00", "\x1c", "\x85",
    "\u2028", "\u2029", ":", ",", "<", ">", '"', "=?utf-8?q?x?=", "Bcc: evil@x.example",
    "\r\nBcc: evil@x.example", "\nX-Unsent: 0", "Anna", "王伟", "Müller", " ", "\t",
]  # fmt: skip
header_text = st.lists(
    st.one_of(st.sampled_from(HEADER_PIECES), st.text(max_size=5)), max_size=8
).map("".join)
DRAFT_HEADER_NAMES = {
    "from", "to", "subject", "date", "message-id", "x-unsent", "x-uniform-type-identifier",
    "mime-version", "content-type", "content-transfer-encoding",
}  # fmt: skip


@given(
    sender_name=header_text,
    to_name=header_text,
    subject=header_text,
    sender=st.sampled_from(["", "lilei@example.cn"]),
    to=st.sampled_from(["", "anna@acme.example"]),
)
def test_no_header_of_a_draft_holds_a_line_break_from_user_data(
    sender_name: str, to_name: str, subject: str, sender: str, to: str
) -> None:
    """Whatever a card or a template puts into a name or a subject, the draft's
    header block keeps its headers: a line break never starts a new one."""
    data = build_eml(
        Mail(
            sender_name=sender_name,
            sender=sender,
            to_name=to_name,
            to=to,
            subject=subject,
            body="Hello\nBcc: body@x.example\n",
            date=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
        )
    )
    head = data.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        assert b"\r" not in line and b"\n" not in line
        if not line[:1].isspace():  # a folded line goes on the header above it
            assert line.split(b":", 1)[0].decode("ascii").casefold() in DRAFT_HEADER_NAMES
    msg = email.message_from_bytes(data, policy=email.policy.default)
    names = [k.casefold() for k in msg]
    assert len(names) == len(set(names))
    assert msg["X-Unsent"] == "1"
    assert ("to" in names) == bool(
        to or re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", "", to_name).strip()
    )
    if to:
        assert msg["To"].addresses[0].addr_spec == to


@pytest.mark.parametrize(
    "addr",
    [
        "anna@acme.example\r\nBcc: evil@x.example",
        "anna@acme.example\nX-Unsent: 0",
        "a@b.example>, Evil <c@d.example",
        "a@b.example, c@d.example",
        "张伟@example.cn",
        "sales@例子.中国",
        "anna",
    ],
)
def test_the_eml_builder_refuses_what_is_not_one_ascii_address(addr: str) -> None:
    """The last line of defence: the draft module hands it normalised addresses,
    and anything else is a bug to stop, never a header to write."""
    mail = Mail(
        sender_name="Li Lei",
        sender="lilei@example.cn",
        to_name="Anna",
        to=addr,
        subject="Prices",
        body="Hello",
        date=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
    )
    with pytest.raises(ValueError, match="not one address"):
        build_eml(mail)


# --- folder-kit.yaml ------------------------------------------------------------------

YAML_PIECES = [
    "lang: zh\n", "lang: ", "me:\n", "  name: ", "cadence:\n", "  A: ", "taboos:\n",
    "  repeat_window: ", "exhibitions:\n", "  - ", "{name: a, city: b, start: ",
    "2027-04-15", '"2027-04-15"', "}", "[", "]", "{", "}", "&a ", "*a", "!!python/object ",
    "!!binary ", "<<: ", "? ", ": ", "- ", "\t", "\n", "  ", "'", '"', "#", "---\n", "...\n",
    "%YAML 1.1\n", "yes", "no", "~", "null", "1e9", "-1", "0x10", "5000", "\x00", "\ufeff",
    "keywords:\n  topic:\n    quote: ", "drafts:\n  max_words: ", "holidays:\n  greet: ",
    '"a\\nb"', '"\\e[2J"', '"\\x85"', '"\\u2028"', "x" * 300, "&b [*a, *a, *a]",
]  # fmt: skip


yaml_text = st.one_of(
    st.lists(st.sampled_from(YAML_PIECES), max_size=25).map("".join),
    st.text(max_size=200),
)


@given(text=yaml_text)
def test_any_config_text_is_a_config_or_one_config_error(text: str) -> None:
    try:
        config = parse_config(text, path=Path("folder-kit.yaml"))
    except ConfigError as e:
        message = str(e)
        assert "\n" not in message, message
        assert len(message) < 1000, message
        return
    assert isinstance(config, Config)


# --- log: the file name reads back ----------------------------------------------------

CLASSIFIER = Classifier(Config())
# A deep customer folder, so that long notes are cut to fit Windows' MAX_PATH too.
DEEP_OUT = Path("C:/Users/salesperson/Documents/客户/B-在谈客户") / ("Customer " * 12) / "OUT"


@given(
    note=st.text(max_size=80),
    medium=st.sampled_from(LOG_MEDIA),
    topic=st.one_of(st.none(), st.sampled_from(LOG_TOPICS)),
    day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)),
)
def test_a_logged_contact_is_named_so_that_it_reads_back(
    note: str, medium: str, topic: str | None, day: dt.date
) -> None:
    stem, keep = _file_stem(CLASSIFIER, DEEP_OUT, medium=medium, day=day, topic=topic, note=note)
    assert _reads_back(CLASSIFIER, f"{stem}.txt", medium, day, topic)
    assert "/" not in stem and "\n" not in stem
    assert stem.startswith(stem[:keep]) and keep >= len(day.isoformat())
    assert len(f"{DEEP_OUT}/{stem} (99).txt") <= MAX_PATH_CHARS


@pytest.mark.parametrize("day", [dt.date(1989, 12, 31), dt.date(2100, 1, 1), dt.date(1, 1, 1)])
def test_a_day_out_of_the_readable_range_is_refused(day: dt.date) -> None:
    with pytest.raises(UsageError, match="years 1990 to 2099"):
        _file_stem(CLASSIFIER, DEEP_OUT, medium="phone", day=day, topic=None, note="")
