"""Whose mail a message is, as tables: matching.decide, free mail, unmatched groups."""

from __future__ import annotations

import pytest

from folder_kit.mail.correspondents import group_unmatched, is_automated, suggested_name
from folder_kit.mail.matching import Directory, FreeMail, Parties, decide
from folder_kit.timeline.unmatched import Sighting

CARDS = [
    ("anna@acme.de", "acme"),
    ("bob@gmail.com", "bob"),  # a customer who writes from free mail
    ("li@shared.cn", "one"),  # two customers at one domain (a trading house's)
    ("wang@shared.cn", "two"),
    ("joint@both.com", "acme"),  # one address on two cards
    ("joint@both.com", "bob"),
    ("x@mycolleague.cn", "odd"),  # a card holding an address at my own domain
]
ME = ["me@myco.cn", "me.private@qq.com"]
THREADS = {"s1@myco.cn": {"acme"}}
DIRECTORY = Directory(cards=CARDS, mine=[*ME, "boss@mycolleague.cn"], free_mail=["corp-mail.com"])


def p(
    sender: str = "",
    to: str = "",
    reply_to: str = "",
    refs: str = "",
) -> Parties:
    def split(text: str) -> tuple[str, ...]:
        return tuple(text.split()) if text else ()

    return Parties(split(sender), split(reply_to), split(to), split(refs))


@pytest.mark.parametrize(
    ("parties", "verdict", "direction", "customers"),
    [
        # received: From (or Reply-To) decides
        (p("anna@acme.de", "me@myco.cn"), "filed", "in", ("acme",)),
        (p("carl@acme.de", "me@myco.cn"), "filed", "in", ("acme",)),  # the company domain
        (p("noreply@web.acme.de", "me@myco.cn"), "unmatched", "in", ()),  # not the domain
        (p("eve@gmail.com", "me@myco.cn"), "unmatched", "in", ()),  # free mail: never the domain
        (p("bob@gmail.com", "me@myco.cn"), "filed", "in", ("bob",)),  # free mail, exact address
        (p("eve@corp-mail.com", "me@myco.cn"), "unmatched", "in", ()),  # free by the settings
        (p("zhao@shared.cn", "me@myco.cn"), "unmatched", "in", ()),  # a shared domain: neither
        (p("li@shared.cn", "me@myco.cn"), "filed", "in", ("one",)),  # ...but the exact address
        (p("joint@both.com", "me@myco.cn"), "filed", "in", ("acme", "bob")),  # two customers
        (p("list@lists.org", "me@myco.cn", reply_to="anna@acme.de"), "filed", "in", ("acme",)),
        # sent: From is mine or a colleague's; every customer among the recipients
        (p("me@myco.cn", "anna@acme.de"), "filed", "out", ("acme",)),
        (
            p("me@myco.cn", "eve@gmail.com anna@acme.de li@shared.cn"),
            "filed",
            "out",
            ("acme", "one"),
        ),
        (p("sales@myco.cn", "carl@acme.de"), "filed", "out", ("acme",)),  # a colleague
        (p("me.private@qq.com", "anna@acme.de"), "filed", "out", ("acme",)),
        (p("me@myco.cn", "boss@myco.cn sales@myco.cn"), "internal", "out", ()),
        (p("me@myco.cn", "x@mycolleague.cn"), "internal", "out", ()),  # my domain beats a card
        (p("me@myco.cn", ""), "internal", "out", ()),
        # qq.com is free mail: my address there makes no one at qq.com a colleague
        (p("me@myco.cn", "someone@qq.com"), "unmatched", "out", ()),
        # threads, when no address says whose it is
        (p("eve@gmail.com", "me@myco.cn", refs="s1@myco.cn"), "filed", "in", ("acme",)),
        (p("eve@gmail.com", "me@myco.cn", refs="zz@x s1@myco.cn"), "filed", "in", ("acme",)),
        (p("me@myco.cn", "eve@gmail.com", refs="s1@myco.cn"), "filed", "out", ("acme",)),
        (p("li@shared.cn", "me@myco.cn", refs="s1@myco.cn"), "filed", "in", ("one",)),
        (p("eve@gmail.com", "me@myco.cn", refs="unknown@x"), "unmatched", "in", ()),
        # received mail with no sender at all still may belong to a thread
        (p("", "me@myco.cn", refs="s1@myco.cn"), "filed", "in", ("acme",)),
        (p("", "me@myco.cn"), "unmatched", "in", ()),
    ],
)
def test_decide(parties: Parties, verdict: str, direction: str, customers: tuple[str, ...]) -> None:
    decision = decide(parties, DIRECTORY, THREADS)
    assert (decision.verdict, decision.direction, decision.customers) == (
        verdict,
        direction,
        customers,
    )


def test_matching_by_domain_can_be_turned_off() -> None:
    directory = Directory(cards=CARDS, mine=ME, match_domains=False)
    assert decide(p("carl@acme.de", "me@myco.cn"), directory, {}).verdict == "unmatched"
    assert decide(p("anna@acme.de", "me@myco.cn"), directory, {}).customers == ("acme",)


def test_my_domain_is_never_a_customer_domain() -> None:
    """A colleague's address on a card (a forwarded contact) claims no one at my domain."""
    directory = Directory(cards=[("li@myco.cn", "acme")], mine=["me@myco.cn"])
    decision = decide(p("other@example.org", "zhang@myco.cn"), directory, {})
    assert decision.verdict == "unmatched"


@pytest.mark.parametrize(
    ("domain", "free"),
    [
        ("gmail.com", True),
        ("qq.com", True),
        ("vip.qq.com", True),
        ("163.com", True),
        ("gmx.de", True),
        ("gmx.net", True),
        ("gmx.co.uk", True),
        ("yahoo.com.tw", True),
        ("gmx.example.com", False),
        ("acme.de", False),
        ("notgmail.com", False),
        ("gmail.com.evil.cn", False),
        ("", False),
    ],
)
def test_free_mail(domain: str, free: bool) -> None:
    assert (domain in Directory(cards=(), mine=()).free) is free
    assert ("gmail.com" in FreeMail(["gmail.com"])) is True


def s(address: str, key: str, day: str, subject: str = "") -> Sighting:
    return Sighting(address, key, day, subject)


def test_unmatched_groups_by_domain_and_free_mail_address() -> None:
    sightings = [
        s("a@newco.com", "m1", "2026-01-05", "Inquiry LED"),
        s("b@newco.com", "m2", "2026-02-01", "Re: Inquiry LED"),
        s("b@newco.com", "m3", "2026-01-20", "Samples"),
        s("a@newco.com", "m3", "2026-01-20", "Samples"),  # one message to two: counted once
        s("eve@gmail.com", "m4", "2026-03-01", "Hello"),
        s("zed@gmail.com", "m5", "2026-03-02", "Hi"),
        s("carl@acme.de", "m6", "2026-03-03", "claimed by the acme card's domain"),
        s("bob@gmail.com", "m7", "2026-03-03", "claimed by bob's card"),
    ]
    groups = group_unmatched(sightings, DIRECTORY)
    assert [(g.key, g.messages, g.first, g.last) for g in groups] == [
        ("newco.com", 3, "2026-01-05", "2026-02-01"),
        ("zed@gmail.com", 1, "2026-03-02", "2026-03-02"),
        ("eve@gmail.com", 1, "2026-03-01", "2026-03-01"),
    ]
    newco = groups[0]
    assert newco.addresses == ("a@newco.com", "b@newco.com")
    assert newco.subjects == ("Re: Inquiry LED", "Samples", "Inquiry LED")
    assert newco.claim == 'folder-kit customer add "Newco" --grade P --email a@newco.com'
    assert groups[1].claim == 'folder-kit customer add "Zed" --grade P --email zed@gmail.com'


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("acme.de", "Acme"),
        ("acme-lighting.co.uk", "Acme Lighting"),
        ("mail.bigcorp.com.cn", "Bigcorp"),
        ("john.smith@gmail.com", "John Smith"),
        ("王@qq.com", "王"),
    ],
)
def test_suggested_name(key: str, name: str) -> None:
    assert suggested_name(key) == name


@pytest.mark.parametrize(
    ("address", "automated"),
    [
        ("no-reply@alibaba.example", True),
        ("noreply-12@bank.example", True),
        ("do-not-reply@ncs.gov.ng", True),  # as the real .eml samples have it
        ("do_not_reply@x.example", True),
        ("mailer-daemon@x.example", True),
        ("postmaster@x.example", True),
        ("bounces+abc=x.example@list.example", True),
        ("notifications@github.example", True),
        ("newsletter@fair.example", True),
        ("norman@x.example", False),
        ("nora@x.example", False),
        ("info@x.example", False),  # small companies answer info@ and sales@
        ("sales@x.example", False),
        ("noreplyman@x.example", False),
    ],
)
def test_addresses_no_person_reads(address: str, automated: bool) -> None:
    assert is_automated(address) == automated


def test_the_claim_names_a_person_and_none_for_machines_alone() -> None:
    sightings = [
        s("no-reply@newco.com", "m1", "2026-01-05", "Your order"),
        s("no-reply@newco.com", "m2", "2026-01-06", "Your order shipped"),
        s("li@newco.com", "m3", "2026-01-07", "Inquiry"),
        s("do-not-reply@ncs.gov.ng", "m4", "2026-01-08", "Urgent Request for Order Quotation"),
    ]
    newco, ncs = group_unmatched(sightings, DIRECTORY)
    assert newco.addresses[0] == "no-reply@newco.com"  # most messages first, as before
    assert newco.claim == 'folder-kit customer add "Newco" --grade P --email li@newco.com'
    assert ncs.claim is None
