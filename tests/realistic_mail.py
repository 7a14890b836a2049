"""A workspace of real-looking mail, as a salesperson's mailbox fills it: reply chains
in several languages (Re:, AW:, WG:, SV:, R:, Rif:, 答复:, 回复：, 转发:, nested),
mailing-list tags, customers silent for years, prospects who wrote first and were
never answered, cards written "Last, First" or with a title, a workspace with and
without a company profile and a price list in 产品/.

``realistic_tree(profile=..., price_list=...)`` gives the tree as ``helpers.build_tree``
takes it; ``TODAY`` is the day it is judged on. Every mail is a real RFC 5322
message (encoded words, a Message-ID, References), as a mail program saves it.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from helpers import A, B, C, D, P

TODAY = "2025-04-30"
ME = "linda.zhou@ruisen-lighting.example"
CONFIG = f"""\
lang: zh
me:
  name: Linda Zhou
  title: Export Sales Manager
  company: Suzhou Ruisen Lighting Technology Co., Ltd.
  email: {ME}
  phone: "+86 512 6658 3021"
"""
PROFILE = "产品/公司介绍/2025-01-10 Ruisen Company Profile.pdf"
PRICE_LIST = "产品/价格信息/2025-04-15 Price List 2025 Q2.xlsx"


def message(
    *,
    sender: str,
    to: str,
    subject: str,
    when: str,
    body: str = "Hello,\n\nplease see below.\n",
    zone: int = 8,
    references: tuple[str, ...] = (),
) -> bytes:
    """One saved mail: ``when`` is "YYYY-MM-DD HH:MM" in UTC+``zone``."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject  # encoded words where it is not ASCII
    stamp = dt.datetime.strptime(when, "%Y-%m-%d %H:%M").replace(
        tzinfo=dt.timezone(dt.timedelta(hours=zone))
    )
    msg["Date"] = format_datetime(stamp)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].rstrip(">"))
    if references:
        msg["In-Reply-To"] = references[-1]
        msg["References"] = " ".join(references)
    msg.set_content(body)
    return msg.as_bytes()


def _thread(
    folder: str, them: str, turns: list[tuple[str, str, str]], *, zone: int
) -> dict[str, bytes]:
    """A reply chain: each turn is (direction "out"|"in", "YYYY-MM-DD HH:MM", subject)."""
    files: dict[str, bytes] = {}
    refs: list[str] = []
    for n, (direction, when, subject) in enumerate(turns):
        mine = direction == "out"
        data = message(
            sender=ME if mine else them,
            to=them if mine else ME,
            subject=subject,
            when=when,
            zone=8 if mine else zone,
            references=tuple(refs),
        )
        refs.append(_message_id(data))
        name = f"{when[:10]} mail {n + 1}.eml"
        files[f"{folder}/{'OUT' if mine else 'IN'}/{name}"] = data
    return files


def _message_id(data: bytes) -> str:
    for line in data.split(b"\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().decode("ascii")
    raise AssertionError("no Message-ID")


def realistic_tree(*, profile: bool = True, price_list: bool = True) -> dict[str, object]:
    tree: dict[str, object] = {"folder-kit.yaml": CONFIG}
    if profile:
        tree[PROFILE] = b"%PDF-1.4 profile"
    if price_list:
        tree[PRICE_LIST] = b"PK\x03\x04 prices"
    tree["产品/产品图片"] = None

    # B: a list thread answered in English and Chinese, nested; a card "Last, First".
    ettus = f"{B}/Ettus Research"
    tree[f"{ettus}/Contact.txt"] = (
        "Company: Ettus Research, a National Instruments brand\nCountry: US\n"
        "Name: Mehlhose, Matthias\nEmail: matthias.mehlhose@ettus.example\n"
    )
    tree.update(
        _thread(
            ettus,
            "Matthias Mehlhose <matthias.mehlhose@ettus.example>",
            [
                ("in", "2025-04-02 09:10", "[USRP-users] How to use External LO on N310 device?"),
                (
                    "out",
                    "2025-04-03 10:00",
                    "Re: [USRP-users] How to use External LO on N310 device?",
                ),
                (
                    "in",
                    "2025-04-08 16:30",
                    "[USRP-users] Re: 答复: Re: How to use External LO on N310 device?",
                ),
                (
                    "out",
                    "2025-04-20 11:00",
                    "答复: Re: 答复: Re: [USRP-users] How to use External LO on N310 device?",
                ),
            ],
            zone=-5,
        )
    )

    # A: German, AW:/WG:, a doctor on the card; the new price list is news to them.
    muller = f"{A}/Müller Elektronik GmbH"
    tree[f"{muller}/Contact.txt"] = (
        "Company: Müller Elektronik GmbH\nCountry: DE\nName: Dr. Hans Müller\n"
        "Email: h.mueller@mueller-elektronik.example\n"
    )
    tree.update(
        _thread(
            muller,
            "Dr. Hans Müller <h.mueller@mueller-elektronik.example>",
            [
                ("out", "2025-04-01 09:00", "Angebot QT-2025-031 LED-Hallenleuchten"),
                ("in", "2025-04-03 08:15", "AW: Angebot QT-2025-031 LED-Hallenleuchten"),
                ("out", "2025-04-08 09:30", "AW: AW: Angebot QT-2025-031 LED-Hallenleuchten"),
                ("in", "2025-04-10 14:00", "WG: AW: AW: Angebot QT-2025-031 LED-Hallenleuchten"),
            ],
            zone=2,
        )
    )

    # C: Chinese, 回复：/转发: with full-width colons, written to in Chinese.
    beijing = f"{C}/北京华讯科技有限公司"
    tree[f"{beijing}/Contact.txt"] = (
        "公司: 北京华讯科技有限公司\n国家: 中国\n联系人: 王伟\n邮箱: wangwei@huaxun.example\n"
    )
    tree.update(
        _thread(
            beijing,
            "王伟 <wangwei@huaxun.example>",
            [
                ("in", "2025-03-20 10:00", "关于防爆灯的询价"),
                ("out", "2025-03-21 09:00", "回复：关于防爆灯的询价"),
                ("in", "2025-03-28 15:00", "转发: 回复：关于防爆灯的询价"),
                ("out", "2025-04-02 09:00", "回复：转发: 回复：关于防爆灯的询价"),
            ],
            zone=8,
        )
    )

    # B: Italian, R:/Rif:, a bracketed tag of the buyer's own in the subject.
    rossi = f"{B}/Rossi Elettronica Srl"
    tree[f"{rossi}/Contact.txt"] = (
        "Company: Rossi Elettronica S.r.l.\nCountry: IT\nName: Giulia Rossi\n"
        "Email: g.rossi@rossi-elettronica.example\n"
    )
    tree.update(
        _thread(
            rossi,
            "Giulia Rossi <g.rossi@rossi-elettronica.example>",
            [
                ("in", "2025-04-10 11:00", "Richiesta offerta [PRJ-2291] plafoniere stagne"),
                ("out", "2025-04-16 09:00", "Rif: Richiesta offerta [PRJ-2291] plafoniere stagne"),
                (
                    "in",
                    "2025-04-18 17:00",
                    "R: Rif: Richiesta offerta [PRJ-2291] plafoniere stagne",
                ),
            ],
            zone=2,
        )
    )

    # D: silent for years: the last mail went out on 9 December 2021.
    penn = f"{D}/Penn State University"
    tree[f"{penn}/Contact.txt"] = (
        "Company: Penn State University\nCountry: US\nName: Prof. Robert Kim\n"
        "Email: rkim@psu.example\n"
    )
    tree.update(
        _thread(
            penn,
            "Robert Kim <rkim@psu.example>",
            [
                ("in", "2021-11-30 08:00", "[X310] Re: RE: Quotation for X310 daughterboards"),
                ("out", "2021-12-09 10:00", "Re: [X310] Re: RE: Quotation for X310 daughterboards"),
            ],
            zone=-5,
        )
    )

    # C: Swedish SV:/VS:, silent for a year after a price list we sent.
    nordic = f"{C}/Nordic Radio AB"
    tree[f"{nordic}/Contact.txt"] = (
        "Company: Nordic Radio AB\nCountry: SE\nName: Lindqvist, Erik\nEmail: erik@nordicradio.example\n"
    )
    tree.update(
        _thread(
            nordic,
            "Erik Lindqvist <erik@nordicradio.example>",
            [
                ("out", "2024-03-12 09:00", "Price list 2024 - marine LED lights"),
                ("in", "2024-03-20 13:00", "SV: VS: Price list 2024 - marine LED lights"),
            ],
            zone=1,
        )
    )

    # A prospect who wrote three times and was never answered; a "Last, First" card.
    srl = f"{P}/Science Radio Laboratories"
    tree[f"{srl}/Contact.txt"] = (
        "Company: Science Radio Laboratories, Inc.\nCountry: US\nName: Kossler, Rob\n"
        "Email: rob.kossler@srl.example\n"
    )
    them = "Rob Kossler <rob.kossler@srl.example>"
    for n, (when, subject) in enumerate(
        [
            ("2025-02-11 09:00", "Inquiry: 10 MHz reference distribution amplifiers"),
            ("2025-03-04 09:00", "Re: Inquiry: 10 MHz reference distribution amplifiers"),
            ("2025-04-01 09:00", "Fwd: Re: Inquiry: 10 MHz reference distribution amplifiers"),
        ],
        1,
    ):
        tree[f"{srl}/IN/{when[:10]} inquiry {n}.eml"] = message(
            sender=them, to=ME, subject=subject, when=when, zone=-5
        )

    # A prospect never written to, and who never wrote: the one cold first letter.
    tree[f"{P}/Baltic Lighting OU/Contact.txt"] = (
        "Company: Baltic Lighting OÜ\nCountry: EE\nName: Kask, Mari\nEmail: mari@baltic-lighting.example\n"
    )
    return tree
