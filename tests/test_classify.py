"""What a file means, as a pure function of its path, name and facts: tables, no file system."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from folder_kit.timeline.classify import (
    WORD_LETTERS,
    Classifier,
    KeywordMatcher,
    classify,
    date_text,
)
from folder_kit.workspace.config import DEFAULT_MEDIUM_KEYWORDS, DEFAULT_TOPIC_KEYWORDS, Config
from folder_kit.workspace.ignore import IGNORED_PATTERNS, is_ignored

# --- is_ignored ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "~$x.docx",
        "~$报价单.xlsx",
        ".~lock.x#",
        ".~lock.报价单.xlsx#",
        "x.tmp",
        "X.TMP",
        "x.part",
        "x.crdownload",
        "Unconfirmed 12345.crdownload",
        ".DS_Store",
        "Thumbs.db",
        "thumbs.db",
        "desktop.ini",
        "Desktop.ini",
        "x (conflicted copy 2026-01-01).pdf",
        "x.sync-conflict-20260101-123456-ABC.txt",
        "报价 (冲突副本 2026-01-01).xlsx",
        "quote.docx~",
        ".x",
        ".hidden.eml",
    ],
)
def test_ignored(name: str) -> None:
    assert is_ignored(name)


@pytest.mark.parametrize(
    "name",
    [
        "2026-03-05 price list.eml",
        "报价单.xlsx",
        "Contact.txt",
        "part list.pdf",
        "temp sensor quote.pdf",
        "tmp.pdf",
        "x.partner.pdf",
        "conflict resolution.docx",
        "2026-11-20 phone price-update asked about MOQ.txt",
        "x~y.txt",
    ],
)
def test_not_ignored(name: str) -> None:
    assert not is_ignored(name)


# --- medium ----------------------------------------------------------------------

DEFAULT = Classifier(Config())


@pytest.mark.parametrize(
    ("name", "medium"),
    [
        # saved mail is email whatever its name says
        ("x.eml", "email"),
        ("Re_ offer.MSG", "email"),
        ("phone call DHL.eml", "email"),
        # phone
        ("2026-03-05 电话.txt", "phone"),
        ("给ACME打电话.txt", "phone"),
        ("tel Hans.txt", "phone"),
        ("phone.txt", "phone"),
        ("Call notes.docx", "phone"),
        ("calls.txt", "phone"),
        # fax
        ("传真.pdf", "fax"),
        ("fax sent.pdf", "fax"),
        # courier
        ("快递单号.jpg", "courier"),
        ("样品照片.jpg", "courier"),
        ("courier.pdf", "courier"),
        ("DHL 1234567890.pdf", "courier"),
        ("FedEx label.pdf", "courier"),
        ("UPS tracking.pdf", "courier"),
        ("TNT waybill.pdf", "courier"),
        ("sample photos.jpg", "courier"),
        ("Samples.jpg", "courier"),
        # chat
        ("微信截图.png", "chat"),
        ("WeChat.png", "chat"),
        ("WhatsApp 2026.txt", "chat"),
        ("Skype log.txt", "chat"),
        ("MSN.txt", "chat"),
        ("LinkedIn message.txt", "chat"),
        # visit
        ("拜访记录.docx", "visit"),
        ("来访.docx", "visit"),
        ("visit report.docx", "visit"),
        ("meeting notes.docx", "visit"),
        # nothing said: a file
        ("catalogue.pdf", "file"),
        ("报价单.xlsx", "file"),
        # "ups" inside "follow-ups" is not UPS
        ("follow-ups.pdf", "file"),
        ("2026-03-05 follow-ups.txt", "file"),
        # ...nor is a "-ups" whose letters stood earlier inside another word
        ("pickups-ups.pdf", "file"),
        ("ups pickups-ups.pdf", "courier"),
        # the leftmost keyword wins
        ("Teams meeting.txt", "chat"),
        ("meeting on Teams.txt", "visit"),
        ("phone then DHL.txt", "phone"),
        ("DHL then phone.txt", "courier"),
        ("微信 电话.txt", "chat"),
        ("电话 微信.txt", "phone"),
        ("WeChat 电话.txt", "chat"),
        ("电话 WeChat.txt", "phone"),
        # what `log` writes
        ("2026-11-20 phone price-update asked about MOQ.txt", "phone"),
        ("2026-11-20 visit visit-invite.txt", "visit"),
    ],
)
def test_medium(name: str, medium: str) -> None:
    assert DEFAULT.medium(name) == medium


# --- topic -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("price update March", "price-update"),
        ("价格表2026", "price-update"),
        ("price-list", "price-update"),
        ("Price_List 2026", "price-update"),
        ("pricelist", "price-update"),
        ("new price list", "price-update"),
        ("new product launch", "product-update"),
        ("New Products", "product-update"),
        ("新产品", "product-update"),
        ("Canton Fair 2027", "exhibition-invite"),
        ("展会邀请", "exhibition-invite"),
        ("Season's greetings", "holiday-greeting"),
        ("圣诞快乐", "holiday-greeting"),
        ("中秋节快乐", "holiday-greeting"),
        ("factory visit", "visit-invite"),
        ("correction to our offer", "self-check"),
        ("补充说明", "self-check"),
        ("开发信", "first-contact"),
        ("quotation for valves", "quote"),
        ("报价", "quote"),
        ("RFQ 123", "quote"),
        ("Re: offerta", "quote"),
        ("order confirmation", "order"),
        ("订单", "order"),
        ("PO 4500012345", "order"),
        # labels are keywords too: what `log` writes comes back
        ("2026-11-20 phone price-update asked about MOQ", "price-update"),
        ("2026-11-20 phone self-check", "self-check"),
        ("2026-11-20 visit first-contact", "first-contact"),
        # the leftmost keyword wins
        ("Purchase order and quotation", "order"),
        ("quotation and purchase order", "quote"),
        # "order" alone is no order: a request for quotation, a sequence
        ("Urgent Request for Order Quotation", "quote"),
        ("data in the wrong order", None),
        ("DC correction", None),
        # no keyword, or a keyword only inside another word
        ("hello", None),
        ("Polish market", None),
        ("Export documents", None),
        ("Fairchild datasheet", None),
        ("RFQ 价格表", "quote"),
        ("价格表 RFQ", "price-update"),
        ("Re: PI", None),
        ("", None),
    ],
)
def test_topic(text: str, topic: str | None) -> None:
    assert DEFAULT.topic(text) == topic


@pytest.mark.parametrize(
    ("texts", "topic"),
    [
        (("hello", "price list"), "price-update"),
        (("RFQ", "price list"), "quote"),
        ((None, "catalog"), "product-update"),
        ((None, None), None),
        (("", "hello"), None),
    ],
)
def test_topic_from_the_first_text_that_has_one(
    texts: tuple[str | None, ...], topic: str | None
) -> None:
    assert DEFAULT.topic(*texts) == topic


def test_a_replaced_medium_list_changes_the_medium() -> None:
    config = Config(medium_keywords={**DEFAULT_MEDIUM_KEYWORDS, "phone": ("hotline", "来电")})
    custom = Classifier(config)
    assert custom.medium("hotline Hans.txt") == "phone"
    assert custom.medium("来电记录.txt") == "phone"
    assert custom.medium("call notes.txt") == "file"  # no longer a keyword
    assert custom.medium("电话.txt") == "file"
    assert custom.medium("DHL.pdf") == "courier"  # the other lists keep their defaults
    assert DEFAULT.medium("hotline Hans.txt") == "file"


def test_a_replaced_topic_list_changes_the_topic() -> None:
    config = Config(topic_keywords={**DEFAULT_TOPIC_KEYWORDS, "quote": ("preventivo", "求购")})
    custom = Classifier(config)
    assert custom.topic("preventivo 2026") == "quote"
    assert custom.topic("求购") == "quote"
    assert custom.topic("RFQ 123") is None
    assert custom.topic("price list") == "price-update"
    assert DEFAULT.topic("求购") is None


# --- date_text -------------------------------------------------------------------

CST = dt.timezone(dt.timedelta(hours=8))
NOON = dt.datetime(2026, 2, 3, 12, 0, 0).timestamp()  # local noon: the same local day anywhere
SAVED = dt.datetime(2027, 1, 1, tzinfo=dt.UTC).timestamp()  # a mail's file, saved after it
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _at(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).timestamp())


@pytest.mark.parametrize(
    ("name", "facts", "expected"),
    [
        # the message's own date wins over the name and the mtime, offset kept
        (
            "2026-01-01 reply.eml",
            (SAVED, dt.datetime(2026, 3, 5, 10, 0, 0, tzinfo=CST), dt.UTC),
            ("2026-03-05T10:00:00+08:00", "2026-03-05", _at("2026-03-05T02:00:00+00:00"), "header"),
        ),
        # the day is the user's day of its instant, not the sender's
        (
            "x.eml",
            (SAVED, dt.datetime(2026, 3, 5, 1, 30, 0, tzinfo=CST), dt.UTC),
            ("2026-03-05T01:30:00+08:00", "2026-03-04", _at("2026-03-04T17:30:00+00:00"), "header"),
        ),
        (
            "x.eml",
            (SAVED, dt.datetime(2026, 3, 5, 1, 30, 0, tzinfo=CST), SHANGHAI),
            ("2026-03-05T01:30:00+08:00", "2026-03-05", _at("2026-03-04T17:30:00+00:00"), "header"),
        ),
        (
            "x.eml",
            (
                SAVED,
                dt.datetime(2016, 8, 22, 22, 23, 36, tzinfo=dt.timezone(-dt.timedelta(hours=3))),
                SHANGHAI,
            ),
            ("2016-08-22T22:23:36-03:00", "2016-08-23", _at("2016-08-23T01:23:36+00:00"), "header"),
        ),
        (
            "x.msg",
            (SAVED, dt.datetime(2013, 11, 18, 8, 26, 24, tzinfo=dt.UTC), dt.UTC),
            ("2013-11-18T08:26:24+00:00", "2013-11-18", _at("2013-11-18T08:26:24+00:00"), "header"),
        ),
        # no message date: the name's, a day with no instant
        (
            "2026-03-05 strange.msg",
            (NOON, None, SHANGHAI),
            ("2026-03-05", "2026-03-05", None, "filename"),
        ),
        (
            "报价 2026年11月26日.xlsx",
            (NOON, None, dt.UTC),
            ("2026-11-26", "2026-11-26", None, "filename"),
        ),
        ("PI-20260401.pdf", (NOON, None, None), ("2026-04-01", "2026-04-01", None, "filename")),
        # a mail dated more than a day after its file was saved: the sender's clock was
        # wrong; dated when it arrived, the file's mtime (not a date in its name)
        (
            "2026-01-01 reply.eml",
            (_at("2026-03-05T10:00:00+00:00"), dt.datetime(2026, 3, 7, 10, 0, tzinfo=CST), dt.UTC),
            ("2026-03-05T10:00:00+00:00", "2026-03-05", _at("2026-03-05T10:00:00+00:00"), "mtime"),
        ),
        # within a day of it: the clocks of two machines, the mail's own date stands
        (
            "x.eml",
            (_at("2026-03-05T10:00:00+00:00"), dt.datetime(2026, 3, 6, 17, 0, tzinfo=CST), dt.UTC),
            ("2026-03-06T17:00:00+08:00", "2026-03-06", _at("2026-03-06T09:00:00+00:00"), "header"),
        ),
    ],
)
def test_date_text(
    name: str,
    facts: tuple[float, dt.datetime | None, dt.tzinfo | None],
    expected: tuple[str, str, int | None, str],
) -> None:
    assert date_text(name, *facts) == expected


def test_date_text_falls_back_to_mtime_with_its_offset() -> None:
    date, day, at, source = date_text("notes.txt", NOON, None)
    assert source == "mtime"
    assert day == "2026-02-03"
    assert at == int(NOON)
    assert re.fullmatch(r"2026-02-03T12:00:00[+-]\d\d:\d\d", date), date


def test_date_text_of_a_mtime_is_in_the_users_zone() -> None:
    at = _at("2026-11-30T23:30:00+00:00")
    assert date_text("notes.txt", at, None, SHANGHAI) == (
        "2026-12-01T07:30:00+08:00",
        "2026-12-01",
        at,
        "mtime",
    )


def test_date_text_of_a_naive_message_date_is_the_header() -> None:
    date, day, at, source = date_text(
        "2026-01-01.eml", SAVED, dt.datetime(2026, 3, 5, 10, 0, 0), dt.UTC
    )
    assert (day, source) == ("2026-03-05", "header")
    assert at == _at("2026-03-05T10:00:00+00:00")  # a time without a zone is UTC
    assert date.startswith("2026-03-05T10:00:00")


# --- classify --------------------------------------------------------------------

FOLDER = {"out": "OUT", "in": "IN", "quote": "报价", "pi": "PI", "order": "定单", "drafts": "草稿"}


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("草稿", "2026-03-05 price list.eml"),
        ("Drafts", "follow-up.txt"),
        ("OUT", "~$quote.docx"),
        ("OUT", ".~lock.quote.docx#"),
        ("IN", "download.crdownload"),
        ("报价", "x (conflicted copy 2026-01-01).xlsx"),
        ("定单", "Thumbs.db"),
        ("PI", ".hidden.pdf"),
        ("IN", ".DS_Store"),
        # a 草稿/ kept inside OUT or IN, at any depth, in either language
        ("OUT/草稿", "2026-05-01 draft.eml"),
        ("OUT/drafts", "note.txt"),
        ("IN/2026/草稿", "2026-03-05 reply.eml"),
        # folders of no kind, and the customer folder itself but for its card
        ("资料", "2026-03-05 catalog.pdf"),
        ("", "notes.txt"),
        ("", "Contact.txt.bak"),
        ("", "contact.txt"),
    ],
)
def test_drafts_ignored_and_other_files_are_no_event(folder: str, name: str) -> None:
    assert classify(folder, name, NOON, classifier=DEFAULT) is None


@pytest.mark.parametrize(
    ("kind", "name", "medium", "topic"),
    [
        # each folder's default topic when the name says none
        ("quote", "ACME 2026-03-05.xlsx", "file", "quote"),
        ("pi", "PI-0042 2026-03-05.pdf", "file", "order"),
        ("order", "2026-03-05.pdf", "file", "order"),
        ("out", "2026-03-05 hello.txt", "file", "other"),
        ("in", "2026-03-05 hello.txt", "file", "other"),
        # a keyword in the name beats the default
        ("quote", "2026-03-05 new price list.xlsx", "file", "price-update"),
        ("out", "2026-03-05 DHL samples.txt", "courier", "other"),
        ("in", "2026-03-05 电话 询价.txt", "phone", "quote"),
    ],
)
def test_classify(kind: str, name: str, medium: str, topic: str) -> None:
    fields = classify(FOLDER[kind], name, NOON, classifier=DEFAULT)
    assert fields == (kind, "2026-03-05", "2026-03-05", None, "filename", medium, topic, None)


@pytest.mark.parametrize(
    ("folder", "kind"),
    [
        ("OUT", "out"),
        ("IN", "in"),
        ("报价", "quote"),
        ("Quotes", "quote"),
        ("PI", "pi"),
        ("定单", "order"),
        ("订单", "order"),  # the common misspelling of 定单
        ("Orders", "order"),
        # the kind is the top folder's, however deep the file
        ("OUT/2025", "out"),
        ("IN/OUT/2025", "in"),
        ("IN/old", "in"),
    ],
)
def test_the_kind_is_the_top_folders(folder: str, kind: str) -> None:
    fields = classify(folder, "2026-01-02 their note.txt", NOON, classifier=DEFAULT)
    assert fields is not None
    assert fields[:5] == (kind, "2026-01-02", "2026-01-02", None, "filename")


def test_a_contact_txt_inside_out_is_a_file_sent_not_the_card() -> None:
    fields = classify("OUT", "Contact.txt", NOON, classifier=DEFAULT)
    assert fields is not None
    assert fields[0] == "out"


def test_folded_given_or_not_gives_the_same() -> None:
    name = "2026-03-05 DHL Samples.TXT"
    assert classify("OUT", name, NOON, classifier=DEFAULT, folded=name.casefold()) == classify(
        "OUT", name, NOON, classifier=DEFAULT
    )


@pytest.mark.parametrize("name", ["2026-03-05 DHL Samples.TXT", "Re_ Factory visit 3.eml"])
def test_screened_by_the_caller_gives_the_same(name: str) -> None:
    """A scan passes over ignored names itself, and says so: the answer is the same."""
    assert classify("OUT", name, NOON, classifier=DEFAULT, screened=True) == classify(
        "OUT", name, NOON, classifier=DEFAULT
    )


def test_a_mail_dated_in_the_future_is_dated_by_its_mtime() -> None:
    """What the scan tells a future-dated mail by, to warn of it: the date source."""
    later = dt.datetime.fromtimestamp(NOON + 2 * 86_400, dt.UTC)
    fields = classify("IN", "re.eml", NOON, later, "Re: hello", classifier=DEFAULT)
    assert fields is not None
    assert fields[4] == "mtime"
    assert fields[3] == int(NOON)


def test_classify_a_mail_takes_topic_from_its_subject_and_keeps_it() -> None:
    fields = classify(
        "IN",
        "2026-01-01 catalog.eml",
        SAVED,
        dt.datetime(2026, 3, 5, 10, 0, 0, tzinfo=CST),
        "Re: new price list",
        classifier=DEFAULT,
        zone=SHANGHAI,
    )
    assert fields == (
        "in",
        "2026-03-05T10:00:00+08:00",
        "2026-03-05",
        _at("2026-03-05T10:00:00+08:00"),
        "header",
        "email",
        "price-update",
        "Re: new price list",
    )


def test_classify_a_subject_without_keyword_leaves_the_name_to_speak() -> None:
    fields = classify("OUT", "catalog.eml", NOON, None, "Hi there", classifier=DEFAULT)
    assert fields is not None
    assert (fields[6], fields[7], fields[4]) == ("product-update", "Hi there", "mtime")


def test_a_mail_that_could_not_be_read_is_dated_by_its_name() -> None:
    """The scan passes no date and no subject for a mail it could not read."""
    fields = classify("IN", "Re_ Factory visit 3.eml", NOON, classifier=DEFAULT)
    assert fields is not None
    assert (fields[0], fields[4], fields[5], fields[7]) == ("in", "mtime", "email", None)


def test_classify_the_card() -> None:
    fields = classify("", "Contact.txt", NOON, classifier=DEFAULT)
    assert fields is not None
    assert (fields[0], fields[2], fields[4], fields[5], fields[6]) == (
        "card",
        "2026-02-03",
        "mtime",
        None,
        None,
    )


def test_contact_kind_is_the_same_however_often_asked() -> None:
    """A table filled as folders are met: the answer must not depend on what was asked first."""
    from folder_kit.timeline.classify import contact_kind

    contact_kind.cache_clear()
    first = [contact_kind(f) for f in ("OUT/草稿", "OUT", "OUT/x/草稿/y", "IN/x")]
    again = [contact_kind(f) for f in ("OUT/草稿", "OUT", "OUT/x/草稿/y", "IN/x")]
    assert first == again == [None, "out", None, "in"]


@pytest.mark.parametrize(
    "text",
    ["ISO9001 certificate renewed", "new ISO9001.pdf", "新 ISO9001 证书", "2026-05-01 ISO9001"],
)
def test_a_configured_keyword_with_digits_matches_in_any_name(text: str) -> None:
    """folder-kit.yaml accepts any keyword; one with a digit must match Latin names too."""
    config = Config(topic_keywords={**DEFAULT_TOPIC_KEYWORDS, "company-news": ("ISO9001",)})
    assert Classifier(config).topic(text) == "company-news"


def test_a_configured_medium_keyword_with_a_dot_matches() -> None:
    config = Config(medium_keywords={**DEFAULT_MEDIUM_KEYWORDS, "chat": ("QQ", "163.com")})
    custom = Classifier(config)
    assert custom.medium("QQ log.txt") == "chat"
    assert custom.medium("163.com notes.txt") == "chat"


@pytest.mark.parametrize(
    ("name", "medium", "topic"),
    [
        ("ACME-Quotation-2026.pdf", "file", "quote"),
        ("Acme-phone-call.txt", "phone", None),
        ("Rossi-DHL-tracking.pdf", "courier", None),
        ("Acme-Canton-Fair.pdf", "file", "exhibition-invite"),
        ("follow-ups.pdf", "file", None),
        ("mock-ups for Rossi.pdf", "file", None),
        ("follow-up call.txt", "phone", None),
    ],
)
def test_keywords_after_a_hyphen(name: str, medium: str, topic: str | None) -> None:
    classifier = Classifier(Config())
    assert (classifier.medium(name), classifier.topic(name.rsplit(".", 1)[0])) == (medium, topic)


def test_a_call_named_after_the_customer_is_a_call() -> None:
    assert Classifier(Config()).medium("Acme-call 2026-03-05.txt") == "phone"


def _ignored_by_regex_alone(name: str) -> bool:
    """is_ignored as it was before its quick pre-test (a scan asks it of every file)."""
    from folder_kit.workspace.ignore import _IGNORED_RE, IGNORED_NAMES

    folded = name.casefold()
    return name.startswith(".") or folded in IGNORED_NAMES or _IGNORED_RE.match(folded) is not None


# Names near every pattern: its literal pieces with text around and between them.
_PIECES = sorted(
    {piece for p in IGNORED_PATTERNS for piece in re.split(r"[*?\[]", p) if piece}
    | {"x", "报价", "A", "~", ".", "(", "\n", "İ", "ẞ"}
)


@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=3), max_size=5).map("".join))
def test_is_ignored_quick_test_changes_nothing(name: str) -> None:
    assert is_ignored(name) == _ignored_by_regex_alone(name)


@pytest.mark.parametrize("pattern", IGNORED_PATTERNS)
@pytest.mark.parametrize("fill", ["", "x", "Report 2026", "报价"])
def test_is_ignored_quick_test_passes_every_pattern(pattern: str, fill: str) -> None:
    # A class stands for its first character ("[0-9]" for "0"), "?" for "x".
    name = re.sub(r"\[([^\]])[^\]]*\]", r"\1", pattern).replace("?", "x").replace("*", fill)
    assert is_ignored(name) == _ignored_by_regex_alone(name) is True


def _find_word_by_word(matcher: KeywordMatcher, text: str) -> str | None:
    """KeywordMatcher.find as it was first written: every word tried in turn."""
    folded = unicodedata.normalize("NFC", text.casefold())
    best_pos, best = len(folded) + 1, None
    subs = matcher._subs if not folded.isascii() else matcher._ascii_subs
    if subs is not None:
        m = subs[0].search(folded)
        if m is not None and m.lastindex is not None:
            best_pos, best = m.start(), subs[1][m.lastindex - 1]
    if matcher._numbers is not None:  # searched in every text, not only those with its words
        m = matcher._numbers[0].search(folded)
        if m is not None and m.lastindex is not None and m.start() < best_pos:
            best_pos, best = m.start(), matcher._numbers[1][m.lastindex - 1]
    spans = [(m.group(), m.start()) for m in re.finditer(f"[{WORD_LETTERS}]+", folded)]
    tokens = [t for t, _ in spans]
    for n, (_, start) in enumerate(spans):
        if start >= best_pos:
            break
        glued = start >= 2 and folded[start - 1] == "-" and folded[start - 2].isalpha()
        hit = matcher._at(tokens, n, glued=glued)
        if hit is not None:
            best = hit
            break
    return matcher.labels[best] if best is not None else None


_KEYWORD_WORDS = sorted(
    {
        w
        for words in DEFAULT_TOPIC_KEYWORDS.values()
        for k in words
        for w in re.split(r"\W+", k)
        if w
    }
    | {w for words in DEFAULT_MEDIUM_KEYWORDS.values() for k in words for w in k.split()}
    | {"s", "es", "Re:", "2026-11-20", "ups", "follow", "x", "İ", "报价", "é", "no.", "4711", "#"}
)
_SEPARATORS = st.sampled_from([" ", "-", "_", ".", "", "'", "/", "2"])


@given(st.lists(st.tuples(st.sampled_from(_KEYWORD_WORDS), _SEPARATORS), max_size=6))
def test_keyword_matcher_skips_only_words_that_start_no_keyword(
    pieces: list[tuple[str, str]],
) -> None:
    text = "".join(word + sep for word, sep in pieces)
    for keywords in (DEFAULT_TOPIC_KEYWORDS, DEFAULT_MEDIUM_KEYWORDS):
        matcher = KeywordMatcher(keywords)
        assert matcher.find(text) == _find_word_by_word(matcher, text)


# --- whole words in every script written with spaces -----------------------------


@pytest.mark.parametrize(
    ("name", "medium"),
    [
        # a keyword is never a piece of an accented word
        ("Hôtel Paris booking.pdf", "file"),
        ("Tél. Müller.txt", "file"),
        ("Ancêtre UPSé.txt", "file"),
        # and an accented word is one word
        ("téléphone Hans.txt", "file"),
        ("tel Müller.txt", "phone"),
        ("Müller-DHL.pdf", "courier"),
    ],
)
def test_latin_keywords_match_whole_accented_words(name: str, medium: str) -> None:
    assert DEFAULT.medium(name) == medium


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Solicitud de cotización", "quote"),
        ("Solicitud de cotizacio\u0301n", "quote"),  # as macOS spells a name: decomposed
        ("COTIZACIÓN 2026-118", "quote"),
        ("precotizaciónes", None),
        ("Bestellung 4711", "order"),
        ("Vorbestellungen", None),
    ],
)
def test_accented_keywords_are_words_too(text: str, topic: str | None) -> None:
    config = Config(topic_keywords={"quote": ("cotización",), "order": ("Bestellung",)})
    assert Classifier(config).topic(text) == topic


NUMBERED = Classifier(Config(topic_keywords={"order": ("PO#", "order#", "订单")}))


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("PO 4711", "order"),
        ("PO#4711", "order"),
        ("PO # 4711", "order"),
        ("PO-4500012345.pdf", "order"),
        ("PO4711", "order"),
        ("PO No. 4711", "order"),
        ("Re: our PO nr 4711 - delivery", "order"),
        ("Order #10234 has shipped", "order"),
        ("order no. 2026-118", "order"),
        ("订单4711", "order"),
        # not a number after it, too short a number, or another word
        ("PO box", None),
        ("PO files for the translation", None),
        ("PO 12", None),
        ("typo 4711", None),
        ("POS 4711", None),
        ("order of operations 1234", None),
        ("reorder 4711", None),
    ],
)
def test_a_keyword_ending_in_hash_wants_a_number(text: str, topic: str | None) -> None:
    assert NUMBERED.topic(text) == topic


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("ISO9001 renewed", "company-news"),
        ("ISO9001", "company-news"),
        ("XISO9001", None),
        ("ISO90012", None),
        ("ISO9001b", None),
    ],
)
def test_a_keyword_with_digits_is_not_part_of_a_longer_word(text: str, topic: str | None) -> None:
    config = Config(topic_keywords={**DEFAULT_TOPIC_KEYWORDS, "company-news": ("ISO9001",)})
    assert Classifier(config).topic(text) == topic


def test_a_one_word_topic_name_is_no_keyword_unless_listed() -> None:
    """The topic names `order` and `quote` are also plain words; only the lists decide."""
    custom = Classifier(Config(topic_keywords={"order": ("订单",), "quote": ("报价",)}))
    assert custom.topic("data in the wrong order") is None
    assert custom.topic("quote of the day") is None
    assert custom.topic("订单 4711") == "order"
    # what `log` writes still says its topic
    assert custom.topic("2026-11-20 phone order") == "order"
