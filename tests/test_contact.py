"""Contact.txt: Chinese or English keys, several contacts, the encodings of Chinese Windows."""

from __future__ import annotations

from pathlib import Path

import pytest

from folder_kit.workspace.contact import (
    KEYS,
    Address,
    Card,
    Contact,
    card_addresses,
    mail_address,
    parse_card,
    read_card,
    render_card,
)

ZH_CARD = """\
公司: 上海某某贸易有限公司
国家: DE
联系人: 王伟
职位: 采购经理
邮箱: wang@example.de
电话: +49 30 1234567
语言: de
来源: 广交会 2026
备注: 喜欢先看样品
"""

ZH_CONTACT = Contact(
    company="上海某某贸易有限公司",
    country="DE",
    name="王伟",
    title="采购经理",
    email="wang@example.de",
    phone="+49 30 1234567",
    language="de",
    source="广交会 2026",
    notes="喜欢先看样品",
)


def test_parse_chinese_keys() -> None:
    card = parse_card(ZH_CARD)
    assert card.contacts == (ZH_CONTACT,)
    assert card.primary == ZH_CONTACT
    assert card.company == "上海某某贸易有限公司"


def test_parse_english_keys_any_case() -> None:
    card = parse_card(
        "Company: ACME GmbH\ncountry: Germany\nNAME: Hans Müller\nTitle: Buyer\n"
        "E-mail: hans@acme.de\nTel: +49 89 000\nLanguage: de\nSource: website\nNotes: call before noon\n"
    )
    assert card.contacts == (
        Contact(
            company="ACME GmbH",
            country="Germany",
            name="Hans Müller",
            title="Buyer",
            email="hans@acme.de",
            phone="+49 89 000",
            language="de",
            source="website",
            notes="call before noon",
        ),
    )


def test_full_width_colon_and_spaces() -> None:
    card = parse_card("公司：上海某某贸易\n联系人 ： 李娜\n邮箱：li@example.cn\n")
    assert card.primary == Contact(company="上海某某贸易", name="李娜", email="li@example.cn")


def test_value_keeps_later_colons() -> None:
    card = parse_card("Company: ACME\nNotes: call at 10:30, see http://acme.example\n")
    assert card.primary.notes == "call at 10:30, see http://acme.example"


def test_two_contacts_the_first_is_primary() -> None:
    card = parse_card(
        "公司: ACME GmbH\n联系人: Hans\n邮箱: hans@acme.de\n---\n联系人: Petra\n邮箱: petra@acme.de\n"
    )
    assert card.contacts == (
        Contact(company="ACME GmbH", name="Hans", email="hans@acme.de"),
        Contact(name="Petra", email="petra@acme.de"),
    )
    assert card.primary.name == "Hans"
    assert card.company == "ACME GmbH"


def test_company_comes_from_the_first_contact_that_names_one() -> None:
    card = parse_card("Name: Hans\n---\nCompany: ACME GmbH\nName: Petra\n")
    assert card.primary.name == "Hans"
    assert card.company == "ACME GmbH"


def test_unknown_keys_are_kept() -> None:
    card = parse_card("Company: ACME\nWhatsApp: +49 170 000\n微信: acme_buyer\n")
    assert card.primary.company == "ACME"
    assert dict(card.primary.extra) == {"WhatsApp": "+49 170 000", "微信": "acme_buyer"}


def test_continuation_lines_extend_the_previous_value() -> None:
    card = parse_card(
        "Company: ACME\nNotes: first line\n  second line\nthird line\nSkype: acme.buyer\n  (evenings)\n"
    )
    assert card.primary.notes == "first line\nsecond line\nthird line"
    assert dict(card.primary.extra) == {"Skype": "acme.buyer\n(evenings)"}


@pytest.mark.parametrize("key", ["Name", "联系人", "Email", "Company", "Title", "Phone", "Country"])
def test_a_line_without_a_key_under_a_one_line_field_belongs_to_no_field(key: str) -> None:
    """`Purchasing Manager` typed under `Name:` is not part of the name: a name or
    an address with a line break would end a mail's headers."""
    card = parse_card(f"{key}: first\nPurchasing Manager\n  +49 30 1234\nNotes: n\n")
    value = getattr(card.primary, KEY_FIELDS[key])
    assert value == "first"
    assert card.primary.loose == ("Purchasing Manager", "+49 30 1234")
    assert card.primary.notes == "n"


KEY_FIELDS = {
    "Name": "name",
    "联系人": "name",
    "Email": "email",
    "Company": "company",
    "Title": "title",
    "Phone": "phone",
    "Country": "country",
}


def test_a_line_without_a_key_before_any_key_is_kept_loose() -> None:
    card = parse_card("ACME GmbH\nName: Hans\n---\nSecond Co\nName: Petra\n")
    assert [(c.name, c.loose) for c in card.contacts] == [
        ("Hans", ("ACME GmbH",)),
        ("Petra", ("Second Co",)),
    ]


def test_no_field_value_holds_a_line_break_but_notes_and_unknown_keys() -> None:
    card = parse_card("Name: Bob\nSmith\nEmail: b@x.example\nx@y.example\nNotes: a\nb\n")
    one_line = [getattr(card.primary, f) for f in KEYS if f != "notes"]
    assert not any("\n" in v for v in one_line)
    assert card.primary.notes == "a\nb"


def test_blank_lines_comments_and_crlf_are_ignored() -> None:
    card = parse_card("# 客户资料\r\n\r\n公司: ACME\r\n\r\n# 旧的\r\n邮箱: a@acme.de\r\n")
    assert card.contacts == (Contact(company="ACME", email="a@acme.de"),)


def test_empty_text_is_an_empty_card() -> None:
    card = parse_card("")
    assert card.contacts == ()
    assert card.primary == Contact()
    assert card.company == ""


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "Contact.txt"
    path.write_bytes(data)
    return path


def test_read_utf8(tmp_path: Path) -> None:
    card = read_card(write(tmp_path, ZH_CARD.encode("utf-8")))
    assert card.contacts == (ZH_CONTACT,)
    assert card.encoding == "utf-8"
    assert card.warnings == ()


def test_read_utf8_with_bom(tmp_path: Path) -> None:
    card = read_card(write(tmp_path, b"\xef\xbb\xbf" + ZH_CARD.encode("utf-8")))
    assert card.contacts == (ZH_CONTACT,)
    assert card.primary.company == "上海某某贸易有限公司"  # no BOM glued to the first key
    assert card.encoding == "utf-8-sig"
    assert card.warnings == ()


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_read_gb18030(tmp_path: Path, encoding: str) -> None:
    card = read_card(write(tmp_path, ZH_CARD.replace("\n", "\r\n").encode(encoding)))
    assert card.contacts == (ZH_CONTACT,)
    assert card.encoding == "gb18030"
    assert card.warnings == ()


@pytest.mark.parametrize(
    "text",
    [
        "联系人: 王伟\n",
        "公司: 宁波海讯\n",
        "备注: 喜欢先看样品\n",
        "姓名: 曦璐\n",
        "国家: 中国\n",
        "来源: 广交会\n",
        "公司: 深圳市华强电子有限公司\n联系人：李娜\n",
    ],
)
@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_short_gbk_cards_still_read_as_gb18030(tmp_path: Path, text: str, encoding: str) -> None:
    card = read_card(write(tmp_path, text.encode(encoding)))
    assert card.contacts == parse_card(text).contacts and card.encoding == "gb18030"


BIG5_CARD = """\
公司: 台灣照明股份有限公司
國家: TW
Name: 陳志明
職位: 採購經理
電話: +886 2 2345 6789
Email: chen@example.tw
備註: 喜歡先看樣品，週一下午來電
"""
SHIFT_JIS_CARD = """\
会社名: 株式会社山田製作所
国: JP
Name: 山田太郎
役職: 購買部長
電話: 03-1234-5678
Email: yamada@example.jp
備考: サンプルを先に送ること
"""


@pytest.mark.parametrize(
    ("text", "codec", "encoding"),
    [
        (BIG5_CARD, "big5", "cp950"),
        ("公司: 鴻海精密工業股份有限公司\n電話: 02-1234\n", "big5", "cp950"),
        ("公司: 寶成\n", "big5", "cp950"),
        (SHIFT_JIS_CARD, "shift_jis", "cp932"),
        ("会社名: ソニー株式会社\n担当者: 鈴木\n", "shift_jis", "cp932"),
        ("会社名: ㈱山田\n", "cp932", "cp932"),  # ㈱: Windows' Shift-JIS, not JIS's
    ],
)
def test_big5_and_shift_jis_cards_are_not_read_as_gb18030(
    tmp_path: Path, text: str, codec: str, encoding: str
) -> None:
    """GB18030 decodes these bytes without an error, into mojibake (芖酚Τそ)."""
    card = read_card(write(tmp_path, text.replace("\n", "\r\n").encode(codec)))
    assert card.contacts == parse_card(text).contacts and card.encoding == encoding


def test_a_big5_card_gives_its_people_and_numbers(tmp_path: Path) -> None:
    card = read_card(write(tmp_path, BIG5_CARD.encode("big5")))
    assert (card.primary.name, card.primary.email) == ("陳志明", "chen@example.tw")
    assert card.primary.extra["電話"] == "+886 2 2345 6789"


def test_lines_of_utf8_and_big5_are_each_read_in_their_own(tmp_path: Path) -> None:
    data = "Name: 陳志明\n".encode("big5") + "Notes: 喜歡先看樣品\n".encode()
    card = read_card(write(tmp_path, data))
    assert (card.primary.name, card.primary.notes, card.encoding) == (
        "陳志明",
        "喜歡先看樣品",
        "mixed",
    )


def test_a_card_whose_encoding_is_a_guess_says_so(tmp_path: Path) -> None:
    """Windows-1252 (a European colleague's Notepad) is none of the encodings
    folder-kit reads: GB18030 takes the bytes, and the card says it may be wrong."""
    path = write(tmp_path, "Company: Müller & Söhne GmbH\nName: Hans\n".encode("cp1252"))
    card = read_card(path)
    assert card.primary.name == "Hans"
    assert card.warnings == (
        f"{path}: its encoding is a guess: read as GB18030, but few of its characters are "
        "common ones in GB18030, Big5 or Shift-JIS; if its text looks wrong, save it "
        "as UTF-8",
    )


@pytest.mark.parametrize(
    ("data", "value"),
    [
        ("Title: 采购经理\n".encode("gbk"), "采购经理"),
        # Big5's 採購 is GBK's 蹦潦, common characters in both: no telling them apart.
        ("Title: 採購\n".encode("big5"), "蹦潦"),
    ],
)
def test_a_card_that_reads_as_well_in_two_encodings_says_so(
    tmp_path: Path, data: bytes, value: str
) -> None:
    """GB18030 is kept, as before, and the card says it might be the other."""
    path = write(tmp_path, data)
    card = read_card(path)
    assert (card.primary.title, card.encoding) == (value, "gb18030")
    assert card.warnings == (
        f"{path}: its encoding is a guess: read as GB18030, but it reads as well as Big5; "
        "if its text looks wrong, save it as UTF-8",
    )


@pytest.mark.parametrize("name", ["李雷", "王伟", "北京", "韩梅梅", "陈志明"])
def test_a_short_gbk_card_is_no_guess(tmp_path: Path, name: str) -> None:
    card = read_card(write(tmp_path, f"Name: {name}\n".encode("gbk")))
    assert (card.primary.name, card.encoding, card.warnings) == (name, "gb18030", ())


@pytest.mark.parametrize("name", ["高雄", "王明", "張偉", "陳志明"])
def test_a_short_big5_card_is_no_guess(tmp_path: Path, name: str) -> None:
    card = read_card(write(tmp_path, f"Name: {name}\n".encode("big5")))
    assert (card.primary.name, card.encoding, card.warnings) == (name, "cp950", ())


def test_read_utf16_with_bom(tmp_path: Path) -> None:
    card = read_card(write(tmp_path, ZH_CARD.encode("utf-16")))
    assert card.contacts == (ZH_CONTACT,)


@pytest.mark.parametrize("data", [b"Company: ACME\n\x80\xff\x81 ", b"\xfe\xff\x00"])
def test_undecodable_bytes_give_a_warning_not_a_crash(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data)
    card = read_card(path)
    assert card.contacts == ()
    assert card.warnings == (
        f"{path}: not UTF-8, GB18030, Big5 or Shift-JIS text; contact details ignored",
    )


def test_unreadable_file_gives_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "Contact.txt"
    card = read_card(path)
    assert card.contacts == ()
    assert len(card.warnings) == 1
    assert card.warnings[0].startswith(f"{path}: cannot read: ")


TWO = [
    Contact(
        company="Müller & Söhne GmbH",
        country="DE",
        name="Hans Müller",
        title="Einkauf",
        email="hans@mueller.de",
        phone="+49 89 000",
        language="de",
        source="website",
        notes="first line\nsecond line",
        extra={"WhatsApp": "+49 170 000"},
    ),
    Contact(name="Petra Schmidt", email="petra@mueller.de", loose=("Purchasing Manager",)),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_render_round_trips_through_parse(lang: str) -> None:
    text = render_card(TWO, lang=lang)
    assert parse_card(text) == Card(contacts=tuple(TWO))


def test_render_uses_the_workspace_language() -> None:
    contact = Contact(company="上海某某贸易", country="CN", name="李娜", email="li@example.cn")
    assert render_card([contact], lang="zh") == (
        "公司: 上海某某贸易\n国家: CN\n联系人: 李娜\n职位: \n邮箱: li@example.cn\n"
        "电话: \n语言: \n来源: \n备注: \n"
    )
    assert render_card([contact], lang="en") == (
        "Company: 上海某某贸易\nCountry: CN\nName: 李娜\nTitle: \nEmail: li@example.cn\n"
        "Phone: \nLanguage: \nSource: \nNotes: \n"
    )


# --- the address in an Email field ------------------------------------------------


@pytest.mark.parametrize(
    ("value", "addr", "name"),
    [
        ("anna@acme.example", "anna@acme.example", ""),
        ("  anna@acme.example  ", "anna@acme.example", ""),
        ("<anna@acme.example>", "anna@acme.example", ""),
        ("Anna Schmidt <anna@acme.example>", "anna@acme.example", "Anna Schmidt"),
        ('"Schmidt, Anna" <anna@acme.example>', "anna@acme.example", "Schmidt, Anna"),
        # What a Chinese input method types: full-width ＠ and letters, 。 for the dot.
        ("wang＠example.cn", "wang@example.cn", ""),
        ("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ", "wang@example.cn", ""),
        ("wang@example。cn", "wang@example.cn", ""),
        ("\u3000wang@example.cn\u3000", "wang@example.cn", ""),
        # An international domain goes into a header in its ASCII (IDNA) form.
        ("sales@例子.中国", "sales@xn--fsqu00a.xn--fiqs8s", ""),
        ("info@müller.de", "info@xn--mller-kva.de", ""),
        ("sales＠例子。中国", "sales@xn--fsqu00a.xn--fiqs8s", ""),
    ],
)
def test_an_email_field_gives_one_ascii_address(value: str, addr: str, name: str) -> None:
    got = mail_address(value)
    assert (got.addr, got.name, got.problem) == (addr, name, "")


def test_an_international_domain_is_kept_readable_for_the_card() -> None:
    assert mail_address("sales＠例子.中国").typed == "sales@例子.中国"


def test_an_empty_field_is_no_address_and_no_problem() -> None:
    assert mail_address("  ") == Address()


@pytest.mark.parametrize(
    ("value", "addr", "problem"),
    [
        ("a@b.example, c@d.example", "a@b.example", "holds 2 addresses"),
        ("a@b.example; c@d.example", "", "is not one mail address"),
        ("a@b.example>, Evil <c@d.example", "", "is not one mail address"),
        ("Bob <bob@x.example", "", "is not one mail address"),
        ("anna", "", "is not one mail address"),
        ("a@@b.example", "", "is not one mail address"),
        ("张伟@example.cn", "", "SMTPUTF8"),
        ("sales@" + "例" * 64 + ".中国", "", "cannot be written in ASCII"),
    ],
)
def test_what_is_not_exactly_one_address_says_so(value: str, addr: str, problem: str) -> None:
    got = mail_address(value)
    assert got.addr == addr
    assert problem in got.problem


# --- the addresses a card holds ----------------------------------------------------


def test_every_address_of_every_contact_under_any_key() -> None:
    card = parse_card(
        "公司: ACME\n"
        "Email: Li.Wei@ACME.com; sales@acme.com.\n"
        "备注: cc boss@acme.de, see www.acme.com\n"
        "---\n"
        "联系人: 张三\n"
        "邮箱：张三zhang@acme.co.uk\n"
        "WeChat: foo\n"
        "Other: mail me at Y_Z+tag@example.org!\n"
        "---\n"
        "Email: SALES@acme.com\n"
    )
    assert card_addresses(card) == (
        "li.wei@acme.com",
        "sales@acme.com",
        "boss@acme.de",
        "zhang@acme.co.uk",
        "y_z+tag@example.org",
    )


@pytest.mark.parametrize("text", ["", "公司: ACME\n", "Email: not an address\n", "Email: a@b\n"])
def test_no_address(text: str) -> None:
    assert card_addresses(parse_card(text)) == ()
