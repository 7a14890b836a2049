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
        ("电话 new price.txt", "phone", "price-update"),
        ("call about new prices.txt", "phone", "price-update"),
        ("visit invitation.txt", "file", "visit-invite"),
        ("2026-11-20 visit invitation.txt", "file", "visit-invite"),
        # price
        ("2026-11-02 new prices 2027.pdf", "file", "price-update"),
        ("价格表 2027.xlsx", "file", "price-update"),
        ("调价通知 2027.docx", "file", "price-update"),
        ("2026-10-05 电话 调价.txt", "phone", "price-update"),
        ("Price increase from January.eml", "email", "price-update"),
        ("WhatsApp about the price increase.txt", "chat", "price-update"),
        # a price alone is asked for as often as it is announced: no topic
        ("电话 price.txt", "phone", None),
        ("2026-10-05 电话 价格.txt", "phone", None),
        ("Best price for 40HQ.eml", "email", None),
        # product
        ("new model UFO-300.pdf", "file", "product-update"),
        ("2026 catalogue.pdf", "file", "product-update"),
        ("Catalog 2027 LED.pdf", "file", "product-update"),
        ("新品推荐 太阳能灯.docx", "file", "product-update"),
        ("产品目录 2027.pdf", "file", "product-update"),
        ("Product sheet TP-40W.pdf", "file", "product-update"),
        ("N310 product question.eml", "email", None),
        ("共享文件目录.docx", "file", None),
        ("微信 新品 图片.png", "chat", "product-update"),
        ("DHL catalogue and samples.txt", "courier", "product-update"),
        # news
        ("Company news November.eml", "email", "company-news"),
        ("news from Ruisen - new SMT line.pdf", "file", "company-news"),
        ("Any news.eml", "email", None),
        ("公司新闻 新厂房.docx", "file", "company-news"),
        ("Newsletter Q4.pdf", "file", "company-news"),
        # fairs
        ("Canton Fair invitation.eml", "email", "exhibition-invite"),
        ("exhibition Light Middle East.pdf", "file", "exhibition-invite"),
        ("our booth 12.1 D05.txt", "file", "exhibition-invite"),
        ("展会邀请 广交会.docx", "file", "exhibition-invite"),
        ("电话 展会.txt", "phone", "exhibition-invite"),
        ("Visit us at booth 5.2, Canton Fair.eml", "email", "exhibition-invite"),
        ("Fair enough.eml", "email", None),
        # visits: an invitation is a topic, a visit is a medium
        ("invitation to visit our factory.txt", "file", "visit-invite"),
        ("来访邀请.docx", "file", "visit-invite"),
        ("邀请参观工厂.docx", "file", "visit-invite"),
        ("参观工厂 安排.docx", "file", "visit-invite"),
        ("客户来访 2026-10-16.txt", "visit", "visit-invite"),
        # a visit made is the medium; only an invitation to the factory is the topic
        ("visit report Rossi.docx", "visit", None),
        ("Thank you for your visit.eml", "email", None),
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


def test_a_users_list_in_folder_kit_yaml_follows_the_same_rules() -> None:
    from pathlib import Path

    from folder_kit.workspace.config import parse_config

    text = 'keywords:\n  topic:\n    order: [PO#, "order #", order confirmation]\n'
    custom = Classifier(parse_config(text, path=Path("folder-kit.yaml")))
    assert custom.topic("PO 4711 for 2000 pcs") == "order"
    assert custom.topic("Re: Order #10234 shipped") == "order"
    assert custom.topic("Order Confirmation") == "order"
    assert custom.topic("data in the wrong order") is None
    assert custom.topic("PO files for the translation") is None
