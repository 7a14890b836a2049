"""check's timelines are built one customer at a time from the index's rows as they
come: the same timelines, in the same order, whatever order the customers come in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from folder_kit.followup import pipeline
from folder_kit.timeline.events import fresh_index
from folder_kit.workspace.find import open_workspace

TODAY = dt.date(2026, 12, 1)
NAMES = ["Zeta Trading", "Alpha GmbH", "Mid Co", "beta sarl", "Quiet Ltd"]


def test_timelines_are_the_same_whatever_order_the_customers_come_in(workspace: Path) -> None:
    for n, name in enumerate(NAMES):
        grade = "B-在谈客户" if n % 2 else "A-交易客户"
        out = workspace / "客户" / grade / name / "OUT"
        out.mkdir(parents=True)
        if name != "Quiet Ltd":  # a customer with no events at all
            for day in range(1, 4 + n):
                (out / f"2026-0{day}-0{n + 1} offer {day}.txt").write_text("x", encoding="utf-8")
    ws = open_workspace(workspace)
    with fresh_index(ws) as index:
        customers = pipeline._customers(ws, index, TODAY)
        assert list(customers) == sorted(customers)  # the index's order: its keys'
        in_order = pipeline._timelines(ws, index, today=TODAY, customers=customers)
        backwards = dict(reversed(customers.items()))
        shuffled = pipeline._timelines(ws, index, today=TODAY, customers=backwards)
        one = pipeline._timelines(ws, index, today=TODAY, key="Mid Co", customers=customers)
    # B before A, then by name; Alpha's, Mid's and Zeta's rows come before Quiet's turn
    # when the customers come backwards, and are kept for them.
    assert [(tl.customer, len(tl.events)) for tl in in_order] == [
        ("Alpha GmbH", 4), ("beta sarl", 6), ("Mid Co", 5), ("Quiet Ltd", 0), ("Zeta Trading", 3)
    ]  # fmt: skip
    # The same but for ties (none here): a group ahead of its customer is kept for it.
    assert shuffled == in_order
    assert one == [in_order[2]]
