"""`report --html`: the pipeline as one self-contained page, in the workspace's language.

Inline CSS and inline SVG charts, no script and nothing fetched from the
network, so the page opens offline and can be mailed to a manager. Rendered
with Jinja2 (autoescaped) from ``templates/report/report.html.j2``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from folder_kit.followup.rules import (
    COURSE_SALES_SHARE,
    DISTRIBUTION_KEYS,
    Due,
    Finding,
    Report,
    first_things_first,
)
from folder_kit.followup.taboos import TABOOS, code_names
from folder_kit.workspace.thresholds import DORMANT_AFTER

MARKER = b'<meta name="generator" content="folder-kit report">'

LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Follow-up report",
        "as_of": "as of",
        "customers": "customers",
        "customer": "Customer",
        "events": "events",
        "grades": "Per grade",
        "grade": "Grade",
        "overdue": "Overdue",
        "due_this_week": "Due this week",
        "replied": "Replied within the cadence",
        "due": "Follow up now",
        "last_contact": "Last contact",
        "days_late": "Days late",
        "suggested_topic": "Topic to try",
        "none_due": "Nobody is due.",
        "dormant": "Dormant — revive or move down a grade",
        "dormant_note": "Silent for more than {n} cadences: write with something new "
        "(a price list, a product, a fair, a greeting), or move them down a grade.",
        "open_quotes": "Open quotes without a reply",
        "sent": "Sent",
        "days": "Days",
        "file": "File",
        "none_open": "No quote is waiting for an answer.",
        "suggestions": "Suggested grade changes",
        "why": "Why",
        "none_suggested": "No grade change to suggest.",
        "findings": "Habits that hurt",
        "none_found": "No taboo broken.",
        "before_reply": "Follow-ups before the first reply",
        "before_order": "Follow-ups before the first order",
        "outs": "mails and calls before",
        "course": "The course: when sales close",
        "course_note": "80 % of sales come after the 4th follow-up; 80 % of salespeople "
        "give up after the 3rd.",
        "zero_note": "0 = they wrote first.",
        "A": "A trading",
        "B": "B negotiating",
        "C": "C potential",
        "D": "D industry",
        "P": "Prospects",
        "footer": "Made by folder-kit from the customer folders.",
        "more": "more",
    },
    "zh": {
        "title": "客户跟进报告",
        "as_of": "截至",
        "customers": "个客户",
        "customer": "客户",
        "events": "条记录",
        "grades": "各等级",
        "grade": "等级",
        "overdue": "已逾期",
        "due_this_week": "本周到期",
        "replied": "周期内有回复",
        "due": "现在该跟进",
        "last_contact": "上次联系",
        "days_late": "逾期天数",
        "suggested_topic": "可用话题",
        "none_due": "暂无需要跟进的客户。",
        "dormant": "沉睡客户 — 重新激活或降级",
        "dormant_note": "超过 {n} 个跟进周期没有联系：带着新东西（价格表、新产品、展会、节日问候）"
        "重新联系，或者降一级。",
        "open_quotes": "报价未获回复",
        "sent": "发出",
        "days": "天数",
        "file": "文件",
        "none_open": "没有等待回复的报价。",
        "suggestions": "建议调整等级",
        "why": "理由",
        "none_suggested": "暂无等级调整建议。",
        "findings": "跟进禁忌",
        "none_found": "没有触犯禁忌。",
        "before_reply": "首次回复前的跟进次数",
        "before_order": "首次下单前的跟进次数",
        "outs": "此前跟进次数",
        "course": "课程数据：成交发生在",
        "course_note": "80% 的销售在第 4 次跟进之后成交；80% 的业务员在第 3 次跟进后就放弃了。",
        "zero_note": "0 = 客户先联系我们。",
        "A": "A 交易客户",
        "B": "B 在谈客户",
        "C": "C 潜力客户",
        "D": "D 行业客户",
        "P": "待开发客户",
        "footer": "由 folder-kit 根据客户文件夹生成。",
        "more": "更多",
    },
}


def localize(finding: Finding, lang: str) -> tuple[str, str]:
    """A finding's message and remedy in ``lang``; its own English where there is
    no translation (or it lacks a fact)."""
    taboo = TABOOS.get(finding.code) if lang == "zh" else None
    if taboo is None:
        return finding.message, finding.remedy
    data = dict(finding.data)
    if taboo.zh_data is not None:
        data = taboo.zh_data(data)
    try:
        return taboo.zh[0].format(**data), taboo.zh[1].format(**data)
    except (KeyError, IndexError):
        return finding.message, finding.remedy


COURSE_LABELS_ZH = (
    "首次联系",
    "第 1 次跟进后",
    "第 2 次跟进后",
    "第 3 次跟进后",
    "第 4–11 次跟进后",
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: float  # percent of the chart's bar area
    text: str


def bars(items: Sequence[tuple[str, int]], *, suffix: str = "") -> list[Bar]:
    top = max((v for _, v in items), default=0) or 1
    return [Bar(label, v, 100 * v / top, f"{v}{suffix}") for label, v in items]


def render(
    report: Report,
    *,
    due: Sequence[Due],
    findings: Sequence[Finding],
    lang: str,
    workspace: str,
    dormant_after: int = DORMANT_AFTER.default,
    limit: int = 50,
) -> str:
    """The page's HTML; at most ``limit`` rows per list, with how many more. ``due``
    is split as `due` shows it: those to follow up now, then the dormant ones
    (silent for more than ``dormant_after`` cadences)."""
    import jinja2

    from folder_kit.resources import read_template

    labels = LABELS.get(lang, LABELS["en"])
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(read_template("report", "report.html.j2"))
    course_names = (
        COURSE_LABELS_ZH if lang == "zh" else tuple(name for name, _ in COURSE_SALES_SHARE)
    )
    grade_rows = [(g, report.grades[g]) for g in ("A", "B", "C", "D", "P")]
    now, dormant = first_things_first(due)
    return template.render(
        lang=lang,
        t=labels,
        code_names=code_names(lang),
        localize=lambda f: localize(f, lang),
        marker=MARKER.decode(),
        workspace=workspace,
        report=report,
        grade_rows=grade_rows,
        grade_bars=bars([(labels[g], s.customers) for g, s in grade_rows]),
        overdue_bars=bars([(labels[g], s.overdue) for g, s in grade_rows]),
        due=now[:limit],
        due_more=max(0, len(now) - limit),
        dormant=dormant[:limit],
        dormant_more=max(0, len(dormant) - limit),
        dormant_after=dormant_after,
        findings=findings[:limit],
        findings_more=max(0, len(findings) - limit),
        quotes=report.open_quotes[:limit],
        quotes_more=max(0, len(report.open_quotes) - limit),
        suggestions=report.suggestions[:limit],
        suggestions_more=max(0, len(report.suggestions) - limit),
        reply_bars=bars([(k, report.follow_ups_before_reply[k]) for k in DISTRIBUTION_KEYS]),
        order_bars=bars([(k, report.follow_ups_before_order[k]) for k in DISTRIBUTION_KEYS]),
        course_bars=bars(
            [(n, share) for n, (_, share) in zip(course_names, COURSE_SALES_SHARE, strict=True)],
            suffix=" %",
        ),
    )
