"""What a reconcile added or dropped: the events before and after, by identity.

The index tells which rows changed since its snapshot (``Index.changed_since``);
here they become the events the watcher reports, oldest first. An event whose
content changed (a file rewritten) is reported gone, then new.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from folder_kit.timeline.events import Event, file_event, grade_event
from folder_kit.timeline.index import Diff


@dataclass(frozen=True)
class Change:
    """One event the watcher added to the index or dropped from it."""

    change: Literal["new", "gone"]
    event: Event
    highlight: str | None = None

    def as_json(self) -> dict[str, object]:
        out = {**self.event.as_json(), "change": self.change}
        if self.highlight is not None:
            out["highlight"] = self.highlight
        return out

    @property
    def rel(self) -> str:
        """The path inside the customer folder ("" for a grade change)."""
        if self.event.kind == "grade":
            return ""
        return self.event.path.split("/", 3)[3]


def changes_of(diff: Diff, base: str) -> list[Change]:
    """The events of ``diff``, oldest first; ``base`` is the customers folder's name
    (for the events' paths). A gone event shows its customer as it was, a new one
    as it is."""
    now, then = diff.customers_now, diff.customers_then
    changes: list[Change] = []
    for files, customers, change in (
        (diff.gone_files, then, "gone"),
        (diff.new_files, now, "new"),
    ):
        for f in files:
            c = customers.get(f.customer) or now.get(f.customer) or then.get(f.customer)
            if c is not None:
                changes.append(Change(change, file_event(base, c, f)))  # type: ignore[arg-type]
    for grades, customers, change in (
        (diff.gone_grades, then, "gone"),
        (diff.new_grades, now, "new"),
    ):
        for g in grades:
            c = customers.get(g.customer) or now.get(g.customer) or then.get(g.customer)
            if c is not None:
                changes.append(Change(change, grade_event(base, c, g)))  # type: ignore[arg-type]
    order = {"gone": 0, "new": 1}
    changes.sort(
        key=lambda c: (
            c.event.day,
            c.event.date,
            c.event.customer,
            c.event.path,
            order[c.change],
        )
    )
    return changes
