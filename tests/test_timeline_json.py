"""`timeline --json` as SQLite writes it: the same text as json.dumps of the events,
in the same order, for any text the index can hold, whatever its SQLite's json_quote
writes; and the bounds of a customer's events as SQL finds them."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import Invoke
from helpers import assert_ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_scan import age_tree, two_customers

from folder_kit.timeline import events
from folder_kit.timeline.bounds import bounds_of
from folder_kit.timeline.index import Changes, CustomerRow, FileRow, GradeRow, Index

# Anything SQLite stores as text: every code point but the lone surrogates (which
# cannot be UTF-8), the controls and NUL included.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
# Few values, so that events tie on day, date and customer and the order is tested.
DAYS = st.sampled_from(["2026-03-01", "2026-03-02"])
DATES = st.sampled_from(["2026-03-01", "2026-03-01T09:00:00+01:00", "2026-03-02"])
GRADES = st.sampled_from(["A", "B", "C", "D", "P"])
# Instants from before the epoch to the end of the readable years, a few of them shared.
INSTANT = st.sampled_from([0, 1_800_000_000, 1_800_000_001]) | st.integers(-(10**10), 4_200_000_000)
INSTANTS = st.none() | INSTANT
KINDS = st.sampled_from(["out", "in", "quote", "pi", "order", "card", "history"])


@st.composite
def index_rows(draw: st.DrawFn) -> Changes:
    keys = draw(st.lists(TEXT, min_size=1, max_size=4, unique=True))
    changes = Changes()
    for key in keys:
        changes.customers.append(
            CustomerRow(key, key, draw(GRADES), draw(TEXT), 0, "", None, None, None)
        )
        for rel in draw(st.lists(TEXT.filter(bool), max_size=4, unique=True)):
            changes.files.append(
                FileRow(key, rel, "", 0, 0, draw(KINDS), draw(DATES), draw(DAYS), draw(INSTANTS),
                        draw(st.sampled_from(["header", "filename", "mtime"])),
                        draw(st.none() | TEXT), draw(st.none() | TEXT), draw(st.none() | TEXT))
            )  # fmt: skip
        moves = draw(st.lists(st.tuples(DATES, DAYS, INSTANT, GRADES, GRADES), max_size=3))
        if moves:
            changes.grades[key] = [
                GradeRow(key, seq, date, day, at, a, b)
                for seq, (date, day, at, a, b) in enumerate(moves)
            ]
    return changes


@pytest.fixture
def fresh_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A function giving an empty index each time, without a workspace."""
    counter = itertools.count()

    def make() -> Index:
        monkeypatch.setenv("FOLDER_KIT_STATE", str(tmp_path / f"state{next(counter)}"))
        return Index.open(tmp_path / "ws")

    return make


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=index_rows(), customer=st.booleans(), broken=st.booleans())
def test_sqlite_writes_what_json_dumps_writes(
    fresh_index: Any, changes: Changes, customer: bool, broken: bool
) -> None:
    """Whatever this SQLite's json_quote writes (``broken``: one that writes its own
    way, as SQLite versions have), the events come out as json.dumps writes them."""
    ws: Any = SimpleNamespace(customers_dir=Path("客户"))
    with fresh_index() as index:
        with index.transaction() as conn:
            Index.write(conn, changes)
        key = changes.customers[0].key if customer else None
        expected = [e.as_json() for e in events.load_events(ws, index, customer=key)]
        if broken:
            index.conn.create_function("json_quote", 1, lambda v: json.dumps(v).upper())
        written = list(index.timeline_json("客户", key))
    assert written == [in_list(value).encode("utf-8") for value in expected]
    text = b"[\n" + b",\n".join(written) + b"\n]" if written else b"[]"
    assert text.decode("utf-8") == json.dumps(expected, ensure_ascii=False, indent=2)


def in_list(value: dict[str, object]) -> str:
    """An object as json.dumps(indent=2) writes it inside a list."""
    return "  " + json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")


@pytest.fixture
def ws(workspace: Path) -> Path:
    age_tree(two_customers(workspace))
    return workspace


@pytest.mark.parametrize("name", [None, "ACME"])
def test_without_sqlite_json_the_output_is_the_same(
    invoke: Invoke, ws: Path, monkeypatch: pytest.MonkeyPatch, name: str | None
) -> None:
    args = ["timeline", *([name] if name else []), "--json", "-w", str(ws)]
    fast = invoke(*args)
    assert_ok(fast)
    assert json.loads(fast.stdout)  # events, not an empty list
    monkeypatch.setattr(Index, "_quotes_as_python", lambda self: False)
    slow = invoke(*args)
    assert_ok(slow)
    assert slow.stdout == fast.stdout


def test_a_sqlite_that_quotes_otherwise_is_found(fresh_index: Any) -> None:
    """The probe is what decides: a json_quote that wrote a control character its
    own way (as SQLite versions have) must be replaced by Python's quoting."""
    with fresh_index() as index:
        assert index._quotes_as_python()
        index.conn.create_function("json_quote", 1, lambda v: json.dumps(v).upper())
        assert not index._quotes_as_python()


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=index_rows())
def test_the_bounds_of_events_are_those_sqlite_finds(fresh_index: Any, changes: Changes) -> None:
    """The follow-up facts rest on a customer's bounds (first and last reply, order,
    offer, first `out`, latest contact): found by SQL for every customer, or in
    one customer's events. Both must agree, ties on day and date included."""
    ws: Any = SimpleNamespace(customers_dir=Path("客户"))
    with fresh_index() as index:
        with index.transaction() as conn:
            Index.write(conn, changes)
        by_sql = {b.customer: b for b in index.kind_bounds(until="9999-12-31")}
        rows = index.customers()
        for key, row in rows.items():
            own = events.load_events(ws, index, customer=key)
            found = bounds_of(key, own, f"客户/{row.grade_folder}/{row.name}")
            want = by_sql.get(key)
            if want is None or found is None:
                assert want == found, key
                continue
            assert sorted(found.out_stamps) == sorted(want.out_stamps)
            assert found._replace(out_stamps=()) == want._replace(out_stamps=())
