"""`draft` and `sent` end to end, through the CLI, on small workspaces in tmp dirs."""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import subprocess
from email import policy
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import Invoke
from helpers import assert_error, build_tree, read_tree, record_calls

from folder_kit.terms import DRAFT_TOPICS

CONFIG = """\
lang: zh
me:
  name: Li Lei
  title: Sales Manager
  company: Suzhou Example Co., Ltd.
  email: lilei@example.cn
  phone: "+86 512 0000 0000"
exhibitions:
  - {name: Canton Fair, city: Guangzhou, start: 2027-04-15, end: 2027-04-19, booth: "12.1 D05"}
"""
FULL_CARD = """\
Company: ACME GmbH
Country: DE
Name: Anna Schmidt
Title: Head of Purchasing
Email: anna.schmidt@acme.example
Language: en
---
Name: Jonas Weber
Email: j.weber@acme.example
"""
CHINESE_CARD = (
    "公司: 上海恒瑞进出口有限公司\n国家: 中国\n联系人: 王坤\n邮箱: wangkun@hengrui.example\n"
)
PRICE_LIST = "2026-11-10 价格表 Price List 2027.xlsx"
TODAY = "2026-12-01"


@pytest.fixture
def ws(workspace: Path) -> Path:
    (workspace / "folder-kit.yaml").write_text(CONFIG, encoding="utf-8")
    build_tree(
        workspace,
        {
            "产品/价格信息": {PRICE_LIST: b"PK\x03\x04 price list"},
            "产品/认证证书": {"CE 证书 2026-11-20.pdf": b"%PDF-1.4 cert"},
            "产品/公司介绍": {"Company Profile 2025-01-01.pdf": b"%PDF-1.4 profile"},
            "客户/B-在谈客户/ACME GmbH": {
                "Contact.txt": FULL_CARD,
                "OUT": {"2026-11-01 Quotation QT-1.eml": quoted_mail()},
                "IN": None,
            },
            "客户/B-在谈客户/Bare Co": {
                "Contact.txt": "Company: Bare Co\n",
                "OUT": {"2026-11-20 电话.txt": "", "2026-11-03 Samples.eml": quoted_mail()},
            },
            "客户/A-交易客户/上海恒瑞": {
                "Contact.txt": CHINESE_CARD.encode("gb18030"),
                "OUT": {"2026-11-02 报价单.txt": "报价"},
            },
            "客户/待开发客户/Newco": {
                "Contact.txt": "Company: Newco Ltd\nName: Sam Lee\n"
                "Email: sam@newco.example\nCountry: US\n"
            },
        },
    )
    return workspace


def quoted_mail() -> bytes:
    return (
        b"From: lilei@example.cn\r\nTo: anna.schmidt@acme.example\r\n"
        b"Subject: Quotation QT-1\r\nDate: Sun, 01 Nov 2026 10:00:00 +0800\r\n\r\nHello\r\n"
    )


def their_mail() -> bytes:
    return (
        b"From: anna.schmidt@acme.example\r\nTo: lilei@example.cn\r\n"
        b"Subject: AW: Re: [Einkauf] Quotation QT-1\r\n"
        b"Date: Thu, 05 Nov 2026 10:00:00 +0100\r\n\r\nThanks\r\n"
    )


def draft(invoke: Invoke, ws: Path, *args: str) -> dict[str, object]:
    """`draft ARGS --json`, judged on TODAY unless ARGS name another day."""
    today = () if "--today" in args else ("--today", TODAY)
    result = invoke("-w", str(ws), "draft", *args, *today, "--json")
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exc_info)
    out: dict[str, object] = json.loads(result.stdout)
    return out


def parse(ws: Path, out: dict[str, object]) -> email.message.EmailMessage:
    data = (ws / str(out["path"])).read_bytes()
    msg = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


@pytest.mark.parametrize("topic", DRAFT_TOPICS)
def test_every_topic_renders_for_a_full_card_with_no_warnings(
    invoke: Invoke, ws: Path, topic: str
) -> None:
    if topic == "reply":  # something of theirs to answer
        build_tree(ws, {"客户/B-在谈客户/ACME GmbH/IN": {"2026-11-05 Re QT-1.eml": their_mail()}})
    out = draft(invoke, ws, "ACME", "--topic", topic, "--today", "2026-12-15")
    assert out["topic"] == topic
    assert out["warnings"] == [], out
    msg = parse(ws, out)
    body = msg.get_body().get_content()  # type: ignore[union-attr]
    assert body.startswith("Dear Anna Schmidt,")
    assert "Li Lei | Sales Manager" in body
    assert str(msg["Subject"]) == out["subject"]
    assert msg["To"] == "Anna Schmidt <anna.schmidt@acme.example>"
    assert msg["From"] == "Li Lei <lilei@example.cn>"


@pytest.mark.parametrize("topic", DRAFT_TOPICS)
def test_every_topic_renders_for_a_company_only_card_with_warnings(
    invoke: Invoke, ws: Path, topic: str
) -> None:
    if topic == "reply":
        build_tree(ws, {"客户/B-在谈客户/Bare Co/IN": {"2026-11-05 Re Samples.eml": their_mail()}})
    result = invoke(
        "-w", str(ws), "draft", "Bare Co", "--topic", topic, "--today", "2026-12-15", "--json"
    )
    assert result.exit_code == 0, (result.stdout, result.stderr)
    out = json.loads(result.stdout)
    assert (
        "the salutation has no name: Contact.txt names no contact (add a `Name:` line)"
        in out["warnings"]
    )
    assert "Contact.txt of Bare Co has no email: the draft has no To" in out["warnings"]
    # No name: the company serves better than "Dear Sir or Madam".
    assert parse(ws, out).get_body().get_content().startswith("Dear colleagues at Bare Co,")  # type: ignore[union-attr]


def test_the_eml_parses_back_with_its_headers_body_and_attachment(invoke: Invoke, ws: Path) -> None:
    out = draft(invoke, ws, "ACME")
    assert out["topic"] == "price-update"
    assert out["path"] == "客户/B-在谈客户/ACME GmbH/草稿/2026-12-01 price-update.eml"
    assert out["attachments"] == [f"产品/价格信息/{PRICE_LIST}"]
    assert "a new price list, 2026-11-10 价格表 Price List 2027.xlsx (2026-11-10)" in str(
        out["reason"]
    )
    raw = (ws / str(out["path"])).read_bytes()
    msg = parse(ws, out)
    assert msg["X-Unsent"] == "1"
    assert msg["X-Uniform-Type-Identifier"] == "com.apple.mail-draft"
    assert msg["Message-ID"] and msg["Date"]
    assert str(msg["Subject"]) == "New price list for ACME, 10 November 2026"
    (part,) = list(msg.iter_attachments())
    assert part.get_filename() == PRICE_LIST
    assert part.get_content_type() == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert part.get_content() == b"PK\x03\x04 price list"
    # CRLF everywhere, and nothing but ASCII in the raw bytes (RFC 2047 / base64 / QP).
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert raw.isascii()
    # The name both ways: RFC 2047 in Content-Type (Outlook, QQ Mail), RFC 2231 in
    # Content-Disposition (the standard).
    unfolded = re.sub(rb"\r\n[ \t]+", b" ", raw)
    assert b'name="=?utf-8?b?' in unfolded
    assert (
        b"filename*=utf-8''2026-11-10%20%E4%BB%B7%E6%A0%BC%E8%A1%A8%20Price%20List%202027.xlsx"
        in unfolded
    )
    encoded_word = re.search(rb'; name="(=\?utf-8\?b\?[^"]+\?=)"', unfolded)
    assert encoded_word is not None
    assert str(email.header.make_header(email.header.decode_header(encoded_word[1].decode()))) == (
        PRICE_LIST
    )


@pytest.mark.skipif(shutil.which("mshow") is None, reason="mblaze's mshow is not installed")
def test_an_independent_reader_lists_the_attachment(invoke: Invoke, ws: Path) -> None:
    out = draft(invoke, ws, "ACME")
    listing = subprocess.run(
        ["mshow", "-t", str(ws / str(out["path"]))],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert f'name="{PRICE_LIST}"' in listing
    assert "text/plain" in listing


def test_a_chinese_contact_gets_a_chinese_mail(invoke: Invoke, ws: Path) -> None:
    out = draft(invoke, ws, "上海恒瑞")
    assert out["topic"] == "price-update"
    assert out["warnings"] == [], out
    assert out["subject"] == "新价格表（2026年11月10日）- Suzhou Example Co., Ltd."
    raw = (ws / str(out["path"])).read_bytes()
    assert b"Content-Transfer-Encoding: base64" in raw.split(b"\r\n\r\n--")[1]
    body = parse(ws, out).get_body().get_content()  # type: ignore[union-attr]
    assert body.startswith("王坤，您好！")
    assert "顺祝商祺！" in body


def test_another_contact_and_the_human_output(invoke: Invoke, ws: Path) -> None:
    result = invoke("-w", str(ws), "draft", "ACME", "--contact", "2", "--today", TODAY)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:4] == [
        "Wrote 客户/B-在谈客户/ACME GmbH/草稿/2026-12-01 price-update.eml",
        "  Topic:   price-update (a new price list, 2026-11-10 价格表 Price List 2027.xlsx "
        "(2026-11-10), since the last follow-up on 2026-11-01)",
        "  To:      Jonas Weber <j.weber@acme.example>",
        "  Subject: New price list for ACME, 10 November 2026",
    ]
    assert "\n\nDear Jonas Weber,\n\n" in result.stdout
    assert result.stdout.rstrip().endswith(
        "Suzhou Example Co., Ltd.\nlilei@example.cn | +86 512 0000 0000"
    )
    bad = invoke("-w", str(ws), "draft", "ACME", "--contact", "nobody")
    assert_error(
        bad,
        "Error: --contact 'nobody' names no one contact in Contact.txt "
        "(1: Anna Schmidt; 2: Jonas Weber)",
    )


def test_a_prospect_gets_the_first_letter(invoke: Invoke, ws: Path) -> None:
    out = draft(invoke, ws, "Newco")
    assert out["topic"] == "first-contact"
    assert out["warnings"] == []
    assert out["attachments"] == ["产品/公司介绍/Company Profile 2025-01-01.pdf"]


def test_drafts_never_overwrite_and_never_count(invoke: Invoke, ws: Path) -> None:
    first = draft(invoke, ws, "ACME")
    assert first["waiting"] is False
    same = draft(invoke, ws, "ACME", "--again", "--topic", "price-update")
    assert same["path"] == "客户/B-在谈客户/ACME GmbH/草稿/2026-12-01 price-update (2).eml"
    assert (ws / str(first["path"])).is_file()
    timeline = invoke("-w", str(ws), "timeline", "ACME", "--json")
    assert sorted(e["kind"] for e in json.loads(timeline.stdout)) == ["out"]  # drafts: none


def test_a_waiting_draft_is_not_written_twice_and_again_writes_the_next_reason(
    invoke: Invoke, ws: Path
) -> None:
    drafts = ws / "客户/B-在谈客户/ACME GmbH/草稿"
    first = draft(invoke, ws, "ACME")
    assert first["topic"] == "price-update"
    before = read_tree(drafts)
    second = draft(invoke, ws, "ACME")
    assert read_tree(drafts) == before  # nothing written
    assert second["waiting"] is True
    assert (second["path"], second["topic"], second["subject"]) == (
        first["path"],
        "price-update",
        first["subject"],
    )
    human = invoke("-w", str(ws), "draft", "ACME", "--today", TODAY)
    assert human.stdout.splitlines()[0] == (
        f"Waiting: {first['path']}  [price-update]  {first['subject']}"
    )
    again = draft(invoke, ws, "ACME", "--again")
    assert again["waiting"] is False
    assert again["topic"] not in ("price-update", None)
    assert again["topic"] == "product-update"  # the next reason: the new certificate
    assert len(read_tree(drafts)) == 2
    # Both wait now: a third --again writes neither of their reasons.
    third = draft(invoke, ws, "ACME", "--again")
    assert third["topic"] not in ("price-update", "product-update")


def test_a_sent_or_renamed_draft_no_longer_waits(invoke: Invoke, ws: Path) -> None:
    first = draft(invoke, ws, "ACME")
    path = ws / str(first["path"])
    path.rename(path.with_name("my own words.eml"))  # the user's now
    assert draft(invoke, ws, "ACME")["waiting"] is False


def test_sent_files_the_draft_into_out_as_one_out_event(invoke: Invoke, ws: Path) -> None:
    import datetime as dt

    from folder_kit.followup.topics import en_date

    # `sent` dates the mail now: the fair opens in 30 days from the real today, within
    # the 90 days an invitation looks ahead (no holiday greeting to come first).
    today = dt.date.today()
    fair = today + dt.timedelta(days=30)
    config = CONFIG.replace("start: 2027-04-15, end: 2027-04-19", f"start: {fair}, end: {fair}")
    (ws / "folder-kit.yaml").write_text(config + "holidays:\n  greet: false\n", encoding="utf-8")
    out = draft(invoke, ws, "ACME", "--today", today.isoformat())
    assert out["topic"] == "exhibition-invite", out
    before = json.loads(invoke("-w", str(ws), "timeline", "ACME", "--json").stdout)
    result = invoke("-w", str(ws), "sent", str(ws / str(out["path"])), "--json")
    assert result.exit_code == 0, result.stderr
    filed = json.loads(result.stdout)
    assert filed["customer"] == "ACME GmbH"
    assert re.fullmatch(
        r"客户/B-在谈客户/ACME GmbH/OUT/\d{4}-\d\d-\d\d Trade fair invitation - Canton Fair, "
        rf"Guangzhou, {en_date(fair)}, booth 12\.1 D05\.eml",
        filed["path"],
    ), filed
    assert not (ws / str(out["path"])).exists()
    raw = (ws / filed["path"]).read_bytes()
    assert b"X-Unsent" not in raw and b"com.apple.mail-draft" not in raw
    assert raw.count(b"\r\nDate: ") == 1
    after = json.loads(invoke("-w", str(ws), "timeline", "ACME", "--json").stdout)
    new = [e for e in after if e not in before]
    assert [(e["kind"], e["topic"], e["medium"], e["date_source"]) for e in new] == [
        ("out", "exhibition-invite", "email", "header")
    ]
    # ...and the next draft, judged on the day it was sent, does not invite again.
    again = draft(invoke, ws, "ACME", "--today", today.isoformat())
    assert again["topic"] != "exhibition-invite", again


def test_sent_refuses_what_is_not_a_draft(invoke: Invoke, ws: Path) -> None:
    mail = ws / "客户/B-在谈客户/ACME GmbH/OUT/2026-11-01 Quotation QT-1.eml"
    assert_error(
        invoke("-w", str(ws), "sent", str(mail)),
        f"Error: {mail}: not an .eml in a customer's drafts folder (草稿/ or Drafts/)",
    )
    assert_error(invoke("-w", str(ws), "sent", "nothing.eml"), "Error: nothing.eml: no such file")
    assert mail.is_file()


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (
            "Subject: {{ ''.__class__.__mro__[1].__subclasses__() }}\n\nx\n",
            "refused by the sandbox: access to attribute '__class__' of 'str' object is unsafe.",
        ),
        ("Subject: Hello {{ nope }}\n\nx\n", "'nope' is undefined"),
        (
            "Subject: {% if %}\n\nx\n",
            "line 1: Expected an expression, got 'end of statement block'",
        ),
        ("Hello\n\nx\n", "header line 'Hello' is not `Subject: ...` or `Attach: ...`"),
    ],
)
def test_a_hostile_or_broken_template_is_one_error_and_nothing_written(
    invoke: Invoke, ws: Path, source: str, reason: str
) -> None:
    override = ws / "模板/邮件模板/price-update.j2"
    override.write_text(source, encoding="utf-8")
    before = read_tree(ws)
    result = invoke("-w", str(ws), "draft", "ACME", "--today", TODAY)
    line = assert_error(result)
    assert line.startswith(f"Error: template {override}: {reason}"), line
    assert line.endswith("; no draft was written")
    assert read_tree(ws) == before


def test_a_user_template_overrides_and_a_missing_attachment_is_a_warning(
    invoke: Invoke, ws: Path
) -> None:
    (ws / "模板/邮件模板/price-update.en.j2").write_text(
        "Subject: Our 2027 price list for {{ customer.name }}\n"
        "Attach: Company Profile 2025-01-01.pdf\nAttach: 产品/nothing here.pdf\n\n"
        "Dear {{ contact.name }},\n\nthe list is attached.\n\n{{ me.signature }}\n",
        encoding="utf-8",
    )
    out = draft(invoke, ws, "ACME")
    assert out["subject"] == "Our 2027 price list for ACME GmbH"
    assert out["attachments"] == [
        f"产品/价格信息/{PRICE_LIST}",
        "产品/公司介绍/Company Profile 2025-01-01.pdf",
    ]
    assert out["warnings"] == ["the attachment 产品/nothing here.pdf is missing"]


def test_a_missing_me_is_a_warning_naming_the_lines(invoke: Invoke, ws: Path) -> None:
    config = ws / "folder-kit.yaml"
    config.write_text("lang: zh\nme:\n", encoding="utf-8")
    out = draft(invoke, ws, "ACME")
    assert out["warnings"] == [
        "folder-kit.yaml: `me:` has no name, company, email: fill in those lines under `me:` "
        "(name, title, company, email, phone) so drafts are signed and sent from you"
    ]


def test_open_hands_the_draft_to_the_system(
    invoke: Invoke, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from folder_kit.drafts import opener

    opened: list[list[str]] = []
    monkeypatch.setattr(opener, "_spawn", lambda command: opened.append(list(command)))
    # opener's own view of the platform: patching sys.platform would be every module's
    monkeypatch.setattr(opener, "sys", SimpleNamespace(platform="linux"))
    result = invoke("-w", str(ws), "draft", "ACME", "--today", TODAY, "--open")
    assert result.exit_code == 0, result.stderr
    assert opened == [
        ["xdg-open", str(ws / "客户/B-在谈客户/ACME GmbH/草稿/2026-12-01 price-update.eml")]
    ]


def test_open_uses_each_systems_handler(tmp_path: Path) -> None:
    from folder_kit.drafts.opener import open_with_system

    calls: list[list[str]] = []
    open_with_system(tmp_path / "a.eml", platform="darwin", run=lambda c: calls.append(list(c)))
    open_with_system(tmp_path / "a.eml", platform="linux", run=lambda c: calls.append(list(c)))
    assert calls == [["open", str(tmp_path / "a.eml")], ["xdg-open", str(tmp_path / "a.eml")]]


def test_open_on_windows_asks_the_shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no `open` or `xdg-open`: the draft goes to os.startfile."""
    from folder_kit.drafts.opener import open_with_system

    started: list[Path] = []
    monkeypatch.setattr(os, "startfile", started.append, raising=False)
    spawned: list[list[str]] = []
    open_with_system(tmp_path / "a.eml", platform="win32", run=lambda c: spawned.append(list(c)))
    assert (started, spawned) == ([tmp_path / "a.eml"], [])


def test_draft_due_writes_one_draft_per_due_customer(
    invoke: Invoke, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from folder_kit.followup import products

    listed = record_calls(monkeypatch, products, "product_files", lambda ws, key: key)
    result = invoke("-w", str(ws), "draft", "--due", "--today", TODAY, "--json")
    assert sorted(listed) == sorted(products.PRODUCT_KEYS)  # once for the run, not per customer
    monkeypatch.undo()
    assert result.exit_code == 0, (result.stdout, result.stderr)
    out = json.loads(result.stdout)
    # B is due 7 days after its last contact, A 14 days; the prospect is not due. Bare
    # Co's last mail went out 28 days ago, over two cadences: no self-check of it.
    assert sorted((o["customer"], o["topic"]) for o in out) == [
        ("ACME GmbH", "price-update"),
        ("Bare Co", "company-news"),
        ("上海恒瑞", "price-update"),
    ]
    assert all((ws / o["path"]).is_file() for o in out)
    assert not any(o["waiting"] for o in out)
    before = read_tree(ws)
    # Twice in a row: the second run writes nothing, and says why.
    human = invoke("-w", str(ws), "draft", "--due", "--today", TODAY)
    assert read_tree(ws) == before
    assert human.stdout.splitlines()[-1] == (
        "0 drafts written, 3 waiting already (nothing written for them; "
        "--again writes another reason)."
    )
    assert human.stdout.splitlines()[0].startswith("Waiting: 客户/")
    again = json.loads(
        invoke("-w", str(ws), "draft", "--due", "--again", "--today", TODAY, "--json").stdout
    )
    first = {o["customer"]: o["topic"] for o in out}
    assert all(not o["waiting"] and o["topic"] != first[o["customer"]] for o in again)
    assert len(again) == 3


def test_draft_needs_a_name_or_due(invoke: Invoke, ws: Path) -> None:
    assert_error(
        invoke("-w", str(ws), "draft"),
        "Error: name one customer, or give --due for everyone due today",
    )
    assert_error(invoke("-w", str(ws), "draft", "Nobody"), "Error: no customer 'Nobody'")
    assert_error(
        invoke("-w", str(ws), "draft", "ACME", "--today", "tomorrow"),
        "Error: not a date: 'tomorrow' (expected YYYY-MM-DD)",
    )


def test_the_sample_workspace_drafts_christmas_for_a_us_buyer(
    invoke: Invoke, sample_copy: Path
) -> None:
    result = invoke("-w", str(sample_copy), "draft", "Brightway", "--today", "2026-12-15", "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["topic"] == "holiday-greeting"
    assert out["reason"].startswith("Christmas is on 25 December 2026, in 10 days (US)")
    assert out["warnings"] == []
    assert os.path.basename(out["path"]) == "2026-12-15 holiday-greeting.eml"


def test_draft_dot_inside_the_folder_and_sent_by_the_json_path(
    invoke: Invoke, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ws / "客户/B-在谈客户/ACME GmbH/OUT")
    out = draft(invoke, ws, ".")
    assert out["customer"] == "ACME GmbH"
    monkeypatch.chdir(ws.parent)
    result = invoke("-w", str(ws), "sent", str(out["path"]))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Filed 客户/B-在谈客户/ACME GmbH/OUT/")


def test_a_follow_up_too_soon_is_a_warning(invoke: Invoke, ws: Path) -> None:
    result = invoke("-w", str(ws), "draft", "ACME", "--today", "2026-11-03", "--json")
    assert json.loads(result.stdout)["warnings"] == [
        "the last follow-up went out on 2026-11-01, 2 days ago, with no answer since: less "
        "than 50 % of the 7-day cadence; leave about 7 days between follow-ups"
    ]


@pytest.mark.parametrize(
    ("sent", "lang", "subject", "said"),
    [
        (
            {"OUT": {"2026-11-10 product update catalogue.txt": "the catalogue"}},
            "en",
            "Supplement to the document I sent on 10 November 2026: product update catalogue",
            "Reading the document I sent you on 10 November 2026 again,",
        ),
        (
            {"OUT": {"2026-11-10 fax order form.txt": "faxed"}},
            "en",
            "Supplement to the fax I sent on 10 November 2026: fax order form",
            "Reading the fax I sent you on 10 November 2026 again,",
        ),
        (
            {"报价": {"QT-7 2026-11-10.pdf": b"%PDF-1.4"}, "OUT": {"2026-11-12 phone.txt": ""}},
            "en",
            "Supplement to the quotation I sent on 10 November 2026: QT-7 2026-11-10",
            "Reading the quotation I sent you on 10 November 2026 again,",
        ),
        (
            {"OUT": {"2026-11-10 product update catalogue.txt": "the catalogue"}},
            "zh",
            "补充说明：2026年11月10日发给您的文件（product update catalogue）",
            "我重读了2026年11月10日发给您的文件，",
        ),
        (
            {"OUT": {"2026-11-10 Quotation QT-1.eml": quoted_mail()}},
            "zh",
            "补充说明：2026年11月1日发给您的邮件（Quotation QT-1）",
            "我重读了2026年11月1日发给您的邮件，",
        ),
    ],
    ids=["document", "fax", "quotation-not-the-later-call", "document-zh", "mail-zh"],
)
def test_a_self_check_completes_what_was_last_sent_in_writing_and_names_it(
    invoke: Invoke,
    ws: Path,
    sent: dict[str, object],
    lang: str,
    subject: str,
    said: str,
) -> None:
    """With only a document sent, it said "nothing was sent to this customer yet";
    and the draft called whatever it completed "my mail"."""
    card = "Company: Catalogue Co\nName: Ann Lee\nEmail: ann@catalogue.example\n"
    card += "Country: CN\n" if lang == "zh" else "Country: DE\n"
    build_tree(ws / "客户/B-在谈客户/Catalogue Co", {"Contact.txt": card, **sent})  # type: ignore[dict-item]
    out = draft(invoke, ws, "Catalogue Co", "--topic", "self-check")
    assert out["subject"] == subject
    assert said in parse(ws, out).get_body().get_content()  # type: ignore[union-attr]
    assert out["warnings"] == []


def test_a_self_check_has_nothing_to_complete_after_a_call_or_a_visit(
    invoke: Invoke, ws: Path
) -> None:
    build_tree(
        ws / "客户/B-在谈客户/Talk Co",
        {
            "Contact.txt": "Company: Talk Co\nEmail: a@talk.example\n",
            "OUT": {
                "2026-11-10 phone.txt": "",
                "2026-11-12 visit.txt": "",
                "2026-11-14 微信.txt": "",
            },
        },
    )
    result = invoke("-w", str(ws), "draft", "Talk Co", "--topic", "self-check", "--today", TODAY)
    assert_error(
        result,
        "Error: cannot write a self-check draft: nothing was sent to this customer in "
        "writing yet (a mail, a fax, a document, a quotation or a PI)",
    )


def test_open_without_an_opener_says_the_draft_is_written(tmp_path: Path) -> None:
    from folder_kit.drafts.opener import open_with_system
    from folder_kit.errors import UsageError

    def missing(command: object) -> object:
        raise FileNotFoundError(2, "No such file or directory", "xdg-open")

    draft = tmp_path / "2026-12-06 self-check.eml"
    with pytest.raises(UsageError) as info:
        open_with_system(draft, platform="linux", run=missing)
    message = str(info.value)
    assert "the draft is written" in message and "xdg-open" in message and "xdg-utils" in message


NO_EMAIL = CONFIG.replace("  email: lilei@example.cn\n", "")
ACCOUNTS = """\
mail:
  accounts:
    work:
      host: imap.exmail.qq.com
      user: LiLei@ruisen.example
    private:
      host: imap.163.com
      user: lilei_2026
      addresses: [lilei_2026@163.com]
"""


@pytest.mark.parametrize(
    ("extra", "sender"),
    [
        ("mail:\n  accounts:\n    work: {host: imap.exmail.qq.com, user: LiLei@ruisen.example}\n",
         "lilei@ruisen.example"),
        (ACCOUNTS + "  drafts_account: private\n", "lilei_2026@163.com"),
        (ACCOUNTS, None),  # two accounts, neither named for drafts: no From
    ],
    ids=["the-only-account", "the-drafts-account", "several"],
)  # fmt: skip
def test_without_me_email_drafts_are_from_the_account_they_go_to(
    invoke: Invoke, ws: Path, extra: str, sender: str | None
) -> None:
    (ws / "folder-kit.yaml").write_text(NO_EMAIL + extra, encoding="utf-8")
    out = draft(invoke, ws, "ACME", "--topic", "price-update", "--today", TODAY)
    msg = parse(ws, out)
    body = msg.get_body().get_content()  # type: ignore[union-attr]
    no_email = [w for w in out["warnings"] if "`me:` has no email" in w]  # type: ignore[attr-defined]
    if sender is None:
        assert "@" not in str(msg["From"] or "") and no_email
    else:
        assert msg["From"] == f"Li Lei <{sender}>" and not no_email
        assert sender in body  # the signature's line


def test_pushed_to_an_account_a_draft_is_from_it(ws: Path) -> None:
    """With several accounts, `draft --push --account` says which the draft is from
    (the library's call: pushing needs a server, tested in test_draft_push)."""
    import datetime as dt

    from folder_kit.drafts.draft import write_draft
    from folder_kit.workspace.find import open_workspace

    (ws / "folder-kit.yaml").write_text(NO_EMAIL + ACCOUNTS, encoding="utf-8")
    workspace = open_workspace(ws)
    private = workspace.config.mail.account("private")
    result = write_draft(workspace, "ACME", today=dt.date(2026, 12, 1), account=private)
    data = (ws / result.path).read_bytes()
    assert b"From: Li Lei <lilei_2026@163.com>\r\n" in data
    (ws / "folder-kit.yaml").write_text(CONFIG + ACCOUNTS, encoding="utf-8")
    result = write_draft(open_workspace(ws), "ACME", today=dt.date(2026, 12, 1), again=True,
                         account=private)  # fmt: skip
    assert b"From: Li Lei <lilei@example.cn>\r\n" in (ws / result.path).read_bytes()
