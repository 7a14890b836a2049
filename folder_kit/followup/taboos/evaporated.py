"""A quote or PI evaporated: no reply (nor order) after it for one cadence."""

from __future__ import annotations

from folder_kit.followup.rules import Finding, unanswered_offers
from folder_kit.followup.taboos.registry import Seen, Taboo, days_text, file_name, share
from folder_kit.workspace.thresholds import EVAPORATED_AFTER

SELF_CHECK = (
    "Self-check, as the course asks. Our side: was the cold letter right; does the "
    "product fit (shape, structure, parameters); is the price too high? Their side: "
    "a stable supplier, a regional bias, the buyer busy or travelling, the mail "
    "filtered as spam, the buyer testing you. Gather: customer research, competitor "
    "research, market research; then follow up with what you found."
)


def check(s: Seen) -> Finding | None:
    offers = unanswered_offers(s.events)
    if s.days is None or not offers:
        return None
    newest = offers[-1]
    age = (s.today - newest.day).days
    if age < share(s.days, s.taboos[EVAPORATED_AFTER]):
        return None
    return s.finding(
        "evaporated",
        f"the {newest.kind} of {newest.day} ({file_name(newest.path)}) has had no answer "
        f"for {days_text(age)}",
        offers,
        SELF_CHECK,
        kind=newest.kind,
        day=newest.day,
        file=file_name(newest.path),
        age=age,
    )


TABOO = Taboo(
    code="evaporated",
    names={"zh": "报价后蒸发", "en": "quote evaporated"},
    zh=(
        "{day} 发出的 {kind}（{file}）已经 {age} 天没有回复",
        "按课程自检。主观原因：开发信写得对吗？产品合适吗（外形、结构、参数）？价格太高？"
        "客观原因：客户有稳定的供应商、地域偏见、采购忙或出差、邮件被当作垃圾邮件、"
        "客户在试探你。收集信息：客户调研、竞争对手调研、市场调研，再带着发现去跟进。",
    ),
    check=check,
    thresholds=(EVAPORATED_AFTER,),
)
