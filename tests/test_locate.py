"""Where a path lies in a workspace (``workspace.locate``): tables, no file system."""

from __future__ import annotations

import os
import unicodedata

import pytest

from folder_kit.workspace.layout import grade_of_folder
from folder_kit.workspace.locate import Location, locate, locate_parts


def contact_place(path: str) -> tuple[str, str, str, str, str] | None:
    """What a file's meaning starts from: (grade, grade folder, customer, kind, rel)
    of a file inside a customer's kind folder or its card, else None."""
    loc = locate_parts(path.split("/"))
    if loc.level != "customer" or loc.grade is None or loc.kind is None:
        return None
    if loc.kind != "card" and "/" not in loc.rel:
        return None  # the kind folder itself, or a file named like one
    return (
        loc.grade,
        loc.grade_folder,
        unicodedata.normalize("NFC", loc.customer),
        loc.kind,
        loc.rel,
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # the card
        (
            "客户/B-在谈客户/ACME/Contact.txt",
            ("B", "B-在谈客户", "ACME", "card", "Contact.txt"),
        ),
        # each customer folder, zh names
        ("客户/B-在谈客户/ACME/OUT/x.eml", ("B", "B-在谈客户", "ACME", "out", "OUT/x.eml")),
        ("客户/B-在谈客户/ACME/IN/x.eml", ("B", "B-在谈客户", "ACME", "in", "IN/x.eml")),
        (
            "客户/B-在谈客户/ACME/报价/q.xlsx",
            ("B", "B-在谈客户", "ACME", "quote", "报价/q.xlsx"),
        ),
        ("客户/B-在谈客户/ACME/PI/pi.pdf", ("B", "B-在谈客户", "ACME", "pi", "PI/pi.pdf")),
        (
            "客户/B-在谈客户/ACME/定单/po.pdf",
            ("B", "B-在谈客户", "ACME", "order", "定单/po.pdf"),
        ),
        # the common misspelling of 定单
        (
            "客户/B-在谈客户/ACME/订单/po.pdf",
            ("B", "B-在谈客户", "ACME", "order", "订单/po.pdf"),
        ),
        (
            "客户/B-在谈客户/ACME/草稿/d.eml",
            ("B", "B-在谈客户", "ACME", "drafts", "草稿/d.eml"),
        ),
        # en names
        (
            "Customers/A-Trading/ACME/Quotes/q.xlsx",
            ("A", "A-Trading", "ACME", "quote", "Quotes/q.xlsx"),
        ),
        (
            "Customers/A-Trading/ACME/Orders/po.pdf",
            ("A", "A-Trading", "ACME", "order", "Orders/po.pdf"),
        ),
        (
            "Customers/A-Trading/ACME/Drafts/d.eml",
            ("A", "A-Trading", "ACME", "drafts", "Drafts/d.eml"),
        ),
        (
            "Customers/A-Trading/ACME/Contact.txt",
            ("A", "A-Trading", "ACME", "card", "Contact.txt"),
        ),
        # the folder's kind is that of the top folder inside the customer, however deep
        (
            "客户/B-在谈客户/ACME/OUT/2025/x.eml",
            ("B", "B-在谈客户", "ACME", "out", "OUT/2025/x.eml"),
        ),
        (
            "客户/B-在谈客户/ACME/IN/OUT/2025/x.eml",
            ("B", "B-在谈客户", "ACME", "in", "IN/OUT/2025/x.eml"),
        ),
        # a Contact.txt inside OUT is a file sent, not the card
        (
            "客户/B-在谈客户/ACME/OUT/Contact.txt",
            ("B", "B-在谈客户", "ACME", "out", "OUT/Contact.txt"),
        ),
        # grade folders by their leading letter, in both languages and renamed
        ("客户/A-交易客户/X/OUT/a.txt", ("A", "A-交易客户", "X", "out", "OUT/a.txt")),
        ("客户/C-潜力客户/X/OUT/a.txt", ("C", "C-潜力客户", "X", "out", "OUT/a.txt")),
        ("客户/D-行业客户/X/OUT/a.txt", ("D", "D-行业客户", "X", "out", "OUT/a.txt")),
        ("客户/待开发客户/X/OUT/a.txt", ("P", "待开发客户", "X", "out", "OUT/a.txt")),
        ("Customers/C-Potential/X/IN/a.txt", ("C", "C-Potential", "X", "in", "IN/a.txt")),
        ("Customers/D-Industry/X/IN/a.txt", ("D", "D-Industry", "X", "in", "IN/a.txt")),
        ("Customers/Prospects/X/IN/a.txt", ("P", "Prospects", "X", "in", "IN/a.txt")),
        ("客户/B 在谈/X/OUT/a.txt", ("B", "B 在谈", "X", "out", "OUT/a.txt")),
        ("客户/b_negotiating/X/OUT/a.txt", ("B", "b_negotiating", "X", "out", "OUT/a.txt")),
        # a customer name in NFD (as macOS writes it) is the same customer as in NFC
        (
            "Customers/A-Trading/Mu\u0308ller/OUT/a.txt",
            ("A", "A-Trading", "Müller", "out", "OUT/a.txt"),
        ),
        # not a contact: files at the customer's top level, other folders, non-grade folders
        ("客户/B-在谈客户/ACME/notes.pdf", None),
        ("客户/B-在谈客户/ACME/Contact.txt.bak", None),
        ("客户/B-在谈客户/ACME/资料/x.pdf", None),
        ("客户/B-在谈客户/ACME/OUT", None),
        ("客户/Archive/ACME/OUT/x.eml", None),
        ("客户/Done/ACME/OUT/x.eml", None),
        ("客户/归档/ACME/OUT/x.eml", None),
        ("客户/B-在谈客户/ACME", None),
        ("客户/B-在谈客户", None),
        ("客户", None),
        # a grade-like folder anywhere but under 客户/ holds no customers
        ("产品/A-x/Foo/OUT/a.eml", None),
        ("内联/B-factory/Wang/IN/a.eml", None),
        ("模板/C/ACME/Contact.txt", None),
        ("Products/A-Trading/ACME/OUT/a.eml", None),
    ],
)
def test_the_place_of_a_contact_file(path: str, expected: tuple[str, ...] | None) -> None:
    assert contact_place(path) == expected


ROOT = os.path.join(os.sep, "w")
CUSTOMERS = os.path.join(ROOT, "客户")


def p(*parts: str) -> str:
    return os.path.join(CUSTOMERS, *parts)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            p("B-在谈客户", "ACME", "OUT", "x.eml"),
            ("customer", p("B-在谈客户", "ACME"), "OUT/x.eml"),
        ),
        (p("B-在谈客户", "ACME"), ("customer", p("B-在谈客户", "ACME"), "")),
        (
            p("B-在谈客户", "ACME", "OUT", "a", "b.pdf"),
            ("customer", p("B-在谈客户", "ACME"), "OUT/a/b.pdf"),
        ),
        (p("B-在谈客户"), ("grades", "", "")),
        (CUSTOMERS, ("grades", "", "")),
        (os.path.join(ROOT, "folder-kit.yaml"), ("root", "", "folder-kit.yaml")),
        (os.path.join(ROOT, "产品", "x.jpg"), ("outside", "", "")),
        (os.path.join(os.sep, "elsewhere", "x"), ("outside", "", "")),
        (p("B-在谈客户x"), ("grades", "", "")),
        (CUSTOMERS + "2", ("root", "", "客户2")),
        ("", ("outside", "", "")),
    ],
)
def test_where_an_absolute_path_lies(path: str, expected: tuple[str, str, str]) -> None:
    loc = locate(path, root=ROOT, customers=CUSTOMERS)
    assert (loc.level, loc.folder, loc.rel) == expected


def test_the_workspace_folder_itself_is_root() -> None:
    assert locate(ROOT, root=ROOT, customers=CUSTOMERS) == Location("root")


@pytest.mark.parametrize(
    ("parts", "kind"),
    [
        (("OUT", "x.eml"), "out"),
        (("OUT",), "out"),  # the kind folder itself
        (("草稿", "d.eml"), "drafts"),
        (("Contact.txt",), "card"),
        (("OUT", "Contact.txt"), "out"),
        (("资料", "x.pdf"), None),
        (("notes.pdf",), None),
        ((), None),
    ],
)
def test_the_kind_of_a_customers_folder(parts: tuple[str, ...], kind: str | None) -> None:
    loc = locate(p("B-在谈客户", "ACME", *parts), root=ROOT, customers=CUSTOMERS)
    assert (loc.level, loc.customer, loc.grade, loc.kind) == ("customer", "ACME", "B", kind)


@pytest.mark.parametrize("grade_folder", ["B-在谈客户", "Archive", "归档"])
def test_a_customer_folder_in_any_folder_of_customers_names_its_grade(grade_folder: str) -> None:
    """The watcher reconciles a folder in any entry of 客户/ (the scan then says
    whether it is a customer); the grade says whether that entry is a grade folder."""
    loc = locate(p(grade_folder, "ACME", "OUT", "x.eml"), root=ROOT, customers=CUSTOMERS)
    assert (loc.level, loc.grade_folder, loc.grade) == (
        "customer",
        grade_folder,
        grade_of_folder(grade_folder),
    )
