"""folder-kit.yaml: the validated, typed Config it is read into, its defaults, and
``load_config``. The reading itself (a safe YAML loader, each section checked)
is ``config_yaml``'s: every problem is a ConfigError naming the file, the line and
the dotted key, so a salesperson who mistyped ``cadance:`` is told exactly where
to look.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from folder_kit.errors import ConfigError, UnreadableFileError
from folder_kit.files import read_regular
from folder_kit.kept import kept_parse
from folder_kit.workspace.contact import normal_address
from folder_kit.workspace.layout import Grade, Lang
from folder_kit.workspace.root import CONFIG_NAME as CONFIG_NAME
from folder_kit.workspace.thresholds import DEFAULT_PUSHY_PHRASES as DEFAULT_PUSHY_PHRASES
from folder_kit.workspace.thresholds import Taboos as Taboos

MAX_CONFIG_BYTES = 1024 * 1024  # a settings file a person writes is a few kilobytes


DEFAULT_CADENCE: Mapping[Grade, int] = {"A": 14, "B": 7, "C": 21, "D": 28}

# Keyword lists, Chinese and English. Latin keywords match whole words (a plural
# "s" allowed), so "ups" does not fire inside "follow-ups"; Chinese ones match
# anywhere in the name.
DEFAULT_MEDIUM_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "email": ("邮件", "e-mail", "email"),
    "phone": ("电话", "通话", "tel", "phone", "call"),
    "fax": ("传真", "fax"),
    "courier": ("快递", "样品", "courier", "DHL", "FedEx", "UPS", "TNT", "sample"),
    "chat": ("微信", "WeChat", "WhatsApp", "Skype", "MSN", "Teams", "LinkedIn"),
    "visit": ("拜访", "来访", "visit", "meeting"),
}
# A word common in other senses is no keyword alone: "order" (data in the wrong
# order), "correction" (DC correction), "update", "product", "news", "fair",
# "visit", "price", "价格", "目录", "参观". It counts only in a phrase that means the
# topic ("purchase order", "price list", "trade fair"), or where the folder says
# it (a file in 定单/ is an order: DEFAULT_TOPIC in classify). Measured on the
# hand-labelled subjects in tests/data/topics/ (tests/topic_figures.py).
DEFAULT_TOPIC_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "self-check": (
        "补充",
        "更正",
        "修正",
        "完善",
        "correction to",
        "correction of",
        "correction pi",
        "correction quotation",
        "correction invoice",
        "pi correction",
        "invoice correction",
        "quotation correction",
        "corrected pi",
        "corrected invoice",
        "corrected quotation",
        "revised pi",
        "revised quotation",
        "revised offer",
        "revised invoice",
        "supplement to",
        "addendum",
    ),
    "price-update": (
        "价格更新",
        "调价",
        "新价格",
        "价格表",
        "价格调整",
        "涨价",
        "降价",
        "price update",
        "new price",
        "updated price",
        "price list",
        "pricelist",
        "price adjustment",
        "price change",
        "price increase",
        "price reduction",
        "special offer",
        "lista de precios",
        "nuevos precios",
        "oferta especial",
        "preisliste",
        "neue preise",
        "liste de prix",
        "nouveaux prix",
        "listino prezzi",
        "listino",
        "nuovi prezzi",
        "lista de preços",
    ),
    "product-update": (
        "产品更新",
        "新产品",
        "新品",
        "产品目录",
        "产品介绍",
        "产品资料",
        "new product",
        "product update",
        "product launch",
        "product sheet",
        "product information",
        "product details",
        "new model",
        "catalog",
        "catalogue",
        "nuevo producto",
        "catálogo",
        "neues produkt",
        "katalog",
        "nouveau produit",
        "nuovo prodotto",
        "catalogo",
    ),
    "company-news": (
        "公司动态",
        "公司新闻",
        "新设备",
        "新厂房",
        "新生产线",
        "周年",
        "company news",
        "news from",
        "newsletter",
        "anniversary",
        "new equipment",
        "new factory",
        "new production line",
    ),
    "exhibition-invite": (
        "展会",
        "展览",
        "展位",
        "广交会",
        "exhibition",
        "trade fair",
        "canton fair",
        "fair invitation",
        "trade show",
        "expo",
        "booth",
        "feria",
        "messe",
        "ausstellung",
        "fiera",
    ),
    "visit-invite": (
        "来访邀请",
        "来访",
        "参观工厂",
        "参观我司",
        "验厂",
        "factory visit",
        "factory tour",
        "visit our factory",
        "visit to our factory",
        "visit invitation",
        "invitation to visit",
    ),
    "holiday-greeting": (
        "节日",
        "问候",
        "圣诞",
        "新年",
        "春节",
        "中秋",
        "greeting",
        "christmas",
        "new year",
        "holiday",
        "holiday greetings",
        "season's greetings",
        "easter",
        "thanksgiving",
        "ramadan",
        "eid mubarak",
        "diwali",
        "navidad",
        "año nuevo",
        "weihnachten",
        "neues jahr",
        "noël",
        "bonne année",
        "natale",
        "feliz natal",
    ),
    "first-contact": (
        "开发信",
        "合作介绍",
        "introduction",
        "cold email",
        "first contact",
        "cooperation proposal",
        "business cooperation",
    ),
    # Buyers write in their own language: Italian, Spanish, Portuguese, German, French too.
    "quote": (
        "报价",
        "询价",
        "询盘",
        "quotation",
        "quote",
        "offer",
        "RFQ",
        "inquiry",
        "enquiry",
        "offerta",
        "preventivo",
        "oferta",
        "cotización",
        "consulta",
        "pedido de cotação",
        "cotação",
        "angebot",
        "anfrage",
        "devis",
    ),
    "order": (
        "订单",
        "定单",
        "合同",
        "形式发票",
        "purchase order",
        "order confirmation",
        "confirmation of order",
        "new order",
        "repeat order",
        "trial order",
        "your order",
        "our order",
        "last order",
        "place order",
        "place an order",
        "place the order",
        "placed an order",
        "placed the order",
        "order#",
        "PO#",
        "PI#",
        "proforma",
        "pro forma",
        "proforma invoice",
        "sales contract",
        "purchase contract",
        "contract no",
        "ordine",
        "pedido",
        "orden de compra",
        "ordem de compra",
        "bestellung",
        "auftrag",
        "auftragsbestätigung",
        "commande",
    ),
}


@dataclass(frozen=True)
class Me:
    """The salesperson, as drafts sign."""

    name: str = ""
    title: str = ""
    company: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    signature: str = ""

    def signature_text(self) -> str:
        if self.signature:
            return self.signature.rstrip("\n")
        lines = [
            " | ".join(p for p in (self.name, self.title) if p),
            self.company,
            " | ".join(p for p in (self.email, self.phone, self.website) if p),
        ]
        return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Exhibition:
    name: str
    city: str
    start: dt.date
    end: dt.date
    booth: str = ""


# Holidays worth a greeting, as the holidays library names them in English; a
# holiday counts when its name holds one of these as whole words ("Christmas
# Day", "Eid al-Fitr Holiday"), the longest that fits naming it.
DEFAULT_GREETED_HOLIDAYS: tuple[str, ...] = (
    "Christmas",
    "New Year",
    "Chinese New Year",
    "Spring Festival",
    "Lunar New Year",
    "Korean New Year",
    "Chuseok",
    "Mid-Autumn Festival",
    "Eid al-Fitr",
    "Eid al-Adha",
    "Diwali",
    "Deepavali",
    "Thanksgiving",
    "Easter",
    "Hanukkah",
    "Rosh Hashanah",
    "Songkran",
)


@dataclass(frozen=True)
class Holidays:
    greet: bool = True
    lead_days: int = 14  # how early before a holiday a greeting becomes a candidate
    min_days: int = 3  # closer than this, a greeting would arrive too late
    names: tuple[str, ...] = DEFAULT_GREETED_HOLIDAYS


@dataclass(frozen=True)
class Drafts:
    max_words: int = 250


# Domains where anyone can open an address: an address there says nothing about
# the company behind it, so mail is never matched to a customer by such a domain,
# and it is never one of "my domains". A name ending in ".*" stands for every
# country's domain of the provider (gmx.de, gmx.net, gmx.at...).
DEFAULT_FREE_MAIL_DOMAINS: tuple[str, ...] = (
    # international
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.*", "live.com",
    "live.*", "msn.com", "yahoo.com", "yahoo.*", "ymail.com", "rocketmail.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "aim.com", "gmx.*", "web.de",
    "t-online.de", "mail.com", "zoho.com", "zohomail.com", "proton.me", "protonmail.com",
    "pm.me", "tutanota.com", "tuta.io", "fastmail.com", "yandex.ru", "yandex.com", "ya.ru",
    "mail.ru", "inbox.ru", "list.ru", "bk.ru", "rambler.ru", "libero.it", "virgilio.it",
    "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "btinternet.com", "rediffmail.com",
    "seznam.cz", "wp.pl", "o2.pl", "interia.pl", "naver.com", "hanmail.net", "daum.net",
    "nate.com", "yahoo.co.jp", "uol.com.br", "bol.com.br", "terra.com.br",
    # Chinese providers
    "qq.com", "vip.qq.com", "foxmail.com", "163.com", "vip.163.com", "126.com",
    "vip.126.com", "yeah.net", "188.com", "sina.com", "sina.cn", "vip.sina.com",
    "sohu.com", "aliyun.com", "139.com", "189.cn", "wo.cn", "tom.com", "21cn.com",
)  # fmt: skip


Security = Literal["ssl", "starttls", "none"]
SECURITIES: tuple[Security, ...] = ("ssl", "starttls", "none")
# The ports IMAP is served on: implicit TLS, else plain or STARTTLS.
IMAPS_PORT, IMAP_PORT = 993, 143
# Seconds between the watcher's syncs, when `mail.interval` does not say.
DEFAULT_MAIL_INTERVAL = 300


@dataclass(frozen=True)
class Account:
    """An IMAP account under ``mail.accounts``: where its mail is, never its password."""

    name: str
    host: str
    user: str
    port: int | None = None  # None: 993 for ssl, 143 otherwise
    security: Security = "ssl"
    addresses: tuple[str, ...] = ()  # my addresses on this account (its user when that is one)
    folders: tuple[str, ...] = ()  # empty: INBOX and the folder marked \Sent
    drafts_folder: str | None = None  # None: the folder marked \Drafts
    since: dt.date | None = None  # the first sync ignores older mail
    password_command: str | None = None  # its first line of output; else the OS keyring
    ca_file: str | None = None  # a company CA for the server's certificate

    @property
    def address_port(self) -> int:
        if self.port is not None:
            return self.port
        return IMAPS_PORT if self.security == "ssl" else IMAP_PORT

    def my_addresses(self) -> tuple[str, ...]:
        """The addresses this account sends from, normalised (``normal_address``), its
        user first when it is one."""
        found = [self.user] if "@" in self.user else []
        found += self.addresses
        out: list[str] = []
        for a in found:
            a = normal_address(a)
            if a and a not in out:
                out.append(a)
        return tuple(out)


@dataclass(frozen=True)
class Mail:
    """How mail is matched to customers, and the IMAP accounts it is read from."""

    match_domains: bool = True  # an unknown address at a customer's company domain is theirs
    free_mail_domains: tuple[str, ...] = ()  # added to DEFAULT_FREE_MAIL_DOMAINS
    accounts: tuple[Account, ...] = ()
    drafts_account: str | None = None  # where `draft --push` goes; None: the only account
    interval: int = DEFAULT_MAIL_INTERVAL  # seconds between syncs while `watch` runs

    def account(self, name: str) -> Account | None:
        return next((a for a in self.accounts if a.name == name), None)

    def drafts_target(self) -> Account | None:
        """The account drafts go to: ``drafts_account``, else the only one; None with
        none, or with several and none named."""
        if self.drafts_account is not None:
            return self.account(self.drafts_account)
        return self.accounts[0] if len(self.accounts) == 1 else None


@dataclass(frozen=True)
class Config:
    lang: Lang = "zh"
    timezone: str | None = None  # an IANA name; None: the machine's local zone
    me: Me = field(default_factory=Me)
    cadence: Mapping[Grade, int] = field(default_factory=lambda: dict(DEFAULT_CADENCE))
    taboos: Taboos = field(default_factory=Taboos)
    medium_keywords: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_MEDIUM_KEYWORDS)
    )
    topic_keywords: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_TOPIC_KEYWORDS)
    )
    exhibitions: tuple[Exhibition, ...] = ()
    holidays: Holidays = field(default_factory=Holidays)
    drafts: Drafts = field(default_factory=Drafts)
    mail: Mail = field(default_factory=Mail)
    path: Path | None = None

    def me_for_drafts(self, account: Account | None = None) -> Me:
        """``me`` as drafts are signed and sent: without ``me.email``, from the
        address of ``account`` (where the draft is pushed), else of the account
        drafts go to (``Mail.drafts_target``), as a mail program would send them."""
        if self.me.email.strip():
            return self.me
        if account is None:
            account = self.mail.drafts_target()
        mine = account.my_addresses() if account is not None else ()
        return replace(self.me, email=mine[0]) if mine else self.me


def load_config(path: Path) -> Config:
    """Read and validate ``folder-kit.yaml``; an empty file gives the defaults. What
    the same bytes gave is kept per user (``kept.kept_parse``): a command that runs
    again on an unchanged file neither parses it nor imports the YAML library."""
    data = read_config_bytes(path)

    def parse() -> Config:
        return parse_config(config_text(data, path=path), path=path)

    where = hashlib.sha256(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return kept_parse(f"config-{where}", data, parse, Config)


def read_config_bytes(path: Path) -> bytes:
    """The bytes of ``folder-kit.yaml``: a regular file of sane size, never read
    through a link (see files.open_regular)."""
    try:
        return read_regular(path, limit=MAX_CONFIG_BYTES)
    except UnreadableFileError as e:
        raise ConfigError(path=path, reason=f"cannot read: it is {e.reason}") from e
    except OSError as e:
        raise ConfigError(path=path, reason=f"cannot read: {e.strerror or e}") from e


def config_text(data: bytes, *, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(path=path, reason="not UTF-8 text") from e


def parse_config(text: str, *, path: Path) -> Config:
    """Validate the text of ``folder-kit.yaml`` into a Config (``config_yaml``: the
    YAML library is imported only for a text not read before, see ``load_config``)."""
    from folder_kit.workspace.config_yaml import parse

    return parse(text, path=path)


# An account's name under mail.accounts, and what it may be, in words.
ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
ACCOUNT_NAME_RULE = "an account name is letters, digits, '.', '_' or '-' (like work)"
NO_SECURITY_RULE = (
    "none sends the password unencrypted: only for a server on this machine "
    "(localhost, 127.0.0.1); use ssl or starttls"
)


def is_loopback(host: str) -> bool:
    """A host name or address that can only be this machine."""
    name = host.strip().lower().strip("[]")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
