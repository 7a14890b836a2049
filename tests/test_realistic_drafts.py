"""Drafts a salesperson would send, on a tree of real-looking mail (``realistic_mail``):
clean subjects, greetings from the card, reasons that fit the moment, one waiting
draft per customer; and the pure pieces they rest on, by table."""

from __future__ import annotations

import email
import json
import re
from email import policy
from pathlib import Path

import pytest
from conftest import Invoke
from helpers import build_tree, read_tree
from realistic_mail import TODAY, realistic_tree

from folder_kit.drafts.check import Expected, check_draft
from folder_kit.drafts.render import tidy
from folder_kit.drafts.salutation import display_name, salutation
from folder_kit.subjects import clean_subject, short_subject

PREFIX = re.compile(r"^\s*(re|aw|wg|sv|vs|fw|fwd|r|rif|tr|答复|回复|转发)\s*[:：]|^\s*\[", re.I)


@pytest.fixture
def mailbox(workspace: Path) -> Path:
    build_tree(workspace, realistic_tree())
    return workspace


def run(invoke: Invoke, ws: Path, *args: str) -> object:
    result = invoke("-w", str(ws), "draft", *args, "--today", TODAY, "--json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def body_of(ws: Path, out: dict[str, object]) -> str:
    msg = email.message_from_bytes((ws / str(out["path"])).read_bytes(), policy=policy.default)
    return msg.get_body().get_content().replace("\r\n", "\n")  # type: ignore[union-attr]


def assert_reads_as_mail(body: str) -> None:
    """One line a paragraph (a list after a colon aside), up to the closing."""
    text = re.split(r"\n(?:Best regards,|Warm regards,|顺祝商祺！|祝假期愉快！)\n", body)[0]
    for paragraph in text.strip().split("\n\n"):
        lines = paragraph.split("\n")
        assert len(lines) == 1 or (
            lines[0].endswith((":", "：")) and all(x.startswith("- ") for x in lines[1:])
        ), paragraph
    assert not re.search(r"[^\W\d_]\.\.(?!\.)", body), body


def test_the_due_drafts_of_a_real_mailbox_are_clean_and_fit_the_moment(
    invoke: Invoke, mailbox: Path
) -> None:
    out = run(invoke, mailbox, "--due")
    assert isinstance(out, list)
    by = {o["customer"]: o for o in out}
    # Nothing is wrong in this mailbox: no warning at all.
    assert {c: o["warnings"] for c, o in by.items() if o["warnings"]} == {}
    for o in out:
        assert not PREFIX.search(o["subject"]), o["subject"]
        assert len(o["subject"]) <= 100, o["subject"]
        assert_reads_as_mail(body_of(mailbox, o))
    ettus = by["Ettus Research"]
    assert ettus["topic"] == "self-check"
    assert ettus["subject"] == (
        "Supplement to the mail I sent on 20 April 2025: How to use External LO on N310 device?"
    )
    assert ettus["to"] == "Matthias Mehlhose <matthias.mehlhose@ettus.example>"
    assert body_of(mailbox, ettus).startswith("Dear Matthias Mehlhose,\n")
    # The buyer's own bracket stays in the subject, and is no "placeholder left".
    assert "[PRJ-2291]" in by["Rossi Elettronica Srl"]["subject"]
    # Silent since 2021: a revival with something new, never a self-check of 2021.
    penn = by["Penn State University"]
    assert penn["topic"] == "price-update"
    assert penn["reason"].startswith("no contact since 2021-12-09 (1238 days): a revival")
    penn_body = body_of(mailbox, penn)
    assert penn_body.startswith("Dear Prof. Kim,\n\nIt has been a while since we were last")
    assert "in December 2021" in penn_body and "Reading the mail" not in penn_body
    nordic = by["Nordic Radio AB"]
    assert nordic["topic"] != "self-check" and "a revival" in nordic["reason"]
    assert body_of(mailbox, nordic).startswith("Dear Erik Lindqvist,\n\nIt has been a while")
    assert by["北京华讯科技有限公司"]["subject"].startswith("新价格表")
    assert body_of(mailbox, by["北京华讯科技有限公司"]).startswith("王伟，您好！")


def test_a_prospect_who_wrote_first_gets_a_reply_not_a_cold_letter(
    invoke: Invoke, mailbox: Path
) -> None:
    out = run(invoke, mailbox, "Science Radio")
    assert isinstance(out, dict)
    assert out["topic"] == "reply"
    assert out["subject"] == "Re: Inquiry: 10 MHz reference distribution amplifiers"
    assert out["warnings"] == []
    body = body_of(mailbox, out)
    assert body.startswith("Dear Rob Kossler,\n\nThank you for your mail of 1 April 2025")
    assert "Inc.." not in body
    assert_reads_as_mail(body)
    cold = run(invoke, mailbox, "Baltic")
    assert isinstance(cold, dict)
    assert (cold["topic"], cold["warnings"]) == ("first-contact", [])
    # Asked for a cold letter all the same: written, with a warning.
    forced = run(invoke, mailbox, "Science Radio", "--topic", "first-contact", "--again")
    assert isinstance(forced, dict)
    assert any("wrote to you on 2025-04-01" in w for w in forced["warnings"])


def test_a_missing_company_profile_is_said_before_the_mail_goes(
    invoke: Invoke, workspace: Path
) -> None:
    build_tree(workspace, realistic_tree(profile=False, price_list=False))
    out = run(invoke, workspace, "Science Radio")
    assert isinstance(out, dict)
    assert out["attachments"] == []
    assert out["warnings"] == [
        "产品/公司介绍/ holds no company profile: the mail goes without one and does not "
        "mention it; put your company profile there to attach it"
    ]
    assert "attached" not in body_of(workspace, out)


def test_draft_due_twice_writes_nothing_and_again_writes_the_next_reason(
    invoke: Invoke, mailbox: Path
) -> None:
    first = run(invoke, mailbox, "--due")
    assert isinstance(first, list) and first
    before = read_tree(mailbox / "客户")
    second = run(invoke, mailbox, "--due")
    assert isinstance(second, list)
    assert read_tree(mailbox / "客户") == before
    assert [(o["customer"], o["path"], o["waiting"]) for o in second] == [
        (o["customer"], o["path"], True) for o in first
    ]
    again = run(invoke, mailbox, "--due", "--again")
    assert isinstance(again, list)
    topics = {o["customer"]: o["topic"] for o in first}
    assert [o["customer"] for o in again] == list(topics)
    for o in again:
        assert not o["waiting"] and o["topic"] != topics[o["customer"]], o
        assert o["path"] not in {p["path"] for p in first}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (
            "[USRP-users] Re: 答复: Re: 答复: 答复: How to use External LO on N310 device?",
            "How to use External LO on N310 device?",
        ),
        ("RE: FW: Fwd: quotation", "quotation"),
        ("AW: WG: AW: Angebot QT-1", "Angebot QT-1"),
        ("SV: VS: Price list", "Price list"),
        ("R: Rif: offerta", "offerta"),
        ("TR: RE: devis", "devis"),
        ("回复：转发: 回复：关于防爆灯的询价", "关于防爆灯的询价"),
        ("Re[2]: Re(3): hello there", "hello there"),
        ("[X310] Re: RE: Quotation for X310", "Quotation for X310"),
        ("Re:  Offer   [PRJ-1]  lamps", "Offer [PRJ-1] lamps"),
        ("Re:", ""),
        ("Regarding our call", "Regarding our call"),
        ("Rebate offer", "Rebate offer"),
        ("", ""),
    ],
)
def test_clean_subject(raw: str, clean: str) -> None:
    assert clean_subject(raw) == clean


def test_short_subject_cuts_at_a_word() -> None:
    text = "Re: How to use External LO on N310 device with two channels"
    assert short_subject(text, limit=30) == "How to use External LO on…"
    assert short_subject("Re: short", limit=30) == "short"
    assert len(short_subject("关" * 80, limit=20)) == 20


@pytest.mark.parametrize(
    ("name", "company", "lang", "line"),
    [
        ("Mehlhose, Matthias", "Ettus", "en", "Dear Matthias Mehlhose,"),
        ("Dr. Hans Müller", "Müller GmbH", "en", "Dear Dr. Müller,"),
        ("Prof. Dr. Anna Berg", "", "en", "Dear Prof. Dr. Berg,"),
        ("Ms. Walsh", "", "en", "Dear Ms Walsh,"),
        ("Anna Schmidt", "ACME GmbH", "en", "Dear Anna Schmidt,"),
        ("Kossler, Rob (R&D)", "", "en", "Dear Rob Kossler,"),
        (
            "",
            "Science Radio Laboratories, Inc.",
            "en",
            "Dear colleagues at Science Radio Laboratories,",
        ),
        ("", "", "en", "Dear Sir or Madam,"),
        ("王伟", "北京华讯科技有限公司", "zh", "王伟，您好！"),
        ("", "北京华讯科技有限公司", "zh", "北京华讯科技有限公司的各位同仁，您好！"),
        ("", "", "zh", "您好！"),
    ],
)
def test_salutation(name: str, company: str, lang: str, line: str) -> None:
    assert salutation(name, company=company, lang=lang) == line


def test_display_name_turns_last_first_round() -> None:
    assert display_name("Mehlhose, Matthias") == "Matthias Mehlhose"
    assert display_name("Smith, Jr.") == "Smith, Jr."


def test_no_double_period_after_a_name_ending_in_a_period() -> None:
    assert tidy("at Science Radio Laboratories, Inc..") == "at Science Radio Laboratories, Inc."
    assert tidy("wait... and 1..2") == "wait... and 1..2"


def test_a_placeholder_is_the_templates_not_the_customers() -> None:
    expected = Expected(
        contact_name="Ann",
        signature="",
        max_words=500,
        pushy_phrases=(),
        recent_topics=(),
        topic="self-check",
        subject_topic="self-check",
        check_signature=False,
        quoted=("Offer [PRJ-1] TBD",),
    )
    subject = "Supplement to the mail I sent: Offer [PRJ-1] TBD"
    assert check_draft(subject=subject, body="Dear Ann,\n\nx\n", expected=expected) == []
    left = check_draft(subject=subject, body="Dear Ann,\n\n[your name]\n", expected=expected)
    assert left == ["a placeholder is left: '[your name]'"]
