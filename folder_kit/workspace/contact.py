"""Contact.txt: the customer's card, as a salesperson edits it in Notepad.

``key: value`` lines with Chinese or English keys; several contacts separated by
a line ``---``, the first one primary. Files from Chinese Windows are often
GB18030/GBK or UTF-8 with a BOM: all are read. Unknown keys are kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from folder_kit.errors import UnreadableFileError
from folder_kit.files import read_regular

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
    """One person at the customer. ``extra`` keeps keys the tool does not know."""

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


# An address as people type one into a card: local part, "@", a dotted domain.
# Found anywhere in a value ("Email: a@x.com; b@x.com", "Notes: cc boss@x.com").
# ASCII only: Chinese text typed right against an address ("邮箱zhang@x.cn") is no
# part of it.
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)


def normal_address(address: str) -> str:
    """An e-mail address as it is compared: without blanks, lower case."""
    return address.strip().lower()


def card_addresses(card: Card) -> tuple[str, ...]:
    """Every e-mail address a card holds, under any key of any contact, normalised
    (``normal_address``), each once, in the order they appear."""
    found: dict[str, None] = {}
    for contact in card.contacts:
        values = [getattr(contact, key) for key in KEYS]
        values += contact.extra.values()
        for value in values:
            if "@" in value:
                for address in _ADDRESS.findall(value):
                    found[normal_address(address)] = None
    return tuple(found)


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding of a Contact.txt: UTF-8 (with or without BOM), else GB18030.

    A file edited by two programs can mix them, a line each: then every line is
    read in the one it is in ("mixed"), so no line turns into mojibake.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lines: list[str] = []
    utf8 = gb = 0
    for raw in data.splitlines(keepends=True):
        try:
            lines.append(raw.decode("utf-8"))
            utf8 += not raw.isascii()
        except UnicodeDecodeError:
            lines.append(raw.decode("gb18030"))  # raises if it is neither
            gb += 1
    return "".join(lines), "mixed" if utf8 and gb else "gb18030"


def parse_card(text: str) -> Card:
    contacts: list[Contact] = []
    block: dict[str, str] = {}
    extra: dict[str, str] = {}
    last_key: str | None = None

    def close() -> None:
        if block or extra:
            contacts.append(Contact(**block, extra=dict(extra)))
        block.clear()
        extra.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("---"):
            close()
            last_key = None
            continue
        if not line or line.startswith("#"):
            continue
        key, sep, value = _split(line)
        if not sep:
            # A line without a key continues the previous value (a long note).
            if last_key in block:
                block[last_key] = f"{block[last_key]}\n{line}"
            elif last_key in extra:
                extra[last_key] = f"{extra[last_key]}\n{line}"
            continue
        canonical = _ALIASES.get(key.casefold())
        if canonical:
            block[canonical] = value
            last_key = canonical
        else:
            extra[key] = value
            last_key = key
    close()
    return Card(contacts=tuple(contacts))


def _split(line: str) -> tuple[str, str, str]:
    """Split at the first colon, ASCII or full-width (Chinese input methods type ：)."""
    positions = [i for i in (line.find(":"), line.find("：")) if i > 0]
    if not positions:
        return line, "", ""
    i = min(positions)
    return line[:i].strip(), ":", line[i + 1 :].strip()


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
        text, encoding = decode(data)
    except UnicodeDecodeError:
        return Card(warnings=(f"{path}: not UTF-8 or GB18030 text; contact details ignored",))
    card = parse_card(text)
    return Card(contacts=card.contacts, encoding=encoding)


def render_card(contacts: list[Contact], *, lang: str) -> str:
    """The text of a new Contact.txt, keys in the workspace's language."""
    labels = LABELS.get(lang, LABELS["en"])
    blocks = []
    for contact in contacts:
        lines = [f"{labels[key]}: {getattr(contact, key)}" for key in KEYS]
        lines += [f"{k}: {v}" for k, v in contact.extra.items()]
        blocks.append("\n".join(lines))
    return "\n---\n".join(blocks) + "\n"
