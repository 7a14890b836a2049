"""Contact.txt: the customer's card, as a salesperson edits it in Notepad.

``key: value`` lines with Chinese or English keys; several contacts separated by
a line ``---``, the first one primary. Files from Chinese Windows are often
GB18030/GBK or UTF-8 with a BOM; from Taiwan, Hong Kong or Japan, Big5 or
Shift-JIS: all are read. Unknown keys are kept.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from folder_kit.errors import UnreadableFileError
from folder_kit.files import read_regular

if TYPE_CHECKING:
    from email.headerregistry import HeaderRegistry

CONTACT_FILE = "Contact.txt"

# Canonical key → the spellings accepted when reading (case-insensitive).
KEYS: Mapping[str, tuple[str, ...]] = {
    "company": ("公司", "公司名称", "Company"),
    "country": ("国家", "Country"),
    "name": ("联系人", "姓名", "Name", "Contact"),
    "title": ("职位", "Title", "Position"),
    "email": ("邮箱", "电子邮件", "Email", "E-mail", "Mail"),
    "phone": ("电话", "手机", "Phone", "Tel", "Mobile"),
    "language": ("语言", "Language"),
    "source": ("来源", "Source"),
    "notes": ("备注", "Notes", "Note", "Remarks"),
}
_ALIASES = {alias.casefold(): key for key, aliases in KEYS.items() for alias in aliases}
LABELS: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "company": "公司",
        "country": "国家",
        "name": "联系人",
        "title": "职位",
        "email": "邮箱",
        "phone": "电话",
        "language": "语言",
        "source": "来源",
        "notes": "备注",
    },
    "en": {
        "company": "Company",
        "country": "Country",
        "name": "Name",
        "title": "Title",
        "email": "Email",
        "phone": "Phone",
        "language": "Language",
        "source": "Source",
        "notes": "Notes",
    },
}


@dataclass(frozen=True)
class Contact:
    """One person at the customer. ``extra`` keeps keys the tool does not know,
    ``loose`` the lines that have no key and belong to no field."""

    company: str = ""
    country: str = ""
    name: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    language: str = ""
    source: str = ""
    notes: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)
    loose: tuple[str, ...] = ()


# A contact's fields but ``extra`` (its items, sorted, follow them), in their order:
# what card_digest compares (a scan reads every card).
_SAID = attrgetter(*(f.name for f in fields(Contact) if f.name != "extra"))

# Free text the tool never puts into a mail header: a line without a key after
# one of these continues it (a long note). Every other field is one line.
MULTILINE = frozenset({"notes"})


@dataclass(frozen=True)
class Card:
    contacts: tuple[Contact, ...] = ()
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = ()

    @property
    def primary(self) -> Contact:
        return self.contacts[0] if self.contacts else Contact()

    @property
    def company(self) -> str:
        """The real company name: the first contact that names one."""
        return next((c.company for c in self.contacts if c.company), "")


# Full-width ASCII (＠, ．, ｗａｎｇ) as Chinese and Japanese input methods type it,
# the ideographic space, and the ideographic full stops they type for ".".
_NARROW = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {
    0x3000: 0x20,
    0x3002: 0x2E,
    0xFF61: 0x2E,
}


@cache
def _headers() -> HeaderRegistry:
    """The mail header parser ``mail_address`` uses, made when first asked for:
    importing ``email.headerregistry`` costs 7 ms that a scan, which reads every
    card but asks this only of an address beyond ASCII, seldom needs."""
    from email.headerregistry import HeaderRegistry

    return HeaderRegistry()


# An address as people type one into a card: local part, "@", a dotted domain.
# Found anywhere in a value ("Email: a@x.com; b@x.com", "Notes: cc boss@x.com").
# ASCII only: Chinese text typed right against an address ("邮箱zhang@x.cn") is no
# part of it.
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)


def normal_address(address: str) -> str:
    """An e-mail address as it is compared: without blanks, lower case; one that
    Exchange wrapped (``IMCEASMTP-``, ``IMCEANOTES-``...) as the address inside."""
    address = address.strip().lower()
    return _unwrapped(address) if address.startswith("imcea") else address


# Exchange's wrapping of a foreign address ("IMCEA" encapsulation): "IMCEA", the
# address type, "-", the address with every character Exchange does not allow in
# a local part written "+" and two hex digits, "@" and Exchange's own domain:
#   IMCEASMTP-anna+40acme+2Ede@corp.example         anna@acme.de
#   IMCEANOTES-+22Jim+20Lokay+22+20+3Clokay+40bigfoot+2Ecom+3E+40ENRON@ENRON.com
#                                                    lokay@bigfoot.com
# An address inside <> first, else a bare one. A Notes name ("Jim Lokay/HOU/ECT@ECT")
# or an Exchange X.500 name (IMCEAEX-_O=...) wraps none: kept as written.
_IMCEA = re.compile(r"imcea[a-z0-9]*-(.+)@[^@]+")
_HEX = re.compile(r"\+([0-9a-f]{2})")
_INSIDE = re.compile(r"<([^\s<>@\"]+@[^\s<>@\"]+)>|([^\s<>@\"]+@[^\s<>@\"]+)")


def _unwrapped(address: str) -> str:
    wrapped = _IMCEA.fullmatch(address)
    if wrapped is None:
        return address
    inner = _HEX.sub(lambda h: chr(int(h[1], 16)), wrapped[1])
    for found in _INSIDE.finditer(inner):
        candidate = (found[1] or found[2]).strip(".").lower()
        if _ADDRESS.fullmatch(candidate):
            return candidate
    return address


def card_digest(card: Card) -> str:
    """What a card says, as a short digest: the same for the same contacts and
    fields, however the file was saved (its encoding, its line endings, its time),
    so that a copied or re-saved card is no change."""
    import hashlib

    said = [[*_SAID(c), *sorted(c.extra.items())] for c in card.contacts]
    return hashlib.sha256(repr(said).encode("utf-8")).hexdigest()[:32]


def card_addresses(card: Card) -> tuple[str, ...]:
    """Every e-mail address a card holds, under any key of any contact, normalised
    (``normal_address``), each once, in the order they appear."""
    found: dict[str, None] = {}
    for contact in card.contacts:
        if not contact.email.isascii():  # ＠, an international domain: as mail carries it
            typed = mail_address(contact.email).addr  # (slow: only where it is needed)
            if _ADDRESS.fullmatch(typed):
                found[normal_address(typed)] = None
        values = [getattr(contact, key) for key in KEYS]
        values += [*contact.extra.values(), *contact.loose]
        for value in values:
            # _NARROW maps only characters beyond ASCII, and translating looks up every
            # character (2 us for an address): an ASCII value, nearly every one, as it is.
            if not value.isascii():
                value = value.translate(_NARROW)
            if "@" in value:
                for address in _ADDRESS.findall(value):
                    found[normal_address(address)] = None
    return tuple(found)


@dataclass(frozen=True)
class Address:
    """What the address field of a card gives a mail: one address in ASCII, fit
    for a header, or none; ``problem`` says why the field is not exactly one."""

    addr: str = ""  # for a header: the domain in its ASCII (IDNA) form
    typed: str = ""  # the same address as a person reads it (domain in its script)
    name: str = ""  # a name written in the field itself (`Bob <bob@acme.de>`)
    problem: str = ""  # a phrase after the field: "is not one mail address"


NOT_ONE = "is not one mail address"
SMTPUTF8 = (
    "has a name before the @ that is not in ASCII, which a mail header can only carry "
    "where every server on the way supports SMTPUTF8"
)


def mail_address(value: str) -> Address:
    """The address in an Email field as typed: full-width characters made ASCII,
    an international domain in its ASCII form, a name beside it kept apart.

    A name before the @ in another script (张伟@example.cn) is not made ASCII:
    there is no such form, and the RFC 2047 headers drafts are written with
    cannot carry it (domain.md, Contact.txt).
    """
    from email.errors import NonASCIILocalPartDefect
    from email.headerregistry import Address as HeaderAddress
    from email.headerregistry import AddressHeader

    text = value.translate(_NARROW).strip()
    if not text:
        return Address()
    header = _headers()("To", text)
    if not isinstance(header, AddressHeader):  # pragma: no cover - To is an address header
        raise TypeError(type(header))
    found = header.addresses
    defects = [d for d in header.defects if not isinstance(d, NonASCIILocalPartDefect)]
    if defects or not found or not all(a.username and a.domain for a in found):
        return Address(problem=NOT_ONE)
    first = found[0]
    typed = HeaderAddress(username=first.username, domain=first.domain).addr_spec
    if not first.username.isascii():
        return Address(typed=typed, name=first.display_name, problem=SMTPUTF8)
    try:
        domain = first.domain.encode("idna").decode("ascii")
    except UnicodeError as e:
        return Address(
            typed=typed,
            name=first.display_name,
            problem=f"has a domain that cannot be written in ASCII ({e})",
        )
    addr = HeaderAddress(username=first.username, domain=domain).addr_spec
    many = f"holds {len(found)} addresses, not one" if len(found) > 1 else ""
    return Address(addr=addr, typed=typed, name=first.display_name, problem=many)


# The encodings Notepad writes as "ANSI" on Chinese (simplified and traditional)
# and Japanese Windows, in the order a tie goes: GB18030 first, as it always was.
LEGACY = ("gb18030", "cp950", "cp932")
LEGACY_NAMES = {"gb18030": "GB18030", "cp950": "Big5", "cp932": "Shift-JIS"}


def _common_gb(b: bytes, *, core: bool = False) -> bool:
    # GB2312's punctuation and full-width rows, and its 6,763 hanzi (core: the
    # 3,755 frequent ones of level 1): what Chinese input methods type. Mojibake
    # lands in kana, Greek or the GBK extensions.
    return len(b) == 2 and (0xA1 <= b[0] <= 0xA3 or 0xB0 <= b[0] <= (0xD7 if core else 0xF7))


def _common_big5(b: bytes, *, core: bool = False) -> bool:
    # Big5's punctuation and its 5,401 frequent characters (常用字).
    code = int.from_bytes(b, "big")
    return len(b) == 2 and (0xA140 <= code <= 0xA3BF or 0xA440 <= code <= 0xC67E)


def _common_sjis(b: bytes, *, core: bool = False) -> bool:
    # Symbols, full-width letters, kana, JIS level 1 kanji, and (not core) NEC's
    # ① and ㈱; not the half-width katakana that GBK or Big5 bytes become.
    code = int.from_bytes(b, "big")
    return len(b) == 2 and (
        0x8140 <= code <= 0x8396
        or 0x889F <= code <= 0x9872
        or (not core and 0x8740 <= code <= 0x879C)
    )


_COMMON: Mapping[str, tuple[str, Callable[..., bool]]] = {
    "gb18030": ("gb2312", _common_gb),
    "cp950": ("cp950", _common_big5),
    "cp932": ("cp932", _common_sjis),
}
# Below this plausibility, or this close to the runner-up, the encoding chosen
# is a guess the user is told of.
SURE = 0.5
MARGIN = 0.05


def _is_common(ch: str, encoding: str, *, core: bool = False) -> bool:
    codec, common = _COMMON[encoding]
    try:
        return common(ch.encode(codec), core=core)
    except UnicodeEncodeError:
        return False


def plausibility(text: str, encoding: str) -> float:
    """How much ``text``, read in ``encoding``, looks like what a person types,
    from 0 to 1: half the share of its non-ASCII characters common in that
    encoding, half the share frequent in one of the other two standards too.

    The second half tells the real reading from a wrong one made of characters
    common in one standard only: GBK's 李雷 read as Big5 is 燠濘, both in Big5's
    frequent set, but in neither GB2312's nor JIS's first level, as 李 and 雷 are.
    """
    chars = [ch for ch in text if not ch.isascii()]
    if not chars:
        return 1.0
    own = sum(_is_common(ch, encoding) for ch in chars)
    others = [e for e in LEGACY if e != encoding]
    shared = sum(any(_is_common(ch, e, core=True) for e in others) for ch in chars)
    return (own + shared) / (2 * len(chars))


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", one of LEGACY, or "mixed"
    doubt: str = ""  # why the encoding is a guess; "" when it is not


def decode(data: bytes) -> Decoded:
    """Text and encoding of a Contact.txt: UTF-8 (with or without BOM), else the
    one of GB18030, Big5 and Shift-JIS whose reading is most plausible.

    All three decode most bytes of the others without an error (GB18030 nearly
    any), into characters nobody types: the reading made of common characters
    wins. A file edited by two programs can mix UTF-8 and one of them, a line
    each: then every line is read in the one it is in ("mixed").
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return Decoded(data[3:].decode("utf-8"), "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Decoded(data.decode("utf-16"), "utf-16")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    raw_lines = data.splitlines(keepends=True)
    utf8: dict[int, str] = {}
    for i, raw in enumerate(raw_lines):
        with contextlib.suppress(UnicodeDecodeError):
            utf8[i] = raw.decode("utf-8")
    legacy = b"".join(raw for i, raw in enumerate(raw_lines) if i not in utf8)
    readings: list[tuple[float, str]] = []
    for encoding in LEGACY:
        with contextlib.suppress(UnicodeDecodeError):
            readings.append((plausibility(legacy.decode(encoding), encoding), encoding))
    if not readings:
        raise UnicodeDecodeError("gb18030", legacy, 0, len(legacy), "no legacy encoding fits")
    # max() keeps the first of equals: a tie goes to the earlier in LEGACY.
    score, encoding = max(readings, key=lambda r: r[0])
    lines = [utf8[i] if i in utf8 else raw.decode(encoding) for i, raw in enumerate(raw_lines)]
    name = LEGACY_NAMES[encoding]
    rivals = [LEGACY_NAMES[e] for s, e in readings if e != encoding and s >= score - MARGIN]
    if score < SURE:
        doubt = (
            f"read as {name}, but few of its characters are common ones in GB18030, "
            "Big5 or Shift-JIS"
        )
    elif rivals:
        doubt = f"read as {name}, but it reads as well as {' or '.join(rivals)}"
    else:
        doubt = ""
    mixed = any(not line.isascii() for line in utf8.values())
    return Decoded("".join(lines), "mixed" if mixed else encoding, doubt)


def parse_card(text: str) -> Card:
    return Card(contacts=_contacts(text))


def _contacts(text: str) -> tuple[Contact, ...]:
    """The contacts of a card's text. Kept lean (a scan reads every card): one pass
    over the lines, a contact made when its block ends."""
    contacts: list[Contact] = []
    block: dict[str, str] = {}
    extra: dict[str, str] = {}
    loose: list[str] = []
    last_key: str | None = None
    aliases = _ALIASES
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] == "#":
            continue
        if line.startswith("---"):
            if block or extra or loose:
                contacts.append(Contact(**block, extra=extra, loose=tuple(loose)))
                block, extra, loose = {}, {}, []
            last_key = None
            continue
        i = _colon(line)
        if i <= 0:
            # A line without a key continues a note or an unknown key's value. Under
            # a name or an address it is not part of it (`Purchasing Manager` under
            # `Name:`): a line break there would end a mail's headers.
            if last_key in MULTILINE and last_key in block:
                block[last_key] = f"{block[last_key]}\n{line}"
            elif last_key in extra:
                extra[last_key] = f"{extra[last_key]}\n{line}"
            else:
                loose.append(line)
            continue
        key, value = line[:i].strip(), line[i + 1 :].strip()
        canonical = aliases.get(key.casefold())
        if canonical:
            block[canonical] = value
            last_key = canonical
        else:
            extra[key] = value
            last_key = key
    if block or extra or loose:
        contacts.append(Contact(**block, extra=extra, loose=tuple(loose)))
    return tuple(contacts)


def _colon(line: str) -> int:
    """Where a line's key ends: its first colon, ASCII or full-width (Chinese input
    methods type ：), not at its start; 0 or less when it has none."""
    ascii_at = line.find(":")
    wide_at = line.find("：") if not line.isascii() else -1
    if ascii_at > 0 and (wide_at <= 0 or ascii_at < wide_at):
        return ascii_at
    return wide_at


def read_card(path: str | Path) -> Card:
    """Read a Contact.txt; undecodable or unreadable files give a Card with a warning.

    Only a regular file of sane size is read, never through a link (a company
    name in a file outside the workspace must not name a customer).
    """
    try:
        data = read_regular(path)
    except UnreadableFileError as e:
        return Card(warnings=(f"{e}; contact details ignored",))
    except OSError as e:
        return Card(warnings=(f"{path}: cannot read: {e.strerror or e}",))
    try:
        decoded = decode(data)
    except UnicodeDecodeError:
        return Card(
            warnings=(
                f"{path}: not UTF-8, GB18030, Big5 or Shift-JIS text; contact details ignored",
            )
        )
    contacts = _contacts(decoded.text)
    warnings: tuple[str, ...] = ()
    if decoded.doubt:
        warnings = (
            f"{path}: its encoding is a guess: {decoded.doubt}; "
            "if its text looks wrong, save it as UTF-8",
        )
    return Card(contacts=contacts, encoding=decoded.encoding, warnings=warnings)


def render_card(contacts: list[Contact], *, lang: str) -> str:
    """The text of a new Contact.txt, keys in the workspace's language."""
    labels = LABELS.get(lang, LABELS["en"])
    blocks = []
    for contact in contacts:
        # Lines without a key go first: after a field they could continue it.
        lines = [*contact.loose]
        lines += [f"{labels[key]}: {getattr(contact, key)}" for key in KEYS]
        lines += [f"{k}: {v}" for k, v in contact.extra.items()]
        blocks.append("\n".join(lines))
    return "\n---\n".join(blocks) + "\n"
