"""6. The interval too long: no contact in either direction for more than 1.5 x the
cadence. Quiet where gave-up fired: that one already says how long, and why it matters."""

from __future__ import annotations

from folder_kit.followup.rules import CONTACT_KINDS, Finding
from folder_kit.followup.taboos.registry import Seen, Taboo, days_text, share
from folder_kit.workspace.thresholds import TOO_LONG


def check(s: Seen) -> Finding | None:
    last = next((e for e in reversed(s.events) if e.kind in CONTACT_KINDS), None)
    if s.days is None or last is None:
        return None
    quiet = (s.today - last.day).days
    if quiet <= share(s.days, s.taboos[TOO_LONG]):
        return None
    return s.finding(
        "too-long",
        f"no contact since {last.day} ({days_text(quiet)}; the cadence of grade {s.grade} "
        f"is {s.days} days)",
        [last],
        f"Follow up now, then every {s.days} days: out of sight, out of mind.",
        since=last.day,
        days=quiet,
        grade=s.grade,
        cadence=s.days,
    )


TABOO = Taboo(
    code="too-long",
    names={"zh": "间隔太长", "en": "interval too long"},
    zh=(
        "自 {since} 起没有任何联系（{days} 天；{grade} 级客户的跟进周期是 {cadence} 天）",
        "现在就跟进，之后每 {cadence} 天一次：久不联系，就会被忘记。",
    ),
    check=check,
    thresholds=(TOO_LONG,),
    unless=("gave-up",),
)
