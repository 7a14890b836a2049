"""Follow-ups keep failing: the course's ladder, another contact named from Contact.txt."""

from __future__ import annotations

from folder_kit.followup.rules import Finding
from folder_kit.followup.taboos.registry import Seen, Taboo, times_text
from folder_kit.workspace.thresholds import CHANGE_APPROACH_AFTER


def check(s: Seen) -> Finding | None:
    waiting = s.waiting
    if len(waiting) < s.taboos[CHANGE_APPROACH_AFTER]:
        return None
    others = list(s.tl.contacts[1:])
    second = (
        f"write to {', '.join(others)} instead (Contact.txt)"
        if others
        else "find another buyer at the company and add them to Contact.txt"
    )
    return s.finding(
        "change-approach",
        f"{times_text(len(waiting))} since {waiting[0][0].day} without an answer",
        [waiting[-1][0]],
        f"Change the approach, in this order: hand the customer to a colleague "
        f"(换同事); {second} (换客人); refer them to a partner company (换公司).",
        n=len(waiting),
        since=waiting[0][0].day,
        others="、".join(others),
    )


def zh_data(data: dict[str, object]) -> dict[str, object]:
    others = data.get("others")
    data["second"] = (
        f"改写给 {others}（Contact.txt）" if others else "在这家公司另找一位采购，记进 Contact.txt"
    )
    return data


TABOO = Taboo(
    code="change-approach",
    names={"zh": "屡战屡败：换个方法", "en": "change the approach"},
    zh=(
        "自 {since} 起跟进 {n} 次都没有回复",
        "换个方法，依次：换同事跟进（换同事）；{second}（换客人）；"
        "把客户介绍给合作公司（换公司）。",
    ),
    check=check,
    thresholds=(CHANGE_APPROACH_AFTER,),
    zh_data=zh_data,
)
