from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from folder_kit.errors import UsageError
from folder_kit.timeline.dates import date_from_name, parse_iso_day

D = dt.date


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # the forms docs/domain.md names
        ("2026-11-26.eml", D(2026, 11, 26)),
        ("20261126.pdf", D(2026, 11, 26)),
        ("2026.11.26.xlsx", D(2026, 11, 26)),
        ("2026_11_26 报价.xlsx", D(2026, 11, 26)),
        ("2026年11月26日 报价.xlsx", D(2026, 11, 26)),
        ("2026年1月5日电话.txt", D(2026, 1, 5)),
        ("电话记录 2026年1月5号.txt", D(2026, 1, 5)),
        ("2026 年 3 月 9 日.docx", D(2026, 3, 9)),
        # inside the names people give documents
        ("PI-2026.04.01-0042.pdf", D(2026, 4, 1)),
        ("Quote-20260401.pdf", D(2026, 4, 1)),
        ("2026-03-05 price list.eml", D(2026, 3, 5)),
        ("Re_ Offer 2026-3-5.msg", D(2026, 3, 5)),
        ("PO20260401.pdf", D(2026, 4, 1)),
        ("sample DHL 1234567890 2026-02-28.jpg", D(2026, 2, 28)),
        ("invoice_20240229.pdf", D(2024, 2, 29)),
        ("报价单２０２６．１１．２６.pdf", D(2026, 11, 26)),  # full-width digits
        ("1999-12-31 old catalogue.pdf", D(1999, 12, 31)),
        # several dates: the first one
        ("2026-01-02 reply to 2025-12-30.eml", D(2026, 1, 2)),
        ("PI 20260105 rev 2026-01-09.pdf", D(2026, 1, 5)),
        # a bad candidate does not hide a good one further along
        ("2026-13-45 then 2026-02-03.txt", D(2026, 2, 3)),
        # order and invoice numbers are not dates
        ("PO123456789.pdf", None),
        ("2026112699.pdf", None),
        ("INV-1202611260.pdf", None),
        ("12026-11-26.pdf", None),
        ("2026-11-260.pdf", None),
        ("tel 13812345678.txt", None),
        # impossible or implausible days
        ("2026-13-45.pdf", None),
        ("20261399.pdf", None),
        ("20250229.pdf", None),
        ("2026年2月30日.txt", None),
        ("1899-01-01.pdf", None),
        ("21000101.pdf", None),
        # no date at all, or forms left out on purpose
        ("price list.xlsx", None),
        ("", None),
        ("v1.2.3.zip", None),
        ("26-11-2026.pdf", None),  # day first: ambiguous between US and Europe
        ("2026-11_26.pdf", None),  # mixed separators
    ],
)
def test_date_from_name(name: str, expected: dt.date | None) -> None:
    assert date_from_name(name) == expected


# The three forms on their own, tried in turn at each position from the left: what
# the one pattern date_from_name searches with must find (it is written for speed).
_YEAR = r"(199[0-9]|20[0-9]{2})"
_FORMS = [
    re.compile(_YEAR + r"([-._])([0-9]{1,2})\2([0-9]{1,2})(?![0-9])"),
    re.compile(_YEAR + r"()([0-9]{2})([0-9]{2})(?![0-9])"),
    re.compile(_YEAR + r"()\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})(?:\s*[日号]|(?![0-9]))"),
]


def _first_date(name: str) -> dt.date | None:
    text = unicodedata.normalize("NFKC", name)
    for pos in range(len(text)):
        if pos and text[pos - 1] in "0123456789":
            continue
        found = next((m for form in _FORMS if (m := form.match(text, pos))), None)
        if found is not None:
            try:
                return dt.date(int(found[1]), int(found[3]), int(found[4]))
            except ValueError:
                continue
    return None


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789-._ 年月日号aZ２０．", max_size=24))
def test_date_from_name_is_the_first_form_that_is_a_day(name: str) -> None:
    assert date_from_name(name) == _first_date(name)


@settings(max_examples=200, deadline=None)
@given(st.dates(D(1985, 1, 1), D(2105, 1, 1)), st.sampled_from(["-", ".", "_", "", "年"]))
def test_date_from_name_of_written_days(day: dt.date, sep: str) -> None:
    if sep == "年":
        text = f"x{day.year}年{day.month}月{day.day}日 y"
    elif sep:
        text = f"x {day.year}{sep}{day.month:02d}{sep}{day.day} y"
    else:
        text = f"PO {day:%Y%m%d}.pdf"
    assert date_from_name(text) == _first_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26", D(2026, 11, 26)),
        (" 2026-01-05 ", D(2026, 1, 5)),
        ("2024-02-29", D(2024, 2, 29)),
    ],
)
def test_parse_iso_day(text: str, expected: dt.date) -> None:
    assert parse_iso_day(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tomorrow",
        "2026-11-31",
        "2026-13-01",
        "20261126",
        "2026-W48-4",
        "2026/11/26",
        "26-11-2026",
    ],
)
def test_parse_iso_day_rejects(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_iso_day(text)
    assert str(info.value) == f"not a date: {text!r} (expected YYYY-MM-DD)"
