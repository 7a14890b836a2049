"""Recognising grade folders and customer subfolders by name, in either language."""

from __future__ import annotations

import pytest

from folder_kit.workspace.layout import GRADES, LANGS, grade_of_folder, kind_of_folder, load_layout


@pytest.mark.parametrize(
    ("name", "grade"),
    [
        ("A-交易客户", "A"),
        ("B-在谈客户", "B"),
        ("C-潜力客户", "C"),
        ("D-行业客户", "D"),
        ("待开发客户", "P"),
        ("A-Trading", "A"),
        ("B-Negotiating", "B"),
        ("C-Potential", "C"),
        ("D-Industry", "D"),
        ("Prospects", "P"),
        ("B 在谈", "B"),
        ("b_negotiating", "B"),
        ("B", "B"),
        ("C", "C"),
        ("c", "C"),
        ("A交易", "A"),
        ("  B-在谈客户  ", "B"),
        ("D1", "D"),
        ("P-未联系", "P"),
        ("P", "P"),
        ("prospects 2027", "P"),
        ("待开发", "P"),
        ("Archive", None),
        ("Backup", None),
        ("Done", None),
        ("Dealers", None),
        ("Clients", None),
        ("Products", None),
        ("Pending", None),
        ("E-其他", None),
        ("1-A", None),
        ("客户", None),
        ("其他", None),
        ("", None),
        ("   ", None),
    ],
)
def test_grade_of_folder(name: str, grade: str | None) -> None:
    assert grade_of_folder(name) == grade


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("grade", GRADES)
def test_every_shipped_grade_folder_is_recognised(lang: str, grade: str) -> None:
    layout = load_layout(lang)  # type: ignore[arg-type]
    assert grade_of_folder(layout.grades[grade]) == grade  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("OUT", "out"),
        ("out", "out"),
        ("Out", "out"),
        ("IN", "in"),
        ("in", "in"),
        ("报价", "quote"),
        ("Quotes", "quote"),
        ("quotation", "quote"),
        ("PI", "pi"),
        ("pi", "pi"),
        ("定单", "order"),
        ("订单", "order"),
        ("Orders", "order"),
        ("order", "order"),
        ("草稿", "drafts"),
        ("Drafts", "drafts"),
        (" OUT ", "out"),
        ("其他", None),
        ("Other", None),
        ("Inbox", None),
        ("OUTBOX", None),
        ("Contact.txt", None),
        ("", None),
    ],
)
def test_kind_of_folder(name: str, kind: str | None) -> None:
    assert kind_of_folder(name) == kind


def test_folders_lists_parents_before_children() -> None:
    for lang in LANGS:
        folders = load_layout(lang).folders()
        assert len(folders) == len(set(folders))
        for i, rel in enumerate(folders):
            if "/" in rel:
                assert rel.rsplit("/", 1)[0] in folders[:i]
