"""Due dates: the grade cadences, the latest contact restarting the clock, prospects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import build_tree

from folder_kit.followup.pipeline import due
from folder_kit.followup.rules import Ev, due_for, grade_on
from folder_kit.workspace.config import DEFAULT_CADENCE
from folder_kit.workspace.find import open_workspace

D = dt.date.fromisoformat
TODAY = D("2026-12-01")


@pytest.mark.parametrize(
    ("grade", "last", "has_out", "want_due", "late"),
    [
        ("B", "2026-11-24", True, "2026-12-01", 0),  # exactly one cadence: due today
        ("B", "2026-11-25", True, "2026-12-02", -1),
        ("B", "2026-11-01", True, "2026-11-08", 23),
        ("A", "2026-11-17", True, "2026-12-01", 0),
        ("C", "2026-11-10", True, "2026-12-01", 0),
        ("D", "2026-11-03", True, "2026-12-01", 0),
        ("D", "2026-11-30", False, "2026-12-28", -27),  # a reply restarts the clock
        ("P", "2026-11-03", True, "2026-12-01", 0),  # a prospect written to: D's cadence
        ("P", "2026-11-03", False, None, None),  # prospect, only their inquiry: none yet
        ("B", None, False, "2026-12-01", 0),  # a B never contacted: due now
        ("P", None, False, None, None),  # prospect with no events
    ],
)
def test_due_for(
    grade: str, last: str | None, has_out: bool, want_due: str | None, late: int | None
) -> None:
    ev = Ev("out" if has_out else "in", D(last)) if last else None
    got = due_for("X", grade, last=ev, has_out=has_out, cadence=DEFAULT_CADENCE, today=TODAY)
    if want_due is None:
        assert got is None
        return
    assert got is not None
    assert (got.due.isoformat(), got.days_overdue) == (want_due, late)


@pytest.mark.parametrize(
    ("moves", "day", "want"),
    [
        ((), "2026-06-01", "B"),
        ((("2026-07-01", "C", "B"),), "2026-06-30", "C"),
        ((("2026-07-01", "C", "B"),), "2026-07-01", "B"),
        ((("2026-03-01", "D", "C"), ("2026-07-01", "C", "B")), "2026-05-01", "C"),
        ((("2026-03-01", "D", "C"), ("2026-07-01", "C", "B")), "2026-01-01", "D"),
    ],
)
def test_grade_on(moves: tuple[tuple[str, str, str], ...], day: str, want: str) -> None:
    events = [Ev("grade", D(d), from_grade=f, to_grade=t) for d, f, t in moves]
    assert grade_on("B", events, D(day)) == want


def test_due_reads_the_workspace(workspace: Path) -> None:
    b = "客户/B-在谈客户"
    build_tree(
        workspace,
        {
            f"{b}/Late Co/OUT/2026-11-01 price list.txt": "x",
            f"{b}/Late Co/IN/2026-11-03 re price list.txt": "x",  # restarts the clock
            f"{b}/Soon Co/OUT/2026-11-28 new product.txt": "x",
            f"{b}/Future Co/OUT/2026-11-01 catalogue.txt": "x",
            f"{b}/Future Co/OUT/2026-12-20 fair.txt": "x",  # after --today: not known yet
            "客户/待开发客户/Cold Co/Contact.txt": "公司: Cold Co\n",
        },
    )
    ws = open_workspace(workspace)
    got = [d.as_json() for d in due(ws, today=TODAY)]
    assert [(d["customer"], d["due"], d["days_overdue"]) for d in got] == [
        ("Future Co", "2026-11-08", 23),
        ("Late Co", "2026-11-10", 21),
    ]
    assert got[1]["last_contact"] == "2026-11-03"
    assert got[1]["last"] == {
        "kind": "in",
        "medium": "file",
        "topic": "price-update",
        "path": f"{b}/Late Co/IN/2026-11-03 re price list.txt",
        "subject": "re price list",  # its name without the day: no subject to read
    }
    assert got[1]["dormant"] is False
    within = [d.customer for d in due(ws, today=TODAY, within=7)]
    assert within == ["Future Co", "Late Co", "Soon Co"]
