"""An event's JSON members are defined once (event_json.MEMBERS): a member added to
the table appears, in its place, both in `timeline --json` (written by SQL) and in
the watcher's lines (Event.as_json), with nothing else changed."""

from __future__ import annotations

import itertools
import json
import queue
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import Invoke
from helpers import assert_ok
from hypothesis import HealthCheck, given, settings
from test_scan import ACME, age_tree, two_customers
from test_timeline_json import in_list, index_rows

from folder_kit.timeline import event_json, events
from folder_kit.timeline.event_json import MEMBERS, Member, timeline_json_sql
from folder_kit.timeline.index import Changes, Index
from folder_kit.watch.watcher import Watcher
from folder_kit.workspace.find import open_workspace

# Members a future version might add, each of another sort: one in the middle,
# in every event; one at the end that is the customer's alone (the same SQL for
# both kinds of event); one only in a file's event, left out where it is null.
DAY = Member("day", "day", "json_quote(f.day)", "json_quote(g.day)")
FOLDER_GRADE = Member("folder_grade", "grade", "json_quote(c.grade)", "json_quote(c.grade)")
MEDIUM_IF_ANY = Member("medium_if_any", "medium", "json_quote(f.medium)", None, optional=True)


def extended() -> tuple[Member, ...]:
    names = [m.name for m in MEMBERS]
    at = names.index("date") + 1
    return (*MEMBERS[:at], DAY, *MEMBERS[at:], FOLDER_GRADE, MEDIUM_IF_ANY)


def expected_keys(event: dict[str, Any]) -> list[str]:
    """The keys an object of the extended table has, in order (MEMBERS as they are
    today, spelled out: a test of the table must not be made from it)."""
    keys = ["customer", "grade", "kind", "date", "day", "date_source", "medium", "topic", "path"]
    if event["kind"] == "grade":
        return [*keys, "from", "to", "folder_grade"]
    keys += ["subject"] if event.get("subject") is not None else []
    keys += ["folder_grade"]
    return keys + (["medium_if_any"] if event["medium"] is not None else [])


@pytest.fixture
def ws(workspace: Path, invoke: Invoke) -> Path:
    """Two customers, one of them moved to another grade (a grade event)."""
    age_tree(two_customers(workspace))
    assert_ok(invoke("-w", str(workspace), "customer", "move", "ACME GmbH", "--grade", "D"))
    return workspace


@pytest.fixture
def empty_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], Index]:
    """A function giving an empty index each time, without a workspace."""
    counter = itertools.count()

    def make() -> Index:
        monkeypatch.setenv("FOLDER_KIT_STATE", str(tmp_path / f"state{next(counter)}"))
        return Index.open(tmp_path / "ws")

    return make


def watcher_lines(root: Path) -> list[dict[str, Any]]:
    """What `watch --json` prints of the events of its first reconcile: a Watcher
    run in a thread on a fresh index, each note as the CLI prints it."""
    notes: queue.Queue[dict[str, Any]] = queue.Queue()
    warnings: list[str] = []
    watcher = Watcher(
        open_workspace(root), on_note=lambda n: notes.put(n.as_json()), on_warning=warnings.append
    )
    thread = threading.Thread(target=watcher.run, name="watcher under test")
    thread.start()
    lines = []
    try:
        while "ready" not in (note := notes.get(timeout=30)):
            lines.append(json.loads(json.dumps(note, ensure_ascii=False)))
    finally:
        watcher.stop()
        thread.join(timeout=20)
    assert not thread.is_alive()
    assert warnings == []
    return lines


def test_a_member_added_to_the_table_is_in_the_timeline_and_in_the_watchers_lines(
    ws: Path, invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(event_json, "MEMBERS", extended())
    # A state folder of its own: the watcher's first reconcile finds every event new.
    monkeypatch.setenv("FOLDER_KIT_STATE", str(tmp_path / "fresh-state"))
    # Cards that changed since folder-kit first saw them: card events too.
    with Index.open(ws) as index, index.transaction() as conn:
        conn.executemany(
            "INSERT INTO cards_seen VALUES (?, 'as it was')",
            [(unicodedata.normalize("NFC", c.parent.name),) for c in ws.glob("*/*/*/Contact.txt")],
        )
    lines = watcher_lines(ws)
    result = invoke("-w", str(ws), "timeline", "--json")
    assert_ok(result)
    timeline = json.loads(result.stdout)

    assert {e["kind"] for e in timeline} >= {"grade", "out", "card"}
    assert any("subject" in e for e in timeline)
    for event in timeline:
        assert list(event) == expected_keys(event), event
        assert event["folder_grade"] == event["grade"]
    assert all(line.pop("change") == "new" for line in lines)
    for line in lines:
        line.pop("highlight", None)
    # Every event once in each, the same members in the same order.
    as_items = sorted(json.dumps(list(e.items()), ensure_ascii=False) for e in timeline)
    assert sorted(json.dumps(list(e.items()), ensure_ascii=False) for e in lines) == as_items


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=index_rows())
def test_sql_and_python_agree_on_the_extended_table(
    empty_index: Callable[[], Index], monkeypatch: pytest.MonkeyPatch, changes: Changes
) -> None:
    """Byte for byte, for any text the index can hold, as for today's table."""
    monkeypatch.setattr(event_json, "MEMBERS", extended())
    ws: Any = SimpleNamespace(customers_dir=Path("客户"))
    with empty_index() as index:
        with index.transaction() as conn:
            Index.write(conn, changes)
        expected = [e.as_json() for e in events.load_events(ws, index)]
        written = list(index.timeline_json("客户"))
    assert written == [in_list(value).encode("utf-8") for value in expected]
    assert all(list(value) == expected_keys(value) for value in expected)


def test_a_table_back_to_todays_gives_todays_objects(ws: Path, invoke: Invoke) -> None:
    """The objects follow the table in use, not the first one seen: made again when
    it changes, back included."""
    args = ("-w", str(ws), "timeline", ACME.split("/")[-1], "--json")
    before = invoke(*args)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(event_json, "MEMBERS", extended())
        during = invoke(*args)
        assert all("day" in e for e in json.loads(during.stdout))
    after = invoke(*args)
    assert_ok(after)
    assert after.stdout == before.stdout
    assert all("day" not in e for e in json.loads(after.stdout))


@pytest.mark.parametrize(
    "first",
    [
        Member("subject", "subject", "json_quote(f.subject)", "'null'", optional=True),
        Member("from", "from_grade", None, "json_quote(g.from_grade)"),
        Member("subject", "subject", "json_quote(f.subject)", None),
    ],
)
def test_a_first_member_missing_from_some_events_is_refused(first: Member) -> None:
    """The object opens with its first member: one that may be left out would leave
    a leading comma in some objects."""
    with pytest.raises(ValueError, match="first member"):
        timeline_json_sql((first, *MEMBERS), stamp="''", keyed=False)
    assert timeline_json_sql(MEMBERS, stamp="''", keyed=False)
