"""2. Asking the same thing twice: the topic of one of the last N follow-ups again,
with no reply between."""

from __future__ import annotations

from folder_kit.followup.rules import NO_TOPIC, Ev, Finding
from folder_kit.followup.taboos.registry import Seen, Taboo, answered_between, file_name
from folder_kit.workspace.thresholds import REPEAT_WINDOW


def check(s: Seen) -> Finding | None:
    repeats: list[Ev] = []
    pairs: list[tuple[Ev, Ev]] = []
    window = s.taboos[REPEAT_WINDOW]
    for i, day_outs in enumerate(s.by_day):
        if day_outs[0].day < s.recent_from:
            continue
        earlier = [
            e
            for d in s.by_day[max(0, i - window) : i]
            for e in d
            if not answered_between(s.events, e, day_outs[0])
        ]
        for e in day_outs:
            if (e.topic or "") in NO_TOPIC:
                continue
            same = next((x for x in reversed(earlier) if x.topic == e.topic), None)
            if same is not None:
                repeats += [same, e]
                pairs.append((same, e))
    if not pairs:
        return None
    old, new = pairs[-1]
    return s.finding(
        "repeated-topic",
        f"{new.day}: {new.topic} again, as on {old.day} ({file_name(old.path)}), "
        "with no answer between",
        repeats,
        "Each follow-up needs a new reason: a price update, a new product, company "
        "news, a fair, a visit, a holiday greeting, a correction of what you sent.",
        day=new.day,
        topic=new.topic,
        old_day=old.day,
        old_file=file_name(old.path),
    )


TABOO = Taboo(
    code="repeated-topic",
    names={"zh": "重复同一话题", "en": "the same thing twice"},
    zh=(
        "{day} 又是“{topic}”，和 {old_day}（{old_file}）一样，中间没有回复",
        "每次跟进都要有新理由：价格更新、新产品、公司动态、展会、来访邀请、节日问候、"
        "对上次内容的修正和补充。",
    ),
    check=check,
    thresholds=(REPEAT_WINDOW,),
)
