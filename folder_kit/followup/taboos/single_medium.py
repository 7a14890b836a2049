"""7. One medium only: the last N follow-ups all by the same medium."""

from __future__ import annotations

from folder_kit.followup.rules import Finding
from folder_kit.followup.taboos.registry import Seen, Taboo
from folder_kit.workspace.thresholds import SINGLE_MEDIUM_RUN


def check(s: Seen) -> Finding | None:
    n = s.taboos[SINGLE_MEDIUM_RUN]
    run = s.outs[-n:]
    if len(run) < n or len({e.medium for e in run}) != 1:
        return None
    return s.finding(
        "single-medium",
        f"the last {len(run)} follow-ups were all by {run[0].medium}, since {run[0].day}",
        run,
        "Change the medium: call, send a sample by courier, a WeChat/WhatsApp "
        "message, or visit; a buyer who ignores mail may answer the phone.",
        n=len(run),
        medium=run[0].medium,
        since=run[0].day,
    )


TABOO = Taboo(
    code="single-medium",
    names={"zh": "联系方式单一", "en": "one medium only"},
    zh=(
        "自 {since} 起，最近 {n} 次跟进全用 {medium}",
        "换一种方式：打电话、寄样品、微信/WhatsApp、拜访；不回邮件的客户也许会接电话。",
    ),
    check=check,
    thresholds=(SINGLE_MEDIUM_RUN,),
)
