"""4. Giving up: several unanswered follow-ups, then silence for more than 2 x the cadence."""

from __future__ import annotations

from folder_kit.followup.rules import Finding
from folder_kit.followup.taboos.registry import Seen, Taboo, days_text, share, times_text
from folder_kit.workspace.thresholds import GAVE_UP_AFTER, GAVE_UP_SILENCE


def check(s: Seen) -> Finding | None:
    waiting = s.waiting
    if s.days is None or len(waiting) < s.taboos[GAVE_UP_AFTER]:
        return None
    silent = (s.today - waiting[-1][0].day).days
    percent = s.taboos[GAVE_UP_SILENCE]
    if silent <= share(s.days, percent):
        return None
    return s.finding(
        "gave-up",
        f"{times_text(len(waiting))} since {waiting[0][0].day}, no answer, nothing "
        f"sent since {waiting[-1][0].day} ({days_text(silent)}, more than "
        f"{percent} % of the {s.days}-day cadence)",
        [e for d in waiting for e in d],
        "80 % of sales come after the 4th follow-up, and 80 % of salespeople give "
        "up after the 3rd: write again with a new topic, or call.",
        n=len(waiting),
        since=waiting[0][0].day,
        last=waiting[-1][0].day,
        silent=silent,
        percent=percent,
        cadence=s.days,
    )


TABOO = Taboo(
    code="gave-up",
    names={"zh": "三次没回就放弃", "en": "gave up too soon"},
    zh=(
        "自 {since} 起跟进 {n} 次都没有回复，{last} 之后再没有跟进"
        "（{silent} 天，超过 {cadence} 天周期的 {percent}%）",
        "80% 的销售在第 4 次跟进之后成交，而 80% 的业务员在第 3 次之后就放弃了："
        "换个新话题再写，或者打个电话。",
    ),
    check=check,
    thresholds=(GAVE_UP_AFTER, GAVE_UP_SILENCE),
)
