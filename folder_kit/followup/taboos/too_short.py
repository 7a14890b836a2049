"""5. The interval too short: two unanswered follow-ups closer than half a cadence.

`draft` warns with the same rule (``too_soon``) about the mail it is writing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from folder_kit.followup.rules import Ev, Finding, cadence_of, grade_on
from folder_kit.followup.taboos.registry import Seen, Taboo, answered_between, days_text, share
from folder_kit.workspace.thresholds import TOO_SHORT


def too_soon(last: Ev, then: Ev, events: Sequence[Ev], *, cadence: int, percent: int) -> bool:
    """``then`` follows the follow-up ``last`` too soon: less than ``percent`` % of
    the ``cadence`` later, with no reply between."""
    return (then.day - last.day).days < share(cadence, percent) and not answered_between(
        events, last, then
    )


def _cadence_on(s: Seen, day: dt.date) -> int:
    """The cadence of the grade the customer had on ``day``."""
    return cadence_of(grade_on(s.tl.grade, s.events, day), s.cadence, has_out=True)


def check(s: Seen) -> Finding | None:
    percent = s.taboos[TOO_SHORT]
    close: list[tuple[list[Ev], list[Ev], int]] = []
    for a, b in itertools.pairwise(s.by_day):
        if b[0].day < s.recent_from:
            continue
        days = _cadence_on(s, b[0].day)
        if too_soon(a[-1], b[0], s.events, cadence=days, percent=percent):
            close.append((a, b, days))
    if not close:
        return None
    a, b, days = close[-1]
    return s.finding(
        "too-short",
        f"follow-ups on {a[0].day} and {b[0].day}, {days_text((b[0].day - a[0].day).days)} "
        f"apart with no answer between (less than {percent} % of the "
        f"{days}-day cadence)",
        [e for x, y, _ in close for e in (*x, *y)],
        f"Leave about {days} days between follow-ups: a buyer who feels pressed stops answering.",
        a=a[0].day,
        b=b[0].day,
        gap=(b[0].day - a[0].day).days,
        percent=percent,
        cadence=days,
    )


TABOO = Taboo(
    code="too-short",
    names={"zh": "间隔太短", "en": "interval too short"},
    zh=(
        "{a} 和 {b} 的两次跟进只隔 {gap} 天，中间没有回复（不到 {cadence} 天周期的 {percent}%）",
        "两次跟进之间留出约 {cadence} 天：客户感到被催，就不再回复。",
    ),
    check=check,
    thresholds=(TOO_SHORT,),
)
