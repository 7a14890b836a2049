"""The commands' JSON, encoded faster than json.dumps(indent=2) but to the same bytes."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from folder_kit.cli import common


def dumps_indented(value: object) -> str:
    pieces = common.json_pieces(value)
    return "".join(p.decode("utf-8") if isinstance(p, bytes) else p for p in pieces)


@pytest.fixture(autouse=True, params=["stdlib", "orjson"])
def encoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs on both paths: the standard library's, and orjson's (the
    `fast` extra) for lists of any length."""
    if request.param == "orjson":
        pytest.importorskip("orjson")
        monkeypatch.setattr(common, "ORJSON_MIN", 0)
    else:
        monkeypatch.setattr(common, "_orjson", lambda: None)
    return str(request.param)


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
        [{"lone": "\udc80 surrogate"}],  # orjson refuses it: json writes it
        [{"big": 2**70, "small": -(2**63)}],
    ],
)
def test_same_bytes_as_json_dumps(value: object) -> None:
    assert dumps_indented(value) == reference(value)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7])
def test_same_bytes_across_chunks(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "_CHUNK", 2)
    value = [{"n": n, "s": f"x{n}"} for n in range(count)]
    assert dumps_indented(value) == reference(value)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5])
def test_objects_written_already_print_as_one_list_across_chunks(
    count: int, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """``print_json_objects`` (the timeline's events, each written by SQLite) writes
    a chunk at a time: the seams, brackets and escapes are print_json's."""
    monkeypatch.setattr(common, "_CHUNK", 2)
    value = [
        {"n": n, "s": f"x{n}", "sep": "\u2028" if n == count - 1 else ""} for n in range(count)
    ]
    common.print_json(value)
    expected = capsysbinary.readouterr().out
    objects = [json.dumps(v, ensure_ascii=False, indent=2).replace("\n", "\n  ") for v in value]
    common.print_json_objects([("  " + o).encode("utf-8") for o in objects])
    assert capsysbinary.readouterr().out == expected
    assert b"\\u2028" in expected  # escaped, in the last chunk


# Any code point, lone surrogates too (a file name read with surrogateescape).
ANY_CHAR = st.characters(blacklist_categories=())
scalars = st.one_of(
    st.integers(min_value=-(2**64), max_value=2**64),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.text(ANY_CHAR),
)


@settings(max_examples=300)
@given(st.lists(st.dictionaries(st.text(ANY_CHAR), scalars, max_size=6), max_size=6))
def test_same_bytes_for_any_list_of_flat_objects(value: list[dict[str, object]]) -> None:
    assert dumps_indented(value) == reference(value)


# Every character print_json escapes, but the lone surrogates orjson never writes.
RAW = [
    chr(c)
    for c in range(0x110000)
    if common._JSON_RAW.fullmatch(chr(c)) and not 0xD800 <= c < 0xE000
]


def test_every_escaped_character_is_found_in_utf8() -> None:
    assert len(RAW) > 40
    for ch in RAW:
        data = ch.encode("utf-8")
        assert data[:1] in common._RAW_UTF8_BYTES, hex(ord(ch))
        assert common._RAW_UTF8.fullmatch(data), hex(ord(ch))


@pytest.mark.parametrize("text", ["plain 报价 Müller", *RAW, "a\u2028b\x85c", "·°\u2014"])
def test_utf8_escaping_matches_text_escaping(text: str) -> None:
    data = json.dumps([{"s": text}], ensure_ascii=False).encode("utf-8")
    assert common._escape_raw_utf8(data) == common._escape_raw(data.decode()).encode()


# Near the characters that are escaped: the bytes that lead their UTF-8, and others.
NEAR_RAW = st.characters(blacklist_categories=("Cs",)) | st.sampled_from(
    "\x7f\x80\x85\x9f\xa0\u2014\u201c\u200d\u200e\u200f\u2027\u2028\u2029\u202a\u202e\u202f"
    "\u2065\u2066\u2069\u206a"
)


@given(text=st.text(NEAR_RAW, max_size=40))
def test_the_utf8_escaping_is_the_text_escaping(text: str) -> None:
    """What is written as bytes (orjson's, SQLite's) is escaped exactly as text is."""
    assert common._escape_raw_utf8(text.encode("utf-8")) == common._escape_raw(text).encode("utf-8")


def rows_reference(rows: list[dict[str, object]]) -> str:
    """print_json_rows as it was written first: one json.dumps per object."""
    if not rows:
        return "[]\n"
    return "[\n" + ",\n".join(common.json_line(r) for r in rows) + "\n]\n"


@settings(max_examples=300)
@given(
    st.lists(
        st.dictionaries(
            st.text(ANY_CHAR),
            scalars
            | st.lists(scalars, max_size=2)
            | st.lists(st.text(ANY_CHAR), max_size=3)
            | st.dictionaries(st.text(ANY_CHAR), scalars | st.lists(scalars), max_size=3),
            max_size=5,
        ),
        max_size=6,
    )
)
@pytest.mark.parametrize("chunk", [2, 2000])
def test_rows_one_a_line_are_the_same_as_one_dumps_per_row(
    chunk: int, value: list[dict[str, object]]
) -> None:
    """Rows whose lists hold strings and whose objects hold scalars go through one
    json.dumps a chunk; others (a list of numbers, an object holding a list) one per
    row. In chunks of two, a chunk with a lone surrogate may follow one without."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="surrogateescape")
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        patch.setattr(common, "_CHUNK", chunk)
        common.print_json_rows(value)
    out.flush()
    assert out.buffer.getvalue() == rows_reference(value).encode("utf-8", "surrogateescape")
