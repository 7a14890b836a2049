"""folder-kit.yaml: read with a safe loader into a validated, typed Config.

Every problem is a ConfigError naming the file, the line and the dotted key, so a
salesperson who mistyped ``cadance:`` is told exactly where to look.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import yaml

from folder_kit.errors import ConfigError, UnreadableFileError, quoted, shown, visible
from folder_kit.files import read_regular
from folder_kit.workspace.contact import normal_address
from folder_kit.workspace.layout import GRADES, LANGS, Grade, Lang
from folder_kit.workspace.names import line_break_in
from folder_kit.workspace.root import CONFIG_NAME as CONFIG_NAME
from folder_kit.workspace.thresholds import DEFAULT_PUSHY_PHRASES as DEFAULT_PUSHY_PHRASES
from folder_kit.workspace.thresholds import THRESHOLDS, Threshold
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
    """Read and validate ``folder-kit.yaml``; an empty file gives the defaults."""
    return parse_config(config_text(read_config_bytes(path), path=path), path=path)


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
    # The pure-Python loader on purpose: its error messages are the same on every
    # machine, with or without libyaml (and the file is small).
    try:
        loader = _LimitedLoader(text)
        root = loader.get_single_node()
        if root is not None:
            _check_size(root)
    except _TooBig as e:
        raise ConfigError(path=path, line=e.line, reason=e.reason) from e
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = " ".join(p for p in (e.context, e.problem) if p) or "invalid YAML"
        hint = _yaml_hint(reason)
        reason = f"invalid YAML: {reason}" + (f" ({hint})" if hint else "")
        raise ConfigError(path=path, line=line, reason=reason) from e
    except yaml.YAMLError as e:  # a control character, say: the reader gives its offset
        position = getattr(e, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        reason = str(e).splitlines()[0]
        raise ConfigError(path=path, line=line, reason=f"invalid YAML: {reason}") from e
    try:
        if root is None:
            return Config(path=path)
        return replace(_Reader(path, loader).config(root), path=path)
    finally:
        loader.dispose()


# A settings file a person writes nests four levels deep and holds a few hundred
# values. Far more is an accident or an attack: 600 levels overflow the composer's
# recursion, and a few nested aliases ("billion laughs") stand for billions of values.
MAX_DEPTH = 50
MAX_VALUES = 10_000


class _TooBig(yaml.YAMLError):
    def __init__(self, reason: str, line: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class _LimitedLoader(yaml.SafeLoader):
    """The safe loader, refusing nesting deeper than MAX_DEPTH while it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _TooBig(f"nested more than {MAX_DEPTH} levels deep", mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_size(root: yaml.Node) -> None:
    """Refuse a tree that, with its aliases expanded, holds more than MAX_VALUES
    nodes, or that holds itself. Counted without expanding: each node once."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        children = _children(node)
        if done:
            on_path.discard(id(node))
            size = 1 + sum(sizes[id(c)] for c in children)
            if size > MAX_VALUES:
                raise _TooBig(
                    f"holds more than {MAX_VALUES} values once its aliases (*name) are "
                    "expanded; write the values out instead",
                    node.start_mark.line + 1,
                )
            sizes[id(node)] = size
            continue
        if id(node) in sizes:
            continue
        if id(node) in on_path:
            raise _TooBig("an alias (*name) refers to its own anchor", node.start_mark.line + 1)
        on_path.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _yaml_hint(problem: str) -> str:
    """What a salesperson editing in Notepad most likely did, for the parser's words."""
    if "'\\t'" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return 'a value holding ": " needs quotes, like  name: "Li: Lei"'
    if "flow sequence" in problem or "flow mapping" in problem:
        return "a [ or { is not closed on this line or the one above"
    if "block" in problem:
        return "check the indentation of this line against the line above"
    return ""


T = TypeVar("T")

_STANDARD_TAGS = {
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
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


# A domain as a person writes it in a list: labels of letters, digits and hyphens
# (any script: international domains too), or "provider.*".
_MAIL_DOMAIN = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W_](?:[\w-]*[^\W_])?|\*)")


class _Collection:
    """A list or mapping found where one value belongs; never equal to a value."""

    def __init__(self, node: yaml.Node) -> None:
        self.node = node

    def __str__(self) -> str:
        return described(self.node)


def described(node: yaml.Node) -> str:
    """A value as the user wrote it, for a message: never a Python repr, never long."""
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    return quoted(node.value, limit=60)


# The readers of the top-level keys of folder-kit.yaml, by key, with whether the
# reader gives several Config fields (a mapping of them) rather than the field of
# its own name. A new section is its dataclass, its field in Config, and its reader,
# a method of _Reader marked @_section: nothing else lists the sections.
_SectionReader = Callable[["_Reader", yaml.Node, str], Any]
_SECTIONS: dict[str, tuple[_SectionReader, bool]] = {}


def _section(name: str, *, spread: bool = False) -> Callable[[_SectionReader], _SectionReader]:
    def register(read: _SectionReader) -> _SectionReader:
        _SECTIONS[name] = (read, spread)
        return read

    return register


class _Reader:
    """Turns a composed YAML node tree into a Config, naming lines and keys in errors."""

    def __init__(self, path: Path, loader: yaml.SafeLoader) -> None:
        self.path = path
        self.loader = loader

    def error(self, node: yaml.Node, key: str, reason: str) -> ConfigError:
        return ConfigError(path=self.path, line=node.start_mark.line + 1, key=key, reason=reason)

    def check_tag(self, node: yaml.Node, key: str) -> None:
        if node.tag not in _STANDARD_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise self.error(node, key, f"the tag {tag} is not allowed here")

    def value(self, node: yaml.Node, key: str) -> Any:
        """A scalar's value; a list or mapping where a single value is expected gives
        a stand-in that every check refuses (it is never constructed: no expansion)."""
        self.check_tag(node, key)
        if not isinstance(node, yaml.ScalarNode):
            return _Collection(node)
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as e:  # ValueError: a date like 2027-04-31
            raise self.error(node, key, f"invalid value: {shown(e)}") from e

    def mapping(
        self, node: yaml.Node, key: str, allowed: tuple[str, ...] | None
    ) -> dict[str, tuple[yaml.Node, str]]:
        """A mapping's children by key, each with its dotted name; unknown keys refused."""
        if key and isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return {}  # `me:` with nothing under it yet
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, key or "(top level)", "expected a mapping of `key: value` lines")
        self.check_tag(node, key or "(top level)")
        out: dict[str, tuple[yaml.Node, str]] = {}
        for key_node, value_node in node.value:
            name = self.value(key_node, key)
            name = str(name)
            dotted = f"{key}.{name}" if key else name
            if allowed is not None and name not in allowed:
                known = ", ".join(allowed)
                raise self.error(key_node, dotted, f"unknown key (known keys: {known})")
            if name in out:
                raise self.error(key_node, dotted, "appears twice")
            out[name] = (value_node, dotted)
        return out

    def typed(self, node: yaml.Node, key: str, kind: type[T], what: str) -> T:
        value = self.value(node, key)
        if kind is int and isinstance(value, bool):
            raise self.error(node, key, f"expected {what}, got {described(node)}")
        if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # a phone number written without quotes
        if not isinstance(value, kind):
            hint = ""
            if kind is str and isinstance(value, dt.date):
                hint = "; put it in quotes to keep it as text"
            raise self.error(node, key, f"expected {what}, got {described(node)}{hint}")
        return value

    def text(self, node: yaml.Node, key: str) -> str:
        if self.value(node, key) is None:
            return ""
        return self.typed(node, key, str, "text")

    def line(self, node: yaml.Node, key: str) -> str:
        """Text that must stay on one line: it ends up in a mail header or a
        template line, where a line break would add a header (`Bcc:`, `Attach:`)."""
        value = self.text(node, key)
        bad = line_break_in(value)
        if bad is not None:
            raise self.error(
                node,
                key,
                f"holds a line break or control character ({visible(bad)}); write it on one line",
            )
        return value

    def number(self, node: yaml.Node, key: str, *, low: int, high: int, what: str) -> int:
        value = self.typed(node, key, int, "a whole number")
        if not low <= value <= high:
            raise self.error(node, key, f"expected {what} from {low} to {high}, got {value}")
        return value

    def days(self, node: yaml.Node, key: str, *, low: int = 1, high: int = 3650) -> int:
        return self.number(node, key, low=low, high=high, what="a number of days")

    def percent(self, node: yaml.Node, key: str, *, low: int = 1, high: int = 1000) -> int:
        """A share of the grade's cadence, in percent."""
        return self.number(node, key, low=low, high=high, what="a percentage")

    def count(self, node: yaml.Node, key: str, *, low: int = 1, high: int = 100) -> int:
        """How many follow-ups or contacts: a count, not a span of days."""
        return self.number(node, key, low=low, high=high, what="a count")

    def date(self, node: yaml.Node, key: str) -> dt.date:
        value = self.value(node, key)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
            try:  # written in quotes: "2027-04-15" is the same day
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise self.error(
                    node, key, f"{quoted(value)} is not a day of the calendar"
                ) from None
        raise self.error(node, key, f"expected a date as YYYY-MM-DD, got {described(node)}")

    def words(self, node: yaml.Node, key: str) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, key, "expected a list, like [word, other word]")
        self.check_tag(node, key)
        out = []
        for item in node.value:
            word = self.line(item, key).strip()
            if not any(ch.isalnum() for ch in word):
                raise self.error(
                    item,
                    key,
                    f"{quoted(word)}: a keyword needs a letter or digit, or it matches every file",
                )
            out.append(word)
        return tuple(out)

    def section(
        self,
        node: yaml.Node,
        key: str,
        cls: Callable[..., T],
        fields: Mapping[str, Callable[..., Any]],
    ) -> T:
        children = self.mapping(node, key, tuple(fields))
        return cls(**{name: fields[name](n, k) for name, (n, k) in children.items()})

    def config(self, root: yaml.Node) -> Config:
        values: dict[str, Any] = {}
        for name, (node, key) in self.mapping(root, "", tuple(_SECTIONS)).items():
            read, spread = _SECTIONS[name]
            if spread:
                values.update(read(self, node, key))
            else:
                values[name] = read(self, node, key)
        return Config(**values)

    def flag(self, node: yaml.Node, key: str) -> bool:
        return self.typed(node, key, bool, "true or false")

    def threshold(self, threshold: Threshold[Any], node: yaml.Node, key: str) -> Any:
        if threshold.kind == "words":
            return self.words(node, key)
        read = {"count": self.count, "percent": self.percent, "days": self.days}[threshold.kind]
        return read(node, key, **threshold.bounds())

    # The top-level sections, in the order an unknown key's message lists them.

    @_section("lang")
    def lang(self, node: yaml.Node, key: str) -> Lang:
        value = self.value(node, key)
        if not isinstance(value, str) or value not in LANGS:
            raise self.error(
                node, key, f"expected one of {', '.join(LANGS)}, got {described(node)}"
            )
        return value

    @_section("timezone")
    def timezone(self, node: yaml.Node, key: str) -> str | None:
        """The zone whose days the user counts in, by its IANA name (a salesperson at a
        fair abroad keeps home days); checked against the time-zone database."""
        value = self.value(node, key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(node, key, f"expected a time zone name, got {described(node)}")
        name = value.strip()
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise self.error(
                node,
                key,
                f"unknown time zone {quoted(name, limit=60)}; "
                "expected an IANA name such as Asia/Shanghai or Europe/Berlin",
            ) from None
        return name

    @_section("me")
    def me(self, node: yaml.Node, key: str) -> Me:
        fields = {f: self.line for f in Me.__dataclass_fields__}
        return self.section(node, key, Me, {**fields, "signature": self.text})

    @_section("cadence")
    def cadence(self, node: yaml.Node, key: str) -> Mapping[Grade, int]:
        children = self.mapping(node, key, tuple(g for g in GRADES if g != "P"))
        cadence = dict(DEFAULT_CADENCE)
        for grade, (n, k) in children.items():
            cadence[cast(Grade, grade)] = self.days(n, k)
        return cadence

    @_section("taboos")
    def taboos(self, node: yaml.Node, key: str) -> Taboos:
        """The thresholds declared in ``thresholds`` (a registered taboo adds its own)."""
        children = self.mapping(node, key, tuple(THRESHOLDS))
        return Taboos(
            **{name: self.threshold(THRESHOLDS[name], n, k) for name, (n, k) in children.items()}
        )

    @_section("keywords", spread=True)
    def keywords(self, node: yaml.Node, key: str) -> dict[str, Mapping[str, tuple[str, ...]]]:
        children = self.mapping(node, key, ("medium", "topic"))
        out: dict[str, Mapping[str, tuple[str, ...]]] = {}
        for name, defaults, dest in (
            ("medium", DEFAULT_MEDIUM_KEYWORDS, "medium_keywords"),
            ("topic", DEFAULT_TOPIC_KEYWORDS, "topic_keywords"),
        ):
            if name not in children:
                continue
            n, k = children[name]
            lists = {
                label: self.words(ln, lk)
                for label, (ln, lk) in self.mapping(n, k, tuple(defaults)).items()
            }
            # Lists given replace the defaults for that label; the others keep theirs.
            out[dest] = {**defaults, **lists}
        return out

    @_section("exhibitions")
    def exhibitions(self, node: yaml.Node, key: str) -> tuple[Exhibition, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, key, "expected a list of exhibitions")
        self.check_tag(node, key)
        out = []
        for i, item in enumerate(node.value):
            k = f"{key}[{i}]"
            children = self.mapping(item, k, ("name", "city", "start", "end", "booth"))
            for required in ("name", "city", "start", "end"):
                if required not in children:
                    raise self.error(item, f"{k}.{required}", "missing")
            show = Exhibition(
                name=self.line(*children["name"]),
                city=self.line(*children["city"]),
                start=self.date(*children["start"]),
                end=self.date(*children["end"]),
                booth=self.line(*children["booth"]) if "booth" in children else "",
            )
            if show.end < show.start:
                raise self.error(children["end"][0], f"{k}.end", "ends before it starts")
            out.append(show)
        return tuple(out)

    @_section("holidays")
    def holidays(self, node: yaml.Node, key: str) -> Holidays:
        return self.section(
            node,
            key,
            Holidays,
            {
                "greet": self.flag,
                "lead_days": self.days,
                "min_days": lambda n, k: self.days(n, k, low=0, high=60),
                "names": self.words,
            },
        )

    @_section("drafts")
    def drafts(self, node: yaml.Node, key: str) -> Drafts:
        return self.section(
            node,
            key,
            Drafts,
            {
                "max_words": lambda n, k: self.number(
                    n, k, low=20, high=5000, what="a number of words"
                )
            },
        )

    @_section("mail")
    def mail(self, node: yaml.Node, key: str) -> Mail:
        mail = self.section(
            node,
            key,
            Mail,
            {
                "match_domains": self.flag,
                "free_mail_domains": self.domains,
                "accounts": self.accounts,
                "drafts_account": self.line,
                "interval": lambda n, k: self.number(
                    n, k, low=1, high=86_400, what="a number of seconds"
                ),
            },
        )
        if mail.drafts_account is not None and mail.account(mail.drafts_account) is None:
            children = self.mapping(node, key, None)
            n, k = children["drafts_account"]
            names = ", ".join(a.name for a in mail.accounts) or "none yet"
            raise self.error(n, k, f"no account {quoted(mail.drafts_account)} (accounts: {names})")
        return mail

    def accounts(self, node: yaml.Node, key: str) -> tuple[Account, ...]:
        """``mail.accounts``: a mapping of account names to their settings."""
        out = []
        for name, (n, k) in self.mapping(node, key, None).items():
            if not ACCOUNT_NAME.fullmatch(name):
                raise self.error(n, k, ACCOUNT_NAME_RULE)
            fields = tuple(f for f in Account.__dataclass_fields__ if f != "name")
            secret = self.mapping(n, k, None).get("password")
            if secret is not None:
                raise self.error(
                    secret[0],
                    secret[1],
                    "a password is never kept in folder-kit.yaml; remove it, then run "
                    f"`folder-kit mail add {name} ... --password-stdin` (the OS keyring) "
                    "or set password_command:",
                )
            children = self.mapping(n, k, fields)
            for required in ("host", "user"):
                if required not in children:
                    raise self.error(n, f"{k}.{required}", "missing")
            values: dict[str, Any] = {}
            for field_name, (cn, ck) in children.items():
                if field_name == "port":
                    values[field_name] = self.number(cn, ck, low=1, high=65535, what="a port")
                elif field_name == "security":
                    value = self.value(cn, ck)
                    if value not in SECURITIES:
                        raise self.error(
                            cn, ck, f"expected one of {', '.join(SECURITIES)}, got {described(cn)}"
                        )
                    values[field_name] = value
                elif field_name == "addresses":
                    values[field_name] = tuple(a.lower() for a in self.words(cn, ck))
                elif field_name == "folders":
                    values[field_name] = self.words(cn, ck)
                elif field_name == "since":
                    values[field_name] = self.date(cn, ck)
                else:
                    values[field_name] = self.line(cn, ck).strip() or None
            if not values.get("host") or not values.get("user"):
                missing = "host" if not values.get("host") else "user"
                raise self.error(n, f"{k}.{missing}", "empty")
            account = Account(name=name, **values)
            if account.security == "none" and not is_loopback(account.host):
                cn, ck = children["security"]
                raise self.error(cn, ck, NO_SECURITY_RULE)
            out.append(account)
        return tuple(out)

    def domains(self, node: yaml.Node, key: str) -> tuple[str, ...]:
        """A list of mail domains ("example.com", or "provider.*" for all its countries)."""
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, key, "expected a list, like [example.com, other.cn]")
        self.check_tag(node, key)
        out = []
        for item in node.value:
            domain = self.line(item, key).strip().lower().removeprefix("@")
            if not _MAIL_DOMAIN.fullmatch(domain):
                raise self.error(
                    item, key, f"{quoted(domain)} is not a mail domain (like example.com)"
                )
            out.append(domain)
        return tuple(out)
