"""The registry of taboo checks, and the one pass that runs them on a customer.

A check is a module of this package holding one ``Taboo``: its code, its names
and its Chinese text for the report page, the thresholds it owns, and the check
itself, a pure function from a customer's timeline (``Seen``) to a finding or
None. `check`, `check --json`, the config and the HTML page all read this
registry, so a new taboo is one new module and its line in the package's
``__init__.py`` (a threshold it adds is declared in ``workspace/thresholds.py``,
where every command's config reader sees it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from folder_kit.followup.rules import (
    Ev,
    Finding,
    Timeline,
    cadence_of,
    follow_up_days,
    later,
    unanswered,
)
from folder_kit.workspace.layout import Grade
from folder_kit.workspace.thresholds import LOOKBACK, Taboos, Threshold, declare


@dataclass(frozen=True)
class Seen:
    """One customer's timeline as of the day judged, in the shapes the checks share."""

    tl: Timeline
    today: dt.date
    cadence: Mapping[Grade, int]
    taboos: Taboos
    events: list[Ev]  # up to today
    grade: str  # on that day
    days: int | None  # its cadence; None for a prospect never written to
    outs: list[Ev]
    recent: list[Ev]  # the `out` events the habit checks look at
    recent_from: dt.date
    by_day: list[list[Ev]]  # follow-ups, one a day
    waiting: list[list[Ev]]  # follow-ups since their last reply

    def finding(
        self, code: str, message: str, evidence: Iterable[Ev], remedy: str, **data: object
    ) -> Finding:
        paths = tuple(dict.fromkeys(e.path for e in evidence if e.path))
        return Finding(self.tl.customer, code, message, paths, remedy, data)


def seen(tl: Timeline, *, today: dt.date, cadence: Mapping[Grade, int], taboos: Taboos) -> Seen:
    events = [e for e in tl.events if e.day <= today]
    grade = tl.grade
    outs = [e for e in events if e.kind == "out"]
    recent_from = today - dt.timedelta(days=taboos[LOOKBACK])
    return Seen(
        tl=tl,
        today=today,
        cadence=cadence,
        taboos=taboos,
        events=events,
        grade=grade,
        days=cadence_of(grade, cadence, has_out=bool(outs)),
        outs=outs,
        recent=[e for e in outs if e.day >= recent_from],
        recent_from=recent_from,
        by_day=follow_up_days(events),
        waiting=unanswered(events),
    )


@dataclass(frozen=True)
class Taboo:
    """One check `check` runs per customer, and what the report page says of it."""

    code: str
    # The course's name for it, by language: the page's label.
    names: Mapping[str, str]
    # Its message and remedy in Chinese, formatted with the finding's data (the
    # English ones are the finding's own).
    zh: tuple[str, str]
    check: Callable[[Seen], Finding | None]
    # The thresholds it owns, under `taboos:` in folder-kit.yaml.
    thresholds: tuple[Threshold[Any], ...] = ()
    # Codes that, found for the customer already, keep this one quiet.
    unless: tuple[str, ...] = ()
    # The data as the Chinese text needs it, where it differs from the finding's.
    zh_data: Callable[[dict[str, object]], dict[str, object]] | None = None
    # Advice (a grade to raise), not a habit that hurts: it makes no customer worse.
    advice: bool = False


# Every taboo by code, in the order `check` runs them and lists its findings.
TABOOS: dict[str, Taboo] = {}


def register(taboo: Taboo) -> Taboo:
    """Add ``taboo`` after the others, and make its thresholds keys of the config."""
    if taboo.code in TABOOS:
        raise ValueError(f"the taboo {taboo.code} is registered twice")
    for threshold in taboo.thresholds:
        declare(threshold)
    TABOOS[taboo.code] = taboo
    return taboo


def check_timeline(
    tl: Timeline, *, today: dt.date, cadence: Mapping[Grade, int], taboos: Taboos
) -> list[Finding]:
    """Every finding for one customer as of ``today``: the taboos, an evaporated
    quote, the change-approach ladder, a grade to suggest. A healthy customer
    gives none."""
    s = seen(tl, today=today, cadence=cadence, taboos=taboos)
    findings: list[Finding] = []
    for taboo in TABOOS.values():
        if taboo.unless and any(f.code in taboo.unless for f in findings):
            continue
        found = taboo.check(s)
        if found is not None:
            findings.append(found)
    return findings


def worst_first(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` grouped by customer, the customers with the most problems first
    (advice, such as a grade to raise, counts for none); customers with as many in
    the order they came (`check` gives them by grade, B A C D P, then by name),
    each customer's findings in the order they came."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.customer, []).append(f)
    ranked = sorted(groups.values(), key=lambda group: -sum(map(_problem, group)))
    return [f for group in ranked for f in group]


def _problem(finding: Finding) -> bool:
    taboo = TABOOS.get(finding.code)
    return taboo is None or not taboo.advice


def count_codes(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each code, the most frequent first (ties in the order
    the codes are checked)."""
    counts = dict.fromkeys(TABOOS, 0)
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    order = {code: n for n, code in enumerate(counts)}
    return dict(
        sorted(((c, n) for c, n in counts.items() if n), key=lambda cn: (-cn[1], order[cn[0]]))
    )


def code_names(lang: str) -> dict[str, str]:
    """Each taboo's name in ``lang`` (English where it has none), by code."""
    return {code: t.names.get(lang, t.names["en"]) for code, t in TABOOS.items()}


# --- what the checks share ------------------------------------------------------


def answered_between(events: Sequence[Ev], a: Ev, b: Ev) -> bool:
    """Whether they replied after ``a`` and before ``b``."""
    return any(r.kind == "in" and later(r, a) and later(b, r) for r in events)


def share(days: int, percent: int) -> float:
    """``percent`` % of ``days``."""
    return days * percent / 100


def file_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def days_text(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def times_text(n: int) -> str:
    return {1: "1 follow-up"}.get(n, f"{n} follow-ups")
