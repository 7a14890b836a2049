"""The subject cleaner: what a mail or a file says it is about, as a person says it."""

from __future__ import annotations

import pytest

from folder_kit.subjects import clean_subject


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("Price list 2027", "Price list 2027"),
        ("Re: Price list 2027", "Price list 2027"),
        ("RE: RE: Re:Price list", "Price list"),
        ("Fwd: FW: Fw: Catalogue", "Catalogue"),
        ("AW: WG: Angebot", "Angebot"),
        ("SV: VS: Tilbud", "Tilbud"),
        ("Rif: R: I: Offerta", "Offerta"),
        ("TR: RV: Res: Enc: Cotización", "Cotización"),
        ("Re[2]: Re(3): Re^4: Sample", "Sample"),
        ("Re : spaced colon", "spaced colon"),
        ("Re_ Price update 2027", "Price update 2027"),  # as mail is filed
        ("re_order list", "re_order list"),
        ("答复: 回复：转发: 报价单", "报价单"),
        ("回覆: 轉寄: 報價", "報價"),
        ("Отв: Цены", "Цены"),
        (
            "[USRP-users] Re: 答复: Re: 答复: 答复: How to use External LO on N310 device?",
            "How to use External LO on N310 device?",
        ),
        ("Re: [X310] [USRP-users] RE: tuning", "tuning"),
        # Words a customer wrote are kept: a tag only before the subject, a prefix
        # only as a prefix.
        ("Quote [revised] for you", "Quote [revised] for you"),
        ("Re-order of 200 pcs", "Re-order of 200 pcs"),
        ("Area: North", "Area: North"),
        ("Ire: not a prefix", "Ire: not a prefix"),
        ("Reply needed", "Reply needed"),
        # A file name's leading day, as a subject never starts.
        ("2026-11-05 new product", "new product"),
        ("20261105_price list", "price list"),
        ("2026.11.05 - Re: offer", "offer"),
        ("2026-11-05", ""),
        ("2026 plans", "2026 plans"),
        ("202611 budget", "202611 budget"),
        ("  Re:   many   spaces  ", "many spaces"),
        ("Re: ", ""),
        ("[list]", ""),
        ("", ""),
    ],
)
def test_clean_subject(given: str, said: str) -> None:
    assert clean_subject(given) == said
