"""Topics good enough to judge by: the plain words salespeople put in file names and subjects.

Each row is a real-looking file name (or a mail subject, as ``.eml``) with the
medium and the topic the classifier must give it. A follow-up with a topic
word is never "blind".
"""

from __future__ import annotations

import pytest

from folder_kit.timeline.classify import Classifier
from folder_kit.workspace.config import Config

DEFAULT = Classifier(Config())


@pytest.mark.parametrize(
    ("name", "medium", "topic"),
    [
        # a medium and a topic in one name; a "visit invitation" is a topic, not a visit
        ("电话 price.txt", "phone", "price-update"),
        ("call about prices.txt", "phone", "price-update"),
        ("visit invitation.txt", "file", "visit-invite"),
        ("2026-11-20 visit invitation.txt", "file", "visit-invite"),
        # price
        ("2026-11-02 new prices 2027.pdf", "file", "price-update"),
        ("价格 2027.xlsx", "file", "price-update"),
        ("调价通知 2027.docx", "file", "price-update"),
        ("2026-10-05 电话 价格.txt", "phone", "price-update"),
        ("Price increase from January.eml", "email", "price-update"),
        ("WhatsApp about price.txt", "chat", "price-update"),
        # product
        ("new model UFO-300.pdf", "file", "product-update"),
        ("2026 catalogue.pdf", "file", "product-update"),
        ("Catalog 2027 LED.pdf", "file", "product-update"),
        ("新品推荐 太阳能灯.docx", "file", "product-update"),
        ("产品目录 2027.pdf", "file", "product-update"),
        ("Product sheet TP-40W.pdf", "file", "product-update"),
        ("微信 新品 图片.png", "chat", "product-update"),
        ("DHL catalogue and samples.txt", "courier", "product-update"),
        # news
        ("Company news November.eml", "email", "company-news"),
        ("news - new SMT line.pdf", "file", "company-news"),
        ("公司新闻 新厂房.docx", "file", "company-news"),
        ("Newsletter Q4.pdf", "file", "company-news"),
        # fairs
        ("Canton Fair invitation.eml", "email", "exhibition-invite"),
        ("exhibition Light Middle East.pdf", "file", "exhibition-invite"),
        ("our booth 12.1 D05.txt", "file", "exhibition-invite"),
        ("展会邀请 广交会.docx", "file", "exhibition-invite"),
        ("电话 展会.txt", "phone", "exhibition-invite"),
        # visits: an invitation is a topic, a visit is a medium
        ("invitation to visit our factory.txt", "file", "visit-invite"),
        ("来访邀请.docx", "file", "visit-invite"),
        ("邀请参观工厂.docx", "file", "visit-invite"),
        ("参观工厂 安排.docx", "file", "visit-invite"),
        ("客户来访 2026-10-16.txt", "visit", "visit-invite"),
        ("visit report Rossi.docx", "visit", "visit-invite"),
        ("2026-11-20 visit visit-invite.txt", "visit", "visit-invite"),  # as `log` writes it
        ("2026-11-20 visit quote.txt", "visit", "quote"),
        ("Factory visit Suzhou.eml", "email", "visit-invite"),
        # greetings
        ("Merry Christmas.eml", "email", "holiday-greeting"),
        ("春节快乐 2027.eml", "email", "holiday-greeting"),
        ("holiday greetings card.jpg", "file", "holiday-greeting"),
        ("Season's greetings from Suzhou.eml", "email", "holiday-greeting"),
        ("春节放假通知.docx", "file", "holiday-greeting"),
        # the rest stays as it was
        ("Quotation QT-2026-118.eml", "email", "quote"),
        ("报价单 QT-2026-095.xlsx", "file", "quote"),
        ("PO 4500012345.pdf", "file", "order"),
        ("开发信 LED.docx", "file", "first-contact"),
        ("Correction - PI with HS code.eml", "email", "self-check"),
        ("meeting notes.docx", "visit", None),
        ("DHL 样品 TP-40W.txt", "courier", None),
        ("2026-09-14 电话 跟进样品.txt", "phone", None),
        ("follow-ups.pdf", "file", None),
        ("Polish market.pdf", "file", None),
    ],
)
def test_medium_and_topic(name: str, medium: str, topic: str | None) -> None:
    stem = name.rsplit(".", 1)[0]
    assert (DEFAULT.medium(name), DEFAULT.topic(stem)) == (medium, topic)
