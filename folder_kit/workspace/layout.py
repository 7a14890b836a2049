"""The workspace folder tree: its names in each language, and how folders are recognised.

Writing uses the workspace's own language. Reading is lenient: a grade folder is
known by its leading letter (``B-在谈客户`` and ``B 在谈`` are both grade B), and
customer subfolders are known by their name in either language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal, cast

from folder_kit.kept import kept_parse
from folder_kit.resources import read_template

Lang = Literal["zh", "en"]
Grade = Literal["A", "B", "C", "D", "P"]
Kind = Literal["out", "in", "quote", "pi", "order", "drafts"]

LANGS: tuple[Lang, ...] = ("zh", "en")
GRADES: tuple[Grade, ...] = ("A", "B", "C", "D", "P")
CUSTOMER_KINDS: tuple[Kind, ...] = ("out", "in", "quote", "pi", "order", "drafts")


@dataclass(frozen=True)
class Layout:
    """The names of one layout language."""

    lang: Lang
    products: str
    product_dirs: Mapping[str, str]
    templates: str
    template_dirs: Mapping[str, str]
    internal: str
    internal_dirs: tuple[str, ...]
    customers: str
    grades: Mapping[Grade, str]
    customer_dirs: Mapping[Kind, str]
    contact_file: str

    def folders(self) -> list[str]:
        """Every folder ``init`` creates, parents first, as workspace-relative paths."""
        out = [self.products]
        out += [f"{self.products}/{d}" for d in self.product_dirs.values()]
        out.append(self.templates)
        out += [f"{self.templates}/{d}" for d in self.template_dirs.values()]
        out.append(self.internal)
        out += [f"{self.internal}/{d}" for d in self.internal_dirs]
        out.append(self.customers)
        out += [f"{self.customers}/{d}" for d in self.grades.values()]
        return out

    def grade_folder(self, grade: Grade) -> str:
        return f"{self.customers}/{self.grades[grade]}"

    def product_folder(self, key: str) -> str:
        return f"{self.products}/{self.product_dirs[key]}"


@cache
def load_layout(lang: Lang) -> Layout:
    """The layout of ``lang`` from the shipped layout.yaml (kept per user as parsed,
    ``kept.kept_parse``: its YAML library costs more to import than the rest of a
    command's start)."""
    text = read_template("workspace", "layout.yaml")
    return kept_parse(f"layout-{lang}", text.encode("utf-8"), lambda: _layout(text, lang), Layout)


def _layout(text: str, lang: Lang) -> Layout:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(text, Loader=loader)[lang]
    return Layout(
        lang=lang,
        products=data["products"],
        product_dirs=dict(data["product_dirs"]),
        templates=data["templates"],
        template_dirs=dict(data["template_dirs"]),
        internal=data["internal"],
        internal_dirs=tuple(data["internal_dirs"]),
        customers=data["customers"],
        grades=dict(data["grades"]),
        customer_dirs=dict(data["customer_dirs"]),
        contact_file=data["contact_file"],
    )


# A grade letter stands alone or is followed by something that is not a Latin
# letter: "B-在谈客户", "B 在谈", "B_negotiating", "B" — but not "Archive".
_GRADE_RE = re.compile(r"^([A-Da-d])(?![A-Za-z])")
_PROSPECT_RE = re.compile(r"^(待开发|prospect|p(?![A-Za-z]))", re.IGNORECASE)


def grade_of_folder(name: str) -> Grade | None:
    """The grade a folder under 客户/ stands for, or None if it is not a grade folder."""
    name = unicodedata.normalize("NFC", name).strip()
    m = _GRADE_RE.match(name)
    if m:
        return cast(Grade, m.group(1).upper())
    if _PROSPECT_RE.match(name):
        return "P"
    return None


@cache
def _kind_names() -> Mapping[str, Kind]:
    names: dict[str, Kind] = {}
    for lang in LANGS:
        for kind, folder in load_layout(lang).customer_dirs.items():
            names[folder.casefold()] = kind
    # Common spellings salespeople use for the same folders.
    names.update(
        {
            "订单": "order",
            "order": "order",
            "quote": "quote",
            "quotation": "quote",
            "quotations": "quote",
            "draft": "drafts",
            "pis": "pi",
        }
    )
    return names


def kind_of_folder(name: str) -> Kind | None:
    """The kind of a customer subfolder (OUT, IN, 报价...), in either language."""
    return _kind_names().get(unicodedata.normalize("NFC", name).strip().casefold())


def customers_folder_names() -> tuple[str, ...]:
    """The names the customers folder may have, in every layout language."""
    return tuple(load_layout(lang).customers for lang in LANGS)
