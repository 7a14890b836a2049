"""Contact.txt: Chinese or English keys, several contacts, the encodings of Chinese Windows."""

from __future__ import annotations

from pathlib import Path

import pytest

from folder_kit.workspace.contact import (
    Card,
    Contact,
    card_addresses,
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


def test_read_utf16_with_bom(tmp_path: Path) -> None:
    card = read_card(write(tmp_path, ZH_CARD.encode("utf-16")))
    assert card.contacts == (ZH_CONTACT,)


@pytest.mark.parametrize("data", [b"Company: ACME\n\x80\xff\x81 ", b"\xfe\xff\x00"])
def test_undecodable_bytes_give_a_warning_not_a_crash(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data)
    card = read_card(path)
    assert card.contacts == ()
    assert card.warnings == (f"{path}: not UTF-8 or GB18030 text; contact details ignored",)


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
    Contact(name="Petra Schmidt", email="petra@mueller.de"),
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
