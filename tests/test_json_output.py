"""The commands' JSON, encoded faster than json.dumps(indent=2) but to the same bytes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from folder_kit.cli import common


def dumps_indented(value: object) -> str:
    return "".join(common.json_pieces(value))


def reference(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@pytest.mark.parametrize(
    "value",
    [
        [],
        {},
        [{}],
        [{"a": 1}, {}],
        [{"a": 1}],
        [{"a": "x", "b": None, "c": True, "d": 1.5, "e": -3}],
        [{"s": "},\n    {"}, {"s": '"},\n    {"'}],  # the seam, inside strings
        [{"path": "客户/A-交易客户/Müller & Söhne GmbH/OUT/a\u2028b\x85c\x7f.eml"}],
        [{"ctl": '\x00\x1f\t\n\r"\\/'}, {"k": "v"}],
        [{"nested": [1, 2]}, {"k": "v"}],  # not flat: json.dumps itself
        [{"nested": {"a": 1}}],
        {"customers": 2, "warnings": ["a", "b"]},
        [1, "two", None],
        [{"x": float("nan"), "y": float("inf")}],
        [{1: "int key"}],
    ],
)
def test_same_bytes_as_json_dumps(value: object) -> None:
    assert dumps_indented(value) == reference(value)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7])
def test_same_bytes_across_chunks(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "_CHUNK", 2)
    value = [{"n": n, "s": f"x{n}"} for n in range(count)]
    assert dumps_indented(value) == reference(value)


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text())


@settings(max_examples=300)
@given(st.lists(st.dictionaries(st.text(), scalars, max_size=6), max_size=6))
def test_same_bytes_for_any_list_of_flat_objects(value: list[dict[str, object]]) -> None:
    assert dumps_indented(value) == reference(value)
