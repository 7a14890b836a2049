"""3. A blind follow-up: one with no topic, no excuse to write."""

from __future__ import annotations

from folder_kit.followup.rules import NO_TOPIC, Finding, needs_excuse
from folder_kit.followup.taboos.registry import Seen, Taboo, file_name, times_text


def check(s: Seen) -> Finding | None:
    blind = [e for e in s.recent if (e.topic or "") in NO_TOPIC and needs_excuse(s.events, e)]
    if not blind:
        return None
    return s.finding(
        "blind-follow-up",
        f"{times_text(len(blind))} with no topic: "
        + ", ".join(f"{file_name(e.path)} ({e.day})" for e in blind[-3:]),
        blind,
        "Find a good excuse for every follow-up, and put it in the subject: "
        "a new price, a product, news, an exhibition, a visit, a greeting.",
        n=len(blind),
        files="、".join(f"{file_name(e.path)}（{e.day}）" for e in blind[-3:]),
    )


TABOO = Taboo(
    code="blind-follow-up",
    names={"zh": "盲目跟进：没有理由", "en": "blind follow-up"},
    zh=(
        "{n} 次跟进没有话题：{files}",
        "每次跟进都要找一个好理由，并写进标题：新价格、新产品、新闻、展会、来访、问候。",
    ),
    check=check,
)
